/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Member names of imported archives: what is normalized, what is refused. */
#include <errno.h>
#include <string.h>

#include "tar-member.h"
#include "tap.h"

static void ok(const char *path, const char *want)
{
        char buf[4096];
        const char *why;
        int r = tar_member_path(path, buf, sizeof(buf), &why);
        CHECK(r == 0, "\"%s\" is taken", path);
        if (r == 0)
                CHECK_STREQ(buf, want, "\"%s\" normalized", path);
}

static void refused(const char *path, const char *reason)
{
        char buf[4096];
        const char *why = NULL;
        int r = tar_member_path(path, buf, sizeof(buf), &why);
        CHECK(r == -EPERM && why && strstr(why, reason), "\"%s\" is refused: %s", path, why ? why : "(no reason)");
}

TEST(member_names)
{
        ok("./", "");
        ok(".", "");
        ok("./bin/sh", "bin/sh");
        ok("bin//sh/", "bin/sh");
        ok("usr/./lib/x", "usr/lib/x");
        ok("a..b/..c/c..", "a..b/..c/c..");
        ok("...", "...");
        refused("/etc/passwd", "absolute");
        refused("../etc/passwd", "\"..\"");
        refused("usr/../../etc", "\"..\"");
        refused("a/..", "\"..\"");
        refused("bad\nname", "control character");
        char long_name[300];
        memset(long_name, 'x', 299);
        long_name[299] = 0;
        refused(long_name, "255 bytes");
        char small[4];
        CHECK(tar_member_path("abcdef", small, sizeof(small), NULL) == -ENAMETOOLONG, "a name longer than the buffer");
}

TEST(hard_link_targets)
{
        char buf[64];
        const char *why = NULL;
        CHECK(tar_link_target("./", buf, sizeof(buf), &why) == -EPERM && strstr(why, "root"), "a hard link to the root is refused");
        CHECK(tar_link_target("/etc/shadow", buf, sizeof(buf), &why) == -EPERM, "a hard link to an absolute name is refused");
        CHECK(tar_link_target("./etc/shadow", buf, sizeof(buf), &why) == 0 && strcmp(buf, "etc/shadow") == 0, "a hard link within the archive");
}

TAP_MAIN
