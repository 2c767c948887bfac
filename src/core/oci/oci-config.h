/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "credentials.h"
#include "error.h"
#include "namespaces.h"
#include "settings.h"
#include "userns.h"

/* An OCI bundle's config.json (runtime-spec 1.0.2 and later), as data: parsed by a pure
 * function, checked field by field (an error names the field, as "linux.namespaces[2].type"),
 * and planned into a RunConfig by oci-plan.c.  Unknown fields are ignored, as the spec asks. */

typedef struct OciMount {
        char *destination;
        char *type;   /* NULL: none given (a bind, when the options say so) */
        char *source; /* as given; relative sources are relative to the bundle */
        char **options;
        IdMap uid_mappings, gid_mappings; /* an idmapped mount's (runtime-spec 1.1) */
} OciMount;

typedef struct OciHook {
        char *path;
        char **args;
        char **env;
        OPTIONAL(int) timeout; /* seconds, > 0 */
} OciHook;

typedef enum OciHookKind {
        OCI_HOOK_PRESTART,
        OCI_HOOK_CREATE_RUNTIME,
        OCI_HOOK_CREATE_CONTAINER,
        OCI_HOOK_START_CONTAINER,
        OCI_HOOK_POSTSTART,
        OCI_HOOK_POSTSTOP,
        _OCI_HOOK_MAX,
} OciHookKind;

typedef struct OciHookList {
        OciHook *hooks;
        size_t n;
} OciHookList;

typedef struct OciRlimit {
        int resource; /* RLIMIT_* */
        uint64_t soft, hard;
} OciRlimit;

typedef struct OciDevice {
        char type; /* 'c', 'b', 'u' (c) or 'p' */
        char *path;
        int64_t major, minor;
        OPTIONAL(mode_t) mode; /* permission bits */
        OPTIONAL(uid_t) uid;
        OPTIONAL(gid_t) gid;
} OciDevice;

/* linux.resources.devices[]: an allow or deny rule of the devices cgroup. */
typedef struct OciDeviceRule {
        bool allow;
        char type;            /* 'a', 'c' or 'b' */
        int64_t major, minor; /* -1: any */
        char access[4];       /* some of "rwm" */
} OciDeviceRule;

typedef struct OciKeyValue {
        char *key, *value;
} OciKeyValue;

typedef struct OciWeightDevice {
        int64_t major, minor;
        OPTIONAL(uint16_t) weight, leaf_weight;
} OciWeightDevice;

typedef struct OciThrottleDevice {
        int64_t major, minor;
        uint64_t rate;
} OciThrottleDevice;

typedef struct OciResources {
        /* memory: bytes; -1 is "no limit" */
        OPTIONAL(int64_t) memory_limit, memory_reservation, memory_swap, memory_kernel, memory_kernel_tcp;
        OPTIONAL(uint64_t) memory_swappiness;
        bool memory_disable_oom_killer, memory_use_hierarchy;
        /* cpu */
        OPTIONAL(uint64_t) cpu_shares, cpu_period, cpu_realtime_period;
        OPTIONAL(int64_t) cpu_quota, cpu_realtime_runtime, cpu_idle;
        char *cpu_cpus, *cpu_mems;
        OPTIONAL(int64_t) pids_limit;
        /* blockIO */
        OPTIONAL(uint16_t) blkio_weight, blkio_leaf_weight;
        OciWeightDevice *blkio_weight_device;
        size_t n_blkio_weight_device;
        OciThrottleDevice *blkio_throttle[4]; /* read bps, write bps, read iops, write iops */
        size_t n_blkio_throttle[4];
        OciKeyValue *hugepage_limits; /* pageSize ("2MB") -> limit in bytes */
        size_t n_hugepage_limits;
        OciDeviceRule *devices;
        size_t n_devices;
        OciKeyValue *unified; /* cgroup2 file -> value */
        size_t n_unified;
        OPTIONAL(uint32_t) network_class_id;
        OciKeyValue *network_priorities; /* interface -> priority */
        size_t n_network_priorities;
} OciResources;

