/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "dhcp-server.h"
#include "error.h"
#include "settings.h"

/* The links the supervisor makes or moves for the container's network namespace (through
 * corral-net), and what it sets up on them. */
typedef struct NetworkSpec {
        const char *machine;     /* the name the host-side links (ve-NAME) and the nftables table take */
        const char *helper;      /* corral-net; NULL: nothing to make (loopback only, or no namespace of its own) */
        bool veth;               /* host0 with ve-NAME (vb-NAME when on a bridge) */
        char *const *veth_extra; /* "HOST[:CONTAINER]" pairs beside it */
        char *const *macvlan;    /* host links to give the container a MACVLAN (mv-LINK) of */
        char *const *ipvlan;     /* ... an IPVLAN (iv-LINK) of */
        char *const *interfaces; /* host links moved in, and back out at the end */
        bool masquerade;         /* the veth pair's (or zone's) subnet masqueraded outwards */
        const ExposePort *ports; /* forwarded from the host's addresses to the container's */
        size_t n_ports;
        const char *address;   /* host0's static "A.B.C.D/LEN", or NULL (DHCP) */
        const char *host_side; /* [Network] Address=: the host side's "A.B.C.D/LEN", or "" */
        const char *gateway;   /* and host0's default route, or "" */
        const char *bridge;    /* --network-bridge=, or vz-ZONE: the host side joins it (vb-NAME) */
        const char *zone;      /* --network-zone=: ZONE, whose bridge corral makes and removes */
        const char *zone_dir;  /* the zones' lease files: DIR/ZONE/N */
        const char *pool_lock; /* the lock file of the host-side address pool */
} NetworkSpec;

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
int net_setup(const NetworkSpec *c, pid_t pid, NetState *n, Error *e);
/* After the container ended: interfaces back, the table removed, the links waited for (bounded),
 * the zone lease given back and empty zone bridges removed.  Errors are printed. */
void net_teardown(const NetworkSpec *c, NetState *n);
/* Answers what came to the DHCP server's socket. */
void net_dhcp_handle(NetState *n);
void net_state_done(NetState *n);
/* The index of the host side of the container's veth pair (ve-NAME, vb-NAME), or 0 without one. */
int net_veth_host_ifindex(const NetworkSpec *c);

/* Runs corral-net with argv (argv[0] is set; keep_fd, if >= 0, is inherited): its error line
 * becomes e's message after what; on success msg holds its first output line. */
int run_net_helper(const NetworkSpec *c, const char *what, char **argv, int keep_fd, char *msg, size_t size, Error *e);

/* A zone's leases: files dir/ZONE/N (N from 2 to 254, the host number in the zone's /24), each
 * held locked by the supervisor of the container that has it; a supervisor killed with
 * SIGKILL leaves a file nobody holds, which the next one takes or removes. */
int zone_lease_take(const char *dir, const char *zone, int *ret_fd, unsigned *ret_n, char *path, size_t size);
void zone_lease_release(const char *dir, const char *zone, int *fd, const char *path);
