/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/seccomp.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "fs-util.h"
#include "oci-config.h"
#include "oci-nspawn.h"
#include "oci-plan.h"
#include "oci-state.h"
#include "strv.h"
#include "tap.h"

static int parse(const char *text, OciConfig *c, Error *e)
{
        *e = (Error){0};
        return oci_config_parse(text, strlen(text), c, e);
}

static int load_full(OciConfig *c)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        Error e = {0};
        int r = read_full_file(DATA_DIR "/oci/full.json", &text, &size);
        if (r < 0)
                return r;
        r = oci_config_parse(text, size, c, &e);
        if (r < 0)
                printf("# %s\n", e.msg);
        return r;
}

TEST(full_config)
{
        OciConfig c;
        CHECK(load_full(&c) == 0, "every field of the runtime spec parses");
        CHECK_STREQ(c.root_path, "rootfs", "root.path");
        CHECK(c.root_readonly, "root.readonly");
        CHECK_STREQ(c.hostname, "box", "hostname");
        CHECK_STREQ(c.domainname, "example.org", "domainname");
        CHECK(c.process.terminal && c.process.console_height.value == 25 && c.process.console_width.value == 80, "terminal and consoleSize");
        CHECK(c.process.uid == 1000 && c.process.gid == 1000 && c.process.umask.set && c.process.umask.value == 022, "user and umask");
        CHECK(c.process.n_additional_gids == 2 && c.process.additional_gids[1] == 6, "additionalGids");
        CHECK(strv_length(c.process.args) == 3 && strv_length(c.process.env) == 2, "args and env");
        CHECK(c.process.have_capabilities && c.process.capabilities.bounding == ((UINT64_C(1) << 5) | (UINT64_C(1) << 0)),
              "capabilities: known names set, an unknown one skipped (as runc)");
        CHECK(c.process.capabilities.ambient == (UINT64_C(1) << 5) && c.process.capabilities.inheritable == 0, "ambient, empty inheritable");
        CHECK(c.process.n_rlimits == 2 && c.process.rlimits[0].resource == RLIMIT_NOFILE && c.process.rlimits[0].hard == 4096 &&
                      c.process.rlimits[1].hard == UINT64_MAX,
              "rlimits, the largest unsigned value too");
        CHECK(c.process.no_new_privileges && c.process.oom_score_adj.value == -500, "noNewPrivileges, oomScoreAdj");
        CHECK(c.n_mounts == 4 && strv_length(c.mounts[2].options) == 4 && !c.mounts[3].type, "mounts, a bind without a type");
        CHECK(c.hooks[OCI_HOOK_PRESTART].n == 1 && c.hooks[OCI_HOOK_PRESTART].hooks[0].timeout.value == 5 && c.hooks[OCI_HOOK_POSTSTOP].n == 1,
              "hooks");
        CHECK(c.n_annotations == 1 && streq(c.annotations[0].value, "value"), "annotations");
        CHECK(c.n_namespaces == 4 && c.namespaces[1].kind == NS_NET && streq(c.namespaces[1].path, "/proc/1/ns/net"), "namespaces, joined by path");
        CHECK(c.uid_mappings.n == 1 && c.gid_mappings.n == 2 && c.gid_mappings.ranges[1].outside == 300000, "several id map ranges");
        CHECK(c.n_devices == 2 && c.devices[0].major == 10 && c.devices[0].mode.value == 0666 && c.devices[1].type == 'p', "devices");
        CHECK(c.resources.memory_limit.value == 536870912 && c.resources.pids_limit.value == 100 && c.resources.n_unified == 1, "resources");
        CHECK_STREQ(c.cgroups_path, "/corral-test/box", "cgroupsPath");
        CHECK(c.n_sysctl == 1 && c.masked_paths && c.readonly_paths, "sysctl, masked and read-only paths");
        CHECK(c.have_seccomp && c.seccomp.default_action == (SECCOMP_RET_ERRNO | 38) && c.seccomp.n_syscalls == 2 &&
                      c.seccomp.syscalls[1].n_args == 1 && c.seccomp.syscalls[1].args[0].value == 8,
              "seccomp with defaultErrnoRet and an argument condition");
        CHECK(c.personality.set && c.personality.value == PER_LINUX, "personality");
        oci_config_done(&c);
}

