/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "capability.h"
#include "exec-limits.h"
#include "fs-util.h"
#include "oci-nspawn.h"
#include "strv.h"

#define REFUSE(e, ...) error_set((e), -EOPNOTSUPP, "config.json: " __VA_ARGS__)
#define USE_CORRAL_OCI "; corral-oci runs such a bundle as an OCI runtime does (man corral-oci)"

/* A warning, where the caller takes them. */
#define warn(warnings, ...) ((warnings) ? strv_pushf((warnings), __VA_ARGS__) : 0)

/* The mounts nspawn makes itself and so takes from no bundle (nspawn-oci.c's list). */
static bool excluded(const char *path)
{
        static const char *const own[] = {
                "/dev",
                "/dev/mqueue",
                "/dev/pts",
                "/dev/shm",
                "/proc",
                "/proc/acpi",
                "/proc/apm",
                "/proc/asound",
                "/proc/bus",
                "/proc/fs",
                "/proc/irq",
                "/proc/kallsyms",
                "/proc/kcore",
                "/proc/keys",
                "/proc/scsi",
                "/proc/sys",
                "/proc/sys/net",
                "/proc/sysrq-trigger",
                "/proc/timer_list",
                "/run",
                "/sys",
                "/sys/fs/selinux",
                "/tmp",
        };
        for (size_t i = 0; i < ELEMENTSOF(own); i++)
                if (streq(path, own[i]))
                        return true;
        return streq(path, "/sys/fs/cgroup") || startswith(path, "/sys/fs/cgroup/");
}

/* A path for --bind=SRC:DST: its colons and backslashes escaped, as nspawn reads them. */
static char *escape_colons(const char *p)
{
        char *r = malloc(strlen(p) * 2 + 1), *q = r;
        if (!r)
                return NULL;
        for (; *p; p++) {
                if (*p == ':' || *p == '\\')
                        *q++ = '\\';
                *q++ = *p;
        }
        *q = 0;
        return r;
}

static int add_mount(char ***l, const OciMount *m, size_t i, const char *bundle, Error *e)
{
        bool bind = !m->type || streq(m->type, "bind") || streq(m->type, "none"), rbind = false, ro = false;
        for (char **o = m->options; o && *o; o++)
                if (streq(*o, "bind") || streq(*o, "rbind")) {
                        bind = true;
                        rbind = rbind || streq(*o, "rbind");
                }
        _cleanup_free_ char *dst = escape_colons(m->destination);
        if (!dst)
                return -ENOMEM;
        if (bind) {
                if (!m->source)
                        return REFUSE(e, "mounts[%zu]: a bind mount without a source", i);
                for (char **o = m->options; o && *o; o++) {
                        if (streq(*o, "ro"))
                                ro = true;
                        else if (!strv_contains((char *const[]){"bind", "rbind", "rw", "private", "rprivate", "slave", "rslave", NULL}, *o))
                                return REFUSE(
                                        e,
                                        "mounts[%zu] (%s): option \"%s\": nspawn's --bind= takes none but ro, rbind and norbind (the container's "
                                        "mounts are slaves of the host's)" USE_CORRAL_OCI,
                                        i, m->destination, *o);
                }
                _cleanup_free_ char *abs = path_is_absolute(m->source) ? strdup(m->source) : path_join(bundle, m->source);
                _cleanup_free_ char *src = abs ? escape_colons(abs) : NULL;
                if (!src)
                        return -ENOMEM;
                return strv_pushf(l, "--bind%s=%s:%s:%s", ro ? "-ro" : "", src, dst, rbind ? "rbind" : "norbind");
        }
        if (streq(m->type, "tmpfs")) {
                _cleanup_free_ char *opts = strdup("");
                for (char **o = m->options; opts && o && *o; o++) {
                        char *n;
                        if (asprintf(&n, "%s%s%s", opts, *opts ? "," : "", *o) < 0)
                                return -ENOMEM;
                        free(opts);
                        opts = n;
                }
                if (!opts)
                        return -ENOMEM;
                return strv_pushf(l, "--tmpfs=%s%s%s", dst, *opts ? ":" : "", opts);
        }
        return REFUSE(e, "mounts[%zu] (%s): type \"%s\": nspawn's command line mounts binds and tmpfs, and its own API file systems" USE_CORRAL_OCI,
                      i, m->destination, m->type);
}

