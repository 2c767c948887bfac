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

/* The system call numbers of one architecture (syscall-table.c, generated from libseccomp). */
typedef struct SyscallNumber {
        const char *name;
        int nr;
} SyscallNumber;
typedef struct SyscallTable {
        const char *arch;           /* "x86_64" */
        uint32_t audit_arch;        /* AUDIT_ARCH_X86_64, as seccomp_data.arch says it */
        const SyscallNumber *calls; /* sorted by name */
        size_t n_calls;
} SyscallTable;
extern const SyscallTable syscall_tables[]; /* the native architecture first; NULL-terminated */
extern const char syscall_table_source[];
/* The number of name in table t, or -1 when t's architecture has no such call. */
int syscall_number(const SyscallTable *t, const char *name);

struct sock_fprog;
#include <stdbool.h>
/* Compiles the classic BPF filter that allows exactly the calls in names (a strv of names, no
 * groups), on every architecture of syscall_tables: a binary search over ranges of system
 * call numbers, everything else EPERM; on x86-64, x32 calls are refused with ENOSYS, as are
 * other architectures.  ioctl() is allowed except TIOCSTI and TIOCLINUX (compared on the low
 * 32 bits the kernel uses).  suppress_sync: nspawn's --suppress-sync=yes.  *ret gets the
 * program (free ret->filter). */
int seccomp_compile(char *const *names, bool suppress_sync, struct sock_fprog *ret, Error *e);

/* The filter for syscall_policy_names(caps, allow, deny), compiled (or taken from cache_dir,
 * where compiled filters are kept under a hash of these inputs). */
int seccomp_build_policy(uint64_t caps, char *const *allow, char *const *deny, bool suppress_sync, const char *cache_dir, struct sock_fprog *ret,
                         Error *e);
/* Installs a compiled filter in the calling process (the container's child, before exec). */
int seccomp_install(const struct sock_fprog *prog);