TEST(errors_name_the_field)
{
        static const struct {
                const char *json, *want;
        } cases[] = {
                {"", "ends too early"},
                {"{\"ociVersion\": \"1.0.2\", ", "ends too early"},
                {"[]", "must be an object"},
                {"{\"ociVersion\": \"1.0.2\"} x", "not valid JSON at byte 24"},
                {"{\"root\": {\"path\": \"r\"}}", "\"ociVersion\" is required"},
                {"{\"ociVersion\": \"1.0.2\"}", "\"root.path\" is required"},
                {"{\"ociVersion\": 1, \"root\": {\"path\": \"r\"}}", "ociVersion: must be a string"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\", \"user\": {\"uid\": -1}}}",
                 "process.user.uid: -1 is out of range"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"rel\"}}",
                 "process.cwd: \"rel\" is not an absolute path"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"args\": [\"a\", 2], \"cwd\": \"/\"}}",
                 "process.args[1]: must be a string"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\", \"env\": [\"NOEQUALS\"]}}",
                 "process.env[0]: \"NOEQUALS\" is no NAME=VALUE"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_BOGUS\", \"soft\": 1, \"hard\": 1}]}}",
                 "process.rlimits[0].type: unknown resource limit \"RLIMIT_BOGUS\""},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"process\": {\"cwd\": \"/\", \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 2, \"hard\": 1}]}}",
                 "soft limit 2 is above the hard limit 1"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"namespaces\": [{\"type\": \"bogus\"}]}}",
                 "linux.namespaces[0].type: unknown namespace type \"bogus\""},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"pid\"}]}}",
                 "the pid namespace is listed twice"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"uidMappings\": [{\"containerID\": 0, \"hostID\": 0, \"size\": 0}]}}",
                 "linux.uidMappings[0]: the range 0 0 0 is empty"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"devices\": [{\"type\": \"x\", \"path\": \"/dev/x\"}]}}",
                 "linux.devices[0].type: \"x\" is not one of"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"devices\": [{\"type\": \"c\", \"path\": \"/dev/x\"}]}}",
                 "\"major\" is required"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"resources\": {\"memory\": {\"limit\": \"1G\"}}}}",
                 "linux.resources.memory.limit: must be a whole number, not a string"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"resources\": {\"devices\": [{\"allow\": true, \"access\": \"rwx\"}]}}}",
                 "\"rwx\" is not made of r, w and m"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"resources\": {\"unified\": {\"../x\": \"1\"}}}}",
                 "\"../x\" is not a file name of a cgroup"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_BOGUS\"}}}",
                 "linux.seccomp.defaultAction: unknown action \"SCMP_ACT_BOGUS\""},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"seccomp\": {\"defaultAction\": \"SCMP_ACT_ALLOW\", \"syscalls\": [{\"names\": [\"a\"], \"action\": \"SCMP_ACT_ERRNO\", \"args\": [{\"index\": 6, \"value\": 1, \"op\": \"SCMP_CMP_EQ\"}]}]}}}",
                 "linux.seccomp.syscalls[0].args[0].index: 6 is out of range"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"rootfsPropagation\": \"sideways\"}}",
                 "\"sideways\" is not one of shared"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"hooks\": {\"prestart\": [{\"path\": \"rel\"}]}}",
                 "hooks.prestart[0].path: \"rel\" is not an absolute path"},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"personality\": {\"domain\": \"BSD\"}}}",
                 "unknown domain \"BSD\""},
                {"{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"mounts\": [{\"type\": \"tmpfs\"}]}",
                 "mounts[0]: \"destination\" is required"},
                {"{\"a\":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}", "not valid JSON"},
        };
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                OciConfig c;
                Error e;
                int r = parse(cases[i].json, &c, &e);
                CHECK(r < 0 && strstr(e.msg, cases[i].want) && startswith(e.msg, "config.json: "), "refused: %s", e.msg);
        }
        /* Unknown fields are ignored, as the spec asks. */
        OciConfig c;
        Error e;
        CHECK(parse("{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"windows\": {}, \"linux\": {\"intelRdt\": {}}, \"x\": 1}", &c, &e) == 0,
              "unknown fields are ignored");
        oci_config_done(&c);
}

