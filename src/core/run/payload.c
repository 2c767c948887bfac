/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last steps inside the container, after pivot_root: who the payload runs as, its stdio,
 * its environment, its capabilities, and the exec.  Failures go back to the supervisor. */
#include <linux/filter.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/close_range.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp.h"
#include "exec-limits.h"
#include "container.h"
#include "credentials.h"
#include "fs-util.h"
#include "process-util.h"
#include "parse-util.h"
#include "strv.h"

#define FAIL(fd, code, ...)                            \
        do {                                           \
                char _m[1024];                         \
                snprintf(_m, sizeof(_m), __VA_ARGS__); \
                child_report(fd, code, _m);            \
                _exit(EXIT_FAILURE);                   \
        } while (0)
/* The same, with the error's text after the message. */
#define FAIL_ERRNO(fd, code, fmt, ...) FAIL(fd, code, fmt ": %s", ##__VA_ARGS__, strerror(-(code)))

/* setrlimit(), or as close to it as the hard limit allows when we may not raise it (as
 * systemd's setrlimit_closest()). */
static int setrlimit_closest(int resource, const struct rlimit *want)
{
        if (setrlimit(resource, want) == 0)
                return 0;
        if (errno != EPERM)
                return -errno;
        struct rlimit have, r;
        if (getrlimit(resource, &have) < 0)
                return -errno;
        r.rlim_max = want->rlim_max < have.rlim_max ? want->rlim_max : have.rlim_max;
        r.rlim_cur = want->rlim_cur < r.rlim_max ? want->rlim_cur : r.rlim_max;
        return setrlimit(resource, &r) < 0 ? -errno : 0;
}

/* Resource limits, OOM score and CPU affinity, while we still hold CAP_SYS_RESOURCE and
 * CAP_SYS_NICE. */
static void apply_limits(const ProcessSpec *s, int sync_fd)
{
        int r;
        for (int l = 0; l < RLIMIT_NLIMITS; l++)
                if (s->rlimit_set & (UINT64_C(1) << l)) {
                        if ((r = setrlimit_closest(l, &s->rlimits[l])) < 0)
                                FAIL_ERRNO(sync_fd, r, "%s%s%s%s: the kernel refused the limit",
                                           s->oci_process ? "process.rlimits RLIMIT_" : "--rlimit=", rlimit_to_name(l),
                                           s->oci_process ? "" : "=/Limit", s->oci_process ? "" : rlimit_to_name(l));
                } else if (l == RLIMIT_NOFILE && !s->oci_process) {
                        /* As nspawn: a payload that did not ask starts with the select()-safe
                         * soft limit of 1024, keeping the hard limit. */
                        struct rlimit nf;
                        if (getrlimit(RLIMIT_NOFILE, &nf) == 0 && nf.rlim_cur > 1024) {
                                nf.rlim_cur = 1024;
                                (void)setrlimit(RLIMIT_NOFILE, &nf);
                        }
                }
        if (s->have_oom_score_adjust) {
                char buf[16];
                int n = snprintf(buf, sizeof(buf), "%d", s->oom_score_adjust);
                if ((r = write_file_at(AT_FDCWD, "/proc/self/oom_score_adj", buf, (size_t)n, 0)) < 0)
                        FAIL_ERRNO(sync_fd, r, "%s%d: cannot write /proc/self/oom_score_adj",
                                   s->oci_process ? "process.oomScoreAdj " : "--oom-score-adjust=/OOMScoreAdjust=", s->oom_score_adjust);
        }
        if (s->cpu_affinity && sched_setaffinity(0, sizeof(*s->cpu_affinity), (const cpu_set_t *)s->cpu_affinity) < 0)
                FAIL_ERRNO(sync_fd, -errno, "--cpu-affinity=/CPUAffinity=: the kernel refused the CPU set");
}

/* The AppArmor profile the next exec enters, as runc sets it: through the container's /proc. */
static int apparmor_on_exec(const char *profile)
{
        char buf[512];
        int n = snprintf(buf, sizeof(buf), "exec %s", profile);
        if (n < 0 || (size_t)n >= sizeof(buf))
                return -ENAMETOOLONG;
        int r = write_file_at(AT_FDCWD, "/proc/self/attr/apparmor/exec", buf, (size_t)n, 0);
        if (r == -ENOENT)
                r = write_file_at(AT_FDCWD, "/proc/self/attr/exec", buf, (size_t)n, 0);
        return r;
}

