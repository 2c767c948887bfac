/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link names as systemd-nspawn 252 gives them (the long ones were read off nspawn's own
 * "has been changed to ... to fit length constraints" messages here), and SipHash-2-4. */
#include <stdint.h>
#include <string.h>

#include "net-names.h"
#include "siphash24.h"
#include "tap.h"

static void name_is(const char *prefix, const char *name, const char *want)
{
        char got[IFNAMSIZ];
        net_link_name(prefix, name, got);
        CHECK_STREQ(got, want, "%s%s", prefix, name);
}

int main(void)
{
        /* The reference vector of the SipHash paper: key 00..0f, message 00..0e. */
        uint8_t key[16], msg[15];
        for (int i = 0; i < 16; i++)
                key[i] = (uint8_t)i;
        for (int i = 0; i < 15; i++)
                msg[i] = (uint8_t)i;
        CHECK(siphash24(msg, sizeof(msg), key) == UINT64_C(0xa129ca6149be45e5), "SipHash-2-4 reference vector");

        name_is("ve-", "web", "ve-web");
        name_is("ve-", "abcdefghijkl", "ve-abcdefghijkl"); /* 15: fits */
        name_is("ve-", "abcdefghijklm", "ve-abcdefghyhe5");
        name_is("ve-", "averyveryverylongname", "ve-averyverUARo");

        uint32_t a, h;
        unsigned len;
        CHECK(ipv4_prefix_parse("10.5.0.2/24", &a, &len) == 0 && a == 0x0A050002 && len == 24, "10.5.0.2/24");
        CHECK(ipv4_prefix_parse("10.5.0.2", &a, &len) < 0 && ipv4_prefix_parse("10.5.0.2/31", &a, &len) < 0 &&
                      ipv4_prefix_parse("10.5.0/24", &a, &len) < 0 && ipv4_prefix_parse("10.5.0.2/", &a, &len) < 0,
              "prefixes refused: no length, /31, short address, empty length");
        CHECK(static_host_side(0x0A050002, 24, 0x0A050001, &h) == 0 && h == 0x0A050001, "the gateway is the host side");
        CHECK(static_host_side(0x0A050002, 24, 0, &h) == 0 && h == 0x0A050001, "no gateway: the subnet's first host");
        CHECK(static_host_side(0x0A050001, 24, 0, &h) == 0 && h == 0x0A050002, "or its second, when the first is the container's");
        CHECK(static_host_side(0x0A050002, 24, 0x0A060001, &h) < 0 && static_host_side(0x0A050002, 24, 0x0A050002, &h) < 0 &&
                      static_host_side(0x0A0500FF, 24, 0, &h) < 0 && static_host_side(0x0A050000, 24, 0, &h) < 0,
              "refused: a gateway elsewhere or the container's own, the broadcast or network address");
        return tap_done();
}