TEST(process_and_resources_alone)
{
        OciProcess p;
        OciResources r;
        Error e = {0};
        const char *proc = "{\"args\": [\"ls\"], \"cwd\": \"/\", \"env\": [\"A=1\"], \"user\": {\"uid\": 5, \"gid\": 6}}";
        CHECK(oci_process_parse(proc, strlen(proc), &p, &e) == 0 && p.uid == 5 && streq(p.args[0], "ls"), "exec --process");
        oci_process_done(&p);
        const char *noargs = "{\"cwd\": \"/\"}";
        CHECK(oci_process_parse(noargs, strlen(noargs), &p, &e) < 0 && strstr(e.msg, "args"), "a process needs args: %s", e.msg);
        const char *res = "{\"memory\": {\"limit\": 1048576}, \"pids\": {\"limit\": 0}}";
        CHECK(oci_resources_parse(res, strlen(res), &r, &e) == 0 && r.memory_limit.value == 1048576 && !r.pids_limit.set,
              "update --resources; a pids limit of 0 leaves it alone, as runc");
        oci_resources_done(&r);
}

TEST(mount_options)
{
        OciMountOptions o;
        Error e = {0};
        char *opts[] = {"rbind", "ro", "nosuid", "rprivate", "mode=755", "size=1k", "tmpcopyup", NULL};
        CHECK(oci_mount_options(opts, &o, &e) == 0, "runc's options");
        CHECK(o.bind && o.recursive && o.flags == (MS_RDONLY | MS_NOSUID), "flags without the bind: %#lx", o.flags);
        CHECK(o.propagation == (MS_PRIVATE | MS_REC), "propagation");
        CHECK_STREQ(o.data, "mode=755,size=1k", "data, crun's tmpcopyup ignored");
        free(o.data);
        char *rw[] = {"ro", "rw", "noatime", "relatime", NULL};
        CHECK(oci_mount_options(rw, &o, &e) == 0 && o.flags == MS_RELATIME && !o.data, "later options undo earlier ones");
        char *rro[] = {"rbind", "rro", NULL};
        CHECK(oci_mount_options(rro, &o, &e) == 0 && o.flags == MS_RDONLY && o.recursive_attrs, "rro: read-only below too");
        char *idmap[] = {"bind", "idmap", NULL}, *ridmap[] = {"rbind", "ridmap", NULL};
        CHECK(oci_mount_options(idmap, &o, &e) == 0 && o.idmap && !o.idmap_recursive && !o.data, "idmap: an idmapped bind");
        CHECK(oci_mount_options(ridmap, &o, &e) == 0 && o.idmap && o.idmap_recursive, "ridmap: the mounts below too");
}

static const MountStep *find_step(const MountPlan *p, MountStepType t, const char *target)
{
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].type == t && p->steps[i].target && streq(p->steps[i].target, target))
                        return &p->steps[i];
        return NULL;
}

