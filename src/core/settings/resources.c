/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* systemd's resource-control properties: parsing, and translation into cgroup files. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "exec-limits.h"
#include "fs-util.h"
#include "macro.h"
#include "parse-util.h"
#include "resources.h"
#include "strv.h"

static const char *const key_names[_RES_MAX] = {
        [RES_MEMORY_MAX] = "MemoryMax",
        [RES_MEMORY_HIGH] = "MemoryHigh",
        [RES_MEMORY_LOW] = "MemoryLow",
        [RES_MEMORY_SWAP_MAX] = "MemorySwapMax",
        [RES_CPU_QUOTA] = "CPUQuota",
        [RES_CPU_QUOTA_PERIOD] = "CPUQuotaPeriodSec",
        [RES_CPU_WEIGHT] = "CPUWeight",
        [RES_CPU_SHARES] = "CPUShares",
        [RES_ALLOWED_CPUS] = "AllowedCPUs",
        [RES_ALLOWED_MEMORY_NODES] = "AllowedMemoryNodes",
        [RES_IO_WEIGHT] = "IOWeight",
        [RES_IO_DEVICE_WEIGHT] = "IODeviceWeight",
        [RES_IO_READ_BANDWIDTH_MAX] = "IOReadBandwidthMax",
        [RES_IO_WRITE_BANDWIDTH_MAX] = "IOWriteBandwidthMax",
        [RES_IO_READ_IOPS_MAX] = "IOReadIOPSMax",
        [RES_IO_WRITE_IOPS_MAX] = "IOWriteIOPSMax",
        [RES_TASKS_MAX] = "TasksMax",
        [RES_DEVICE_ALLOW] = "DeviceAllow",
        [RES_DEVICE_POLICY] = "DevicePolicy",
        [RES_MEMORY_ACCOUNTING] = "MemoryAccounting",
        [RES_CPU_ACCOUNTING] = "CPUAccounting",
        [RES_IO_ACCOUNTING] = "IOAccounting",
        [RES_TASKS_ACCOUNTING] = "TasksAccounting",
};

int resource_key_from_name(const char *name)
{
        for (int k = 0; k < _RES_MAX; k++)
                if (streq(key_names[k], name))
                        return k;
        return -EINVAL;
}

const char *resource_key_to_name(ResourceKey k)
{
        return k < _RES_MAX ? key_names[k] : NULL;
}

static const char *const policy_names[_DEVICE_POLICY_MAX] = {"auto", "closed", "strict"};

int device_policy_from_string(const char *s)
{
        for (int i = 0; i < _DEVICE_POLICY_MAX; i++)
                if (streq(policy_names[i], s))
                        return i;
        return -EINVAL;
}

const char *device_policy_to_string(DevicePolicy p)
{
        return p < _DEVICE_POLICY_MAX ? policy_names[p] : NULL;
}

static void io_clear(Resources *r, ResourceKey k)
{
        size_t j = 0;
        for (size_t i = 0; i < r->n_io; i++) {
                if (r->io[i].key == k)
                        free(r->io[i].path);
                else
                        r->io[j++] = r->io[i];
        }
        r->n_io = j;
}

static void devices_clear(Resources *r)
{
        for (size_t i = 0; i < r->n_device_allow; i++)
                free(r->device_allow[i].spec);
        r->device_allow = mfree(r->device_allow);
        r->n_device_allow = 0;
}

void resources_done(Resources *r)
{
        for (size_t i = 0; i < r->n_io; i++)
                free(r->io[i].path);
        free(r->io);
        devices_clear(r);
        free(r->allowed_cpus);
        free(r->allowed_memory_nodes);
        free(r->slice);
        *r = (Resources){0};
}

