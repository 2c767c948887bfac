/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
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
