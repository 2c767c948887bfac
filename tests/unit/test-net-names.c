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
        return tap_done();
}