/* execve() with a PATH search that uses the container's PATH, not ours; with argv NULL, only
 * whether the exec would find file (0). */
static int exec_search(const char *file, char *const *argv, char **envp)
{
        if (strchr(file, '/')) {
                if (!argv)
                        return access(file, X_OK) < 0 ? -errno : 0;
                execve(file, argv, envp);
                return -errno;
        }
        const char *path = strv_env_get(envp, "PATH");
        int last = -ENOENT;
        _cleanup_free_ char *copy = strdup(path ? path : "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *d = strtok_r(copy, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
                char full[PATH_MAX];
                snprintf(full, sizeof(full), "%s/%s", d, file);
                if (!argv && access(full, X_OK) == 0)
                        return 0;
                if (argv)
                        execve(full, argv, envp);
                if (errno != ENOENT && errno != ENOTDIR)
                        last = -errno;
        }
        return last;
}

void parent_death_arm(int sync_fd)
{
        (void)prctl(PR_SET_PDEATHSIG, SIGKILL);
        struct pollfd p = {.fd = sync_fd, .events = POLLRDHUP};
        if (sync_fd >= 0 && poll(&p, 1, 0) > 0 && (p.revents & (POLLHUP | POLLRDHUP)))
                _exit(EXIT_FAILURE);
}

/* An OCI process's HOME, where its environment has none: the tree's passwd entry for its
 * UID, else "/" (as runc). */
static void oci_home(char ***env, uid_t uid)
{
        if (strv_env_get(*env, "HOME"))
                return;
        char id[16], buf[PATH_MAX + 8];
        User u = {0};
        snprintf(id, sizeof(id), "%u", (unsigned)uid);
        snprintf(buf, sizeof(buf), "HOME=%s", user_lookup(id, &u) >= 0 && u.home ? u.home : "/");
        user_done(&u);
        strv_env_set(env, buf);
}

/* The gate of a created container (RunConfig.gate_fd): tells the runtime the container waits,
 * then waits for the start's connection, which takes over as the channel for errors (the
 * runtime that made us is gone by then).  Returns that connection. */
static int wait_at_gate(const RunConfig *c, int sync_fd)
{
        /* The runtime ends once it hears from us; we stay, for the start: the parent-death
         * signal goes first. */
        (void)prctl(PR_SET_PDEATHSIG, 0);
        child_report_ready(sync_fd);
        close(sync_fd);
        int conn;
        do
                conn = accept4(c->gate_fd, NULL, NULL, SOCK_CLOEXEC);
        while (conn < 0 && errno == EINTR);
        if (conn < 0)
                _exit(EXIT_FAILURE);
        close(c->gate_fd);
        return conn;
}

