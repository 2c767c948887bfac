/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What nspawn --keep-unit tells systemd-machined, spoken with bus-wire: the machine, its leader
 * and its network interfaces.  machined finds the unit from the leader's cgroup. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bus-wire.h"
#include "fs-util.h"
#include "machined.h"
#include "macro.h"
#include "parse-util.h"
#include "registry.h"
#include "systemd-scope.h"

#define SYSTEM_BUS "/run/dbus/system_bus_socket"
#define MACHINED "org.freedesktop.machine1"
#define MACHINED_PATH "/org/freedesktop/machine1"
#define MACHINED_MANAGER "org.freedesktop.machine1.Manager"
/* machined starts on the first call: allow it that. */
#define BUS_TIMEOUT_MS 25000

bool machined_possible(void)
{
        return systemd_is_pid1() && access(SYSTEM_BUS, F_OK) == 0;
}

static int system_bus(Bus *ret)
{
        *ret = BUS_NULL;
        if (!machined_possible())
                return 0;
        int r = bus_connect(SYSTEM_BUS, true, BUS_TIMEOUT_MS, ret);
        return r < 0 ? r : 1;
}

int machined_register(const MachineRecord *m, const int *ifindices, size_t n_ifindices, Error *e)
{
        Bus bus;
        int r = system_bus(&bus);
        if (r < 0)
                return error_set_errno(
                        e, r, "systemd runs as PID 1, but corral cannot talk to the system bus on %s (to register the machine with systemd-machined)",
                        SYSTEM_BUS);
        if (r == 0)
                return 0;

        /* RegisterMachineWithNetwork(s name, ay id, s service, s class, u leader, s root, ai ifindices) */
        BusWriter w = {0};
        bus_put_string(&w, m->name);
        uint8_t uuid[16];
        BusArray id = bus_open_array(&w, 1);
        if (parse_uuid(m->id, uuid) >= 0)
                for (size_t i = 0; i < 16; i++)
                        bus_put_byte(&w, uuid[i]);
        bus_close_array(&w, id);
        bus_put_string(&w, m->service);
        bus_put_string(&w, m->class_);
        bus_put_u32(&w, (uint32_t)m->leader);
        bus_put_string(&w, m->root);
        BusArray ifs = bus_open_array(&w, 4);
        for (size_t i = 0; i < n_ifindices; i++)
                bus_put_u32(&w, (uint32_t)ifindices[i]);
        bus_close_array(&w, ifs);
        _cleanup_free_ char *err = NULL;
        r = bus_call(&bus, MACHINED, MACHINED_PATH, MACHINED_MANAGER, "RegisterMachineWithNetwork", "sayssusai", &w, BUS_TIMEOUT_MS, &err);
        bus_writer_done(&w);
        bus_close(&bus);
        if (r == -EREMOTEIO && err &&
            (startswith(err, "org.freedesktop.DBus.Error.ServiceUnknown") || startswith(err, "org.freedesktop.DBus.Error.NameHasNoOwner")))
                return 0; /* no machined on this host */
        if (r == -EREMOTEIO && err && startswith(err, "org.freedesktop.machine1.MachineExists"))
                return error_set(e, -EEXIST, "systemd-machined has a machine named \"%s\" already (see \"machinectl status %s\"): %s", m->name,
                                 m->name, err);
        if (r < 0)
                return error_set_errno(e, r, "systemd-machined did not register the machine %s%s%s", m->name, err ? ": " : "", err ? err : "");
        return 1;
}

void machined_unregister(const char *name)
{
        Bus bus;
        if (system_bus(&bus) <= 0)
                return;
        BusWriter w = {0};
        bus_put_string(&w, name);
        (void)bus_call(&bus, MACHINED, MACHINED_PATH, MACHINED_MANAGER, "UnregisterMachine", "s", &w, BUS_TIMEOUT_MS, NULL);
        bus_writer_done(&w);
        bus_close(&bus);
}
