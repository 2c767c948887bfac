/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tree: the processes of each machine by cgroup, as systemd-cgls shows them; also the cgroup
 * tree of status. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "corralctl.h"
#include "fs-util.h"

/* PID's command line, spaces for its NULs, or [comm] for a kernel thread or a zombie. */
static void command_line(int pid, char *buf, size_t size)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t n = 0;
        snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
        buf[0] = 0;
        if (read_full_file(path, &text, &n) == 0 && n > 0) {
                for (size_t i = 0; i + 1 < n; i++)
                        if (text[i] == 0)
                                text[i] = ' ';
                snprintf(buf, size, "%s", text);
                /* A program that rewrote its argv (busybox init) pads it with spaces. */
                for (size_t k = strlen(buf); k > 0 && buf[k - 1] == ' '; k--)
                        buf[k - 1] = 0;
                return;
        }
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        if (read_full_file(path, &text, &n) == 0 && n > 0) {
                text[strcspn(text, "\n")] = 0;
                snprintf(buf, size, "[%s]", text);
        }
}

static int by_name(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static size_t columns(void)
{
        struct winsize ws;
        if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20)
                return ws.ws_col;
        return SIZE_MAX; /* a pipe gets whole lines */
}

/* Cuts s after width columns (UTF-8: continuation bytes take none). */
static void truncate_columns(char *s, size_t width)
{
        size_t cols = 0;
        for (char *p = s; *p; p++)
                if (((unsigned char)*p & 0xc0) != 0x80 && cols++ == width) {
                        *p = 0;
                        return;
                }
}

/* print: show the level (else only count its tasks into *ret_tasks). */
static void tree_level(const char *dir, const char *prefix, size_t width, bool print, unsigned *ret_tasks)
{
        char path[PATH_MAX];
        int pids[4096];
        size_t n_pids = 0, n_dirs = 0;
        char **dirs = NULL;
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        while (f && n_pids < ELEMENTSOF(pids) && fscanf(f, "%d", &pids[n_pids]) == 1)
                n_pids++;
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        char **nd = realloc(dirs, (n_dirs + 1) * sizeof(char *));
                        if (!nd)
                                break;
                        dirs = nd;
                        dirs[n_dirs++] = strdup(de->d_name);
                }
        if (d)
                closedir(d);
        if (n_dirs > 1)
                qsort(dirs, n_dirs, sizeof(char *), by_name);
        if (ret_tasks)
                *ret_tasks += (unsigned)n_pids;
        for (size_t i = 0; i < n_pids + n_dirs; i++) {
                bool last = i + 1 == n_pids + n_dirs;
                const char *branch = last ? "└─" : "├─";
                if (i < n_pids) {
                        char cmd[1024], line[1200];
                        if (!print)
                                continue;
                        command_line(pids[i], cmd, sizeof(cmd));
                        snprintf(line, sizeof(line), "%s%s%d %s", prefix, branch, pids[i], cmd);
                        if (width != SIZE_MAX)
                                truncate_columns(line, width);
                        puts(line);
                        continue;
                }
                const char *name = dirs[i - n_pids];
                char sub[PATH_MAX], next[512];
                if (print)
                        printf("%s%s%s\n", prefix, branch, name);
                snprintf(sub, sizeof(sub), "%s/%s", dir, name);
                snprintf(next, sizeof(next), "%s%s", prefix, last ? "  " : "│ ");
                tree_level(sub, next, width, print, ret_tasks);
        }
        for (size_t i = 0; i < n_dirs; i++)
                free(dirs[i]);
        free(dirs);
}

void print_cgroup_tree(const char *dir, const char *prefix)
{
        tree_level(dir, prefix, columns(), true, NULL);
}

unsigned count_cgroup_tasks(const char *dir)
{
        unsigned n = 0;
        tree_level(dir, "", SIZE_MAX, false, &n);
        return n;
}

int verb_tree(const Args *a, int argc, char **argv)
{
        MachineRecord *all = NULL;
        size_t n = 0;
        int ret = 0;
        if (argc < 2) {
                int r = registry_list(a->dir, &all, &n);
                if (r < 0) {
                        fprintf(stderr, "Failed to list machines in %s: %s\n", a->dir, strerror(-r));
                        return 1;
                }
        } else {
                all = calloc((size_t)argc - 1, sizeof(MachineRecord));
                if (!all)
                        return 1;
                for (int i = 1; i < argc; i++)
                        if (find_machine(a, argv[i], &all[n]) == 0)
                                n++;
                        else
                                ret = 1;
        }
        for (size_t i = 0; i < n; i++) {
                if (i > 0)
                        putchar('\n');
                _cleanup_close_ int fd = -1;
                _cleanup_free_ char *dir = machine_cgroup_dir(&all[i], &fd);
                printf("%s (%s):\n", all[i].name, all[i].cgroup[0] ? all[i].cgroup : "no cgroup");
                if (dir)
                        print_cgroup_tree(dir, "");
        }
        free(all);
        return ret;
}
