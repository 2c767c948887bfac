/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* top: CPU, memory, IO and tasks of every running machine, as systemd-cgtop shows them, from
 * the core's cgroup usage counters. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "corralctl.h"

typedef struct Sample {
        char name[256];
        CgroupUsage u;
        unsigned tasks;
} Sample;

static int take(const Args *a, Sample **ret, size_t *ret_n, struct timespec *when)
{
        MachineRecord *m;
        size_t n;
        int r = registry_list(a->dir, &m, &n);
        if (r < 0)
                return r;
        Sample *s = calloc(n ? n : 1, sizeof(Sample));
        if (!s) {
                free(m);
                return -ENOMEM;
        }
        clock_gettime(CLOCK_MONOTONIC, when);
        for (size_t i = 0; i < n; i++) {
                ContainerCgroup cg = CONTAINER_CGROUP_NULL;
                Error e = {0};
                snprintf(s[i].name, sizeof(s[i].name), "%s", m[i].name);
                s[i].u = (CgroupUsage){UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
                if (machine_cgroup_of(&m[i], &cg, &e) == 0)
                        (void)container_cgroup_usage(&cg, &s[i].u);
                container_cgroup_done(&cg);
                _cleanup_close_ int fd = -1;
                _cleanup_free_ char *dir = machine_cgroup_dir(&m[i], &fd);
                s[i].tasks = dir ? count_cgroup_tasks(dir) : 0;
        }
        free(m);
        *ret = s;
        *ret_n = n;
        return 0;
}

static void bytes(uint64_t v, char *buf, size_t size)
{
        static const char units[] = "BKMGTP";
        double d = (double)v;
        size_t u = 0;
        if (v == UINT64_MAX) {
                snprintf(buf, size, "-");
                return;
        }
        while (d >= 1024 && u + 1 < sizeof(units) - 1) {
                d /= 1024;
                u++;
        }
        snprintf(buf, size, u ? "%.1f%c" : "%.0f%c", d, units[u]);
}

/* The rate of a counter between two samples, per second; UINT64_MAX where unknown. */
static uint64_t rate(uint64_t before, uint64_t after, double seconds)
{
        if (before == UINT64_MAX || after == UINT64_MAX || after < before || seconds <= 0)
                return UINT64_MAX;
        return (uint64_t)((double)(after - before) / seconds);
}

int verb_top(const Args *a, int argc, char **argv)
{
        static const char *header[] = {"MACHINE", "TASKS", "%CPU", "MEMORY", "INPUT/S", "OUTPUT/S"};
        bool tty = isatty(STDOUT_FILENO);
        int iterations = a->lines > 0 ? a->lines : tty ? 0 : 1;
        Sample *prev = NULL, *cur = NULL;
        size_t n_prev = 0, n_cur = 0;
        struct timespec t_prev, t_cur;
        if (take(a, &prev, &n_prev, &t_prev) < 0) {
                fprintf(stderr, "Failed to list the machines in %s.\n", a->dir);
                return 1;
        }
        for (int it = 0; iterations == 0 || it < iterations; it++) {
                sleep(1);
                if (take(a, &cur, &n_cur, &t_cur) < 0)
                        break;
                double secs = (double)(t_cur.tv_sec - t_prev.tv_sec) + (double)(t_cur.tv_nsec - t_prev.tv_nsec) / 1e9;
                Table t = {.n_cols = ELEMENTSOF(header), .header = header};
                for (size_t i = 0; i < n_cur; i++) {
                        const Sample *p = NULL;
                        for (size_t j = 0; j < n_prev && !p; j++)
                                if (streq(prev[j].name, cur[i].name))
                                        p = &prev[j];
                        char tasks[16], cpu[16] = "-", mem[16], in[16], out[16];
                        char cpu_json[16] = "null", mem_json[32], in_json[32], out_json[32];
                        snprintf(tasks, sizeof(tasks), "%u", cur[i].tasks);
                        if (p && p->u.cpu_usec != UINT64_MAX && cur[i].u.cpu_usec != UINT64_MAX && cur[i].u.cpu_usec >= p->u.cpu_usec) {
                                snprintf(cpu, sizeof(cpu), "%.1f", (double)(cur[i].u.cpu_usec - p->u.cpu_usec) / 1e4 / secs);
                                snprintf(cpu_json, sizeof(cpu_json), "%s", cpu);
                        }
                        uint64_t r_in = p ? rate(p->u.io_read_bytes, cur[i].u.io_read_bytes, secs) : UINT64_MAX;
                        uint64_t r_out = p ? rate(p->u.io_write_bytes, cur[i].u.io_write_bytes, secs) : UINT64_MAX;
                        bytes(cur[i].u.memory_current, mem, sizeof(mem));
                        bytes(r_in, in, sizeof(in));
                        bytes(r_out, out, sizeof(out));
                        /* JSON: percent, bytes and bytes per second as numbers, null where unknown */
                        json_u64(cur[i].u.memory_current, mem_json, sizeof(mem_json));
                        json_u64(r_in, in_json, sizeof(in_json));
                        json_u64(r_out, out_json, sizeof(out_json));
                        const char *row[] = {cur[i].name, tasks, cpu, mem, in, out};
                        const char *json[] = {NULL, tasks, cpu_json, mem_json, in_json, out_json};
                        (void)table_add_typed(&t, row, json);
                }
                if (a->json != JSON_OFF)
                        table_json(&t, a->json);
                else {
                        if (tty)
                                fputs("\033[H\033[2J", stdout);
                        table_print(&t, a->legend);
                        if (!tty && (iterations == 0 || it + 1 < iterations))
                                putchar('\n');
                }
                fflush(stdout);
                table_done(&t);
                free(prev);
                prev = cur;
                n_prev = n_cur;
                t_prev = t_cur;
                cur = NULL;
        }
        free(prev);
        return 0;
}