/* The name of the user uid with primary group gid in the root's /etc/passwd. */
static int user_name(const char *root, uid_t uid, gid_t gid, char **ret)
{
        _cleanup_free_ char *path = path_join(root, "etc/passwd"), *text = NULL;
        if (!path)
                return -ENOMEM;
        int r = read_full_file(path, &text, NULL);
        if (r < 0)
                return r;
        for (char *line = text, *next; line && *line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                char name[256];
                unsigned u, g;
                if (sscanf(line, "%255[^:]:%*[^:]:%u:%u:", name, &u, &g) == 3 && u == uid && g == gid)
                        return (*ret = strdup(name)) ? 0 : -ENOMEM;
        }
        return -ENOENT;
}

static int add_process(char ***l, const OciProcess *p, const char *root, char ***warnings, Error *e)
{
        int r;
        if (!p->terminal && (r = strv_pushf(l, "--console=pipe")) < 0)
                return r;
        if (p->cwd && (r = strv_pushf(l, "--chdir=%s", p->cwd)) < 0)
                return r;
        for (char **v = p->env; v && *v; v++)
                if ((r = strv_pushf(l, "--setenv=%s", *v)) < 0)
                        return r;
        if (p->uid != 0 || p->gid != 0) {
                _cleanup_free_ char *name = NULL;
                if ((r = user_name(root, p->uid, p->gid, &name)) == -ENOMEM)
                        return r;
                if (r < 0)
                        return REFUSE(e,
                                      "process.user: no user with UID %u and GID %u in %s/etc/passwd: nspawn's --user= takes a user of the "
                                      "container's by name" USE_CORRAL_OCI,
                                      (unsigned)p->uid, (unsigned)p->gid, root);
                if ((r = strv_pushf(l, "--user=%s", name)) < 0)
                        return r;
        }
        if (p->n_additional_gids > 0)
                return REFUSE(e,
                              "process.user.additionalGids: nspawn's --user= takes the user's groups from the container's /etc/group" USE_CORRAL_OCI);
        if (p->umask.set)
                return REFUSE(e, "process.user.umask: nspawn's command line has no umask" USE_CORRAL_OCI);
        if (p->have_capabilities) {
                /* As nspawn: the bounding set is the container's set, and ambient ones are raised. */
                _cleanup_free_ char *keep = NULL, *drop = NULL;
                for (int cap = 0; capability_to_name(cap); cap++) {
                        char **which = (p->capabilities.bounding >> cap) & 1 ? &keep : &drop;
                        char *n;
                        if (asprintf(&n, "%s%s%s", *which ? *which : "", *which ? "," : "", capability_to_name(cap)) < 0)
                                return -ENOMEM;
                        free(*which);
                        *which = n;
                }
                if ((keep && (r = strv_pushf(l, "--capability=%s", keep)) < 0) || (drop && (r = strv_pushf(l, "--drop-capability=%s", drop)) < 0))
                        return r;
                for (int cap = 0; capability_to_name(cap); cap++)
                        if (((p->capabilities.ambient >> cap) & 1) && (r = strv_pushf(l, "--ambient-capability=%s", capability_to_name(cap))) < 0)
                                return r;
        }
        if ((r = strv_pushf(l, "--no-new-privileges=%s", p->no_new_privileges ? "yes" : "no")) < 0)
                return r;
        if (p->oom_score_adj.set && (r = strv_pushf(l, "--oom-score-adjust=%d", p->oom_score_adj.value)) < 0)
                return r;
        for (size_t i = 0; i < p->n_rlimits; i++) {
                char soft[24] = "infinity", hard[24] = "infinity";
                if (p->rlimits[i].soft != UINT64_MAX)
                        snprintf(soft, sizeof(soft), "%llu", (unsigned long long)p->rlimits[i].soft);
                if (p->rlimits[i].hard != UINT64_MAX)
                        snprintf(hard, sizeof(hard), "%llu", (unsigned long long)p->rlimits[i].hard);
                if ((r = strv_pushf(l, "--rlimit=%s=%s:%s", rlimit_to_name(p->rlimits[i].resource), soft, hard)) < 0)
                        return r;
        }
        if (p->apparmor_profile && (r = warn(warnings, "config.json: ignoring process.apparmorProfile, as nspawn does")) < 0)
                return r;
        if (p->selinux_label && (r = warn(warnings, "config.json: ignoring process.selinuxLabel, as nspawn does")) < 0)
                return r;
        return 0;
}

