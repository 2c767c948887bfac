/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-net: the network links of a container, set up over netlink (libmnl) for its
 * supervisor.  A program of its own because Debian has no static libmnl and corral itself is
 * linked statically; only containers with networking pay for starting it.
 *
 *   corral-net veth HOST-NAME CONTAINER-NAME PID
 *       a veth pair: HOST-NAME here, up; CONTAINER-NAME in the network namespace of PID.
 *
 * Errors go to stderr as one line naming the link; the exit status is 1. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static int veth(struct mnl_socket *nl, const char *host, const char *peer, pid_t pid)
{
        char buf[MNL_SOCKET_BUFFER_SIZE];
        struct nlmsghdr *h = mnl_nlmsg_put_header(buf);
        h->nlmsg_type = RTM_NEWLINK;
        h->nlmsg_flags = NLM_F_CREATE | NLM_F_EXCL;
        struct ifinfomsg *ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(h, IFLA_IFNAME, host);
        struct nlattr *info = mnl_attr_nest_start(h, IFLA_LINKINFO);
        mnl_attr_put_strz(h, IFLA_INFO_KIND, "veth");
        struct nlattr *data = mnl_attr_nest_start(h, IFLA_INFO_DATA);
        struct nlattr *p = mnl_attr_nest_start(h, VETH_INFO_PEER);
        struct ifinfomsg *pi = mnl_nlmsg_put_extra_header(h, sizeof(*pi));
        pi->ifi_family = AF_UNSPEC;
        mnl_attr_put_strz(h, IFLA_IFNAME, peer);
        mnl_attr_put_u32(h, IFLA_NET_NS_PID, (uint32_t)pid);
        mnl_attr_nest_end(h, p);
        mnl_attr_nest_end(h, data);
        mnl_attr_nest_end(h, info);
        int r = talk(nl, h);
        if (r == -EEXIST) {
                fprintf(stderr, "a network link named %s exists already: is a machine of that name running? (else remove it: ip link del %s)\n", host, host);
                return r;
        }
        if (r < 0) {
                fprintf(stderr, "cannot create the veth pair %s/%s: %s%s\n", host, peer, strerror(-r),
                        r == -EOPNOTSUPP ? " (is the veth kernel module there?)" : "");
                return r;
        }
        /* The host's end up; the container brings up its own. */
        h = mnl_nlmsg_put_header(buf);
        h->nlmsg_type = RTM_NEWLINK;
        ifi = mnl_nlmsg_put_extra_header(h, sizeof(*ifi));
        ifi->ifi_family = AF_UNSPEC;
        ifi->ifi_index = (int)if_nametoindex(host);
        ifi->ifi_flags = IFF_UP;
        ifi->ifi_change = IFF_UP;
        if (ifi->ifi_index == 0 || (r = talk(nl, h)) < 0) {
                fprintf(stderr, "cannot bring up %s: %s\n", host, strerror(ifi->ifi_index == 0 ? errno : -r));
                return r < 0 ? r : -ENODEV;
        }
        return 0;
}

int main(int argc, char **argv)
{
        if (argc != 5 || strcmp(argv[1], "veth") != 0) {
                fprintf(stderr, "usage: corral-net veth HOST-NAME CONTAINER-NAME PID\n");
                return 2;
        }
        char *end;
        long pid = strtol(argv[4], &end, 10);
        if (*end || pid <= 0 || strlen(argv[2]) >= IFNAMSIZ || strlen(argv[3]) >= IFNAMSIZ) {
                fprintf(stderr, "corral-net: bad arguments\n");
                return 2;
        }
        struct mnl_socket *nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
        if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
                fprintf(stderr, "cannot open a netlink socket: %s\n", strerror(errno));
                return 1;
        }
        int r = veth(nl, argv[2], argv[3], (pid_t)pid);
        mnl_socket_close(nl);
        return r < 0 ? 1 : 0;
}
