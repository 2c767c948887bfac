/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: an image reference as a user (or a script fed by others) types it, a
 * platform, and a layer member's name.  What parses must format back to a reference that
 * parses to the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "oci-reference.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = malloc(size + 1);
        if (!s)
                return 0;
        memcpy(s, data, size);
        s[size] = 0;
        OciReference r, again;
        OciPlatform p;
        const char *why, *name;
        char buf[1024], image[256];
        if (oci_reference_parse(s, &r, &why) == 0) {
                oci_reference_format(&r, buf, sizeof(buf));
                if (oci_reference_parse(buf, &again, &why) != 0 || memcmp(&r, &again, sizeof(r)) != 0)
                        __builtin_trap();
                if (oci_reference_image_name(&r, image, sizeof(image)) == 0 && (!image[0] || strchr(image, '/') || image[0] == '.'))
                        __builtin_trap();
        } else if (!why)
                __builtin_trap();
        if (oci_platform_parse(s, &p) == 0 && (!p.os[0] || !p.architecture[0]))
                __builtin_trap();
        int w = oci_whiteout(s, &name);
        if (w == OCI_WHITEOUT_FILE && (!name || !*name || strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, ".")))
                __builtin_trap();
        free(s);
        return 0;
}
