/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The escape and abuse battery of corral-probe: each probe tries one thing a container must not
 * be able to do (or documents what it can), harmlessly: system calls get arguments that are
 * invalid or change nothing, devices are only opened for reading, nothing is written outside
 * the probe's own files.  One line per probe: "NAME RESULT DETAIL", RESULT being
 *   blocked   the kernel refused before looking at the request (EPERM, EACCES, EROFS, ...)
 *   allowed   the request reached the kernel's own checks or succeeded (harmless here)
 *   absent    there is nothing to try (no such file in the container)
 *   escaped   the container reached something of the host's
 * Environment: CORRAL_PROBE_MARKER, a path that exists only on the host; CORRAL_PROBE_HOSTPID,
 * a process of the host. */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <fcntl.h>
#include <linux/keyctl.h>
#include <linux/perf_event.h>
#include <linux/reboot.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/timex.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "escape.h"

static bool streq_(const char *a, const char *b)
{
        return strcmp(a, b) == 0;
}

static int report(const char *name, const char *result, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int report(const char *name, const char *result, const char *fmt, ...)
{
        char detail[256] = "";
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(detail, sizeof(detail), fmt, ap);
        va_end(ap);
        printf("%s %s %s\n", name, result, detail);
        return 0;
}

/* The usual reading of a system call's result: refused up front, or it got through. */
static int verdict(const char *name, long r, int err)
{
        if (r >= 0)
                return report(name, "allowed", "succeeded");
        if (err == EPERM || err == EACCES || err == EROFS)
                return report(name, "blocked", "%s", strerrorname_np(err) ?: "?");
        return report(name, "allowed", "reached the kernel: %s", strerrorname_np(err) ?: "?");
}
#define SYSCALL_PROBE(name, ...)                 \
        static int p_##name(void)                \
        {                                        \
                errno = 0;                       \
                long r = syscall(__VA_ARGS__);   \
                return verdict(#name, r, errno); \
        }

SYSCALL_PROBE(init_module, SYS_init_module, NULL, 0, "")
SYSCALL_PROBE(finit_module, SYS_finit_module, -1, "", 0)
SYSCALL_PROBE(delete_module, SYS_delete_module, "corral_probe_none", O_NONBLOCK)
SYSCALL_PROBE(kexec_load, SYS_kexec_load, 0, 0, NULL, 0xdead0000UL)
SYSCALL_PROBE(kexec_file_load, SYS_kexec_file_load, -1, -1, 0, NULL, 0xffffUL)
SYSCALL_PROBE(open_by_handle_at, SYS_open_by_handle_at, -1, NULL, 0)
SYSCALL_PROBE(keyctl, SYS_keyctl, KEYCTL_GET_KEYRING_ID, KEY_SPEC_SESSION_KEYRING, 0)
SYSCALL_PROBE(add_key, SYS_add_key, "corral_bogus_type", "x", NULL, 0, KEY_SPEC_PROCESS_KEYRING)
SYSCALL_PROBE(request_key, SYS_request_key, "corral_bogus_type", "x", NULL, 0)
SYSCALL_PROBE(bpf, SYS_bpf, 5 /* BPF_PROG_LOAD */, NULL, 0)
SYSCALL_PROBE(perf_event_open, SYS_perf_event_open, NULL, 0, -1, -1, 0)
SYSCALL_PROBE(settimeofday, SYS_settimeofday, NULL, NULL)
SYSCALL_PROBE(clock_settime, SYS_clock_settime, CLOCK_REALTIME, NULL)
SYSCALL_PROBE(swapon, SYS_swapon, "/corral-probe-nonexistent", 0)
SYSCALL_PROBE(swapoff, SYS_swapoff, "/corral-probe-nonexistent")
SYSCALL_PROBE(ioperm, SYS_ioperm, 0, 0, 0)
SYSCALL_PROBE(acct, SYS_acct, "/corral-probe-nonexistent/x")
SYSCALL_PROBE(quotactl, SYS_quotactl, 0x800005 /* Q_GETINFO|USRQUOTA */, "/dev/null", 0, NULL)
SYSCALL_PROBE(pidfd_getfd, SYS_pidfd_getfd, -1, 0, 0)
SYSCALL_PROBE(fanotify_init, SYS_fanotify_init, 0, 0)
SYSCALL_PROBE(lookup_dcookie, SYS_lookup_dcookie, 0, NULL, 0)
SYSCALL_PROBE(syslog_read, SYS_syslog, 3 /* SYSLOG_ACTION_READ_ALL */, NULL, 0)
SYSCALL_PROBE(mlock_big, SYS_mlockall, 4 /* MCL_ONFAULT alone: EINVAL if allowed */)

static int p_adjtimex(void)
{
        struct timex t = {.modes = ADJ_TICK, .tick = 1}; /* out of range: EINVAL if permitted */
        errno = 0;
        long r = adjtimex(&t);
        return verdict("adjtimex", r, errno);
}

static int p_iopl(void)
{
        errno = 0;
        long r = syscall(SYS_iopl, 3);
        if (r == 0)
                syscall(SYS_iopl, 0);
        return verdict("iopl", r, errno);
}

/* A device node of the host, made with mknod and opened for reading: the device policy's job. */
static int try_node(const char *name, mode_t type, dev_t dev)
{
        char path[64];
        /* In /dev: the container's /tmp is mounted nodev, which would refuse the open anyway. */
        snprintf(path, sizeof(path), "/dev/.corral-probe-%s", name);
        unlink(path);
        if (mknod(path, type | 0600, dev) < 0)
                return report(name, "blocked", "mknod: %s", strerrorname_np(errno) ?: "?");
        int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
        int err = errno;
        unlink(path);
        if (fd < 0)
                return report(name, err == EPERM || err == EACCES ? "blocked" : "allowed", "open: %s", strerrorname_np(err) ?: "?");
        char c;
        ssize_t n = read(fd, &c, 1);
        close(fd);
        return report(name, "escaped", "opened%s", n == 1 ? " and read" : "");
}

/* A block device: loop0 (7:0) exists as a major on every kernel with loop support, so the
 * result does not depend on what the container's tree sits on.  Reading it succeeds or fails
 * with ENXIO when the policy lets the open through, EPERM when it does not. */
static int p_mknod_block_device(void)
{
        return try_node("mknod_block_device", S_IFBLK, makedev(7, 0));
}
static int p_mknod_mem(void)
{
        return try_node("mknod_mem", S_IFCHR, makedev(1, 1));
}
static int p_mknod_kmsg(void)
{
        return try_node("mknod_kmsg", S_IFCHR, makedev(1, 11));
}
static int p_mknod_port(void)
{
        return try_node("mknod_port", S_IFCHR, makedev(1, 4));
}

static int p_mount_block_device(void)
{
        mkdir("/tmp/.corral-probe-mnt", 0700);
        unlink("/dev/.corral-probe-blk");
        if (mknod("/dev/.corral-probe-blk", S_IFBLK | 0600, makedev(7, 0)) < 0)
                return report("mount_block_device", "blocked", "mknod: %s", strerrorname_np(errno) ?: "?");
        int r = mount("/dev/.corral-probe-blk", "/tmp/.corral-probe-mnt", "ext4", MS_RDONLY, NULL);
        int err = errno;
        if (r == 0)
                umount2("/tmp/.corral-probe-mnt", MNT_DETACH);
        unlink("/dev/.corral-probe-blk");
        rmdir("/tmp/.corral-probe-mnt");
        if (r == 0)
                return report("mount_block_device", "escaped", "mounted a block device");
        return report("mount_block_device", err == EPERM || err == EACCES ? "blocked" : "allowed", "%s", strerrorname_np(err) ?: "?");
}

/* Files: open for writing (never written) or reading. */
static int try_open(const char *name, const char *path, int flags)
{
        int fd = open(path, flags | O_CLOEXEC | O_NONBLOCK);
        if (fd >= 0) {
                close(fd);
                return report(name, "allowed", "opened %s", path);
        }
        if (errno == ENOENT)
                return report(name, "absent", "%s", path);
        return report(name, errno == EPERM || errno == EACCES || errno == EROFS ? "blocked" : "allowed", "%s", strerrorname_np(errno) ?: "?");
}
static int p_write_proc_sys(void)
{
        return try_open("write_proc_sys", "/proc/sys/kernel/domainname", O_WRONLY);
}
static int p_write_sysrq_trigger(void)
{
        return try_open("write_sysrq_trigger", "/proc/sysrq-trigger", O_WRONLY);
}
static int p_write_sys(void)
{
        return try_open("write_sys", access("/sys/power/state", F_OK) == 0 ? "/sys/power/state" : "/sys/kernel/mm/transparent_hugepage/enabled",
                        O_WRONLY);
}
/* A /proc file corral covers with an empty, inaccessible one: readable content means it is not. */
static int try_read_masked(const char *name, const char *path);
static int p_read_kcore(void)
{
        /* Opening it is no test: root opens the mask (an empty file of mode 0000) with
         * CAP_DAC_OVERRIDE, under nspawn too.  Its content is. */
        return try_read_masked("read_kcore", "/proc/kcore");
}
static int try_read_masked(const char *name, const char *path)
{
        FILE *f = fopen(path, "re");
        char line[256];
        if (!f)
                return report(name, errno == ENOENT ? "absent" : "blocked", "%s", strerrorname_np(errno) ?: "?");
        bool got = fgets(line, sizeof(line), f) != NULL;
        fclose(f);
        return report(name, got ? "allowed" : "blocked", got ? "readable" : "empty (masked)");
}
static int p_read_kallsyms(void)
{
        return try_read_masked("read_kallsyms", "/proc/kallsyms");
}
static int p_read_proc_keys(void)
{
        return try_read_masked("read_proc_keys", "/proc/keys");
}
static int p_read_timer_list(void)
{
        return try_read_masked("read_timer_list", "/proc/timer_list");
}

static int p_remount_proc_sys_rw(void)
{
        /* The container's own view: with the mounts unlocked (no user namespace) root may
         * change it back; it is put back read-only at once. */
        int r = mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND, NULL);
        int err = errno;
        if (r == 0)
                mount(NULL, "/proc/sys", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL);
        return verdict("remount_proc_sys_rw", r, err);
}

static int p_umount_proc_mask(void)
{
        /* Unmounting a mask (/proc/kcore etc.) would uncover the real file. */
        int r = umount2("/proc/kallsyms", MNT_DETACH);
        int err = errno;
        if (r == 0)
                return report("umount_proc_mask", "allowed", "unmasked /proc/kallsyms (the container's own /proc)");
        return verdict("umount_proc_mask", r, err);
}

static int p_leaked_fds(void)
{
        int n = 0;
        char list[128] = "";
        for (int fd = 3; fd < 1024; fd++)
                if (fcntl(fd, F_GETFD) >= 0) {
                        n++;
                        snprintf(list + strlen(list), sizeof(list) - strlen(list), " %d", fd);
                }
        return report("leaked_fds", n ? "escaped" : "blocked", n ? "open:%s" : "none beyond 0-2", list);
}

static int p_cwd_outside_root(void)
{
        char buf[4096];
        if (!getcwd(buf, sizeof(buf)))
                return report("cwd_outside_root", "escaped", "getcwd: %s", strerrorname_np(errno) ?: "?");
        return report("cwd_outside_root", buf[0] == '/' ? "blocked" : "escaped", "cwd %s", buf);
}

static int marker_visible(void)
{
        const char *m = getenv("CORRAL_PROBE_MARKER");
        return m && access(m, F_OK) == 0;
}

static int p_chroot_escape(void)
{
        /* The classic: chroot into a subdirectory while the working directory stays outside
         * it, then walk up.  Run in a child, which may end up anywhere. */
        pid_t pid = fork();
        if (pid == 0) {
                mkdir("/tmp/.corral-probe-chroot", 0700);
                if (chroot("/tmp/.corral-probe-chroot") < 0)
                        _exit(errno == EPERM ? 2 : 3);
                for (int i = 0; i < 64; i++)
                        if (chdir("..") < 0)
                                break;
                chroot(".");
                _exit(marker_visible() ? 1 : 0);
        }
        int st;
        waitpid(pid, &st, 0);
        rmdir("/tmp/.corral-probe-chroot");
        int rc = WIFEXITED(st) ? WEXITSTATUS(st) : 9;
        return report("chroot_escape", rc == 1 ? "escaped" : "blocked", rc == 2 ? "chroot: EPERM" : "stayed in the container");
}

static int p_proc_root_escape(void)
{
        /* /proc/1/root is the container's own root, and ".." of "/" is "/". */
        char path[64];
        snprintf(path, sizeof(path), "/proc/1/root/../../../..%s", getenv("CORRAL_PROBE_MARKER") ?: "/nonexistent");
        return report("proc_root_escape", access(path, F_OK) == 0 ? "escaped" : "blocked", "via /proc/1/root");
}

static int p_overwrite_exe(void)
{
        /* CVE-2019-5736: the runtime's binary through /proc/PID/exe.  PID 1 is the payload
         * (corral's child exec'd it); nothing of corral runs in here to be reopened. */
        int fd = open("/proc/1/exe", O_WRONLY | O_CLOEXEC);
        if (fd >= 0) {
                close(fd);
                return report("overwrite_exe", "escaped", "opened /proc/1/exe for writing");
        }
        return report("overwrite_exe", "blocked", "%s", strerrorname_np(errno) ?: "?");
}

static int tty_fd(void)
{
        if (isatty(0))
                return 0;
        return open("/dev/console", O_RDWR | O_NOCTTY | O_CLOEXEC);
}
/* An ioctl on the terminal (stdin, or the console) with a harmless argument. */
static int try_tty_ioctl(const char *name, unsigned long cmd)
{
        int fd = tty_fd();
        if (fd < 0)
                return report(name, "absent", "no terminal");
        char c = 0; /* a space to push for TIOCSTI, an invalid subcode for TIOCLINUX */
        if (cmd != TIOCLINUX)
                c = ' ';
        errno = 0;
        long r = syscall(SYS_ioctl, fd, cmd, &c);
        return verdict(name, r, errno);
}
static int p_tiocsti(void)
{
        return try_tty_ioctl("tiocsti", TIOCSTI);
}
static int p_tiocsti_high_bits(void)
{
        return try_tty_ioctl("tiocsti_high_bits", (unsigned long)TIOCSTI | (1UL << 32));
}
static int p_tioclinux(void)
{
        return try_tty_ioctl("tioclinux", TIOCLINUX);
}

static int p_cgroup_release_agent(void)
{
        /* CVE-2022-0492: a cgroup v1 hierarchy's release_agent runs as root on the host.  The
         * file is only opened, never written. */
        mkdir("/tmp/.corral-probe-cg", 0700);
        if (mount("cgroup", "/tmp/.corral-probe-cg", "cgroup", 0, "none,name=corralprobe") < 0) {
                int err = errno;
                rmdir("/tmp/.corral-probe-cg");
                return report("cgroup_release_agent", err == EPERM || err == EACCES ? "blocked" : "allowed", "mount cgroup v1: %s",
                              strerrorname_np(err) ?: "?");
        }
        int fd = open("/tmp/.corral-probe-cg/release_agent", O_WRONLY | O_CLOEXEC);
        int err = errno;
        if (fd >= 0)
                close(fd);
        umount2("/tmp/.corral-probe-cg", MNT_DETACH);
        rmdir("/tmp/.corral-probe-cg");
        return report("cgroup_release_agent", fd >= 0 ? "escaped" : "blocked", fd >= 0 ? "release_agent writable" : "release_agent: %s",
                      strerrorname_np(err) ?: "?");
}

static pid_t host_pid(void)
{
        const char *p = getenv("CORRAL_PROBE_HOSTPID");
        return p ? (pid_t)atoi(p) : 0;
}
static int p_signal_host(void)
{
        pid_t p = host_pid();
        if (p <= 0)
                return report("signal_host", "absent", "no CORRAL_PROBE_HOSTPID");
        return report("signal_host", kill(p, 0) == 0 ? "escaped" : "blocked", "kill(%d, 0): %s", p, strerrorname_np(errno) ?: "ok");
}
static int p_ptrace_host(void)
{
        pid_t p = host_pid();
        if (p <= 0)
                return report("ptrace_host", "absent", "no CORRAL_PROBE_HOSTPID");
        long r = ptrace(PTRACE_SEIZE, p, NULL, NULL);
        if (r == 0) {
                ptrace(PTRACE_DETACH, p, NULL, NULL);
                return report("ptrace_host", "escaped", "seized a host process");
        }
        return report("ptrace_host", "blocked", "%s", strerrorname_np(errno) ?: "?");
}
static int p_setns_host(void)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/ns/mnt", (int)host_pid());
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd >= 0) {
                close(fd);
                return report("setns_host", "escaped", "opened a host namespace");
        }
        return report("setns_host", "blocked", "%s", strerrorname_np(errno) ?: "?");
}
static int p_host_marker(void)
{
        return report("host_marker", marker_visible() ? "escaped" : "blocked", "a host-only path");
}
static int p_reboot_cad(void)
{
        /* In a PID namespace only restart/power-off/halt mean anything (they end the
         * container); switching Ctrl-Alt-Del is refused. */
        errno = 0;
        long r = syscall(SYS_reboot, LINUX_REBOOT_MAGIC1, LINUX_REBOOT_MAGIC2, LINUX_REBOOT_CMD_CAD_OFF, NULL);
        if (r == 0)
                return report("reboot_cad", "escaped", "changed the host's Ctrl-Alt-Del");
        return report("reboot_cad", "blocked", "%s", strerrorname_np(errno) ?: "?");
}
static int p_sethostname(void)
{
        errno = 0;
        long r = sethostname("corral-probe", 12);
        return verdict("sethostname", r, errno); /* the UTS namespace is the container's own */
}
static int p_unshare_userns(void)
{
        pid_t pid = fork();
        if (pid == 0)
                _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : errno);
        int st;
        waitpid(pid, &st, 0);
        int err = WIFEXITED(st) ? WEXITSTATUS(st) : EIO;
        return err ? report("unshare_userns", "blocked", "%s", strerrorname_np(err) ?: "?") : report("unshare_userns", "allowed", "%s", "created");
}
static int p_cgroup_namespace(void)
{
        /* With a cgroup namespace rooted at the container's cgroup, the container sees itself
         * at "/" and has no way up to the host's cgroups. */
        FILE *f = fopen("/proc/self/cgroup", "re");
        char line[512], path[512] = "";
        while (f && fgets(line, sizeof(line), f))
                if (strncmp(line, "0::", 3) == 0)
                        snprintf(path, sizeof(path), "%s", line + 3);
        if (f)
                fclose(f);
        path[strcspn(path, "\n")] = 0;
        if (!path[0])
                return report("cgroup_namespace", "absent", "no cgroup2 membership");
        return report("cgroup_namespace", streq_(path, "/") ? "blocked" : "allowed", "own cgroup seen as %s", path);
}