typedef enum OciSeccompOp {
        OCI_OP_NE,
        OCI_OP_LT,
        OCI_OP_LE,
        OCI_OP_EQ,
        OCI_OP_GE,
        OCI_OP_GT,
        OCI_OP_MASKED_EQ,
        _OCI_OP_MAX,
} OciSeccompOp;

typedef struct OciSeccompArg {
        unsigned index; /* 0-5 */
        uint64_t value, value_two;
        OciSeccompOp op;
} OciSeccompArg;

typedef struct OciSeccompSyscall {
        char **names;
        uint32_t action; /* SECCOMP_RET_* with its data */
        OciSeccompArg *args;
        size_t n_args;
} OciSeccompSyscall;

typedef struct OciSeccomp {
        uint32_t default_action;
        char **architectures; /* "SCMP_ARCH_X86_64", ... */
        char **flags;         /* "SECCOMP_FILTER_FLAG_LOG", ... */
        char *listener_path;
        char *listener_metadata;
        OciSeccompSyscall *syscalls;
        size_t n_syscalls;
} OciSeccomp;

typedef struct OciProcess {
        bool terminal;
        OPTIONAL(unsigned) console_height;
        OPTIONAL(unsigned) console_width;
        uid_t uid;
        gid_t gid;
        OPTIONAL(mode_t) umask;
        gid_t *additional_gids;
        size_t n_additional_gids;
        char **args;
        char **env;
        char *cwd;
        bool have_capabilities;
        CapabilitySets capabilities;
        OciRlimit *rlimits;
        size_t n_rlimits;
        bool no_new_privileges;
        OPTIONAL(int) oom_score_adj;
        char *apparmor_profile;
        char *selinux_label;
} OciProcess;

typedef struct OciNamespace {
        NamespaceKind kind;
        char *path; /* NULL: a new one */
} OciNamespace;

typedef struct OciConfig {
        char *oci_version;
        char *root_path; /* as given: relative to the bundle, or absolute */
        bool root_readonly;
        char *hostname, *domainname;
        bool have_process; /* "process" is optional for create, required for start */
        OciProcess process;
        OciMount *mounts;
        size_t n_mounts;
        OciHookList hooks[_OCI_HOOK_MAX];
        OciKeyValue *annotations;
        size_t n_annotations;
        /* linux */
        OciNamespace *namespaces;
        size_t n_namespaces;
        IdMap uid_mappings, gid_mappings;
        OciDevice *devices;
        size_t n_devices;
        bool have_resources;
        OciResources resources;
        char *cgroups_path;
        OciKeyValue *sysctl;
        size_t n_sysctl;
        char **masked_paths;
        char **readonly_paths;
        char *rootfs_propagation; /* "shared", "slave", "private", "unbindable", with or without "r" */
        char *mount_label;
        bool have_seccomp;
        OciSeccomp seccomp;
        OPTIONAL(unsigned long) personality;
} OciConfig;

/* Parses a config.json text (size bytes).  On error e names the field. */
int oci_config_parse(const char *text, size_t size, OciConfig *ret, Error *e);
/* Reads and parses DIR/config.json. */
int oci_config_load(const char *bundle, OciConfig *ret, Error *e);
void oci_config_done(OciConfig *c);

/* Parses a "process" object alone (exec --process FILE), into p. */
int oci_process_parse(const char *text, size_t size, OciProcess *ret, Error *e);
void oci_process_done(OciProcess *p);
/* Parses a "linux.resources" object alone (update --resources FILE). */
int oci_resources_parse(const char *text, size_t size, OciResources *ret, Error *e);
void oci_resources_done(OciResources *r);

const char *oci_hook_kind_to_string(OciHookKind k); /* "createRuntime" */
/* "CAP_SYS_ADMIN" -> 21, or -EINVAL. */
int oci_capability_from_name(const char *name);
/* "RLIMIT_NOFILE" -> RLIMIT_NOFILE, or -EINVAL. */
int oci_rlimit_from_name(const char *name);
/* "SCMP_ACT_ERRNO" with errno_ret -> SECCOMP_RET_ERRNO | errno_ret, or -EINVAL. */
int oci_seccomp_action_from_name(const char *name, uint32_t errno_ret, uint32_t *ret);
