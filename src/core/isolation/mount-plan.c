/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <limits.h>
#include <stdio.h>
#include <sys/mount.h>

#include "fs-util.h"
#include <unistd.h>

#include "mount-plan.h"
#include "strv.h"

#define NODEV_NOSUID_NOEXEC (MS_NOSUID | MS_NODEV | MS_NOEXEC)

static const char *const step_names[_STEP_MAX] = {
        [STEP_ROOT_BIND] = "root-bind",
        [STEP_ROOT_OVERLAY] = "root-overlay",
        [STEP_ROOT_TMPFS] = "root-tmpfs",
        [STEP_MOUNT] = "mount",
        [STEP_BIND] = "bind",
        [STEP_BIND_ROOT] = "bind-inside",
        [STEP_IMAGE_BIND] = "bind-image",
        [STEP_REMOUNT] = "remount",
        [STEP_MASK] = "mask",
        [STEP_OVERLAY] = "overlay",
        [STEP_MKNOD] = "mknod",
        [STEP_SYMLINK] = "symlink",
        [STEP_MKDIR] = "mkdir",
        [STEP_FILE] = "file",
        [STEP_UNLINK] = "unlink",
        [STEP_RESOLV_CONF] = "resolv-conf",
        [STEP_TIMEZONE] = "timezone",
        [STEP_JOURNAL] = "journal",
        [STEP_CONSOLE] = "console",
        [STEP_NOTIFY] = "notify-socket",
        [STEP_PIVOT_ROOT] = "pivot-root",
        [STEP_SYSCTL] = "sysctl",
};

const char *mount_step_type_to_string(MountStepType t)
{
        return t < _STEP_MAX ? step_names[t] : "?";
}

typedef struct Builder {
        MountPlan *plan;
        int r;
} Builder;

static MountStep *add(Builder *b, MountStepType type, const char *source, const char *target, const char *fstype, const char *options,
                      unsigned long flags, unsigned step_flags)
{
        if (b->r < 0)
                return NULL;
        MountPlan *p = b->plan;
        if (p->n_steps == p->n_allocated) {
                /* Doubling: a plan has 50 steps or more, and every reallocation may copy. */
                size_t a = p->n_allocated ? p->n_allocated * 2 : 64;
                MountStep *n = reallocarray(p->steps, a, sizeof(MountStep));
                if (!n) {
                        b->r = -ENOMEM;
                        return NULL;
                }
                p->steps = n;
                p->n_allocated = a;
        }
        MountStep *m = &p->steps[p->n_steps++];
        *m = (MountStep){
                .type = type,
                .source = source ? strdup(source) : NULL,
                .target = target ? strdup(target) : NULL,
                .fstype = fstype ? strdup(fstype) : NULL,
                .options = options ? strdup(options) : NULL,
                .flags = flags,
                .step_flags = step_flags,
                .custom_index = -1,
                .idmap_fd = -1,
                .upper_idmap_fd = -1,
                .uid = -1,
                .gid = -1,
        };
        if ((source && !m->source) || (target && !m->target) || (fstype && !m->fstype) || (options && !m->options))
                b->r = -ENOMEM;
        return m;
}

MountStep *mount_plan_add(MountPlan *p, MountStepType type, const char *source, const char *target, const char *fstype, const char *options,
                          unsigned long flags, unsigned step_flags)
{
        Builder b = {.plan = p};
        MountStep *m = add(&b, type, source, target, fstype, options, flags, step_flags);
        return b.r < 0 ? NULL : m;
}

static void add_remount_ro(Builder *b, const char *target, unsigned long extra, unsigned step_flags)
{
        add(b, STEP_REMOUNT, NULL, target, NULL, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | extra, step_flags);
}

static void add_file(Builder *b, const char *target, const char *content, size_t size, mode_t mode)
{
        MountStep *m = add(b, STEP_FILE, NULL, target, NULL, NULL, 0, 0);
        if (!m)
                return;
        m->mode = mode;
        m->content_size = size;
        if (!(m->content = malloc(size + 1)))
                b->r = -ENOMEM;
        else {
                memcpy(m->content, content, size);
                m->content[size] = 0;
        }
}

