/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The device policy as a cgroup2 device program: eBPF written out by hand (a few instructions
 * per rule), loaded and attached with the bpf() system call. */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "cgroup.h"
#include "device-policy.h"
#include "fs-util.h"
#include "macro.h"

static const DeviceRule defaults[] = {
        {'c', 1, 1, 3, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* null */
        {'c', 1, 1, 5, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* zero */
        {'c', 1, 1, 7, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* full */
        {'c', 1, 1, 8, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* random */
        {'c', 1, 1, 9, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* urandom */
        {'c', 5, 5, 0, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* tty */
        {'c', 5, 5, 2, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},     /* ptmx */
        {'c', 136, 143, -1, DEVICE_READ | DEVICE_WRITE},               /* pty slaves: the console too */
        {'c', 10, 10, 200, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD}, /* net/tun */
};

const DeviceRule *device_policy_default(size_t *n)
{
        *n = ELEMENTSOF(defaults);
        return defaults;
}

/* eBPF instruction builders (the kernel's filter.h macros are not exported to user space). */
#define INSN(c, d, s, o, i) ((struct bpf_insn){.code = (c), .dst_reg = (d), .src_reg = (s), .off = (o), .imm = (i)})
#define LDX_W(dst, src, off) INSN(BPF_LDX | BPF_W | BPF_MEM, dst, src, off, 0)
#define MOV_REG(dst, src) INSN(BPF_ALU64 | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV_IMM(dst, imm) INSN(BPF_ALU64 | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define AND_IMM(dst, imm) INSN(BPF_ALU64 | BPF_AND | BPF_K, dst, 0, 0, imm)
#define RSH_IMM(dst, imm) INSN(BPF_ALU64 | BPF_RSH | BPF_K, dst, 0, 0, imm)
#define JMP_IMM(op, dst, imm, off) INSN(BPF_JMP | (op) | BPF_K, dst, 0, off, imm)
#define EXIT() INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Appends the test of one rule: falls through to "return 1" when it matches, else jumps past. */
static size_t emit_rule(struct bpf_insn *p, const DeviceRule *r)
{
        size_t n = 0;
        /* r2 = type, r3 = access, r4 = major, r5 = minor (set up in the prologue) */
        struct bpf_insn body[8];
        size_t k = 0;
        body[k++] = JMP_IMM(BPF_JNE, 2, r->type == 'b' ? BPF_DEVCG_DEV_BLOCK : BPF_DEVCG_DEV_CHAR, 0);
        if (r->major == r->major_last)
                body[k++] = JMP_IMM(BPF_JNE, 4, (int32_t)r->major, 0);
        else {
                body[k++] = JMP_IMM(BPF_JLT, 4, (int32_t)r->major, 0);
                body[k++] = JMP_IMM(BPF_JGT, 4, (int32_t)r->major_last, 0);
        }
        if (r->minor >= 0)
                body[k++] = JMP_IMM(BPF_JNE, 5, (int32_t)r->minor, 0);
        /* every access asked for must be granted: (access & ~granted) == 0 */
        body[k++] = MOV_REG(6, 3);
        body[k++] = AND_IMM(6, (int32_t)(~r->access & 7u));
        body[k++] = JMP_IMM(BPF_JNE, 6, 0, 0);
        body[k++] = MOV_IMM(0, 1);
        body[k++] = EXIT();
        /* every conditional jump skips to the end of this rule */
        for (size_t i = 0; i < k; i++)
                if (BPF_CLASS(body[i].code) == BPF_JMP && BPF_OP(body[i].code) != BPF_EXIT)
                        body[i].off = (int16_t)(k - i - 1);
        memcpy(p, body, sizeof(body[0]) * k);
        n += k;
        return n;
}

int device_policy_attach(int cgroup_fd, size_t n_defaults, const DeviceRule *extra, size_t n_extra, Error *e)
{
        size_t n_def = MIN(n_defaults, ELEMENTSOF(defaults)), n_rules = n_def + n_extra;
        struct bpf_insn prog[16 + 10 * 64];
        size_t n = 0;
        if (n_rules > 64)
                return error_set(e, -E2BIG, "too many device rules (%zu, at most 64)", n_rules);
        /* struct bpf_cgroup_dev_ctx { u32 access_type (access << 16 | type); u32 major; u32 minor; } */
        prog[n++] = LDX_W(2, 1, 0);
        prog[n++] = MOV_REG(3, 2);
        prog[n++] = AND_IMM(2, 0xffff);
        prog[n++] = RSH_IMM(3, 16);
        prog[n++] = LDX_W(4, 1, 4);
        prog[n++] = LDX_W(5, 1, 8);
        for (size_t i = 0; i < n_rules; i++)
                n += emit_rule(prog + n, i < n_def ? &defaults[i] : &extra[i - n_def]);
        prog[n++] = MOV_IMM(0, 0);
        prog[n++] = EXIT();

        union bpf_attr load = {
                .prog_type = BPF_PROG_TYPE_CGROUP_DEVICE,
                .insns = (uint64_t)(uintptr_t)prog,
                .insn_cnt = (uint32_t)n,
                .license = (uint64_t)(uintptr_t) "GPL",
        };
        strncpy(load.prog_name, "corral_devices", sizeof(load.prog_name) - 1);
        int fd = (int)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
        if (fd < 0) {
                /* Again with the verifier's verdict (its last lines), for the message. */
                int err = errno;
                static char log[65536];
                load.log_buf = (uint64_t)(uintptr_t)log;
                load.log_size = sizeof(log);
                load.log_level = 1;
                log[0] = 0;
                (void)syscall(SYS_bpf, BPF_PROG_LOAD, &load, sizeof(load));
                size_t len = strlen(log);
                const char *tail = len > 300 ? log + len - 300 : log;
                if (err == EPERM)
                        return error_set_errno(
                                e, -err,
                                "cannot load the device policy program: bpf() is not permitted here (inside a container, its system call filter must allow bpf and it needs CAP_BPF or CAP_SYS_ADMIN: start the outer one with --nesting)");
                return error_set_errno(e, -err, "cannot load the device policy program (the kernel needs CONFIG_CGROUP_BPF)%s%s",
                                       tail[0] ? "; verifier: " : "", tail);
        }
        union bpf_attr attach = {
                .target_fd = (uint32_t)cgroup_fd,
                .attach_bpf_fd = (uint32_t)fd,
                .attach_type = BPF_CGROUP_DEVICE,
                .attach_flags = BPF_F_ALLOW_MULTI,
        };
        int r = syscall(SYS_bpf, BPF_PROG_ATTACH, &attach, sizeof(attach)) < 0 ? -errno : 0;
        close(fd); /* the attachment keeps the program */
        if (r < 0)
                return error_set_errno(e, r, "cannot attach the device policy to the container's cgroup");
        return 0;
}

/* cgroup v1: the devices controller's own cgroup for the container.  The rules go in as
 * devices.allow lines after a deny-all; the child is put there by the supervisor joining the
 * cgroup for the moment of the clone (the child is born in it), then going back. */
#define DEVICES_V1 "/sys/fs/cgroup/devices"

static int write_line(int dirfd, const char *file, const char *line)
{
        _cleanup_close_ int fd = openat(dirfd, file, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write(fd, line, strlen(line)) < 0 ? -errno : 0;
}

bool device_policy_v1_available(void)
{
        struct statfs sf;
        return statfs(DEVICES_V1, &sf) == 0 && sf.f_type == CGROUP_SUPER_MAGIC && access(DEVICES_V1 "/devices.allow", W_OK) == 0;
}

int device_policy_v1_create(const char *rel, size_t keep, size_t n_defaults, const DeviceRule *extra, size_t n_extra, DevicesV1 *ret, Error *e)
{
        size_t n_def = MIN(n_defaults, ELEMENTSOF(defaults));
        DevicesV1 d = {.fd = -1, .back_fd = -1};
        char path[PATH_MAX], line[64];
        int r;

        *ret = d;
        snprintf(path, sizeof(path), DEVICES_V1 "/%s", rel);
        d.keep = strlen(DEVICES_V1) + (keep ? keep + 1 : 0);
        _cleanup_free_ char *parent = path_dirname(path);
        if (!parent)
                return -ENOMEM;
        if ((r = mkdir_p(parent, 0755)) < 0)
                return error_set_errno(e, r, "cannot create the devices cgroup %s", parent);
        if (mkdir(path, 0755) < 0)
                return error_set_errno(e, -errno,
                                       errno == EEXIST ? "the devices cgroup %s exists: is a container of that name running?"
                                                       : "cannot create the devices cgroup %s",
                                       path);
        d.path = strdup(path);
        d.fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (!d.path || d.fd < 0) {
                r = d.path ? -errno : -ENOMEM;
                device_policy_v1_remove(&d);
                return error_set_errno(e, r, "cannot open the devices cgroup %s", path);
        }
        if ((r = write_line(d.fd, "devices.deny", "a")) < 0)
                goto fail;
        for (size_t i = 0; i < n_def + n_extra; i++) {
                const DeviceRule *x = i < n_def ? &defaults[i] : &extra[i - n_def];
                char minor[24] = "*", access[4] = "";
                if (x->minor >= 0)
                        snprintf(minor, sizeof(minor), "%lld", (long long)x->minor);
                snprintf(access, sizeof(access), "%s%s%s", x->access & DEVICE_READ ? "r" : "", x->access & DEVICE_WRITE ? "w" : "",
                         x->access & DEVICE_MKNOD ? "m" : "");
                if (x->major == 0 && x->major_last == UINT32_MAX) {
                        /* Any major: one rule. */
                        snprintf(line, sizeof(line), "%c *:%s %s", x->type, minor, access);
                        if ((r = write_line(d.fd, "devices.allow", line)) < 0)
                                goto fail;
                        continue;
                }
                for (uint64_t maj = x->major; maj <= x->major_last; maj++) {
                        snprintf(line, sizeof(line), "%c %u:%s %s", x->type, (unsigned)maj, minor, access);
                        if ((r = write_line(d.fd, "devices.allow", line)) < 0)
                                goto fail;
                }
        }
        *ret = d;
        return 0;
fail:
        device_policy_v1_remove(&d);
        return error_set_errno(e, r, "cannot set up the devices cgroup %s", path);
}

int device_policy_v1_enter(DevicesV1 *d, Error *e)
{
        _cleanup_free_ char *own = NULL;
        char back[PATH_MAX];
        int r;
        if (d->fd < 0)
                return 0;
        /* The supervisor's own devices cgroup, to go back to. */
        if ((r = cgroup_of_pid(getpid(), "devices", &own)) < 0)
                return error_set_errno(e, r, "cannot find corral's own devices cgroup");
        snprintf(back, sizeof(back), DEVICES_V1 "/%s", own);
        d->back_fd = open(back, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (d->back_fd < 0)
                return error_set_errno(e, -errno, "cannot open %s", back);
        if ((r = write_line(d->fd, "cgroup.procs", "0")) < 0)
                return error_set_errno(e, r, "cannot enter the devices cgroup %s", d->path);
        return 0;
}

void device_policy_v1_leave(DevicesV1 *d)
{
        if (d->back_fd >= 0)
                (void)write_line(d->back_fd, "cgroup.procs", "0");
        closep(&d->back_fd);
}

void device_policy_v1_remove(DevicesV1 *d)
{
        device_policy_v1_leave(d);
        closep(&d->fd);
        if (d->path) {
                /* Like the cgroup2 one: the last task may need a moment to leave. */
                for (int i = 0; i < 250 && rmdir(d->path) < 0 && errno == EBUSY; i++)
                        usleep(20000);
                rmdir_parents(d->path, d->keep); /* and the slice levels left empty */
        }
        d->path = mfree(d->path);
}

void device_policy_v1_remove_at(const char *rel, size_t keep)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), DEVICES_V1 "/%s", rel);
        if (access(path, F_OK) < 0)
                return;
        DevicesV1 d = {.fd = -1, .back_fd = -1, .path = strdup(path), .keep = strlen(DEVICES_V1) + (keep ? keep + 1 : 0)};
        device_policy_v1_remove(&d);
}
