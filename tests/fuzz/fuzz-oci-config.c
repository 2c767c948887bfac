/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: config.json's parser, then the pure planners (mounts, device rules, the
 * cgroup path and the resources on two layouts), and the process and resources parsers of
 * exec --process and update --resources. */
#include <stdint.h>

#include "oci-config.h"
#include "oci-plan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        OciConfig c;
        Error e = {0};
        if (oci_config_parse((const char *)data, size, &c, &e) >= 0) {
                MountPlan p;
                OciHostFacts h = {.have_kcore = true};
                DeviceRule *rules;
                size_t n;
                char *path;
                if (oci_mount_plan(&c, "/rootfs", "/bundle", &h, &p, &(Error){0}) >= 0)
                        mount_plan_done(&p);
                if (oci_device_rules(&c, &rules, &n, &(Error){0}) >= 0)
                        free(rules);
                for (int systemd = 0; systemd < 2; systemd++)
                        if (oci_cgroup_path(c.cgroups_path, systemd, "id", &path, &(Error){0}) >= 0)
                                free(path);
                CgroupLayout v2 = {.have_cgroup2 = true}, v1 = {0};
                for (int k = 0; k < _CG_MAX; k++) {
                        v2.where[k] = CGV_2;
                        v1.where[k] = CGV_1;
                }
                CgroupWrite *w;
                unsigned need;
                if (oci_resources_translate(&c.resources, &v2, &w, &n, &need, &(Error){0}) >= 0)
                        free(w);
                if (oci_resources_translate(&c.resources, &v1, &w, &n, &need, &(Error){0}) >= 0)
                        free(w);
                oci_config_done(&c);
        }
        OciProcess pr;
        if (oci_process_parse((const char *)data, size, &pr, &(Error){0}) >= 0)
                oci_process_done(&pr);
        OciResources r;
        if (oci_resources_parse((const char *)data, size, &r, &(Error){0}) >= 0)
                oci_resources_done(&r);
        return 0;
}