void resources_merge(Resources *d, Resources *s)
{
        uint64_t take = s->set;
        if (take & RES_BIT(RES_MEMORY_MAX))
                d->memory_max = s->memory_max;
        if (take & RES_BIT(RES_MEMORY_HIGH))
                d->memory_high = s->memory_high;
        if (take & RES_BIT(RES_MEMORY_LOW))
                d->memory_low = s->memory_low;
        if (take & RES_BIT(RES_MEMORY_SWAP_MAX))
                d->memory_swap_max = s->memory_swap_max;
        if (take & RES_BIT(RES_TASKS_MAX))
                d->tasks_max = s->tasks_max;
        if (take & RES_BIT(RES_CPU_QUOTA))
                d->cpu_quota_per_sec_usec = s->cpu_quota_per_sec_usec;
        if (take & RES_BIT(RES_CPU_QUOTA_PERIOD))
                d->cpu_quota_period_usec = s->cpu_quota_period_usec;
        if (take & RES_BIT(RES_CPU_WEIGHT))
                d->cpu_weight = s->cpu_weight;
        if (take & RES_BIT(RES_CPU_SHARES))
                d->cpu_shares = s->cpu_shares;
        if (take & RES_BIT(RES_IO_WEIGHT))
                d->io_weight = s->io_weight;
        if (take & RES_BIT(RES_ALLOWED_CPUS))
                SWAP(d->allowed_cpus, s->allowed_cpus);
        if (take & RES_BIT(RES_ALLOWED_MEMORY_NODES))
                SWAP(d->allowed_memory_nodes, s->allowed_memory_nodes);
        if (take & RES_BIT(RES_DEVICE_POLICY))
                d->device_policy = s->device_policy;
        if (take & RES_BIT(RES_DEVICE_ALLOW)) {
                devices_clear(d);
                SWAP(d->device_allow, s->device_allow);
                SWAP(d->n_device_allow, s->n_device_allow);
        }
        for (int k = RES_MEMORY_ACCOUNTING; k <= RES_TASKS_ACCOUNTING; k++)
                if (take & RES_BIT(k))
                        d->accounting[k - RES_MEMORY_ACCOUNTING] = s->accounting[k - RES_MEMORY_ACCOUNTING];
        /* The IO device lists: the source's list of each kind replaces ours. */
        for (int k = RES_IO_DEVICE_WEIGHT; k <= RES_IO_WRITE_IOPS_MAX; k++) {
                if (!(take & RES_BIT(k)))
                        continue;
                io_clear(d, k);
                for (size_t i = 0; i < s->n_io; i++) {
                        if (s->io[i].key != (ResourceKey)k)
                                continue;
                        IODeviceLimit *n = realloc(d->io, (d->n_io + 1) * sizeof(*n));
                        if (!n)
                                continue; /* out of memory: the entry is dropped, not corrupted */
                        d->io = n;
                        d->io[d->n_io++] = s->io[i];
                        s->io[i].path = NULL;
                }
        }
        if (s->slice)
                SWAP(d->slice, s->slice);
        d->set |= take;
}

/* "512M", "1.5G", "50%", "infinity". */
static int parse_amount(const char *v, unsigned base, ResourceAmount *ret)
{
        if (streq(v, "infinity")) {
                *ret = (ResourceAmount){.value = RES_INFINITY};
                return 0;
        }
        size_t n = strlen(v);
        if (n > 1 && v[n - 1] == '%') {
                char *end;
                errno = 0;
                double p = strtod(v, &end);
                if (errno || end != v + n - 1 || !isdigit((unsigned char)*v) || p > 100.0)
                        return -EINVAL;
                *ret = (ResourceAmount){.permyriad = (uint32_t)(p * 100.0 + 0.5), .relative = true};
                return 0;
        }
        uint64_t x;
        if (size_parse(v, base, &x) < 0)
                return -EINVAL;
        *ret = (ResourceAmount){.value = x};
        return 0;
}

static int parse_range(const char *v, uint64_t min, uint64_t max, uint64_t *ret)
{
        unsigned long x;
        if (parse_unsigned(v, &x) < 0 || x < min || x > max)
                return -ERANGE;
        *ret = x;
        return 0;
}

/* A CPU or NUMA node list in the kernel's format. */
static char *format_set(const CpuSet *set)
{
        char buf[4096] = "";
        size_t len = 0;
        for (int i = 0; i < CPU_SET_MAX; i++) {
                if (!cpu_set_has(set, (unsigned)i))
                        continue;
                int j = i;
                while (j + 1 < CPU_SET_MAX && cpu_set_has(set, (unsigned)j + 1))
                        j++;
                int w = j > i ? snprintf(buf + len, sizeof(buf) - len, "%s%d-%d", len ? "," : "", i, j)
                              : snprintf(buf + len, sizeof(buf) - len, "%s%d", len ? "," : "", i);
                if (w < 0 || (size_t)w >= sizeof(buf) - len)
                        return NULL;
                len += (size_t)w;
                i = j;
        }
        return strdup(buf);
}

static unsigned parse_access(const char *s)
{
        unsigned a = 0;
        for (; *s; s++) {
                if (*s == 'r')
                        a |= DEVICE_READ;
                else if (*s == 'w')
                        a |= DEVICE_WRITE;
                else if (*s == 'm')
                        a |= DEVICE_MKNOD;
                else
                        return 0;
        }
        return a;
}

static int bad(Error *e, const char *name, const char *value, const char *want)
{
        return error_set(e, -EINVAL, "%s=%s: %s", name, value, want);
}

