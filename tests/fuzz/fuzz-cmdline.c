/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the command line.  The input is split at NUL bytes into argv. */
#include <stdint.h>

#include "options.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *buf = malloc(size + 1), *argv[65];
        int argc = 0;
        Settings s;
        Error e = {0};
        OptionsAction a;
        if (!buf)
                return 0;
        memcpy(buf, data, size);
        buf[size] = 0;
        argv[argc++] = "corral";
        for (size_t i = 0; i < size && argc < 64; i += strlen(buf + i) + 1)
                argv[argc++] = buf + i;
        argv[argc] = NULL;
        /* --load-credential reads files; keep the fuzzer off the host's files. */
        for (int i = 1; i < argc; i++)
                if (strstr(argv[i], "load-credential")) {
                        free(buf);
                        return 0;
                }
        settings_init(&s);
        (void)options_parse(argc, argv, &s, &a, &e);
        settings_done(&s);
        free(buf);
        return 0;
}
