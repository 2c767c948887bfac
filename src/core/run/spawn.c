/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The spawn sequence: clone3 into new namespaces (and straight into the container's cgroup),
 * build the file system from the mount plan, pivot, exec.  Parent and child talk over a
 * SOCK_SEQPACKET pair: the child sends the console and notify fds, or the first error with
 * the step that failed; the pair closing at exec means the payload runs. */
#include <fcntl.h>
#include <grp.h>
#include <linux/sched.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/keyctl.h>

#include "log.h"
#include "cgroup.h"
#include "container.h"
#include "device-policy.h"
#include "fs-util.h"
#include "image.h"
#include "mount-apply.h"
#include "net-names.h"
#include "parse-util.h"
#include "terminal.h"
#include "userns.h"
#include "spawn.h"

/* MSG_HOOKS: the child has built its file system and asks for the runtime's hooks (the
 * answer is MSG_GO); MSG_READY: the child waits at its gate; MSG_SECCOMP: the child's filter
 * listener, for the runtime's agent (the answer is MSG_GO). */
enum { MSG_FDS = 1, MSG_ERROR = 2, MSG_GO = 3, MSG_POLICY = 4, MSG_HOOKS = 5, MSG_READY = 6, MSG_SECCOMP = 7 };

typedef struct SyncMessage {
        int kind;
        int code;
        int n_fds;
        int has_console;
        int has_notify;
        char msg[1024];
} SyncMessage;

void child_report(int sync_fd, int code, const char *msg)
{
        SyncMessage m = {.kind = MSG_ERROR, .code = code < 0 ? code : -EIO};
        snprintf(m.msg, sizeof(m.msg), "%s", msg);
        if (sync_fd < 0 || send(sync_fd, &m, sizeof(m), MSG_NOSIGNAL) < 0)
                log_error("%s", msg);
}

static int send_message_fds(int sock, SyncMessage *m, const int *fds, int n);

void child_report_ready(int sync_fd)
{
        SyncMessage m = {.kind = MSG_READY};
        if (send_message_fds(sync_fd, &m, NULL, 0) < 0)
                _exit(EXIT_FAILURE);
}

static int send_message_fds(int sock, SyncMessage *m, const int *fds, int n)
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 3)];
        } control = {0};
        struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        m->n_fds = n;
        if (n > 0) {
                mh.msg_control = control.buf;
                mh.msg_controllen = CMSG_SPACE(sizeof(int) * (size_t)n);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int) * (size_t)n);
                memcpy(CMSG_DATA(c), fds, sizeof(int) * (size_t)n);
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? negative_errno() : 0;
}

static int send_fds(int sock, int console_master, int console_peer, int notify_fd)
{
        SyncMessage m = {.kind = MSG_FDS};
        int fds[3], n = 0;
        if (console_master >= 0) {
                fds[n++] = console_master;
                fds[n++] = console_peer;
                m.has_console = 1;
        }
        if (notify_fd >= 0) {
                fds[n++] = notify_fd;
                m.has_notify = 1;
        }
        return send_message_fds(sock, &m, fds, n);
}

static int receive(int sock, SyncMessage *m, int fds[3])
{
        union {
                struct cmsghdr h;
                char buf[CMSG_SPACE(sizeof(int) * 3)];
        } control = {0};
        struct iovec iov = {.iov_base = m, .iov_len = sizeof(*m)};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof(control.buf)};
        ssize_t n;
        do
                n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
        while (n < 0 && errno == EINTR);
        if (n < 0)
                return negative_errno();
        if (n == 0)
                return 0;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
                        size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
                        memcpy(fds, CMSG_DATA(c), sizeof(int) * (k > 3 ? 3 : k));
                }
        return 1;
}

static int wait_for(int sock, int kind);
static int tell(int sock, int kind, Error *e);

