/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include "error.h"

/* systemd's system call groups, generated from systemd 252 (syscall-groups.c). */
typedef struct SyscallGroup {
        const char *name; /* "@aio" */
        const char *description;
        const char *const *entries; /* system call names and "@group" names, NULL-terminated */
} SyscallGroup;

extern const SyscallGroup syscall_groups[];
extern const char syscall_groups_source[]; /* the systemd version the groups come from */
const SyscallGroup *syscall_group_find(const char *name);

/* A --system-call-filter= or SystemCallFilter= value: names and @groups separated by spaces;
 * a leading "~" makes the whole list a deny list.  Adds to *allow or *deny (strv). */
int syscall_filter_parse(const char *value, char ***allow, char ***deny, const char *what, Error *e);

/* The system calls systemd-nspawn 252 allows by default for a container with the bounding set
 * caps, as a strv of names and @groups. */
char **syscall_default_allow_list(uint64_t caps);

/* Every system call name the container may make: the default list for caps plus allow, minus
 * deny, groups expanded.  NULL on an unknown group or out of memory. */
char **syscall_policy_names(uint64_t caps, char *const *allow, char *const *deny);