static void add_mkdir(Builder *b, const char *target, mode_t mode)
{
        MountStep *m = add(b, STEP_MKDIR, NULL, target, NULL, NULL, 0, 0);
        if (m)
                m->mode = mode;
}

static bool has_custom_mount_at(const Settings *s, const char *path)
{
        for (size_t i = 0; i < s->n_custom_mounts; i++)
                if (streq(s->custom_mounts[i].destination, path))
                        return true;
        return false;
}

static void plan_root(Builder *b, const Settings *s, const HostFacts *h)
{
        MountStep *m;

        if (h->template_lower && (s->ephemeral || s->read_only || s->volatile_mode != VOLATILE_NO)) {
                /* An overlay child used without writing to it: child and base are both lower
                 * layers under a throw-away upper. */
                if ((m = add(b, STEP_ROOT_OVERLAY, NULL, "/", NULL, NULL, 0, STEP_CHILD_IMAGE)))
                        if (strv_extend(&m->lower, h->image) < 0 || strv_extend(&m->lower, h->template_lower) < 0)
                                b->r = -ENOMEM;
        } else if (h->template_lower) {
                /* An overlay child: the image directory holds only its changes. */
                if ((m = add(b, STEP_ROOT_OVERLAY, NULL, "/", NULL, NULL, 0, STEP_CHILD_IMAGE))) {
                        if (strv_extend(&m->lower, h->template_lower) < 0 || !(m->source = strdup(h->image)) || !(m->work = strdup(h->child_work)))
                                b->r = -ENOMEM;
                }
        } else if (s->ephemeral || s->volatile_mode == VOLATILE_OVERLAY) {
                if ((m = add(b, STEP_ROOT_OVERLAY, NULL, "/", NULL, NULL, 0, 0)))
                        if (strv_extend(&m->lower, h->image) < 0)
                                b->r = -ENOMEM;
        } else if (s->volatile_mode == VOLATILE_YES) {
                add(b, STEP_ROOT_TMPFS, "tmpfs", "/", "tmpfs", "mode=0755", MS_NODEV | MS_STRICTATIME, 0);
                add(b, STEP_IMAGE_BIND, "usr", "/usr", NULL, NULL, MS_BIND | MS_REC, STEP_MKDIR_TARGET);
                add_remount_ro(b, "/usr", MS_NODEV, STEP_RECURSIVE);
                /* A merged-/usr tree's programs and loader are found through /bin, /lib,
                 * /lib64: the empty root gets the links to /usr that nspawn makes. */
                static const char *const links[][3] = {
                        {"/bin", "usr/bin", NULL},
                        {"/sbin", "usr/sbin", NULL},
                        {"/lib", "usr/lib", NULL},
#if defined(__x86_64__)
                        {"/lib64", "usr/lib64", "ld-linux-x86-64.so.2"},
                        {"/lib64", "usr/lib/x86_64-linux-gnu", "ld-linux-x86-64.so.2"},
#elif defined(__aarch64__)
                        {"/lib64", "usr/lib64", "ld-linux-aarch64.so.1"},
#endif
                };
                for (size_t i = 0; i < ELEMENTSOF(links); i++)
                        add(b, STEP_SYMLINK, links[i][1], links[i][0], NULL, links[i][2], 0, STEP_IF_SOURCE);
                add_mkdir(b, "/etc", 0755);
                add_mkdir(b, "/var", 0755);
                add_mkdir(b, "/root", 0750);
        } else
                add(b, STEP_ROOT_BIND, h->image, "/", NULL, NULL, MS_BIND | MS_REC, 0);

        if (s->pivot_root_new)
                add(b, STEP_PIVOT_ROOT, s->pivot_root_new, s->pivot_root_old, NULL, NULL, 0, 0);
        /* Read-only from the start, so that nothing below writes into a read-only image. */
        if ((s->read_only && s->volatile_mode != VOLATILE_YES && s->volatile_mode != VOLATILE_OVERLAY) || s->volatile_mode == VOLATILE_STATE)
                add_remount_ro(b, "/", 0, 0);

        if (s->volatile_mode == VOLATILE_STATE)
                add(b, STEP_MOUNT, "tmpfs", "/var", "tmpfs", "mode=0755", MS_NODEV | MS_STRICTATIME, STEP_MKDIR_TARGET);
}

