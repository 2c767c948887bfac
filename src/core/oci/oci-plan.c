/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* An OCI config into a RunConfig: the mount plan runc would make of it, the namespaces, the
 * process, the device rules, the cgroup and its files, the system call filter. */
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <linux/seccomp.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "capability.h"
#include "fs-util.h"
#include "macro.h"
#include "oci-plan.h"
#include "resources.h"
#include "seccomp.h"
#include "strv.h"

typedef struct MountOption {
        const char *name;
        unsigned long set, clear, propagation;
        bool bind, recursive;
} MountOption;

/* runc's table (libcontainer/specconv), with the atime options clearing each other. */
static const MountOption mount_options[] = {
        {"async", 0, MS_SYNCHRONOUS, 0, false, false},
        {"atime", 0, MS_NOATIME, 0, false, false},
        {"bind", MS_BIND, 0, 0, true, false},
        {"defaults", 0, 0, 0, false, false},
        {"dev", 0, MS_NODEV, 0, false, false},
        {"diratime", 0, MS_NODIRATIME, 0, false, false},
        {"dirsync", MS_DIRSYNC, 0, 0, false, false},
        {"exec", 0, MS_NOEXEC, 0, false, false},
        {"mand", MS_MANDLOCK, 0, 0, false, false},
        {"noatime", MS_NOATIME, MS_RELATIME | MS_STRICTATIME, 0, false, false},
        {"nodev", MS_NODEV, 0, 0, false, false},
        {"nodiratime", MS_NODIRATIME, 0, 0, false, false},
        {"noexec", MS_NOEXEC, 0, 0, false, false},
        {"nomand", 0, MS_MANDLOCK, 0, false, false},
        {"norelatime", 0, MS_RELATIME, 0, false, false},
        {"nostrictatime", 0, MS_STRICTATIME, 0, false, false},
        {"nosuid", MS_NOSUID, 0, 0, false, false},
        {"rbind", MS_BIND | MS_REC, 0, 0, true, true},
        {"relatime", MS_RELATIME, MS_NOATIME | MS_STRICTATIME, 0, false, false},
        {"remount", 0, 0, 0, false, false},
        {"ro", MS_RDONLY, 0, 0, false, false},
        {"rw", 0, MS_RDONLY, 0, false, false},
        {"strictatime", MS_STRICTATIME, MS_NOATIME | MS_RELATIME, 0, false, false},
        {"suid", 0, MS_NOSUID, 0, false, false},
        {"sync", MS_SYNCHRONOUS, 0, 0, false, false},
        {"private", 0, 0, MS_PRIVATE, false, false},
        {"rprivate", 0, 0, MS_PRIVATE | MS_REC, false, false},
        {"shared", 0, 0, MS_SHARED, false, false},
        {"rshared", 0, 0, MS_SHARED | MS_REC, false, false},
        {"slave", 0, 0, MS_SLAVE, false, false},
        {"rslave", 0, 0, MS_SLAVE | MS_REC, false, false},
        {"unbindable", 0, 0, MS_UNBINDABLE, false, false},
        {"runbindable", 0, 0, MS_UNBINDABLE | MS_REC, false, false},
};

/* crun's options for its own copy-up and symlink handling: no meaning here, no harm. */
static const char *const ignored_options[] = {"tmpcopyup", "notmpcopyup", "copy-symlink", NULL};

int oci_mount_options(char *const *options, OciMountOptions *ret, Error *e)
{
        *ret = (OciMountOptions){0};
        for (char *const *o = options; o && *o; o++) {
                const MountOption *m = NULL;
                for (size_t i = 0; i < ELEMENTSOF(mount_options); i++)
                        if (streq(*o, mount_options[i].name))
                                m = &mount_options[i];
                if (m) {
                        ret->flags = (ret->flags & ~m->clear) | m->set;
                        ret->clear = (ret->clear & ~m->set) | m->clear;
                        if (m->propagation)
                                ret->propagation = m->propagation;
                        ret->bind |= m->bind;
                        ret->recursive |= m->recursive;
                        continue;
                }
                if (strv_contains((char **)ignored_options, *o))
                        continue;
                /* Recursive read-only (mount_setattr() with AT_RECURSIVE), as runc 1.1 and crun. */
                if (streq(*o, "rro") || streq(*o, "rrw")) {
                        ret->flags = streq(*o, "rro") ? ret->flags | MS_RDONLY : ret->flags & ~(unsigned long)MS_RDONLY;
                        ret->recursive_attrs = true;
                        continue;
                }
                if (streq(*o, "idmap") || streq(*o, "ridmap")) {
                        ret->idmap = true;
                        ret->idmap_recursive |= streq(*o, "ridmap");
                        continue;
                }
                char *d = NULL;
                if (asprintf(&d, "%s%s%s", ret->data ? ret->data : "", ret->data ? "," : "", *o) < 0) {
                        free(ret->data);
                        return -ENOMEM;
                }
                free(ret->data);
                ret->data = d;
        }
        ret->flags &= ~(unsigned long)MS_BIND & ~(unsigned long)MS_REC;
        return 0;
}

/* The nodes every container gets where /dev is its own (the runtime spec's default devices). */
static const struct {
        const char *path;
        unsigned major, minor;
} default_devices[] = {
        {"/dev/null", 1, 3}, {"/dev/zero", 1, 5}, {"/dev/full", 1, 7}, {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0},
};

static bool mounted_at(const OciConfig *c, const char *dest, bool *ret_bind)
{
        bool found = false;
        for (size_t i = 0; i < c->n_mounts; i++) {
                if (path_compare(c->mounts[i].destination, dest) == 0) {
                        found = true;
                        bool bind = c->mounts[i].type && streq(c->mounts[i].type, "bind");
                        for (char **o = c->mounts[i].options; o && *o; o++)
                                bind |= streq(*o, "bind") || streq(*o, "rbind");
                        *ret_bind = bind;
                }
        }
        return found;
}

