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
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "cgroup.h"
#include "container.h"
#include "device-policy.h"
#include "fs-util.h"
#include "image.h"
#include "mount-apply.h"
#include "net-names.h"
#include "parse-util.h"
#include "userns.h"
#include "spawn.h"

enum { MSG_FDS = 1, MSG_ERROR = 2, MSG_GO = 3, MSG_POLICY = 4 };

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
                fprintf(stderr, "corral: %s\n", msg);
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
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                            .msg_controllen = sizeof(control.buf)};
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

/* The child waits for the supervisor's go-ahead of this kind; if the supervisor gave up
 * instead, it has the error to report, and the child just ends. */
static void wait_for(int sock, int kind)
{
        SyncMessage m = {0};
        int fds[3] = {-1, -1, -1};
        if (receive(sock, &m, fds) <= 0 || m.kind != kind)
                _exit(EXIT_FAILURE);
}

/* The supervisor's go-ahead.  A child that already gave up has closed its end: that is no
 * error here, its own message says why. */
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
        ApplyContext ctx = {.scratch = c->scratch, .image = c->image, .winsize = c->winsize,
                            .have_winsize = c->have_winsize, .root_fd = -1};
        Error e = {0};
        int r;

        /* The container never outlives its supervisor. */
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        umask(0);
        if (c->userns) {
                /* In a new user namespace: wait until the supervisor has written our UID map
                 * (and, for an idmapped root, sent it), then become its root. */
                wait_for(sock, MSG_GO);
                ctx.root_fd = c->userns->root_fd; /* made by the supervisor before the clone */
                if (setresgid(0, 0, 0) < 0 || setresuid(0, 0, 0) < 0 || setgroups(0, NULL) < 0) {
                        child_report(sock, negative_errno(), "cannot become root in the container's user namespace");
                        _exit(EXIT_FAILURE);
                }
        }
        if (c->private_network && (r = loopback_up()) < 0) {
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
        if ((r = mount_enter_root(ctx.new_root, &e)) < 0) {
                child_report(sock, r, e.msg);
                _exit(EXIT_FAILURE);
        }
        if (sethostname(c->hostname, strlen(c->hostname)) < 0) {
                child_report(sock, negative_errno(), "cannot set the container's hostname");
                _exit(EXIT_FAILURE);
        }
        /* Nothing of the payload runs before the supervisor says the device policy is in place
         * (it attaches the program while we were building the file system). */
        wait_for(sock, MSG_POLICY);
        /* Moved into v1 cgroups after the clone: a cgroup namespace of their own too, so the
         * container sees its cgroups as the roots of every hierarchy. */
        if (c->cgroup && c->cgroup->v1_joined && unshare(CLONE_NEWCGROUP) < 0) {
                child_report(sock, negative_errno(), "cannot create the container's cgroup namespace");
                _exit(EXIT_FAILURE);
        }

        if (c->settings->start_mode == START_PID2) {
                pid_t pid = fork();
                if (pid < 0) {
                        child_report(sock, negative_errno(), "cannot fork the payload for --as-pid2");
                        _exit(EXIT_FAILURE);
                }
                if (pid == 0)
                        payload_exec(c, ctx.console_peer, sock);
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
        payload_exec(c, ctx.console_peer, sock);
}


/* Up to three name servers of the host's /etc/resolv.conf for the container (not loopback
 * ones: those are the host's own resolver, which the container cannot reach there). */
static void host_name_servers(uint32_t dns[3])
{
        _cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
        char line[256], a[64];
        size_t n = 0;
        while (f && n < 3 && fgets(line, sizeof(line), f)) {
                uint32_t addr;
                if (sscanf(line, " nameserver %63s", a) == 1 && ipv4_address_parse(a, &addr) == 0 && (addr >> 24) != 127)
                        dns[n++] = addr;
        }
}

/* Runs corral-net with argv (argv[0] is set here) and reads what it prints: its error line,
 * which becomes e's message prefixed with what (the option), or on success its output. */
int run_net_helper(const RunConfig *c, const char *what, char **argv, int keep_fd, char *msg, size_t size, Error *e)
{
        int out[2], status = 0;
        msg[0] = 0;
        if (pipe2(out, O_CLOEXEC) < 0)
                return error_set_errno(e, negative_errno(), "cannot make a pipe for corral-net");
        pid_t p = fork();
        if (p < 0) {
                close(out[0]);
                close(out[1]);
                return error_set_errno(e, negative_errno(), "cannot start corral-net");
        }
        if (p == 0) {
                dup2(out[1], STDOUT_FILENO);
                dup2(out[1], STDERR_FILENO);
                argv[0] = (char *)"corral-net";
                if (keep_fd >= 0)
                        (void)fcntl(keep_fd, F_SETFD, 0);
                execv(c->net_helper, argv);
                dprintf(STDERR_FILENO, "cannot run %s: %s\n", c->net_helper, strerror(errno));
                _exit(127);
        }
        close(out[1]);
        _cleanup_free_ char *text = NULL;
        if (read_full_fd(out[0], &text, NULL) >= 0)
                snprintf(msg, size, "%.*s", (int)strcspn(text, "\n"), text);
        close(out[0]);
        while (waitpid(p, &status, 0) < 0 && errno == EINTR)
                ;
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                return error_set(e, -EIO, "%s: %s", what, msg[0] ? msg : "corral-net failed");
        return 0;
}

/* The host side of the container's veth pair: ve-NAME, or vb-NAME on a bridge. */
static void veth_host_name(const RunConfig *c, char host[static IFNAMSIZ])
{
        net_link_name(c->net_bridge ? "vb-" : "ve-", c->name, host);
}

/* --network-veth-extra=HOST[:CONTAINER]: host gets HOST; *ret_peer CONTAINER (or HOST again). */
static void veth_extra_names(const char *spec, char host[static IFNAMSIZ * 2], const char **ret_peer)
{
        snprintf(host, IFNAMSIZ * 2, "%s", spec);
        char *colon = strchr(host, ':');
        *ret_peer = colon ? colon + 1 : host;
        if (colon)
                *colon = 0;
}

/* Masquerade=: the nftables table corral-NAME for the subnet of prefix. */
static int masquerade(const RunConfig *c, const char *prefix, const char *host, Error *e)
{
        char msg[512], table[300];
        if (c->settings->network_masquerade <= 0)
                return 0;
        snprintf(table, sizeof(table), "corral-%s", c->name);
        char *argv[] = {NULL, (char *)"masquerade", (char *)"add", table, (char *)prefix, (char *)host, NULL};
        return run_net_helper(c, "[Network] Masquerade=", argv, -1, msg, sizeof(msg), e);
}

void net_wait_links_gone(const RunConfig *c)
{
        char host[IFNAMSIZ * 2];
        const char *peer;
        const Settings *st = c->settings;
        /* The kernel removes the pairs with the container's namespace, a moment after its end;
         * the next start of the name (or a reboot) must find the names free.  Bounded: 3 s. */
        for (int i = 0; i < 300; i++) {
                bool left = false;
                if (st->network_veth > 0 || c->net_bridge) {
                        veth_host_name(c, host);
                        left = if_nametoindex(host) != 0;
                }
                for (char **x = st->network_veth_extra; !left && x && *x; x++) {
                        veth_extra_names(*x, host, &peer);
                        left = if_nametoindex(host) != 0;
                }
                if (!left)
                        return;
                usleep(10000);
        }
}

void net_unmasquerade(const RunConfig *c)
{
        char msg[512], table[300];
        Error e = {0};
        snprintf(table, sizeof(table), "corral-%s", c->name);
        char *argv[] = {NULL, (char *)"masquerade", (char *)"del", table, NULL};
        if (run_net_helper(c, "[Network] Masquerade=", argv, -1, msg, sizeof(msg), &e) < 0)
                fprintf(stderr, "corral: %s\n", e.msg);
}

/* -n, --network-bridge=: ve-NAME (vb-NAME) here and host0 in the child's network namespace.
 * corral-net prints the host side's address from the pool, if it gave one: the DHCP server
 * then answers on the link. */
static int make_veth(const RunConfig *c, const char *pid, Spawned *s, Error *e)
{
        char host[IFNAMSIZ], msg[512], opt[PATH_MAX] = "";
        veth_host_name(c, host);
        const Settings *st = c->settings;
        if (c->net_bridge)
                snprintf(opt, sizeof(opt), "--bridge=%s", c->net_bridge);
        /* Address=: the host side is the gateway of the container's subnet. */
        else if (st->network_address)
                snprintf(opt, sizeof(opt), "--address=%s", c->net_host_side);
        /* The host side's address from corral's pool, unless it is on a bridge (the bridge's
         * network addresses the container) or systemd-networkd runs here (its
         * 80-container-ve.network gives ve- links theirs). */
        else if (access("/run/systemd/netif/state", F_OK) < 0)
                snprintf(opt, sizeof(opt), "--pool=%s", c->net_pool_lock);
        /* nspawn's fixed MAC addresses, from the host's machine ID and the name. */
        char macs[64] = "", hm[18], cm[18];
        uint8_t id[16], hmac[6], cmac[6];
        Error ignored = {0};
        if (image_read_machine_id("/", id, &ignored) > 0) {
                net_veth_macs(id, c->name, hmac, cmac);
                net_format_mac(hmac, hm);
                net_format_mac(cmac, cm);
                snprintf(macs, sizeof(macs), "--macs=%s,%s", hm, cm);
        }
        char *argv[] = {NULL, (char *)"veth", host, (char *)"host0", (char *)pid, macs, opt, NULL};
        int r = run_net_helper(c, c->net_bridge ? "--network-bridge" : "--network-veth", argv, -1, msg, sizeof(msg), e);
        if (r >= 0 && st->network_address) {
                /* host0 from outside, for guests with no DHCP client; no DHCP server then. */
                char *cargv[] = {NULL, (char *)"configure", (char *)pid, (char *)"host0", st->network_address, c->net_gateway[0] ? (char *)c->net_gateway : NULL, NULL};
                if ((r = run_net_helper(c, "[Network] Address=", cargv, -1, msg, sizeof(msg), e)) < 0)
                        return r;
                return masquerade(c, st->network_address, host, e);
        }
        if (r < 0 || !msg[0])
                return r; /* or systemd-networkd's to address */
        if ((r = masquerade(c, msg, host, e)) < 0)
                return r;
        if (dhcp_config_from_prefix(msg, &s->dhcp) < 0)
                return error_set(e, -EIO, "--network-veth: corral-net said \"%s\", not an address", msg);
        host_name_servers(s->dhcp.dns);
        if ((s->dhcp_fd = dhcp_server_open(host)) < 0)
                return error_set_errno(e, s->dhcp_fd, "cannot open the DHCP server's socket on %s", host);
        return 0;
}

/* --network-veth-extra=HOST[:CONTAINER] (host side left down, as nspawn), --network-macvlan=,
 * --network-ipvlan= (mv-IF, iv-IF inside, named as nspawn names them). */
static int make_extra_links(const RunConfig *c, const char *pid, Error *e)
{
        char msg[512], name[IFNAMSIZ];
        int r;
        for (char **x = c->settings->network_veth_extra; x && *x; x++) {
                char host[IFNAMSIZ * 2];
                const char *peer;
                veth_extra_names(*x, host, &peer);
                char *argv[] = {NULL, (char *)"veth", host, (char *)peer, (char *)pid, (char *)"--down", NULL};
                if ((r = run_net_helper(c, "--network-veth-extra", argv, -1, msg, sizeof(msg), e)) < 0)
                        return r;
        }
        for (int kind = 0; kind < 2; kind++)
                for (char **x = kind ? c->settings->network_ipvlan : c->settings->network_macvlan; x && *x; x++) {
                        net_link_name(kind ? "iv-" : "mv-", *x, name);
                        char *argv[] = {NULL, (char *)(kind ? "ipvlan" : "macvlan"), *x, name, (char *)pid, NULL};
                        if ((r = run_net_helper(c, kind ? "--network-ipvlan" : "--network-macvlan", argv, -1, msg, sizeof(msg), e)) < 0)
                                return r;
                }
        return 0;
}

/* --network-interface=: moved in now; the supervisor keeps the namespace open to move them
 * back when the container ends (a namespace that goes deletes virtual links in it). */
static int move_interfaces(const RunConfig *c, pid_t child, const char *pid, Spawned *s, Error *e)
{
        char msg[512], path[64];
        int r;
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)child);
        if ((s->netns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                return error_set_errno(e, negative_errno(), "cannot open the container's network namespace");
        for (char **x = c->settings->network_interfaces; x && *x; x++) {
                char *argv[] = {NULL, (char *)"move", *x, (char *)pid, NULL};
                if ((r = run_net_helper(c, "--network-interface", argv, -1, msg, sizeof(msg), e)) < 0) {
                        /* back with those moved already */
                        for (char **y = c->settings->network_interfaces; y != x; y++)
                                net_return_interface(c, s->netns_fd, *y);
                        return r;
                }
        }
        return 0;
}

void net_return_interface(const RunConfig *c, int netns_fd, const char *ifname)
{
        char msg[512], fd[16];
        Error e = {0};
        snprintf(fd, sizeof(fd), "%d", netns_fd);
        char *argv[] = {NULL, (char *)"return", (char *)ifname, fd, NULL};
        if (run_net_helper(c, "--network-interface", argv, netns_fd, msg, sizeof(msg), &e) < 0)
                fprintf(stderr, "corral: %s\n", e.msg);
}

int container_spawn(const RunConfig *c, Spawned *ret, Error *e)
{
        int pair[2], pidfd = -1, r;
        uint64_t flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_PIDFD;

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) < 0)
                return error_set_errno(e, negative_errno(), "cannot create the sync socket");
        _cleanup_close_ int parent_sock = pair[0], child_sock = pair[1];

        struct clone_args args = {
                .flags = flags,
                .pidfd = (uint64_t)(uintptr_t)&pidfd,
                .exit_signal = SIGCHLD,
        };
        if (c->cgroup_fd >= 0) {
                /* Born in its cgroup, with a cgroup namespace rooted there (kernel 5.7). */
                args.flags |= CLONE_INTO_CGROUP | CLONE_NEWCGROUP;
                args.cgroup = (uint64_t)c->cgroup_fd;
        }
        if (c->userns)
                args.flags |= CLONE_NEWUSER; /* the other namespaces are then owned by it */
        if (c->private_network)
                args.flags |= CLONE_NEWNET;
        /* --network-namespace-path: the child is born in it (the supervisor steps in and out,
         * which also works when the child is in a user namespace that does not own it). */
        _cleanup_close_ int own_netns = -1;
        if (c->netns_fd >= 0) {
                if ((own_netns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0)
                        return error_set_errno(e, negative_errno(), "cannot open corral's own network namespace");
                if (setns(c->netns_fd, CLONE_NEWNET) < 0)
                        return error_set_errno(e, negative_errno(), "cannot enter the network namespace of --network-namespace-path=");
        }
        fflush(NULL);
        /* cgroup v1 devices controller: the child is born in its cgroup (we step in and out). */
        if (c->devices_v1 && (r = device_policy_v1_enter(c->devices_v1, e)) < 0)
                return r;
        pid_t pid = (pid_t)syscall(SYS_clone3, &args, sizeof(args));
        if (pid != 0 && c->devices_v1)
                device_policy_v1_leave(c->devices_v1);
        if (pid > 0 && own_netns >= 0 && setns(own_netns, CLONE_NEWNET) < 0) {
                r = negative_errno();
                kill(pid, SIGKILL);
                (void)waitpid(pid, NULL, 0);
                return error_set_errno(e, r, "cannot go back to corral's own network namespace");
        }
        if (pid < 0) {
                r = negative_errno();
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

        Spawned s = {.pid = pid, .pidfd = pidfd, .console_master = -1, .console_peer = -1, .notify_fd = -1, .dhcp_fd = -1, .netns_fd = -1};
        if (c->userns) {
                if ((r = userns_setup_child(c->userns, pid, e)) < 0 || (r = tell(parent_sock, MSG_GO, e)) < 0)
                        goto fail;
        }
        char pid_text[16];
        snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
        if (c->net_helper && (c->settings->network_veth > 0 || c->net_bridge) && (r = make_veth(c, pid_text, &s, e)) < 0)
                goto fail;
        if (c->net_helper && (r = make_extra_links(c, pid_text, e)) < 0)
                goto fail;
        if (c->net_helper && c->settings->network_interfaces && (r = move_interfaces(c, pid, pid_text, &s, e)) < 0)
                goto fail;
        /* The device policy, loaded while the child builds its file system. */
        if (c->cgroup && (r = container_cgroup_attach(c->cgroup, pid, e)) < 0)
                goto fail;
        if (c->cgroup_fd >= 0 && (r = device_policy_attach(c->cgroup_fd, c->n_device_defaults, c->device_extra, c->n_device_extra, e)) < 0)
                goto fail;
        if ((r = tell(parent_sock, MSG_POLICY, e)) < 0)
                goto fail;
        /* Sleep until the child's end of the socket closes (at exec, or when it gives up) and
         * only then read what it queued: one wake-up instead of one per message, which in a VM
         * is a good part of the start time. */
        struct pollfd pf = {.fd = parent_sock, .events = 0};
        while (poll(&pf, 1, -1) < 0 && errno == EINTR)
                ;
        for (int resets = 0;;) {
                SyncMessage m = {0};
                int fds[3] = {-1, -1, -1};
                r = receive(parent_sock, &m, fds);
                if (r == -ECONNRESET && resets++ == 0)
                        continue; /* the child closed with our message unread: its own are still queued */
                if (r == 0)
                        break; /* exec happened */
                if (r < 0) {
                        error_set_errno(e, r, "lost contact with the container during start");
                        goto fail;
                }
                if (m.kind == MSG_ERROR) {
                        m.msg[sizeof(m.msg) - 1] = 0;
                        error_set(e, m.code, "%s", m.msg);
                        goto fail;
                }
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
        closep(&s.console_master);
        closep(&s.console_peer);
        closep(&s.notify_fd);
        closep(&s.dhcp_fd);
        closep(&s.netns_fd);
        return e->code;
}
