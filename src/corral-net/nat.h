/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stdint.h>

/* A port forwarded to the container: protocol (IPPROTO_TCP, IPPROTO_UDP), the host's port,
 * and the container's address (host byte order) and port. */
typedef struct NatForward {
        uint8_t protocol;
        uint16_t host_port, port;
        uint32_t address;
} NatForward;

/* The nftables table of one container ("ip corral-NAME"), so removing it removes everything:
 *  - masquerade: what leaves the subnet net/len by any link but link is masqueraded;
 *  - forwards: what comes to an address of this host (its loopback included) at a host port
 *    goes to the container (DNAT, in prerouting and output);
 *  - loopback: what is forwarded from the host's loopback leaves link with the link's own
 *    address, and nothing coming in on link may be addressed to 127.0.0.0/8 (link needs
 *    route_localnet for the first; the second keeps the container off the host's loopback).
 * owned: the table belongs to the netlink socket nl and goes when it closes (Linux 5.12 and
 * later); *ret_owned says whether the kernel took that. */
typedef struct NatTable {
        const char *name, *link;
        bool masquerade;
        uint32_t net;
        unsigned len;
        const NatForward *forwards;
        size_t n_forwards;
        bool loopback;
} NatTable;

/* nl: a NETLINK_NETFILTER socket. */
int nat_table_add(struct mnl_socket *nl, const NatTable *t, bool *ret_owned);
int nat_table_remove(struct mnl_socket *nl, const char *table);
