/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* A DHCP server (RFC 2131) for one client: DISCOVER -> OFFER, REQUEST -> ACK (or NAK for an
 * address that is not the container's), INFORM -> ACK.  Messages come from the container:
 * every length is checked. */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/filter.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dhcp-server.h"
#include "macro.h"
#include "parse-util.h"

enum {
        BOOTREQUEST = 1,
        BOOTREPLY = 2,
        OFF_XID = 4,
        OFF_FLAGS = 10,
        OFF_CIADDR = 12,
        OFF_YIADDR = 16,
        OFF_SIADDR = 20,
        OFF_GIADDR = 24,
        OFF_CHADDR = 28,
        OFF_COOKIE = 236,
        OFF_OPTIONS = 240,
        MIN_REPLY = 300, /* BOOTP's minimum, which some clients insist on */
};
enum { DISCOVER = 1, OFFER = 2, REQUEST = 3, DECLINE = 4, ACK = 5, NAK = 6, RELEASE = 7, INFORM = 8 };
enum {
        OPT_PAD = 0,
        OPT_NETMASK = 1,
        OPT_ROUTER = 3,
        OPT_DNS = 6,
        OPT_REQUESTED = 50,
        OPT_LEASE = 51,
        OPT_TYPE = 53,
        OPT_SERVER_ID = 54,
        OPT_END = 255
};
static const uint8_t cookie[4] = {99, 130, 83, 99};

int dhcp_config_from_prefix(const char *prefix, DhcpConfig *ret)
{
        uint32_t server;
        unsigned len;
        if (ipv4_prefix_parse(prefix, 8, 30, &server, &len) < 0)
                return -EINVAL;
        *ret = (DhcpConfig){.server = server, .netmask = ~UINT32_C(0) << (32 - len), .lease_seconds = 3600};
        ret->client = ret->server + 1;
        if ((ret->client & ~ret->netmask) == ~ret->netmask) /* the broadcast address */
                return -EINVAL;
        return 0;
}

/* The value of option code in the options area, or NULL; *len its length. */
static const uint8_t *find_option(const uint8_t *o, size_t n, uint8_t code, size_t *len)
{
        for (size_t i = 0; i < n;) {
                if (o[i] == OPT_PAD) {
                        i++;
                        continue;
                }
                if (o[i] == OPT_END || i + 1 >= n)
                        return NULL;
                size_t l = o[i + 1];
                if (i + 2 + l > n)
                        return NULL;
                if (o[i] == code) {
                        *len = l;
                        return o + i + 2;
                }
                i += 2 + l;
        }
        return NULL;
}

static uint32_t get_be32(const uint8_t *p)
{
        return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void put_be32(uint8_t *p, uint32_t v)
{
        p[0] = (uint8_t)(v >> 24);
        p[1] = (uint8_t)(v >> 16);
        p[2] = (uint8_t)(v >> 8);
        p[3] = (uint8_t)v;
}

static size_t put_option(uint8_t *out, size_t at, uint8_t code, const uint32_t *values, size_t n)
{
        out[at++] = code;
        out[at++] = (uint8_t)(4 * n);
        for (size_t i = 0; i < n; i++, at += 4)
                put_be32(out + at, values[i]);
        return at;
}

size_t dhcp_reply(const uint8_t *in, size_t n, const DhcpConfig *cfg, uint8_t *out, size_t out_size)
{
        size_t tlen, rlen;
        if (n < OFF_OPTIONS || out_size < 576 || in[0] != BOOTREQUEST || in[1] != 1 || in[2] != 6 || memcmp(in + OFF_COOKIE, cookie, 4) != 0)
                return 0;
        const uint8_t *opts = in + OFF_OPTIONS, *t = find_option(opts, n - OFF_OPTIONS, OPT_TYPE, &tlen);
        if (!t || tlen != 1)
                return 0;
        uint8_t type;
        switch (t[0]) {
        case DISCOVER:
                type = OFFER;
                break;
        case REQUEST: {
                /* The address asked for: option 50 (SELECTING, INIT-REBOOT), else ciaddr (RENEWING). */
                const uint8_t *r = find_option(opts, n - OFF_OPTIONS, OPT_REQUESTED, &rlen);
                uint32_t want = r && rlen == 4 ? get_be32(r) : get_be32(in + OFF_CIADDR);
                size_t slen;
                const uint8_t *sid = find_option(opts, n - OFF_OPTIONS, OPT_SERVER_ID, &slen);
                if (sid && slen == 4 && get_be32(sid) != cfg->server)
                        return 0; /* it chose another server */
                type = want == cfg->client ? ACK : NAK;
                break;
        }
        case INFORM:
                type = ACK;
                break;
        default: /* DECLINE, RELEASE: nothing to answer */
                return 0;
        }

        memset(out, 0, MIN_REPLY);
        out[0] = BOOTREPLY;
        out[1] = 1;
        out[2] = 6;
        memcpy(out + OFF_XID, in + OFF_XID, 4);
        memcpy(out + OFF_FLAGS, in + OFF_FLAGS, 2);
        memcpy(out + OFF_GIADDR, in + OFF_GIADDR, 4);
        memcpy(out + OFF_CHADDR, in + OFF_CHADDR, 16);
        if (t[0] == INFORM)
                memcpy(out + OFF_CIADDR, in + OFF_CIADDR, 4);
        else if (type != NAK)
                put_be32(out + OFF_YIADDR, cfg->client);
        if (type != NAK)
                put_be32(out + OFF_SIADDR, cfg->server);
        memcpy(out + OFF_COOKIE, cookie, 4);
        size_t at = OFF_OPTIONS;
        out[at++] = OPT_TYPE;
        out[at++] = 1;
        out[at++] = type;
        at = put_option(out, at, OPT_SERVER_ID, &cfg->server, 1);
        if (type != NAK) {
                if (t[0] != INFORM)
                        at = put_option(out, at, OPT_LEASE, &cfg->lease_seconds, 1);
                at = put_option(out, at, OPT_NETMASK, &cfg->netmask, 1);
                at = put_option(out, at, OPT_ROUTER, &cfg->server, 1);
                size_t ndns = 0;
                while (ndns < ELEMENTSOF(cfg->dns) && cfg->dns[ndns])
                        ndns++;
                if (ndns)
                        at = put_option(out, at, OPT_DNS, cfg->dns, ndns);
        }
        out[at++] = OPT_END;
        return MAX(at, (size_t)MIN_REPLY);
}

size_t dhcp_udp_payload(const uint8_t *in, size_t n, size_t *len)
{
        if (n < 20 || (in[0] >> 4) != 4 || in[9] != IPPROTO_UDP)
                return 0;
        size_t ihl = (size_t)(in[0] & 0xf) * 4, total = (size_t)in[2] << 8 | in[3];
        if (ihl < 20 || total < ihl + 8 || total > n || ((in[6] & 0x3f) | in[7]) != 0) /* MF or an offset: a fragment */
                return 0;
        const uint8_t *udp = in + ihl;
        size_t ulen = (size_t)udp[4] << 8 | udp[5];
        if ((udp[2] << 8 | udp[3]) != 67 || ulen < 8 || ihl + ulen > total)
                return 0;
        *len = ulen - 8;
        return ihl + 8;
}

/* Sets a classic BPF program on fd. */
static int attach_filter(int fd, struct sock_filter *code, unsigned short n)
{
        struct sock_fprog prog = {.len = n, .filter = code};
        return setsockopt(fd, SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog));
}

int dhcp_server_open(const char *ifname, bool send_only)
{
        int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(67), .sin_addr.s_addr = htonl(INADDR_ANY)};
        struct sock_filter none[] = {BPF_STMT(BPF_RET | BPF_K, 0)};
        if (fd < 0)
                return -errno;
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 || setsockopt(fd, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)) < 0 ||
            setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname, (socklen_t)strlen(ifname)) < 0 || (send_only && attach_filter(fd, none, 1) < 0) ||
            bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = -errno;
                close(fd);
                return r;
        }
        return fd;
}