void child_hand_seccomp_listener(int sync_fd, int fd)
{
        SyncMessage m = {.kind = MSG_SECCOMP};
        if (send_message_fds(sync_fd, &m, &fd, 1) < 0)
                _exit(EXIT_FAILURE);
        wait_for(sync_fd, MSG_GO);
}

/* The listener a child handed over: to the caller's agent, then the child goes on. */
static int pass_listener(int sock, const RunHooks *hooks, int fd, pid_t pid, Error *e)
{
        int r;
        if (fd < 0)
                return error_set(e, -EBADMSG, "the container sent no seccomp listener");
        if (!hooks || !hooks->seccomp_listener)
                r = error_set(e, -EOPNOTSUPP, "the container's filter has a listener and nobody to take it");
        else
                r = hooks->seccomp_listener(hooks->userdata, fd, pid, e);
        close(fd);
        return r < 0 ? r : tell(sock, MSG_GO, e);
}

/* After a failed start step of ours, the child is gone: if it reported an error before it
 * ended (a bind source that is missing, say), that is the cause, not what its end did to our
 * step (a veth pair for a process that is no more: "No such process").  The error it queued, if
 * any, replaces e. */
static void prefer_child_error(int sock, Error *e)
{
        if (fcntl(sock, F_SETFL, O_NONBLOCK) < 0)
                return;
        for (int i = 0; i < 8; i++) {
                SyncMessage m = {0};
                int fds[3] = {-1, -1, -1};
                int r = receive(sock, &m, fds);
                for (int k = 0; k < 3; k++)
                        if (fds[k] >= 0)
                                close(fds[k]);
                if (r == -ECONNRESET)
                        continue; /* it closed with a message of ours unread: its own are still queued */
                if (r <= 0)
                        return;
                if (m.kind == MSG_ERROR) {
                        m.msg[sizeof(m.msg) - 1] = 0;
                        *e = (Error){0}; /* (error_set() keeps the first error) */
                        error_set(e, m.code, "%s", m.msg);
                        return;
                }
        }
}

/* The child waits for the supervisor's go-ahead of this kind; if the supervisor gave up
 * instead, it has the error to report, and the child just ends.  Returns the message's code. */
static int wait_for(int sock, int kind)
{
        SyncMessage m = {0};
        int fds[3] = {-1, -1, -1};
        if (receive(sock, &m, fds) <= 0 || m.kind != kind)
                _exit(EXIT_FAILURE);
        return m.code;
}

/* The supervisor's go-ahead, with a number (the child's PID as the supervisor sees it).  A
 * child that already gave up has closed its end: that is no error here, its own message says
 * why. */
static int tell_code(int sock, int kind, int code, Error *e)
{
        SyncMessage m = {.kind = kind, .code = code};
        int r = send_message_fds(sock, &m, NULL, 0);
        if (r < 0 && r != -EPIPE && r != -ECONNRESET)
                return error_set_errno(e, r, "cannot tell the container to go on");
        return 0;
}

static int tell(int sock, int kind, Error *e)
{
        SyncMessage m = {.kind = kind};
        int r = send_message_fds(sock, &m, NULL, 0);
        if (r < 0 && r != -EPIPE && r != -ECONNRESET)
                return error_set_errno(e, r, "cannot tell the container to go on");
        return 0;
}

/* The kernel gives lo its addresses once it is up. */
static int loopback_up(void)
{
        struct ifreq ifr = {.ifr_name = "lo"};
        _cleanup_close_ int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
                return negative_errno();
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        return ioctl(fd, SIOCSIFFLAGS, &ifr) < 0 ? negative_errno() : 0;
}

