/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The resource-control properties: parsing, and the files they become on cgroup v1 and v2. */
#include <stdlib.h>
#include <sys/sysmacros.h>
#include "resources.h"
#include "settings.h"
#include "strv.h"
#include "tap.h"

static int fake_block_device(const char *path, dev_t *ret)
{
        if (strcmp(path, "/dev/loop3") == 0) {
                *ret = makedev(7, 3);
                return 0;
        }
        return -ENOTBLK;
}

static const ResourceHost host = {.physical_memory = 8ULL << 30, .tasks_max = 4194304, .block_device = fake_block_device};

static CgroupLayout layout(CgroupVersion v)
{
        CgroupLayout l = {.have_cgroup2 = v == CGV_2};
        for (int c = 0; c < _CG_MAX; c++)
                l.where[c] = v == CGV_2 && !cgroup_controller_v2_name(c) ? CGV_NONE : v;
        return l;
}

/* Translates the properties (NAME=VALUE, NULL-terminated) on layout v; returns the writes as
 * "controller:file=value;..." or "error: MESSAGE". */
static char *run(CgroupVersion v, const char *const *props)
{
        Resources r = {0};
        Error e = {0};
        static char out[2048];
        for (const char *const *p = props; *p; p++)
                if (resources_parse_assignment(&r, *p, &e) < 0) {
                        snprintf(out, sizeof(out), "parse error: %s", e.msg);
                        resources_done(&r);
                        return out;
                }
        CgroupLayout l = layout(v);
        CgroupWrite *w = NULL;
        size_t n = 0;
        unsigned ctl = 0;
        if (resources_translate(&r, &l, &host, &w, &n, &ctl, &e) < 0)
                snprintf(out, sizeof(out), "error: %s", e.msg);
        else {
                out[0] = 0;
                for (size_t i = 0; i < n; i++)
                        snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s=%s", i ? ";" : "", w[i].file, w[i].value);
        }
        free(w);
        resources_done(&r);
        return out;
}

#define PROPS(...) ((const char *const[]){__VA_ARGS__, NULL})

