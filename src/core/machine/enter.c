/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A process started in a running machine (see enter.h).
 *
 * corralctl forks A, which joins the machine's cgroup and then its namespaces through the
 * leader's pidfd, opens a pty in the container's own devpts if asked, and forks B in the
 * machine's PID namespace.  B takes the payload's security context and execs; A waits for B and
 * exits with its status.  Errors and the pty's master come back over a socket that closes when
 * B's exec succeeds. */
#include <fcntl.h>
#include <linux/close_range.h>
#include <linux/filter.h>
#include <sched.h>
#include <grp.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <termios.h>

#include "cgroup.h"
#include "credentials.h"
#include "enter.h"
#include "terminal.h"
#include "fs-util.h"
#include "process-util.h"
#include "seccomp.h"
#include "strv.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif
#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

static const struct {
        int flag;
        const char *name;
} namespaces[] = {
        {CLONE_NEWUSER, "user"}, {CLONE_NEWNS, "mnt"},  {CLONE_NEWPID, "pid"},       {CLONE_NEWUTS, "uts"},
        {CLONE_NEWIPC, "ipc"},   {CLONE_NEWNET, "net"}, {CLONE_NEWCGROUP, "cgroup"}, {CLONE_NEWTIME, "time"},
};

/* The namespaces of leader that are not ours (setns() refuses to join our own user namespace). */
static int namespaces_to_join(pid_t leader)
{
        int flags = 0;
        for (size_t i = 0; i < ELEMENTSOF(namespaces); i++)
                if (pid_namespace_differs(leader, namespaces[i].name))
                        flags |= namespaces[i].flag;
        return flags;
}

/* Moves us into leader's cgroups: cgroup2's must work (freeze, limits and kill reach the
 * process only there), the v1 hierarchies (systemd's layout, /sys/fs/cgroup/CONTROLLERS) are
 * accounting and are joined where they are found. */
static int join_cgroups(pid_t leader, Error *e)
{
        char path[64], line[4096];
        snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)leader);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        if (!f)
                return error_set_errno(e, negative_errno(), "cannot read %s", path);
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                char *ctrl = strchr(line, ':'), *rel = ctrl ? strchr(ctrl + 1, ':') : NULL;
                if (!rel)
                        continue;
                *rel++ = 0;
                ctrl++;
                _cleanup_free_ char *procs = NULL;
                _cleanup_close_ int cg2 = -1;
                bool v2 = !*ctrl;
                const char *base = v2 ? cgroup2_mount_point() : NULL;
                char own[FD_PATH_MAX];
                /* A host that mounts no cgroup2 (v1 only, or none at all): the cgroup is in the
                 * kernel's hierarchy all the same, reached through a mount of our own. */
                if (v2 && !base) {
                        if ((cg2 = cgroup2_mount_own()) < 0)
                                return error_set_errno(e, cg2, "cannot mount cgroup2 to join the machine's cgroup");
                        base = fd_path(cg2, own);
                }
                int k = v2 ? asprintf(&procs, "%s%s/cgroup.procs", base, rel)
                           : asprintf(&procs, "/sys/fs/cgroup/%s%s/cgroup.procs", startswith(ctrl, "name=") ? ctrl + 5 : ctrl, rel);
                if (k < 0)
                        return error_set(e, -ENOMEM, "out of memory");
                int r = write_file_at(AT_FDCWD, procs, "0", 1, 0);
                if (r < 0 && v2)
                        return error_set_errno(e, r, "cannot join the machine's cgroup (%s)", procs);
        }
        return 0;
}

