/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: a SHA256SUMS file from a server (untrusted), and the URL-derived names
 * transfers compute.  The first line of the input is the file name looked up, the rest the
 * SHA256SUMS text. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import-util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        char *nl = memchr(s, '\n', size);
        const char *text = nl ? nl + 1 : "";
        if (nl)
                *nl = 0;
        char hex[65], name[256];
        int r = sha256sums_find(text, nl ? size - (size_t)(nl + 1 - s) : 0, s, hex);
        if (r == 0 && (strlen(hex) != 64 || strspn(hex, "0123456789abcdef") != 64))
                __builtin_trap();
        if (import_name_from(s, size % 2, name, sizeof(name)) == 0 && (!name[0] || name[0] == '.' || strchr(name, '/')))
                __builtin_trap();
        char *u = url_sibling(s, "SHA256SUMS");
        if (u && !http_url_is_valid(u))
                __builtin_trap();
        free(u);
        free(s);
        return 0;
}
