/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "error.h"

/* The container's own cgroup in the cgroup2 hierarchy (unified at /sys/fs/cgroup, or
 * /sys/fs/cgroup/unified on a hybrid host).  Resource limits come with later work; here the
 * cgroup gives the guest a writable hierarchy of its own through a cgroup namespace. */
typedef struct ContainerCgroup {
        char *path;
        int fd; /* O_DIRECTORY, for CLONE_INTO_CGROUP */
} ContainerCgroup;
#define CONTAINER_CGROUP_NULL ((ContainerCgroup){.fd = -1})

/* The cgroup2 mount point, or NULL when the host has none. */
const char *cgroup2_mount_point(void);
int container_cgroup_create(const char *name, ContainerCgroup *ret, Error *e);
/* Hands the cgroup to the container's root (host UID uid): its directory and the files a
 * delegated cgroup's owner writes (cgroup.procs, cgroup.threads, cgroup.subtree_control). */
int container_cgroup_delegate(ContainerCgroup *cg, uid_t uid, Error *e);
/* Removes the cgroup and everything the guest made below it. */
void container_cgroup_remove(ContainerCgroup *cg);