const EscapeProbe escape_probes[] = {
        {"init_module", p_init_module},
        {"finit_module", p_finit_module},
        {"delete_module", p_delete_module},
        {"kexec_load", p_kexec_load},
        {"kexec_file_load", p_kexec_file_load},
        {"open_by_handle_at", p_open_by_handle_at},
        {"keyctl", p_keyctl},
        {"add_key", p_add_key},
        {"request_key", p_request_key},
        {"bpf", p_bpf},
        {"perf_event_open", p_perf_event_open},
        {"settimeofday", p_settimeofday},
        {"clock_settime", p_clock_settime},
        {"adjtimex", p_adjtimex},
        {"swapon", p_swapon},
        {"swapoff", p_swapoff},
        {"ioperm", p_ioperm},
        {"iopl", p_iopl},
        {"acct", p_acct},
        {"quotactl", p_quotactl},
        {"pidfd_getfd", p_pidfd_getfd},
        {"fanotify_init", p_fanotify_init},
        {"lookup_dcookie", p_lookup_dcookie},
        {"syslog_read", p_syslog_read},
        {"mlock_big", p_mlock_big},
        {"mknod_block_device", p_mknod_block_device},
        {"mknod_mem", p_mknod_mem},
        {"mknod_kmsg", p_mknod_kmsg},
        {"mknod_port", p_mknod_port},
        {"mount_block_device", p_mount_block_device},
        {"write_proc_sys", p_write_proc_sys},
        {"write_sysrq_trigger", p_write_sysrq_trigger},
        {"write_sys", p_write_sys},
        {"read_kcore", p_read_kcore},
        {"read_kallsyms", p_read_kallsyms},
        {"read_proc_keys", p_read_proc_keys},
        {"read_timer_list", p_read_timer_list},
        {"remount_proc_sys_rw", p_remount_proc_sys_rw},
        {"umount_proc_mask", p_umount_proc_mask},
        {"leaked_fds", p_leaked_fds},
        {"cwd_outside_root", p_cwd_outside_root},
        {"chroot_escape", p_chroot_escape},
        {"proc_root_escape", p_proc_root_escape},
        {"overwrite_exe", p_overwrite_exe},
        {"tiocsti", p_tiocsti},
        {"tiocsti_high_bits", p_tiocsti_high_bits},
        {"tioclinux", p_tioclinux},
        {"cgroup_release_agent", p_cgroup_release_agent},
        {"cgroup_namespace", p_cgroup_namespace},
        {"signal_host", p_signal_host},
        {"ptrace_host", p_ptrace_host},
        {"setns_host", p_setns_host},
        {"host_marker", p_host_marker},
        {"reboot_cad", p_reboot_cad},
        {"sethostname", p_sethostname},
        {"unshare_userns", p_unshare_userns},
        {NULL, NULL},
};
