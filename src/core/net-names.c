/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "net-names.h"
#include "siphash24.h"

/* systemd's key for shortening interface names (SHORTEN_IFNAME_HASH_KEY in netif-util.c):
 * the same key gives the same names nspawn gives. */
static const uint8_t shorten_key[16] = {0xe1, 0x90, 0xa4, 0x04, 0xa8, 0xef, 0x4b, 0x51, 0x8c, 0xcc, 0xc3, 0x3a, 0x9f, 0x11, 0xfc, 0xa2};

void net_link_name(const char *prefix, const char *name, char ret[IFNAMSIZ])
{
        static const char urlsafe_base64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char full[256];
        int n = snprintf(full, sizeof(full), "%s%s", prefix, name);
        if (n >= 0 && (size_t)n < IFNAMSIZ) {
                memcpy(ret, full, (size_t)n + 1);
                return;
        }
        uint64_t h = siphash24(full, strnlen(full, sizeof(full) - 1), shorten_key);
        memcpy(ret, full, IFNAMSIZ - 5);
        for (int i = IFNAMSIZ - 2; i >= IFNAMSIZ - 5; i--) {
                ret[i] = urlsafe_base64[h % 64];
                h /= 64;
        }
        ret[IFNAMSIZ - 1] = 0;
}

int ipv4_address_parse(const char *s, uint32_t *ret_addr)
{
        struct in_addr in;
        if (inet_pton(AF_INET, s, &in) != 1)
                return -EINVAL;
        *ret_addr = ntohl(in.s_addr);
        return 0;
}

int ipv4_prefix_parse(const char *s, uint32_t *ret_addr, unsigned *ret_len)
{
        char a[INET_ADDRSTRLEN];
        const char *slash = strchr(s, '/');
        char *end;
        if (!slash || (size_t)(slash - s) >= sizeof(a))
                return -EINVAL;
        memcpy(a, s, (size_t)(slash - s));
        a[slash - s] = 0;
        long len = strtol(slash + 1, &end, 10);
        if (!slash[1] || *end || len < 1 || len > 30 || ipv4_address_parse(a, ret_addr) < 0)
                return -EINVAL;
        *ret_len = (unsigned)len;
        return 0;
}

int static_host_side(uint32_t addr, unsigned len, uint32_t gateway, uint32_t *ret)
{
        uint32_t mask = ~UINT32_C(0) << (32 - len), net = addr & mask, bcast = net | ~mask;
        if (addr == net || addr == bcast)
                return -EINVAL; /* the subnet's own or broadcast address */
        if (gateway) {
                if ((gateway & mask) != net || gateway == net || gateway == bcast || gateway == addr)
                        return -EINVAL;
                *ret = gateway;
                return 0;
        }
        *ret = net + 1 == addr ? net + 2 : net + 1;
        return 0;
}
