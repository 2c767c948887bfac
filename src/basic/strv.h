/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "macro.h"

/* NULL-terminated string vectors. */
size_t strv_length(char *const *l);
char **strv_free(char **l);
int strv_push(char ***l, char *value);                          /* takes ownership of value, even on failure */
int strv_pushf(char ***l, const char *fmt, ...) _printf_(2, 3); /* a formatted string */
int strv_extend(char ***l, const char *value);                  /* copies value */
char **strv_copy(char *const *l);
bool strv_contains(char *const *l, const char *s);
/* Sets NAME=VALUE in an environment block, replacing an existing NAME. */
int strv_env_set(char ***env, const char *assignment);
const char *strv_env_get(char *const *env, const char *name);

static inline void strv_freep(char ***l)
{
        strv_free(*l);
}
#define _cleanup_strv_free_ _cleanup_(strv_freep)
