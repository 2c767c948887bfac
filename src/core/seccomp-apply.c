/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Loading the system call filter with libseccomp. */
#include <errno.h>
#include <seccomp.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "seccomp-policy.h"
#include "strv.h"

/* ioctl(TIOCSTI) types into a terminal's input and ioctl(TIOCLINUX) pastes the console
 * selection: with a terminal shared with the host (corral -P on a tty) that is an escape.  The
 * kernel takes the command as a 32-bit int, so only the low 32 bits of the argument may be
 * compared (a 64-bit compare is bypassed by setting high bits; libseccomp 2.5 cannot say
 * "low 32 bits not equal" in an allow rule).  So this hand-written prefix runs before
 * libseccomp's program, in the same filter (a second filter costs its own attach): it returns
 * EPERM for those two and falls through to the list (index 12) for everything else.
 * Little-endian: the low half of args[1] is at offset 24. */
#define AUDIT_ARCH_X86_64_ 0xC000003EU
#define AUDIT_ARCH_I386_ 0x40000003U
static const struct sock_filter tty_prefix[] = {
        /* 0 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
        /* 1 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64_, 1, 0),
        /* 2 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_I386_, 3, 9),
        /* 3: x86-64 ioctl is 16, x32's is 514 with the x32 bit */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 4 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 16, 3, 0),
        /* 5 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0x40000000U | 514, 2, 6),
        /* 6: i386 ioctl is 54 */
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        /* 7 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 54, 0, 4),
        /* 8 */ BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, args[1])),
        /* 9 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCSTI, 1, 0),
        /* 10 */ BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, TIOCLINUX, 0, 1),
        /* 11 */ BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        /* 12: libseccomp's program follows */
};


/* --suppress-sync=yes, as nspawn: the @sync calls succeed without doing anything, opening with
 * O_SYNC or O_DSYNC fails with EINVAL (the flag cannot be taken off), and openat2(), whose
 * flags sit in a struct a filter cannot read, says ENOSYS so callers fall back to openat(). */
static int add_suppressing(scmp_filter_ctx ctx, const char *name, int nr)
{
        const SyscallGroup *sync = syscall_group_find("@sync");
        for (const char *const *i = sync->entries; *i; i++)
                if (streq(*i, name))
                        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(0), nr, 0);
        if (streq(name, "openat2"))
                return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), nr, 0);
        int flags_arg = streq(name, "open") ? 1 : streq(name, "openat") ? 2 : -1;
        if (flags_arg < 0)
                return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
        /* O_SYNC is O_DSYNC plus a bit: testing O_DSYNC catches both. */
        int r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 1, SCMP_CMP((unsigned)flags_arg, SCMP_CMP_MASKED_EQ, O_DSYNC, 0));
        if (r < 0)
                return r;
        return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), nr, 1, SCMP_CMP((unsigned)flags_arg, SCMP_CMP_MASKED_EQ, O_DSYNC, O_DSYNC));
}
#define FILTER_FORMAT 3

static int compile(char *const *names, bool suppress_sync, struct sock_fprog *ret, Error *e)
{
        scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
        int r = 0;
        if (!ctx)
                return error_set(e, -ENOMEM, "cannot set up the system call filter (libseccomp)");
        /* nspawn's setting: the filter does not switch on no_new_privs by itself. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        /* A binary tree of system call numbers rather than a chain: the kernel runs the filter
         * for every number at attach time (its action cache) and on every uncached call. */
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
#if defined(__x86_64__)
        /* i386 system calls go through the same list, not past it.  x32 ones are refused with
         * ENOSYS, as by a kernel without syscall.x32=y (Debian's default): listing them too
         * doubled the cost of installing the filter, for an ABI hardly anyone runs. */
        if ((r = seccomp_arch_add(ctx, SCMP_ARCH_X86)) < 0 && r != -EEXIST) {
                error_set_errno(e, r, "cannot add the i386 architecture to the system call filter");
                goto out;
        }
        (void)seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_ERRNO(ENOSYS));
