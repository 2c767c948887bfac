/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-net: the network links of a container, set up over netlink (libmnl) for its
 * supervisor.  A program of its own because Debian has no static libmnl and corral itself is
 * linked statically; only containers with networking pay for starting it.
 *
 *   corral-net veth HOST-NAME CONTAINER-NAME PID [--bridge=BRIDGE] [--pool=LOCK] [--down] [--macs=HOST,CONTAINER]
 *       a veth pair: HOST-NAME here, up; CONTAINER-NAME in the network namespace of PID.
 *       --bridge: the host side joins BRIDGE.  --down: the host side stays down.
 *       --address=ADDRESS/LEN: the host side's address, given (instead of --pool).
 *       --macs: the two ends' MAC addresses (nspawn's fixed ones, which corral computes).
 *       --pool (a lock file): the host side also gets the first address of a /28 of
 *       192.168.0.0/16 that overlaps no route and no address here (others' ve- links included),
 *       chosen under the lock; it is printed on stdout as ADDRESS/28.
 *       --zone (with --bridge and --pool): the bridge is a zone's (vz-ZONE), made under the lock
 *       if it is not there, with .1 of a free /24 of the pool; its address is printed.
 *       With --pool, zone bridges of corral's with no link on them are removed first.
 *
 *   corral-net macvlan|ipvlan PARENT CONTAINER-NAME PID
 *       a macvlan (bridge mode) or ipvlan (L2) link on PARENT, made in the namespace of PID.
 *
 *   corral-net configure PID INTERFACE ADDRESS/LEN [GATEWAY]
 *       in the network namespace of PID: INTERFACE up, with the address and a default route.
 *   corral-net nat FD TABLE LINK [--masquerade=ADDRESS/LEN] [--forward=PROTO:HOSTPORT:ADDRESS:PORT]... [--loopback]
 *       the container's nftables table (see nat.h), made through the netfilter netlink socket
 *       open at FD, which owns it (it goes when the supervisor closes that socket).  Prints
 *       "owned", or "unowned" where the kernel cannot (then nat-del removes it).  Masquerade and
 *       forwards turn on IPv4 forwarding, which they need; --loopback sets route_localnet on LINK.
 *   corral-net nat-del TABLE
 *   corral-net gc LOCK
 *       under the pool lock, removes corral's zone bridges with no link on them.
 *   corral-net move INTERFACE PID
 *       moves INTERFACE into the network namespace of PID.
 *   corral-net return INTERFACE FD
 *       moves INTERFACE from the network namespace open at FD back into ours.
 *
 * Errors go to stderr as one line naming the link; the exit status is 1. */
#include <arpa/inet.h>
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/random.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "macro.h"
#include "nat.h"
#include "parse-util.h"

static int talk(struct mnl_socket *nl, struct nlmsghdr *h)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned portid = mnl_socket_get_portid(nl);
        h->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
        h->nlmsg_seq = (unsigned)time(NULL);
        if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
                return -errno;
        ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
        if (n < 0)
                return -errno;
        return mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, portid, NULL, NULL) < 0 ? -errno : 0;
}

/* A link message in buf: type with flags (beyond request and ack), for the link with index
 * (0: a new one).  Attributes follow. */
static struct nlmsghdr *link_message(char *buf, uint16_t type, uint16_t flags, int index, struct ifinfomsg **ret)
{
        struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
        h->nlmsg_type = type;
        h->nlmsg_flags = flags;
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = index;
        if (ret)
                *ret = ifi;
        return h;
}

/* IPv4 prefixes in use here: routes of every table and addresses. */
typedef struct Prefixes {
        uint32_t addr[4096];
        uint8_t len[4096];
        size_t n;
} Prefixes;

static void add_prefix(Prefixes *p, const struct nlattr *a, unsigned len)
{
        if (!a || mnl_attr_get_payload_len(a) != 4 || p->n == 4096)
                return;
        uint32_t v;
        memcpy(&v, mnl_attr_get_payload(a), 4);
        p->addr[p->n] = ntohl(v);
        p->len[p->n++] = (uint8_t)len;
}

