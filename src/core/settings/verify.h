/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What the merged settings ask for, checked before anything is made, and what follows from
 * them alone.  settings_verify() reads nothing but its arguments; settings_verify_sources()
 * looks at the files the custom mounts name (and asks the kernel about tmpfs options), and
 * changes nothing. */

#include <netinet/in.h>

#include "exec-limits.h"
#include "settings.h"

/* The combinations of settings that corral refuses, with nspawn's message where nspawn refuses
 * the same, else one that names the options and what to do.  available: the CPUs corral may
 * run on (NULL: not known, so --cpu-affinity= is not checked). */
int settings_verify(const Settings *s, const CpuSet *available, Error *e);
/* The sources and options of the custom mounts: bind sources and overlay layers on the host or
 * ("+") in the container's tree, and tmpfs options the kernel takes. */
int settings_verify_sources(const Settings *s, Error *e);

/* Whether corral-net makes or moves links for the container. */
bool settings_needs_links(const Settings *s);
/* A user namespace of its own: --private-users= (-U) given, and not "no". */
bool settings_private_users(const Settings *s);
/* Whether the container gets a network namespace of its own (--private-network, or links that
 * imply it). */
bool settings_private_network(const Settings *s);
/* The capability bounding set the container gets: nspawn's default, plus and minus what was asked. */
uint64_t settings_capabilities(const Settings *s);
/* [Network] Address=/Gateway= for host0: the host side's address ("A.B.C.D/LEN", "" on a
 * bridge) and the container's default route ("" for none).  Refuses what cannot work. */
int settings_static_address(const Settings *s, char host_side[static 32], char gateway[static INET_ADDRSTRLEN], Error *e);
