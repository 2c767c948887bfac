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

/* What a rule does with its call: return its action whatever the arguments, or one of
 * nspawn's guarded allowances, which look at an argument. */
typedef enum SeccompRuleKind {
        SECCOMP_RULE_RETURN,
        SECCOMP_RULE_IOCTL_GUARDED,   /* allowed, except TIOCSTI and TIOCLINUX (EPERM) */
        SECCOMP_RULE_SOCKET_NO_AUDIT, /* allowed, except audit netlink sockets (EAFNOSUPPORT) */
        SECCOMP_RULE_OPEN_NO_SYNC,    /* allowed, except with O_SYNC or O_DSYNC in argument arg (EINVAL) */
} SeccompRuleKind;

/* A comparison of one 64-bit argument, as libseccomp's (and an OCI profile's) SCMP_CMP_*:
 * unsigned; MASKED_EQ is (arg & value) == value_two. */
typedef enum SeccompArgOp {
        SECCOMP_ARG_NE,
        SECCOMP_ARG_LT,
        SECCOMP_ARG_LE,
        SECCOMP_ARG_EQ,
        SECCOMP_ARG_GE,
        SECCOMP_ARG_GT,
        SECCOMP_ARG_MASKED_EQ,
        _SECCOMP_ARG_OP_MAX,
} SeccompArgOp;

typedef struct SeccompArg {
        unsigned index; /* 0-5 */
        SeccompArgOp op;
        uint64_t value, value_two;
} SeccompArg;

typedef struct SeccompRule {
        const char *name; /* a system call; skipped on an architecture that has none of that name */
        SeccompRuleKind kind;
        uint32_t action; /* SECCOMP_RULE_RETURN: a SECCOMP_RET_* value with its data (SECCOMP_RET_ERRNO | EPERM, SECCOMP_RET_LOG, ...) */
        uint32_t arg;    /* SECCOMP_RULE_OPEN_NO_SYNC: which argument holds the flags */
        /* SECCOMP_RULE_RETURN with conditions: the action only when every one holds.  Such
         * rules of one call are tried in order before its rule without conditions (or the
         * default action). */
        const SeccompArg *args;
        size_t n_args;
} SeccompRule;

/* A filter as data: an action per call (a later rule without conditions for the same call
 * wins; rules with conditions add up), default_action
 * for every other call, and unknown_action for a call not in known (when known is given) and
 * for a number that is no call at all.  Whatever the rules: a call of another architecture,
 * and on x86-64 an x32 call, gets ENOSYS. */
typedef struct SeccompRules {
        SeccompRule *rules;
        size_t n_rules;
        uint32_t default_action;
        const char **known; /* sorted; NULL: every call of the tables is known */
        size_t n_known;
        uint32_t unknown_action;
} SeccompRules;

void seccomp_rules_done(SeccompRules *s);

/* nspawn's filter for names (a strv of names, no groups): those calls allowed (ioctl() and
 * socket() guarded), a call systemd knows EPERM, any other ENOSYS, as from a kernel without
 * it, so that callers of calls newer than systemd fall back to older ones.  suppress_sync:
 * nspawn's --suppress-sync=yes.  The rules point into names. */
int seccomp_rules_nspawn(char *const *names, bool suppress_sync, SeccompRules *ret);

/* Compiles the rules into a classic BPF program for every architecture of syscall_tables: per
 * architecture, a binary search over ranges of system call numbers with one verdict each.
 * *ret gets the program (free ret->filter). */
int seccomp_compile(const SeccompRules *rules, struct sock_fprog *ret, Error *e);
/* seccomp_rules_nspawn(), then seccomp_compile(). */
int seccomp_compile_nspawn(char *const *names, bool suppress_sync, struct sock_fprog *ret, Error *e);

/* The filter for syscall_policy_names(caps, allow, deny), compiled (or taken from cache_dir,
 * where compiled filters are kept under a hash of these inputs). */
int seccomp_build_policy(uint64_t caps, char *const *allow, char *const *deny, bool suppress_sync, const char *cache_dir, struct sock_fprog *ret,
                         Error *e);
/* Installs a compiled filter in the calling process (the container's child, before exec). */
int seccomp_install(const struct sock_fprog *prog);
/* The same for a filter with SECCOMP_RET_USER_NOTIF rules: returns its listener fd (for the
 * agent that answers them), or -errno. */
int seccomp_install_listener(const struct sock_fprog *prog);
