/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The system call filter as the kernel runs it: the numbers of each architecture, the classic
 * BPF program compiled from a list of names (seccomp-policy.h says which names), and its
 * installation. */

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