static int on_route(const struct nlmsghdr *h, void *data)
{
        const struct rtmsg *rt = mnl_nlmsg_get_payload(h);
        struct nlattr *a, *dst = NULL;
        if (rt->rtm_family != AF_INET || rt->rtm_dst_len == 0) /* a default route overlaps everything */
                return MNL_CB_OK;
        mnl_attr_for_each(a, h, sizeof(*rt))
                if (mnl_attr_get_type(a) == RTA_DST)
                        dst = a;
        add_prefix(data, dst, rt->rtm_dst_len);
        return MNL_CB_OK;
}

static int on_address(const struct nlmsghdr *h, void *data)
{
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
        struct nlattr *a, *local = NULL;
        if (ifa->ifa_family != AF_INET)
                return MNL_CB_OK;
        mnl_attr_for_each(a, h, sizeof(*ifa))
                if (mnl_attr_get_type(a) == IFA_LOCAL || (!local && mnl_attr_get_type(a) == IFA_ADDRESS))
                        local = a;
        add_prefix(data, local, ifa->ifa_prefixlen);
        return MNL_CB_OK;
}

static int dump(struct mnl_socket *nl, uint16_t type, size_t hdr, mnl_cb_t cb, void *p)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
        h->nlmsg_type = type;
        h->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
        h->nlmsg_seq = (unsigned)time(NULL);
        struct rtgenmsg *g = mnl_nlmsg_put_extra_header(h, hdr);
        g->rtgen_family = type == RTM_GETLINK ? AF_UNSPEC : AF_INET;
        if (mnl_socket_sendto(nl, h, h->nlmsg_len) < 0)
                return -errno;
        for (;;) {
                ssize_t n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
                if (n < 0)
                        return -errno;
                int r = mnl_cb_run(buf, (size_t)n, h->nlmsg_seq, mnl_socket_get_portid(nl), cb, p);
                if (r < 0)
                        return -errno;
                if (r == MNL_CB_STOP)
                        return 0;
        }
}

static bool overlaps(uint32_t a, unsigned alen, uint32_t b, unsigned blen)
{
        unsigned l = alen < blen ? alen : blen;
        uint32_t mask = l == 0 ? 0 : ~UINT32_C(0) << (32 - l);
        return (a & mask) == (b & mask);
}

/* The host side's address: .1 of the first free /len of 192.168.0.0/16. */
static int pick_address(struct mnl_socket *nl, const char *host, unsigned len, uint32_t *ret)
{
        static Prefixes p;
        int r;
        p.n = 0;
        if ((r = dump(nl, RTM_GETROUTE, sizeof(struct rtmsg), on_route, &p)) < 0 ||
            (r = dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), on_address, &p)) < 0) {
                fprintf(stderr, "cannot read this host's routes and addresses (to give %s an address): %s\n", host, strerror(-r));
                return r;
        }
        for (uint32_t net = 0xC0A80000; net < 0xC0A90000; net += UINT32_C(1) << (32 - len)) {
                bool free_ = true;
                for (size_t i = 0; i < p.n && free_; i++)
                        free_ = !overlaps(net, len, p.addr[i], p.len[i]);
                if (free_)
                        return (*ret = net + 1), 0;
        }
        fprintf(stderr, "no free /%u in 192.168.0.0/16 for %s: every one overlaps a route or an address here\n", len, host);
        return -EADDRINUSE;
}

static int add_address(struct mnl_socket *nl, const char *host, uint32_t addr, unsigned len)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
        h->nlmsg_type = RTM_NEWADDR;
        h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        struct ifaddrmsg *ifa = mnl_nlmsg_put_extra_header(h, sizeof(*ifa));
        ifa->ifa_family = AF_INET;
        ifa->ifa_prefixlen = (unsigned char)len;
        ifa->ifa_index = if_nametoindex(host);
        uint32_t a = htonl(addr), brd = htonl(addr | (UINT32_MAX >> len));
        mnl_attr_put_u32(h, IFA_LOCAL, a);
        mnl_attr_put_u32(h, IFA_ADDRESS, a);
        mnl_attr_put_u32(h, IFA_BROADCAST, brd);
        int r = ifa->ifa_index ? talk(nl, h) : -ENODEV;
        if (r < 0)
                fprintf(stderr, "cannot give %s its address: %s\n", host, strerror(-r));
        return r;
}

/* [Network] Address=/Gateway= for a guest with no DHCP client, from outside: in the namespace
 * we are in now (the container's), ifname up with the address, and the default route. */