static int add_namespaces(char ***l, const OciConfig *c, Error *e)
{
        bool have[_NS_KIND_MAX] = {0};
        int r;
        for (size_t i = 0; i < c->n_namespaces; i++) {
                const OciNamespace *n = &c->namespaces[i];
                have[n->kind] = true;
                if (n->path && n->kind != NS_NET)
                        return REFUSE(e, "linux.namespaces[%zu].path: nspawn joins only a network namespace by path" USE_CORRAL_OCI, i);
                if (n->kind == NS_TIME)
                        return REFUSE(e, "linux.namespaces[%zu]: nspawn makes no time namespace" USE_CORRAL_OCI, i);
                if (n->kind == NS_NET &&
                    (r = n->path ? strv_pushf(l, "--network-namespace-path=%s", n->path) : strv_pushf(l, "--private-network")) < 0)
                        return r;
        }
        if (!have[NS_MOUNT])
                return REFUSE(e, "linux.namespaces: a container without a mount namespace of its own is not supported, as by nspawn");
        if (!have[NS_PID] || !have[NS_IPC] || !have[NS_UTS])
                return REFUSE(e, "linux.namespaces: corral gives every container its own PID, IPC and UTS namespaces; this bundle shares the "
                                 "host's" USE_CORRAL_OCI);
        const IdMap *u = &c->uid_mappings, *g = &c->gid_mappings;
        if (!have[NS_USER])
                return 0;
        if (u->n != 1 || g->n != 1 || u->ranges[0].inside != 0 || g->ranges[0].inside != 0 || u->ranges[0].outside != g->ranges[0].outside ||
            u->ranges[0].count != g->ranges[0].count)
                return REFUSE(e, "linux.uidMappings and gidMappings: nspawn's --private-users= takes one range from container ID 0, the same for "
                                 "users and groups" USE_CORRAL_OCI);
        return strv_pushf(l, "--private-users=%u:%u", u->ranges[0].outside, u->ranges[0].count);
}

