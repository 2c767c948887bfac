/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Compiling the system call filter to classic BPF, and loading it.
 *
 * The program: the architecture picks a table; in it, a binary search over ranges of system
 * call numbers that share one verdict (nspawn's default list is about 60 ranges on x86-64 and
 * 100 on i386, where a chain of compares, as libseccomp writes it, is 880 instructions).  The
 * kernel JIT-compiles the program and runs it for every system call number to fill its action
 * cache when the filter is installed, so its length is start time. */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/netlink.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "seccomp-policy.h"
#include "seccomp.h"
#include "strv.h"

#define RET_ALLOW SECCOMP_RET_ALLOW
#define RET_ERRNO(e) (SECCOMP_RET_ERRNO | ((uint32_t)(e)&SECCOMP_RET_DATA))
#define RET_DENY RET_ERRNO(EPERM)

static int compare_name(const void *key, const void *entry)
{
        return strcmp(key, ((const SyscallNumber *)entry)->name);
}

int syscall_number(const SyscallTable *t, const char *name)
{
        const SyscallNumber *s = bsearch(name, t->calls, t->n_calls, sizeof(t->calls[0]), compare_name);
        return s ? s->nr : -1;
}

/* What one system call number gets: a rule without its name, and the rules with conditions
 * tried before it. */
typedef struct Verdict {
        SeccompRuleKind kind;
        uint32_t ret;
        uint32_t arg;
        const SeccompRule **cond;
        size_t n_cond;
} Verdict;

static bool verdict_eq(const Verdict *a, const Verdict *b)
{
        return a->kind == b->kind && a->ret == b->ret && a->arg == b->arg && a->n_cond == 0 && b->n_cond == 0;
}

/* A run of numbers [start, next range's start) with one verdict; the last runs to 2^32. */
typedef struct Range {
        uint32_t start;
        const Verdict *verdict;
} Range;

typedef struct Program {
        struct sock_filter *insns;
        size_t n, allocated;
} Program;

static int emit(Program *p, uint16_t code, uint8_t jt, uint8_t jf, uint32_t k)
{
        if (p->n >= BPF_MAXINSNS)
                return -E2BIG;
        if (p->n == p->allocated) {
                size_t a = p->allocated ? p->allocated * 2 : 256;
                struct sock_filter *n = reallocarray(p->insns, a, sizeof(*n));
                if (!n)
                        return -ENOMEM;
                p->insns = n;
                p->allocated = a;
        }
        p->insns[p->n++] = (struct sock_filter)BPF_JUMP(code, k, jt, jf);
        return 0;
}

#define LOAD(off) BPF_LD | BPF_W | BPF_ABS, 0, 0, (off)
#define RETURN(v) BPF_RET | BPF_K, 0, 0, (v)
/* The low 32 bits of an argument (little-endian): what the kernel uses of an int argument. */
#define ARG_LOW(i) (uint32_t)(offsetof(struct seccomp_data, args) + 8 * (i))

/* The high 32 bits of an argument. */
#define ARG_HIGH(i) (ARG_LOW(i) + 4)

static size_t condition_size(const SeccompArg *a)
{
        switch (a->op) {
        case SECCOMP_ARG_EQ:
        case SECCOMP_ARG_NE:
                return 4;
        case SECCOMP_ARG_MASKED_EQ:
                return 6;
        default:
                return 5;
        }
}

static size_t rule_size(const SeccompRule *r)
{
        size_t n = 1;
        for (size_t i = 0; i < r->n_args; i++)
                n += condition_size(&r->args[i]);
        return n;
}

/* One comparison of a 64-bit argument, high word first; a miss jumps fail instructions past
 * the comparison's own end (to the next rule). */
