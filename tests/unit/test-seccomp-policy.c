/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include "capability.h"
#include "seccomp-policy.h"
#include "seccomp.h"
#include "macro.h"
#include "strv.h"
#include "tap.h"
#include <sys/socket.h>
#include <linux/netlink.h>

/* The classic BPF the compiler writes, run as the kernel would for one system call. */
static uint32_t run(const struct sock_fprog *p, uint32_t arch, uint32_t nr, const uint64_t args[6])
{
        struct seccomp_data d = {.nr = (int)nr, .arch = arch};
        uint32_t a = 0;
        if (args)
                memcpy(d.args, args, sizeof(d.args));
        for (size_t pc = 0; pc < p->len; pc++) {
                const struct sock_filter *i = &p->filter[pc];
                switch (i->code) {
                case BPF_LD | BPF_W | BPF_ABS:
                        if (i->k + 4 > sizeof(d) || i->k % 4)
                                return 0xdead;
                        memcpy(&a, (const char *)&d + i->k, 4);
                        break;
                case BPF_JMP | BPF_JA:
                        pc += i->k;
                        break;
                case BPF_JMP | BPF_JEQ | BPF_K:
                        pc += a == i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JGE | BPF_K:
                        pc += a >= i->k ? i->jt : i->jf;
                        break;
                case BPF_JMP | BPF_JGT | BPF_K:
                        pc += a > i->k ? i->jt : i->jf;
                        break;
                case BPF_ALU | BPF_AND | BPF_K:
                        a &= i->k;
                        break;
                case BPF_JMP | BPF_JSET | BPF_K:
                        pc += a & i->k ? i->jt : i->jf;
                        break;
                case BPF_RET | BPF_K:
                        return i->k;
                default:
                        return 0xbad;
                }
        }
        return 0xfa11; /* ran off the end */
}

static int nr_of(const char *arch, const char *name)
{
        for (const SyscallTable *t = syscall_tables; t->arch; t++)
                if (streq(t->arch, arch))
                        return syscall_number(t, name);
        return -1;
}

#define X86_64 AUDIT_ARCH_X86_64
#define I386 AUDIT_ARCH_I386
#define ALLOW SECCOMP_RET_ALLOW
#define ERRNO(e) (SECCOMP_RET_ERRNO | (e))