void payload_exec(const RunConfig *c, int console_peer, int sync_fd, pid_t host_pid)
{
        const ProcessSpec *s = &c->process;
        _cleanup_strv_free_ char **env = strv_copy(c->environment);
        User u = {.uid = s->uid, .gid = s->gid};
        int r;

        if (!env)
                FAIL(sync_fd, -ENOMEM, "out of memory");
        /* root (or 0) is root without a look-up, as nspawn: a tree need not have /etc/passwd. */
        bool root = s->oci_process ? false : !s->user || streq(s->user, "root") || streq(s->user, "0");
        if (!root && !s->oci_process && (r = user_lookup(s->user, &u)) < 0)
                FAIL(sync_fd, r, "--user=%s: no such user in the container's /etc/passwd", s->user);
        if (s->oci_process) {
                u.groups = s->groups;
                u.n_groups = s->n_groups;
                u.have_groups = true;
                oci_home(&env, s->uid);
        }

        /* HOME, USER and LOGNAME as nspawn sets them, then the user's own -E values win. */
        char buf[PATH_MAX + 16];
        if (s->oci_process)
                ; /* an OCI process's environment is its own */
        else if (u.home || u.uid == 0) {
                snprintf(buf, sizeof(buf), "HOME=%s", u.home ? u.home : "/root");
                strv_env_set(&env, buf);
        }
        if (!s->oci_process && (s->user || u.uid == 0)) {
                snprintf(buf, sizeof(buf), "USER=%s", u.name ? u.name : s->user ? s->user : "root");
                strv_env_set(&env, buf);
                snprintf(buf, sizeof(buf), "LOGNAME=%s", u.name ? u.name : s->user ? s->user : "root");
                strv_env_set(&env, buf);
        }
        for (char *const *i = s->environment; i && *i; i++)
                strv_env_set(&env, *i);

        if (console_peer >= 0) {
                if (setsid() < 0 && errno != EPERM)
                        FAIL_ERRNO(sync_fd, -errno, "setsid() failed");
                if (ioctl(console_peer, TIOCSCTTY, 0) < 0)
                        FAIL_ERRNO(sync_fd, -errno, "cannot make the console the controlling terminal");
                for (int fd = 0; fd < 3; fd++)
                        if (dup2(console_peer, fd) < 0)
                                FAIL_ERRNO(sync_fd, -errno, "cannot attach stdio to the console");
                if (console_peer > 2)
                        close(console_peer);
        }

        if (s->personality != PERSONALITY_INVALID && personality(s->personality) < 0)
                FAIL_ERRNO(sync_fd, -errno, "%s%s: the kernel refused it",
                           s->oci_process ? "linux.personality " : "--personality=", personality_to_string(s->personality));
        apply_limits(s, sync_fd);
        if (s->apparmor_profile && (r = apparmor_on_exec(s->apparmor_profile)) < 0)
                FAIL_ERRNO(sync_fd, r, "cannot set the AppArmor profile %s for the exec (is it loaded?)", s->apparmor_profile);
        /* A user namespace to join (an OCI config's, a pod's): entered once the file system is
         * built and the limits are set, which need the host's privileges; then a mount
         * namespace of its own, owned by it, as runc makes one after joining, so that the
         * container's root may mount in it. */
        if (c->namespaces[NS_USER].mode == NS_JOIN) {
                if (setns(c->namespaces[NS_USER].fd, CLONE_NEWUSER) < 0)
                        FAIL_ERRNO(sync_fd, -errno, "cannot enter the user namespace to join");
                if (unshare(CLONE_NEWNS) < 0)
                        FAIL_ERRNO(sync_fd, -errno, "cannot make a mount namespace in the user namespace joined");
                close(c->namespaces[NS_USER].fd);
        }
        /* The filter goes in while we still hold CAP_SYS_ADMIN (no no_new_privs needed), and
         * before the user change, as nspawn. */
        if (c->seccomp && c->seccomp_notify) {
                /* Its listener to the runtime's agent before anything else runs under it. */
                if ((r = seccomp_install_listener(c->seccomp)) < 0)
                        FAIL_ERRNO(sync_fd, r, "cannot install the system call filter with a listener (SCMP_ACT_NOTIFY)");
                child_hand_seccomp_listener(sync_fd, r);
                close(r);
        } else if (c->seccomp && (r = seccomp_install(c->seccomp)) < 0)
                FAIL_ERRNO(sync_fd, r, "cannot install the system call filter");
        CredentialStep step;
        if ((r = credentials_apply(&u, s->oci_process || (!root && u.uid != 0), &c->caps_root, &c->caps_user, c->no_new_privileges, &step)) < 0)
                switch (step) {
                case CREDENTIALS_CAPABILITIES:
                        FAIL_ERRNO(sync_fd, r, "cannot reduce the capabilities to the container's set");
                case CREDENTIALS_GROUPS:
                        FAIL(sync_fd, r, "cannot read /etc/group");
                case CREDENTIALS_USER:
                        FAIL_ERRNO(sync_fd, r, "%s%s: cannot change to UID %u GID %u",
                                   s->oci_process ? "process.user" : "--user=", s->oci_process ? "" : s->user, (unsigned)u.uid, (unsigned)u.gid);
                case CREDENTIALS_AMBIENT:
                        FAIL_ERRNO(sync_fd, r, "%s: cannot raise the ambient capabilities",
                                   s->oci_process ? "process.capabilities.ambient" : "--ambient-capability=");
                case CREDENTIALS_NO_NEW_PRIVS:
                        FAIL_ERRNO(sync_fd, r, "%s: the kernel refused PR_SET_NO_NEW_PRIVS",
                                   s->oci_process ? "process.noNewPrivileges" : "--no-new-privileges=yes");
                }

        /* The user change cleared the parent-death signal (a container that outlives its
         * runtime arms none). */
        if (!c->orphan)
                parent_death_arm(sync_fd);
        umask(OPTIONAL_OR(s->umask, 0022));
        const char *wd = s->working_directory ? s->working_directory : "/";
        if (chdir(wd) < 0)
                FAIL_ERRNO(sync_fd, -errno, "%s%s: cannot change into it in the container", s->oci_process ? "process.cwd " : "--chdir=", wd);

        signals_reset_all();
        /* Nothing of the host's may leak into the payload; the sync socket closes at exec, which
         * tells the supervisor the exec worked. */
        syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        for (int fd = 3; fd < 3 + c->preserve_fds; fd++)
                (void)fcntl(fd, F_SETFD, 0);
        if (sync_fd >= 0)
                fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
        if (c->gate_fd >= 0) {
                /* A program that is not there fails the create, not the start. */
                if (s->argv && (r = exec_search(s->argv[0], NULL, env)) < 0)
                        FAIL(sync_fd, r, "%s: %s in the container", s->argv[0], r == -ENOENT ? "no such program" : strerror(-r));
                sync_fd = wait_at_gate(c, sync_fd);
                if (c->hooks && c->hooks->in_container) {
                        Error e = {0};
                        if ((r = c->hooks->in_container(c->hooks->userdata, false, host_pid, &e)) < 0)
                                FAIL(sync_fd, r, "%s", e.msg);
                }
        }

        if (s->start_mode == START_BOOT) {
                static const char *const inits[] = {"/usr/lib/systemd/systemd", "/lib/systemd/systemd", "/sbin/init"};
                size_t n = strv_length(s->argv);
                char **argv = calloc(n + 2, sizeof(char *));
                if (!argv)
                        FAIL(sync_fd, -ENOMEM, "out of memory");
                for (size_t i = 0; s->argv && i < n; i++)
                        argv[i + 1] = s->argv[i];
                for (size_t i = 0; i < ELEMENTSOF(inits); i++) {
                        argv[0] = (char *)inits[i];
                        execve(inits[i], argv, env);
                }
                FAIL(sync_fd, -ENOENT,
                     "--boot: no init found in the container (looked for /usr/lib/systemd/systemd, /lib/systemd/systemd, /sbin/init)");
        }
        if (!s->argv) {
                /* No command: an interactive login shell, as nspawn starts. */
                char *bash[] = {"-bash", NULL}, *sh[] = {"-sh", NULL};
                execve("/bin/bash", bash, env);
                execve("/bin/sh", sh, env);
                FAIL(sync_fd, -errno, "no command given and neither /bin/bash nor /bin/sh exists in the container");
        }
        r = exec_search(s->argv[0], s->argv, env);
        FAIL(sync_fd, r, "execv(%s) failed: %s", s->argv[0], strerror(-r));
}

void stub_init(pid_t payload)
{
        /* Every signal, in the kernel's own mask: the C library's sets leave out the ones it
         * reserves (musl 32 to 34), and those would then not reach the payload. */
        uint64_t all = UINT64_MAX & ~((UINT64_C(1) << (SIGKILL - 1)) | (UINT64_C(1) << (SIGSTOP - 1)));
        int status = EXIT_FAILURE;

        prctl(PR_SET_NAME, "(sd-stubinit)");
        syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, sizeof(all));
        for (;;) {
                siginfo_t si;
                int sig = (int)syscall(SYS_rt_sigtimedwait, &all, &si, NULL, sizeof(all));
                if (sig < 0)
                        continue;
                if (sig != SIGCHLD) {
                        /* Whatever is sent to PID 1 (a shutdown request, ^C) goes to the payload. */
                        kill(payload, sig);
                        continue;
                }
                for (;;) {
                        int st;
                        pid_t p = waitpid(-1, &st, WNOHANG);
                        if (p <= 0)
                                break;
                        if (p == payload) {
                                status = WIFEXITED(st) ? WEXITSTATUS(st) : 255;
                                _exit(status);
                        }
                }
        }
}