static int configure(struct mnl_socket *nl, const char *ifname, const char *prefix, const char *gateway)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        uint32_t addr;
        unsigned len;
        struct in_addr gw;
        int index = (int)if_nametoindex(ifname), r;
        if (!index) {
                fprintf(stderr, "the container has no %s\n", ifname);
                return -ENODEV;
        }
        if (ipv4_prefix_parse(prefix, 1, 32, &addr, &len) < 0 || (gateway && inet_pton(AF_INET, gateway, &gw) != 1)) {
                fprintf(stderr, "corral-net: bad address %s or gateway %s\n", prefix, gateway ? gateway : "");
                return -EINVAL;
        }
        struct ifinfomsg *ifi;
        struct nlmsghdr *h = link_message(buf, RTM_NEWLINK, 0, index, &ifi);
        ifi->ifi_flags = ifi->ifi_change = IFF_UP;
        if ((r = talk(nl, h)) < 0) {
                fprintf(stderr, "cannot bring up %s in the container: %s\n", ifname, strerror(-r));
                return r;
        }
        if ((r = add_address(nl, ifname, addr, len)) < 0 || !gateway)
                return r;
        h = mnl_nlmsg_put_header(buf);
        h->nlmsg_type = RTM_NEWROUTE;
        h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        struct rtmsg *rt = mnl_nlmsg_put_extra_header(h, sizeof(*rt));
        rt->rtm_family = AF_INET;
        rt->rtm_table = RT_TABLE_MAIN;
        rt->rtm_protocol = RTPROT_STATIC;
        rt->rtm_scope = RT_SCOPE_UNIVERSE;
        rt->rtm_type = RTN_UNICAST;
        mnl_attr_put_u32(h, RTA_GATEWAY, gw.s_addr);
        mnl_attr_put_u32(h, RTA_OIF, (uint32_t)index);
        if ((r = talk(nl, h)) < 0)
                fprintf(stderr, "cannot add the default route via %s in the container: %s\n", gateway, strerror(-r));
        return r;
}

/* A macvlan or ipvlan link on parent, born in the network namespace of pid. */
static int vlan(struct mnl_socket *nl, bool ipvlan, const char *parent, const char *name, pid_t pid)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned link = if_nametoindex(parent);
        if (!link) {
                fprintf(stderr, "there is no network interface named %s here\n", parent);
                return -ENODEV;
        }
        struct nlmsghdr *h = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, NULL);
        mnl_attr_put_strz(h, IFLA_IFNAME, name);
        mnl_attr_put_u32(h, IFLA_LINK, link);
        mnl_attr_put_u32(h, IFLA_NET_NS_PID, (uint32_t)pid);
        struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
        mnl_attr_put_strz(h, IFLA_INFO_KIND, ipvlan ? "ipvlan" : "macvlan");
        struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
        if (ipvlan)
                mnl_attr_put_u16(h, IFLA_IPVLAN_MODE, IPVLAN_MODE_L2);
        else
                mnl_attr_put_u32(h, IFLA_MACVLAN_MODE, MACVLAN_MODE_BRIDGE);
        mnl_attr_nest_end(h, data);
        mnl_attr_nest_end(h, info);
        int r = talk(nl, h);
        if (r < 0)
                fprintf(stderr, "cannot create the %s link %s on %s: %s%s\n", ipvlan ? "ipvlan" : "macvlan", name, parent, strerror(-r),
                        r == -EOPNOTSUPP
                                ? (ipvlan ? " (this kernel has no ipvlan support: the ipvlan module)" : " (this kernel has no macvlan support)")
                                : "");
        return r;
}