TEST(mount_plan)
{
        OciConfig c;
        MountPlan p;
        Error e = {0};
        OciHostFacts h = {.have_kcore = true};
        CHECK(load_full(&c) == 0, "the full config");
        CHECK(oci_mount_plan(&c, "/b/rootfs", "/b", &h, &p, &e) == 0, "planned: %s", e.msg);
        CHECK(p.n_steps > 0 && p.steps[0].type == STEP_ROOT_BIND && streq(p.steps[0].source, "/b/rootfs"), "the root first");
        const MountStep *m = find_step(&p, STEP_MOUNT, "/dev");
        CHECK(m && streq(m->fstype, "tmpfs") && m->flags == (MS_NOSUID | MS_STRICTATIME) && streq(m->options, "mode=755,size=65536k"), "a tmpfs");
        m = find_step(&p, STEP_BIND, "/data");
        CHECK(m && streq(m->source, "/b/data") && m->flags == (MS_BIND | MS_REC), "a relative bind source is the bundle's");
        m = find_step(&p, STEP_REMOUNT, "/data");
        CHECK(m && (m->flags & MS_RDONLY) && (m->flags & MS_NOSUID), "then its flags");
        CHECK(find_step(&p, STEP_BIND, "/etc/hosts"), "a bind given by its options alone");
        m = find_step(&p, STEP_MKNOD, "/dev/null");
        CHECK(m && !m->source && m->rdev == makedev(1, 3) && m->mode == (S_IFCHR | 0666), "the default devices in a /dev of its own");
        CHECK(find_step(&p, STEP_SYMLINK, "/dev/ptmx") && find_step(&p, STEP_SYMLINK, "/dev/fd") && find_step(&p, STEP_SYMLINK, "/dev/core"),
              "and the links");
        m = find_step(&p, STEP_MKNOD, "/dev/fuse");
        CHECK(m && m->rdev == makedev(10, 229) && m->uid == 0, "the config's devices");
        m = find_step(&p, STEP_MKNOD, "/dev/myfifo");
        CHECK(m && S_ISFIFO(m->mode), "a fifo");
        CHECK(find_step(&p, STEP_CONSOLE, "/dev/console"), "a console for terminal: true");
        m = find_step(&p, STEP_MASK, "/proc/kcore");
        CHECK(m && (m->step_flags & STEP_MASK_NULL) && (m->step_flags & STEP_OPTIONAL), "masked paths as runc masks them");
        CHECK(find_step(&p, STEP_BIND_ROOT, "/proc/sys") && find_step(&p, STEP_REMOUNT, "/proc/sys"), "read-only paths");
        m = &p.steps[p.n_steps - 1];
        CHECK(m->type == STEP_REMOUNT && streq(m->target, "/") && (m->flags & MS_RDONLY), "the root read-only last");
        mount_plan_done(&p);
        oci_config_done(&c);

        /* The host's /dev bound in: no nodes of our own. */
        const char *bind_dev = "{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"mounts\": [{\"destination\": \"/dev\", \"type\": \"bind\", "
                               "\"source\": \"/dev\", \"options\": [\"rbind\"]}]}";
        CHECK(parse(bind_dev, &c, &e) == 0 && oci_mount_plan(&c, "/r", "/b", &h, &p, &e) == 0 && !find_step(&p, STEP_MKNOD, "/dev/null"),
              "the host's /dev gets no default nodes");
        mount_plan_done(&p);
        oci_config_done(&c);
        const char *no_type = "{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"mounts\": [{\"destination\": \"/x\", \"source\": \"y\"}]}";
        CHECK(parse(no_type, &c, &e) == 0 && oci_mount_plan(&c, "/r", "/b", &h, &p, &e) == -EINVAL && strstr(e.msg, "needs a \"type\""),
              "a mount without type or bind: %s", e.msg);
        oci_config_done(&c);
}

static bool has_rule(const DeviceRule *l, size_t n, char type, uint32_t major, int64_t minor, unsigned access)
{
        for (size_t i = 0; i < n; i++)
                if (l[i].type == type && l[i].major == major && l[i].major_last == major && l[i].minor == minor && l[i].access == access)
                        return true;
        return false;
}

TEST(device_rules)
{
        OciConfig c;
        Error e = {0};
        DeviceRule *l;
        size_t n;
        CHECK(load_full(&c) == 0 && oci_device_rules(&c, &l, &n, &e) == 0, "rules");
        CHECK(has_rule(l, n, 'c', 10, 229, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD), "an allowed node (and the config's device, rwm)");
        CHECK(has_rule(l, n, 'c', 1, 3, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD) &&
                      has_rule(l, n, 'c', 136, -1, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD),
              "runc's defaults: /dev/null, the pty slaves");
        free(l);
        oci_config_done(&c);
        const char *deny = "{\"ociVersion\": \"1\", \"root\": {\"path\": \"r\"}, \"linux\": {\"resources\": {\"devices\": ["
                           "{\"allow\": true, \"type\": \"c\", \"major\": 4, \"minor\": 1, \"access\": \"rwm\"},"
                           "{\"allow\": false, \"type\": \"c\", \"major\": 4, \"minor\": 1, \"access\": \"w\"},"
                           "{\"allow\": true, \"type\": \"b\", \"major\": 8, \"minor\": 0, \"access\": \"r\"},"
                           "{\"allow\": false, \"type\": \"b\", \"major\": 8, \"minor\": 0, \"access\": \"r\"}]}}}";
        CHECK(parse(deny, &c, &e) == 0 && oci_device_rules(&c, &l, &n, &e) == 0, "allow, then deny");
        CHECK(has_rule(l, n, 'c', 4, 1, DEVICE_READ | DEVICE_MKNOD), "a deny takes its access away");
        CHECK(!has_rule(l, n, 'b', 8, 0, DEVICE_READ), "a rule left with nothing goes");
        free(l);
        oci_config_done(&c);
}