static int add_mount(MountPlan *p, const OciMount *m, size_t index, const char *bundle, Error *e)
{
        OciMountOptions o;
        _cleanup_free_ char *source = NULL;
        int r = oci_mount_options(m->options, &o, e);
        if (r < 0)
                return r;
        _cleanup_free_ char *data = o.data;
        bool bind = o.bind || (m->type && streq(m->type, "bind"));
        if (bind) {
                if (!m->source)
                        return error_set(e, -EINVAL, "config.json: mounts[%zu]: a bind mount of %s needs a \"source\"", index, m->destination);
                source = path_is_absolute(m->source) ? strdup(m->source) : path_join(bundle, m->source);
                MountStep *step;
                if (!source || !(step = mount_plan_add(p, STEP_BIND, source, m->destination, NULL, NULL, MS_BIND | (o.recursive ? MS_REC : 0),
                                                       STEP_SOURCE_TYPE)))
                        return -ENOMEM;
                /* An idmapped one: the supervisor makes it (oci_idmap_mounts()), the child attaches it. */
                if (o.idmap) {
                        step->custom_index = (int)index;
                        if (o.idmap_recursive)
                                step->step_flags |= STEP_RECURSIVE;
                }
                /* Flags on a bind take a remount (nosuid, ro...). */
                if ((o.flags || o.recursive_attrs) && !mount_plan_add(p, STEP_REMOUNT, NULL, m->destination, NULL, NULL,
                                                                      o.flags | MS_BIND | MS_REMOUNT, o.recursive_attrs ? STEP_RECURSIVE : 0))
                        return -ENOMEM;
        } else {
                const char *type = m->type;
                if (o.idmap)
                        return error_set(e, -EOPNOTSUPP, "config.json: mounts[%zu]: an idmapped mount (%s) must be a bind mount", index,
                                         m->destination);
                if (!type)
                        return error_set(e, -EINVAL, "config.json: mounts[%zu]: the mount at %s needs a \"type\"", index, m->destination);
                /* The container's own cgroup hierarchy: cgroup2 (in its cgroup namespace, its
                 * cgroup is the root). */
                if (streq(type, "cgroup"))
                        type = "cgroup2";
                if (!mount_plan_add(p, STEP_MOUNT, m->source ? m->source : type, m->destination, type, data, o.flags, STEP_MKDIR_TARGET))
                        return -ENOMEM;
                if (o.recursive_attrs &&
                    !mount_plan_add(p, STEP_REMOUNT, NULL, m->destination, NULL, NULL, o.flags | MS_BIND | MS_REMOUNT, STEP_RECURSIVE))
                        return -ENOMEM;
        }
        if (o.propagation && !mount_plan_add(p, STEP_REMOUNT, NULL, m->destination, NULL, NULL, o.propagation & ~(unsigned long)MS_REC,
                                             (o.propagation & MS_REC) ? STEP_RECURSIVE : 0))
                return -ENOMEM;
        return 0;
}

static mode_t device_type(char t)
{
        return t == 'b' ? S_IFBLK : t == 'p' ? S_IFIFO : S_IFCHR;
}

int oci_mount_plan(const OciConfig *c, const char *rootfs, const char *bundle, const OciHostFacts *h, MountPlan *ret, Error *e)
{
        MountPlan p = {0};
        MountStep *m;
        int r = -ENOMEM;
        bool dev_bind = false;

        *ret = (MountPlan){0};
        if (!mount_plan_add(&p, STEP_ROOT_BIND, rootfs, "/", NULL, NULL, 0, 0))
                goto fail;
        for (size_t i = 0; i < c->n_mounts; i++)
                if ((r = add_mount(&p, &c->mounts[i], i, bundle, e)) < 0)
                        goto fail;
        r = -ENOMEM;
        /* /dev of its own (not the host's bound): the default nodes and links. */
        if (mounted_at(c, "/dev", &dev_bind) && !dev_bind) {
                for (size_t i = 0; i < ELEMENTSOF(default_devices); i++) {
                        if (!(m = mount_plan_add(&p, STEP_MKNOD, NULL, default_devices[i].path, NULL, NULL, 0, 0)))
                                goto fail;
                        m->mode = S_IFCHR | 0666;
                        m->rdev = makedev(default_devices[i].major, default_devices[i].minor);
                }
                static const char *const links[][2] = {
                        {"/proc/self/fd", "/dev/fd"},       {"/proc/self/fd/0", "/dev/stdin"}, {"/proc/self/fd/1", "/dev/stdout"},
                        {"/proc/self/fd/2", "/dev/stderr"}, {"pts/ptmx", "/dev/ptmx"},
                };
                for (size_t i = 0; i < ELEMENTSOF(links); i++)
                        if (!mount_plan_add(&p, STEP_UNLINK, NULL, links[i][1], NULL, NULL, 0, 0) ||
                            !mount_plan_add(&p, STEP_SYMLINK, links[i][0], links[i][1], NULL, NULL, 0, 0))
                                goto fail;
                if (h->have_kcore && !mount_plan_add(&p, STEP_SYMLINK, "/proc/kcore", "/dev/core", NULL, NULL, 0, 0))
                        goto fail;
        }
        for (size_t i = 0; i < c->n_devices; i++) {
                const OciDevice *d = &c->devices[i];
                if (!(m = mount_plan_add(&p, STEP_MKNOD, NULL, d->path, NULL, NULL, 0, 0)))
                        goto fail;
                m->mode = device_type(d->type) | OPTIONAL_OR(d->mode, 0666);
                m->rdev = d->type == 'p' ? 0 : makedev((unsigned)d->major, (unsigned)d->minor);
                m->uid = d->uid.set ? (int64_t)d->uid.value : -1;
                m->gid = d->gid.set ? (int64_t)d->gid.value : -1;
        }
        if (c->process.terminal && !mount_plan_add(&p, STEP_CONSOLE, NULL, "/dev/console", NULL, NULL, 0, 0))
                goto fail;
        /* The sysctls, while /proc/sys is still writable: read-only paths cover it next. */
        for (size_t i = 0; i < c->n_sysctl; i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "/proc/sys/%s", c->sysctl[i].key) < 0)
                        goto fail;
                for (char *q = path + strlen("/proc/sys/"); *q; q++)
                        if (*q == '.')
                                *q = '/';
                if (!mount_plan_add(&p, STEP_SYSCTL, c->sysctl[i].key, path, NULL, c->sysctl[i].value, 0, 0))
                        goto fail;
        }
        for (char **i = c->masked_paths; i && *i; i++)
                if (!mount_plan_add(&p, STEP_MASK, NULL, *i, NULL, NULL, 0, STEP_OPTIONAL | STEP_MASK_NULL))
                        goto fail;
        for (char **i = c->readonly_paths; i && *i; i++)
                if (!mount_plan_add(&p, STEP_BIND_ROOT, *i, *i, NULL, NULL, MS_BIND | MS_REC, STEP_OPTIONAL) ||
                    !mount_plan_add(&p, STEP_REMOUNT, NULL, *i, NULL, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, STEP_OPTIONAL))
                        goto fail;
        if (c->root_readonly && !mount_plan_add(&p, STEP_REMOUNT, NULL, "/", NULL, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY, 0))
                goto fail;
        *ret = p;
        return 0;