static int veth(struct mnl_socket *nl, const char *host, const char *peer, pid_t pid, const char *bridge, bool down, const uint8_t *host_mac,
                const uint8_t *peer_mac)
{
        unsigned master = 0;
        if (bridge && !(master = if_nametoindex(bridge))) {
                fprintf(stderr, "there is no bridge named %s here (create it first, e.g. ip link add %s type bridge)\n", bridge, bridge);
                return -ENODEV;
        }
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct ifinfomsg *ifi;
        struct nlmsghdr *h = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, &ifi);
        mnl_attr_put_strz(h, IFLA_IFNAME, host);
        if (host_mac)
                mnl_attr_put(h, IFLA_ADDRESS, 6, host_mac);
        struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
        mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
        struct nlattr *p = mnl_attr_nest_start(h, VETH_INFO_PEER);
        struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(h, sizeof(*pi));
        pi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(h, IFLA_IFNAME, peer);
        if (peer_mac)
                mnl_attr_put(h, IFLA_ADDRESS, 6, peer_mac);
        mnl_attr_put_u32(h, IFLA_NET_NS_PID, (uint32_t)pid);
        mnl_attr_nest_end(h, p);
        mnl_attr_nest_end(h, data);
        mnl_attr_nest_end(h, info);
        int r = talk(nl, h);
        /* The pair of a machine of this name that just ended goes when the kernel has torn
         * down its network namespace, which it does in the background, a moment after the
         * namespace's last process (seconds on a busy host): the caller holds the name's
         * lock, so a link of this name now is most likely that one. */
        for (int i = 0; r == -EEXIST && i < 50; i++) {
                usleep(100 * 1000);
                r = talk(nl, h);
        }
        if (r == -EEXIST) {
                fprintf(stderr, "a network link named %s exists already: is a machine of that name running? (else remove it: ip link del %s)\n", host,
                        host);
                return r;
        }
        if (r < 0) {
                fprintf(stderr, "cannot create the veth pair %s/%s: %s%s\n", host, peer, strerror(-r),
                        r == -EOPNOTSUPP ? " (is the veth kernel module there?)" : "");
                return r;
        }
        if (down)
                return 0;
        /* The host's end up; the container brings up its own. */
        h = link_message(buf, RTM_NEWLINK, 0, (int)if_nametoindex(host), &ifi);
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        if (master)
                mnl_attr_put_u32(h, IFLA_MASTER, master);
        if (ifi->ifi_index == 0 || (r = talk(nl, h)) < 0) {
                if (master)
                        fprintf(stderr, "cannot add %s to the bridge %s: %s%s\n", host, bridge, strerror(-r),
                                r == -EOPNOTSUPP || r == -EINVAL ? " (is it a bridge?)" : "");
                else
                        fprintf(stderr, "cannot bring up %s: %s\n", host, strerror(ifi->ifi_index == 0 ? errno : -r));
                /* The pair goes with the container's namespace; the link here at once. */
                h = link_message(buf, RTM_DELLINK, 0, (int)if_nametoindex(host), &ifi);
                if (ifi->ifi_index)
                        (void)talk(nl, h);
                return r < 0 ? r : -ENODEV;
        }
        return 0;
}

/* Moves ifname (as named in the namespace nl talks to) to the namespace of pid, or of fd. */
static int move(struct mnl_socket *nl, const char *ifname, pid_t pid, int fd)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        unsigned index = if_nametoindex(ifname);
        if (!index) {
                fprintf(stderr, pid ? "there is no network interface named %s here\n" : "%s is gone from the container (renamed or removed there?)\n",
                        ifname);
                return -ENODEV;
        }
        struct nlmsghdr *h = link_message(buf, RTM_NEWLINK, 0, (int)index, NULL);
        if (pid)
                mnl_attr_put_u32(h, IFLA_NET_NS_PID, (uint32_t)pid);
        else
                mnl_attr_put_u32(h, IFLA_NET_NS_FD, (uint32_t)fd);
        int r = talk(nl, h);
        if (r < 0)
                fprintf(stderr, "cannot move %s %s: %s\n", ifname, pid ? "into the container" : "back from the container", strerror(-r));
        return r;
}

static int write_sysctl(const char *path, const char *what)
{
        int fd = open(path, O_WRONLY | O_CLOEXEC), r = 0;
        if (fd < 0 || write(fd, "1", 1) != 1) {
                r = -errno;
                fprintf(stderr, "cannot turn on %s (%s): %s\n", what, path, strerror(errno));
        }
        if (fd >= 0)
                close(fd);
        return r;
}

/* Packets from the host's loopback may leave by link (forwarded ports). */
static int set_route_localnet(const char *link)
{
        char path[128];
        snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/route_localnet", link);
        return write_sysctl(path, "route_localnet");
}