static void plan_dev(Builder *b, const HostFacts *h)
{
        static const char *const nodes[] = {"/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty", "/dev/net/tun", NULL};
        const char *const *list = h->host_dev_nodes ? h->host_dev_nodes : nodes;

        add(b, STEP_MOUNT, "tmpfs", "/dev", "tmpfs", "mode=0755,size=4m,nr_inodes=64k", MS_NOSUID | MS_STRICTATIME, STEP_MKDIR_TARGET);
        add(b, STEP_MOUNT, "tmpfs", "/dev/shm", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV | MS_STRICTATIME, STEP_MKDIR_TARGET);
        add(b, STEP_MOUNT, "devpts", "/dev/pts", "devpts", "newinstance,ptmxmode=0666,mode=620,gid=5", MS_NOSUID | MS_NOEXEC, STEP_MKDIR_TARGET);
        add(b, STEP_MOUNT, "mqueue", "/dev/mqueue", "mqueue", NULL, NODEV_NOSUID_NOEXEC, STEP_MKDIR_TARGET | STEP_OPTIONAL);
        for (size_t i = 0; list[i]; i++) {
                if (streq(list[i], "/dev/net/tun") && !h->have_dev_net_tun)
                        continue;
                add(b, STEP_MKNOD, list[i], list[i], NULL, NULL, 0, 0);
        }
        for (size_t i = 0; h->extra_dev_nodes && h->extra_dev_nodes[i]; i++)
                add(b, STEP_MKNOD, h->extra_dev_nodes[i], h->extra_dev_nodes[i], NULL, NULL, 0, 0);
        if (h->have_kcore)
                add(b, STEP_SYMLINK, "/proc/kcore", "/dev/core", NULL, NULL, 0, 0);
        add(b, STEP_SYMLINK, "/proc/self/fd", "/dev/fd", NULL, NULL, 0, 0);
        add(b, STEP_SYMLINK, "/proc/self/fd/0", "/dev/stdin", NULL, NULL, 0, 0);
        add(b, STEP_SYMLINK, "/proc/self/fd/1", "/dev/stdout", NULL, NULL, 0, 0);
        add(b, STEP_SYMLINK, "/proc/self/fd/2", "/dev/stderr", NULL, NULL, 0, 0);
        add(b, STEP_SYMLINK, "pts/ptmx", "/dev/ptmx", NULL, NULL, 0, 0);
        if (h->tty_console)
                add(b, STEP_CONSOLE, NULL, "/dev/console", NULL, NULL, 0, 0);
}

/* --bind-user=: nss-systemd's records of the users in /run/host/userdb (NAME.user and
 * UID.user linking to it, and so on), and the directories their homes go on, as nspawn. */
static void plan_bound_users(Builder *b, const HostFacts *h)
{
        if (h->n_bound_users == 0)
                return;
        add_mkdir(b, "/run/host/home", 0755);
        add_mkdir(b, "/run/host/userdb", 0755);
        for (size_t i = 0; i < h->n_bound_users && b->r >= 0; i++) {
                const BoundUser *u = &h->bound_users[i];
                _cleanup_free_ char *user = NULL, *group = NULL, *privileged = NULL, *home = NULL;
                if (bound_user_records(u, &user, &group, &privileged) < 0 || asprintf(&home, "/run/host/home/%s", u->name) < 0) {
                        b->r = -ENOMEM;
                        return;
                }
                add_mkdir(b, home, 0755);
                const struct {
                        const char *suffix, *content;
                        mode_t mode;
                } records[] = {
                        {".group", group, 0644},
                        {".user", user, 0644},
                        {".user-privileged", privileged, 0600},
                };
                for (size_t k = 0; k < ELEMENTSOF(records); k++) {
                        char file[PATH_MAX], link[PATH_MAX], name[NAME_MAX + 1];
                        if (!records[k].content)
                                continue;
                        snprintf(name, sizeof(name), "%s%s", u->name, records[k].suffix);
                        snprintf(file, sizeof(file), "/run/host/userdb/%s", name);
                        snprintf(link, sizeof(link), "/run/host/userdb/%u%s", u->uid, records[k].suffix);
                        add_file(b, file, records[k].content, strlen(records[k].content), records[k].mode);
                        add(b, STEP_SYMLINK, name, link, NULL, NULL, 0, 0);
                }
        }
}

