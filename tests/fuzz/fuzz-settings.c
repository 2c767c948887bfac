/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the .nspawn parser and the merge with an empty command line. */
#include <stdint.h>

#include "settings.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *text = strndup((const char *)data, size);
        char **w = NULL;
        Settings s, c;
        Error e = {0};
        if (!text)
                return 0;
        settings_init(&s);
        settings_init(&c);
        if (settings_file_parse(&s, "fuzz.nspawn", text, &w, &e) >= 0)
                (void)settings_merge(&c, &s, size % 2, "fuzz.nspawn", &w, &e);
        settings_done(&s);
        settings_done(&c);
        strv_free(w);
        free(text);
        return 0;
}