static void check_compiled(void)
{
        struct sock_fprog p;
        Error e = {0};
        char **names = syscall_policy_names(capability_default_set(), NULL, NULL);

        CHECK(nr_of("x86_64", "read") == 0 && nr_of("x86_64", "openat") == 257 && nr_of("i386", "openat") == 295 &&
                      nr_of("i386", "socketcall") == 102 && nr_of("x86_64", "socketcall") == -1 && nr_of("x86_64", "nope") == -1,
              "the number tables");
        CHECK(seccomp_compile_nspawn(names, false, &p, &e) == 0 && p.len > 100 && p.len < 600, "nspawn's default list compiles (%u instructions)",
              p.len);
        bool all = true;
        for (const SyscallTable *t = syscall_tables; t->arch; t++)
                for (size_t i = 0; i < t->n_calls; i++) {
                        const char *n = t->calls[i].name;
                        uint32_t want = strv_contains(names, n)                           ? ALLOW
                                        : streq(n, "nfsservctl") || streq(n, "cachestat") ? ERRNO(ENOSYS)
                                                                                          : ERRNO(EPERM);
                        uint32_t got = run(&p, t->audit_arch, (uint32_t)t->calls[i].nr, NULL);
                        if (got != want) {
                                printf("#   %s %s: %#x, want %#x\n", t->arch, n, got, want);
                                all = false;
                        }
                }
        CHECK(all, "every call of both tables: allowed as listed, EPERM if systemd knows it, else ENOSYS");
        CHECK(run(&p, X86_64, 1000, NULL) == ERRNO(ENOSYS) && run(&p, I386, 1000, NULL) == ERRNO(ENOSYS) &&
                      run(&p, X86_64, UINT32_MAX, NULL) == ERRNO(ENOSYS) && run(&p, X86_64, 0x40000000, NULL) == ERRNO(ENOSYS) &&
                      run(&p, X86_64, 0x40000000 | 514, NULL) == ERRNO(ENOSYS) && run(&p, 0x40000028, 3, NULL) == ERRNO(ENOSYS),
              "ENOSYS past the tables, for x32 and for other architectures");
        uint64_t sti[6] = {0, TIOCSTI}, sti_high[6] = {0, TIOCSTI | (UINT64_C(1) << 32)}, linux_[6] = {0, TIOCLINUX}, tcgets[6] = {0, TCGETS};
        CHECK(run(&p, X86_64, 16, sti) == ERRNO(EPERM) && run(&p, X86_64, 16, sti_high) == ERRNO(EPERM) &&
                      run(&p, X86_64, 16, linux_) == ERRNO(EPERM) && run(&p, I386, 54, sti) == ERRNO(EPERM) && run(&p, X86_64, 16, tcgets) == ALLOW &&
                      run(&p, I386, 54, tcgets) == ALLOW,
              "ioctl: TIOCSTI and TIOCLINUX refused on the low 32 bits, others allowed");
        uint64_t audit[6] = {AF_NETLINK, 3, NETLINK_AUDIT}, route[6] = {AF_NETLINK, 3, 0}, inet[6] = {AF_INET, 1, NETLINK_AUDIT};
        CHECK(run(&p, X86_64, 41, audit) == ERRNO(EAFNOSUPPORT) && run(&p, I386, 359, audit) == ERRNO(EAFNOSUPPORT) &&
                      run(&p, X86_64, 41, route) == ALLOW && run(&p, X86_64, 41, inet) == ALLOW,
              "no audit netlink socket, other sockets allowed");
        uint64_t o_sync[6] = {0, O_SYNC, O_SYNC};
        CHECK(run(&p, X86_64, 2, o_sync) == ALLOW && run(&p, X86_64, 74, NULL) == ALLOW, "without --suppress-sync, O_SYNC and fsync work");
        free(p.filter);

        CHECK(seccomp_compile_nspawn(names, true, &p, &e) == 0, "with --suppress-sync");
        uint64_t o_dsync[6] = {0, O_DSYNC, O_DSYNC}, plain[6] = {0, O_RDWR | O_CREAT, O_RDWR | O_CREAT};
        CHECK(run(&p, X86_64, 2, o_sync) == ERRNO(EINVAL) && run(&p, X86_64, 257, o_dsync) == ERRNO(EINVAL) &&
                      run(&p, I386, 295, o_sync) == ERRNO(EINVAL) && run(&p, X86_64, 2, plain) == ALLOW && run(&p, X86_64, 257, plain) == ALLOW,
              "open and openat with O_SYNC or O_DSYNC: EINVAL; without: allowed");
        CHECK(run(&p, X86_64, 74, NULL) == ERRNO(0) && run(&p, X86_64, 162, NULL) == ERRNO(0) && run(&p, X86_64, 437, NULL) == ERRNO(ENOSYS) &&
                      run(&p, X86_64, 0, NULL) == ALLOW,
              "fsync and sync succeed doing nothing, openat2 says ENOSYS");
        free(p.filter);
        strv_free(names);

        /* Every other x86-64 call: hundreds of ranges, so jumps past 255 instructions. */
        char **odd = NULL;
        for (const SyscallTable *t = syscall_tables; t->arch; t++)
                for (size_t i = 0; i < t->n_calls; i++)
                        if (t->calls[i].nr % 2 && strv_extend(&odd, t->calls[i].name) < 0)
                                abort();
        CHECK(seccomp_compile_nspawn(odd, false, &p, &e) == 0 && p.len > 600, "a list of every odd number compiles (%u instructions)", p.len);
        all = true;
        for (const SyscallTable *t = syscall_tables; t->arch; t++)
                for (size_t i = 0; i < t->n_calls; i++) {
                        uint32_t got = run(&p, t->audit_arch, (uint32_t)t->calls[i].nr, NULL);
                        bool allowed = strv_contains(odd, t->calls[i].name);
                        if ((got == ALLOW) != allowed && !streq(t->calls[i].name, "ioctl") && !streq(t->calls[i].name, "socket"))
                                all = false;
                }
        CHECK(all, "and gives every call its verdict");
        free(p.filter);
        strv_free(odd);
}