_noreturn_ static void child_main(const RunConfig *c, int sock)
{
        ApplyContext ctx = {
                .scratch = c->scratch, .image = c->image, .winsize = c->winsize, .have_winsize = c->have_winsize, .root_fd = -1, .sysfs_fd = -1};
        Error e = {0};
        int r;

        /* The container never outlives its supervisor. */
        parent_death_arm(sock);
        umask(0);
        /* A mount namespace to join: the file system is built there (an OCI config's). */
        if (c->namespaces[NS_MOUNT].mode == NS_JOIN && setns(c->namespaces[NS_MOUNT].fd, CLONE_NEWNS) < 0) {
                child_report(sock, negative_errno(), "cannot enter the mount namespace to join");
                _exit(EXIT_FAILURE);
        }
        if (c->userns) {
                /* In a new user namespace: wait until the supervisor has written our UID map
                 * (and, for an idmapped root, sent it), then become its root. */
                wait_for(sock, MSG_GO);
                ctx.root_fd = c->userns->root_fd; /* made by the supervisor before the clone */
                ctx.sysfs_fd = c->userns->sysfs_fd;
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0) {
                        child_report(sock, negative_errno(), "cannot become root in the container's user namespace");
                        _exit(EXIT_FAILURE);
                }
                parent_death_arm(sock); /* cleared by the change of IDs */
        }
        if (c->namespaces[NS_NET].mode == NS_NEW && (r = loopback_up()) < 0) {
                child_report(sock, r, "cannot bring up the loopback interface in the container's network namespace");
                _exit(EXIT_FAILURE);
        }
        if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0) {
                child_report(sock, negative_errno(), "cannot make the mount namespace a slave of the host's");
                _exit(EXIT_FAILURE);
        }
        if ((r = mount_plan_apply(c->plan, &ctx, &e)) < 0) {
                child_report(sock, r, e.msg[0] ? e.msg : "cannot set up the container's file system");
                _exit(EXIT_FAILURE);
        }
        if ((r = send_fds(sock, ctx.console_master, ctx.console_peer, ctx.notify_fd)) < 0) {
                child_report(sock, r, "cannot hand the console to the supervisor");
                _exit(EXIT_FAILURE);
        }
        closep(&ctx.console_master);
        closep(&ctx.notify_fd);
        /* Nothing of the payload runs before the supervisor says the device policy is in place
         * (it attaches the program while we were building the file system).  With hooks the
         * answer comes first: the hooks may look at the container as it will run. */
        pid_t host_pid = wait_for(sock, MSG_POLICY);
        if (c->hooks) {
                SyncMessage m = {.kind = MSG_HOOKS};
                if ((r = send_message_fds(sock, &m, NULL, 0)) < 0) {
                        child_report(sock, r, "cannot ask for the runtime's hooks");
                        _exit(EXIT_FAILURE);
                }
                wait_for(sock, MSG_GO);
                if (c->hooks->in_container && (r = c->hooks->in_container(c->hooks->userdata, true, host_pid, &e)) < 0) {
                        child_report(sock, r, e.msg);
                        _exit(EXIT_FAILURE);
                }
        }
        if ((r = mount_enter_root(ctx.new_root, &e)) < 0) {
                child_report(sock, r, e.msg);
                _exit(EXIT_FAILURE);
        }
        /* The root's propagation, once it is the root (pivot_root() takes no shared mounts). */
        if (c->root_propagation && mount(NULL, "/", NULL, c->root_propagation, NULL) < 0) {
                child_report(sock, negative_errno(), "cannot set the propagation of the container's root");
                _exit(EXIT_FAILURE);
        }
        if (c->namespaces[NS_UTS].mode != NS_HOST && c->hostname && sethostname(c->hostname, strlen(c->hostname)) < 0) {
                child_report(sock, negative_errno(), "cannot set the container's hostname");
                _exit(EXIT_FAILURE);
        }
        if (c->namespaces[NS_UTS].mode != NS_HOST && c->domainname && setdomainname(c->domainname, strlen(c->domainname)) < 0) {
                child_report(sock, negative_errno(), "cannot set the container's domain name");
                _exit(EXIT_FAILURE);
        }
        if (c->new_keyring && syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL) < 0 && errno != ENOSYS) {
                child_report(sock, negative_errno(), "cannot create the container's session keyring");
                _exit(EXIT_FAILURE);
        }
        /* Moved into v1 cgroups after the clone: a cgroup namespace of their own too, so the
         * container sees its cgroups as the roots of every hierarchy. */
        if (c->cgroup && c->cgroup->v1_joined && c->namespaces[NS_CGROUP].mode == NS_NEW && unshare(CLONE_NEWCGROUP) < 0) {
                child_report(sock, negative_errno(), "cannot create the container's cgroup namespace");
                _exit(EXIT_FAILURE);
        }

        if (c->process.start_mode == START_PID2) {
                pid_t pid = fork();
                if (pid < 0) {
                        child_report(sock, negative_errno(), "cannot fork the payload for --as-pid2");
                        _exit(EXIT_FAILURE);
                }
                if (pid == 0)
                        payload_exec(c, ctx.console_peer, sock, host_pid);
                /* The stub init keeps neither the console nor the sync socket. */
                closep(&ctx.console_peer);
                close(sock);
                if (c->console != CONSOLE_PIPE) {
                        int null = open("/dev/null", O_RDWR | O_CLOEXEC);
                        for (int fd = 0; fd < 3 && null >= 0; fd++)
                                dup2(null, fd);
                }
                stub_init(pid);
        }
        payload_exec(c, ctx.console_peer, sock, host_pid);
}

