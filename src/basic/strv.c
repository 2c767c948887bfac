/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>
#include <stdio.h>

#include "strv.h"

size_t strv_length(char *const *l)
{
        size_t n = 0;
        for (; l && l[n]; n++)
                ;
        return n;
}

char **strv_free(char **l)
{
        for (size_t i = 0; l && l[i]; i++)
                free(l[i]);
        free(l);
        return NULL;
}

int strv_push(char ***l, char *value)
{
        size_t n = strv_length(*l);
        char **c = realloc(*l, sizeof(char *) * (n + 2));
        if (!c) {
                free(value);
                return -ENOMEM;
        }
        c[n] = value;
        c[n + 1] = NULL;
        *l = c;
        return 0;
}

int strv_pushf(char ***l, const char *fmt, ...)
{
        va_list ap;
        char *s;
        va_start(ap, fmt);
        int n = vasprintf(&s, fmt, ap);
        va_end(ap);
        return n < 0 ? -ENOMEM : strv_push(l, s);
}

int strv_extend(char ***l, const char *value)
{
        char *v = strdup(value);
        if (!v)
                return -ENOMEM;
        return strv_push(l, v);
}

char **strv_copy(char *const *l)
{
        char **c = calloc(strv_length(l) + 1, sizeof(char *));
        if (!c)
                return NULL;
        for (size_t i = 0; l && l[i]; i++)
                if (!(c[i] = strdup(l[i])))
                        return strv_free(c);
        return c;
}

bool strv_contains(char *const *l, const char *s)
{
        for (size_t i = 0; l && l[i]; i++)
                if (streq(l[i], s))
                        return true;
        return false;
}

static size_t env_name_len(const char *a)
{
        const char *eq = strchr(a, '=');
        return eq ? (size_t)(eq - a) : strlen(a);
}

int strv_env_set(char ***env, const char *assignment)
{
        size_t nl = env_name_len(assignment);
        for (size_t i = 0; *env && (*env)[i]; i++) {
                if (env_name_len((*env)[i]) == nl && strneq((*env)[i], assignment, nl)) {
                        char *v = strdup(assignment);
                        if (!v)
                                return -ENOMEM;
                        free((*env)[i]);
                        (*env)[i] = v;
                        return 0;
                }
        }
        return strv_extend(env, assignment);
}

const char *strv_env_get(char *const *env, const char *name)
{
        size_t nl = strlen(name);
        for (size_t i = 0; env && env[i]; i++)
                if (strneq(env[i], name, nl) && env[i][nl] == '=')
                        return env[i] + nl + 1;
        return NULL;
}