/* Their homes, writable, after /run/host was made read-only. */
static void plan_bound_homes(Builder *b, const HostFacts *h)
{
        for (size_t i = 0; i < h->n_bound_users; i++) {
                _cleanup_free_ char *home = NULL;
                if (asprintf(&home, "/run/host/home/%s", h->bound_users[i].name) < 0) {
                        b->r = -ENOMEM;
                        return;
                }
                add(b, STEP_BIND, h->bound_users[i].home, home, NULL, NULL, MS_BIND | MS_REC, 0);
        }
}

static void plan_run_host(Builder *b, const Settings *s, const HostFacts *h)
{
        static const char manager[] = "systemd-nspawn\n";

        add(b, STEP_MOUNT, "tmpfs", "/run", "tmpfs", "mode=0755", MS_NOSUID | MS_NODEV | MS_STRICTATIME, STEP_MKDIR_TARGET);
        add_mkdir(b, "/run/host", 0755);
        /* Bound onto itself so that it can be made read-only as a whole when it is filled. */
        add(b, STEP_BIND_ROOT, "/run/host", "/run/host", NULL, NULL, MS_BIND, 0);
        add_file(b, "/run/host/container-manager", manager, sizeof(manager) - 1, 0444);
        if (h->uuid) {
                char buf[64];
                int n = snprintf(buf, sizeof(buf), "%s\n", h->uuid);
                add_file(b, "/run/host/container-uuid", buf, (size_t)n, 0444);
        }
        if (h->os_release)
                add(b, STEP_BIND, h->os_release, "/run/host/os-release", NULL, NULL, MS_BIND, STEP_TOUCH_TARGET);
        /* Nodes of every type that nobody may open, for masking. */
        add_mkdir(b, "/run/host/inaccessible", 0755);
        add_file(b, "/run/host/inaccessible/reg", "", 0, 0000);
        add_mkdir(b, "/run/host/inaccessible/dir", 0000);
        if (h->notify_socket)
                add(b, STEP_NOTIFY, NULL, "/run/host/notify", NULL, NULL, 0, 0);
        if (s->n_credentials > 0) {
                add(b, STEP_MOUNT, "tmpfs", "/run/host/credentials", "tmpfs", "mode=0700", NODEV_NOSUID_NOEXEC, STEP_MKDIR_TARGET);
                for (size_t i = 0; i < s->n_credentials; i++) {
                        _cleanup_free_ char *p = path_join("/run/host/credentials", s->credentials[i].id);
                        if (!p) {
                                b->r = -ENOMEM;
                                return;
                        }
                        add_file(b, p, s->credentials[i].data, s->credentials[i].size, 0400);
                }
                add_remount_ro(b, "/run/host/credentials", NODEV_NOSUID_NOEXEC, 0);
        }
        if (h->boot_id) {
                char buf[64];
                int n = snprintf(buf, sizeof(buf), "%s\n", h->boot_id);
                add_file(b, "/run/.corral-boot-id", buf, (size_t)n, 0444);
        }
        plan_bound_users(b, h);
        add_remount_ro(b, "/run/host", MS_NOSUID | MS_NODEV, STEP_RECURSIVE);
}

/* Whether custom mount a goes after b: by destination, a directory before what lies below it,
 * then by type (binds, tmpfs, overlays, masks), as nspawn sorts them; else in the order given. */
static bool custom_mount_after(const CustomMount *a, const CustomMount *b)
{
        int r = path_compare(a->destination, b->destination);
        return r > 0 || (r == 0 && a->type > b->type);
}