TEST(translation)
{
        CHECK_STREQ(run(CGV_2, PROPS("MemoryMax=1G")), "memory.max=1073741824", "MemoryMax on v2");
        CHECK_STREQ(run(CGV_1, PROPS("MemoryMax=1G")), "memory.limit_in_bytes=1073741824", "MemoryMax on v1");
        CHECK_STREQ(run(CGV_2, PROPS("MemoryMax=infinity")), "memory.max=max", "infinity on v2");
        CHECK_STREQ(run(CGV_1, PROPS("MemoryMax=infinity")), "memory.limit_in_bytes=-1", "infinity on v1");
        CHECK_STREQ(run(CGV_2, PROPS("MemoryMax=50%")), "memory.max=4294967296", "a share of the host's memory");
        CHECK_STREQ(run(CGV_2, PROPS("MemoryHigh=512M", "MemoryLow=64M")), "memory.high=536870912;memory.low=67108864",
                    "MemoryHigh and MemoryLow on v2");
        CHECK(strstr(run(CGV_1, PROPS("MemoryHigh=512M")), "error: MemoryHigh= needs the cgroup v2 memory controller") != NULL,
              "MemoryHigh on v1 is an error naming it");
        CHECK_STREQ(run(CGV_2, PROPS("MemorySwapMax=0")), "memory.swap.max=0", "MemorySwapMax on v2");
        CHECK_STREQ(run(CGV_1, PROPS("MemoryMax=1G", "MemorySwapMax=1G")), "memory.limit_in_bytes=1073741824;memory.memsw.limit_in_bytes=2147483648",
                    "MemorySwapMax on v1 is memory plus swap, written after the memory limit");
        CHECK(strstr(run(CGV_1, PROPS("MemorySwapMax=1G")), "needs a MemoryMax=") != NULL, "MemorySwapMax alone on v1");

        CHECK_STREQ(run(CGV_2, PROPS("CPUQuota=50%")), "cpu.max=50000 100000", "CPUQuota on v2");
        CHECK_STREQ(run(CGV_1, PROPS("CPUQuota=50%")), "cpu.cfs_period_us=100000;cpu.cfs_quota_us=50000", "CPUQuota on v1");
        CHECK_STREQ(run(CGV_2, PROPS("CPUQuota=200%", "CPUQuotaPeriodSec=10ms")), "cpu.max=20000 10000", "two CPUs with a 10 ms period");
        CHECK_STREQ(run(CGV_2, PROPS("CPUQuota=0.1%", "CPUQuotaPeriodSec=10ms")), "cpu.max=1000 10000", "the quota is at least 1 ms");
        CHECK_STREQ(run(CGV_2, PROPS("CPUWeight=200")), "cpu.weight=200", "CPUWeight on v2");
        CHECK_STREQ(run(CGV_1, PROPS("CPUWeight=200")), "cpu.shares=2048", "CPUWeight on v1 as shares");
        CHECK_STREQ(run(CGV_1, PROPS("CPUShares=512")), "cpu.shares=512", "CPUShares on v1");
        CHECK_STREQ(run(CGV_2, PROPS("CPUShares=512")), "cpu.weight=50", "CPUShares on v2 as a weight");
        CHECK_STREQ(run(CGV_2, PROPS("AllowedCPUs=1 0 3", "AllowedMemoryNodes=0")), "cpuset.cpus=0-1,3;cpuset.mems=0", "cpuset lists");

        CHECK_STREQ(run(CGV_2, PROPS("IOWeight=300")), "io.weight=default 300", "IOWeight on v2");
        CHECK_STREQ(run(CGV_1, PROPS("IOWeight=300")), "blkio.weight=1000", "IOWeight on v1, clamped to blkio's range");
        CHECK_STREQ(run(CGV_1, PROPS("IOWeight=10")), "blkio.weight=50", "IOWeight on v1");
        CHECK_STREQ(run(CGV_2, PROPS("IOReadBandwidthMax=/dev/loop3 1M")), "io.max=7:3 rbps=1000000", "read bandwidth on v2 (base 1000)");
        CHECK_STREQ(run(CGV_1, PROPS("IOReadBandwidthMax=/dev/loop3 1M")), "blkio.throttle.read_bps_device=7:3 1000000", "read bandwidth on v1");
        CHECK_STREQ(run(CGV_1, PROPS("IOWriteIOPSMax=/dev/loop3 100", "IOReadIOPSMax=/dev/loop3 infinity")),
                    "blkio.throttle.write_iops_device=7:3 100;blkio.throttle.read_iops_device=7:3 0", "IOPS on v1");
        CHECK_STREQ(run(CGV_2, PROPS("IOWriteBandwidthMax=/dev/loop3 infinity")), "io.max=7:3 wbps=max", "no limit on v2");
        CHECK_STREQ(run(CGV_2, PROPS("IODeviceWeight=/dev/loop3 50")), "io.weight=7:3 50", "device weight on v2");
        CHECK(strstr(run(CGV_2, PROPS("IOReadBandwidthMax=/dev/nope 1M")), "cannot find the block device of /dev/nope") != NULL,
              "an unknown device is named");

        CHECK_STREQ(run(CGV_2, PROPS("TasksMax=100")), "pids.max=100", "TasksMax");
        CHECK_STREQ(run(CGV_1, PROPS("TasksMax=infinity")), "pids.max=max", "TasksMax=infinity");
        CHECK_STREQ(run(CGV_2, PROPS("TasksMax=1%")), "pids.max=41943", "TasksMax as a share of the kernel's limit");
        CHECK_STREQ(run(CGV_2, PROPS("MemoryMax=1G", "MemoryMax=")), "", "an empty value takes a property back");

        CgroupLayout none = layout(CGV_2);
        none.where[CG_MEMORY] = CGV_NONE;
        Resources r = {0};
        Error e = {0};
        CgroupWrite *w = NULL;
        size_t n = 0;
        unsigned ctl = 0;
        resources_parse_assignment(&r, "MemoryMax=1G", &e);
        CHECK(resources_translate(&r, &none, &host, &w, &n, &ctl, &e) < 0 && strstr(e.msg, "needs the memory controller"),
              "a missing controller is named: %s", e.msg);
        resources_done(&r);

        r = (Resources){0};
        resources_parse_assignment(&r, "MemoryAccounting=yes", &e);
        resources_parse_assignment(&r, "TasksMax=5", &e);
        CgroupLayout v1 = layout(CGV_1);
        CHECK(resources_translate(&r, &v1, &host, &w, &n, &ctl, &e) == 0 && ctl == (CG_BIT(CG_MEMORY) | CG_BIT(CG_PIDS)),
              "the controllers needed: accounting and limits");
        free(w);
        resources_done(&r);
}

static void bad(const char *prop, const char *want)
{
        Resources r = {0};
        Error e = {0};
        int x = resources_parse_assignment(&r, prop, &e);
        CHECK(x < 0 && strstr(e.msg, want), "%s is refused: %s", prop, e.msg);
        resources_done(&r);
}

