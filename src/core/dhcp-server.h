/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* The DHCP server the supervisor runs on the host side of a veth pair, so that any guest with
 * a DHCP client (udhcpc, dhclient, systemd-networkd) gets the container's address without
 * systemd-networkd on the host.  One lease: the container's address. */
typedef struct DhcpConfig {
        uint32_t server;  /* the host side's address (host byte order), also the router */
        uint32_t client;  /* the address the container gets */
        uint32_t netmask;
        uint32_t dns[3];  /* name servers to hand out (0: none) */
        uint32_t lease_seconds;
} DhcpConfig;

/* "A.B.C.D/LEN" of the host side -> the configuration (client: the next address). */
int dhcp_config_from_prefix(const char *prefix, DhcpConfig *ret);

/* The reply to one client message (in, n bytes: untrusted), written to out; returns its length,
 * or 0 when the message gets none. */
size_t dhcp_reply(const uint8_t *in, size_t n, const DhcpConfig *cfg, uint8_t *out, size_t out_size);

/* A UDP socket on port 67 of the link ifname only; -errno on failure. */
int dhcp_server_open(const char *ifname);
/* Reads one message from fd and answers it (broadcast on the link). */
void dhcp_server_handle(int fd, const DhcpConfig *cfg);
