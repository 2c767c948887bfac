/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: resource-control properties.  The input is lines of NAME=VALUE (as
 * --property= takes them; a line starting "Slice=" goes to the slice parser); what parses is
 * translated for cgroup v1 and for v2, and DeviceAllow= is resolved against a fixed
 * /proc/devices text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "resources.h"
#include "strv.h"

static int fake_block_device(const char *path, dev_t *ret)
{
        if (strlen(path) % 3 == 0)
                return -ENOTBLK;
        *ret = makedev(8, (unsigned)strlen(path));
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const char devices[] = "Character devices:\n  1 mem\n 10 misc\n136 pts\nBlock devices:\n  7 loop\n";
        static const ResourceHost host = {.physical_memory = 1ULL << 33, .tasks_max = 32768, .block_device = fake_block_device};
        char *text = strndup((const char *)data, size);
        if (!text)
                return 0;
        Resources r = {0};
        Error e = {0};
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                if (strncmp(l, "Slice=", 6) == 0) {
                        if (resources_set_slice(&r, l + 6, &e) >= 0)
                                free(slice_to_cgroup_path(r.slice));
                } else
                        (void)resources_parse_assignment(&r, l, &e);
        }
        for (int v = CGV_1; v <= CGV_2; v++) {
                CgroupLayout lay = {.have_cgroup2 = v == CGV_2};
                for (int c = 0; c < _CG_MAX; c++)
                        lay.where[c] = (CgroupVersion)v;
                CgroupWrite *w = NULL;
                size_t n = 0;
                unsigned ctl = 0;
                if (resources_translate(&r, &lay, &host, &w, &n, &ctl, &e) >= 0)
                        free(w);
        }
        /* Paths are stat()ed: only the /proc/devices names are resolved here. */
        for (size_t i = 0; i < r.n_device_allow; i++)
                if (r.device_allow[i].spec[0] == '/')
                        r.device_allow[i].spec[0] = 'x';
        DeviceRule *rules = NULL;
        size_t n = 0;
        bool names_only = true;
        for (size_t i = 0; i < r.n_device_allow; i++)
                names_only = names_only && r.device_allow[i].spec[0] != 'x';
        if (names_only && resources_device_rules(&r, devices, &rules, &n, NULL, &e) >= 0)
                free(rules);
        resources_done(&r);
        free(text);
        return 0;
}