/* The rule set another front end (an OCI profile) gives: an action per call, a default for
 * the rest, no list of known calls. */
TEST(per_call_actions)
{
        SeccompRule rules[] = {
                {.name = "getpid", .action = ERRNO(EACCES)},
                {.name = "kill", .action = SECCOMP_RET_KILL_PROCESS},
                {.name = "write", .action = SECCOMP_RET_LOG},
                {.name = "mkdir", .action = SECCOMP_RET_TRAP},
                {.name = "ptrace", .action = SECCOMP_RET_USER_NOTIF},
                {.name = "read", .action = ALLOW},
                {.name = "read", .action = SECCOMP_RET_TRACE | 7},         /* a later rule for a call wins */
                {.name = "no_such_call", .action = ALLOW},                 /* skipped */
                {.name = "socketcall", .action = SECCOMP_RET_KILL_THREAD}, /* i386 only */
        };
        SeccompRules s = {.rules = rules, .n_rules = ELEMENTSOF(rules), .default_action = ERRNO(EPERM), .unknown_action = ERRNO(ENOSYS)};
        struct sock_fprog p;
        Error e = {0};
        CHECK(seccomp_compile(&s, &p, &e) == 0, "compiles: %s", e.msg);
        CHECK(run(&p, X86_64, nr_of("x86_64", "getpid"), NULL) == ERRNO(EACCES) && run(&p, I386, nr_of("i386", "getpid"), NULL) == ERRNO(EACCES),
              "ERRNO with its own errno, on both architectures");
        CHECK(run(&p, X86_64, nr_of("x86_64", "kill"), NULL) == SECCOMP_RET_KILL_PROCESS, "KILL_PROCESS");
        CHECK(run(&p, X86_64, nr_of("x86_64", "write"), NULL) == SECCOMP_RET_LOG, "LOG");
        CHECK(run(&p, X86_64, nr_of("x86_64", "mkdir"), NULL) == SECCOMP_RET_TRAP, "TRAP");
        CHECK(run(&p, X86_64, nr_of("x86_64", "ptrace"), NULL) == SECCOMP_RET_USER_NOTIF, "USER_NOTIF");
        CHECK(run(&p, X86_64, nr_of("x86_64", "read"), NULL) == (SECCOMP_RET_TRACE | 7), "TRACE with its data, the later rule");
        CHECK(run(&p, I386, nr_of("i386", "socketcall"), NULL) == SECCOMP_RET_KILL_THREAD && nr_of("x86_64", "socketcall") < 0,
              "a rule for a call one architecture lacks applies on the other");
        uint64_t tiocsti[6] = {0, TIOCSTI};
        CHECK(run(&p, X86_64, nr_of("x86_64", "ioctl"), tiocsti) == ERRNO(EPERM) && run(&p, X86_64, nr_of("x86_64", "close"), NULL) == ERRNO(EPERM),
              "every other call: the default action");
        CHECK(run(&p, X86_64, 4000, NULL) == ERRNO(ENOSYS) && run(&p, X86_64, 0x40000000 | 1, NULL) == ERRNO(ENOSYS) &&
                      run(&p, AUDIT_ARCH_AARCH64, 1, NULL) == ERRNO(ENOSYS),
              "a number that is no call, an x32 call, another architecture: ENOSYS");
        free(p.filter);

        s.default_action = ALLOW;
        CHECK(seccomp_compile(&s, &p, &e) == 0 && run(&p, X86_64, nr_of("x86_64", "close"), NULL) == ALLOW &&
                      run(&p, X86_64, nr_of("x86_64", "kill"), NULL) == SECCOMP_RET_KILL_PROCESS,
              "a deny list: allowed by default, the rules' calls refused");
        free(p.filter);
}

