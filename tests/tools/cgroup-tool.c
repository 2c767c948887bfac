/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Test equipment: the core's cgroup API on a running machine, until corralctl has verbs for it.
 *   cgroup-tool usage NAME            cpu_usec, memory_current, ... one "KEY VALUE" per line
 *   cgroup-tool set NAME PROP=VALUE...  change limits
 *   cgroup-tool freeze|thaw NAME */
#include <stdio.h>
#include <string.h>

#include "cgroup.h"

int main(int argc, char *argv[])
{
        ContainerCgroup cg;
        Error e = {0};
        if (argc < 3) {
                fprintf(stderr, "usage: cgroup-tool usage|set|freeze|thaw NAME [PROP=VALUE...]\n");
                return 2;
        }
        if (container_cgroup_find(argv[2], NULL, &cg, &e) < 0) {
                fprintf(stderr, "cgroup-tool: %s\n", e.msg);
                return 1;
        }
        int r = 0;
        if (strcmp(argv[1], "usage") == 0) {
                CgroupUsage u;
                container_cgroup_usage(&cg, &u);
                const struct {
                        const char *k;
                        uint64_t v;
                } f[] = {{"cpu_usec", u.cpu_usec},
                         {"memory_current", u.memory_current},
                         {"memory_peak", u.memory_peak},
                         {"io_read_bytes", u.io_read_bytes},
                         {"io_write_bytes", u.io_write_bytes},
                         {"io_read_ops", u.io_read_ops},
                         {"io_write_ops", u.io_write_ops},
                         {"tasks", u.tasks}};
                for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
                        if (f[i].v == UINT64_MAX)
                                printf("%s -\n", f[i].k);
                        else
                                printf("%s %llu\n", f[i].k, (unsigned long long)f[i].v);
        } else if (strcmp(argv[1], "set") == 0) {
                Resources res = {0};
                for (int i = 3; i < argc && r >= 0; i++)
                        r = resources_parse_assignment(&res, argv[i], &e);
                if (r >= 0)
                        r = container_cgroup_set(&cg, &res, &e);
                resources_done(&res);
        } else if (strcmp(argv[1], "freeze") == 0 || strcmp(argv[1], "thaw") == 0)
                r = container_cgroup_freeze(&cg, strcmp(argv[1], "freeze") == 0, &e);
        else {
                fprintf(stderr, "cgroup-tool: unknown verb %s\n", argv[1]);
                r = -1;
        }
        if (r < 0 && e.msg[0])
                fprintf(stderr, "cgroup-tool: %s\n", e.msg);
        container_cgroup_done(&cg);
        return r < 0;
}
