/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/types.h>

#include "bind-user.h"
#include "settings.h"

/* The mount plan: an ordered list of steps that turns an image into a container's file system.
 * Built by a pure function from Settings and facts about the host (mount_plan_build), printed
 * with --dry-run style debug output, unit-tested without root, and executed in the container's
 * mount namespace by mount_plan_apply().  Targets are paths inside the container; they are
 * always resolved inside its root (symlinks in the image cannot point them at the host). */

typedef enum MountStepType {
        STEP_ROOT_BIND,    /* the image (source) becomes "/" */
        STEP_ROOT_OVERLAY, /* "/" is an overlay of lower[] with upper (NULL: tmpfs) and work */
        STEP_ROOT_TMPFS,   /* "/" is an empty tmpfs (--volatile=yes) */
        STEP_MOUNT,        /* a fresh file system: fstype, source, options */
        STEP_BIND,         /* bind a host path (source) onto target */
        STEP_BIND_ROOT,    /* bind a path inside the container (source) onto target */
        STEP_IMAGE_BIND,   /* bind a path of the image (source, relative to it) onto target */
        STEP_REMOUNT,      /* set flags on the mount at target (a bind remount) */
        STEP_MASK,         /* cover target with an inaccessible node of the same type */
        STEP_OVERLAY,      /* overlay of lower[] (host paths) and upper (NULL: tmpfs) on target */
        STEP_MKNOD,        /* copy the host's device node source to target */
        STEP_SYMLINK,      /* target -> source */
        STEP_MKDIR,        /* directory target with mode */
        STEP_FILE,         /* regular file target with content and mode */
        STEP_UNLINK,       /* remove target */
        STEP_RESOLV_CONF,  /* /etc/resolv.conf in the concrete mode resolv_conf */
        STEP_TIMEZONE,     /* /etc/localtime in the concrete mode timezone (source: zone name) */
        STEP_JOURNAL,      /* link the journal directory as link_journal (source: machine id) */
        STEP_CONSOLE,      /* allocate the console pty and bind its peer to /dev/console */
        STEP_NOTIFY,       /* bind the sd_notify socket at target */
        STEP_PIVOT_ROOT,   /* source (in the image) becomes "/", the old root goes to target or away */
        STEP_SYSCTL,       /* write options to target, a file of the container's /proc/sys (source:
                            * the sysctl's name); before read-only paths, as runc writes them */
        _STEP_MAX,
} MountStepType;

enum {
        STEP_OPTIONAL = 1 << 0,     /* a missing target or source is not an error */
        STEP_MKDIR_TARGET = 1 << 1, /* create the target directory first */
        STEP_TOUCH_TARGET = 1 << 2, /* create the target as an empty file first */
        STEP_RECURSIVE = 1 << 3,    /* MS_REC for binds and remounts */
        STEP_SOURCE_TYPE = 1 << 4,  /* create the target as a directory or file, like the source */
        STEP_CHILD_IMAGE = 1 << 5,  /* STEP_ROOT_OVERLAY of an overlay child image: overlayfs keeps its
                                     * xattrs in user.overlay.* (userxattr), as it must where a user
                                     * namespace mounts it, so always */
        STEP_IF_SOURCE = 1 << 6,    /* STEP_SYMLINK: only where its source (relative to the root)
                                     * exists, with options, a name, in it; and nothing is at the
                                     * target yet (systemd's base_filesystem_create()) */
        STEP_MASK_NULL = 1 << 7,    /* STEP_MASK as OCI runtimes mask: the host's /dev/null over a
                                     * file, an empty read-only tmpfs over a directory */
};