fail:
        mount_plan_done(&p);
        if (r == -ENOMEM && !e->code)
                error_set(e, r, "out of memory");
        return r;
}

/* --- devices --- */

static int rules_append(DeviceRule **l, size_t *n, DeviceRule r)
{
        DeviceRule *x = reallocarray(*l, *n + 1, sizeof(DeviceRule));
        if (!x)
                return -ENOMEM;
        x[(*n)++] = r;
        *l = x;
        return 0;
}

static unsigned access_bits(const char *a)
{
        return (strchr(a, 'r') ? DEVICE_READ : 0) | (strchr(a, 'w') ? DEVICE_WRITE : 0) | (strchr(a, 'm') ? DEVICE_MKNOD : 0);
}

static DeviceRule rule_of(char type, int64_t major, int64_t minor, unsigned access)
{
        return (DeviceRule){
                .type = type,
                .major = major < 0 ? 0 : (uint32_t)major,
                .major_last = major < 0 ? UINT32_MAX : (uint32_t)major,
                .minor = minor,
                .access = access,
        };
}

int oci_device_rules(const OciConfig *c, DeviceRule **ret, size_t *ret_n, Error *e)
{
        DeviceRule *l = NULL;
        size_t n = 0;
        int r = 0;
        for (size_t i = 0; i < c->resources.n_devices && r >= 0; i++) {
                const OciDeviceRule *d = &c->resources.devices[i];
                unsigned access = access_bits(d->access);
                if (d->allow) {
                        if (d->type == 'a') {
                                if ((r = rules_append(&l, &n, rule_of('c', d->major, d->minor, access))) >= 0)
                                        r = rules_append(&l, &n, rule_of('b', d->major, d->minor, access));
                        } else
                                r = rules_append(&l, &n, rule_of(d->type, d->major, d->minor, access));
                        continue;
                }
                if (d->type == 'a' && d->major < 0 && d->minor < 0) {
                        n = 0; /* deny everything: what was allowed before is gone */
                        continue;
                }
                /* A deny of one node takes its access away from the allows of exactly it. */
                for (size_t k = 0; k < n; k++)
                        if ((d->type == 'a' || l[k].type == d->type) && l[k].major == (uint32_t)d->major && l[k].major_last == (uint32_t)d->major &&
                            l[k].minor == d->minor)
                                l[k].access &= ~access;
        }
        /* The config's own nodes, and runc's defaults after them. */
        for (size_t i = 0; i < c->n_devices && r >= 0; i++)
                if (c->devices[i].type != 'p')
                        r = rules_append(&l, &n,
                                         rule_of(c->devices[i].type == 'u' ? 'c' : c->devices[i].type, c->devices[i].major, c->devices[i].minor,
                                                 DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD));
        static const DeviceRule defaults[] = {
                {'c', 0, UINT32_MAX, -1, DEVICE_MKNOD},
                {'b', 0, UINT32_MAX, -1, DEVICE_MKNOD},
                {'c', 1, 1, 3, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 1, 1, 8, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 1, 1, 7, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 5, 5, 0, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 1, 1, 5, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 1, 1, 9, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 5, 5, 1, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 136, 136, -1, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 5, 5, 2, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
                {'c', 10, 10, 200, DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD},
        };
        for (size_t i = 0; i < ELEMENTSOF(defaults) && r >= 0; i++)
                r = rules_append(&l, &n, defaults[i]);
        if (r < 0) {
                free(l);
                return error_set(e, r, "out of memory");
        }
        /* Rules left with no access are dropped. */
        size_t k = 0;
        for (size_t i = 0; i < n; i++)
                if (l[i].access)
                        l[k++] = l[i];
        *ret = l;
        *ret_n = k;
        return 0;
}

/* --- cgroups --- */

int oci_cgroup_path(const char *cgroups_path, bool systemd_form, const char *id, char **ret, Error *e)
{
        if (!cgroups_path || !*cgroups_path)
                return (*ret = strdup(id)) ? 0 : -ENOMEM;
        if (!systemd_form) {
                const char *p = cgroups_path;
                while (*p == '/')
                        p++;
                _cleanup_free_ char *s = strdup(p);
                if (!s)
                        return -ENOMEM;
                size_t n = strlen(s);
                while (n > 0 && s[n - 1] == '/')
                        s[--n] = 0;
                if (!*s || !path_is_normalized(s))
                        return error_set(e, -EINVAL, "config.json: linux.cgroupsPath \"%s\" is not a cgroup path", cgroups_path);
                *ret = TAKE_PTR(s);
                return 0;
        }
        /* slice:prefix:name, as runc's systemd driver: the slice's nesting, then the scope. */
        const char *a = strchr(cgroups_path, ':'), *b = a ? strchr(a + 1, ':') : NULL;
        if (!a || !b || strchr(b + 1, ':') || strchr(cgroups_path, '/'))
                return error_set(e, -EINVAL, "config.json: linux.cgroupsPath \"%s\" is not slice:prefix:name (--systemd-cgroup)", cgroups_path);
        _cleanup_free_ char *slice = strndup(cgroups_path, (size_t)(a - cgroups_path)), *prefix = strndup(a + 1, (size_t)(b - a - 1));
        const char *name = b + 1;
        if (!slice || !prefix)
                return -ENOMEM;
        if (!*name || streq(name, "..") || streq(name, "."))
                return error_set(e, -EINVAL, "config.json: linux.cgroupsPath \"%s\": no unit name", cgroups_path);
        _cleanup_free_ char *sp = slice_to_cgroup_path(*slice ? slice : "system.slice");
        if (!sp)
                return -ENOMEM;
        int n;
        if (endswith(name, ".slice"))
                n = asprintf(ret, "%s%s%s", sp, *sp ? "/" : "", name);
        else
                n = asprintf(ret, "%s%s%s%s%s.scope", sp, *sp ? "/" : "", prefix, *prefix ? "-" : "", name);
        return n < 0 ? -ENOMEM : 0;
}

static int write_add(CgroupWrite **w, size_t *n, CgroupController ctl, const char *file, Error *e, const char *fmt, ...) _printf_(6, 7);
static int write_add(CgroupWrite **w, size_t *n, CgroupController ctl, const char *file, Error *e, const char *fmt, ...)
{
        CgroupWrite *x = reallocarray(*w, *n + 1, sizeof(CgroupWrite));
        if (!x)
                return -ENOMEM;
        *w = x;
        x[*n] = (CgroupWrite){.controller = ctl, .what = "linux.resources"};
        snprintf(x[*n].file, sizeof(x[*n].file), "%s", file);
        va_list ap;
        va_start(ap, fmt);
        int k = vsnprintf(x[*n].value, sizeof(x[*n].value), fmt, ap);
        va_end(ap);
        if (k < 0 || (size_t)k >= sizeof(x[*n].value))
                return error_set(e, -E2BIG, "config.json: linux.resources: the value for %s is too long", file);
        (*n)++;
        return 0;
}

static bool v2(const CgroupLayout *l, CgroupController c)
{
        return l->where[c] == CGV_2;
}

/* A controller the host lacks: an error naming the field and the controller. */
static int need(const CgroupLayout *l, CgroupController c, const char *field, unsigned *mask, Error *e)
{
        if (l->where[c] == CGV_NONE)
                return error_set(e, -EOPNOTSUPP, "config.json: linux.resources.%s: this host has no %s controller", field,
                                 cgroup_controller_to_string(c));
        *mask |= CG_BIT(c);
        return 0;
}

/* cpu.shares (2-262144) as cgroup2's cpu.weight (1-10000), as runc converts it. */
static uint64_t shares_to_weight(uint64_t shares)
{
        if (shares == 0)
                return 0;
        if (shares < 2)
                shares = 2;
        if (shares > 262144)
                shares = 262144;
        return 1 + ((shares - 2) * 9999) / 262142;
}

int oci_resources_translate(const OciResources *res, const CgroupLayout *l, CgroupWrite **ret, size_t *ret_n, unsigned *ret_need, Error *e)
{
        CgroupWrite *w = NULL;
        size_t n = 0;
        unsigned mask = 0;
        int r = 0;

#define ADD(ctl, file, ...)                                                 \
        do {                                                                \
                if ((r = write_add(&w, &n, ctl, file, e, __VA_ARGS__)) < 0) \
                        goto fail;                                          \
        } while (0)
#define NEED(ctl, field)                                     \
        do {                                                 \
                if ((r = need(l, ctl, field, &mask, e)) < 0) \
                        goto fail;                           \
        } while (0)

        /* As runc: a value of 0 leaves the setting as it is (an update sends every field, the
         * ones not asked for as 0). */
#define GIVEN(f) (res->f.set && res->f.value != 0)
        /* v1 checks memory <= memory+swap at each write: with both given, the old pair may
         * not admit the new memory limit first, nor the new memsw first.  Unlimited memsw
         * for a moment lets them come in either order. */
        if (GIVEN(memory_limit) && GIVEN(memory_swap) && res->memory_swap.value > 0 && !v2(l, CG_MEMORY)) {
                NEED(CG_MEMORY, "memory.swap");
                ADD(CG_MEMORY, "memory.memsw.limit_in_bytes", "-1");
        }
        if (GIVEN(memory_limit)) {
                NEED(CG_MEMORY, "memory.limit");
                int64_t v = res->memory_limit.value;
                if (v < 0)
                        ADD(CG_MEMORY, v2(l, CG_MEMORY) ? "memory.max" : "memory.limit_in_bytes", v2(l, CG_MEMORY) ? "max" : "-1");
                else
                        ADD(CG_MEMORY, v2(l, CG_MEMORY) ? "memory.max" : "memory.limit_in_bytes", "%lld", (long long)v);
        }
        if (GIVEN(memory_reservation)) {
                NEED(CG_MEMORY, "memory.reservation");
                int64_t v = res->memory_reservation.value;
                if (v2(l, CG_MEMORY))
                        ADD(CG_MEMORY, "memory.low", v < 0 ? "max" : "%lld", (long long)v);
                else
                        ADD(CG_MEMORY, "memory.soft_limit_in_bytes", "%lld", (long long)v);
        }
        if (GIVEN(memory_swap)) {
                NEED(CG_MEMORY, "memory.swap");
                int64_t v = res->memory_swap.value;
                if (v2(l, CG_MEMORY)) {
                        /* OCI's swap is memory plus swap (v1's memsw); cgroup2 counts swap alone. */
                        int64_t limit = GIVEN(memory_limit) ? res->memory_limit.value : -1;
                        if (v < 0)
                                ADD(CG_MEMORY, "memory.swap.max", "max");
                        else if (limit < 0 || v < limit) {
                                r = error_set(e, -EINVAL,
                                              "config.json: linux.resources.memory.swap %lld is below the memory limit, or there is no memory limit",
                                              (long long)v);
                                goto fail;
                        } else
                                ADD(CG_MEMORY, "memory.swap.max", "%lld", (long long)(v - limit));
                } else
                        ADD(CG_MEMORY, "memory.memsw.limit_in_bytes", "%lld", (long long)v);
        }
        if (GIVEN(memory_kernel) || GIVEN(memory_kernel_tcp)) {
                NEED(CG_MEMORY, "memory.kernel");
                if (v2(l, CG_MEMORY)) {
                        r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.memory.kernel/kernelTCP: cgroup2 has no such setting");
                        goto fail;
                }
                if (GIVEN(memory_kernel))
                        ADD(CG_MEMORY, "memory.kmem.limit_in_bytes", "%lld", (long long)res->memory_kernel.value);
                if (GIVEN(memory_kernel_tcp))
                        ADD(CG_MEMORY, "memory.kmem.tcp.limit_in_bytes", "%lld", (long long)res->memory_kernel_tcp.value);
        }
        if (res->memory_swappiness.set) {
                NEED(CG_MEMORY, "memory.swappiness");
                if (v2(l, CG_MEMORY)) {
                        r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.memory.swappiness: cgroup2 has no such setting");
                        goto fail;
                }
                ADD(CG_MEMORY, "memory.swappiness", "%llu", (unsigned long long)res->memory_swappiness.value);
        }
        if (res->memory_disable_oom_killer) {
                NEED(CG_MEMORY, "memory.disableOOMKiller");
                if (!v2(l, CG_MEMORY))
                        ADD(CG_MEMORY, "memory.oom_control", "1");
        }
        if (GIVEN(cpu_shares)) {
                NEED(CG_CPU, "cpu.shares");
                if (v2(l, CG_CPU))
                        ADD(CG_CPU, "cpu.weight", "%llu", (unsigned long long)shares_to_weight(res->cpu_shares.value));
                else
                        ADD(CG_CPU, "cpu.shares", "%llu", (unsigned long long)res->cpu_shares.value);
        }
        if (GIVEN(cpu_quota) || GIVEN(cpu_period)) {
                NEED(CG_CPU, "cpu.quota");
                int64_t quota = GIVEN(cpu_quota) ? res->cpu_quota.value : -1;
                uint64_t period = GIVEN(cpu_period) ? res->cpu_period.value : 100000;
                if (v2(l, CG_CPU)) {
                        if (quota > 0)
                                ADD(CG_CPU, "cpu.max", "%lld %llu", (long long)quota, (unsigned long long)period);
                        else
                                ADD(CG_CPU, "cpu.max", "max %llu", (unsigned long long)period);
                } else {
                        if (GIVEN(cpu_period))
                                ADD(CG_CPU, "cpu.cfs_period_us", "%llu", (unsigned long long)period);
                        if (GIVEN(cpu_quota))
                                ADD(CG_CPU, "cpu.cfs_quota_us", "%lld", (long long)(quota > 0 ? quota : -1));
                }
        }
        if (GIVEN(cpu_idle)) {
                NEED(CG_CPU, "cpu.idle");
                if (!v2(l, CG_CPU)) {
                        r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.cpu.idle needs the cpu controller in cgroup2");
                        goto fail;
                }
                ADD(CG_CPU, "cpu.idle", "1");
        }
        if (GIVEN(cpu_realtime_runtime) || GIVEN(cpu_realtime_period)) {
                NEED(CG_CPU, "cpu.realtimeRuntime");
                if (v2(l, CG_CPU)) {
                        r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.cpu.realtimeRuntime/realtimePeriod: cgroup2 has no such setting");
                        goto fail;
                }
                if (GIVEN(cpu_realtime_period))
                        ADD(CG_CPU, "cpu.rt_period_us", "%llu", (unsigned long long)res->cpu_realtime_period.value);
                if (GIVEN(cpu_realtime_runtime))
                        ADD(CG_CPU, "cpu.rt_runtime_us", "%lld", (long long)res->cpu_realtime_runtime.value);
        }
        if (res->cpu_cpus && *res->cpu_cpus) {
                NEED(CG_CPUSET, "cpu.cpus");
                ADD(CG_CPUSET, "cpuset.cpus", "%s", res->cpu_cpus);
        }
        if (res->cpu_mems && *res->cpu_mems) {
                NEED(CG_CPUSET, "cpu.mems");
                ADD(CG_CPUSET, "cpuset.mems", "%s", res->cpu_mems);
        }
        if (GIVEN(pids_limit)) {
                NEED(CG_PIDS, "pids.limit");
                if (res->pids_limit.value < 0)
                        ADD(CG_PIDS, "pids.max", "max");
                else
                        ADD(CG_PIDS, "pids.max", "%lld", (long long)res->pids_limit.value);
        }
        if (GIVEN(blkio_weight)) {
                NEED(CG_BLKIO, "blockIO.weight");
                if (v2(l, CG_BLKIO)) /* 10-1000 as 1-10000, as runc */
                        ADD(CG_BLKIO, "io.weight", "default %u", 1 + ((unsigned)res->blkio_weight.value - 10) * 9999 / 990);
                else
                        ADD(CG_BLKIO, "blkio.weight", "%u", (unsigned)res->blkio_weight.value);
        }
        for (size_t i = 0; i < res->n_blkio_weight_device; i++) {
                const OciWeightDevice *d = &res->blkio_weight_device[i];
                if (!d->weight.set)
                        continue;
                NEED(CG_BLKIO, "blockIO.weightDevice");
                if (v2(l, CG_BLKIO))
                        ADD(CG_BLKIO, "io.weight", "%lld:%lld %u", (long long)d->major, (long long)d->minor,
                            1 + ((unsigned)d->weight.value - 10) * 9999 / 990);
                else
                        ADD(CG_BLKIO, "blkio.weight_device", "%lld:%lld %u", (long long)d->major, (long long)d->minor, (unsigned)d->weight.value);
        }
        static const char *const v1_throttle[4] = {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                                                   "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
        static const char *const v2_key[4] = {"rbps", "wbps", "riops", "wiops"};
        for (int k = 0; k < 4; k++)
                for (size_t i = 0; i < res->n_blkio_throttle[k]; i++) {
                        const OciThrottleDevice *d = &res->blkio_throttle[k][i];
                        NEED(CG_BLKIO, "blockIO.throttle*Device");
                        if (v2(l, CG_BLKIO))
                                ADD(CG_BLKIO, "io.max", "%lld:%lld %s=%llu", (long long)d->major, (long long)d->minor, v2_key[k],
                                    (unsigned long long)d->rate);
                        else
                                ADD(CG_BLKIO, v1_throttle[k], "%lld:%lld %llu", (long long)d->major, (long long)d->minor,
                                    (unsigned long long)d->rate);
                }
        /* unified: cgroup2 files as given, each in the controller its name says. */
        for (size_t i = 0; i < res->n_unified; i++) {
                static const struct {
                        const char *prefix;
                        CgroupController c;
                } prefixes[] = {{"cpu.", CG_CPU},  {"cpuset.", CG_CPUSET}, {"memory.", CG_MEMORY},
                                {"io.", CG_BLKIO}, {"pids.", CG_PIDS},     {"hugetlb.", CG_HUGETLB}};
                const char *key = res->unified[i].key;
                int c = -1;
                for (size_t k = 0; k < ELEMENTSOF(prefixes); k++)
                        if (startswith(key, prefixes[k].prefix))
                                c = (int)prefixes[k].c;
                if (c < 0 && startswith(key, "cgroup."))
                        for (int k = 0; k < _CG_MAX && c < 0; k++)
                                if (l->where[k] == CGV_2)
                                        c = k; /* a core file: any controller that is in cgroup2 finds the directory */
                if (c < 0) {
                        r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.unified.%s: corral does not know this file's controller", key);
                        goto fail;
                }
                if (l->where[c] != CGV_2) {
                        r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.unified.%s: the %s controller is not in cgroup2 on this host",
                                      key, cgroup_controller_to_string(c));
                        goto fail;
                }
                if (!startswith(key, "cgroup."))
                        mask |= CG_BIT(c);
                ADD(c, key, "%s", res->unified[i].value);
        }
        for (size_t i = 0; i < res->n_hugepage_limits; i++) {
                char file[64];
                NEED(CG_HUGETLB, "hugepageLimits");
                snprintf(file, sizeof(file), "hugetlb.%s.%s", res->hugepage_limits[i].key, v2(l, CG_HUGETLB) ? "max" : "limit_in_bytes");
                ADD(CG_HUGETLB, file, "%s", res->hugepage_limits[i].value);
        }
        if (res->network_class_id.set || res->n_network_priorities > 0) {
                r = error_set(e, -EOPNOTSUPP, "config.json: linux.resources.network: the net_cls and net_prio controllers are not supported");
                goto fail;
        }
        *ret = w;
        *ret_n = n;
        *ret_need = mask;
        return 0;
fail:
        free(w);
        if (r == -ENOMEM && !e->code)
                error_set(e, r, "out of memory");
        return r;
#undef ADD
#undef NEED
#undef GIVEN
}

/* --- the run --- */

static int translate(void *userdata, const CgroupLayout *layout, CgroupWrite **ret, size_t *ret_n, unsigned *ret_need, Error *e)
{
        const OciConfig *c = userdata;
        if (!c->have_resources) {
                *ret = NULL;
                *ret_n = 0;
                *ret_need = 0;
                return 0;
        }
        return oci_resources_translate(&c->resources, layout, ret, ret_n, ret_need, e);
}

/* The filter of a config's seccomp object, compiled.  A call's conditions are one rule (all
 * must hold), but where two compare the same argument each is a rule of its own (any may
 * hold), as runc adds them to libseccomp. */
static int compile_seccomp(const OciSeccomp *s, struct sock_fprog *ret, bool *ret_notify, Error *e)
{
        static const SeccompArgOp ops[_OCI_OP_MAX] = {
                [OCI_OP_NE] = SECCOMP_ARG_NE,
                [OCI_OP_LT] = SECCOMP_ARG_LT,
                [OCI_OP_LE] = SECCOMP_ARG_LE,
                [OCI_OP_EQ] = SECCOMP_ARG_EQ,
                [OCI_OP_GE] = SECCOMP_ARG_GE,
                [OCI_OP_GT] = SECCOMP_ARG_GT,
                [OCI_OP_MASKED_EQ] = SECCOMP_ARG_MASKED_EQ,
        };
        SeccompRules rules = {.default_action = s->default_action, .unknown_action = s->default_action};
        *ret_notify = false;
        if ((s->default_action & SECCOMP_RET_ACTION_FULL) == SECCOMP_RET_USER_NOTIF)
                return error_set(e, -EINVAL, "config.json: linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default (as with runc)");
        SeccompArg *args = NULL;
        size_t n = 0, n_args = 0, k = 0;
        int r;
        for (size_t i = 0; i < s->n_syscalls; i++) {
                n += strv_length(s->syscalls[i].names) * MAX(s->syscalls[i].n_args, (size_t)1);
                n_args += s->syscalls[i].n_args;
        }
        if (!(rules.rules = calloc(n ? n : 1, sizeof(SeccompRule))) || !(args = calloc(n_args ? n_args : 1, sizeof(SeccompArg)))) {
                r = -ENOMEM;
                goto done;
        }
        for (size_t i = 0; i < s->n_syscalls; i++) {
                const OciSeccompSyscall *sc = &s->syscalls[i];
                /* Answered by the agent at listenerPath, which gets the filter's listener. */
                if (sc->action == SECCOMP_RET_USER_NOTIF) {
                        if (!s->listener_path || !*s->listener_path) {
                                r = error_set(e, -EINVAL,
                                              "config.json: linux.seccomp.syscalls[%zu]: SCMP_ACT_NOTIFY needs linux.seccomp.listenerPath", i);
                                goto done;
                        }
                        *ret_notify = true;
                }
                SeccompArg *a = args + k;
                bool repeated = false;
                for (size_t j = 0; j < sc->n_args; j++) {
                        args[k++] = (SeccompArg){.index = sc->args[j].index,
                                                 .op = ops[sc->args[j].op],
                                                 .value = sc->args[j].value,
                                                 .value_two = sc->args[j].value_two};
                        for (size_t m = 0; m < j; m++)
                                repeated |= sc->args[m].index == sc->args[j].index;
                }
                /* Names no table knows are skipped, as runc skips them. */
                for (char **name = sc->names; name && *name; name++) {
                        if (sc->n_args == 0 || !repeated)
                                rules.rules[rules.n_rules++] = (SeccompRule){
                                        .name = *name, .kind = SECCOMP_RULE_RETURN, .action = sc->action, .args = a, .n_args = sc->n_args};
                        else
                                for (size_t j = 0; j < sc->n_args; j++)
                                        rules.rules[rules.n_rules++] = (SeccompRule){
                                                .name = *name, .kind = SECCOMP_RULE_RETURN, .action = sc->action, .args = a + j, .n_args = 1};
                }
        }
        r = seccomp_compile(&rules, ret, e);
done:
        free(rules.rules);
        free(args);
        if (r == -ENOMEM && !e->code)
                error_set(e, r, "out of memory");
        return r;
}

/* AppArmor profiles are applied where the host has AppArmor, and refused where it has none (as
 * runc); SELinux labels are ignored where the host has no SELinux (as crun: no label could be
 * applied) and refused where it has (corral does not apply them). */
static int check_security_labels(const OciConfig *c, const OciProcess *p, Error *e)
{
        bool selinux = access("/sys/fs/selinux/enforce", F_OK) == 0;
        if (p->apparmor_profile && *p->apparmor_profile && access("/sys/kernel/security/apparmor", F_OK) < 0)
                return error_set(e, -EOPNOTSUPP, "config.json: process.apparmorProfile \"%s\": this host has no AppArmor", p->apparmor_profile);
        if (selinux && ((p->selinux_label && *p->selinux_label) || (c->mount_label && *c->mount_label)))
                return error_set(e, -EOPNOTSUPP, "config.json: process.selinuxLabel, linux.mountLabel: corral does not apply SELinux labels");
        return 0;
}

/* The process of a config (or of an exec), its limits kept in o. */
static ProcessSpec process_spec(const OciConfig *c, const OciProcess *op, OciRun *o)
{
        ProcessSpec p = {
                .start_mode = START_PID1,
                .argv = op->args,
                .working_directory = op->cwd,
                .personality = OPTIONAL_OR(c->personality, PERSONALITY_INVALID),
                .rlimits = o->rlimits,
                .oci_process = true,
                .uid = op->uid,
                .gid = op->gid,
                .groups = op->additional_gids,
                .n_groups = op->n_additional_gids,
                .apparmor_profile = op->apparmor_profile && *op->apparmor_profile ? op->apparmor_profile : NULL,
        };
        if (op->umask.set)
                OPTIONAL_SET(p.umask, op->umask.value);
        for (size_t i = 0; i < op->n_rlimits; i++) {
                const OciRlimit *l = &op->rlimits[i];
                o->rlimits[l->resource] = (struct rlimit){.rlim_cur = l->soft, .rlim_max = l->hard};
                p.rlimit_set |= UINT64_C(1) << l->resource;
        }
        if (op->oom_score_adj.set) {
                p.have_oom_score_adjust = true;
                p.oom_score_adjust = op->oom_score_adj.value;
        }
        return p;
}

/* "inside outside count" lines, as /proc/PID/uid_map takes them. */
static int map_text(const IdMap *m, char *buf, size_t size)
{
        size_t n = 0;
        buf[0] = 0;
        for (size_t i = 0; i < m->n; i++) {
                int k = snprintf(buf + n, size - n, "%u %u %u\n", m->ranges[i].inside, m->ranges[i].outside, m->ranges[i].count);
                if (k < 0 || (size_t)k >= size - n)
                        return -E2BIG;
                n += (size_t)k;
        }
        return 0;
}

/* The idmapped binds of the plan (custom_index: the mount's index), made by the supervisor as
 * detached mounts for the child to attach: the mount's own uidMappings and gidMappings, else
 * the container's user namespace's, as runc 1.2 takes them.  A file on disk owned by a
 * mapping's containerID appears as its hostID. */
static int idmap_mounts(const OciConfig *c, MountPlan *p, Error *e)
{
        for (size_t i = 0; i < p->n_steps; i++) {
                MountStep *s = &p->steps[i];
                if (s->type != STEP_BIND || s->custom_index < 0)
                        continue;
                const OciMount *m = &c->mounts[s->custom_index];
                const IdMap *u = m->uid_mappings.n ? &m->uid_mappings : &c->uid_mappings;
                const IdMap *g = m->gid_mappings.n ? &m->gid_mappings : &c->gid_mappings;
                if (!u->n || !g->n)
                        return error_set(e, -EINVAL,
                                         "config.json: mounts[%d]: an idmapped mount (%s) needs uidMappings and gidMappings, its own or the "
                                         "container's user namespace's",
                                         s->custom_index, m->destination);
                char umap[340 * 36], gmap[340 * 36];
                if (map_text(u, umap, sizeof(umap)) < 0 || map_text(g, gmap, sizeof(gmap)) < 0)
                        return error_set(e, -E2BIG, "config.json: mounts[%d]: too many ID ranges", s->custom_index);
                int r = userns_detached_mount(s->source, umap, gmap, (s->flags & MS_REC) || (s->step_flags & STEP_RECURSIVE), &s->idmap_fd, e);
                if (r < 0) {
                        char why[sizeof(e->msg)];
                        snprintf(why, sizeof(why), "%s", e->msg);
                        return error_set_errno(e, r, "config.json: mounts[%d]: %s", s->custom_index, why);
                }
        }
        return 0;
}

/* Capabilities: the config's sets for the process; until its user is in place it keeps what
 * it has (within the config's bounding set), or it could not change its IDs.  No
 * "capabilities" object: the process keeps all it has, as runc. */
static void process_capabilities(const OciProcess *p, bool userns, RunConfig *run)
{
        CapabilitySets now;
        capability_sets_nspawn(UINT64_MAX, 0, userns, &now, &(CapabilitySets){0});
        run->caps_root = now;
        run->caps_user = p->have_capabilities ? p->capabilities : now;
        run->caps_root.bounding = run->caps_user.bounding;
        run->caps_root.inheritable = 0; /* the kernel takes none beyond the new bounding set; the config's come after */
        run->caps_root.ambient = 0;
}

int oci_run_prepare(const OciConfig *c, const char *bundle, const char *id, const char *cgroup_path, const char *scratch, OciRun *o, Error *e)
{
        OciHostFacts h = {.have_kcore = access("/proc/kcore", F_OK) == 0};
        int r;

        o->config = c;
        if (!(o->bundle = strdup(bundle)) || !(o->rootfs = path_is_absolute(c->root_path) ? strdup(c->root_path) : path_join(bundle, c->root_path)))
                return -ENOMEM;
        struct stat st;
        if (stat(o->rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set_errno(e, stat(o->rootfs, &st) < 0 ? -errno : -ENOTDIR, "config.json: root.path %s is not a directory", o->rootfs);
        if (!c->have_process)
                return error_set(e, -EINVAL, "config.json: \"process\" is required to run a container");
        if (strv_length(c->process.args) == 0)
                return error_set(e, -EINVAL, "config.json: process.args must name a program");
        if ((r = check_security_labels(c, &c->process, e)) < 0)
                return r;

        /* Namespaces: new, joined (opened now), or the host's. */
        NamespaceSpec ns[_NS_KIND_MAX];
        for (int k = 0; k < _NS_KIND_MAX; k++)
                ns[k] = (NamespaceSpec){NS_HOST, -1};
        for (size_t i = 0; i < c->n_namespaces; i++) {
                const OciNamespace *n = &c->namespaces[i];
                if (!n->path) {
                        ns[n->kind] = (NamespaceSpec){NS_NEW, -1};
                        continue;
                }
                if ((o->ns_fds[n->kind] = open(n->path, O_RDONLY | O_CLOEXEC)) < 0)
                        return error_set_errno(e, -errno, "config.json: the %s namespace to join, %s, cannot be opened",
                                               namespace_kind_to_string(n->kind), n->path);
                ns[n->kind] = (NamespaceSpec){NS_JOIN, o->ns_fds[n->kind]};
        }
        if (ns[NS_MOUNT].mode == NS_HOST)
                return error_set(e, -EOPNOTSUPP,
                                 "config.json: linux.namespaces has no mount namespace: corral-oci builds the container's root in one of its own "
                                 "(or one joined by path), never in the runtime's");
        if ((c->uid_mappings.n || c->gid_mappings.n) && ns[NS_USER].mode != NS_NEW)
                return error_set(e, -EINVAL, "config.json: linux.uidMappings and gidMappings need a new user namespace");
        if (ns[NS_USER].mode == NS_NEW) {
                if (!c->uid_mappings.n || !c->gid_mappings.n)
                        return error_set(e, -EINVAL, "config.json: a new user namespace needs linux.uidMappings and linux.gidMappings");
                o->userns.enabled = true;
                for (size_t i = 0; i < c->uid_mappings.n; i++)
                        if ((r = id_map_add(&o->userns.uid_map, c->uid_mappings.ranges[i].inside, c->uid_mappings.ranges[i].outside,
                                            c->uid_mappings.ranges[i].count)) < 0)
                                return r;
                for (size_t i = 0; i < c->gid_mappings.n; i++)
                        if ((r = id_map_add(&o->userns.gid_map, c->gid_mappings.ranges[i].inside, c->gid_mappings.ranges[i].outside,
                                            c->gid_mappings.ranges[i].count)) < 0)
                                return r;
        }
        if (c->hostname && *c->hostname && ns[NS_UTS].mode == NS_HOST)
                return error_set(e, -EINVAL, "config.json: \"hostname\" needs a UTS namespace of the container's (linux.namespaces)");
        if (c->domainname && *c->domainname && ns[NS_UTS].mode == NS_HOST)
                return error_set(e, -EINVAL, "config.json: \"domainname\" needs a UTS namespace of the container's (linux.namespaces)");
        if ((r = oci_mount_plan(c, o->rootfs, bundle, &h, &o->plan, e)) < 0 || (r = idmap_mounts(c, &o->plan, e)) < 0)
                return r;
        if (c->have_seccomp && (r = compile_seccomp(&c->seccomp, &o->filter, &o->seccomp_notify, e)) < 0)
                return r;

        /* The cgroup, its limits and its device rules. */
        if ((r = container_cgroup_create_at(cgroup_path, translate, (void *)c, &o->cg, e)) < 0)
                return r;
        if ((r = oci_device_rules(c, &o->device_rules, &o->n_device_rules, e)) < 0)
                return r;
        /* The v1 devices controller only where there is no cgroup2 program to do the job, as for
         * corral (run-config.c): moving the init into a v1 cgroup waits for an RCU grace period.
         * CORRAL_DEVICE_POLICY_V1=1 uses it on a hybrid host too (the conformance test does). */
        const char *force_v1 = getenv("CORRAL_DEVICE_POLICY_V1");
        if ((!o->cg.path || (force_v1 && streq(force_v1, "1"))) && device_policy_v1_available() &&
            (r = device_policy_v1_create(cgroup_path, o->cg.keep, 0, o->device_rules, o->n_device_rules, &o->devices_v1, e)) < 0)
                return r;

        ProcessSpec p = process_spec(c, &c->process, o);

        RunConfig *run = &o->run;
        *run = (RunConfig){
                .process = p,
                .name = id,
                .image = o->rootfs,
                .scratch = scratch,
                .plan = &o->plan,
                .environment = c->process.env,
                .hostname = c->hostname && *c->hostname ? c->hostname : NULL,
                .domainname = c->domainname && *c->domainname ? c->domainname : NULL,
                .kill_signal = SIGKILL,
                .console = c->process.terminal ? CONSOLE_PASSIVE : CONSOLE_PIPE,
                .cgroup_fd = o->cg.fd,
                .no_new_privileges = c->process.no_new_privileges,
                .seccomp = o->filter.filter ? &o->filter : NULL,
                .seccomp_notify = o->seccomp_notify,
                .userns = o->userns.enabled ? &o->userns : NULL,
                .devices_v1 = o->devices_v1.path ? &o->devices_v1 : NULL,
                .device_extra = o->device_rules,
                .n_device_extra = o->n_device_rules,
                .cgroup = &o->cg,
                .orphan = true,
                .gate_fd = -1,
                .new_keyring = true,
        };
        memcpy(run->namespaces, ns, sizeof(ns));
        if (c->rootfs_propagation) {
                OciMountOptions mo;
                char *opts[] = {c->rootfs_propagation, NULL};
                if ((r = oci_mount_options(opts, &mo, e)) < 0)
                        return r;
                free(mo.data);
                run->root_propagation = mo.propagation | MS_REC;
        }
        if (c->process.console_height.set && c->process.console_width.set) {
                run->winsize = (struct winsize){.ws_row = (unsigned short)c->process.console_height.value,
                                                .ws_col = (unsigned short)c->process.console_width.value};
                run->have_winsize = true;
        }
        process_capabilities(&c->process, o->userns.enabled, run);
        return 0;
}

int oci_exec_prepare(const OciConfig *c, const OciProcess *p, const char *id, OciRun *o, Error *e)
{
        int r;
        o->config = c;
        if ((r = check_security_labels(c, p, e)) < 0)
                return r;
        if (c->have_seccomp && (r = compile_seccomp(&c->seccomp, &o->filter, &o->seccomp_notify, e)) < 0)
                return r;
        RunConfig *run = &o->run;
        *run = (RunConfig){
                .process = process_spec(c, p, o),
                .name = id,
                .environment = p->env,
                .kill_signal = SIGKILL,
                .console = p->terminal ? CONSOLE_PASSIVE : CONSOLE_PIPE,
                .cgroup_fd = -1,
                .no_new_privileges = p->no_new_privileges,
                .seccomp = o->filter.filter ? &o->filter : NULL,
                .seccomp_notify = o->seccomp_notify,
                .orphan = true,
                .gate_fd = -1,
        };
        if (p->console_height.set && p->console_width.set) {
                run->winsize = (struct winsize){.ws_row = (unsigned short)p->console_height.value, .ws_col = (unsigned short)p->console_width.value};
                run->have_winsize = true;
        }
        /* Joining a container's user namespace gives the full sets in it, as a new one does. */
        bool userns = false;
        for (size_t i = 0; i < c->n_namespaces; i++)
                userns |= c->namespaces[i].kind == NS_USER;
        process_capabilities(p, userns, run);
        return 0;
}

void oci_run_done(OciRun *o, bool remove_cgroup)
{
        free(o->bundle);
        free(o->rootfs);
        mount_plan_done(&o->plan);
        userns_plan_done(&o->userns);
        for (int k = 0; k < _NS_KIND_MAX; k++)
                closep(&o->ns_fds[k]);
        free(o->filter.filter);
        if (remove_cgroup) {
                device_policy_v1_remove(&o->devices_v1);
                container_cgroup_remove(&o->cg);
        }
        container_cgroup_done(&o->cg);
        free(o->device_rules);
        *o = OCI_RUN_NULL;
}