static int emit_condition(Program *p, const SeccompArg *a, size_t fail)
{
        uint32_t hi = (uint32_t)(a->value >> 32), lo = (uint32_t)a->value;
        size_t n = condition_size(a);
        int r;
        /* The offset to the next rule from the instruction at position at (0-based) of the
         * comparison. */
#define MISS(at) (uint8_t)(fail + n - (at)-1)
        if (fail + n > 255)
                return -E2BIG;
        switch (a->op) {
        case SECCOMP_ARG_EQ:
                if ((r = emit(p, LOAD(ARG_HIGH(a->index)))) < 0 || (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, MISS(1), hi)) < 0 ||
                    (r = emit(p, LOAD(ARG_LOW(a->index)))) < 0)
                        return r;
                return emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, MISS(3), lo);
        case SECCOMP_ARG_NE:
                /* A different high word holds at once. */
                if ((r = emit(p, LOAD(ARG_HIGH(a->index)))) < 0 || (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 2, hi)) < 0 ||
                    (r = emit(p, LOAD(ARG_LOW(a->index)))) < 0)
                        return r;
                return emit(p, BPF_JMP | BPF_JEQ | BPF_K, MISS(3), 0, lo);
        case SECCOMP_ARG_MASKED_EQ: {
                uint32_t mhi = hi, mlo = lo, dhi = (uint32_t)(a->value_two >> 32), dlo = (uint32_t)a->value_two;
                if ((r = emit(p, LOAD(ARG_HIGH(a->index)))) < 0 || (r = emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, mhi)) < 0 ||
                    (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, MISS(2), dhi)) < 0 || (r = emit(p, LOAD(ARG_LOW(a->index)))) < 0 ||
                    (r = emit(p, BPF_ALU | BPF_AND | BPF_K, 0, 0, mlo)) < 0)
                        return r;
                return emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, MISS(5), dlo);
        }
        case SECCOMP_ARG_GT:
        case SECCOMP_ARG_GE:
                /* A higher high word holds, a lower one misses, an equal one leaves the low word. */
                if ((r = emit(p, LOAD(ARG_HIGH(a->index)))) < 0 || (r = emit(p, BPF_JMP | BPF_JGT | BPF_K, 3, 0, hi)) < 0 ||
                    (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, MISS(2), hi)) < 0 || (r = emit(p, LOAD(ARG_LOW(a->index)))) < 0)
                        return r;
                return emit(p, BPF_JMP | (a->op == SECCOMP_ARG_GT ? BPF_JGT : BPF_JGE) | BPF_K, 0, MISS(4), lo);
        case SECCOMP_ARG_LT:
        case SECCOMP_ARG_LE:
                /* A lower high word holds, a higher one misses, an equal one leaves the low word. */
                if ((r = emit(p, LOAD(ARG_HIGH(a->index)))) < 0 || (r = emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 3, hi)) < 0 ||
                    (r = emit(p, BPF_JMP | BPF_JGT | BPF_K, MISS(2), 0, hi)) < 0 || (r = emit(p, LOAD(ARG_LOW(a->index)))) < 0)
                        return r;
                return emit(p, BPF_JMP | (a->op == SECCOMP_ARG_LT ? BPF_JGE : BPF_JGT) | BPF_K, MISS(4), 0, lo);
        default:
                return -EINVAL;
        }
#undef MISS
}

/* A rule with conditions: each in turn, then its action; a miss goes past it. */
static int emit_conditional(Program *p, const SeccompRule *rule)
{
        size_t left = rule_size(rule) - 1;
        int r;
        for (size_t i = 0; i < rule->n_args; i++) {
                size_t n = condition_size(&rule->args[i]);
                left -= n;
                if ((r = emit_condition(p, &rule->args[i], left + 1)) < 0)
                        return r;
        }
        return emit(p, RETURN(rule->action));
}

static size_t plain_leaf_size(const Verdict *v);

static size_t leaf_size(const Verdict *v)
{
        size_t n = plain_leaf_size(v);
        for (size_t i = 0; i < v->n_cond; i++)
                n += rule_size(v->cond[i]);
        return n;
}

static size_t plain_leaf_size(const Verdict *v)
{
        switch (v->kind) {
        case SECCOMP_RULE_IOCTL_GUARDED:
                return 5;
        case SECCOMP_RULE_SOCKET_NO_AUDIT:
                return 6;
        case SECCOMP_RULE_OPEN_NO_SYNC:
                return 4;
        default:
                return 1;
        }
}