typedef struct MountStep {
        MountStepType type;
        char *source;
        char *target;
        char *fstype;
        char *options;
        unsigned long flags; /* MS_* for mount(2) */
        unsigned step_flags; /* STEP_* above */
        char **lower;        /* overlays: lower directories, topmost first (overlayfs order) */
        char *work;          /* STEP_ROOT_OVERLAY: work directory, NULL with a tmpfs upper */
        char *content;       /* STEP_FILE */
        size_t content_size;
        mode_t mode;        /* STEP_FILE, STEP_MKDIR */
        int mode_enum;      /* STEP_RESOLV_CONF, STEP_TIMEZONE, STEP_JOURNAL: the concrete mode */
        int custom_index;   /* STEP_BIND of a custom mount: its index in Settings, else -1 */
        int idmap_fd;       /* binds, overlay lower: -1, or a detached (idmapped) mount of the source
                             * the supervisor made, for the child to attach (user namespace) */
        dev_t rdev;         /* STEP_MKNOD without a source: the node to make (mode holds its type and permissions) */
        int64_t uid, gid;   /* STEP_MKNOD without a source: its owner, or -1 */
        int upper_idmap_fd; /* STEP_ROOT_OVERLAY of an overlay child with a user namespace: -1, or a
                             * detached idmapped mount of the child's directory (upper NULL: it
                             * is the topmost lower layer) or of the directory that holds it and
                             * its work directory (upper and work are below it) */
} MountStep;

typedef struct MountPlan {
        MountStep *steps;
        size_t n_steps, n_allocated;
} MountPlan;

/* What the planner needs to know beyond Settings; the program finds these out. */
typedef struct HostFacts {
        const char *image;          /* the image directory */
        const char *template_lower; /* an overlay child's lower image, or NULL */
        const char *child_work;     /* an overlay child's work directory */
        const char *os_release;     /* the host's os-release, for /run/host/os-release */
        const char *localtime_link; /* target of the host's /etc/localtime symlink, or NULL */
        bool localtime_exists;      /* the host has /etc/localtime */
        bool have_resolv_conf;      /* the host has /etc/resolv.conf */
        bool have_static_resolv;    /* resolved's static file exists and resolved listens */
        bool have_cgroup2;          /* mount a cgroup2 hierarchy at /sys/fs/cgroup */
        bool proc_sys_net_writable; /* the container's own network namespace, or --nesting: /proc/sys/net stays writable */
        bool private_network;       /* --private-network or links of its own: --resolv-conf=auto leaves the tree's file alone */
        bool api_vfs_writable;      /* $SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes: /sys and /proc/sys writable, nothing of /proc masked */
        const char *cgroup_own;     /* without a cgroup namespace: the container's cgroup below the hierarchy's
                                     * root, the one writable part of the whole hierarchy it sees */
        bool have_dev_net_tun;
        bool have_kcore;  /* the kernel has /proc/kcore: /dev/core links to it, as nspawn's dev_setup() */
        bool tty_console; /* the console is a pty (not --console=pipe) */
        bool notify_socket;
        const char *uuid;                   /* the container's UUID, formatted */
        const char *machine_id;             /* as 32 hex digits, for the journal */
        const char *boot_id;                /* a fresh random boot id, formatted */
        const char *const *host_dev_nodes;  /* NULL: the default safe list */
        const char *const *extra_dev_nodes; /* DeviceAllow= nodes, made in /dev too */
        const BoundUser *bound_users;       /* --bind-user=, resolved */
        size_t n_bound_users;
} HostFacts;

int mount_plan_build(const Settings *s, const HostFacts *h, MountPlan *ret, Error *e);
/* Appends a step, with copies of the strings, for another planner (an OCI config's): NULL on
 * out of memory. */
MountStep *mount_plan_add(MountPlan *p, MountStepType type, const char *source, const char *target, const char *fstype, const char *options,
                          unsigned long flags, unsigned step_flags);
void mount_plan_done(MountPlan *p);
/* One line per step, for debugging and tests. */
void mount_plan_dump(const MountPlan *p, FILE *f);
const char *mount_step_type_to_string(MountStepType t);

/* The concrete modes the "auto" settings resolve to on this host, as nspawn 252 decides them. */
ResolvConfMode resolv_conf_mode_resolve(const Settings *s, const HostFacts *h);
TimezoneMode timezone_mode_resolve(const Settings *s, const HostFacts *h);
