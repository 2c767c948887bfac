/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "registry.h"

/* Bind mounts host_path (recursively) at machine_path in the running machine, as machinectl
 * bind: a detached copy of the host's mount (open_tree), made read-only if asked, and idmapped
 * to the machine's user namespace when it has one (a file of the host's root is the
 * machine's root's; machinectl refuses such machines), moved into the machine's mount
 * namespace at the target resolved in its root.  With mkdir the target (and its parents) is
 * created, a directory or an empty file as the source is. */
int machine_bind(const MachineRecord *m, const char *host_path, const char *machine_path, bool read_only, bool mkdir, Error *e);