/* What libseccomp's comparison says of an argument. */
static bool holds(const SeccompArg *c, uint64_t arg)
{
        switch (c->op) {
        case SECCOMP_ARG_NE:
                return arg != c->value;
        case SECCOMP_ARG_LT:
                return arg < c->value;
        case SECCOMP_ARG_LE:
                return arg <= c->value;
        case SECCOMP_ARG_EQ:
                return arg == c->value;
        case SECCOMP_ARG_GE:
                return arg >= c->value;
        case SECCOMP_ARG_GT:
                return arg > c->value;
        case SECCOMP_ARG_MASKED_EQ:
                return (arg & c->value) == c->value_two;
        default:
                return false;
        }
}

TEST(argument_conditions)
{
        /* Every comparison on 64-bit values around the interesting edges (equal, one off, the
         * high word alone different), checked against the reference for each. */
        static const uint64_t values[] = {0, 1, 7, 8, 9, 0xffffffff, 0x100000000, 0x100000001, 0x1ffffffff, 0xfffffffe00000000, UINT64_MAX};
        Error e = {0};
        for (int op = 0; op < _SECCOMP_ARG_OP_MAX; op++)
                for (size_t vi = 0; vi < ELEMENTSOF(values); vi++) {
                        SeccompArg cond = {.index = 2, .op = op, .value = values[vi], .value_two = values[vi] & 0xffff0000ffff0000};
                        SeccompRule rule = {.name = "read", .action = ALLOW, .args = &cond, .n_args = 1};
                        SeccompRules s = {.rules = &rule, .n_rules = 1, .default_action = ERRNO(EPERM), .unknown_action = ERRNO(ENOSYS)};
                        struct sock_fprog p;
                        if (seccomp_compile(&s, &p, &e) < 0) {
                                CHECK(false, "compiles: %s", e.msg);
                                return;
                        }
                        int wrong = 0;
                        for (size_t ai = 0; ai < ELEMENTSOF(values); ai++) {
                                uint64_t args[6] = {0, 0, values[ai]};
                                uint32_t want = holds(&cond, values[ai]) ? ALLOW : ERRNO(EPERM);
                                if (run(&p, X86_64, 0, args) != want)
                                        wrong++;
                        }
                        free(p.filter);
                        CHECK(wrong == 0, "op %d against %#llx: %d wrong verdicts", op, (unsigned long long)values[vi], wrong);
                }

        /* Conditions of a rule all hold (AND); rules of a call are tried in order (OR), then its
         * rule without conditions, else the default. */
        SeccompArg clone_flags = {.index = 0, .op = SECCOMP_ARG_MASKED_EQ, .value = 0x7e020000, .value_two = 0};
        SeccompArg pers[2] = {{.index = 0, .op = SECCOMP_ARG_EQ, .value = 0}, {.index = 0, .op = SECCOMP_ARG_EQ, .value = 8}};
        SeccompArg both[2] = {{.index = 0, .op = SECCOMP_ARG_EQ, .value = 1}, {.index = 1, .op = SECCOMP_ARG_GE, .value = 100}};
        SeccompRule rules[] = {
                {.name = "clone", .action = ALLOW, .args = &clone_flags, .n_args = 1},
                {.name = "personality", .action = ALLOW, .args = &pers[0], .n_args = 1},
                {.name = "personality", .action = ERRNO(EACCES), .args = &pers[1], .n_args = 1},
                {.name = "kill", .action = ALLOW, .args = both, .n_args = 2},
                {.name = "kill", .action = SECCOMP_RET_LOG},
        };
        SeccompRules s = {.rules = rules, .n_rules = ELEMENTSOF(rules), .default_action = ERRNO(EPERM), .unknown_action = ERRNO(ENOSYS)};
        struct sock_fprog p;
        CHECK(seccomp_compile(&s, &p, &e) == 0, "compiles: %s", e.msg);
        uint64_t a_thread[6] = {0x10000 | 0x800}, a_newns[6] = {0x20000}, a0[6] = {0}, a8[6] = {8}, a9[6] = {9};
        uint64_t k_ok[6] = {1, 150}, k_low[6] = {1, 99}, k_other[6] = {2, 150};
        int clone = nr_of("x86_64", "clone"), personality = nr_of("x86_64", "personality"), kill_ = nr_of("x86_64", "kill");
        CHECK(run(&p, X86_64, clone, a_thread) == ALLOW && run(&p, X86_64, clone, a_newns) == ERRNO(EPERM),
              "clone without namespace flags, as Docker's profile has it");
        CHECK(run(&p, X86_64, personality, a0) == ALLOW && run(&p, X86_64, personality, a8) == ERRNO(EACCES) &&
                      run(&p, X86_64, personality, a9) == ERRNO(EPERM),
              "rules of one call in order, with their own actions, then the default");
        CHECK(run(&p, X86_64, kill_, k_ok) == ALLOW && run(&p, X86_64, kill_, k_low) == SECCOMP_RET_LOG &&
                      run(&p, X86_64, kill_, k_other) == SECCOMP_RET_LOG,
              "every condition of a rule must hold, else the call's rule without conditions");
        CHECK(run(&p, I386, nr_of("i386", "personality"), a0) == ALLOW, "on i386 too");
        free(p.filter);
}

