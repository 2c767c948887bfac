/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The last steps inside the container, after pivot_root: who the payload runs as, its stdio,
 * its environment, its capabilities, and the exec.  Failures go back to the supervisor. */
#include <linux/filter.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/close_range.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "seccomp-policy.h"
#include "exec-limits.h"
#include "container.h"
#include "fs-util.h"
#include "parse-util.h"
#include "strv.h"

#define FAIL(fd, code, ...)                                                                                  \
        do {                                                                                                 \
                char _m[1024];                                                                               \
                snprintf(_m, sizeof(_m), __VA_ARGS__);                                                       \
                child_report(fd, code, _m);                                                                  \
                _exit(EXIT_FAILURE);                                                                         \
        } while (0)
/* The same, with the error's text after the message. */
#define FAIL_ERRNO(fd, code, fmt, ...) FAIL(fd, code, fmt ": %s", ##__VA_ARGS__, strerror(-(code)))

typedef struct User {
        uid_t uid;
        gid_t gid;
        char *name;
        char *home;
        char *shell;
} User;

/* Looks the user up in the container's own /etc/passwd (never the host's NSS). */
static int user_lookup(const char *spec, User *ret)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        unsigned long num;
        bool numeric = parse_unsigned(spec, &num) == 0;
        char line[4096];

        if (numeric && num == 0 && !f) {
                *ret = (User){.uid = 0, .gid = 0, .name = strdup("root"), .home = strdup("/root"), .shell = strdup("/bin/sh")};
                return 0;
        }
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                char *fields[7] = {0}, *p = line;
                line[strcspn(line, "\n")] = 0;
                for (int i = 0; i < 7; i++)
                        fields[i] = strsep(&p, ":");
                if (!fields[6])
                        continue;
                unsigned long uid, gid;
                if (parse_unsigned(fields[2], &uid) < 0 || parse_unsigned(fields[3], &gid) < 0)
                        continue;
                if (numeric ? uid != num : !streq(fields[0], spec))
                        continue;
                *ret = (User){.uid = (uid_t)uid, .gid = (gid_t)gid, .name = strdup(fields[0]),
                              .home = strdup(fields[5]), .shell = strdup(fields[6])};
                return 0;
        }
        if (numeric) {
                /* A UID without a passwd entry, as nspawn allows. */
                *ret = (User){.uid = (uid_t)num, .gid = (gid_t)num, .name = NULL, .home = NULL};
                return 0;
        }
        return -ESRCH;
}

/* The user's groups as initgroups(3) makes them: the primary group, then every group of
 * /etc/group that lists the user. */