int dhcp_server_open_port(const char *ifname)
{
        /* SOCK_DGRAM: the filter and the data start at the IP header.  ETH_P_ALL: a bridge
         * port's frames reach only such taps (the bridge takes them before the others). */
        struct sock_filter udp67[] = {
                BPF_STMT(BPF_LD | BPF_H | BPF_ABS, SKF_AD_OFF + SKF_AD_PROTOCOL),
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, ETH_P_IP, 0, 8),
                BPF_STMT(BPF_LD | BPF_B | BPF_ABS, 9), /* protocol */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, IPPROTO_UDP, 0, 6),
                BPF_STMT(BPF_LD | BPF_H | BPF_ABS, 6),              /* flags and fragment offset */
                BPF_JUMP(BPF_JMP | BPF_JSET | BPF_K, 0x3fff, 4, 0), /* a fragment */
                BPF_STMT(BPF_LDX | BPF_B | BPF_MSH, 0),             /* X = header length */
                BPF_STMT(BPF_LD | BPF_H | BPF_IND, 2),              /* UDP destination port */
                BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 67, 0, 1),
                BPF_STMT(BPF_RET | BPF_K, 0xffff),
                BPF_STMT(BPF_RET | BPF_K, 0),
        };
        int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
        struct sockaddr_ll sa = {.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = (int)if_nametoindex(ifname)};
        if (fd < 0)
                return -errno;
        if (sa.sll_ifindex == 0 || attach_filter(fd, udp67, ELEMENTSOF(udp67)) < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
                int r = sa.sll_ifindex == 0 ? -ENODEV : -errno;
                close(fd);
                return r;
        }
        return fd;
}

void dhcp_server_handle(int fd, int send_fd, const DhcpConfig *cfg)
{
        uint8_t in[1500], out[576];
        struct sockaddr_ll from = {0};
        socklen_t fl = sizeof(from);
        ssize_t n = recvfrom(fd, in, sizeof(in), 0, (struct sockaddr *)&from, &fl);
        size_t off = 0, len = (size_t)n;
        if (n <= 0)
                return;
        if (send_fd >= 0) {
                /* A packet socket also sees what leaves by the link; only what the container sent. */
                if (from.sll_pkttype == PACKET_OUTGOING || !(off = dhcp_udp_payload(in, (size_t)n, &len)))
                        return;
        }
        size_t k = dhcp_reply(in + off, len, cfg, out, sizeof(out));
        if (k == 0)
                return;
        /* The client has no address yet: broadcast on the link, as RFC 2131 allows. */
        struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(68), .sin_addr.s_addr = htonl(INADDR_BROADCAST)};
        (void)sendto(send_fd >= 0 ? send_fd : fd, out, k, 0, (struct sockaddr *)&to, sizeof(to));
}
