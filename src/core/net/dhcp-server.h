/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The DHCP server the supervisor runs on the host side of a veth pair, so that any guest with
 * a DHCP client (udhcpc, dhclient, systemd-networkd) gets the container's address without
 * systemd-networkd on the host.  One lease: the container's address. */
typedef struct DhcpConfig {
        uint32_t server; /* the host side's address (host byte order), also the router */
        uint32_t client; /* the address the container gets */
        uint32_t netmask;
        uint32_t dns[3]; /* name servers to hand out (0: none) */
        uint32_t lease_seconds;
} DhcpConfig;

/* "A.B.C.D/LEN" of the host side -> the configuration (client: the next address). */
int dhcp_config_from_prefix(const char *prefix, DhcpConfig *ret);

/* The reply to one client message (in, n bytes: untrusted), written to out; returns its length,
 * or 0 when the message gets none. */
size_t dhcp_reply(const uint8_t *in, size_t n, const DhcpConfig *cfg, uint8_t *out, size_t out_size);

/* An IPv4 packet (in, n bytes: untrusted) that is a UDP datagram to port 67, unfragmented:
 * the offset of its payload, with *len its length; 0 for anything else. */
size_t dhcp_udp_payload(const uint8_t *in, size_t n, size_t *len);

/* A UDP socket on port 67 of the link ifname only; -errno on failure.  send_only: it takes in
 * nothing (several supervisors share a zone's bridge; each hears its own container through
 * a packet socket). */
int dhcp_server_open(const char *ifname, bool send_only);
/* A packet socket on the link ifname (a container's vb- link) that takes only UDP to port 67. */
int dhcp_server_open_port(const char *ifname);
/* Reads one message from fd and answers it, broadcast on the link (by send_fd if >= 0: then fd
 * is a packet socket). */
void dhcp_server_handle(int fd, int send_fd, const DhcpConfig *cfg);