static int supplementary_groups(const char *user, gid_t primary, gid_t **ret, size_t *ret_n)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/group", "re");
        char line[8192];
        gid_t *l = malloc(sizeof(gid_t));
        size_t n = 0;

        *ret = NULL;
        *ret_n = 0;
        if (!l)
                return -ENOMEM;
        l[n++] = primary;
        while (f && user && fgets(line, sizeof(line), f)) {
                char *fields[4] = {0}, *p = line;
                line[strcspn(line, "\n")] = 0;
                for (int i = 0; i < 4; i++)
                        fields[i] = strsep(&p, ":");
                unsigned long gid;
                if (!fields[3] || parse_unsigned(fields[2], &gid) < 0)
                        continue;
                for (char *save = NULL, *m = strtok_r(fields[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
                        if (streq(m, user) && (gid_t)gid != primary) {
                                gid_t *nl = realloc(l, sizeof(gid_t) * (n + 1));
                                if (!nl) {
                                        free(l);
                                        return -ENOMEM;
                                }
                                l = nl;
                                l[n++] = (gid_t)gid;
                        }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

static int set_capabilities(uint64_t eff, uint64_t prm, uint64_t inh)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];
        for (int i = 0; i < 2; i++)
                d[i] = (struct __user_cap_data_struct){
                        .effective = (uint32_t)(eff >> (32 * i)),
                        .permitted = (uint32_t)(prm >> (32 * i)),
                        .inheritable = (uint32_t)(inh >> (32 * i)),
                };
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

static uint64_t current_permitted(void)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];
        if (syscall(SYS_capget, &h, d) < 0)
                return 0;
        return (uint64_t)d[1].permitted << 32 | d[0].permitted;
}

/* The bounding set becomes keep; root's permitted, effective and inheritable sets too (as
 * nspawn: inheritable = what is kept). */
static int drop_capabilities(uint64_t keep)
{
        for (int cap = 0; cap <= 63; cap++) {
                if (keep & (UINT64_C(1) << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        if (errno == EINVAL)
                                break; /* past the kernel's last capability */
                        return -errno;
                }
        }
        uint64_t have = current_permitted() & keep;
        return set_capabilities(have, have, have);
}

/* After the user change: the ambient capabilities asked for, so they survive the exec of a
 * payload that is not root.  Each must be permitted and inheritable: KEEPCAPS kept permitted
 * across setresuid().  As nspawn, a user other than root keeps only the ambient ones
 * inheritable (none without), root keeps the whole set. */
static int raise_ambient(uint64_t ambient, bool root)
{
        if (!root) {
                uint64_t have = current_permitted();
                if (set_capabilities(0, have, have & ambient) < 0)
                        return -errno;
        }
        for (int cap = 0; cap <= 63; cap++)
                if ((ambient & (UINT64_C(1) << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return -errno;
        return 0;
}

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
static void apply_limits(const Settings *s, int sync_fd)
{
        int r;
        for (int l = 0; l < RLIMIT_NLIMITS; l++)
                if (s->mask & SETTING_RLIMIT(l)) {
                        if ((r = setrlimit_closest(l, &s->rlimit[l])) < 0)
                                FAIL_ERRNO(sync_fd, r, "--rlimit=%s=/Limit%s=: the kernel refused the limit", rlimit_to_name(l), rlimit_to_name(l));
                } else if (l == RLIMIT_NOFILE) {
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
                        FAIL_ERRNO(sync_fd, r, "--oom-score-adjust=/OOMScoreAdjust=%d: cannot write /proc/self/oom_score_adj", s->oom_score_adjust);
        }
        if (s->have_cpu_affinity && sched_setaffinity(0, sizeof(s->cpu_affinity), &s->cpu_affinity) < 0)
                FAIL_ERRNO(sync_fd, -errno, "--cpu-affinity=/CPUAffinity=: the kernel refused the CPU set");
}

static void reset_signals(void)
{
        sigset_t all;
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)sigaction(sig, &dfl, NULL);
        sigemptyset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
}

/* execve() with a PATH search that uses the container's PATH, not ours. */
static int exec_search(const char *file, char **argv, char **envp)
{
        if (strchr(file, '/')) {
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
                execve(full, argv, envp);
                if (errno != ENOENT && errno != ENOTDIR)
                        last = -errno;
        }
        return last;
}

void payload_exec(const RunConfig *c, int console_peer, int sync_fd)
{
        const Settings *s = c->settings;
        _cleanup_strv_free_ char **env = strv_copy(c->environment);
        User u = {.uid = 0, .gid = 0};
        int r;

        if (!env)
                FAIL(sync_fd, -ENOMEM, "out of memory");
        if (s->user && (r = user_lookup(s->user, &u)) < 0)
                FAIL(sync_fd, r, "--user=%s: no such user in the container's /etc/passwd", s->user);

        /* HOME, USER and LOGNAME as nspawn sets them, then the user's own -E values win. */
        char buf[PATH_MAX + 16];
        if (u.home || u.uid == 0) {
                snprintf(buf, sizeof(buf), "HOME=%s", u.home ? u.home : "/root");
                strv_env_set(&env, buf);
        }
        if (s->user || u.uid == 0) {
                snprintf(buf, sizeof(buf), "USER=%s", u.name ? u.name : s->user ? s->user : "root");
                strv_env_set(&env, buf);
                snprintf(buf, sizeof(buf), "LOGNAME=%s", u.name ? u.name : s->user ? s->user : "root");
                strv_env_set(&env, buf);
        }
        for (char **i = s->environment; i && *i; i++)
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
                FAIL_ERRNO(sync_fd, -errno, "--personality=%s: the kernel refused it", personality_to_string(s->personality));
        apply_limits(s, sync_fd);
        /* The filter goes in while we still hold CAP_SYS_ADMIN (no no_new_privs needed), and
         * before the user change, as nspawn. */
        if (c->seccomp && (r = seccomp_install(c->seccomp)) < 0)
                FAIL_ERRNO(sync_fd, r, "cannot install the system call filter");
        if ((r = drop_capabilities(c->caps_retain)) < 0)
                FAIL_ERRNO(sync_fd, r, "cannot reduce the capabilities to the container's set");

        if (s->user && u.uid != 0) {
                gid_t *groups;
                size_t n;
                if ((r = supplementary_groups(u.name, u.gid, &groups, &n)) < 0)
                        FAIL(sync_fd, r, "cannot read /etc/group");
                if (c->caps_ambient && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
                        FAIL_ERRNO(sync_fd, -errno, "cannot keep capabilities across the user change");
                if (setgroups(n, groups) < 0 || setresgid(u.gid, u.gid, u.gid) < 0 || setresuid(u.uid, u.uid, u.uid) < 0)
                        FAIL_ERRNO(sync_fd, -errno, "--user=%s: cannot change to UID %u", s->user, (unsigned)u.uid);
                free(groups);
        }
        if ((c->caps_ambient || u.uid != 0) && (r = raise_ambient(c->caps_ambient, u.uid == 0)) < 0)
                FAIL_ERRNO(sync_fd, r, "--ambient-capability=: cannot raise the ambient capabilities");
        if (c->no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                FAIL_ERRNO(sync_fd, -errno, "--no-new-privileges=yes: the kernel refused PR_SET_NO_NEW_PRIVS");

        umask(0022);
        const char *wd = s->working_directory ? s->working_directory : "/";
        if (chdir(wd) < 0)
                FAIL_ERRNO(sync_fd, -errno, "--chdir=%s: cannot change into it in the container", wd);

        reset_signals();
        /* Nothing of the host's may leak into the payload; the sync socket closes at exec, which
         * tells the supervisor the exec worked. */
        syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        if (sync_fd >= 0)
                fcntl(sync_fd, F_SETFD, FD_CLOEXEC);

        if (s->start_mode == START_BOOT) {
                static const char *const inits[] = {"/usr/lib/systemd/systemd", "/lib/systemd/systemd", "/sbin/init"};
                size_t n = strv_length(s->parameters);
                char **argv = calloc(n + 2, sizeof(char *));
                if (!argv)
                        FAIL(sync_fd, -ENOMEM, "out of memory");
                for (size_t i = 0; i < n; i++)
                        argv[i + 1] = s->parameters[i];
                for (size_t i = 0; i < ELEMENTSOF(inits); i++) {
                        argv[0] = (char *)inits[i];
                        execve(inits[i], argv, env);
                }
                FAIL(sync_fd, -ENOENT,
                     "--boot: no init found in the container (looked for /usr/lib/systemd/systemd, /lib/systemd/systemd, /sbin/init)");
        }
        if (!s->parameters) {
                /* No command: an interactive login shell, as nspawn starts. */
                char *bash[] = {"-bash", NULL}, *sh[] = {"-sh", NULL};
                execve("/bin/bash", bash, env);
                execve("/bin/sh", sh, env);
                FAIL(sync_fd, -errno, "no command given and neither /bin/bash nor /bin/sh exists in the container");
        }
        r = exec_search(s->parameters[0], s->parameters, env);
        FAIL(sync_fd, r, "execv(%s) failed: %s", s->parameters[0], strerror(-r));
}

void stub_init(pid_t payload)
{
        sigset_t all;
        int status = EXIT_FAILURE;

        prctl(PR_SET_NAME, "(sd-stubinit)");
        sigfillset(&all);
        sigprocmask(SIG_SETMASK, &all, NULL);
        for (;;) {
                siginfo_t si;
                int sig = sigwaitinfo(&all, &si);
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
