/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "registry.h"

/* Copies between the host and a running machine, as machinectl copy-to and copy-from.  Every
 * path in the machine is resolved in its root (its /proc/LEADER/root, with openat2
 * RESOLVE_IN_ROOT), and what is copied is walked by file descriptor, never following a
 * symbolic link: a link in the machine, planted before or during the copy, cannot make corral
 * read or write anything outside it.  Symbolic links are copied as links.  The target must
 * not exist, unless replace is set (then files are replaced and directories merged).
 * Ownership is kept when host and machine share a user namespace, else the copy belongs to
 * the root of the side it lands on. */
int machine_copy_to(const MachineRecord *m, const char *host_path, const char *machine_path, bool replace, Error *e);
int machine_copy_from(const MachineRecord *m, const char *machine_path, const char *host_path, bool replace, Error *e);

/* The machine's root directory as its processes see it (O_PATH), checked to be the live
 * machine's. */
int machine_open_root(const MachineRecord *m, Error *e);