TEST(cgroup_paths)
{
        char *p;
        Error e = {0};
        CHECK(oci_cgroup_path(NULL, false, "abc", &p, &e) == 0 && streq(p, "abc"), "the id by default");
        free(p);
        CHECK(oci_cgroup_path("/a/b//", false, "abc", &p, &e) == 0 && streq(p, "a/b"), "cgroupfs form");
        free(p);
        CHECK(oci_cgroup_path("/a/../b", false, "abc", &p, &e) == -EINVAL, "no way up: %s", e.msg);
        e = (Error){0};
        CHECK(oci_cgroup_path("machine.slice:libpod:abc", true, "abc", &p, &e) == 0 && streq(p, "machine.slice/libpod-abc.scope"), "systemd form");
        free(p);
        CHECK(oci_cgroup_path("kubepods-besteffort.slice:cri-containerd:x1", true, "x1", &p, &e) == 0 &&
                      streq(p, "kubepods.slice/kubepods-besteffort.slice/cri-containerd-x1.scope"),
              "a nested slice, as the kubelet names them: %s", p);
        free(p);
        CHECK(oci_cgroup_path(":p:n", true, "n", &p, &e) == 0 && streq(p, "system.slice/p-n.scope"), "system.slice by default");
        free(p);
        CHECK(oci_cgroup_path("a/b", true, "n", &p, &e) == -EINVAL && strstr(e.msg, "slice:prefix:name"), "not the systemd form: %s", e.msg);
}

static const CgroupWrite *find_write(const CgroupWrite *w, size_t n, const char *file)
{
        for (size_t i = 0; i < n; i++)
                if (streq(w[i].file, file))
                        return &w[i];
        return NULL;
}

TEST(resources)
{
        OciConfig c;
        Error e = {0};
        CgroupWrite *w;
        size_t n;
        unsigned need;
        CgroupLayout v2 = {.have_cgroup2 = true}, v1 = {0};
        for (int k = 0; k < _CG_MAX; k++) {
                v2.where[k] = CGV_2;
                v1.where[k] = CGV_1;
        }
        CHECK(load_full(&c) == 0, "the full config");
        CHECK(oci_resources_translate(&c.resources, &v2, &w, &n, &need, &e) == 0, "cgroup2: %s", e.msg);
        CHECK(find_write(w, n, "memory.max") && streq(find_write(w, n, "memory.max")->value, "536870912"), "memory.limit");
        CHECK(find_write(w, n, "memory.swap.max") && streq(find_write(w, n, "memory.swap.max")->value, "536870912"),
              "swap is memory plus swap in OCI, swap alone in cgroup2");
        CHECK(find_write(w, n, "cpu.max") && streq(find_write(w, n, "cpu.max")->value, "50000 100000"), "quota and period");
        CHECK(find_write(w, n, "cpu.weight") && streq(find_write(w, n, "cpu.weight")->value, "39"), "shares as weight, as runc converts");
        CHECK(find_write(w, n, "pids.max") && streq(find_write(w, n, "pids.max")->value, "100"), "pids");
        CHECK(find_write(w, n, "io.max") && streq(find_write(w, n, "io.max")->value, "8:0 rbps=1048576"), "io throttle");
        CHECK(need & CG_BIT(CG_MEMORY) && need & CG_BIT(CG_PIDS), "the controllers they need");
        CHECK(find_write(w, n, "memory.high") && streq(find_write(w, n, "memory.high")->value, "400000000"), "unified");
        free(w);
        CHECK(oci_resources_translate(&c.resources, &v1, &w, &n, &need, &e) == -EOPNOTSUPP &&
                      strstr(e.msg, "unified.memory.high: the memory controller is not in cgroup2"),
              "unified needs cgroup2: %s", e.msg);
        e = (Error){0};
        oci_resources_done(&c.resources);
        oci_config_done(&c);
        CHECK(load_full(&c) == 0, "again");
        for (size_t i = 0; i < c.resources.n_unified; i++) {
                free(c.resources.unified[i].key);
                free(c.resources.unified[i].value);
        }
        c.resources.n_unified = 0;
        CHECK(oci_resources_translate(&c.resources, &v1, &w, &n, &need, &e) == 0, "cgroup v1: %s", e.msg);
        CHECK(find_write(w, n, "memory.limit_in_bytes") && find_write(w, n, "memory.memsw.limit_in_bytes") && find_write(w, n, "cpu.cfs_quota_us") &&
                      find_write(w, n, "cpu.shares") && find_write(w, n, "blkio.throttle.read_bps_device"),
              "the v1 files");
        free(w);
        CgroupLayout none = {0};
        CHECK(oci_resources_translate(&c.resources, &none, &w, &n, &need, &e) == -EOPNOTSUPP && strstr(e.msg, "no memory controller"),
              "a missing controller is named: %s", e.msg);
        oci_config_done(&c);
}