static int take_lock(const char *path)
{
        int lock = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (lock < 0 || flock(lock, LOCK_EX) < 0) {
                fprintf(stderr, "cannot lock %s: %s\n", path, strerror(errno));
                if (lock >= 0)
                        close(lock);
                return -1;
        }
        return lock;
}

/* The links here, for the zone bridges. */
#define ZONE_ALIAS "corral zone"
typedef struct Link {
        int index;
        unsigned master;
        bool bridge, ours; /* a bridge; one corral made for a zone */
        char name[IFNAMSIZ];
} Link;
typedef struct Links {
        Link l[1024];
        size_t n;
} Links;

static int on_link(const struct nlmsghdr *h, void *data)
{
        Links *ls = data;
        const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(h);
        struct nlattr *a;
        if (ls->n == ELEMENTSOF(ls->l))
                return MNL_CB_OK;
        Link *l = &ls->l[ls->n++];
        *l = (Link){.index = ifi->ifi_index};
        mnl_attr_for_each(a, h, sizeof(*ifi)) {
                switch (mnl_attr_get_type(a)) {
                case IFLA_IFNAME:
                        snprintf(l->name, sizeof(l->name), "%s", mnl_attr_get_str(a));
                        break;
                case IFLA_MASTER:
                        l->master = mnl_attr_get_u32(a);
                        break;
                case IFLA_IFALIAS:
                        l->ours = strcmp(mnl_attr_get_str(a), ZONE_ALIAS) == 0;
                        break;
                case IFLA_LINKINFO: {
                        struct nlattr *i;
                        mnl_attr_for_each_nested(i, a)
                                if (mnl_attr_get_type(i) == IFLA_INFO_KIND)
                                        l->bridge = strcmp(mnl_attr_get_str(i), "bridge") == 0;
                        break;
                }
                }
        }
        return MNL_CB_OK;
}

static int delete_link(struct mnl_socket *nl, int index)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        return talk(nl, link_message(buf, RTM_DELLINK, 0, index, NULL));
}

/* Removes corral's zone bridges with no link on them (their containers ended), but keep. */
static int remove_empty_zones(struct mnl_socket *nl, const char *keep)
{
        static Links ls;
        ls.n = 0;
        int r = dump(nl, RTM_GETLINK, sizeof(struct ifinfomsg), on_link, &ls);
        if (r < 0) {
                fprintf(stderr, "cannot list the network links here: %s\n", strerror(-r));
                return r;
        }
        for (size_t i = 0; i < ls.n; i++) {
                bool used = false;
                if (!ls.l[i].bridge || !ls.l[i].ours || (keep && strcmp(ls.l[i].name, keep) == 0))
                        continue;
                for (size_t j = 0; j < ls.n && !used; j++)
                        used = ls.l[j].master == (unsigned)ls.l[i].index;
                if (!used && (r = delete_link(nl, ls.l[i].index)) < 0 && r != -ENODEV)
                        fprintf(stderr, "cannot remove the empty zone bridge %s: %s\n", ls.l[i].name, strerror(-r));
        }
        return 0;
}

typedef struct OwnAddress {
        unsigned index;
        uint32_t addr;
        unsigned len;
} OwnAddress;

static int on_own_address(const struct nlmsghdr *h, void *data)
{
        OwnAddress *o = data;
        const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(h);
        struct nlattr *a;
        if (ifa->ifa_family != AF_INET || ifa->ifa_index != o->index || o->addr)
                return MNL_CB_OK;
        mnl_attr_for_each(a, h, sizeof(*ifa))
                if (mnl_attr_get_type(a) == IFA_LOCAL && mnl_attr_get_payload_len(a) == 4) {
                        uint32_t v;
                        memcpy(&v, mnl_attr_get_payload(a), 4);
                        o->addr = ntohl(v);
                        o->len = ifa->ifa_prefixlen;
                }
        return MNL_CB_OK;
}

/* The zone's bridge: there already (its address in *ret_addr, 0 if it has none), or made now,
 * up, with .1 of a free /24 of the pool and route_localnet (for port forwards from the host's
 * loopback; each container's table guards it). */
