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

/* nspawn's HOST_HASH_KEY and CONTAINER_HASH_KEY (nspawn-network.c). */
static const uint8_t host_mac_key[16] = {0x1a, 0x37, 0x6f, 0xc7, 0x46, 0xec, 0x45, 0x0b, 0xad, 0xa3, 0xd5, 0x31, 0x06, 0x60, 0x5d, 0xb1};
static const uint8_t container_mac_key[16] = {0xc3, 0xc4, 0xf9, 0x19, 0xb5, 0x57, 0xb2, 0x1c, 0xe6, 0xcf, 0x14, 0x27, 0x03, 0x9c, 0xee, 0xa2};

static void mac_of(const uint8_t key[16], const uint8_t machine_id[16], const char *machine, uint8_t mac[6])
{
        uint8_t v[16 + 256];
        size_t l = strnlen(machine, 255);
        memcpy(v, machine_id, 16);
        memcpy(v + 16, machine, l);
        uint64_t h = siphash24(v, 16 + l, key);
        for (int i = 0; i < 6; i++)
                mac[i] = (uint8_t)(h >> (8 * i));   /* the little-endian bytes, as nspawn copies them */
        mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
}

void net_veth_macs(const uint8_t machine_id[16], const char *machine, uint8_t host[6], uint8_t container[6])
{
        mac_of(host_mac_key, machine_id, machine, host);
        mac_of(container_mac_key, machine_id, machine, container);
}

void net_format_mac(const uint8_t mac[6], char buf[18])
{
        snprintf(buf, 18, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
}