static int add_resources(char ***l, const OciResources *res, char ***warnings, Error *e)
{
        int r = 0;
#define GIVEN(f) (res->f.set && res->f.value != 0)
        if (GIVEN(memory_limit) &&
            (r = res->memory_limit.value < 0 ? strv_pushf(l, "--property=MemoryMax=infinity")
                                             : strv_pushf(l, "--property=MemoryMax=%lld", (long long)res->memory_limit.value)) < 0)
                return r;
        if (GIVEN(memory_reservation) && res->memory_reservation.value > 0 &&
            (r = strv_pushf(l, "--property=MemoryLow=%lld", (long long)res->memory_reservation.value)) < 0)
                return r;
        if (GIVEN(memory_swap)) {
                /* OCI's swap is memory plus swap; MemorySwapMax= is swap alone. */
                int64_t v = res->memory_swap.value, limit = GIVEN(memory_limit) ? res->memory_limit.value : -1;
                if (v < 0)
                        r = strv_pushf(l, "--property=MemorySwapMax=infinity");
                else if (limit < 0 || v < limit)
                        return REFUSE(e, "linux.resources.memory.swap %lld is below the memory limit, or there is no memory limit", (long long)v);
                else
                        r = strv_pushf(l, "--property=MemorySwapMax=%lld", (long long)(v - limit));
                if (r < 0)
                        return r;
        }
        if ((GIVEN(memory_kernel) || GIVEN(memory_kernel_tcp) || res->memory_swappiness.set || res->memory_disable_oom_killer ||
             GIVEN(cpu_realtime_runtime) || GIVEN(cpu_realtime_period)) &&
            (r = warn(warnings, "config.json: ignoring linux.resources' cgroup v1 settings (memory kernel, kernelTCP, swappiness, "
                                "disableOOMKiller; cpu realtime), as nspawn does")) < 0)
                return r;
        if (GIVEN(cpu_shares) && (r = strv_pushf(l, "--property=CPUShares=%llu", (unsigned long long)res->cpu_shares.value)) < 0)
                return r;
        if (GIVEN(cpu_quota) && res->cpu_quota.value > 0) {
                uint64_t period = GIVEN(cpu_period) ? res->cpu_period.value : 100000;
                if ((r = strv_pushf(l, "--property=CPUQuota=%llu%%", (unsigned long long)((uint64_t)res->cpu_quota.value * 100 / period))) < 0 ||
                    (r = strv_pushf(l, "--property=CPUQuotaPeriodSec=%lluus", (unsigned long long)period)) < 0)
                        return r;
        }
        if (res->cpu_cpus && *res->cpu_cpus && (r = strv_pushf(l, "--property=AllowedCPUs=%s", res->cpu_cpus)) < 0)
                return r;
        if (res->cpu_mems && *res->cpu_mems && (r = strv_pushf(l, "--property=AllowedMemoryNodes=%s", res->cpu_mems)) < 0)
                return r;
        if (GIVEN(cpu_idle))
                return REFUSE(e, "linux.resources.cpu.idle: nspawn's command line has no such property" USE_CORRAL_OCI);
        if (GIVEN(pids_limit) && (r = res->pids_limit.value < 0 ? strv_pushf(l, "--property=TasksMax=infinity")
                                                                : strv_pushf(l, "--property=TasksMax=%lld", (long long)res->pids_limit.value)) < 0)
                return r;
        if (GIVEN(blkio_weight) &&
            (r = strv_pushf(l, "--property=IOWeight=%u", 1 + ((unsigned)res->blkio_weight.value - 10) * 9999 / 990)) < 0) /* 10-1000 as 1-10000 */
                return r;
        if (res->n_blkio_weight_device || res->n_blkio_throttle[0] || res->n_blkio_throttle[1] || res->n_blkio_throttle[2] ||
            res->n_blkio_throttle[3])
                return REFUSE(e, "linux.resources.blockIO: device weights and throttles by number are not supported by corral --oci-bundle "
                                 "(--property=IODeviceWeight= and IO*Max= take device paths)" USE_CORRAL_OCI);
        if (res->n_hugepage_limits)
                return REFUSE(e, "linux.resources.hugepageLimits: not supported, as by nspawn" USE_CORRAL_OCI);
        if (res->network_class_id.set || res->n_network_priorities)
                return REFUSE(e, "linux.resources.network: not supported, as by nspawn");
        if (res->n_unified)
                return REFUSE(e, "linux.resources.unified: nspawn's command line sets properties, not cgroup files" USE_CORRAL_OCI);
        for (size_t i = 0; i < res->n_devices; i++) {
                const OciDeviceRule *d = &res->devices[i];
                /* The catch-all deny that starts every runtime's list: corral's own policy denies
                 * whatever it does not allow. */
                if (!d->allow && d->type == 'a' && d->major < 0 && d->minor < 0)
                        continue;
                return REFUSE(e,
                              "linux.resources.devices[%zu]: only the catch-all deny rule is taken; allow a node by listing it in "
                              "linux.devices (it becomes DeviceAllow=)" USE_CORRAL_OCI,
                              i);
        }
#undef GIVEN
        return 0;
}