static int zone_bridge(struct mnl_socket *nl, const char *bridge, uint32_t *ret_addr, unsigned *ret_len)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        int r;
        OwnAddress o = {.index = if_nametoindex(bridge)};
        if (o.index) {
                if ((r = dump(nl, RTM_GETADDR, sizeof(struct ifaddrmsg), on_own_address, &o)) < 0) {
                        fprintf(stderr, "cannot read the address of %s: %s\n", bridge, strerror(-r));
                        return r;
                }
                *ret_addr = o.addr;
                *ret_len = o.len;
                return 0;
        }
        uint8_t mac[6];
        if (getrandom(mac, sizeof(mac), 0) != sizeof(mac))
                return -errno;
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered: the bridge keeps it */
        struct ifinfomsg *ifi;
        struct nlmsghdr *h = link_message(buf, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, 0, &ifi);
        ifi->ifi_flags = ifi->ifi_change = IFF_UP;
        mnl_attr_put_strz(h, IFLA_IFNAME, bridge);
        mnl_attr_put(h, IFLA_ADDRESS, sizeof(mac), mac);
        struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
        mnl_attr_put_strz(h, IFLA_INFO_KIND, "bridge");
        mnl_attr_nest_end(h, info);
        if ((r = talk(nl, h)) < 0) {
                fprintf(stderr, "cannot create the zone bridge %s: %s%s\n", bridge, strerror(-r),
                        r == -EOPNOTSUPP ? " (is the bridge kernel module there?)" : "");
                return r;
        }
        /* Up, and marked as corral's: the kernel takes neither when it creates a link. */
        h = link_message(buf, RTM_NEWLINK, 0, (int)if_nametoindex(bridge), &ifi);
        ifi->ifi_flags = ifi->ifi_change = IFF_UP;
        mnl_attr_put_strz(h, IFLA_IFALIAS, ZONE_ALIAS);
        uint32_t a;
        if ((r = talk(nl, h)) < 0 || (r = pick_address(nl, bridge, 24, &a)) < 0 || (r = add_address(nl, bridge, a, 24)) < 0 ||
            (r = set_route_localnet(bridge)) < 0) {
                if (r != -EADDRINUSE)
                        fprintf(stderr, "cannot set up the zone bridge %s: %s\n", bridge, strerror(-r));
                (void)delete_link(nl, (int)if_nametoindex(bridge));
                return r;
        }
        *ret_addr = a;
        *ret_len = 24;
        return 0;
}

/* A netlink socket of bus (NETLINK_ROUTE, NETLINK_NETFILTER), bound; NULL with the error printed. */
static struct mnl_socket *open_socket(int bus)
{
        struct mnl_socket *nl = mnl_socket_open2(bus, SOCK_CLOEXEC);
        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                fprintf(stderr, "cannot open a %snetlink socket: %s\n", bus == NETLINK_NETFILTER ? "netfilter " : "", strerror(errno));
                if (nl)
                        mnl_socket_close(nl);
                return NULL;
        }
        return nl;
}

/* PROTO:HOSTPORT:ADDRESS:PORT */
static int parse_forward(const char *v, NatForward *f)
{
        char proto[4], address[16];
        unsigned hp, p;
        int n = 0;
        if (sscanf(v, "%3[a-z]:%u:%15[0-9.]:%u%n", proto, &hp, address, &p, &n) != 4 || v[n] || hp == 0 || hp > 65535 || p == 0 || p > 65535 ||
            ipv4_address_parse(address, &f->address) < 0)
                return -EINVAL;
        if (strcmp(proto, "tcp") == 0)
                f->protocol = IPPROTO_TCP;
        else if (strcmp(proto, "udp") == 0)
                f->protocol = IPPROTO_UDP;
        else
                return -EINVAL;
        f->host_port = (uint16_t)hp;
        f->port = (uint16_t)p;
        return 0;
}