/* What Docker's update sends: every field, those not asked for as 0; runc leaves those alone. */
TEST(resources_update_zeros)
{
        static const char json[] = "{\"memory\": {\"limit\": 100663296, \"reservation\": 0, \"swap\": 100663296, \"kernel\": 0},"
                                   " \"cpu\": {\"shares\": 0, \"quota\": 0, \"period\": 0, \"realtimeRuntime\": 0,"
                                   " \"realtimePeriod\": 0, \"cpus\": \"\", \"mems\": \"\"},"
                                   " \"pids\": {\"limit\": 0}, \"blockIO\": {\"weight\": 0}}";
        OciResources r;
        Error e = {0};
        CgroupWrite *w;
        size_t n;
        unsigned need;
        CgroupLayout v1 = {0};
        for (int k = 0; k < _CG_MAX; k++)
                v1.where[k] = CGV_1;
        CHECK(oci_resources_parse(json, strlen(json), &r, &e) == 0, "parse: %s", e.msg);
        CHECK(oci_resources_translate(&r, &v1, &w, &n, &need, &e) == 0, "translate: %s", e.msg);
        CHECK(n == 3 && streq(w[0].file, "memory.memsw.limit_in_bytes") && streq(w[0].value, "-1") && streq(w[1].file, "memory.limit_in_bytes") &&
                      streq(w[1].value, "100663296") && streq(w[2].file, "memory.memsw.limit_in_bytes") && streq(w[2].value, "100663296"),
              "only memory and swap, swap unlimited first so either may grow or shrink (%zu writes)", n);
        CHECK(need == CG_BIT(CG_MEMORY), "and only memory is needed");
        free(w);
        oci_resources_done(&r);
}

/* corral --oci-bundle: a bundle as nspawn's options, the API file systems left to nspawn's
 * own, what the options cannot say refused by name. */
