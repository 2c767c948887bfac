/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "resources.h"

/* The container's own cgroups: SLICE/corral-NAME.scope in the cgroup2 hierarchy (unified at
 * /sys/fs/cgroup, or /sys/fs/cgroup/unified on a hybrid host), where the child is cloned
 * straight in, and in the cgroup v1 hierarchies it joins, which the supervisor moves it into
 * before the payload runs.  v1 hierarchies are joined when a property needs them, when the
 * container boots (a long-lived system container: full accounting), and always on a host
 * without cgroup2.  (Moving a task between v1 cgroups waits for an RCU grace period, 14-22 ms
 * here: a plain command in a container does not pay for accounting nobody asked for.) */
typedef struct ContainerCgroup {
        CgroupLayout layout;
        char *rel;       /* "machine.slice/corral-NAME.scope" (+ "/payload" under systemd) */
        char *path;      /* the cgroup2 directory, or NULL */
        int fd;          /* O_DIRECTORY of path, for CLONE_INTO_CGROUP, or -1 */
        char *cg2_mount; /* or "/proc/self/fd/N" of corral's own mount on a v1 host */
        int cg2_fd;      /* that mount, or -1 */
        bool cg2_private;
        char *v1_mount[_CG_MAX]; /* where each v1 controller's hierarchy is mounted */
        unsigned v1_joined;      /* CG_BIT()s of the v1 controllers the container is in */
        size_t keep;             /* under systemd: the length of rel's part that is systemd's (its scope); at a given path: the
                                  * levels above the container's, never removed */
        bool enable_above;       /* the levels of keep are made and get controllers enabled (a given path), not systemd's */
        bool created;            /* ours to remove */
        bool layout_complete;    /* every hierarchy was looked for (else cgroup2's only) */
} ContainerCgroup;
#define CONTAINER_CGROUP_NULL ((ContainerCgroup){.fd = -1, .cg2_fd = -1})

/* Finds the cgroup layout from /proc/self/mountinfo: where each controller is, the cgroup2
 * mount point (*cg2_mount, or NULL), and each v1 controller's mount point. */
int cgroup_layout_detect(CgroupLayout *l, char **cg2_mount, char *v1_mount[_CG_MAX]);

/* Creates the container's cgroups for r (slice, limits) and writes the limits; boot says
 * whether to join the v1 hierarchies for accounting.  Errors name the property and file.
 * Under systemd as PID 1 the container's cgroup is "payload" in a scope systemd delegates to
 * corral (corral-NAME.scope in the slice, with the supervisor moved into it and, in cgroup2, into
 * its "supervisor" leaf), or with keep_unit in the supervisor's own unit, as nspawn does. */
int container_cgroup_create(const char *name, const Resources *r, bool boot, bool keep_unit, ContainerCgroup *ret, Error *e);
/* The files to write for a caller's limits on this layout and the controllers they need (as
 * resources_translate()). */
typedef int (*CgroupTranslate)(void *userdata, const CgroupLayout *layout, CgroupWrite **ret, size_t *ret_n, unsigned *ret_need, Error *e);
/* Creates the cgroup rel (below each hierarchy's root, "a/b/c"; the levels above it are made
 * where missing but never removed) and writes what translate gives: an OCI config's
 * cgroupsPath and resources. */
int container_cgroup_create_at(const char *rel, CgroupTranslate translate, void *userdata, ContainerCgroup *ret, Error *e);
/* The cgroup rel of a container made with container_cgroup_create_at() earlier, as far as it
 * exists (for a later verb: pause, update, delete). */
int container_cgroup_open_at(const char *rel, ContainerCgroup *ret, Error *e);
/* Whether the cgroup is frozen: 1, 0, or -ENOENT where it has no freezer or is gone. */
int container_cgroup_frozen(const ContainerCgroup *cg);
/* The processes of the container's cgroup and those below it (free *ret). */
int container_cgroup_pids(const ContainerCgroup *cg, pid_t **ret, size_t *ret_n);
/* Sends sig to each of them; whether there was any. */
bool container_cgroup_signal(const ContainerCgroup *cg, int sig);
/* Writes files (from a CgroupTranslate) in the container's cgroups, joining first the v1
 * hierarchies of need it is not in yet (frozen while its processes move; a container joins
 * v1 hierarchies at creation only where its limits need them, as each move waits for an RCU
 * grace period). */