static int nat(int argc, char **argv)
{
        if (argc == 3 && strcmp(argv[1], "nat-del") == 0) {
                struct mnl_socket *nl = open_socket(NETLINK_NETFILTER);
                int r = nl ? nat_table_remove(nl, argv[2]) : -EIO;
                if (nl && r < 0)
                        fprintf(stderr, "cannot remove the nftables table %s: %s\n", argv[2], strerror(-r));
                if (nl)
                        mnl_socket_close(nl);
                return r < 0 ? 1 : 0;
        }
        NatForward *forwards = calloc((size_t)argc, sizeof(NatForward));
        NatTable t = {.forwards = forwards};
        char *end;
        long fd = argc >= 5 ? strtol(argv[2], &end, 10) : -1;
        bool ok = forwards && fd >= 0 && !*end && fd < INT32_MAX;
        for (int i = 5; ok && i < argc; i++) {
                if (strncmp(argv[i], "--masquerade=", 13) == 0)
                        ok = t.masquerade = ipv4_prefix_parse(argv[i] + 13, 1, 32, &t.net, &t.len) >= 0;
                else if (strncmp(argv[i], "--forward=", 10) == 0)
                        ok = parse_forward(argv[i] + 10, &forwards[t.n_forwards++]) >= 0;
                else if (strcmp(argv[i], "--loopback") == 0)
                        t.loopback = true;
                else
                        ok = false;
        }
        if (!ok) {
                fprintf(stderr,
                        "usage: corral-net nat FD TABLE LINK [--masquerade=ADDRESS/LEN] [--forward=PROTO:HOSTPORT:ADDRESS:PORT]... [--loopback]\n");
                free(forwards);
                return 2;
        }
        t.name = argv[3];
        t.link = argv[4];
        struct mnl_socket *nl = mnl_socket_fdopen((int)fd);
        bool owned = false;
        int r = nl ? nat_table_add(nl, &t, &owned) : -errno;
        if (r < 0)
                fprintf(stderr, "cannot add the nftables table %s: %s%s\n", t.name, strerror(-r),
                        r == -EPERM ? " (a program that is still running owns a table of that name)" : "");
        if (r >= 0 && (t.masquerade || t.n_forwards > 0))
                r = write_sysctl("/proc/sys/net/ipv4/ip_forward", "IPv4 forwarding");
        if (r >= 0 && t.loopback)
                r = set_route_localnet(t.link);
        if (r >= 0)
                puts(owned ? "owned" : "unowned");
        /* Not closed: the socket, and with it the table, is the supervisor's. */
        free(forwards);
        return r < 0 ? 1 : 0;
}

/* veth ... [--bridge=BRIDGE [--zone]] [--pool=LOCK] [--address=A/LEN] [--down] [--macs=H,C], macvlan, ipvlan */
static int links(int argc, char **argv)
{
        const char *bridge = NULL, *pool = NULL, *address = NULL;
        bool down = false, have_macs = false, zone = false;
        uint8_t macs[12];
        for (int i = 5; i < argc; i++) {
                if (!argv[i][0])
                        continue; /* an option left empty */
                if (strcmp(argv[i], "--down") == 0)
                        down = true;
                else if (strcmp(argv[i], "--zone") == 0)
                        zone = true;
                else if (strncmp(argv[i], "--macs=", 7) == 0) {
                        uint8_t *m = macs;
                        have_macs = sscanf(argv[i] + 7, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx,%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", m, m + 1, m + 2, m + 3, m + 4,
                                           m + 5, m + 6, m + 7, m + 8, m + 9, m + 10, m + 11) == 12;
                        if (!have_macs)
                                argc = 0;
                } else if (strncmp(argv[i], "--bridge=", 9) == 0)
                        bridge = argv[i] + 9;
                else if (strncmp(argv[i], "--pool=", 7) == 0)
                        pool = argv[i] + 7;
                else if (strncmp(argv[i], "--address=", 10) == 0)
                        address = argv[i] + 10;
                else
                        argc = 0;
        }
        if (argc < 5 || (zone && (!bridge || !pool)) ||
            (strcmp(argv[1], "veth") != 0 && strcmp(argv[1], "macvlan") != 0 && strcmp(argv[1], "ipvlan") != 0)) {
                fprintf(stderr, "usage: corral-net veth HOST-NAME CONTAINER-NAME PID [--bridge=BRIDGE [--zone]] [--pool=LOCK] [--down]\n"
                                "       corral-net macvlan|ipvlan PARENT CONTAINER-NAME PID\n");
                return 2;
        }
        char *end;
        long pid = strtol(argv[4], &end, 10);
        if (*end || pid <= 0 || strlen(argv[2]) >= IFNAMSIZ || strlen(argv[3]) >= IFNAMSIZ) {
                fprintf(stderr, "corral-net: bad arguments\n");
                return 2;
        }
        struct mnl_socket *nl = open_socket(NETLINK_ROUTE);
        if (!nl)
                return 1;
        int r = 0, lock = -1;
        uint32_t a = 0;
        unsigned len = 28;
        /* Chosen and taken under the lock: the next start sees this address, and a zone's
         * bridge is not removed while its link joins it. */
        if (pool && (lock = take_lock(pool)) < 0)
                r = -EIO;
        /* Zone bridges left by supervisors killed with SIGKILL go at any start that takes the
         * lock (and at the end of a zone's container). */
        if (r >= 0 && pool)
                r = remove_empty_zones(nl, zone ? bridge : NULL);
        if (r >= 0 && zone)
                r = zone_bridge(nl, bridge, &a, &len);
        if (r >= 0)
                r = strcmp(argv[1], "veth") == 0
                            ? veth(nl, argv[2], argv[3], (pid_t)pid, bridge, down, have_macs ? macs : NULL, have_macs ? macs + 6 : NULL)
                            : vlan(nl, strcmp(argv[1], "ipvlan") == 0, argv[2], argv[3], (pid_t)pid);
        if (r >= 0 && address) {
                if (ipv4_prefix_parse(address, 1, 32, &a, &len) < 0) {
                        fprintf(stderr, "corral-net: bad address %s\n", address);
                        r = -EINVAL;
                } else
                        r = add_address(nl, argv[2], a, len);
                a = 0;
        } else if (r >= 0 && pool && !zone && (r = pick_address(nl, argv[2], 28, &a)) >= 0)
                r = add_address(nl, argv[2], a, 28);
        if (r >= 0 && a) {
                char text[16];
                ipv4_address_format(a, text);
                printf("%s/%u\n", text, len);
        }
        if (lock >= 0)
                close(lock);
        mnl_socket_close(nl);
        return r < 0 ? 1 : 0;
}

