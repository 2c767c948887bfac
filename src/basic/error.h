/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* How core reports a failure: a negative errno plus one message that names the option, file and
 * line, path or step it is about, and what to do.  The program prints it once. */
typedef struct Error {
        int code;
        char msg[1024];
} Error;

/* Records the first error only (later ones are consequences) and returns code (negative). */
_printf_(3, 4) int error_set(Error *e, int code, const char *fmt, ...);
/* Like error_set(), appending ": strerror(code)". */
_printf_(3, 4) int error_set_errno(Error *e, int code, const char *fmt, ...);
/* Puts context before the message e holds ("the base of the overlay child image X: " + what
 * the callee said), and returns its code: a caller adds what it knows instead of reading the
 * callee's message and writing a new one.  The end of the message is cut if the whole does
 * not fit. */
_printf_(2, 3) int error_prefix(Error *e, const char *fmt, ...);
/* A long value the message repeats (an option's, say) shown by its start and its size instead:
 * a value of 100 KB is not echoed whole. */
void error_shorten_value(Error *e, const char *value);

/* What the functions above return is negative, said where every caller sees it: a caller's
 * "if (r < 0) return r;" then ends each error path for the compiler and clang's analyzer too,
 * which otherwise follow an error return as if it were a success. */
static inline int error_negative(int r)
{
        return r < 0 ? r : -EINVAL;
}
#define error_set(e, code, ...) error_negative(error_set(e, code, __VA_ARGS__))
#define error_set_errno(e, code, ...) error_negative(error_set_errno(e, code, __VA_ARGS__))
