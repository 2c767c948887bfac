/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "settings.h"

/* An ID map as /proc/PID/uid_map takes it: ranges of IDs inside, the host's IDs they are,
 * sorted by the inside ID, none overlapping. */
typedef struct IdRange {
        uint32_t inside, outside, count;
} IdRange;
typedef struct IdMap {
        IdRange *ranges;
        size_t n;
} IdMap;

/* Appends a range. */
int id_map_add(IdMap *m, uint32_t inside, uint32_t outside, uint32_t count);
/* Makes the inside ID id the host's outside, a hole in the range that held it: -ENOENT when
 * no range holds it. */
int id_map_punch(IdMap *m, uint32_t id, uint32_t outside);
/* "INSIDE OUTSIDE COUNT\n" per range; newly allocated, NULL on out of memory. */
char *id_map_format(const IdMap *m);
void id_map_done(IdMap *m);

/* The user namespace of a container, worked out before the start: which host UIDs/GIDs the
 * container's 0..range-1 are, and how the tree's ownership is brought to match. */
typedef struct UsernsPlan {
        bool enabled;
        uint32_t shift;
        uint32_t range;
        uint32_t tree_base;               /* the range the tree's root directory is owned by now */
        UserNamespaceOwnership ownership; /* OFF (already right, or asked), CHOWN, MAP or AUTO */
        int lock_fd;                      /* holds the range for this container while it runs */
        int root_fd;                      /* a detached idmapped mount of the tree (MAP), for the child to attach */
        int sysfs_fd;                     /* a detached sysfs for a container on the host's network (userns_prepare_sysfs) */
        char *lock_path;
        /* The maps written for the container's user namespace: 0 SHIFT RANGE, with a hole
         * for each --bind-user= (userns_plan_bind_id()); another front end gives its own
         * ranges, which may differ between UIDs and GIDs. */
        IdMap uid_map, gid_map;
} UsernsPlan;
#define USERNS_PLAN_NULL ((UsernsPlan){.lock_fd = -1, .root_fd = -1, .sysfs_fd = -1})

/* Picks the range (nspawn's rules for yes, pick, identity and UID[:COUNT]) and locks it in
 * lock_dir, so two running containers never share one. */
int userns_plan(const Settings *s, const char *image, const char *machine, const char *lock_dir, UsernsPlan *ret, Error *e);
void userns_plan_done(UsernsPlan *p);
/* The plan's map, "0 SHIFT RANGE\n", in uid_map syntax (also used for GIDs). */
#define USERNS_MAP_MAX 64
const char *userns_plan_map(const UsernsPlan *p, char buf[static USERNS_MAP_MAX]);

/* Before the clone: brings the tree to the range.  MAP (or AUTO where the file system can):
 * p->root_fd gets a detached idmapped mount of the tree; CHOWN (or AUTO where it cannot map):
 * the tree's ownership is moved. */
int userns_prepare(UsernsPlan *p, const char *image, Error *e);
/* Before the clone, for a container that shares the host's network namespace: the kernel
 * mounts sysfs only for the owner of the network namespace, which the container's user
 * namespace is not, so the supervisor mounts it (read-only) for the child to attach, as
 * nspawn's outer child does.  The host's /sys, bound instead, would bring the host's mounts
 * below it: its cgroup2 at /sys/fs/cgroup, where the container's own then cannot go (EBUSY). */
int userns_prepare_sysfs(UsernsPlan *p, Error *e);
/* Maps the container's UID and GID id to the host's uid and gid, a hole in the maps. */
int userns_plan_bind_id(UsernsPlan *p, uint32_t id, uint32_t uid, uint32_t gid);
/* After the clone: writes the child's uid_map and gid_map. */
int userns_setup_child(UsernsPlan *p, pid_t child, Error *e);

/* A user namespace fd with these maps (uid_map syntax). */
int userns_make(const char *map, const char *gid_map, int *ret, Error *e);
/* A detached copy of the mount at path, idmapped with map (NULL: a plain copy). */
int userns_detached_mount(const char *path, const char *map, const char *gid_map, bool recursive, int *ret, Error *e);

/* Recursively moves the ownership of everything below dirfd from [from, from+range) to
 * [to, to+range), keeping setuid/setgid bits; IDs outside the range are left alone. */
int userns_chown_tree(const char *path, uint32_t from, uint32_t to, uint32_t range, Error *e);