TEST(parse_errors)
{
        bad("MemoryMax=lots", "MemoryMax=lots: expected bytes");
        bad("MemoryMax=150%", "expected bytes");
        bad("CPUQuota=50", "expected a percentage");
        bad("CPUQuota=-5%", "expected a percentage");
        bad("CPUQuotaPeriodSec=5s", "from 1ms to 1s");
        bad("CPUWeight=0", "from 1 to 10000");
        bad("CPUShares=1", "from 2 to 262144");
        bad("AllowedCPUs=x", "CPU list");
        bad("IOReadBandwidthMax=1M", "expected \"DEVICE BYTES\"");
        bad("IOReadBandwidthMax=/dev/sda", "expected \"DEVICE BYTES\"");
        bad("IODeviceWeight=/dev/sda 0", "weight of 1 to 10000");
        bad("TasksMax=0", "at least 1");
        bad("DeviceAllow=/etc/passwd rw", "device node under /dev");
        bad("DeviceAllow=/dev/fuse rwx", "access letters");
        bad("DevicePolicy=open", "auto, closed or strict");
        bad("MemoryAccounting=maybe", "boolean");
        bad("Delegate=yes", "unknown resource property Delegate=");
        bad("MemoryMax", "expected NAME=VALUE");

        Resources r = {0};
        Error e = {0};
        CHECK(resources_set_slice(&r, "machine-web.slice", &e) == 0, "a nested slice");
        char *p = slice_to_cgroup_path(r.slice);
        CHECK_STREQ(p, "machine.slice/machine-web.slice", "dashes nest slices");
        free(p);
        p = slice_to_cgroup_path("a-b-c.slice");
        CHECK_STREQ(p, "a.slice/a-b.slice/a-b-c.slice", "three levels");
        free(p);
        CHECK(resources_set_slice(&r, "web", &e) < 0 && strstr(e.msg, "not a slice unit name"), "a slice needs .slice");
        CHECK(resources_set_slice(&r, "../x.slice", &e) < 0, "no path in a slice name");
        resources_done(&r);
}

TEST(devices)
{
        static const char devices[] = "Character devices:\n  1 mem\n 10 misc\n136 pts\n\nBlock devices:\n  7 loop\n  8 sd\n";
        Resources r = {0};
        Error e = {0};
        resources_parse_assignment(&r, "DeviceAllow=char-pts rw", &e);
        resources_parse_assignment(&r, "DeviceAllow=block-loop r", &e);
        resources_parse_assignment(&r, "DeviceAllow=/dev/null", &e);
        DeviceRule *rules = NULL;
        size_t n = 0;
        char **nodes = NULL;
        CHECK(resources_device_rules(&r, devices, &rules, &n, &nodes, &e) == 0 && n == 3, "three rules");
        CHECK(n == 3 && rules[0].type == 'c' && rules[0].major == 136 && rules[0].minor == -1 && rules[0].access == (DEVICE_READ | DEVICE_WRITE),
              "char-pts: any minor of major 136, rw");
        CHECK(n == 3 && rules[1].type == 'b' && rules[1].major == 7 && rules[1].access == DEVICE_READ, "block-loop r");
        CHECK(n == 3 && rules[2].type == 'c' && rules[2].major == 1 && rules[2].minor == 3 &&
                      rules[2].access == (DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD),
              "a path: its own number, rwm by default");
        CHECK(nodes && strcmp(nodes[0], "/dev/null") == 0 && !nodes[1], "the node paths, to create inside");
        free(rules);
        strv_free(nodes);
        resources_done(&r);

        r = (Resources){0};
        resources_parse_assignment(&r, "DeviceAllow=char-nosuch rw", &e);
        CHECK(resources_device_rules(&r, devices, &rules, &n, NULL, &e) < 0 && strstr(e.msg, "no character device driver \"nosuch\""),
              "an unknown driver is named");
        resources_done(&r);
}

TEST(merge)
{
        Settings c, f;
        Error e = {0};
        char **warnings = NULL;
        settings_init(&c);
        settings_init(&f);
        resources_parse_assignment(&c.resources, "MemoryMax=1G", &e);
        c.mask |= SETTING_RESOURCES;
        resources_set(&f.resources, "MemoryMax", "2G", &e);
        resources_set(&f.resources, "TasksMax", "10", &e);
        resources_set(&f.resources, "DeviceAllow", "/dev/fuse rwm", &e);
        f.mask |= SETTING_RESOURCES;
        CHECK(settings_merge(&c, &f, false, "x.nspawn", &warnings, &e) == 0, "merge");
        CHECK(c.resources.memory_max.value == 1ULL << 30, "the command line's MemoryMax wins");
        CHECK(c.resources.tasks_max.value == 10 && (c.resources.set & RES_BIT(RES_TASKS_MAX)), "the file fills TasksMax");
        CHECK(c.resources.n_device_allow == 0 && warnings && strstr(warnings[0], "DeviceAllow="), "an untrusted file grants no device");
        strv_free(warnings);
        settings_done(&c);
        settings_done(&f);
}

TAP_MAIN
