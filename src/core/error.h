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
/* A long value the message repeats (an option's, say) shown by its start and its size instead:
 * a value of 100 KB is not echoed whole. */
void error_shorten_value(Error *e, const char *value);
