/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny TAP producer: ok/not ok lines that meson's TAP protocol counts. */
#pragma once

#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#define CHECK(cond, ...)                                                                                     \
        do {                                                                                                 \
                tap_n++;                                                                                     \
                if (cond)                                                                                    \
                        printf("ok %d - ", tap_n);                                                           \
                else {                                                                                       \
                        tap_failed++;                                                                        \
                        printf("not ok %d - %s:%d: ", tap_n, __FILE__, __LINE__);                            \
                }                                                                                            \
                printf(__VA_ARGS__);                                                                         \
                printf("\n");                                                                                \
        } while (0)

#define CHECK_STREQ(a, b, ...)                                                                               \
        do {                                                                                                 \
                const char *_a = (a), *_b = (b);                                                             \
                CHECK(_a && _b && strcmp(_a, _b) == 0, __VA_ARGS__);                                         \
                if (!(_a && _b && strcmp(_a, _b) == 0))                                                      \
                        printf("#   got \"%s\", want \"%s\"\n", _a ? _a : "(null)", _b ? _b : "(null)");     \
        } while (0)

static inline int tap_done(void)
{
        printf("1..%d\n", tap_n);
        return tap_failed ? 1 : 0;
}
