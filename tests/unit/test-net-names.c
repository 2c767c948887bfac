/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Link names as systemd-nspawn 252 gives them (the long ones were read off nspawn's own
 * "has been changed to ... to fit length constraints" messages here), and SipHash-2-4. */
#include <stdint.h>
#include <string.h>

#include "net-names.h"
#include "parse-util.h"
#include "siphash24.h"
#include "tap.h"

static void name_is(const char *prefix, const char *name, const char *want)
{
        char got[IFNAMSIZ];
        net_link_name(prefix, name, got);
        CHECK_STREQ(got, want, "%s%s", prefix, name);
}

TEST(siphash24)
{
        /* The reference vector of the SipHash paper: key 00..0f, message 00..0e. */
        uint8_t key[16], msg[15];
        for (int i = 0; i < 16; i++)
                key[i] = (uint8_t)i;
        for (int i = 0; i < 15; i++)
                msg[i] = (uint8_t)i;
        CHECK(siphash24(msg, sizeof(msg), key) == UINT64_C(0xa129ca6149be45e5), "SipHash-2-4 reference vector");
}

TEST(link_names_and_macs_as_nspawn)
{

        name_is("ve-", "web", "ve-web");
        name_is("ve-", "abcdefghijkl", "ve-abcdefghijkl"); /* 15: fits */
        name_is("ve-", "abcdefghijklm", "ve-abcdefghyhe5");
        name_is("ve-", "averyveryverylongname", "ve-averyverUARo");

        /* Read off nspawn here: machine ID 3d1219c7c4c5404aaa1f6d2a48adfda4, -M web -n. */
        static const uint8_t id[16] = {0x3d, 0x12, 0x19, 0xc7, 0xc4, 0xc5, 0x40, 0x4a, 0xaa, 0x1f, 0x6d, 0x2a, 0x48, 0xad, 0xfd, 0xa4};
        uint8_t hm[6], cm[6];
        char hs[18], cs[18];
        net_veth_macs(id, "web", hm, cm);
        net_format_mac(hm, hs);
        net_format_mac(cm, cs);
        CHECK_STREQ(hs, "de:33:ab:0b:45:44", "ve-web's MAC address, as nspawn's");
        CHECK_STREQ(cs, "fe:38:c6:95:1d:f9", "host0's MAC address, as nspawn's");
}

TEST(static_addresses)
{

        uint32_t a, h;
        unsigned len;
        CHECK(ipv4_prefix_parse("10.5.0.2/24", 1, 30, &a, &len) == 0 && a == 0x0A050002 && len == 24, "10.5.0.2/24");
        CHECK(ipv4_prefix_parse("10.5.0.2", 1, 30, &a, &len) < 0 && ipv4_prefix_parse("10.5.0.2/31", 1, 30, &a, &len) < 0 &&
                      ipv4_prefix_parse("10.5.0/24", 1, 30, &a, &len) < 0 && ipv4_prefix_parse("10.5.0.2/", 1, 30, &a, &len) < 0,
              "prefixes refused: no length, /31, short address, empty length");
        CHECK(static_host_side(0x0A050002, 24, 0x0A050001, &h) == 0 && h == 0x0A050001, "the gateway is the host side");
        CHECK(static_host_side(0x0A050002, 24, 0, &h) == 0 && h == 0x0A050001, "no gateway: the subnet's first host");
        CHECK(static_host_side(0x0A050001, 24, 0, &h) == 0 && h == 0x0A050002, "or its second, when the first is the container's");
        CHECK(static_host_side(0x0A050002, 24, 0x0A060001, &h) < 0 && static_host_side(0x0A050002, 24, 0x0A050002, &h) < 0 &&
                      static_host_side(0x0A0500FF, 24, 0, &h) < 0 && static_host_side(0x0A050000, 24, 0, &h) < 0,
              "refused: a gateway elsewhere or the container's own, the broadcast or network address");
}

TAP_MAIN