/* PATH, container= and container_uuid= as the machine's PID 1 got them. */
static char **base_environment(pid_t leader)
{
        char path[64];
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        char **env = NULL;
        snprintf(path, sizeof(path), "/proc/%d/environ", (int)leader);
        (void)read_full_file(path, &text, &size);
        if (strv_extend(&env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                return strv_free(env);
        for (size_t i = 0; text && i < size; i += strlen(text + i) + 1)
                if (startswith(text + i, "PATH=") || startswith(text + i, "container=") || startswith(text + i, "container_uuid="))
                        if (strv_env_set(&env, text + i) < 0)
                                return strv_free(env);
        return env;
}

static int send_message(int sock, const char *msg, int fd)
{
        return send_with_fd(sock, msg, strlen(msg), fd);
}

_printf_(3, 4) _noreturn_ static void fail(int sock, int code, const char *fmt, ...)
{
        char msg[1024];
        int n = snprintf(msg, sizeof(msg), "E%d:", -code);
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg + n, sizeof(msg) - (size_t)n, fmt, ap);
        va_end(ap);
        (void)send_message(sock, msg, -1);
        _exit(127);
}

/* The pty multiplexer of the container's own devpts instance, checked to be one: the
 * container's root owns that directory. */
static int open_pty(int sock, int *ret_peer)
{
        PtyStep step;
        int master = pty_open(O_NONBLOCK, ret_peer, &step);
        if (master >= 0)
                return master;
        switch (step) {
        case PTY_OPEN:
                fail(sock, master, "cannot open /dev/pts/ptmx in the container: %s", strerror(-master));
        case PTY_CHECK:
                fail(sock, -EPERM, "the container's /dev/pts/ptmx is not the pty multiplexer");
        case PTY_UNLOCK:
                fail(sock, master, "cannot unlock a pty in the container: %s", strerror(-master));
        default:
                fail(sock, master, "cannot open the pty's peer in the container: %s", strerror(-master));
        }
}

/* What gives a login prompt in this container, with the arguments container-getty@.service
 * uses: util-linux's agetty, busybox's getty, else login itself. */
static char **login_argv(const char *term)
{
        static const char *const agetty[] = {"/sbin/agetty", "/usr/sbin/agetty"};
        char **argv = NULL;
        for (size_t i = 0; i < ELEMENTSOF(agetty); i++)
                if (access(agetty[i], X_OK) == 0) {
                        const char *a[] = {agetty[i], "-o", "-p -- \\u", "--noclear", "--keep-baud", "-", "115200,38400,9600", term, NULL};
                        return strv_copy((char **)a);
                }
        char target[PATH_MAX];
        ssize_t n = readlink("/sbin/getty", target, sizeof(target) - 1);
        if (n > 0 && (target[n] = 0, streq(path_basename(target), "busybox"))) {
                const char *a[] = {"/sbin/getty", "-L", "115200", "-", term, NULL};
                return strv_copy((char **)a);
        }
        const char *a[] = {access("/bin/login", X_OK) == 0 ? "/bin/login" : "/usr/bin/login", NULL};
        argv = strv_copy((char **)a);
        return argv;
}

/* B: in every namespace of the machine; becomes the session. */
_noreturn_ static void run_session(const MachineRecord *m, const EnterOptions *o, char **env, const struct sock_fprog *filter, int peer, int sock)
{
        User u = {0};
        int r;
        if (setsid() < 0)
                fail(sock, -errno, "setsid() failed: %s", strerror(errno));
        if (peer >= 0) {
                if (ioctl(peer, TIOCSCTTY, 0) < 0)
                        fail(sock, -errno, "cannot make the pty the controlling terminal: %s", strerror(errno));
                for (int fd = 0; fd < 3; fd++)
                        if (dup2(peer, fd) < 0)
                                fail(sock, -errno, "cannot attach stdio to the pty: %s", strerror(errno));
        }
        if ((r = user_lookup(o->user ? o->user : "0", &u)) < 0)
                fail(sock, r, r == -ESRCH ? "no user \"%s\" in the machine's /etc/passwd" : "cannot read the machine's /etc/passwd (user %s)",
                     o->user ? o->user : "root");
        char buf[PATH_MAX + 16];
        const char *shell = u.shell && *u.shell ? u.shell : "/bin/sh";
        snprintf(buf, sizeof(buf), "HOME=%s", u.home && *u.home ? u.home : "/");
        strv_env_set(&env, buf);
        snprintf(buf, sizeof(buf), "USER=%s", u.name ? u.name : o->user ? o->user : "root");
        strv_env_set(&env, buf);
        snprintf(buf, sizeof(buf), "LOGNAME=%s", u.name ? u.name : o->user ? o->user : "root");
        strv_env_set(&env, buf);
        snprintf(buf, sizeof(buf), "SHELL=%s", shell);
        strv_env_set(&env, buf);
        if (o->term) {
                snprintf(buf, sizeof(buf), "TERM=%s", o->term);
                strv_env_set(&env, buf);
        }
        for (char **i = o->setenv; i && *i; i++)
                strv_env_set(&env, *i);

        /* As the payload: the select()-safe soft limit of open files. */
        struct rlimit nf;
        if (getrlimit(RLIMIT_NOFILE, &nf) == 0 && nf.rlim_cur > 1024) {
                nf.rlim_cur = 1024;
                (void)setrlimit(RLIMIT_NOFILE, &nf);
        }
        if (filter && (r = seccomp_install(filter)) < 0)
                fail(sock, r, "cannot install the machine's system call filter: %s", strerror(-r));
        CredentialStep step;
        CapabilitySets caps_root, caps_user;
        capability_sets_nspawn(m->caps_bounding, m->caps_ambient, false, &caps_root, &caps_user);
        if ((r = credentials_apply(&u, u.uid != 0, &caps_root, &caps_user, m->no_new_privs, &step)) < 0)
                fail(sock, r, "cannot take the machine's %s: %s",
                     step == CREDENTIALS_USER     ? "user"
                     : step == CREDENTIALS_GROUPS ? "groups"
                                                  : "capabilities",
                     strerror(-r));
        umask(0022);
        if (!u.home || chdir(u.home) < 0)
                (void)!chdir("/"); /* "/" is there: the session runs in the machine's root */

        char **argv = o->argv;
        _cleanup_free_ char *dash = NULL;
        char *login_shell[2] = {NULL, NULL};
        if (o->login)
                argv = login_argv(o->term ? o->term : "vt220");
        else if (!argv) {
                /* The user's shell as a login shell, "-sh". */
                if (asprintf(&dash, "-%s", path_basename(shell)) < 0)
                        fail(sock, -ENOMEM, "out of memory");
                login_shell[0] = dash;
                argv = login_shell;
        }
        if (!argv)
                fail(sock, -ENOMEM, "out of memory");
        const char *file = argv == login_shell ? shell : argv[0];
        signals_reset_all();
        syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_CLOEXEC);
        extern char **environ;
        environ = env;
        execvp(file, argv);
        fail(sock, -errno, "cannot execute %s in the machine: %s", file, strerror(errno));
}

