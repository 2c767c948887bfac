/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdlib.h>

#include "macro.h"
#include "tap.h"
#include "userns.h"

static bool map_is(const IdMap *m, const char *want)
{
        _cleanup_free_ char *got = id_map_format(m);
        if (!got || !streq(got, want)) {
                printf("#   got:  %s#   want: %s", got ? got : "(null)\n", want);
                return false;
        }
        return true;
}

TEST(holes_as_nspawn)
{
        /* nspawn 252, --private-users=100000 with users bound to 60000 and 60001: the range
         * up to each bound ID, the ID, the rest (make_uid_map_string()). */
        UsernsPlan p = USERNS_PLAN_NULL;
        p.shift = 100000;
        p.range = 65536;
        CHECK(id_map_add(&p.uid_map, 0, 100000, 65536) == 0 && id_map_add(&p.gid_map, 0, 100000, 65536) == 0, "the range");
        CHECK(map_is(&p.uid_map, "0 100000 65536\n"), "one range before any bound user");
        CHECK(userns_plan_bind_id(&p, 60000, 1000, 1001) == 0 && userns_plan_bind_id(&p, 60001, 1002, 1003) == 0, "two bound users");
        CHECK(map_is(&p.uid_map, "0 100000 60000\n60000 1000 1\n60001 1002 1\n60002 160002 5534\n"), "the UID map with its holes");
        CHECK(map_is(&p.gid_map, "0 100000 60000\n60000 1001 1\n60001 1003 1\n60002 160002 5534\n"), "the GID map, with the groups");
        userns_plan_done(&p);
        CHECK(p.uid_map.n == 0 && !p.uid_map.ranges, "freed");
}

TEST(punch_edges)
{
        IdMap m = {0};
        CHECK(id_map_add(&m, 0, 100000, 10) == 0 && id_map_add(&m, 20, 500000, 5) == 0, "two ranges, as another front end may give");
        CHECK(id_map_punch(&m, 0, 7) == 0 && map_is(&m, "0 7 1\n1 100001 9\n20 500000 5\n"), "the first ID of a range");
        CHECK(id_map_punch(&m, 24, 8) == 0 && map_is(&m, "0 7 1\n1 100001 9\n20 500000 4\n24 8 1\n"), "the last ID of the last range");
        CHECK(id_map_punch(&m, 0, 9) == 0 && map_is(&m, "0 9 1\n1 100001 9\n20 500000 4\n24 8 1\n"), "a hole again: replaced");
        CHECK(id_map_punch(&m, 15, 1) == -ENOENT && id_map_punch(&m, 25, 1) == -ENOENT, "an ID no range holds");
        id_map_done(&m);
        CHECK(map_is(&m, ""), "an empty map is empty text");
}

TAP_MAIN
