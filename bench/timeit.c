/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* timeit RUNS CMD1 [CMD2 ...]: runs the commands in turn, RUNS rounds (after two warm-up
 * rounds), each with stdio on /dev/null, and prints the median wall time of each in
 * microseconds, one per line.  Interleaving the commands keeps a drift in the machine's load
 * from favouring one of them.  A command is split on spaces (no quoting). */
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

extern char **environ;

static int cmp(const void *a, const void *b)
{
        long x = *(const long *)a, y = *(const long *)b;
        return (x > y) - (x < y);
}

static long run(char **argv)
{
        posix_spawn_file_actions_t fa;
        struct timespec a, b;
        pid_t pid;
        int st;
        posix_spawn_file_actions_init(&fa);
        for (int fd = 0; fd < 3; fd++)
                posix_spawn_file_actions_addopen(&fa, fd, "/dev/null", fd ? O_WRONLY : O_RDONLY, 0);
        clock_gettime(CLOCK_MONOTONIC, &a);
        if (posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ) != 0 || waitpid(pid, &st, 0) < 0) {
                fprintf(stderr, "timeit: cannot run %s\n", argv[0]);
                exit(1);
        }
        clock_gettime(CLOCK_MONOTONIC, &b);
        posix_spawn_file_actions_destroy(&fa);
        if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
                fprintf(stderr, "timeit: %s failed (status %#x)\n", argv[0], st);
                exit(1);
        }
        return (b.tv_sec - a.tv_sec) * 1000000L + (b.tv_nsec - a.tv_nsec) / 1000;
}

int main(int argc, char *argv[])
{
        if (argc < 3)
                return 2;
        int runs = atoi(argv[1]), n = argc - 2;
        char **cmds[64];
        long *t[64];
        for (int c = 0; c < n && c < 64; c++) {
                char **v = calloc(64, sizeof(char *));
                int k = 0;
                for (char *save, *w = strtok_r(strdup(argv[c + 2]), " ", &save); w && k < 63; w = strtok_r(NULL, " ", &save))
                        v[k++] = w;
                cmds[c] = v;
                t[c] = calloc((size_t)runs, sizeof(long));
        }
        for (int r = -2; r < runs; r++)
                for (int c = 0; c < n; c++) {
                        long us = run(cmds[c]);
                        if (r >= 0)
                                t[c][r] = us;
                }
        for (int c = 0; c < n; c++) {
                qsort(t[c], (size_t)runs, sizeof(long), cmp);
                printf("%ld\n", t[c][runs / 2]);
        }
        return 0;
}