static bool is_host(const MachineRecord *m)
{
        return streq(m->name, ENTER_HOST);
}

/* A: joins the machine, forks B and waits for it. */
_noreturn_ static void run_enter(const MachineRecord *m, const EnterOptions *o, int pidfd, int flags, char **env, const struct sock_fprog *filter,
                                 int sock)
{
        Error e = {0};
        int peer = -1;
        /* Nothing in the container may look into this process while it holds the host's
         * privileges (ptrace, /proc/PID/fd). */
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        /* On the host the session stays in corralctl's cgroup, as a command run there would. */
        if (!is_host(m) && join_cgroups(m->leader, &e) < 0)
                fail(sock, e.code, "%s", e.msg);
        if (flags && setns(pidfd, flags) < 0)
                fail(sock, -errno, "cannot join the machine's namespaces: %s", strerror(errno));
        if (flags & CLONE_NEWUSER) {
                /* Root of the machine's user namespace (our host UID means nothing in it). */
                (void)setgroups(0, NULL);
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0)
                        fail(sock, -errno, "cannot become root of the machine's user namespace: %s", strerror(errno));
        }
        if (chdir("/") < 0)
                fail(sock, -errno, "cannot change to the machine's root: %s", strerror(errno));
        if (o->pty) {
                int master = open_pty(sock, &peer);
                int r = send_message(sock, "M", master);
                if (r < 0)
                        fail(sock, r, "cannot hand the pty over: %s", strerror(-r));
                close(master);
        }
        pid_t pid = fork();
        if (pid < 0)
                fail(sock, -errno, "fork() in the machine failed: %s", strerror(errno));
        if (pid == 0)
                run_session(m, o, env, filter, peer, sock);
        close(sock);
        closep(&peer);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        _exit(127);
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