int container_cgroup_write(ContainerCgroup *cg, const CgroupWrite *w, size_t n, unsigned need, Error *e);
/* Moves pid (the container's first process, before it runs the payload) into the v1 cgroups. */
int container_cgroup_attach(ContainerCgroup *cg, pid_t pid, Error *e);
/* Hands the cgroup2 directory to the container's root (host UID uid): the directory and the
 * files a delegated cgroup's owner writes. */
int container_cgroup_delegate(ContainerCgroup *cg, uid_t uid, Error *e);
/* Removes the cgroups and everything the guest made below them (once the tasks are gone). */
void container_cgroup_remove(ContainerCgroup *cg);
void container_cgroup_done(ContainerCgroup *cg);
/* container_cgroup_remove(), then container_cgroup_done(): a cleanup function. */
void container_cgroup_release(ContainerCgroup *cg);

/* The cgroups of a running machine, by name and slice (NULL: machine.slice); -ESRCH when it
 * has none. */
int container_cgroup_find(const char *name, const char *slice, ContainerCgroup *ret, Error *e);

/* Usage of a running container; a field is UINT64_MAX where this host's cgroups of the
 * container do not count it. */
typedef struct CgroupUsage {
        uint64_t cpu_usec;
        uint64_t memory_current, memory_peak;
        uint64_t io_read_bytes, io_write_bytes, io_read_ops, io_write_ops;
        uint64_t tasks;
} CgroupUsage;
int container_cgroup_usage(const ContainerCgroup *cg, CgroupUsage *ret);
/* How many of the container's processes the OOM killer has killed (0 where not counted). */
uint64_t container_cgroup_oom_kills(const ContainerCgroup *cg);
/* Changes the limits of a running container (the properties set in r). */
int container_cgroup_set(ContainerCgroup *cg, const Resources *r, Error *e);
/* Freezes (or thaws) every process of the container, and waits until it is done: cgroup2's
 * cgroup.freeze, else the v1 freezer. */
int container_cgroup_freeze(ContainerCgroup *cg, bool freeze, Error *e);

/* pid's cgroup, without the leading "/" ("" for the root): in the v1 hierarchy of controller,
 * or with NULL in cgroup2 (else systemd's v1 name=systemd hierarchy).  From /proc/PID/cgroup. */
int cgroup_of_pid(pid_t pid, const char *controller, char **ret);

/* The first cgroup2 mount point, or NULL. */
const char *cgroup2_mount_point(void);
/* A mount of the kernel's cgroup2 hierarchy for this process alone (detached, seen by no one
 * else): its fd, or a negative errno (-ENODEV: a kernel without cgroup2). */
int cgroup2_mount_own(void);

/* A machine's cgroup as the registry records it: its cgroup2 directory below the host's mount,
 * or, where the host mounts no cgroup2 (v1 only, or nothing at all, as Debian's sysvinit leaves
 * it) and corral used a mount of its own, CGROUP2_RECORD_PREFIX and its path in the hierarchy.
 * NULL: no cgroup2 cgroup ("" is recorded). */
#define CGROUP2_RECORD_PREFIX "cgroup2:"
char *container_cgroup_record(const ContainerCgroup *cg);
/* The directory of a recorded cgroup for this process: the record itself, or below a cgroup2
 * mount made for the caller alone (*ret_fd; -1 where none was needed: close it when done). */
int cgroup_record_dir(const char *record, char **ret, int *ret_fd);
/* Whether the cgroup2 cgroup at dir (absolute, or relative to the cgroup2 mount) holds a process,
 * in it or below (cgroup.events): 1 or 0, or a negative errno (-ENOENT: no such cgroup). */
int cgroup_populated(const char *dir);
/* Sends sig to every process of the cgroup path (absolute) and below it but skip (0: none);
 * whether there was any. */
bool cgroup_signal_tree(const char *path, int sig, pid_t skip);
/* Kills (SIGKILL) every process of the cgroup dir (relative to cgroup2's mount, or absolute)
 * and below it, saying so, and waits up to 10 s until they are gone: what a supervisor that
 * died left of machine name, found by a start that holds the machine's name lock.  Whether
 * there was any. */
bool cgroup_kill_leftovers(const char *dir, const char *name);