/* linux.devices: nodes the host has as described, allowed and made (DeviceAllow=). */
static int add_devices(char ***l, const OciConfig *c, Error *e)
{
        for (size_t i = 0; i < c->n_devices; i++) {
                const OciDevice *d = &c->devices[i];
                struct stat st;
                mode_t type = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
                if (type == S_IFIFO || stat(d->path, &st) < 0 || (st.st_mode & S_IFMT) != type || major(st.st_rdev) != (unsigned)d->major ||
                    minor(st.st_rdev) != (unsigned)d->minor)
                        return REFUSE(e,
                                      "linux.devices[%zu] (%s): corral --oci-bundle gives a container the host's device nodes, and the host has "
                                      "no such node there" USE_CORRAL_OCI,
                                      i, d->path);
                int r = strv_pushf(l, "--property=DeviceAllow=%s rwm", d->path);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The paths that exist: /proc and /sys as the host's kernel has them, others in the root. */
static bool exists_for_container(const char *root, const char *path)
{
        struct stat st;
        if (path_startswith(path, "/proc") || path_startswith(path, "/sys"))
                return lstat(path, &st) == 0;
        _cleanup_free_ char *p = path_join(root, path);
        return p && lstat(p, &st) == 0;
}

int oci_nspawn_options(const OciConfig *c, const char *bundle, char ***ret, char ***warnings, Error *e)
{
        _cleanup_strv_free_ char **l = NULL;
        _cleanup_free_ char *root = NULL;
        int r;

        *ret = NULL;
        if (!c->root_path)
                return error_set(e, -EINVAL, "config.json: no root.path");
        if (!(root = path_is_absolute(c->root_path) ? strdup(c->root_path) : path_join(bundle, c->root_path)))
                return -ENOMEM;
        /* nspawn's defaults for a bundle: nothing of the host's resolver, journal or zone. */
        if ((r = strv_pushf(&l, "--directory=%s", root)) < 0 || (r = strv_pushf(&l, "--resolv-conf=off")) < 0 ||
            (r = strv_pushf(&l, "--link-journal=no")) < 0 || (r = strv_pushf(&l, "--timezone=off")) < 0)
                return r;
        if (c->root_readonly && (r = strv_pushf(&l, "--read-only")) < 0)
                return r;
        if (c->hostname && *c->hostname && (r = strv_pushf(&l, "--hostname=%s", c->hostname)) < 0)
                return r;
        if (c->domainname && *c->domainname)
                return REFUSE(e, "domainname: nspawn's command line has none" USE_CORRAL_OCI);
        if (c->have_process && (r = add_process(&l, &c->process, root, warnings, e)) < 0)
                return r;
        for (size_t i = 0; i < c->n_mounts; i++)
                if (!excluded(c->mounts[i].destination) && (r = add_mount(&l, &c->mounts[i], i, bundle, e)) < 0)
                        return r;
        if ((r = add_namespaces(&l, c, e)) < 0)
                return r;
        if (c->have_resources && (r = add_resources(&l, &c->resources, warnings, e)) < 0)
                return r;
        if ((r = add_devices(&l, c, e)) < 0)
                return r;
        if (c->cgroups_path) {
                if (!endswith(c->cgroups_path, ".slice") || strchr(c->cgroups_path, '/') || strchr(c->cgroups_path, ':'))
                        return REFUSE(e, "linux.cgroupsPath \"%s\": nspawn puts a container in a slice, so the path must name one (NAME.slice)",
                                      c->cgroups_path);
                if ((r = strv_pushf(&l, "--slice=%s", c->cgroups_path)) < 0)
                        return r;
        }
        if (c->n_sysctl)
                return REFUSE(e, "linux.sysctl: not supported by corral --oci-bundle yet" USE_CORRAL_OCI);
        if (c->have_seccomp)
                return REFUSE(e, "linux.seccomp: not supported by corral --oci-bundle yet (nspawn's filter is --system-call-filter=)" USE_CORRAL_OCI);
        for (int k = 0; k < _OCI_HOOK_MAX; k++)
                if (c->hooks[k].n)
                        return REFUSE(e, "hooks: not supported by corral --oci-bundle yet" USE_CORRAL_OCI);
        if (c->rootfs_propagation && !strv_contains((char *const[]){"slave", "rslave", "private", "rprivate", NULL}, c->rootfs_propagation))
                return REFUSE(e, "linux.rootfsPropagation \"%s\": a container's root is a slave of the host's, as with nspawn" USE_CORRAL_OCI,
                              c->rootfs_propagation);
        if (c->personality.set) {
                const char *p = personality_to_string(c->personality.value);
                if (!p)
                        return REFUSE(e, "linux.personality: nspawn's --personality= takes x86 or x86-64");
                if ((r = strv_pushf(&l, "--personality=%s", p)) < 0)
                        return r;
        }
        /* As nspawn: masked paths it does not mask itself become inaccessible where they exist;
         * read-only ones are bound read-only onto themselves. */
        for (char **p = c->masked_paths; p && *p; p++)
                if (!excluded(*p) && exists_for_container(root, *p) && (r = strv_pushf(&l, "--inaccessible=%s", *p)) < 0)
                        return r;
        for (char **p = c->readonly_paths; p && *p; p++) {
                if (excluded(*p) || !exists_for_container(root, *p))
                        continue;
                _cleanup_free_ char *q = escape_colons(*p);
                if (!q || (r = strv_pushf(&l, "--bind-ro=+%s:%s", q, q)) < 0)
                        return q ? r : -ENOMEM;
        }
        if (c->mount_label && (r = warn(warnings, "config.json: ignoring linux.mountLabel, as nspawn does")) < 0)
                return r;
        if (c->have_process && c->process.args) {
                if ((r = strv_pushf(&l, "--")) < 0)
                        return r;
                for (char **a = c->process.args; *a; a++)
                        if ((r = strv_extend(&l, *a)) < 0)
                                return r;
        }
        *ret = TAKE_PTR(l);
        return 0;
}
