/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Resource control with systemd's property names (--property=, the [Resources] section), and
 * their translation into cgroup v1 and v2 files.  Parsing and translation are pure; cgroup.c
 * writes the files. */

typedef enum ResourceKey {
        RES_MEMORY_MAX,
        RES_MEMORY_HIGH,
        RES_MEMORY_LOW,
        RES_MEMORY_SWAP_MAX,
        RES_CPU_QUOTA,
        RES_CPU_QUOTA_PERIOD,
        RES_CPU_WEIGHT,
        RES_CPU_SHARES,
        RES_ALLOWED_CPUS,
        RES_ALLOWED_MEMORY_NODES,
        RES_IO_WEIGHT,
        RES_IO_DEVICE_WEIGHT,
        RES_IO_READ_BANDWIDTH_MAX,
        RES_IO_WRITE_BANDWIDTH_MAX,
        RES_IO_READ_IOPS_MAX,
        RES_IO_WRITE_IOPS_MAX,
        RES_TASKS_MAX,
        RES_DEVICE_ALLOW,
        RES_DEVICE_POLICY,
        RES_MEMORY_ACCOUNTING,
        RES_CPU_ACCOUNTING,
        RES_IO_ACCOUNTING,
        RES_TASKS_ACCOUNTING,
        _RES_MAX,
} ResourceKey;

#define RES_BIT(k) (1ULL << (k))
#define RES_INFINITY UINT64_MAX

/* A memory size or task count: a value, or a share of the host's (permyriad, resolved when
 * the container starts).  value RES_INFINITY: no limit. */
typedef struct ResourceAmount {
        uint64_t value;
        uint32_t permyriad;
        bool relative;
} ResourceAmount;

/* IODeviceWeight=, IO{Read,Write}{Bandwidth,IOPS}Max=: one entry per "PATH VALUE". */
typedef struct IODeviceLimit {
        ResourceKey key;
        char *path;
        uint64_t value; /* RES_INFINITY: "infinity" (no limit) */
} IODeviceLimit;

/* A rule of the device policy: which nodes, by major and minor, a container may use how. */
typedef struct DeviceRule {
        char type;      /* 'c' or 'b' */
        uint32_t major; /* first major */
        uint32_t major_last;
        int64_t minor;   /* -1: any */
        unsigned access; /* DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD */
} DeviceRule;

#define DEVICE_MKNOD 1u
#define DEVICE_READ 2u
#define DEVICE_WRITE 4u

/* DeviceAllow=: a node path, or "char-NAME"/"block-NAME" (a driver of /proc/devices, "*"
 * for any), with the access letters r, w, m. */
typedef struct DeviceAllow {
        char *spec;
        unsigned access; /* DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD */
} DeviceAllow;

typedef enum DevicePolicy {
        DEVICE_POLICY_AUTO,   /* nspawn's set, the nodes bound in, and DeviceAllow= */
        DEVICE_POLICY_CLOSED, /* the standard pseudo devices and DeviceAllow= only */
        DEVICE_POLICY_STRICT, /* DeviceAllow= only */
        _DEVICE_POLICY_MAX,
} DevicePolicy;

typedef struct Resources {
        uint64_t set; /* RES_BIT()s of the properties given */
        ResourceAmount memory_max, memory_high, memory_low, memory_swap_max, tasks_max;
        uint64_t cpu_quota_per_sec_usec; /* CPUQuota=20% is 200000 */
        uint64_t cpu_quota_period_usec;
        uint64_t cpu_weight, cpu_shares, io_weight;
        char *allowed_cpus; /* normalized: "0-3,6" */
        char *allowed_memory_nodes;
        IODeviceLimit *io;
        size_t n_io;
        DeviceAllow *device_allow;
        size_t n_device_allow;
        DevicePolicy device_policy;
        bool accounting[4]; /* Memory, CPU, IO, Tasks (RES_*_ACCOUNTING - RES_MEMORY_ACCOUNTING) */
        char *slice;        /* --slice=, Slice=: "machine.slice" when NULL */
} Resources;

