/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Under systemd as PID 1 the container's cgroup is a transient scope that systemd hands over
 * (Delegate=yes), as nspawn gets one: systemd then knows the cgroup is not its to manage. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bus-wire.h"
#include "cgroup.h"
#include "resources.h"
#include "fs-util.h"
#include "macro.h"
#include "systemd-scope.h"

#define SYSTEMD_PRIVATE "/run/systemd/private"
#define BUS_TIMEOUT_MS 10000

bool systemd_is_pid1(void)
{
        const char *v = getenv("CORRAL_SYSTEMD");
        struct stat st;
        if (v && streq(v, "0"))
                return false;
        return lstat("/run/systemd/system", &st) == 0 && S_ISDIR(st.st_mode);
}

static void property_s(BusWriter *w, const char *name, const char *value)
{
        bus_open_struct(w);
        bus_put_string(w, name);
        bus_put_signature(w, "s");
        bus_put_string(w, value);
}

/* A unit that systemd still has, by its cgroup (relative to cgroup2's mount): 1 if the cgroup
 * is there and holds no process (a machine that just stopped, whose scope systemd has not
 * collected yet), 0 if it is gone (collected in a moment, or a unit elsewhere), -1 if it holds
 * processes. */
static int unit_cgroup_state(const char *cgroup)
{
        int r = cgroup_populated(cgroup);
        return r == -ENOENT ? 0 : r == 0 ? 1 : -1;
}

static int start_scope_once(Bus *bus, const char *unit, const char *slice, const char *description, pid_t pid, char **err)
{
        BusWriter w = {0};
        /* StartTransientUnit(s name, s mode, a(sv) properties, a(sa(sv)) auxiliary units) */
        bus_put_string(&w, unit);
        bus_put_string(&w, "fail");
        BusArray props = bus_open_array(&w, 8);
        property_s(&w, "Description", description);
        property_s(&w, "Slice", slice);
        property_s(&w, "CollectMode", "inactive-or-failed");
        bus_open_struct(&w);
        bus_put_string(&w, "Delegate");
        bus_put_signature(&w, "b");
        bus_put_bool(&w, true);
        bus_open_struct(&w);
        bus_put_string(&w, "PIDs");
        bus_put_signature(&w, "au");
        BusArray pids = bus_open_array(&w, 4);
        bus_put_u32(&w, (uint32_t)pid);
        bus_close_array(&w, pids);
        bus_close_array(&w, props);
        BusArray aux = bus_open_array(&w, 8);
        bus_close_array(&w, aux);
        int r = bus_call(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "StartTransientUnit",
                         "ssa(sv)a(sa(sv))", &w, BUS_TIMEOUT_MS, err);
        bus_writer_done(&w);
        return r;
}

int systemd_start_scope(const char *name, const char *unit, const char *slice, const char *description, pid_t pid, Error *e)
{
        _cleanup_free_ char *err = NULL, *sp = slice_to_cgroup_path(slice), *want = NULL;
        bool killed = false;
        /* The scope's cgroup, relative to cgroup2's mount */
        if (!sp || asprintf(&want, "%s%s%s", sp, *sp ? "/" : "", unit) < 0)
                return -ENOMEM;
        Bus bus;
        int r = bus_connect(SYSTEMD_PRIVATE, false, BUS_TIMEOUT_MS, &bus);
        if (r < 0)
                return error_set_errno(e, r, "systemd runs as PID 1, but corral cannot talk to it on %s (to get a scope for its cgroup)",
                                       SYSTEMD_PRIVATE);
        /* The scope of a machine of this name that just stopped goes when systemd collects
         * it: wait for that (bounded: 5 s while its cgroup is empty, 0.5 s once the cgroup is
         * gone), but not for one that still runs. */
        for (int i = 0;; i++) {
                err = mfree(err);
                r = start_scope_once(&bus, unit, slice, description, pid, &err);
                if (r != -EREMOTEIO || !err || !startswith(err, "org.freedesktop.systemd1.UnitExists"))
                        break;
                int state = unit_cgroup_state(want);
                /* Processes in it: a machine whose supervisor died (we hold its name lock).
                 * Killed, its scope goes as one that just stopped. */
                if (state < 0 && !killed) {
                        killed = true;
                        if (cgroup_kill_leftovers(want, name))
                                continue;
                }
                if (state < 0 || (state == 0 && i >= 5) || i == 50) {
                        bus_close(&bus);
                        return error_set(e, -EBUSY, "systemd has a unit %s already: is the machine running already? (%s)", unit, err);
                }
                usleep(100000);
        }
        bus_close(&bus);
        if (r < 0)
                return error_set_errno(e, r, "systemd did not start the scope %s for the container's cgroup%s%s", unit, err ? ": " : "",
                                       err ? err : "");

        /* The job runs right after the call returns; the scope holds pid once it has. */
        for (int i = 0; i < 5000; i++) {
                _cleanup_free_ char *now = NULL;
                if ((r = cgroup_of_pid(pid, NULL, &now)) < 0)
                        return error_set_errno(e, r, "cannot read the cgroup of process %d", (int)pid);
                if (streq(now, want))
                        return 0;
                usleep(1000);
        }
        return error_set(e, -ETIMEDOUT, "systemd accepted the scope %s, but process %d is not in it after 5 s (see \"journalctl -u %s\")", unit,
                         (int)pid, unit);
}