/* The supervisor steps into the namespaces to join, so that the child is born in them
 * (which also works when the child is in a user namespace that does not own them), and back
 * out after the clone.  own[] gets its own namespaces to go back to. */
static int step_in(const NamespaceJoin *joins, size_t n, int own[static _NS_KIND_MAX], Error *e)
{
        char path[32];
        for (size_t i = 0; i < n; i++) {
                const char *kind = namespace_kind_to_string(joins[i].kind);
                snprintf(path, sizeof(path), "/proc/self/ns/%s", kind);
                if ((own[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                        return error_set_errno(e, negative_errno(), "cannot open corral's own %s namespace", kind);
                if (setns(joins[i].fd, (int)namespace_clone_flag(joins[i].kind)) < 0)
                        return error_set_errno(e, negative_errno(), "cannot enter the %s namespace to join%s", kind,
                                               joins[i].kind == NS_NET ? " (--network-namespace-path=)" : "");
        }
        return 0;
}

static int step_out(const NamespaceJoin *joins, size_t n, int own[static _NS_KIND_MAX], Error *e)
{
        int r = 0;
        for (size_t i = n; i-- > 0;) {
                if (own[i] >= 0 && setns(own[i], (int)namespace_clone_flag(joins[i].kind)) < 0 && r == 0)
                        r = error_set_errno(e, negative_errno(), "cannot go back to corral's own %s namespace",
                                            namespace_kind_to_string(joins[i].kind));
                closep(&own[i]);
        }
        return r;
}

int container_spawn(const RunConfig *c, Spawned *ret, Error *e)
{
        int pair[2], pidfd = -1, r, own[_NS_KIND_MAX];
        NamespaceJoin joins[_NS_KIND_MAX];
        uint64_t flags;
        size_t n_joins;

        if ((r = namespaces_clone_plan(c->namespaces, &flags, joins, &n_joins, e)) < 0)
                return r;
        /* Without a cgroup to be born in, the child makes its cgroup namespace itself, after
         * the move into its v1 cgroups (child_main()). */
        if (c->cgroup_fd < 0)
                flags &= ~(uint64_t)CLONE_NEWCGROUP;
        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return error_set_errno(e, negative_errno(), "cannot create the sync socket");
        _cleanup_close_ int parent_sock = pair[0], child_sock = pair[1];

        struct clone_args args = {
                .flags = flags | CLONE_PIDFD,
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
        };
        if (c->cgroup_fd >= 0) {
                /* Born in its cgroup, with a cgroup namespace rooted there (kernel 5.7). */
                args.flags |= CLONE_INTO_CGROUP;
                args.cgroup = (uint64_t)c->cgroup_fd;
        }
        for (size_t i = 0; i < _NS_KIND_MAX; i++)
                own[i] = -1;
        if ((r = step_in(joins, n_joins, own, e)) < 0) {
                (void)step_out(joins, n_joins, own, NULL);
                return r;
        }
        fflush(NULL);
        /* cgroup v1 devices controller: the child is born in its cgroup (we step in and out). */
        if (c->devices_v1 && (r = device_policy_v1_enter(c->devices_v1, e)) < 0) {
                (void)step_out(joins, n_joins, own, NULL);
                return r;
        }
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        int clone_error = pid < 0 ? negative_errno() : 0; /* before the steps back can change errno */
        if (pid != 0 && c->devices_v1)
                device_policy_v1_leave(c->devices_v1);
        if (pid != 0 && (r = step_out(joins, n_joins, own, e)) < 0) {
                if (pid > 0) {
                        kill(pid, SIGKILL);
                        (void)waitpid(pid, NULL, 0);
                }
                return r;
        }
        if (pid < 0) {
                r = clone_error;
                if (c->userns && (r == -ENOSPC || r == -EPERM || r == -EINVAL || r == -EUSERS))
                        return error_set_errno(e, r,
                                               "the kernel refused a user namespace for the container (check /proc/sys/user/max_user_namespaces, "
                                               "and kernel.unprivileged_userns_clone or a security module restricting user namespaces)");
                if (r == -EPERM)
                        return error_set_errno(e, r, "cannot create the container's namespaces (are you root, and are namespaces allowed here?)");
                return error_set_errno(e, r, "clone3() of the container failed");
        }
        if (pid == 0) {
                closep(&parent_sock);
                child_main(c, child_sock);
        }
        closep(&child_sock);
        log_debug("spawn: clone3() made PID %d (flags %#llx)%s", (int)pid, (unsigned long long)args.flags,
                  c->cgroup_fd >= 0 ? ", born in the container's cgroup" : "");

        Spawned s = {.pid = pid, .pidfd = pidfd, .console_master = -1, .console_peer = -1, .notify_fd = -1, .net = NET_STATE_NULL};
        bool heard = false; /* the child's messages read: an error of the supervisor's own is the cause */
        bool stepwise = c->hooks || c->gate_fd >= 0 || c->seccomp_notify, ready = false;
        struct pollfd pf = {.fd = parent_sock, .events = 0};
        if (c->userns) {
                if ((r = userns_setup_child(c->userns, pid, e)) < 0 || (r = tell(parent_sock, MSG_GO, e)) < 0)
                        goto fail;
                log_debug("spawn: user namespace maps written (the container's UIDs are %u-%u here)", c->userns->shift,
                          c->userns->shift + c->userns->range - 1);
        }
        if ((r = net_setup(&c->network, pid, &s.net, e)) < 0)
                goto fail;
        if (c->namespaces[NS_NET].mode == NS_NEW)
                log_debug("spawn: network set up%s", c->network.helper ? " (links by corral-net)" : " (loopback only)");
        /* The device policy, loaded while the child builds its file system. */
        if (c->cgroup && (r = container_cgroup_attach(c->cgroup, pid, e)) < 0)
                goto fail;
        if (c->cgroup_fd >= 0 && (r = device_policy_attach(c->cgroup_fd, c->n_device_defaults, c->device_extra, c->n_device_extra, e)) < 0)
                goto fail;
        if ((r = tell_code(parent_sock, MSG_POLICY, (int)pid, e)) < 0)
                goto fail;
        log_debug("spawn: cgroup and device policy in place; the child builds its file system");
        /* Sleep until the child's end of the socket closes (at exec, or when it gives up) and
         * only then read what it queued: one wake-up instead of one per message, which in a VM
         * is a good part of the start time.  With hooks or a gate the child needs answers, or
         * stops short of the exec: its messages are read as they come. */
        if (!stepwise)
                while (poll(&pf, 1, -1) < 0 && errno == EINTR)
                        ;
        heard = true;
        for (int resets = 0;;) {
                SyncMessage m = {0};
                int fds[3] = {-1, -1, -1};
                r = receive(parent_sock, &m, fds);
                if (r == -ECONNRESET && resets++ == 0)
                        continue; /* the child closed with our message unread: its own are still queued */
                if (r == 0 && ready) {
                        log_debug("spawn: the child waits at its gate");
                        break;
                }
                if (r == 0 && c->gate_fd >= 0) {
                        r = error_set(e, -EPIPE, "the container ended during its start");
                        goto fail;
                }
                if (r == 0) {
                        log_debug("spawn: the child has exec'd the payload");
                        break; /* exec happened */
                }
                if (r < 0) {
                        error_set_errno(e, r, "lost contact with the container during start");
                        goto fail;
                }
                if (m.kind == MSG_ERROR) {
                        m.msg[sizeof(m.msg) - 1] = 0;
                        error_set(e, m.code, "%s", m.msg);
                        goto fail;
                }
                if (m.kind == MSG_HOOKS) {
                        if (c->hooks->created && (r = c->hooks->created(c->hooks->userdata, pid, e)) < 0)
                                goto fail;
                        if ((r = tell(parent_sock, MSG_GO, e)) < 0)
                                goto fail;
                        continue;
                }
                if (m.kind == MSG_SECCOMP) {
                        if ((r = pass_listener(parent_sock, c->hooks, fds[0], pid, e)) < 0)
                                goto fail;
                        continue;
                }
                if (m.kind == MSG_READY)
                        ready = true;
                if (m.kind == MSG_FDS) {
                        int i = 0;
                        if (m.has_console) {
                                s.console_master = fds[i++];
                                s.console_peer = fds[i++];
                        }
                        if (m.has_notify)
                                s.notify_fd = fds[i++];
                }
        }
        *ret = s;
        return 0;
fail:
        kill(pid, SIGKILL);
        siginfo_t si;
        waitid(P_PIDFD, (id_t)pidfd, &si, WEXITED);
        close(pidfd);
        if (!heard)
                prefer_child_error(parent_sock, e);
        closep(&s.console_master);
        closep(&s.console_peer);
        closep(&s.notify_fd);
        net_teardown(&c->network, &s.net);
        net_state_done(&s.net);
        return e->code;
}

int container_open_gate(const char *path, Error *e)
{
        _cleanup_close_ int fd = unix_socket_connect(path, SOCK_SEQPACKET);
        if (fd == -ECONNREFUSED || fd == -ENOENT)
                return error_set_errno(e, fd, "the container no longer waits to be started");
        if (fd < 0)
                return error_set_errno(e, fd, "cannot reach the container's gate %s", path);
        return container_wait_exec(fd, NULL, 0, e);
}

int container_wait_exec(int fd, const RunHooks *hooks, pid_t pid, Error *e)
{
        for (;;) {
                SyncMessage m = {0};
                int fds[3] = {-1, -1, -1};
                int r = receive(fd, &m, fds);
                if (r > 0 && m.kind == MSG_SECCOMP) {
                        if ((r = pass_listener(fd, hooks, TAKE_FD(fds[0]), pid, e)) < 0)
                                return r;
                        continue;
                }
                for (int k = 0; k < 3; k++)
                        if (fds[k] >= 0)
                                close(fds[k]);
                if (r == 0 || r == -ECONNRESET)
                        return 0; /* closed at the exec */
                if (r < 0)
                        return error_set_errno(e, r, "lost contact with the container during its start");
                if (m.kind == MSG_ERROR) {
                        m.msg[sizeof(m.msg) - 1] = 0;
                        return error_set(e, m.code, "%s", m.msg);
                }
        }
}
