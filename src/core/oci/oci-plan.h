/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <sys/resource.h>

#include "cgroup.h"
#include "container.h"
#include "device-policy.h"
#include "mount-plan.h"
#include "oci-config.h"
#include "userns.h"

/* An OCI config planned into what the launcher runs: the mount plan, the namespaces, the
 * process, the cgroup, the filter: one RunConfig, as for nspawn's command line, so one spawn
 * sequence serves both. */

/* What the mount planner needs to know of the host. */
typedef struct OciHostFacts {
        bool have_kcore; /* /proc/kcore exists: /dev/core links to it */
} OciHostFacts;

/* The mount plan of a config whose root is rootfs (absolute) and whose relative bind sources
 * are relative to bundle: the root, the config's mounts in order, the default devices where
 * /dev is not the host's, the config's devices, the console (terminal), the masked and
 * read-only paths, and the root made read-only.  Pure. */
int oci_mount_plan(const OciConfig *c, const char *rootfs, const char *bundle, const OciHostFacts *h, MountPlan *ret, Error *e);

/* An OCI mount's options: the MS_* flags, the propagation (MS_SHARED ...), whether it binds,
 * and the rest as the file system's data ("mode=755,size=65536k"; NULL when none). */
typedef struct OciMountOptions {
        unsigned long flags, clear, propagation;
        bool bind, recursive;
        bool recursive_attrs;        /* rro, rrw: the flags for the mounts below too */
        bool idmap, idmap_recursive; /* idmap, ridmap */
        char *data;
} OciMountOptions;
int oci_mount_options(char *const *options, OciMountOptions *ret, Error *e);

/* The device rules a config's devices cgroup entries, its linux.devices and runc's defaults
 * give: an allow list (the rules' allows in order; a deny of everything empties the list, a
 * deny of a node removes the allows of exactly that node).  Pure. */
int oci_device_rules(const OciConfig *c, DeviceRule **ret, size_t *ret_n, Error *e);

/* The cgroup of a config: cgroupsPath in its cgroupfs form ("/a/b"), in systemd's
 * ("slice:prefix:name" -> "SLICE-PATH/prefix-name.scope"), or "ID" by default. */
int oci_cgroup_path(const char *cgroups_path, bool systemd_form, const char *id, char **ret, Error *e);

/* The cgroup files of a config's resources on a layout (for container_cgroup_create_at()). */
int oci_resources_translate(const OciResources *r, const CgroupLayout *layout, CgroupWrite **ret, size_t *ret_n, unsigned *ret_need, Error *e);

/* Everything one run of a config owns, and the RunConfig that points into it. */
typedef struct OciRun {
        const OciConfig *config;
        char *bundle, *rootfs;
        MountPlan plan;
        UsernsPlan userns;
        int ns_fds[_NS_KIND_MAX];
        struct sock_fprog filter;
        bool seccomp_notify; /* the filter has SCMP_ACT_NOTIFY rules (for linux.seccomp.listenerPath) */
        struct rlimit rlimits[RLIMIT_NLIMITS];
        ContainerCgroup cg;
        DeviceRule *device_rules;
        size_t n_device_rules;
        DevicesV1 devices_v1;
        RunConfig run;
} OciRun;
#define OCI_RUN_NULL \
        ((OciRun){.userns = USERNS_PLAN_NULL, .ns_fds = {-1, -1, -1, -1, -1, -1, -1, -1}, .cg = CONTAINER_CGROUP_NULL, .devices_v1 = DEVICES_V1_NULL})

/* Prepares a run of config c (bundle absolute) for container id: opens the namespaces to join,
 * compiles the filter, creates the cgroup at cgroup_path and writes the limits, and fills
 * o->run (scratch: an empty directory for the staging tmpfs).  On failure what was made is
 * in o for oci_run_done(). */
int oci_run_prepare(const OciConfig *c, const char *bundle, const char *id, const char *cgroup_path, const char *scratch, OciRun *o, Error *e);
/* Prepares o->run for a process to exec in a running container of config c: the process p
 * (its user, environment, capabilities, limits), the config's filter.  The caller joins the
 * container's namespaces and cgroup. */
int oci_exec_prepare(const OciConfig *c, const OciProcess *p, const char *id, OciRun *o, Error *e);
/* Frees what a run owns; with remove_cgroup its cgroup goes too. */
void oci_run_done(OciRun *o, bool remove_cgroup);
