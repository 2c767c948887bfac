/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "container.h"
#include "dhcp-server.h"
#include "error.h"

/* What the supervisor holds of a container's network while it runs. */
typedef struct NetState {
        int dhcp_fd;      /* the DHCP server's socket: UDP on ve-NAME, or a packet socket on vb-NAME in a zone; or -1 */
        int dhcp_send_fd; /* in a zone: the UDP socket on the zone's bridge that answers leave by; or -1 */
        DhcpConfig dhcp;
        int netns_fd;     /* the container's network namespace, held to move interfaces back, or -1 */
        int nat_fd;       /* the netfilter socket that owns the container's nftables table, or -1 */
        bool nat_unowned; /* the kernel could not tie the table to nat_fd: removed by name at the end */
        int lease_fd;     /* the container's lease file in its zone, locked while it runs, or -1 */
        char lease_path[160];
} NetState;

#define NET_STATE_NULL                                                                          \
        {                                                                                       \
                .dhcp_fd = -1, .dhcp_send_fd = -1, .netns_fd = -1, .nat_fd = -1, .lease_fd = -1 \
        }

/* After the clone, while the child waits: the links (veth pair, zone, bridge, extra pairs,
 * MACVLAN/IPVLAN, moved interfaces), the addresses, the DHCP server and the nftables table. */
int net_setup(const RunConfig *c, pid_t pid, NetState *n, Error *e);
/* After the container ended: interfaces back, the table removed, the links waited for (bounded),
 * the zone lease given back and empty zone bridges removed.  Errors are printed. */
void net_teardown(const RunConfig *c, NetState *n);
/* Answers what came to the DHCP server's socket. */
void net_dhcp_handle(NetState *n);
void net_state_done(NetState *n);
/* The index of the host side of the container's veth pair (ve-NAME, vb-NAME), or 0 without one. */
int net_veth_host_ifindex(const RunConfig *c);

/* Runs corral-net with argv (argv[0] is set; keep_fd, if >= 0, is inherited): its error line
 * becomes e's message after what; on success msg holds its first output line. */
int run_net_helper(const RunConfig *c, const char *what, char **argv, int keep_fd, char *msg, size_t size, Error *e);

/* A zone's leases: files dir/ZONE/N (N from 2 to 254, the host number in the zone's /24), each
 * held locked by the supervisor of the container that has it; a supervisor killed with
 * SIGKILL leaves a file nobody holds, which the next one takes or removes. */
int zone_lease_take(const char *dir, const char *zone, int *ret_fd, unsigned *ret_n, char *path, size_t size);
void zone_lease_release(const char *dir, const char *zone, int *fd, const char *path);
