/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include "capability.h"
#include "settings.h"
#include "tap.h"

TEST(names_and_numbers)
{
        CHECK(capability_from_name("CAP_SYS_ADMIN") == CAP_SYS_ADMIN, "upper-case name");
        CHECK(capability_from_name("cap_net_admin") == CAP_NET_ADMIN, "lower-case name");
        CHECK(capability_from_name("12") == 12, "a number");
        CHECK(capability_from_name("64") < 0, "a number past 63");
        CHECK(capability_from_name("SYS_ADMIN") < 0, "the CAP_ prefix is required, as systemd");
        CHECK(capability_from_name("cap_bpf") == 39 && capability_from_name("CAP_CHECKPOINT_RESTORE") == 40, "newer names");
        CHECK_STREQ(capability_to_name(CAP_MKNOD), "cap_mknod", "name of a capability");
}

TEST(lists_add_up_and_errors_name_the_word)
{
        Error e = {0};
        uint64_t m = 0;

        CHECK(capability_set_parse("CAP_NET_ADMIN,cap_sys_module", ",", &m, "--capability", &e) == 0, "comma list");
        CHECK(m == ((UINT64_C(1) << CAP_NET_ADMIN) | (UINT64_C(1) << CAP_SYS_MODULE)), "both bits");
        CHECK(capability_set_parse("CAP_MKNOD", ",", &m, "--capability", &e) == 0 && (m & (UINT64_C(1) << CAP_MKNOD)) &&
                      (m & (UINT64_C(1) << CAP_NET_ADMIN)),
              "lists add up");
        m = 0;
        CHECK(capability_set_parse("CAP_KILL all", " \t", &m, "Capability=", &e) == 0 && m == CAP_SET_ALL, "all");
        m = 0;
        CHECK(capability_set_parse("CAP_KILL CAP_BOGUS", " \t", &m, "f.nspawn:3: Capability=", &e) == -EINVAL, "unknown name");
        CHECK(strstr(e.msg, "f.nspawn:3: Capability=") && strstr(e.msg, "CAP_BOGUS"), "the error names the place and the word: %s", e.msg);
        CHECK(m == 0, "nothing is set on error");
}

TEST(nspawn_default_set)
{
        uint64_t d = capability_default_set();
        /* 0xfdecafff; a host without CAP_SYS_RESOURCE in its own bounding set (this VM) shows 0xfcecafff. */
        CHECK(d == UINT64_C(0xfdecafff), "nspawn 252's default set (it is %#llx)", (unsigned long long)d);
        CHECK(!(d & (UINT64_C(1) << CAP_NET_ADMIN)) && !(d & (UINT64_C(1) << CAP_SYS_MODULE)), "no NET_ADMIN, no SYS_MODULE");
}

TAP_MAIN
