/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

struct MachineRecord;

/* Registration with systemd-machined, so that machinectl on a systemd host lists corral's
 * machines, as nspawn --keep-unit registers: RegisterMachineWithNetwork() on the system bus,
 * for a leader that is already in its unit (corral's scope, or the service corral runs in).
 * Tried only where systemd is PID 1 and the system bus is up; machined itself starts on the
 * call (bus activation).
 *
 * 1 when registered; 0 when there is nothing to register with (no systemd, no system bus, or
 * no machined installed); < 0 with e set when machined refused (a machine of that name it
 * knows already, say).  ifindices: the host side of the machine's veth pair, if any. */
/* Whether there may be a machined to register with: systemd as PID 1 and a system bus. */
bool machined_possible(void);
int machined_register(const struct MachineRecord *m, const int *ifindices, size_t n_ifindices, Error *e);
/* UnregisterMachine(): machined forgets the machine (it would, too, once its unit ends). */
void machined_unregister(const char *name);