static void plan_custom_mounts(Builder *b, const Settings *s)
{
        _cleanup_free_ size_t *order = calloc(s->n_custom_mounts ? s->n_custom_mounts : 1, sizeof(size_t));
        if (!order) {
                b->r = -ENOMEM;
                return;
        }
        /* A stable insertion sort: there are a handful. */
        for (size_t i = 0; i < s->n_custom_mounts; i++) {
                size_t j = i;
                for (; j > 0 && custom_mount_after(&s->custom_mounts[order[j - 1]], &s->custom_mounts[i]); j--)
                        order[j] = order[j - 1];
                order[j] = i;
        }
        for (size_t n = 0; n < s->n_custom_mounts; n++) {
                size_t i = order[n];
                const CustomMount *c = &s->custom_mounts[i];
                MountStep *m;
                bool rec = !(c->options && strstr(c->options, "norbind"));

                switch (c->type) {
                case CUSTOM_MOUNT_BIND:
                        if (!c->source) {
                                /* No source: a fresh, empty, writable directory. */
                                add(b, STEP_MOUNT, "tmpfs", c->destination, "tmpfs", "mode=0755", MS_NODEV | MS_STRICTATIME, STEP_MKDIR_TARGET);
                                break;
                        }
                        m = add(b, c->source_in_root ? STEP_BIND_ROOT : STEP_BIND, c->source, c->destination, NULL, NULL,
                                MS_BIND | (rec ? MS_REC : 0), STEP_SOURCE_TYPE);
                        if (m)
                                m->custom_index = (int)i;
                        if (c->read_only)
                                add_remount_ro(b, c->destination, 0, rec ? STEP_RECURSIVE : 0);
                        break;
                case CUSTOM_MOUNT_TMPFS: {
                        /* "rw,nosuid,size=10M": flags for the mount, the rest for tmpfs, as nspawn. */
                        unsigned long flags = MS_NODEV | MS_STRICTATIME;
                        _cleanup_free_ char *data = NULL;
                        if (mount_options_split(c->options, &flags, &data) < 0) {
                                b->r = -ENOMEM; /* (checked when parsed) */
                                return;
                        }
                        add(b, STEP_MOUNT, "tmpfs", c->destination, "tmpfs", data, flags, STEP_MKDIR_TARGET);
                        break;
                }
                case CUSTOM_MOUNT_OVERLAY:
                        if (!(m = add(b, STEP_OVERLAY, c->source, c->destination, "overlay", NULL, c->read_only ? MS_RDONLY : 0, STEP_MKDIR_TARGET)))
                                return;
                        /* overlayfs lists the topmost lower directory first; nspawn's syntax lowest first. */
                        for (size_t k = strv_length(c->lower); k > 0; k--)
                                if (strv_extend(&m->lower, c->lower[k - 1]) < 0)
                                        b->r = -ENOMEM;
                        /* An upper in the container's root: "+PATH", as its lower ones. */
                        if (c->source_in_root && m->source) {
                                char *plus = NULL;
                                if (asprintf(&plus, "+%s", m->source) < 0)
                                        b->r = -ENOMEM;
                                else {
                                        free(m->source);
                                        m->source = plus;
                                }
                        }
                        break;
                case CUSTOM_MOUNT_INACCESSIBLE:
                        add(b, STEP_MASK, NULL, c->destination, NULL, NULL, 0, 0);
                        break;
                default:
                        break;
                }
        }
}

