/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A tiny TAP producer that meson's TAP protocol counts.
 *
 * A test file declares named cases and ends with TAP_MAIN:
 *
 *     TEST(command_line_wins) { ... CHECK(cond, "what"); CHECK_STREQ(got, want, "what"); }
 *     TAP_MAIN
 *
 * Each case runs in a child of its own with a time limit (TAP_TIMEOUT_SEC, or $TAP_TIMEOUT),
 * so a failing case names itself ("not ok 3 - untrusted_file"), and a crash or a hang fails
 * its case without hiding the others.  Inside a case each CHECK is a "#" line; one that fails
 * says where and what. */
#pragma once

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static int tap_failed;

/* Prints a check's description on the rest of the line, a line break in it shown as "\n" so
 * that the TAP stream keeps one line per check. */
__attribute__((format(printf, 1, 2))) static inline void tap_describe(const char *fmt, ...)
{
        char buf[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        for (const char *p = buf; *p; p++)
                if (*p == '\n')
                        fputs("\\n", stdout);
                else
                        putchar(*p);
        putchar('\n');
}

#define CHECK(cond, ...)                                                              \
        do {                                                                          \
                bool _ok = (cond);                                                    \
                if (!_ok)                                                             \
                        tap_failed++;                                                 \
                printf(_ok ? "#   ok - " : "#   FAILED %s:%d: ", __FILE__, __LINE__); \
                tap_describe(__VA_ARGS__);                                            \
        } while (0)

#define CHECK_STREQ(a, b, ...)                                                                           \
        do {                                                                                             \
                const char *_a = (a), *_b = (b);                                                         \
                bool _eq = _a && _b && strcmp(_a, _b) == 0;                                              \
                CHECK(_eq, __VA_ARGS__);                                                                 \
                if (!_eq)                                                                                \
                        printf("#   got \"%s\", want \"%s\"\n", _a ? _a : "(null)", _b ? _b : "(null)"); \
        } while (0)

#define TAP_TIMEOUT_SEC 60
#define TAP_MAX_CASES 128

typedef struct TapCase {
        const char *name;
        void (*fn)(void);
} TapCase;

static TapCase tap_cases[TAP_MAX_CASES];
static int tap_n_cases;

/* A case, registered before main() in the order of the file. */
#define TEST(name)                                                                \
        static void test_##name(void);                                            \
        __attribute__((constructor)) static void tap_register_##name(void)        \
        {                                                                         \
                if (tap_n_cases < TAP_MAX_CASES)                                  \
                        tap_cases[tap_n_cases++] = (TapCase){#name, test_##name}; \
        }                                                                         \
        static void test_##name(void)

static inline int tap_run(void)
{
        const char *t = getenv("TAP_TIMEOUT");
        unsigned timeout = t && atoi(t) > 0 ? (unsigned)atoi(t) : TAP_TIMEOUT_SEC;
        int failed = 0;
        setvbuf(stdout, NULL, _IOLBF, 0);
        printf("1..%d\n", tap_n_cases);
        for (int i = 0; i < tap_n_cases; i++) {
                fflush(stdout);
                pid_t pid = fork();
                if (pid < 0) {
                        printf("not ok %d - %s: fork() failed\n", i + 1, tap_cases[i].name);
                        failed++;
                        continue;
                }
                if (pid == 0) {
                        tap_failed = 0;
                        alarm(timeout);
                        tap_cases[i].fn();
                        fflush(stdout);
                        _exit(tap_failed > 100 ? 100 : tap_failed);
                }
                int status = 0;
                while (waitpid(pid, &status, 0) < 0)
                        ;
                if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
                        printf("ok %d - %s\n", i + 1, tap_cases[i].name);
                else {
                        failed++;
                        if (WIFSIGNALED(status) && WTERMSIG(status) == SIGALRM)
                                printf("not ok %d - %s: timed out after %u s\n", i + 1, tap_cases[i].name, timeout);
                        else if (WIFSIGNALED(status))
                                printf("not ok %d - %s: killed by signal %d (%s)\n", i + 1, tap_cases[i].name, WTERMSIG(status),
                                       strsignal(WTERMSIG(status)));
                        else
                                printf("not ok %d - %s: %d check%s failed\n", i + 1, tap_cases[i].name, WEXITSTATUS(status),
                                       WEXITSTATUS(status) == 1 ? "" : "s");
                }
        }
        return failed ? 1 : 0;
}

#define TAP_MAIN                  \
        int main(void)            \
        {                         \
                return tap_run(); \
        }