int main(int argc, char **argv)
{
        if (argc >= 2 && (strcmp(argv[1], "nat") == 0 || strcmp(argv[1], "nat-del") == 0))
                return nat(argc, argv);
        if (argc == 3 && strcmp(argv[1], "gc") == 0) {
                int lock = take_lock(argv[2]);
                struct mnl_socket *nl = lock >= 0 ? open_socket(NETLINK_ROUTE) : NULL;
                int r = nl ? remove_empty_zones(nl, NULL) : -EIO;
                if (nl)
                        mnl_socket_close(nl);
                return r < 0 ? 1 : 0;
        }
        if ((argc == 5 || argc == 6) && strcmp(argv[1], "configure") == 0) {
                char path[64];
                snprintf(path, sizeof(path), "/proc/%s/ns/net", argv[2]);
                int ns = open(path, O_RDONLY | O_CLOEXEC);
                if (ns < 0 || setns(ns, CLONE_NEWNET) < 0) {
                        fprintf(stderr, "cannot enter the container's network namespace: %s\n", strerror(errno));
                        return 1;
                }
                close(ns);
                struct mnl_socket *nl = open_socket(NETLINK_ROUTE);
                int r = nl ? configure(nl, argv[3], argv[4], argc == 6 ? argv[5] : NULL) : -EIO;
                if (nl)
                        mnl_socket_close(nl);
                return r < 0 ? 1 : 0;
        }
        if (argc == 4 && (strcmp(argv[1], "move") == 0 || strcmp(argv[1], "return") == 0)) {
                char *e;
                long n = strtol(argv[3], &e, 10);
                if (*e || n <= 0 || n > INT32_MAX || strlen(argv[2]) >= IFNAMSIZ) {
                        fprintf(stderr, "corral-net: bad arguments\n");
                        return 2;
                }
                int ours = -1;
                if (strcmp(argv[1], "return") == 0) {
                        /* Talk to the container's namespace; the target is the one we started in. */
                        if ((ours = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC)) < 0 || setns((int)n, CLONE_NEWNET) < 0) {
                                fprintf(stderr, "cannot enter the container's network namespace: %s\n", strerror(errno));
                                return 1;
                        }
                }
                struct mnl_socket *nl = open_socket(NETLINK_ROUTE);
                if (!nl)
                        return 1;
                int r = ours < 0 ? move(nl, argv[2], (pid_t)n, -1) : move(nl, argv[2], 0, ours);
                mnl_socket_close(nl);
                return r < 0 ? 1 : 0;
        }
        return links(argc, argv);
}
