/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* set-property, freeze and thaw: the core's cgroup API on a running machine. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "corralctl.h"
#include "resources.h"

int machine_cgroup_of(const MachineRecord *m, ContainerCgroup *cg, Error *e)
{
        /* The innermost slice of the record's cgroup: SLICE/corral-NAME.scope, and under
         * systemd SLICE/corral-NAME.scope/payload. */
        char slice[256] = "", path[sizeof(m->cgroup)];
        snprintf(path, sizeof(path), "%s", m->cgroup);
        for (char *end; !slice[0] && (end = strrchr(path, '/'));) {
                if (endswith(end + 1, ".slice"))
                        snprintf(slice, sizeof(slice), "%s", end + 1);
                *end = 0;
        }
        return container_cgroup_find(m->name, slice[0] ? slice : NULL, cg, e);
}

char *machine_cgroup_dir(const MachineRecord *m, int *fd)
{
        char *dir = NULL;
        *fd = -1;
        if (!m->cgroup[0] || cgroup_record_dir(m->cgroup, &dir, fd) < 0)
                return NULL;
        return dir;
}

/* The machine's cgroups, found by its name and the slice its record names. */
static int machine_cgroup(const Args *a, const char *name, ContainerCgroup *cg)
{
        MachineRecord m;
        Error e = {0};
        int r = find_machine(a, name, &m);
        if (r < 0)
                return r;
        if ((r = machine_cgroup_of(&m, cg, &e)) < 0)
                fprintf(stderr, "%s\n", e.msg);
        return r;
}

static int freeze_verb(const Args *a, int argc, char **argv, bool freeze)
{
        int ret = 0;
        for (int i = 1; i < argc; i++) {
                ContainerCgroup cg;
                Error e = {0};
                if (machine_cgroup(a, argv[i], &cg) < 0) {
                        ret = 1;
                        continue;
                }
                if (container_cgroup_freeze(&cg, freeze, &e) < 0) {
                        fprintf(stderr, "Could not %s machine '%s': %s\n", freeze ? "freeze" : "thaw", argv[i], e.msg);
                        ret = 1;
                }
                container_cgroup_done(&cg);
        }
        return ret;
}

int verb_freeze(const Args *a, int argc, char **argv)
{
        return freeze_verb(a, argc, argv, true);
}

int verb_thaw(const Args *a, int argc, char **argv)
{
        return freeze_verb(a, argc, argv, false);
}

/* set-property NAME PROPERTY=VALUE...: systemd's resource-control names, as --property=. */
int verb_set_property(const Args *a, int argc, char **argv)
{
        ContainerCgroup cg;
        Resources res = {0};
        Error e = {0};
        int r = 0;
        for (int i = 2; i < argc && r >= 0; i++)
                r = resources_parse_assignment(&res, argv[i], &e);
        if (r < 0) {
                fprintf(stderr, "Failed to parse property: %s\n", e.msg);
                resources_done(&res);
                return 1;
        }
        if (machine_cgroup(a, argv[1], &cg) < 0) {
                resources_done(&res);
                return 1;
        }
        if ((r = container_cgroup_set(&cg, &res, &e)) < 0)
                fprintf(stderr, "Could not set properties of machine '%s': %s\n", argv[1], e.msg);
        container_cgroup_done(&cg);
        resources_done(&res);
        return r < 0;
}
