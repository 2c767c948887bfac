/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <string.h>

#include "macro.h"
#include "tar-member.h"

static int refuse(const char **why, const char *reason)
{
        if (why)
                *why = reason;
        return -EPERM;
}

int tar_member_path(const char *path, char *buf, size_t size, const char **why)
{
        size_t o = 0;
        if (why)
                *why = NULL;
        if (size == 0)
                return -ENOBUFS;
        if (path[0] == '/')
                return refuse(why, "an absolute name");
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                if (n == 0 || (n == 1 && p[0] == '.')) {
                        p += n + (p[n] == '/');
                        continue;
                }
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return refuse(why, "a \"..\" component, which would lead out of the image");
                if (n > 255)
                        return refuse(why, "a component longer than 255 bytes");
                for (size_t k = 0; k < n; k++)
                        if ((unsigned char)p[k] < 0x20 || p[k] == 0x7f)
                                return refuse(why, "a control character in the name");
                if (o + (o > 0) + n >= size)
                        return -ENAMETOOLONG;
                if (o > 0)
                        buf[o++] = '/';
                memcpy(buf + o, p, n);
                o += n;
                p += n + (p[n] == '/');
        }
        buf[o] = 0;
        return 0;
}

int tar_link_target(const char *target, char *buf, size_t size, const char **why)
{
        int r = tar_member_path(target, buf, size, why);
        if (r < 0)
                return r;
        if (!buf[0])
                return refuse(why, "a hard link to the image's root");
        return 0;
}
