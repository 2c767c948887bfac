/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A container's network, set up by its supervisor after the clone: the links through corral-net
 * (src/corral-net), the DHCP server's sockets, the nftables table, and a zone's leases; and taken down
 * when the container ends. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "log.h"
#include "cgroup.h"
#include "fs-util.h"
#include "image.h"
#include "net-names.h"
#include "net-setup.h"
#include "parse-util.h"
#include "strv.h"

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

int run_net_helper(const NetworkSpec *c, const char *what, char **argv, int keep_fd, char *msg, size_t size, Error *e)
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
                execv(c->helper, argv);
                dprintf(STDERR_FILENO, "cannot run %s: %s\n", c->helper, strerror(errno));
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
static void veth_host_name(const NetworkSpec *c, char host[static IFNAMSIZ])
{
        net_link_name(c->bridge ? "vb-" : "ve-", c->machine, host);
}

int net_veth_host_ifindex(const NetworkSpec *c)
{
        char host[IFNAMSIZ];
        if (!c->veth && !c->bridge)
                return 0;
        veth_host_name(c, host);
        return (int)if_nametoindex(host);
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

static void wait_links_gone(const NetworkSpec *c)
{
        char host[IFNAMSIZ * 2];
        const char *peer;
        /* The kernel removes the pairs with the container's namespace, a moment after its end;
         * the next start of the name (or a reboot) must find the names free.  Bounded: 3 s. */
        for (int i = 0; i < 300; i++) {
                bool left = false;
                if (c->veth || c->bridge) {
                        veth_host_name(c, host);
                        left = if_nametoindex(host) != 0;
                }
                for (char *const *x = c->veth_extra; !left && x && *x; x++) {
                        veth_extra_names(*x, host, &peer);
                        left = if_nametoindex(host) != 0;
                }
                if (!left)
                        return;
                usleep(10000);
        }
}

/* The name of the container's nftables table. */
static void nat_table_name(const NetworkSpec *c, char table[static 300])
{
        snprintf(table, 300, "corral-%s", c->machine);
}

/* The container's nftables table corral-NAME, when it has something in it: Masquerade= of
 * the subnet prefix, -p forwards to the container's address, and on a link of corral's (ve-,
 * or the zone's bridge) with forwards or in a zone the loopback guard.  host: the host side
 * of the veth pair; the table's link is the bridge it is on, if any. */
static int make_nat_table(const NetworkSpec *c, const char *host, const char *prefix, uint32_t address, NetState *s, Error *e)
{
        const char *link = c->bridge ? c->bridge : host;
        bool own_link = !c->bridge || c->zone;
        bool masquerade = c->masquerade, loopback = own_link && (c->n_ports > 0 || c->zone);
        if (!masquerade && c->n_ports == 0 && !loopback)
                return 0;
        if (c->n_ports > 0 && !address)
                return error_set(
                        e, -EINVAL,
                        "-p/--port=: corral does not know the container's address (systemd-networkd addresses %s here); give it with [Network] Address=",
                        link);
        /* The socket that owns the table: it goes when the supervisor ends, however it ends. */
        struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
        if ((s->nat_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_NETFILTER)) < 0 ||
            bind(s->nat_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return error_set_errno(e, negative_errno(), "cannot open a netfilter netlink socket for the container's nftables table");
        char fd[16], table[300], masq[48] = "", addr[INET_ADDRSTRLEN], msg[512];
        snprintf(fd, sizeof(fd), "%d", s->nat_fd);
        nat_table_name(c, table);
        if (masquerade)
                snprintf(masq, sizeof(masq), "--masquerade=%s", prefix);
        ipv4_address_format(address, addr);
        /* nat FD TABLE LINK [--masquerade=] [--loopback] [--forward=]... */
        char **argv = calloc(c->n_ports + 8, sizeof(char *)), **fw = calloc(c->n_ports + 1, sizeof(char *));
        if (!argv || !fw) {
                free(argv);
                free(fw);
                return error_set_errno(e, -ENOMEM, "cannot start corral-net");
        }
        size_t n = 0;
        argv[n++] = NULL; /* corral-net, set by run_net_helper() */
        argv[n++] = (char *)"nat";
        argv[n++] = fd;
        argv[n++] = table;
        argv[n++] = (char *)link;
        if (masquerade)
                argv[n++] = masq;
        if (loopback)
                argv[n++] = (char *)"--loopback";
        int r = 0;
        for (size_t i = 0; r >= 0 && i < c->n_ports; i++) {
                const ExposePort *p = &c->ports[i];
                const char *protocol = p->protocol == IPPROTO_UDP ? "udp" : "tcp";
                if (asprintf(&fw[i], "--forward=%s:%u:%s:%u", protocol, p->host_port, addr, p->container_port) < 0) {
                        fw[i] = NULL; /* undefined after a failure */
                        r = error_set_errno(e, -ENOMEM, "cannot start corral-net");
                } else
                        argv[n++] = fw[i];
        }
        if (r >= 0 && (r = run_net_helper(c,
                                          c->n_ports > 0 ? "-p/--port="
                                          : masquerade   ? "[Network] Masquerade="
                                                         : "--network-zone=",
                                          argv, s->nat_fd, msg, sizeof(msg), e)) >= 0)
                s->nat_unowned = streq(msg, "unowned");
        strv_free(fw);
        free(argv);
        return r;
}

/* The DHCP server for the container: on a ve- link a UDP socket there; in a zone a packet
 * socket on the container's own vb- link (its messages only, however many containers the
 * zone has) and the answers leave by the zone's bridge. */
static int open_dhcp_server(const NetworkSpec *c, const char *host, NetState *s, Error *e)
{
        host_name_servers(s->dhcp.dns);
        if (c->zone) {
                if ((s->dhcp_fd = dhcp_server_open_port(host)) < 0)
                        return error_set_errno(e, s->dhcp_fd, "cannot open the DHCP server's packet socket on %s", host);
                if ((s->dhcp_send_fd = dhcp_server_open(c->bridge, true)) < 0)
                        return error_set_errno(e, s->dhcp_send_fd, "cannot open the DHCP server's socket on %s", c->bridge);
                return 0;
        }
        if ((s->dhcp_fd = dhcp_server_open(host, false)) < 0)
                return error_set_errno(e, s->dhcp_fd, "cannot open the DHCP server's socket on %s", host);
        return 0;
}

/* Whether systemd-networkd runs here: its state file stays after it stops (a host where it ran
 * once would leave every ve- link without an address), and networkd 252 has no varlink socket
 * to ask; its service's cgroup holds a process only while it runs. */
static bool networkd_runs(void)
{
        return cgroup_populated("system.slice/systemd-networkd.service") > 0;
}

/* -n, --network-bridge=, --network-zone=: ve-NAME (vb-NAME) here and host0 in the child's
 * network namespace.  corral-net prints the host side's address from the pool (or the zone
 * bridge's), if it gave one: the DHCP server then answers on the link. */
static int make_veth(const NetworkSpec *c, const char *pid, NetState *s, Error *e)
{
        char host[IFNAMSIZ], msg[512], opt[PATH_MAX] = "", pool[PATH_MAX] = "";
        veth_host_name(c, host);
        const char *what = c->zone ? "--network-zone" : c->bridge ? "--network-bridge" : "--network-veth";
        unsigned lease = 0;
        int r;
        if (c->zone) {
                /* The container's host number in the zone, before the bridge: while it is held,
                 * the bridge stays. */
                if ((r = zone_lease_take(c->zone_dir, c->zone, &s->lease_fd, &lease, s->lease_path, sizeof(s->lease_path))) < 0)
                        return error_set_errno(e, r, "%s=%s: cannot take an address in the zone (%s)", what, c->zone, c->zone_dir);
                snprintf(opt, sizeof(opt), "--bridge=%s", c->bridge);
                snprintf(pool, sizeof(pool), "--pool=%s", c->pool_lock);
        } else if (c->bridge)
                snprintf(opt, sizeof(opt), "--bridge=%s", c->bridge);
        /* Address=: the host side is the gateway of the container's subnet. */
        else if (c->address)
                snprintf(opt, sizeof(opt), "--address=%s", c->host_side);
        /* The host side's address from corral's pool, unless it is on a bridge (the bridge's
         * network addresses the container) or systemd-networkd runs here (its
         * 80-container-ve.network gives ve- links theirs). */
        else if (!networkd_runs())
                snprintf(opt, sizeof(opt), "--pool=%s", c->pool_lock);
        /* nspawn's fixed MAC addresses, from the host's machine ID and the name. */
        char macs[64] = "", hm[18], cm[18];
        uint8_t id[16], hmac[6], cmac[6];
        Error ignored = {0};
        if (image_read_machine_id("/", id, &ignored) > 0) {
                net_veth_macs(id, c->machine, hmac, cmac);
                net_format_mac(hmac, hm);
                net_format_mac(cmac, cm);
                snprintf(macs, sizeof(macs), "--macs=%s,%s", hm, cm);
        }
        char *argv[] = {NULL, (char *)"veth", host, (char *)"host0", (char *)pid, macs, opt, pool, c->zone ? (char *)"--zone" : NULL, NULL};
        if ((r = run_net_helper(c, what, argv, -1, msg, sizeof(msg), e)) < 0)
                return r;
        uint32_t address;
        unsigned len;
        if (c->address) {
                /* host0 from outside, for guests with no DHCP client; no DHCP server then. */
                char *cargv[] = {
                        NULL, (char *)"configure", (char *)pid, (char *)"host0", (char *)c->address, c->gateway[0] ? (char *)c->gateway : NULL, NULL};
                if ((r = run_net_helper(c, "[Network] Address=", cargv, -1, msg, sizeof(msg), e)) < 0)
                        return r;
                (void)ipv4_prefix_parse(c->address, 1, 30, &address, &len);
                return make_nat_table(c, host, c->address, address, s, e);
        }
        if (!msg[0]) /* systemd-networkd's to address, or a bridge that is not ours */
                return make_nat_table(c, host, NULL, 0, s, e);
        if (dhcp_config_from_prefix(msg, &s->dhcp) < 0)
                return error_set(e, -EIO, "%s: corral-net said \"%s\", not an address", what, msg);
        if (c->zone)
                s->dhcp.client = (s->dhcp.server & s->dhcp.netmask) + lease;
        if ((r = open_dhcp_server(c, host, s, e)) < 0)
                return r;
        return make_nat_table(c, host, msg, s->dhcp.client, s, e);
}

/* --network-veth-extra=HOST[:CONTAINER] (host side left down, as nspawn), --network-macvlan=,
 * --network-ipvlan= (mv-IF, iv-IF inside, named as nspawn names them). */
static int make_extra_links(const NetworkSpec *c, const char *pid, Error *e)
{
        char msg[512], name[IFNAMSIZ];
        int r;
        for (char *const *x = c->veth_extra; x && *x; x++) {
                char host[IFNAMSIZ * 2];
                const char *peer;
                veth_extra_names(*x, host, &peer);
                char *argv[] = {NULL, (char *)"veth", host, (char *)peer, (char *)pid, (char *)"--down", NULL};
                if ((r = run_net_helper(c, "--network-veth-extra", argv, -1, msg, sizeof(msg), e)) < 0)
                        return r;
        }
        for (int kind = 0; kind < 2; kind++)
                for (char *const *x = kind ? c->ipvlan : c->macvlan; x && *x; x++) {
                        net_link_name(kind ? "iv-" : "mv-", *x, name);
                        char *argv[] = {NULL, (char *)(kind ? "ipvlan" : "macvlan"), *x, name, (char *)pid, NULL};
                        if ((r = run_net_helper(c, kind ? "--network-ipvlan" : "--network-macvlan", argv, -1, msg, sizeof(msg), e)) < 0)
                                return r;
                }
        return 0;
}

static void return_interface(const NetworkSpec *c, int netns_fd, const char *ifname);

/* --network-interface=: moved in now; the supervisor keeps the namespace open to move them
 * back when the container ends (a namespace that goes deletes virtual links in it). */
static int move_interfaces(const NetworkSpec *c, pid_t child, const char *pid, NetState *s, Error *e)
{
        char msg[512], path[64];
        int r;
        snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)child);
        if ((s->netns_fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                return error_set_errno(e, negative_errno(), "cannot open the container's network namespace");
        for (char *const *x = c->interfaces; x && *x; x++) {
                char *argv[] = {NULL, (char *)"move", *x, (char *)pid, NULL};
                if ((r = run_net_helper(c, "--network-interface", argv, -1, msg, sizeof(msg), e)) < 0) {
                        /* back with those moved already */
                        for (char *const *y = c->interfaces; y != x; y++)
                                return_interface(c, s->netns_fd, *y);
                        return r;
                }
        }
        return 0;
}

static void return_interface(const NetworkSpec *c, int netns_fd, const char *ifname)
{
        char msg[512], fd[16];
        Error e = {0};
        snprintf(fd, sizeof(fd), "%d", netns_fd);
        char *argv[] = {NULL, (char *)"return", (char *)ifname, fd, NULL};
        if (run_net_helper(c, "--network-interface", argv, netns_fd, msg, sizeof(msg), &e) < 0)
                log_warning("%s", e.msg);
}

int zone_lease_take(const char *dir, const char *zone, int *ret_fd, unsigned *ret_n, char *path, size_t size)
{
        char zdir[PATH_MAX];
        snprintf(zdir, sizeof(zdir), "%s/%s", dir, zone);
        for (unsigned n = 2, tries = 0; n < 255 && tries < 1000; tries++) {
                if (mkdir_p(zdir, 0700) < 0)
                        return negative_errno();
                snprintf(path, size, "%s/%u", zdir, n);
                int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                if (fd < 0 && errno == ENOENT)
                        continue; /* the directory went with the last lease: again */
                if (fd < 0)
                        return negative_errno();
                struct stat st;
                if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                        close(fd);
                        n++; /* another container's */
                        continue;
                }
                if (fstat(fd, &st) < 0 || st.st_nlink == 0) {
                        close(fd); /* removed by the one that left it: the same number again */
                        continue;
                }
                *ret_fd = fd;
                *ret_n = n;
                return 0;
        }
        return -EADDRNOTAVAIL;
}

void zone_lease_release(const char *dir, const char *zone, int *fd, const char *path)
{
        char zdir[PATH_MAX];
        if (*fd < 0)
                return;
        unlink(path); /* still locked: a taker that opened it sees it gone, and tries again */
        closep(fd);
        /* Files left by supervisors killed with SIGKILL: nobody holds them. */
        snprintf(zdir, sizeof(zdir), "%s/%s", dir, zone);
        DIR *d = opendir(zdir);
        struct dirent *de;
        while (d && (de = readdir(d))) {
                if (de->d_name[0] == '.')
                        continue;
                int f = openat(dirfd(d), de->d_name, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
                if (f >= 0 && flock(f, LOCK_EX | LOCK_NB) == 0)
                        unlinkat(dirfd(d), de->d_name, 0);
                if (f >= 0)
                        close(f);
        }
        if (d)
                closedir(d);
        (void)rmdir(zdir); /* the last one out; others' leases keep it */
}

int net_setup(const NetworkSpec *c, pid_t pid, NetState *n, Error *e)
{
        char pid_text[16];
        int r;
        if (!c->helper)
                return 0;
        snprintf(pid_text, sizeof(pid_text), "%d", (int)pid);
        if ((c->veth || c->bridge) && (r = make_veth(c, pid_text, n, e)) < 0)
                return r;
        if ((r = make_extra_links(c, pid_text, e)) < 0)
                return r;
        if (c->interfaces && (r = move_interfaces(c, pid, pid_text, n, e)) < 0)
                return r;
        return 0;
}

void net_teardown(const NetworkSpec *c, NetState *n)
{
        char msg[512], table[300];
        Error e = {0};
        if (!c->helper)
                return;
        /* The namespace is still ours to hold: the interfaces go back before it goes. */
        for (char *const *x = c->interfaces; n->netns_fd >= 0 && x && *x; x++)
                return_interface(c, n->netns_fd, *x);
        closep(&n->netns_fd);
        if (n->nat_fd >= 0 && n->nat_unowned) {
                nat_table_name(c, table);
                char *argv[] = {NULL, (char *)"nat-del", table, NULL};
                if (run_net_helper(c, "the container's nftables table", argv, -1, msg, sizeof(msg), &e) < 0)
                        log_warning("%s", e.msg);
        }
        closep(&n->nat_fd); /* an owned table goes with it */
        wait_links_gone(c);
        if (c->zone && n->lease_fd >= 0) {
                zone_lease_release(c->zone_dir, c->zone, &n->lease_fd, n->lease_path);
                char *argv[] = {NULL, (char *)"gc", (char *)c->pool_lock, NULL};
                if (run_net_helper(c, "--network-zone", argv, -1, msg, sizeof(msg), &e) < 0)
                        log_warning("%s", e.msg);
        }
}

void net_dhcp_handle(NetState *n)
{
        dhcp_server_handle(n->dhcp_fd, n->dhcp_send_fd, &n->dhcp);
}

void net_state_done(NetState *n)
{
        closep(&n->dhcp_fd);
        closep(&n->dhcp_send_fd);
        closep(&n->netns_fd);
        closep(&n->nat_fd);
        closep(&n->lease_fd);
}
