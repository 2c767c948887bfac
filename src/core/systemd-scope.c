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

int systemd_start_scope(const char *unit, const char *slice, const char *description, pid_t pid, Error *e)
{
        Bus bus;
        BusWriter w = {0};
        _cleanup_free_ char *err = NULL, *want = NULL;
        int r = bus_connect(SYSTEMD_PRIVATE, false, BUS_TIMEOUT_MS, &bus);
        if (r < 0)
                return error_set_errno(e, r, "systemd runs as PID 1, but corral cannot talk to it on %s (to get a scope for its cgroup)", SYSTEMD_PRIVATE);

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
        r = bus_call(&bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "StartTransientUnit",
                     "ssa(sv)a(sa(sv))", &w, BUS_TIMEOUT_MS, &err);
        bus_writer_done(&w);
        bus_close(&bus);
        if (r == -EREMOTEIO && err && startswith(err, "org.freedesktop.systemd1.UnitExists"))
                return error_set(e, -EBUSY, "systemd has a unit %s already: is the machine running already? (%s)", unit, err);
        if (r < 0)
                return error_set_errno(e, r, "systemd did not start the scope %s for the container's cgroup%s%s", unit, err ? ": " : "", err ? err : "");

        /* The job runs right after the call returns; the scope holds pid once it has. */
        _cleanup_free_ char *sp = slice_to_cgroup_path(slice);
        if (!sp || asprintf(&want, "%s%s%s", sp, *sp ? "/" : "", unit) < 0)
                return -ENOMEM;
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