static int read_filter(const char *registry_dir, const char *name, struct sock_fprog *ret)
{
        char path[PATH_MAX];
        char *data = NULL;
        size_t size;
        snprintf(path, sizeof(path), "%s/%s/seccomp", registry_dir, name);
        int r = read_full_file(path, &data, &size);
        if (r == -ENOENT)
                return 0;
        if (r < 0)
                return r;
        if (size == 0 || size % sizeof(struct sock_filter) != 0 || size / sizeof(struct sock_filter) > 0xffff) {
                free(data);
                return -EBADMSG;
        }
        *ret = (struct sock_fprog){.len = (unsigned short)(size / sizeof(struct sock_filter)), .filter = (struct sock_filter *)(void *)data};
        return 1;
}

void machine_record_host(MachineRecord *ret)
{
        *ret = (MachineRecord){.leader = 1, .caps_bounding = UINT64_MAX};
        snprintf(ret->name, sizeof(ret->name), ENTER_HOST);
        snprintf(ret->class_, sizeof(ret->class_), "host");
}

int machine_enter(const char *registry_dir, const MachineRecord *m, const EnterOptions *o, pid_t *ret_pid, int *ret_master, Error *e)
{
        struct sock_fprog filter = {0};
        int sv[2], r;
        /* (The host's PID 1 has no supervisor to vouch for it: it is never reused.) */
        _cleanup_close_ int pidfd = is_host(m) ? (int)syscall(SYS_pidfd_open, 1, 0) : registry_pin_leader(m);
        if (pidfd < 0)
                return error_set(e, -ESRCH, "machine %s is no longer running", m->name);
        if (!is_host(m) && (r = read_filter(registry_dir, m->name, &filter)) < 0)
                return error_set_errno(e, r, "cannot read the system call filter of machine %s (%s/%s/seccomp)", m->name, registry_dir, m->name);
        char **env = base_environment(m->leader);
        if (!env) {
                free(filter.filter);
                return error_set(e, -ENOMEM, "out of memory");
        }
        int flags = namespaces_to_join(m->leader), master = -1;
        pid_t pid;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
                r = error_set_errno(e, negative_errno(), "socketpair() failed");
                goto out;
        }
        pid = fork();
        if (pid < 0) {
                r = error_set_errno(e, negative_errno(), "fork() failed");
                close(sv[0]);
                close(sv[1]);
                goto out;
        }
        if (pid == 0) {
                close(sv[0]);
                run_enter(m, o, pidfd, flags, env, filter.len ? &filter : NULL, sv[1]);
        }
        close(sv[1]);

        /* The pty's master, then the end of the socket (the session's exec) or an error. */
        r = 0;
        for (;;) {
                char buf[1100];
                union {
                        struct cmsghdr h;
                        char space[CMSG_SPACE(sizeof(int))];
                } control;
                struct iovec iov = {.iov_base = buf, .iov_len = sizeof(buf) - 1};
                struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)};
                ssize_t n = recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        break;
                buf[n] = 0;
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                if (buf[0] == 'M' && c && c->cmsg_type == SCM_RIGHTS)
                        memcpy(&master, CMSG_DATA(c), sizeof(int));
                else if (buf[0] == 'E') {
                        char *msg = strchr(buf, ':');
                        r = error_set(e, -atoi(buf + 1), "%s", msg ? msg + 1 : buf);
                }
        }
        close(sv[0]);
        if (r < 0) {
                closep(&master);
                (void)waitpid(pid, NULL, 0);
                goto out;
        }
        *ret_pid = pid;
        if (ret_master)
                *ret_master = master;
        else
                closep(&master);
out:
        free(filter.filter);
        strv_free(env);
        return r;
}
