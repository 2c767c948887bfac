/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>
#include "fs-util.h"
#include "tap.h"

static void dirname_is(const char *p, const char *want)
{
        char *d = path_dirname(p);
        CHECK_STREQ(d, want, "dirname of %s", p);
        free(d);
}

/* mkdir_p_in_root() in a scratch tree: makes what is missing, stays inside the root when a link
 * points out of it, and refuses a way out with "..". */
TEST(mkdir_p_in_root)
{
        char tmpl[] = "/tmp/corral-test-fs.XXXXXX", out[] = "/tmp/corral-test-out.XXXXXX";
        CHECK(mkdtemp(tmpl) && mkdtemp(out), "scratch directories");
        int root = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
        struct stat st;
        char p[256];

        int fd = mkdir_p_in_root(root, "/a/b/c", 0755);
        snprintf(p, sizeof(p), "%s/a/b/c", tmpl);
        CHECK(fd >= 0 && stat(p, &st) == 0 && S_ISDIR(st.st_mode), "makes every missing level");
        close(fd);
        fd = mkdir_p_in_root(root, "a/b/c", 0755);
        CHECK(fd >= 0, "an existing directory is opened");
        close(fd);
        fd = mkdir_p_in_root(root, "/a/d/", 0755);
        snprintf(p, sizeof(p), "%s/a/d", tmpl);
        CHECK(fd >= 0 && stat(p, &st) == 0, "a trailing slash is no component");
        close(fd);

        /* A link to outside the root is resolved inside it ("/tmp/..." means the root's /tmp),
         * where its target is missing: nothing is made through it, here or outside. */
        snprintf(p, sizeof(p), "%s/l", tmpl);
        CHECK(symlink(out, p) == 0, "symlink");
        fd = mkdir_p_in_root(root, "/l/x", 0755);
        snprintf(p, sizeof(p), "%s/x", out);
        CHECK(stat(p, &st) < 0, "nothing is made outside the root through a link");
        CHECK(fd < 0, "a dangling link is refused");
        fd = mkdir_p_in_root(root, "/a/../../y", 0755);
        snprintf(p, sizeof(p), "%s/../y", tmpl);
        CHECK(stat(p, &st) < 0, "\"..\" does not lead out");
        if (fd >= 0)
                close(fd);
        close(root);
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf %s %s", tmpl, out);
        CHECK(system(cmd) == 0, "cleanup");
}

TEST(path_helpers_and_mount_options)
{
        dirname_is("/var/lib/machines/foo", "/var/lib/machines");
        dirname_is("/foo", "/");
        dirname_is("foo", ".");
        dirname_is("a/b", "a");

        CHECK(path_compare("/a", "/a/b") < 0 && path_compare("/a/b", "/a-b") < 0 && path_compare("/a-b", "/a") > 0,
              "path_compare: a directory before what lies below it");
        CHECK(path_compare("//a//b/", "/a/b") == 0 && path_compare("/", "/a") < 0, "path_compare: repeated slashes do not count");
        {
                unsigned long f = MS_NODEV | MS_STRICTATIME;
                char *d = NULL;
                CHECK(mount_options_split("rw,nosuid,noexec,mode=0700,size=10M", &f, &d) == 0 &&
                              f == (MS_NODEV | MS_STRICTATIME | MS_NOSUID | MS_NOEXEC) && d && streq(d, "mode=0700,size=10M"),
                      "mount_options_split: flags apart from tmpfs's data");
                free(d);
                f = MS_NODEV;
                CHECK(mount_options_split("ro,dev,context=\"a,b\"", &f, &d) == 0 && f == MS_RDONLY && d && streq(d, "context=\"a,b\""),
                      "mount_options_split: dev clears, a quoted value keeps its comma");
                free(d);
                f = 0;
                CHECK(mount_options_split("ro,noatime", &f, &d) == 0 && f == (MS_RDONLY | MS_NOATIME) && !d, "mount_options_split: flags only");
                CHECK(mount_options_split("ro,,x", &f, &d) == -EINVAL && mount_options_split("ro,", &f, &d) == -EINVAL,
                      "mount_options_split: an empty option");
        }
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
}

TAP_MAIN