TEST(nspawn_options)
{
        OciConfig c;
        Error e;
        _cleanup_strv_free_ char **l = NULL, **w = NULL;
        const char *ok = "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"rootfs\", \"readonly\": true}, \"hostname\": \"h1\","
                         " \"process\": {\"terminal\": false, \"cwd\": \"/w\", \"args\": [\"sh\", \"-c\", \"a b\"], \"env\": [\"A=1 2\"],"
                         " \"user\": {\"uid\": 0, \"gid\": 0}, \"noNewPrivileges\": true, \"oomScoreAdj\": 5,"
                         " \"rlimits\": [{\"type\": \"RLIMIT_NOFILE\", \"soft\": 10, \"hard\": 20}]},"
                         " \"mounts\": [{\"destination\": \"/proc\", \"type\": \"proc\", \"source\": \"proc\"},"
                         " {\"destination\": \"/d:1\", \"type\": \"bind\", \"source\": \"data\", \"options\": [\"rbind\", \"ro\"]},"
                         " {\"destination\": \"/t\", \"type\": \"tmpfs\", \"source\": \"tmpfs\", \"options\": [\"size=1m\"]}],"
                         " \"linux\": {\"namespaces\": [{\"type\": \"pid\"}, {\"type\": \"ipc\"}, {\"type\": \"uts\"}, {\"type\": \"mount\"},"
                         " {\"type\": \"network\", \"path\": \"/run/netns/x\"}], \"resources\": {\"memory\": {\"limit\": 1048576},"
                         " \"devices\": [{\"allow\": false, \"access\": \"rwm\"}]}, \"cgroupsPath\": \"web.slice\"}}";
        CHECK(parse(ok, &c, &e) == 0, "parse: %s", e.msg);
        CHECK(oci_nspawn_options(&c, "/b", &l, &w, &e) == 0, "options: %s", e.msg);
        static const char *const want[] = {"--directory=/b/rootfs",
                                           "--read-only",
                                           "--hostname=h1",
                                           "--console=pipe",
                                           "--chdir=/w",
                                           "--setenv=A=1 2",
                                           "--no-new-privileges=yes",
                                           "--oom-score-adjust=5",
                                           "--rlimit=NOFILE=10:20",
                                           "--bind-ro=/b/data:/d\\:1:rbind",
                                           "--tmpfs=/t:size=1m",
                                           "--network-namespace-path=/run/netns/x",
                                           "--property=MemoryMax=1048576",
                                           "--slice=web.slice",
                                           "--timezone=off"};
        for (size_t i = 0; i < ELEMENTSOF(want); i++)
                CHECK(strv_contains(l, want[i]), "has %s", want[i]);
        size_t n = strv_length(l);
        CHECK(n >= 4 && streq(l[n - 4], "--") && streq(l[n - 3], "sh") && streq(l[n - 1], "a b"), "the args after --");
        for (char **a = l; *a; a++)
                CHECK(!startswith(*a, "--bind=proc") && !strstr(*a, ":/proc"), "the bundle's /proc is nspawn's own: %s", *a);
        oci_config_done(&c);

        static const struct {
                const char *json, *want;
        } bad[] = {
                {"\"linux\": {\"sysctl\": {\"kernel.msgmax\": \"1\"}}", "linux.sysctl"},
                {"\"mounts\": [{\"destination\": \"/d\", \"type\": \"bind\", \"source\": \"/x\", \"options\": [\"bind\", \"nosuid\"]}]",
                 "option \"nosuid\""},
                {"\"mounts\": [{\"destination\": \"/m\", \"type\": \"mqueue\", \"source\": \"mqueue\"}]", "type \"mqueue\""},
                {"\"linux\": {\"cgroupsPath\": \"/a/b\"}", "linux.cgroupsPath"},
                {"\"linux\": {\"namespaces\": [{\"type\": \"mount\"}]}", "own PID, IPC and UTS"},
                {"\"process\": {\"args\": [\"sh\"], \"cwd\": \"/\", \"user\": {\"uid\": 4242, \"gid\": 4242}}", "process.user"},
                {"\"hooks\": {\"prestart\": [{\"path\": \"/bin/true\"}]}", "hooks"},
        };
        for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
                char text[1024];
                snprintf(text, sizeof(text), "{\"ociVersion\": \"1.0.2\", \"root\": {\"path\": \"/nonexistent\"}, %s}", bad[i].json);
                _cleanup_strv_free_ char **l2 = NULL;
                CHECK(parse(text, &c, &e) == 0, "parse %s: %s", bad[i].json, e.msg);
                if (!strstr(bad[i].json, "namespaces")) {
                        /* (a config without namespaces shares them all: give it the usual ones) */
                        free(c.namespaces);
                        c.namespaces = calloc(5, sizeof(OciNamespace));
                        c.n_namespaces = 5;
                        NamespaceKind k[] = {NS_PID, NS_IPC, NS_UTS, NS_MOUNT, NS_NET};
                        for (int j = 0; j < 5; j++)
                                c.namespaces[j].kind = k[j];
                }
                e = (Error){0};
                CHECK(oci_nspawn_options(&c, "/b", &l2, NULL, &e) == -EOPNOTSUPP && strstr(e.msg, bad[i].want), "refused, naming %s: %s", bad[i].want,
                      e.msg);
                oci_config_done(&c);
        }
}

TEST(state_and_ids)
{
        OciState s = {.id = "c1", .bundle = "/b", .rootfs = "/b/rootfs", .created = "2026-01-01T00:00:00.000000000Z", .pid = 42};
        _cleanup_free_ char *json = oci_state_json(&s, OCI_RUNNING, false);
        CHECK(json && strstr(json, "\"status\":\"running\"") && strstr(json, "\"pid\":42") && strstr(json, "\"ociVersion\":\"1.0.2\""),
              "state as the spec shows it: %s", json);
        _cleanup_free_ char *stopped = oci_state_json(&s, OCI_STOPPED, false);
        CHECK(stopped && strstr(stopped, "\"pid\":0"), "a stopped container has no pid");
        CHECK(oci_id_is_valid("abc-1.2_3+4") && !oci_id_is_valid("") && !oci_id_is_valid("..") && !oci_id_is_valid("a/b") && !oci_id_is_valid("a b"),
              "container ids");
        _cleanup_free_ char *now = oci_now();
        CHECK(now && strlen(now) == 30 && now[10] == 'T' && now[29] == 'Z', "RFC 3339 with nanoseconds: %s", now);
        bool zombie;
        CHECK(process_start_time(getpid(), &zombie) > 0 && !zombie, "our own start time");
}

TAP_MAIN
