/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "dhcp-server.h"

#include "container.h"

typedef struct Spawned {
        pid_t pid;          /* the container's PID 1, as the host sees it */
        int pidfd;
        int console_master; /* -1 with --console=pipe */
        int console_peer;   /* held so the master never sees a hangup between payload writers */
        int notify_fd;
        int dhcp_fd;        /* the DHCP server's socket on the host side of the veth pair, or -1 */
        DhcpConfig dhcp;
        int netns_fd; /* the container's network namespace, held to move interfaces back, or -1 */
} Spawned;

/* Runs the spawn sequence up to the payload's exec.  On failure the child is gone and e says why. */
int container_spawn(const RunConfig *c, Spawned *ret, Error *e);

/* Runs corral-net (argv[0] is set; keep_fd, if >= 0, is inherited): its error line becomes e's
 * message after what; on success msg holds its first output line. */
int run_net_helper(const RunConfig *c, const char *what, char **argv, int keep_fd, char *msg, size_t size, Error *e);
/* --network-interface=: moves ifname back from the container's namespace (errors printed). */
void net_return_interface(const RunConfig *c, int netns_fd, const char *ifname);
/* Masquerade=: removes the container's nftables table (errors printed). */
void net_unmasquerade(const RunConfig *c);
/* Waits (bounded) until the host sides of the container's veth pairs are gone. */
void net_wait_links_gone(const RunConfig *c);