void resources_done(Resources *r);
/* Moves what src sets into dst (src's value wins; list properties are replaced). */
void resources_merge(Resources *dst, Resources *src);

/* "MemoryMax" -> RES_MEMORY_MAX, or -EINVAL. */
int resource_key_from_name(const char *name);
const char *resource_key_to_name(ResourceKey k);

/* One property, by name, with systemd's syntax.  An empty value resets it (a list property:
 * empties the list).  Errors name the property and the value. */
int resources_set(Resources *r, const char *name, const char *value, Error *e);
/* --property=NAME=VALUE. */
int resources_parse_assignment(Resources *r, const char *assignment, Error *e);
/* --slice=, Slice=: a slice unit name ("machine.slice", "a-b.slice"). */
int resources_set_slice(Resources *r, const char *value, Error *e);
/* The cgroup directory of a slice, relative to a hierarchy's root: "a-b.slice" ->
 * "a.slice/a-b.slice", as systemd nests dashed slices.  NULL on out of memory. */
char *slice_to_cgroup_path(const char *slice);

int device_policy_from_string(const char *s);
const char *device_policy_to_string(DevicePolicy p);

/* The controllers, as cgroup v1 names them (v2: "io" for blkio, no cpuacct/devices/freezer files). */
typedef enum CgroupController {
        CG_CPU,
        CG_CPUACCT,
        CG_CPUSET,
        CG_MEMORY,
        CG_BLKIO,
        CG_PIDS,
        CG_DEVICES,
        CG_FREEZER,
        CG_HUGETLB,
        _CG_MAX,
} CgroupController;
#define CG_BIT(c) (1u << (c))

const char *cgroup_controller_to_string(CgroupController c); /* v1 name */
const char *cgroup_controller_v2_name(CgroupController c);   /* "io" for blkio; NULL where v2 has none */

/* Where each controller is: in the cgroup2 hierarchy, in a v1 hierarchy, or nowhere. */
typedef enum CgroupVersion { CGV_NONE, CGV_1, CGV_2 } CgroupVersion;
typedef struct CgroupLayout {
        CgroupVersion where[_CG_MAX];
        bool have_cgroup2; /* a cgroup2 hierarchy exists (unified or hybrid) */
} CgroupLayout;

/* What translation needs from the host. */
typedef struct ResourceHost {
        uint64_t physical_memory; /* bytes, for MemoryMax=50% */
        uint64_t tasks_max;       /* the kernel's limit, for TasksMax=10% */
        /* The block device (whole disk) a path is or lives on; 0 or a negative errno. */
        int (*block_device)(const char *path, dev_t *ret);
} ResourceHost;

/* One file to write in the container's cgroup of a controller. */
typedef struct CgroupWrite {
        CgroupController controller;
        char file[64];
        char value[96];
        const char *what; /* the setting, for errors ("linux.resources"); NULL: the property the file is for */
} CgroupWrite;

/* The files for the properties in r on layout, in the order to write them, and the controllers
 * they need.  A property the layout cannot express (MemoryHigh= on v1, a controller missing)
 * is an error naming it and what would.  Device properties are not here (resources_device_rules()). */
int resources_translate(const Resources *r, const CgroupLayout *layout, const ResourceHost *h, CgroupWrite **ret, size_t *ret_n,
                        unsigned *ret_controllers, Error *e);

/* DeviceAllow= as device rules, resolving paths and /proc/devices names; nodes_out gets the
 * DeviceAllow= paths that are device nodes (to create inside), NULL-terminated.  devices_text:
 * the content of /proc/devices (NULL: read it). */
int resources_device_rules(const Resources *r, const char *devices_text, DeviceRule **ret, size_t *ret_n, char ***nodes_out, Error *e);

/* The standard resolver for ResourceHost.block_device: the node itself when path is a block
 * device, else the device of the file system path is on; partitions resolve to their disk. */
int block_device_of_path(const char *path, dev_t *ret);
/* Reads /proc/meminfo and the kernel's task limit. */
void resource_host_init(ResourceHost *h);
