/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdlib.h>
#include "fs-util.h"
#include "tap.h"

static void dirname_is(const char *p, const char *want)
{
        char *d = path_dirname(p);
        CHECK_STREQ(d, want, "dirname of %s", p);
        free(d);
}

int main(void)
{
        dirname_is("/var/lib/machines/foo", "/var/lib/machines");
        dirname_is("/foo", "/");
        dirname_is("foo", ".");
        dirname_is("a/b", "a");

        CHECK_STREQ(path_basename("/var/lib/x"), "x", "basename");
        CHECK_STREQ(path_basename("x"), "x", "basename without slash");

        char *j = path_join("/a/", "b");
        CHECK_STREQ(j, "/a/b", "join keeps one slash");
        free(j);
        j = path_join("/a", "b");
        CHECK_STREQ(j, "/a/b", "join adds a slash");
        free(j);

        CHECK(path_is_normalized("/a/b"), "normalized");
        CHECK(!path_is_normalized("/a/../b"), "dot-dot is not normalized");
        CHECK(!path_is_normalized("/a//b"), "empty component is not normalized");
        CHECK(!path_is_normalized("/a/./b"), "dot is not normalized");
        return tap_done();
}
