/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: member names of an archive being imported (untrusted), as a path and a
 * hard link target separated by a NUL.  What is taken must stay below the image. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tar-member.h"

static void check(const char *name, int (*f)(const char *, char *, size_t, const char **))
{
        char buf[4096];
        const char *why;
        int r = f(name, buf, sizeof(buf), &why);
        if (r == -EPERM && !why)
                __builtin_trap();
        if (r < 0)
                return;
        size_t n = strlen(buf);
        if (n >= sizeof(buf) || buf[0] == '/' || (n > 0 && buf[n - 1] == '/') || strstr(buf, "//"))
                __builtin_trap();
        /* No ".." component anywhere. */
        for (const char *p = buf; *p;) {
                size_t c = strcspn(p, "/");
                if ((c == 2 && p[0] == '.' && p[1] == '.') || (c == 1 && p[0] == '.'))
                        __builtin_trap();
                p += c + (p[c] == '/');
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 2);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = s[size + 1] = 0;
        check(s, tar_member_path);
        check(s + strlen(s) + 1 <= s + size ? s + strlen(s) + 1 : s + size, tar_link_target);
        free(s);
        return 0;
}