static void plan_proc(Builder *b, const HostFacts *h)
{
        static const char *const masked[] = {"/proc/kallsyms", "/proc/kcore", "/proc/keys", "/proc/sysrq-trigger", "/proc/timer_list"};
        static const char *const read_only[] = {"/proc/acpi", "/proc/apm", "/proc/asound", "/proc/bus", "/proc/fs", "/proc/irq", "/proc/scsi"};

        add(b, STEP_MOUNT, "proc", "/proc", "proc", NULL, NODEV_NOSUID_NOEXEC, STEP_MKDIR_TARGET);
        /* $SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes: /proc as it comes, as nspawn's mount_all()
         * skips every read-only and inaccessible entry then. */
        if (h->api_vfs_writable) {
                if (h->boot_id) {
                        add(b, STEP_BIND_ROOT, "/run/.corral-boot-id", "/proc/sys/kernel/random/boot_id", NULL, NULL, MS_BIND, STEP_OPTIONAL);
                        add(b, STEP_UNLINK, NULL, "/run/.corral-boot-id", NULL, NULL, 0, 0);
                }
                return;
        }
        add(b, STEP_BIND_ROOT, "/proc/sys", "/proc/sys", NULL, NULL, MS_BIND | MS_REC, 0);
        add_remount_ro(b, "/proc/sys", NODEV_NOSUID_NOEXEC, STEP_RECURSIVE);
        if (h->proc_sys_net_writable) {
                /* The container's own network namespace is its to tune, as under nspawn.  And
                 * with --nesting: what it runs sets up network namespaces of its own, and tunes
                 * them through this /proc (crun writes podman's net.ipv4.ping_group_range so);
                 * the host's own entries stay the host's, written only with CAP_NET_ADMIN there,
                 * which --nesting gives (every capability) or -U takes away. */
                add(b, STEP_BIND_ROOT, "/proc/sys/net", "/proc/sys/net", NULL, NULL, MS_BIND, 0);
                add(b, STEP_REMOUNT, NULL, "/proc/sys/net", NULL, NULL, MS_BIND | MS_REMOUNT | NODEV_NOSUID_NOEXEC, 0);
        }
        if (h->boot_id) {
                /* A fresh boot id per start, as the guest's journal expects of a new boot. */
                add(b, STEP_BIND_ROOT, "/run/.corral-boot-id", "/proc/sys/kernel/random/boot_id", NULL, NULL, MS_BIND, STEP_OPTIONAL);
                add_remount_ro(b, "/proc/sys/kernel/random/boot_id", NODEV_NOSUID_NOEXEC, STEP_OPTIONAL);
                add(b, STEP_UNLINK, NULL, "/run/.corral-boot-id", NULL, NULL, 0, 0);
        }
        /* These leak kernel internals or let the container poke the host kernel.  A mask that
         * cannot be applied stops the start: only a missing file is skipped. */
        for (size_t i = 0; i < ELEMENTSOF(masked); i++)
                add(b, STEP_MASK, NULL, masked[i], NULL, NULL, 0, STEP_OPTIONAL);
        for (size_t i = 0; i < ELEMENTSOF(read_only); i++) {
                add(b, STEP_BIND_ROOT, read_only[i], read_only[i], NULL, NULL, MS_BIND | MS_REC, STEP_OPTIONAL);
                add_remount_ro(b, read_only[i], NODEV_NOSUID_NOEXEC, STEP_OPTIONAL | STEP_RECURSIVE);
        }
}

static bool etc_writable(const Settings *s)
{
        /* As nspawn: a read-only image is still writable under --volatile=yes (and overlay). */
        return (!s->read_only || s->volatile_mode == VOLATILE_YES || s->volatile_mode == VOLATILE_OVERLAY) && s->volatile_mode != VOLATILE_STATE;
}

ResolvConfMode resolv_conf_mode_resolve(const Settings *s, const HostFacts *h)
{
        bool ro = !etc_writable(s);
        if (s->resolv_conf != RESOLV_CONF_AUTO)
                return s->resolv_conf;
        /* A network of its own: the host's name servers may not be reachable from there, and the
         * guest's own configuration stays, as nspawn 252's auto. */
        if (h->private_network)
                return RESOLV_CONF_OFF;
        if (h->have_static_resolv)
                return ro ? RESOLV_CONF_BIND_STATIC : RESOLV_CONF_COPY_STATIC;
        if (h->have_resolv_conf)
                return ro ? RESOLV_CONF_BIND_HOST : RESOLV_CONF_COPY_HOST;
        return ro ? RESOLV_CONF_OFF : RESOLV_CONF_DELETE;
}

TimezoneMode timezone_mode_resolve(const Settings *s, const HostFacts *h)
{
        bool ro = !etc_writable(s);
        if (s->timezone != TIMEZONE_AUTO)
                return s->timezone;
        if (!h->localtime_exists)
                return ro ? TIMEZONE_OFF : TIMEZONE_DELETE;
        if (!h->localtime_link)
                return ro ? TIMEZONE_BIND : TIMEZONE_COPY;
        return ro ? TIMEZONE_BIND : TIMEZONE_SYMLINK;
}