/* "PATH VALUE" of the IO device properties; the value parsed by the caller's rule. */
static int set_io(Resources *r, ResourceKey k, const char *name, const char *value, Error *e)
{
        const char *sp = strpbrk(value, " \t");
        const char *want = k == RES_IO_DEVICE_WEIGHT ? "expected \"DEVICE WEIGHT\" with a weight of 1 to 10000"
                           : k == RES_IO_READ_BANDWIDTH_MAX || k == RES_IO_WRITE_BANDWIDTH_MAX
                                   ? "expected \"DEVICE BYTES\" like \"/dev/sda 10M\" (K, M, G: powers of 1000) or \"infinity\""
                                   : "expected \"DEVICE OPERATIONS\" like \"/dev/sda 1000\" or \"infinity\"";
        if (!sp || value[0] != '/')
                return bad(e, name, value, want);
        const char *v = sp + strspn(sp, " \t");
        uint64_t x;
        if (k == RES_IO_DEVICE_WEIGHT) {
                if (parse_range(v, 1, 10000, &x) < 0)
                        return bad(e, name, value, want);
        } else if (streq(v, "infinity"))
                x = RES_INFINITY;
        else if (size_parse(v, 1000, &x) < 0 || x == 0)
                return bad(e, name, value, want);
        IODeviceLimit *n = realloc(r->io, (r->n_io + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        r->io = n;
        if (!(r->io[r->n_io].path = strndup(value, (size_t)(sp - value))))
                return -ENOMEM;
        r->io[r->n_io].key = k;
        r->io[r->n_io++].value = x;
        return 0;
}

static int set_device_allow(Resources *r, const char *name, const char *value, Error *e)
{
        const char *sp = strpbrk(value, " \t");
        _cleanup_free_ char *spec = sp ? strndup(value, (size_t)(sp - value)) : strdup(value);
        if (!spec)
                return -ENOMEM;
        unsigned access = sp ? parse_access(sp + strspn(sp, " \t")) : DEVICE_READ | DEVICE_WRITE | DEVICE_MKNOD;
        bool ok = spec[0] == '/' ? path_startswith(spec, "/dev") != NULL
                                 : (startswith(spec, "char-") && spec[5]) || (startswith(spec, "block-") && spec[6]);
        if (!ok || !access)
                return bad(e, name, value,
                           "expected a device node under /dev, or char-NAME / block-NAME from /proc/devices, then access letters from \"rwm\"");
        DeviceAllow *n = realloc(r->device_allow, (r->n_device_allow + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        r->device_allow = n;
        r->device_allow[r->n_device_allow++] = (DeviceAllow){.spec = TAKE_PTR(spec), .access = access};
        return 0;
}

int resources_set(Resources *r, const char *name, const char *value, Error *e)
{
        int k = resource_key_from_name(name);
        ResourceAmount a;
        double usec;
        CpuSet set;
        int x;

        if (k < 0)
                return error_set(e, -EINVAL,
                                 "unknown resource property %s= (known: MemoryMax, MemoryHigh, MemoryLow, MemorySwapMax, CPUQuota, "
                                 "CPUQuotaPeriodSec, CPUWeight, CPUShares, AllowedCPUs, AllowedMemoryNodes, IOWeight, IODeviceWeight, "
                                 "IOReadBandwidthMax, IOWriteBandwidthMax, IOReadIOPSMax, IOWriteIOPSMax, TasksMax, DeviceAllow, "
                                 "DevicePolicy, MemoryAccounting, CPUAccounting, IOAccounting, TasksAccounting)",
                                 name);
        /* An empty value takes the property back, as in a unit file. */
        if (!*value) {
                if (k >= RES_IO_DEVICE_WEIGHT && k <= RES_IO_WRITE_IOPS_MAX)
                        io_clear(r, k);
                else if (k == RES_DEVICE_ALLOW)
                        devices_clear(r);
                else if (k == RES_ALLOWED_CPUS)
                        r->allowed_cpus = mfree(r->allowed_cpus);
                else if (k == RES_ALLOWED_MEMORY_NODES)
                        r->allowed_memory_nodes = mfree(r->allowed_memory_nodes);
                if (k == RES_DEVICE_ALLOW || (k >= RES_IO_DEVICE_WEIGHT && k <= RES_IO_WRITE_IOPS_MAX))
                        r->set |= RES_BIT(k); /* an empty list, which replaces a file's */
                else
                        r->set &= ~RES_BIT(k);
                return 0;
        }
        switch (k) {
        case RES_MEMORY_MAX:
        case RES_MEMORY_HIGH:
        case RES_MEMORY_LOW:
        case RES_MEMORY_SWAP_MAX:
                if (parse_amount(value, 1024, &a) < 0)
                        return bad(e, name, value, "expected bytes (K, M, G, T: powers of 1024), a percentage of the host's memory, or \"infinity\"");
                if (k == RES_MEMORY_MAX)
                        r->memory_max = a;
                else if (k == RES_MEMORY_HIGH)
                        r->memory_high = a;
                else if (k == RES_MEMORY_LOW)
                        r->memory_low = a;
                else
                        r->memory_swap_max = a;
                break;
        case RES_TASKS_MAX:
                if (parse_amount(value, 1000, &a) < 0 || (!a.relative && a.value == 0))
                        return bad(e, name, value, "expected a number of tasks (at least 1), a percentage of the kernel's limit, or \"infinity\"");
                r->tasks_max = a;
                break;
        case RES_CPU_QUOTA: {
                char *end;
                errno = 0;
                double p = strtod(value, &end);
                size_t n = strlen(value);
                if (errno || n < 2 || end != value + n - 1 || value[n - 1] != '%' || !isdigit((unsigned char)*value) || p <= 0)
                        return bad(e, name, value, "expected a percentage of one CPU, like \"20%\" or \"200%\" for two CPUs");
                r->cpu_quota_per_sec_usec = (uint64_t)(p * 10000.0 + 0.5);
                break;
        }
        case RES_CPU_QUOTA_PERIOD:
                if (timespan_parse_usec(value, 1e6, &usec) < 0 || usec < 1000 || usec > 1e6)
                        return bad(e, name, value, "expected a time span from 1ms to 1s, like \"100ms\"");
                r->cpu_quota_period_usec = (uint64_t)usec;
                break;
        case RES_CPU_WEIGHT:
                if (parse_range(value, 1, 10000, &r->cpu_weight) < 0)
                        return bad(e, name, value, "expected a weight from 1 to 10000 (100 is the default)");
                break;
        case RES_CPU_SHARES:
                if (parse_range(value, 2, 262144, &r->cpu_shares) < 0)
                        return bad(e, name, value, "expected shares from 2 to 262144 (1024 is the default)");
                break;
        case RES_IO_WEIGHT:
                if (parse_range(value, 1, 10000, &r->io_weight) < 0)
                        return bad(e, name, value, "expected a weight from 1 to 10000 (100 is the default)");
                break;
        case RES_ALLOWED_CPUS:
        case RES_ALLOWED_MEMORY_NODES: {
                Error sub = {0};
                if (cpu_set_parse(value, &set, &sub, name) < 0 || cpu_set_count(&set, NULL) == 0)
                        return bad(e, name, value,
                                   k == RES_ALLOWED_CPUS ? "expected a CPU list like \"0-3,6\"" : "expected a NUMA node list like \"0\" or \"0-1\"");
                char *f = format_set(&set);
                if (!f)
                        return -ENOMEM;
                if (k == RES_ALLOWED_CPUS)
                        free(r->allowed_cpus), r->allowed_cpus = f;
                else
                        free(r->allowed_memory_nodes), r->allowed_memory_nodes = f;
                break;
        }
        case RES_IO_DEVICE_WEIGHT:
        case RES_IO_READ_BANDWIDTH_MAX:
        case RES_IO_WRITE_BANDWIDTH_MAX:
        case RES_IO_READ_IOPS_MAX:
        case RES_IO_WRITE_IOPS_MAX:
                if ((x = set_io(r, k, name, value, e)) < 0)
                        return x;
                break;
        case RES_DEVICE_ALLOW:
                if ((x = set_device_allow(r, name, value, e)) < 0)
                        return x;
                break;
        case RES_DEVICE_POLICY:
                if ((x = device_policy_from_string(value)) < 0)
                        return bad(e, name, value, "expected auto, closed or strict");
                r->device_policy = x;
                break;
        default: /* the accounting switches */
                if ((x = parse_boolean(value)) < 0)
                        return bad(e, name, value, "expected a boolean");
                r->accounting[k - RES_MEMORY_ACCOUNTING] = x;
                break;
        }
        r->set |= RES_BIT(k);
        return 0;
}

int resources_parse_assignment(Resources *r, const char *assignment, Error *e)
{
        const char *eq = strchr(assignment, '=');
        if (!eq || eq == assignment)
                return error_set(e, -EINVAL, "--property=%s: expected NAME=VALUE, like MemoryMax=2G", assignment);
        _cleanup_free_ char *name = strndup(assignment, (size_t)(eq - assignment));
        if (!name)
                return -ENOMEM;
        return resources_set(r, name, eq + 1, e);
}

static bool slice_name_is_valid(const char *s)
{
        size_t n = strlen(s);
        if (n <= 6 || n > 255 || !endswith(s, ".slice"))
                return streq(s, "-.slice");
        if (s[0] == '-' || s[n - 7] == '-' || strstr(s, "--"))
                return false;
        for (size_t i = 0; i < n - 6; i++)
                if (!isalnum((unsigned char)s[i]) && !strchr(":-_.\\", s[i]))
                        return false;
        return true;
}

int resources_set_slice(Resources *r, const char *value, Error *e)
{
        if (!slice_name_is_valid(value))
                return error_set(e, -EINVAL, "slice \"%s\" is not a slice unit name (like machine.slice or machine-web.slice)", value);
        char *c = strdup(value);
        if (!c)
                return -ENOMEM;
        free(r->slice);
        r->slice = c;
        return 0;
}

char *slice_to_cgroup_path(const char *slice)
{
        if (streq(slice, "-.slice"))
                return strdup("");
        /* "a-b-c.slice" lives in "a.slice/a-b.slice/a-b-c.slice". */
        size_t n = strlen(slice) - strlen(".slice");
        char *out = malloc(2 * strlen(slice) * (n + 1) + 1);
        if (!out)
                return NULL;
        size_t len = 0;
        for (size_t i = 0; i <= n; i++) {
                if (i < n && slice[i] != '-')
                        continue;
                len += (size_t)sprintf(out + len, "%s%.*s.slice", len ? "/" : "", (int)i, slice);
        }
        return out;
}

static const char *const controller_names[_CG_MAX] = {"cpu", "cpuacct", "cpuset", "memory", "blkio", "pids", "devices", "freezer", "hugetlb"};

const char *cgroup_controller_to_string(CgroupController c)
{
        return c < _CG_MAX ? controller_names[c] : NULL;
}

const char *cgroup_controller_v2_name(CgroupController c)
{
        static const char *const v2[_CG_MAX] = {"cpu", NULL, "cpuset", "memory", "io", "pids", NULL, NULL, "hugetlb"};
        return c < _CG_MAX ? v2[c] : NULL;
}

static uint64_t resolve(const ResourceAmount *a, uint64_t total)
{
        if (!a->relative)
                return a->value;
        return (uint64_t)((long double)total * a->permyriad / 10000.0L);
}

typedef struct Out {
        CgroupWrite *w;
        size_t n;
        unsigned controllers;
} Out;

static int emit(Out *o, CgroupController c, const char *file, const char *fmt, ...) _printf_(4, 5);
static int emit(Out *o, CgroupController c, const char *file, const char *fmt, ...)
{
        CgroupWrite *n = realloc(o->w, (o->n + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        o->w = n;
        va_list ap;
        va_start(ap, fmt);
        n[o->n] = (CgroupWrite){.controller = c};
        snprintf(n[o->n].file, sizeof(n[o->n].file), "%s", file);
        vsnprintf(n[o->n].value, sizeof(n[o->n].value), fmt, ap);
        va_end(ap);
        o->n++;
        o->controllers |= CG_BIT(c);
        return 0;
}

/* systemd's conversions between the v1 and v2 scales. */
static uint64_t clamp_u64(uint64_t v, uint64_t lo, uint64_t hi)
{
        return v < lo ? lo : v > hi ? hi : v;
}

static const char *amount_v2(uint64_t v, char buf[static 24])
{
        if (v == RES_INFINITY)
                return "max";
        snprintf(buf, 24, "%llu", (unsigned long long)v);
        return buf;
}

static int need(const CgroupLayout *l, CgroupController c, ResourceKey k, Error *e)
{
        if (l->where[c] != CGV_NONE)
                return 0;
        return error_set(e, -EOPNOTSUPP, "%s= needs the %s controller, which this host's cgroups do not offer%s", key_names[k],
                         cgroup_controller_v2_name(c) && l->have_cgroup2 ? cgroup_controller_v2_name(c) : controller_names[c],
                         l->have_cgroup2 ? " (it is neither in a cgroup v1 hierarchy nor enabled in cgroup2's cgroup.controllers)" : "");
}

static int translate_io(const Resources *r, const CgroupLayout *l, const ResourceHost *h, Out *o, Error *e)
{
        bool v2 = l->where[CG_BLKIO] == CGV_2;
        int x;
        if (r->set & RES_BIT(RES_IO_WEIGHT)) {
                if ((x = need(l, CG_BLKIO, RES_IO_WEIGHT, e)) < 0)
                        return x;
                x = v2 ? emit(o, CG_BLKIO, "io.weight", "default %llu", (unsigned long long)r->io_weight)
                       : emit(o, CG_BLKIO, "blkio.weight", "%llu", (unsigned long long)clamp_u64(r->io_weight * 500 / 100, 10, 1000));
                if (x < 0)
                        return x;
        }
        for (size_t i = 0; i < r->n_io; i++) {
                const IODeviceLimit *d = &r->io[i];
                dev_t dev;
                if ((x = need(l, CG_BLKIO, d->key, e)) < 0)
                        return x;
                if ((x = h->block_device(d->path, &dev)) < 0)
                        return error_set_errno(e, x, "%s=%s: cannot find the block device of %s", key_names[d->key], d->path, d->path);
                unsigned ma = major(dev), mi = minor(dev);
                unsigned long long v = d->value;
                if (d->key == RES_IO_DEVICE_WEIGHT) {
                        x = v2 ? emit(o, CG_BLKIO, "io.weight", "%u:%u %llu", ma, mi, v)
                               : emit(o, CG_BLKIO, "blkio.weight_device", "%u:%u %llu", ma, mi,
                                      (unsigned long long)clamp_u64(d->value * 500 / 100, 10, 1000));
                } else if (v2) {
                        static const char *const kw[] = {"rbps", "wbps", "riops", "wiops"};
                        char buf[24];
                        x = emit(o, CG_BLKIO, "io.max", "%u:%u %s=%s", ma, mi, kw[d->key - RES_IO_READ_BANDWIDTH_MAX], amount_v2(d->value, buf));
                } else {
                        static const char *const files[] = {"blkio.throttle.read_bps_device", "blkio.throttle.write_bps_device",
                                                            "blkio.throttle.read_iops_device", "blkio.throttle.write_iops_device"};
                        /* v1 has no "no limit" value but 0, which removes the rule. */
                        x = emit(o, CG_BLKIO, files[d->key - RES_IO_READ_BANDWIDTH_MAX], "%u:%u %llu", ma, mi, d->value == RES_INFINITY ? 0 : v);
                }
                if (x < 0)
                        return x;
        }
        return 0;
}

int resources_translate(const Resources *r, const CgroupLayout *l, const ResourceHost *h, CgroupWrite **ret, size_t *ret_n, unsigned *ret_controllers,
                        Error *e)
{
        Out o = {0};
        char b1[24];
        int x = 0;
#define TRY(expr)                     \
        do {                          \
                if ((x = (expr)) < 0) \
                        goto fail;    \
        } while (0)

        /* Memory.  v1 has the hard limit (and memsw for memory plus swap) only. */
        bool mv2 = l->where[CG_MEMORY] == CGV_2, cv2 = l->where[CG_CPU] == CGV_2;
        uint64_t mem_max = resolve(&r->memory_max, h->physical_memory);
        if (r->set & RES_BIT(RES_MEMORY_MAX)) {
                TRY(need(l, CG_MEMORY, RES_MEMORY_MAX, e));
                TRY(mv2 ? emit(&o, CG_MEMORY, "memory.max", "%s", amount_v2(mem_max, b1))
                        : emit(&o, CG_MEMORY, "memory.limit_in_bytes", "%lld", mem_max == RES_INFINITY ? -1LL : (long long)mem_max));
        }
        for (int k = RES_MEMORY_HIGH; k <= RES_MEMORY_LOW; k++) {
                if (!(r->set & RES_BIT(k)))
                        continue;
                TRY(need(l, CG_MEMORY, k, e));
                if (!mv2) {
                        x = error_set(
                                e, -EOPNOTSUPP,
                                "%s= needs the cgroup v2 memory controller; this host has cgroup v1's, which can only express MemoryMax= (and MemorySwapMax=)",
                                key_names[k]);
                        goto fail;
                }
                const ResourceAmount *a = k == RES_MEMORY_HIGH ? &r->memory_high : &r->memory_low;
                TRY(emit(&o, CG_MEMORY, k == RES_MEMORY_HIGH ? "memory.high" : "memory.low", "%s", amount_v2(resolve(a, h->physical_memory), b1)));
        }
        if (r->set & RES_BIT(RES_MEMORY_SWAP_MAX)) {
                uint64_t swap = resolve(&r->memory_swap_max, h->physical_memory);
                TRY(need(l, CG_MEMORY, RES_MEMORY_SWAP_MAX, e));
                if (mv2)
                        TRY(emit(&o, CG_MEMORY, "memory.swap.max", "%s", amount_v2(swap, b1)));
                else if (!(r->set & RES_BIT(RES_MEMORY_MAX)) || mem_max == RES_INFINITY) {
                        x = error_set(e, -EOPNOTSUPP, "MemorySwapMax= on cgroup v1 limits memory and swap together, so it needs a MemoryMax= too");
                        goto fail;
                } else
                        TRY(emit(&o, CG_MEMORY, "memory.memsw.limit_in_bytes", "%lld", swap == RES_INFINITY ? -1LL : (long long)(mem_max + swap)));
        }

        /* CPU. */
        if (r->set & (RES_BIT(RES_CPU_WEIGHT) | RES_BIT(RES_CPU_SHARES))) {
                ResourceKey k = r->set & RES_BIT(RES_CPU_WEIGHT) ? RES_CPU_WEIGHT : RES_CPU_SHARES;
                TRY(need(l, CG_CPU, k, e));
                uint64_t weight = k == RES_CPU_WEIGHT ? r->cpu_weight : clamp_u64(r->cpu_shares * 100 / 1024, 1, 10000);
                uint64_t shares = k == RES_CPU_SHARES ? r->cpu_shares : clamp_u64(r->cpu_weight * 1024 / 100, 2, 262144);
                TRY(cv2 ? emit(&o, CG_CPU, "cpu.weight", "%llu", (unsigned long long)weight)
                        : emit(&o, CG_CPU, "cpu.shares", "%llu", (unsigned long long)shares));
        }
        if (r->set & (RES_BIT(RES_CPU_QUOTA) | RES_BIT(RES_CPU_QUOTA_PERIOD))) {
                TRY(need(l, CG_CPU, r->set & RES_BIT(RES_CPU_QUOTA) ? RES_CPU_QUOTA : RES_CPU_QUOTA_PERIOD, e));
                uint64_t period = r->set & RES_BIT(RES_CPU_QUOTA_PERIOD) ? r->cpu_quota_period_usec : 100000;
                bool quota = r->set & RES_BIT(RES_CPU_QUOTA);
                /* The kernel takes at least 1 ms of quota. */
                uint64_t q = quota ? clamp_u64(r->cpu_quota_per_sec_usec * period / 1000000, 1000, UINT64_MAX / 2) : 0;
                if (cv2)
                        TRY(quota ? emit(&o, CG_CPU, "cpu.max", "%llu %llu", (unsigned long long)q, (unsigned long long)period)
                                  : emit(&o, CG_CPU, "cpu.max", "max %llu", (unsigned long long)period));
                else {
                        TRY(emit(&o, CG_CPU, "cpu.cfs_period_us", "%llu", (unsigned long long)period));
                        TRY(emit(&o, CG_CPU, "cpu.cfs_quota_us", "%lld", quota ? (long long)q : -1LL));
                }
        }
        if (r->set & RES_BIT(RES_ALLOWED_CPUS) && r->allowed_cpus) {
                TRY(need(l, CG_CPUSET, RES_ALLOWED_CPUS, e));
                TRY(emit(&o, CG_CPUSET, "cpuset.cpus", "%s", r->allowed_cpus));
        }
        if (r->set & RES_BIT(RES_ALLOWED_MEMORY_NODES) && r->allowed_memory_nodes) {
                TRY(need(l, CG_CPUSET, RES_ALLOWED_MEMORY_NODES, e));
                TRY(emit(&o, CG_CPUSET, "cpuset.mems", "%s", r->allowed_memory_nodes));
        }

        TRY(translate_io(r, l, h, &o, e));

        if (r->set & RES_BIT(RES_TASKS_MAX)) {
                TRY(need(l, CG_PIDS, RES_TASKS_MAX, e));
                uint64_t t = resolve(&r->tasks_max, h->tasks_max);
                TRY(emit(&o, CG_PIDS, "pids.max", "%s", amount_v2(t ? t : 1, b1)));
        }

        /* Accounting asks for the controllers only. */
        static const CgroupController acct[4] = {CG_MEMORY, CG_CPUACCT, CG_BLKIO, CG_PIDS};
        for (int i = 0; i < 4; i++) {
                if (!(r->set & RES_BIT(RES_MEMORY_ACCOUNTING + i)) || !r->accounting[i])
                        continue;
                CgroupController c = acct[i] == CG_CPUACCT && l->where[CG_CPUACCT] == CGV_NONE ? CG_CPU : acct[i];
                TRY(need(l, c, RES_MEMORY_ACCOUNTING + i, e));
                o.controllers |= CG_BIT(c);
        }
#undef TRY
        *ret = o.w;
        *ret_n = o.n;
        *ret_controllers = o.controllers;
        return 0;
fail:
        free(o.w);
        return x;
}

/* The majors /proc/devices lists for a driver name in a section ("Character devices:"). */
static int majors_of(const char *text, bool block, const char *name, uint32_t *out, size_t max)
{
        size_t n = 0;
        bool in = false;
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
                if (startswith(l, "Character devices:")) {
                        in = !block;
                        continue;
                }
                if (startswith(l, "Block devices:")) {
                        in = block;
                        continue;
                }
                unsigned ma;
                char drv[64];
                if (!in || sscanf(l, " %u %63s", &ma, drv) != 2)
                        continue;
                if ((streq(name, "*") || streq(drv, name)) && n < max)
                        out[n++] = ma;
        }
        return (int)n;
}

int resources_device_rules(const Resources *r, const char *devices_text, DeviceRule **ret, size_t *ret_n, char ***nodes_out, Error *e)
{
        _cleanup_free_ char *own = NULL;
        DeviceRule *rules = NULL;
        size_t n = 0;
        int x;

        for (size_t i = 0; i < r->n_device_allow; i++) {
                const DeviceAllow *d = &r->device_allow[i];
                uint32_t majors[64];
                int nm;
                char type;
                int64_t mi = -1;
                if (d->spec[0] == '/') {
                        struct stat st;
                        if (stat(d->spec, &st) < 0) {
                                x = error_set_errno(e, -errno, "DeviceAllow=%s: the host has no such device node", d->spec);
                                goto fail;
                        }
                        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode)) {
                                x = error_set(e, -ENOTBLK, "DeviceAllow=%s: not a device node", d->spec);
                                goto fail;
                        }
                        type = S_ISCHR(st.st_mode) ? 'c' : 'b';
                        majors[0] = major(st.st_rdev);
                        mi = minor(st.st_rdev);
                        nm = 1;
                        if (nodes_out && strv_extend(nodes_out, d->spec) < 0) {
                                x = -ENOMEM;
                                goto fail;
                        }
                } else {
                        bool block = startswith(d->spec, "block-");
                        const char *name = d->spec + (block ? 6 : 5);
                        if (!devices_text) {
                                if (!own && (x = read_full_file("/proc/devices", &own, NULL)) < 0) {
                                        x = error_set_errno(e, x, "DeviceAllow=%s: cannot read /proc/devices", d->spec);
                                        goto fail;
                                }
                                devices_text = own;
                        }
                        type = block ? 'b' : 'c';
                        nm = majors_of(devices_text, block, name, majors, ELEMENTSOF(majors));
                        if (nm == 0) {
                                x = error_set(e, -ENODEV, "DeviceAllow=%s: no %s device driver \"%s\" in /proc/devices", d->spec,
                                              block ? "block" : "character", name);
                                goto fail;
                        }
                }
                DeviceRule *nr = realloc(rules, (n + (size_t)nm) * sizeof(*nr));
                if (!nr) {
                        x = -ENOMEM;
                        goto fail;
                }
                rules = nr;
                for (int j = 0; j < nm; j++)
                        rules[n++] = (DeviceRule){.type = type, .major = majors[j], .major_last = majors[j], .minor = mi, .access = d->access};
        }
        *ret = rules;
        *ret_n = n;
        return 0;
fail:
        free(rules);
        return x;
}

int block_device_of_path(const char *path, dev_t *ret)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        dev_t d = S_ISBLK(st.st_mode) ? st.st_rdev : st.st_dev;
        if (major(d) == 0)
                return -ENOTBLK; /* tmpfs, overlayfs and friends have no disk */
        /* A partition's limits belong to its disk: /sys/dev/block/M:m/partition exists for those. */
        char p[64];
        snprintf(p, sizeof(p), "/sys/dev/block/%u:%u/partition", major(d), minor(d));
        if (access(p, F_OK) == 0) {
                char up[64], *text = NULL;
                snprintf(up, sizeof(up), "/sys/dev/block/%u:%u/../dev", major(d), minor(d));
                unsigned ma, mi;
                if (read_full_file(up, &text, NULL) >= 0 && sscanf(text, "%u:%u", &ma, &mi) == 2)
                        d = makedev(ma, mi);
                free(text);
        }
        *ret = d;
        return 0;
}

void resource_host_init(ResourceHost *h)
{
        *h = (ResourceHost){.block_device = block_device_of_path, .tasks_max = 4194304};
        long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
        if (pages > 0 && size > 0)
                h->physical_memory = (uint64_t)pages * (uint64_t)size;
        char *t = NULL;
        unsigned long long v;
        if (read_full_file("/proc/sys/kernel/pid_max", &t, NULL) >= 0 && sscanf(t, "%llu", &v) == 1)
                h->tasks_max = v;
        free(t);
}
