/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))
#define MIN(a, b) ((a) < (b) ? (a) : (b))
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define SWAP(a, b)                      \
        do {                            \
                __typeof__(a) _t = (a); \
                (a) = (b);              \
                (b) = _t;               \
        } while (0)
/* Whether x equals one of the values that follow (ints, enums). */
#define IN_SET(x, ...)                                         \
        ({                                                     \
                const int _v[] = {__VA_ARGS__};                \
                bool _found = false;                           \
                for (size_t _i = 0; _i < ELEMENTSOF(_v); _i++) \
                        if ((int)(x) == _v[_i])                \
                                _found = true;                 \
                _found;                                        \
        })
#define _unused_ __attribute__((unused))
#define _printf_(a, b) __attribute__((format(printf, a, b)))
#define _noreturn_ __attribute__((noreturn))
#define _warn_unused_result_ __attribute__((warn_unused_result))

static inline void freep(void *p)
{
        free(*(void **)p);
}

/* Closes and forgets: safe to call again, and safe before a scope's own cleanup runs. */
static inline void closep(int *fd)
{
        if (*fd >= 0) {
                int saved = errno;
                close(*fd);
                errno = saved;
                *fd = -1;
        }
}

static inline void fclosep(FILE **f)
{
        if (*f)
                fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

/* Hand ownership over: returns the value and leaves the variable empty, so its cleanup does nothing. */
#define TAKE_PTR(p)                     \
        ({                              \
                __typeof__(p) _p = (p); \
                (p) = NULL;             \
                _p;                     \
        })
#define TAKE_FD(fd)             \
        ({                      \
                int _fd = (fd); \
                (fd) = -1;      \
                _fd;            \
        })

#define streq(a, b) (strcmp((a), (b)) == 0)
#define strneq(a, b, n) (strncmp((a), (b), (n)) == 0)

static inline const char *strempty(const char *s)
{
        return s ? s : "";
}

static inline bool isempty(const char *s)
{
        return !s || !*s;
}

/* Returns the part of s after prefix, or NULL if s does not start with it. */
static inline const char *startswith(const char *s, const char *prefix)
{
        size_t l = strlen(prefix);
        return strncmp(s, prefix, l) == 0 ? s + l : NULL;
}

static inline int negative_errno(void)
{
        int e = errno; /* read once: to a reader (and clang's analyzer) the result is surely negative */
        return e > 0 ? -e : -EIO;
}

static inline bool endswith(const char *s, const char *suffix)
{
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* "/dev/fuse" starts with "/dev" as a path; "/devices" does not. */
static inline const char *path_startswith(const char *path, const char *prefix)
{
        const char *r = startswith(path, prefix);
        return r && (*r == '/' || *r == 0) ? r : NULL;
}

static inline void *mfree(void *p)
{
        free(p);
        return NULL;
}