int mount_plan_build(const Settings *s, const HostFacts *h, MountPlan *ret, Error *e)
{
        MountPlan plan = {0};
        Builder b = {.plan = &plan};
        MountStep *m;

        plan_root(&b, s, h);
        if (!has_custom_mount_at(s, "/tmp") && !s->no_tmpfs_tmp)
                add(&b, STEP_MOUNT, "tmpfs", "/tmp", "tmpfs", "mode=1777", MS_NOSUID | MS_NODEV | MS_STRICTATIME, STEP_MKDIR_TARGET);
        add(&b, STEP_MOUNT, "sysfs", "/sys", "sysfs", NULL, NODEV_NOSUID_NOEXEC | (h->api_vfs_writable ? 0 : MS_RDONLY), STEP_MKDIR_TARGET);
        if (h->have_cgroup2)
                add(&b, STEP_MOUNT, "cgroup2", "/sys/fs/cgroup", "cgroup2", NULL, NODEV_NOSUID_NOEXEC, 0);
        if (h->have_cgroup2 && h->cgroup_own) {
                /* No cgroup namespace: the whole hierarchy, read-only but for the container's
                 * own cgroup, as nspawn's mount_systemd_cgroup_writable(). */
                _cleanup_free_ char *own = path_join("/sys/fs/cgroup", h->cgroup_own);
                if (!own)
                        b.r = -ENOMEM;
                else {
                        add(&b, STEP_BIND_ROOT, own, own, NULL, NULL, MS_BIND, 0);
                        add_remount_ro(&b, "/sys/fs/cgroup", NODEV_NOSUID_NOEXEC, 0);
                }
        }
        plan_dev(&b, h);
        plan_run_host(&b, s, h);

        if ((m = add(&b, STEP_RESOLV_CONF, NULL, "/etc/resolv.conf", NULL, NULL, 0, 0)))
                m->mode_enum = (int)resolv_conf_mode_resolve(s, h);
        if ((m = add(&b, STEP_TIMEZONE, NULL, "/etc/localtime", NULL, NULL, 0, 0))) {
                m->mode_enum = (int)timezone_mode_resolve(s, h);
                if (h->localtime_link) {
                        const char *z =
                                startswith(h->localtime_link, "../usr/share/zoneinfo/") ?: startswith(h->localtime_link, "/usr/share/zoneinfo/");
                        if (z && !(m->source = strdup(z)))
                                b.r = -ENOMEM;
                }
        }
        if (s->link_journal != LINK_JOURNAL_NO && !s->ephemeral && h->machine_id &&
            (m = add(&b, STEP_JOURNAL, h->machine_id, "/var/log/journal", NULL, NULL, 0, 0)))
                m->mode_enum = (int)s->link_journal;

        plan_custom_mounts(&b, s);
        plan_bound_homes(&b, h);
        plan_proc(&b, h);

        if (b.r < 0) {
                mount_plan_done(&plan);
                return error_set(e, b.r, "cannot build the mount plan: out of memory");
        }
        *ret = plan;
        return 0;
}

void mount_plan_done(MountPlan *p)
{
        for (size_t i = 0; i < p->n_steps; i++) {
                MountStep *m = &p->steps[i];
                free(m->source);
                free(m->target);
                free(m->fstype);
                free(m->options);
                strv_free(m->lower);
                free(m->work);
                free(m->content);
                if (m->idmap_fd >= 0)
                        close(m->idmap_fd);
                if (m->upper_idmap_fd >= 0)
                        close(m->upper_idmap_fd);
        }
        free(p->steps);
        *p = (MountPlan){0};
}

void mount_plan_dump(const MountPlan *p, FILE *f)
{
        for (size_t i = 0; i < p->n_steps; i++) {
                const MountStep *m = &p->steps[i];
                fprintf(f, "%-12s %s", mount_step_type_to_string(m->type), strempty(m->target));
                if (m->source)
                        fprintf(f, " <- %s", m->source);
                if (m->fstype)
                        fprintf(f, " type=%s", m->fstype);
                if (m->options)
                        fprintf(f, " opts=%s", m->options);
                if (m->lower)
                        for (char **l = m->lower; *l; l++)
                                fprintf(f, " lower=%s", *l);
                if (m->flags & MS_RDONLY)
                        fputs(" ro", f);
                if (m->step_flags & STEP_OPTIONAL)
                        fputs(" optional", f);
                fputc('\n', f);
        }
}
