/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the value parsers of the isolation options, on their own.  The first byte
 * picks the parser, the rest is the value: capability lists, system call filter lists (and the
 * expansion of the resulting policy), resource limits, CPU lists, --private-users= values, and
 * bind mounts with their ID map options, tmpfs mounts with their mount options. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capability.h"
#include "exec-limits.h"
#include "seccomp-policy.h"
#include "settings.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size < 1)
                return 0;
        char *v = strndup((const char *)data + 1, size - 1);
        Error e = {0};
        if (!v)
                return 0;
        switch (data[0] % 8) {
        case 0: {
                uint64_t m = 0;
                (void)capability_set_parse(v, data[0] & 0x80 ? " \t" : ",", &m, "fuzz", &e);
                break;
        }
        case 1: {
                char **allow = NULL, **deny = NULL;
                if (syscall_filter_parse(v, &allow, &deny, "fuzz", &e) >= 0) {
                        char **names = syscall_policy_names((uint64_t)data[0] << 20, allow, deny);
                        strv_free(names);
                }
                strv_free(allow);
                strv_free(deny);
                break;
        }
        case 2: {
                struct rlimit r;
                (void)rlimit_parse((data[0] >> 3) % RLIMIT_NLIMITS, v, &r);
                (void)rlimit_from_name(v);
                break;
        }
        case 3: {
                CpuSet s;
                (void)cpu_set_parse(v, &s, &e, "fuzz");
                break;
        }
        case 4:
                (void)capability_from_name(v);
                break;
        case 5: {
                Settings s;
                settings_init(&s);
                (void)private_users_parse(&s, v);
                settings_done(&s);
                break;
        }
        case 7: {
                Settings s;
                settings_init(&s);
                (void)custom_mount_parse_tmpfs(&s, v, &e);
                settings_done(&s);
                break;
        }
        default: {
                Settings s;
                settings_init(&s);
                (void)custom_mount_parse_bind(&s, v, data[0] & 0x80, &e);
                settings_done(&s);
                break;
        }
        }
        free(v);
        return 0;
}