static int emit_leaf(Program *p, const Verdict *v)
{
        int r = 0;
        for (size_t i = 0; i < v->n_cond; i++)
                if ((r = emit_conditional(p, v->cond[i])) < 0)
                        return r;
        switch (v->kind) {
        case SECCOMP_RULE_RETURN:
                return emit(p, RETURN(v->ret));
        case SECCOMP_RULE_IOCTL_GUARDED:
                /* With a terminal shared with the host (corral -P on a tty), TIOCSTI types into
                 * its input and TIOCLINUX pastes the console selection: an escape. */
                if ((r = emit(p, LOAD(ARG_LOW(1)))) < 0 || (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 2, 0, TIOCSTI)) < 0 ||
                    (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, TIOCLINUX)) < 0 || (r = emit(p, RETURN(RET_ALLOW))) < 0)
                        return r;
                return emit(p, RETURN(RET_DENY));
        case SECCOMP_RULE_SOCKET_NO_AUDIT:
                /* As nspawn: no audit in a container, so that its systemd does not try. */
                if ((r = emit(p, LOAD(ARG_LOW(0)))) < 0 || (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 3, AF_NETLINK)) < 0 ||
                    (r = emit(p, LOAD(ARG_LOW(2)))) < 0 || (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, NETLINK_AUDIT)) < 0 ||
                    (r = emit(p, RETURN(RET_ERRNO(EAFNOSUPPORT)))) < 0)
                        return r;
                return emit(p, RETURN(RET_ALLOW));
        case SECCOMP_RULE_OPEN_NO_SYNC:
                /* O_SYNC is O_DSYNC plus a bit: testing O_DSYNC catches both. */
                if ((r = emit(p, LOAD(ARG_LOW(v->arg)))) < 0 || (r = emit(p, BPF_JMP | BPF_JSET | BPF_K, 0, 1, O_DSYNC)) < 0 ||
                    (r = emit(p, RETURN(RET_ERRNO(EINVAL)))) < 0)
                        return r;
                return emit(p, RETURN(RET_ALLOW));
        }
        return -EINVAL;
}

/* A conditional jump reaches 255 instructions; past a longer left half, an unconditional
 * jump (32-bit offset) leads to the right one. */
static size_t tree_size(const Range *r, size_t n)
{
        if (n == 1)
                return leaf_size(r[0].verdict);
        size_t left = tree_size(r, n / 2);
        return 1 + (left > 255) + left + tree_size(r + n / 2, n - n / 2);
}

static int emit_tree(Program *p, const Range *r, size_t n)
{
        if (n == 1)
                return emit_leaf(p, r[0].verdict);
        size_t mid = n / 2, left = tree_size(r, mid);
        int k;
        if (left <= 255)
                k = emit(p, BPF_JMP | BPF_JGE | BPF_K, (uint8_t)left, 0, r[mid].start);
        else if ((k = emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 1, r[mid].start)) >= 0)
                k = emit(p, BPF_JMP | BPF_JA, 0, 0, (uint32_t)left);
        if (k < 0 || (k = emit_tree(p, r, mid)) < 0)
                return k;
        return emit_tree(p, r + mid, n - mid);
}

static bool in_group(const char *group, const char *name)
{
        const SyscallGroup *g = syscall_group_find(group);
        for (const char *const *i = g ? g->entries : NULL; i && *i; i++)
                if (streq(*i, name))
                        return true;
        return false;
}