TEST(filter_lists_parsed)
{
        char **allow = NULL, **deny = NULL;
        Error e = {0};

        CHECK(syscall_group_find("@mount") && syscall_group_find("@default") && !syscall_group_find("@nope"), "groups known");
        CHECK(syscall_filter_parse("add_key keyctl bpf", &allow, &deny, "--system-call-filter", &e) == 0 && strv_length(allow) == 3 && !deny,
              "an allow list");
        CHECK(syscall_filter_parse("~@mount kill", &allow, &deny, "--system-call-filter", &e) == 0 && strv_length(deny) == 2, "a deny list");
        CHECK(syscall_filter_parse("@bogus", &allow, &deny, "SystemCallFilter=", &e) == -EINVAL && strstr(e.msg, "@bogus"), "unknown group named: %s",
              e.msg);
        e = (Error){0};
        CHECK(syscall_filter_parse("open;rm", &allow, &deny, "SystemCallFilter=", &e) == -EINVAL && strstr(e.msg, "open;rm"), "not a name: %s",
              e.msg);
        strv_free(allow);
        strv_free(deny);
}

TEST(policy_names)
{
        char **allow = NULL, **deny = NULL, **names;
        Error e = {0};
        CHECK(syscall_filter_parse("add_key keyctl bpf", &allow, &deny, "--system-call-filter", &e) == 0 &&
                      syscall_filter_parse("~@mount kill", &allow, &deny, "--system-call-filter", &e) == 0,
              "an allow list and a deny list");
        names = syscall_policy_names(capability_default_set(), NULL, NULL);
        CHECK(names && strv_contains(names, "read") && strv_contains(names, "mount") && strv_contains(names, "ptrace"),
              "the default list has the basics, @mount, and ptrace with CAP_SYS_PTRACE");
        CHECK(!strv_contains(names, "bpf") && !strv_contains(names, "keyctl") && !strv_contains(names, "init_module") &&
                      !strv_contains(names, "settimeofday") && !strv_contains(names, "kexec_load") && !strv_contains(names, "swapon"),
              "and not bpf, keyctl, modules, the clock, kexec, swap");
        strv_free(names);
        names = syscall_policy_names(CAP_SET_ALL, NULL, NULL);
        CHECK(strv_contains(names, "settimeofday") && strv_contains(names, "init_module") && strv_contains(names, "ioperm") &&
                      !strv_contains(names, "kexec_load") && !strv_contains(names, "bpf"),
              "all capabilities open @clock, @module, @raw-io, not kexec or bpf (as nspawn)");
        strv_free(names);
        names = syscall_policy_names(0, NULL, NULL);
        CHECK(!strv_contains(names, "ptrace") && !strv_contains(names, "reboot") && !strv_contains(names, "vhangup"),
              "no capabilities: no ptrace, reboot, vhangup");
        strv_free(names);
        names = syscall_policy_names(capability_default_set(), allow, deny);
        CHECK(strv_contains(names, "keyctl") && strv_contains(names, "bpf") && !strv_contains(names, "mount") && !strv_contains(names, "umount2") &&
                      !strv_contains(names, "kill"),
              "allow adds, deny removes, and wins");
        strv_free(names);
        strv_free(allow);
        strv_free(deny);
}

TEST(compiled_filter)
{
        check_compiled();
}

TAP_MAIN