#endif
        r = 0;
        for (char *const *n = names; n && *n; n++) {
                int nr = seccomp_syscall_resolve_name(*n);
                if (nr == __NR_SCMP_ERROR)
                        continue; /* not a system call of this architecture */
                r = suppress_sync ? add_suppressing(ctx, *n, nr) : seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
                if (r < 0 && r != -EEXIST) {
                        error_set_errno(e, r, "cannot add %s to the system call filter", *n);
                        goto out;
                }
                r = 0;
        }
        /* The compiled program, through a memfd: libseccomp writes it to an fd. */
        int fd = memfd_create("corral-seccomp", MFD_CLOEXEC);
        if (fd < 0) {
                r = error_set_errno(e, -errno, "cannot create a memfd for the system call filter");
                goto out;
        }
        if ((r = seccomp_export_bpf(ctx, fd)) < 0) {
                close(fd);
                error_set_errno(e, r, "cannot compile the system call filter");
                goto out;
        }
        off_t size = lseek(fd, 0, SEEK_END);
        size_t np = ELEMENTSOF(tty_prefix);
        struct sock_filter *f = size > 0 ? malloc(sizeof(tty_prefix) + (size_t)size) : NULL;
        if (f)
                memcpy(f, tty_prefix, sizeof(tty_prefix));
        if (!f || (size_t)size / sizeof(struct sock_filter) + np > BPF_MAXINSNS || pread(fd, f + np, (size_t)size, 0) != size) {
                free(f);
                close(fd);
                r = error_set(e, -EIO, "cannot read the compiled system call filter back");
                goto out;
        }
        close(fd);
        *ret = (struct sock_fprog){.len = (unsigned short)(np + (size_t)size / sizeof(struct sock_filter)), .filter = f};
out:
        seccomp_release(ctx);
        return r < 0 ? r : 0;
}


/* Compiling with libseccomp takes about 13 ms here, four times corral's whole start; the
 * program only depends on the list of names, so it is kept in the cache directory under a hash
 * of the names, libseccomp's version and ours.  The directory is root's (0700): whoever can
 * write there is root on the host already. */
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

int seccomp_build_policy(uint64_t caps, char *const *allow, char *const *deny, bool suppress_sync, const char *cache_dir,
                         struct sock_fprog *ret, Error *e)
{
        const struct scmp_version *v = seccomp_version();
        char key[256];
        uint64_t h = 0xcbf29ce484222325ULL;
        /* The key is what the filter is made from (so a hit costs no expansion of the groups):
         * the capabilities, the lists as given, the groups' source, the versions, and
         * FILTER_FORMAT, which changes whenever compile() or the prefix does. */
        snprintf(key, sizeof(key), "%s/%d/%u.%u.%u/%s/%016llx", CORRAL_VERSION, FILTER_FORMAT, v ? v->major : 0, v ? v->minor : 0,
                 v ? v->micro : 0, syscall_groups_source, (unsigned long long)caps);
        h = fnv1a(h, key);
        h = fnv1a(h, suppress_sync ? "+suppress-sync" : "");
        for (char *const *n = allow; n && *n; n++)
                h = fnv1a(h, *n);
        h = fnv1a(h, "~");
        for (char *const *n = deny; n && *n; n++)
                h = fnv1a(h, *n);
        char name[32];
        snprintf(name, sizeof(name), "seccomp-%016llx", (unsigned long long)h);

        _cleanup_close_ int dirfd = -1;
        if (cache_dir && mkdir_p(cache_dir, 0700) >= 0)
                dirfd = open(cache_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dirfd >= 0 && cache_read(dirfd, name, ret) == 0)
                return 0;
        char **names = syscall_policy_names(caps, allow, deny);
        if (!names)
                return error_set(e, -ENOMEM, "cannot work out the system call filter");
        int r = compile(names, suppress_sync, ret, e);
        strv_free(names);
        if (r >= 0 && dirfd >= 0)
                cache_write(dirfd, name, ret);
        return r;
}

int seccomp_install(const struct sock_fprog *prog)
{
        return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) < 0 ? -errno : 0;
}