static int compare_strings(const void *a, const void *b)
{
        return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void seccomp_rules_done(SeccompRules *s)
{
        s->rules = mfree(s->rules);
        s->known = mfree(s->known);
        s->n_rules = s->n_known = 0;
}

int seccomp_rules_nspawn(char *const *names, bool suppress_sync, SeccompRules *ret)
{
        /* The calls systemd knows: @known, and @obsolete, which it leaves out of @known. */
        const SyscallGroup *groups[] = {syscall_group_find("@known"), syscall_group_find("@obsolete")};
        size_t n_known = 0, n = 0;

        *ret = (SeccompRules){.default_action = RET_DENY, .unknown_action = RET_ERRNO(ENOSYS)};
        for (size_t i = 0; i < ELEMENTSOF(groups); i++)
                n_known += groups[i] ? strv_length((char **)groups[i]->entries) : 0;
        ret->known = malloc(sizeof(char *) * MAX(n_known, 1));
        ret->rules = malloc(sizeof(SeccompRule) * MAX(strv_length((char **)names), 1));
        if (!ret->known || !ret->rules) {
                seccomp_rules_done(ret);
                return -ENOMEM;
        }
        for (size_t i = 0; i < ELEMENTSOF(groups); i++)
                for (const char *const *c = groups[i] ? groups[i]->entries : NULL; c && *c; c++)
                        ret->known[ret->n_known++] = *c;
        qsort(ret->known, ret->n_known, sizeof(ret->known[0]), compare_strings);

        for (char *const *name = names; name && *name; name++) {
                SeccompRule *x = &ret->rules[n++];
                *x = (SeccompRule){.name = *name, .kind = SECCOMP_RULE_RETURN, .action = RET_ALLOW};
                if (streq(*name, "ioctl"))
                        x->kind = SECCOMP_RULE_IOCTL_GUARDED;
                else if (streq(*name, "socket"))
                        x->kind = SECCOMP_RULE_SOCKET_NO_AUDIT;
                else if (!suppress_sync)
                        continue;
                /* --suppress-sync=yes, as nspawn: the @sync calls succeed without doing anything,
                 * opening with O_SYNC or O_DSYNC fails with EINVAL (the flag cannot be taken off),
                 * and openat2(), whose flags sit in a struct a filter cannot read, says ENOSYS so
                 * callers fall back to openat(). */
                else if (in_group("@sync", *name))
                        x->action = RET_ERRNO(0);
                else if (streq(*name, "openat2"))
                        x->action = RET_ERRNO(ENOSYS);
                else if (streq(*name, "open") || streq(*name, "openat"))
                        *x = (SeccompRule){.name = *name, .kind = SECCOMP_RULE_OPEN_NO_SYNC, .arg = streq(*name, "open") ? 1 : 2};
        }
        ret->n_rules = n;
        return 0;
}

static void verdicts_free(Verdict *v, size_t n)
{
        for (size_t i = 0; v && i < n; i++)
                free(v[i].cond);
        free(v);
}

/* The verdict of each of t's numbers, then the runs of equal ones. */
static int arch_ranges(const SyscallTable *t, const SeccompRules *s, Verdict **ret_verdicts, size_t *ret_n_verdicts, Range **ret_ranges,
                       size_t *ret_n)
{
        int max = 0;
        for (size_t i = 0; i < t->n_calls; i++)
                max = MAX(max, t->calls[i].nr);
        /* one past the highest number: the verdict of every number above it */
        size_t n = (size_t)max + 2;
        Verdict *v = calloc(n, sizeof(*v));
        _cleanup_free_ Range *ranges = calloc(n, sizeof(*ranges));
        if (!v || !ranges) {
                free(v);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                v[i] = (Verdict){.kind = SECCOMP_RULE_RETURN, .ret = s->unknown_action};
        for (size_t i = 0; i < t->n_calls; i++)
                if (!s->known || bsearch(&t->calls[i].name, s->known, s->n_known, sizeof(s->known[0]), compare_strings))
                        v[t->calls[i].nr].ret = s->default_action;
        for (size_t i = 0; i < s->n_rules; i++) {
                const SeccompRule *rule = &s->rules[i];
                int nr = syscall_number(t, rule->name);
                if (nr < 0) /* not a system call of this architecture */
                        continue;
                if (rule->n_args == 0) {
                        v[nr].kind = rule->kind;
                        v[nr].ret = rule->action;
                        v[nr].arg = rule->arg;
                        continue;
                }
                const SeccompRule **c = reallocarray(v[nr].cond, v[nr].n_cond + 1, sizeof(*c));
                if (!c) {
                        verdicts_free(v, n);
                        return -ENOMEM;
                }
                c[v[nr].n_cond++] = rule;
                v[nr].cond = c;
        }
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (i == 0 || !verdict_eq(&v[i], ranges[k - 1].verdict))
                        ranges[k++] = (Range){.start = (uint32_t)i, .verdict = &v[i]};
        *ret_verdicts = TAKE_PTR(v);
        *ret_n_verdicts = n;
        *ret_ranges = TAKE_PTR(ranges);
        *ret_n = k;
        return 0;
}

static int compile_arch(Program *p, const SyscallTable *t, const Range *ranges, size_t n);

int seccomp_compile(const SeccompRules *rules, struct sock_fprog *ret, Error *e)
{
        Program p = {0};
        size_t n_arches = 0, jump_at[8];
        int r;

        /* Dispatch on the architecture: "jeq ARCH, 0, 1; ja TABLE" for each, else ENOSYS, as for
         * a system call the kernel does not have. */
        if ((r = emit(&p, LOAD(offsetof(struct seccomp_data, arch)))) < 0)
                goto fail;
        for (const SyscallTable *t = syscall_tables; t->arch && n_arches < ELEMENTSOF(jump_at); t++, n_arches++) {
                if ((r = emit(&p, BPF_JMP | BPF_JEQ | BPF_K, 0, 1, t->audit_arch)) < 0)
                        goto fail;
                jump_at[n_arches] = p.n;
                if ((r = emit(&p, BPF_JMP | BPF_JA, 0, 0, 0)) < 0)
                        goto fail;
        }
        if ((r = emit(&p, RETURN(RET_ERRNO(ENOSYS)))) < 0)
                goto fail;
        for (size_t a = 0; a < n_arches; a++) {
                const SyscallTable *t = &syscall_tables[a];
                Verdict *verdicts = NULL;
                _cleanup_free_ Range *ranges = NULL;
                size_t n, n_verdicts = 0;
                p.insns[jump_at[a]].k = (uint32_t)(p.n - jump_at[a] - 1);
                if ((r = arch_ranges(t, rules, &verdicts, &n_verdicts, &ranges, &n)) < 0)
                        goto fail;
                r = compile_arch(&p, t, ranges, n);
                verdicts_free(verdicts, n_verdicts);
                if (r < 0)
                        goto fail;
        }
        *ret = (struct sock_fprog){.len = (unsigned short)p.n, .filter = p.insns};
        return 0;
fail:
        free(p.insns);
        if (r == -E2BIG)
                return error_set(e, r, "the system call filter is too long (more than %d instructions, or a rule with too many conditions)",
                                 BPF_MAXINSNS);
        return error_set_errno(e, r, "cannot compile the system call filter");
}

/* One architecture's part: the number, then the search. */
static int compile_arch(Program *p, const SyscallTable *t, const Range *ranges, size_t n)
{
        int r;
        if ((r = emit(p, LOAD(offsetof(struct seccomp_data, nr)))) < 0)
                return r;
        if (t->audit_arch == AUDIT_ARCH_X86_64) {
                /* x32 system calls (the 0x40000000 bit) are refused with ENOSYS, as by a kernel
                 * without syscall.x32=y (Debian's default); -1 is left to the table, as libseccomp
                 * does. */
                if ((r = emit(p, BPF_JMP | BPF_JGE | BPF_K, 0, 2, 0x40000000)) < 0 ||
                    (r = emit(p, BPF_JMP | BPF_JEQ | BPF_K, 1, 0, UINT32_MAX)) < 0 || (r = emit(p, RETURN(RET_ERRNO(ENOSYS)))) < 0)
                        return r;
        }
        return emit_tree(p, ranges, n);
}

int seccomp_compile_nspawn(char *const *names, bool suppress_sync, struct sock_fprog *ret, Error *e)
{
        SeccompRules rules;
        int r = seccomp_rules_nspawn(names, suppress_sync, &rules);
        if (r < 0)
                return error_set_errno(e, r, "cannot compile the system call filter");
        r = seccomp_compile(&rules, ret, e);
        seccomp_rules_done(&rules);
        return r;
}

/* Compiling takes a while (the groups expanded, every name looked up per architecture), and
 * the program only depends on what it is made from, so it is kept in the cache directory under
 * a hash of that.  The directory is root's (0700): whoever can write there is root on the
 * host already. */
#define FILTER_FORMAT 4

static uint64_t fnv1a(uint64_t h, const char *s)
{
        for (; *s; s++)
                h = (h ^ (unsigned char)*s) * 0x100000001b3ULL;
        return (h ^ 0xff) * 0x100000001b3ULL; /* a separator, so "ab","c" differs from "a","bc" */
}

static int cache_read(int dirfd, const char *name, struct sock_fprog *ret)
{
        int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
        if (fd < 0)
                return -errno;
        struct stat st;
        struct sock_filter *f = NULL;
        int r = -EBADMSG;
        if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 && st.st_size % sizeof(struct sock_filter) == 0 &&
            st.st_size / sizeof(struct sock_filter) <= BPF_MAXINSNS && (f = malloc((size_t)st.st_size)) &&
            pread(fd, f, (size_t)st.st_size, 0) == st.st_size) {
                *ret = (struct sock_fprog){.len = (unsigned short)(st.st_size / sizeof(struct sock_filter)), .filter = TAKE_PTR(f)};
                r = 0;
        }
        free(f);
        close(fd);
        return r;
}

static void cache_write(int dirfd, const char *name, const struct sock_fprog *prog)
{
        char tmp[64];
        snprintf(tmp, sizeof(tmp), ".%s.%d", name, (int)getpid());
        size_t size = prog->len * sizeof(struct sock_filter);
        if (write_file_at(dirfd, tmp, (const char *)prog->filter, size, 0600) < 0 || renameat(dirfd, tmp, dirfd, name) < 0)
                (void)unlinkat(dirfd, tmp, 0); /* a cache: failing to keep it is no error */
}

int seccomp_build_policy(uint64_t caps, char *const *allow, char *const *deny, bool suppress_sync, const char *cache_dir, struct sock_fprog *ret,
                         Error *e)
{
        char key[256];
        uint64_t h = 0xcbf29ce484222325ULL;
        /* The key is what the filter is made from (so a hit costs no expansion of the groups):
         * the capabilities, the lists as given, the groups' and the numbers' sources, and
         * FILTER_FORMAT, which changes whenever seccomp_compile() does. */
        snprintf(key, sizeof(key), "%s/%d/%s/%s/%016llx", CORRAL_VERSION, FILTER_FORMAT, syscall_table_source, syscall_groups_source,
                 (unsigned long long)caps);
        h = fnv1a(h, key);
        h = fnv1a(h, suppress_sync ? "+suppress-sync" : "");
        for (char *const *n = allow; n && *n; n++)
                h = fnv1a(h, *n);
        h = fnv1a(h, "~");
        for (char *const *n = deny; n && *n; n++)
                h = fnv1a(h, *n);
        char name[32];
        snprintf(name, sizeof(name), "seccomp-%016llx", (unsigned long long)h);

        _cleanup_close_ int dirfd = cache_dir ? open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dirfd < 0 && cache_dir && errno == ENOENT && mkdir_p(cache_dir, 0700) >= 0)
                dirfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd >= 0 && cache_read(dirfd, name, ret) == 0)
                return 0;
        char **names = syscall_policy_names(caps, allow, deny);
        if (!names)
                return error_set(e, -ENOMEM, "cannot work out the system call filter");
        int r = seccomp_compile_nspawn(names, suppress_sync, ret, e);
        strv_free(names);
        if (r >= 0 && dirfd >= 0)
                cache_write(dirfd, name, ret);
        return r;
}

int seccomp_install(const struct sock_fprog *prog)
{
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0 ? -errno : 0;
}

int seccomp_install_listener(const struct sock_fprog *prog)
{
        long fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, prog);
        return fd < 0 ? -errno : (int)fd;
}
