/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <stdarg.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>

#include "log.h"
#include "capability.h"
#include "cgroup.h"
#include "container.h"
#include "device-policy.h"
#include "fs-util.h"
#include "image-child.h"
#include "image.h"
#include "bind-user.h"
#include "launch.h"
#include "mount-plan.h"
#include "net-names.h"
#include "raw-image.h"
#include "registry.h"
#include "seccomp-policy.h"
#include "parse-util.h"
#include "strv.h"
#include "userns.h"
#include "verify.h"

#define RUN_DIR "/run/corral"
#define LOCK_DIR IMAGE_LOCK_DIR
#define SCRATCH_DIR RUN_DIR "/scratch"
#define CACHE_DIR RUN_DIR "/cache"
#define MACHINES_DIR RUN_DIR "/machines"

int launch_resolve_image(Settings *s, Error *e)
{
        int r;
        if (s->image && (s->directory || s->template_path))
                return error_set(e, -EINVAL, "--directory=, --template= and --image= may not be combined");
        if (s->root_hash && !s->image)
                return error_set(e, -EINVAL, "--root-hash= verifies the image of --image=, and there is none");
        if (!s->directory && !s->image && s->machine) {
                char *path;
                if (s->template_path)
                        return error_set(e, -EINVAL, "--template= needs -D/--directory= to say where the new tree goes");
                if ((r = image_find(s->machine, &path, e)) < 0)
                        return r;
                *(r == 1 ? &s->image : &s->directory) = path;
        }
        if (s->image) {
                /* The name from the image's file: "disk.raw" is "disk". */
                if (!s->machine) {
                        _cleanup_free_ char *stripped = strdup(s->image);
                        char *dot = stripped ? strrchr(stripped, '.') : NULL;
                        if (!stripped)
                                return -ENOMEM;
                        if (dot && streq(dot, ".raw") && dot > stripped && dot[-1] != '/')
                                *dot = 0;
                        if ((r = image_name_from_path(stripped, &s->machine)) < 0)
                                return error_set(e, -EINVAL, "cannot derive a machine name from %s; give one with -M", s->image);
                }
                return 0; /* the directory comes when it is mounted */
        }
        if (!s->directory) {
                if (!(s->directory = getcwd(NULL, 0)))
                        return error_set_errno(e, negative_errno(), "cannot get the current directory");
        }
        if (!s->machine) {
                if ((r = image_name_from_path(s->directory, &s->machine)) < 0)
                        return error_set(e, -EINVAL, "cannot derive a machine name from %s; give one with -M", s->directory);
                /* The settings are the image's, found by its name, not by the random suffix
                 * below (nspawn's rule since systemd issue 13297); -M NAME: NAME's. */
                if (!(s->settings_name = strdup(s->machine)))
                        return -ENOMEM;
                if (s->ephemeral) {
                        /* Each ephemeral run is its own machine, so several can run at once. */
                        uint8_t rnd[8];
                        char *n;
                        if (getrandom(rnd, sizeof(rnd), 0) != sizeof(rnd))
                                return error_set_errno(e, negative_errno(), "getrandom() failed");
                        if (asprintf(&n, "%.47s-%02x%02x%02x%02x%02x%02x%02x%02x", s->machine, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6],
                                     rnd[7]) < 0)
                                return -ENOMEM;
                        free(s->machine);
                        s->machine = n;
                }
        }
        return 0;
}

int launch_load_settings_file(Settings *s, char ***warnings, Error *e)
{
        _cleanup_free_ char *path = NULL;
        bool trusted;
        Settings f;
        int r;

        if (s->settings_mode != SETTINGS_NO) {
                if ((r = settings_file_find(s->settings_name ? s->settings_name : s->machine, s->image ? s->image : s->directory, &path, &trusted,
                                            e)) < 0)
                        return r;
                log_debug("settings file: %s%s", path ? path : "none", path && (trusted || s->settings_mode == SETTINGS_TRUSTED) ? " (trusted)" : "");
                if (path) {
                        settings_init(&f);
                        if ((r = settings_file_load(&f, path, warnings, e)) >= 0)
                                r = settings_merge(s, &f, trusted || s->settings_mode == SETTINGS_TRUSTED, path, warnings, e);
                        settings_done(&f);
                        if (r < 0)
                                return r;
                }
        }
        /* Profiles apply to the merged settings, wherever they were asked for. */
        if ((r = settings_apply_nesting(s, warnings)) < 0)
                return error_set_errno(e, r, "cannot apply the --nesting profile");
        return 0;
}

int launch_mount_image(Settings *s, char ***warnings, Error *e)
{
        int r;
        if (!s->image)
                return 0;
        if (s->root_hash && !raw_image_have_verity())
                return error_set(e, -EOPNOTSUPP,
                                 "--root-hash=: the kernel has no device-mapper (CONFIG_BLK_DEV_DM, CONFIG_DM_VERITY), so %s cannot be verified; "
                                 "run it without --root-hash= only if you trust it",
                                 s->image);
        if (s->root_hash)
                return error_set(e, -EOPNOTSUPP, "--root-hash=: corral cannot set up dm-verity yet; run %s without --root-hash= only if you trust it",
                                 s->image);
        /* In a mount namespace of the supervisor's own: the image's mounts, and with them its
         * loop devices, go when the supervisor goes, however it ends. */
        if ((r = raw_image_mount(s->image, s->read_only, warnings, e)) < 0)
                return r;
        free(s->directory);
        return (s->directory = strdup(RAW_IMAGE_ROOT)) ? 0 : -ENOMEM;
}

int launch_verify(const Settings *s, Error *e)
{
        CpuSet available = {0};
        bool known = sched_getaffinity(0, sizeof(available), (cpu_set_t *)&available) == 0;
        int r = settings_verify(s, known ? &available : NULL, e);
        return r < 0 ? r : settings_verify_sources(s, e);
}

/* The device policy on the container's cgroup: nspawn's closed set, plus every device node the
 * user binds in (an explicit grant: --bind=/dev/kmsg is how Docker-in-a-container is run). */
/* The device policy's rules beyond the defaults, and the v1 devices cgroup where that is used.
 * The cgroup2 program itself is loaded and attached by container_spawn() while the child
 * builds its file system (it takes 0.3 ms; the child waits for it before its payload runs). */
typedef struct DevicePlan {
        DeviceRule extra[64];
        size_t n_extra;
        size_t n_defaults; /* how many of device_policy_default() apply */
        char **nodes;      /* DeviceAllow= nodes to create in the container's /dev */
} DevicePlan;

static int prepare_device_policy(const Settings *s, const ContainerCgroup *cg, DevicePlan *d, DevicesV1 *v1, Error *e)
{
        int cgroup_fd = cg->fd;
        const Resources *res = &s->resources;
        size_t n_def;
        int r;
        /* The v1 devices controller only where there is no cgroup2 program to do the job:
         * moving a task between v1 cgroups waits for an RCU grace period (22 ms measured on a
         * hybrid host, six times corral's whole start).  CORRAL_DEVICE_POLICY_V1=1 uses it on a
         * hybrid host too; the tests do, to check that code where there is no v1-only host. */
        const char *force_v1 = getenv("CORRAL_DEVICE_POLICY_V1");
        bool have_v1 = (cgroup_fd < 0 || (force_v1 && streq(force_v1, "1"))) && device_policy_v1_available();
        if (cgroup_fd < 0 && !have_v1)
                return error_set(
                        e, -EOPNOTSUPP,
                        "cannot enforce the device policy: this host has neither a cgroup2 hierarchy nor the cgroup v1 devices controller mounted");
        (void)device_policy_default(&n_def);
        /* auto: nspawn's set and the nodes bound in; closed: the standard pseudo devices (all
         * but the last default, /dev/net/tun); strict: DeviceAllow= alone. */
        d->n_defaults = res->device_policy == DEVICE_POLICY_AUTO ? n_def : res->device_policy == DEVICE_POLICY_CLOSED ? n_def - 1 : 0;
        d->n_extra = 0;
        for (size_t i = 0; res->device_policy == DEVICE_POLICY_AUTO && i < s->n_custom_mounts; i++) {
                const CustomMount *m = &s->custom_mounts[i];
                struct stat st;
                if (m->type != CUSTOM_MOUNT_BIND || !m->source || m->source_in_root || stat(m->source, &st) < 0 ||
                    !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)))
                        continue;
                if (d->n_extra == ELEMENTSOF(d->extra))
                        return error_set(e, -E2BIG, "too many device nodes bound into the container (at most %zu)", ELEMENTSOF(d->extra));
                d->extra[d->n_extra++] = (DeviceRule){
                        .type = S_ISCHR(st.st_mode) ? 'c' : 'b',
                        .major = major(st.st_rdev),
                        .major_last = major(st.st_rdev),
                        .minor = minor(st.st_rdev),
                        .access = DEVICE_READ | (m->read_only ? 0 : DEVICE_WRITE),
                };
        }
        DeviceRule *allow = NULL;
        size_t n_allow = 0;
        if ((r = resources_device_rules(res, NULL, &allow, &n_allow, &d->nodes, e)) < 0)
                return r;
        if (d->n_extra + n_allow > ELEMENTSOF(d->extra)) {
                free(allow);
                return error_set(e, -E2BIG, "too many device rules (DeviceAllow= and bound nodes: at most %zu)", ELEMENTSOF(d->extra));
        }
        if (n_allow)
                memcpy(d->extra + d->n_extra, allow, n_allow * sizeof(*allow));
        d->n_extra += n_allow;
        free(allow);
        if (have_v1 && (r = device_policy_v1_create(cg->rel, cg->keep, d->n_defaults, d->extra, d->n_extra, v1, e)) < 0)
                return r;
        return 0;
}

/* With a user namespace over a tree owned by 0-65535, the parts of the image that are mounted
 * other than as the root (an overlay's lower layer for --ephemeral/--volatile=overlay, /usr
 * for --volatile=yes, an overlay child and its base) are idmapped too. */
static int idmap_image_layers(const Settings *s, const UsernsPlan *u, MountPlan *plan, Error *e)
{
        char map[USERNS_MAP_MAX];
        int r;
        if (u->tree_base != 0 && u->tree_base != u->shift)
                return error_set(e, -EINVAL,
                                 "%s is owned by the range from %u, which can be neither used nor idmapped as it is for this user namespace",
                                 s->directory, u->tree_base);
        /* Owned by the range already: plain copies; owned by 0-65535: idmapped ones. */
        const char *mp = u->tree_base == u->shift ? NULL : userns_plan_map(u, map);
        for (size_t i = 0; i < plan->n_steps; i++) {
                MountStep *m = &plan->steps[i];
                if (m->type == STEP_ROOT_OVERLAY && (m->step_flags & STEP_CHILD_IMAGE)) {
                        /* The base; and the child with its work directory beside it (the
                         * directory that holds both), or the child alone as a lower layer. */
                        _cleanup_free_ char *child = m->source ? path_dirname(m->source) : strdup(m->lower[0]);
                        if (!child)
                                return -ENOMEM;
                        if ((r = userns_detached_mount(m->lower[strv_length(m->lower) - 1], mp, mp, true, &m->idmap_fd, e)) < 0 ||
                            (r = userns_detached_mount(child, mp, mp, false, &m->upper_idmap_fd, e)) < 0)
                                return r;
                } else if (m->type == STEP_ROOT_OVERLAY && !m->source && strv_length(m->lower) == 1) {
                        if ((r = userns_detached_mount(m->lower[0], mp, mp, true, &m->idmap_fd, e)) < 0)
                                return r;
                } else if (m->type == STEP_IMAGE_BIND) {
                        _cleanup_free_ char *p = path_join(s->directory, m->source);
                        if (!p)
                                return -ENOMEM;
                        if ((r = userns_detached_mount(p, mp, mp, (m->flags & MS_REC) != 0, &m->idmap_fd, e)) < 0)
                                return r;
                }
        }
        return 0;
}

/* An overlay child is idmapped (its base could not be chowned with it): -U's "auto" maps it, and
 * "chown" is refused. */
static int child_ownership(const Settings *s, UsernsPlan *u, Error *e)
{
        if (u->ownership == USER_NAMESPACE_OWNERSHIP_AUTO)
                u->ownership = USER_NAMESPACE_OWNERSHIP_MAP;
        if (u->ownership == USER_NAMESPACE_OWNERSHIP_CHOWN && u->tree_base != u->shift)
                return error_set(
                        e, -EINVAL,
                        "--private-users-ownership=chown cannot shift %s: it is an overlay child image, and its base would stay as it is; use map "
                        "(or -U)",
                        s->directory);
        return 0;
}

/* In a user namespace the child is an unprivileged UID on the host and may not be able to reach
 * a bind's source (say, below a 0700 directory), and could not bind what it opened before the
 * clone (that belongs to the host's mount namespace): it gets detached copies made here. */
static int clone_bind_sources(MountPlan *plan, Error *e)
{
        for (size_t i = 0; i < plan->n_steps; i++) {
                MountStep *m = &plan->steps[i];
                if (m->type != STEP_BIND || m->idmap_fd >= 0 || !m->source)
                        continue;
                if (access(m->source, F_OK) < 0 && errno == ENOENT)
                        continue; /* the child says what is missing, or skips an optional one */
                int r = userns_detached_mount(m->source, NULL, NULL, (m->flags & MS_REC) != 0, &m->idmap_fd, e);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The bind mounts with idmap options, as detached idmapped mounts the child attaches.  The
 * maps are the container's view: HOST_UID CONTAINER_ROOT_ON_HOST+CONTAINER_UID COUNT.  Without
 * a user namespace (u is NO_USERNS) the container's IDs are the host's: rootidmap still makes
 * the source's owner root inside, as nspawn 252 does, owneridmap the target's owner, and idmap
 * (the container's own map: the host's) is a plain bind. */
#define NO_USERNS ((const UsernsPlan){.range = UINT32_MAX, .lock_fd = -1, .root_fd = -1, .sysfs_fd = -1})

static int idmap_binds(const Settings *s, const UsernsPlan *u, MountPlan *plan, Error *e)
{
        for (size_t i = 0; i < plan->n_steps; i++) {
                MountStep *m = &plan->steps[i];
                if (m->custom_index < 0 || m->type != STEP_BIND)
                        continue;
                const CustomMount *c = &s->custom_mounts[m->custom_index];
                char map[512] = "", gmap[512] = "";
                struct stat st, tst;
                int r;
                if (c->idmap == BIND_IDMAP_NONE)
                        continue;
                if (stat(c->source, &st) < 0)
                        return error_set_errno(e, -errno, "--bind=%s: cannot look at the source", c->source);
                switch (c->idmap) {
                case BIND_IDMAP_SAME:
                        if (!u->enabled)
                                continue;
                        userns_plan_map(u, map);
                        snprintf(gmap, sizeof(gmap), "%s", map);
                        break;
                case BIND_IDMAP_ROOT:
                        snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)st.st_uid, u->shift);
                        snprintf(gmap, sizeof(gmap), "%u %u 1\n", (unsigned)st.st_gid, u->shift);
                        break;
                case BIND_IDMAP_OWNER: {
                        /* The target's owner as the container sees it: on disk, less the tree's base. */
                        _cleanup_free_ char *t = path_join(s->directory, c->destination);
                        if (!t)
                                return -ENOMEM;
                        if (lstat(t, &tst) < 0)
                                return error_set_errno(e, -errno, "--bind=%s:%s:owneridmap: the target must exist in the tree to say whose it is",
                                                       c->source, c->destination);
                        uint32_t tu = tst.st_uid - u->tree_base, tg = tst.st_gid - u->tree_base;
                        snprintf(map, sizeof(map), "%u %u 1\n", (unsigned)st.st_uid, u->shift + tu);
                        snprintf(gmap, sizeof(gmap), "%u %u 1\n", (unsigned)st.st_gid, u->shift + tg);
                        break;
                }
                case BIND_IDMAP_EXPLICIT:
                        for (size_t k = 0; k < c->n_idmap_entries; k++) {
                                const uint32_t *x = c->idmap_entries[k];
                                if ((uint64_t)x[1] + x[2] > u->range)
                                        return error_set(e, -ERANGE, "--bind=%s: idmap=%u:%u:%u reaches past the container's %u IDs", c->source, x[0],
                                                         x[1], x[2], u->range);
                                size_t n = strlen(map);
                                snprintf(map + n, sizeof(map) - n, "%u %u %u\n", x[0], u->shift + x[1], x[2]);
                        }
                        snprintf(gmap, sizeof(gmap), "%s", map);
                        break;
                default:
                        continue;
                }
                if ((r = userns_detached_mount(c->source, map, gmap, (m->flags & MS_REC) != 0, &m->idmap_fd, e)) < 0)
                        return r;
        }
        return 0;
}

static bool host_has(const char *p)
{
        return access(p, F_OK) == 0;
}

static int format_env(char ***env, const char *fmt, ...) _printf_(2, 3);
static int format_env(char ***env, const char *fmt, ...)
{
        va_list ap;
        char *a;
        va_start(ap, fmt);
        int n = vasprintf(&a, fmt, ap);
        va_end(ap);
        return n < 0 ? -ENOMEM : strv_push(env, a);
}

static void add_host_os_release(char ***env, const char *os_release)
{
        static const char *const keys[] = {"VERSION_ID", "BUILD_ID", "ID", "VARIANT_ID", "IMAGE_ID", "IMAGE_VERSION"};
        _cleanup_free_ char *text = NULL;
        if (!os_release || read_full_file(os_release, &text, NULL) < 0)
                return;
        for (size_t k = 0; k < ELEMENTSOF(keys); k++) {
                _cleanup_free_ char *v = os_release_value(text, keys[k]), *lower = strdup(keys[k]);
                if (!v || !lower)
                        continue;
                for (char *c = lower; *c; c++)
                        *c = (char)(*c >= 'A' && *c <= 'Z' ? *c + 32 : *c);
                (void)format_env(env, "container_host_%s=%s", lower, v);
        }
}

static ConsoleMode resolve_console(const Settings *s)
{
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        if (s->console_mode == _CONSOLE_MAX)
                return tty ? CONSOLE_INTERACTIVE : CONSOLE_READ_ONLY;
        if (s->console_mode == CONSOLE_AUTOPIPE)
                return tty ? CONSOLE_INTERACTIVE : CONSOLE_PIPE;
        return s->console_mode;
}

static void random_uuid(uint8_t id[16])
{
        if (getrandom(id, 16, 0) != 16)
                memset(id, 0x42, 16);
        id[6] = (id[6] & 0x0f) | 0x40; /* version 4 */
        id[8] = (id[8] & 0x3f) | 0x80;
}

typedef struct Launch {
        Settings *s;
        ConsoleMode console;
        char uuid[37], machine_id[33], boot_id[37];
        const char *os_release;
        char localtime_link[4096];
        bool have_localtime_link;
        _Bool have_cgroup2;
        char **env;
        const char *child_lower, *child_work; /* an overlay child image's base and work directory */
} Launch;

/* The tree to read path of the image from: an overlay child's, or its base's where the child
 * has nothing at path. */
static const char *tree_for(const Launch *l, const char *path)
{
        return l->child_lower ? image_child_layer(l->s->directory, l->child_lower, path) : l->s->directory;
}

static int build_environment(Launch *l)
{
        const char *term = getenv("TERM");
        int r = 0;
        r = r ?: format_env(&l->env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        r = r ?: format_env(&l->env, "container=systemd-nspawn");
        if (term)
                r = r ?: format_env(&l->env, "TERM=%s", term);
        r = r ?: format_env(&l->env, "container_uuid=%s", l->uuid);
        r = r ?: format_env(&l->env, "NOTIFY_SOCKET=/run/host/notify");
        if (l->s->n_credentials > 0)
                r = r ?: format_env(&l->env, "CREDENTIALS_DIRECTORY=/run/host/credentials");
        r = r ?: format_env(&l->env, "LANG=C.UTF-8");
        add_host_os_release(&l->env, l->os_release);
        return r;
}

/* corral-net (src/net): $CORRAL_NET_HELPER, beside corral, in the build tree, or installed. */
static int find_net_helper(char **ret, Error *e)
{
        const char *env = getenv("CORRAL_NET_HELPER");
        if (env && *env)
                return (*ret = strdup(env)) ? 0 : -ENOMEM;
        char exe[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
        _cleanup_free_ char *dir = NULL;
        if (n > 0) {
                exe[n] = 0;
                dir = path_dirname(exe);
        }
        const char *const rel[] = {"corral-net", "../net/corral-net"};
        for (size_t i = 0; dir && i < ELEMENTSOF(rel); i++) {
                char *p = path_join(dir, rel[i]);
                if (!p)
                        return -ENOMEM;
                if (access(p, X_OK) == 0)
                        return (*ret = p), 0;
                free(p);
        }
        if (access(CORRAL_LIBEXECDIR "/corral-net", X_OK) == 0)
                return (*ret = strdup(CORRAL_LIBEXECDIR "/corral-net")) ? 0 : -ENOMEM;
        return error_set(e, -ENOENT, "network links need corral-net, which is not installed (looked beside %s and in %s)", dir ? dir : "corral",
                         CORRAL_LIBEXECDIR);
}

/* ID= and VERSION_ID= of the tree's os-release (links resolved inside the tree). */
static void tree_os_release(const char *tree, MachineRecord *m)
{
        _cleanup_free_ char *text = NULL;
        if (image_read_os_release(tree, &text) < 0)
                return;
        _cleanup_free_ char *id = os_release_value(text, "ID"), *version = os_release_value(text, "VERSION_ID");
        snprintf(m->os, sizeof(m->os), "%s", id ? id : "");
        snprintf(m->version, sizeof(m->version), "%s", version ? version : "");
}

/* The signal that shuts the tree's init down cleanly, for corralctl poweroff: systemd's
 * SIGRTMIN+4, busybox init's SIGUSR2; 0 for an init corral does not know. */
static int init_poweroff_signal(const char *tree)
{
        static const char *const systemd[] = {"/usr/lib/systemd/systemd", "/lib/systemd/systemd"};
        _cleanup_close_ int root = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(systemd); i++) {
                int fd = open_in_root(root, systemd[i], O_PATH, 0);
                if (fd >= 0) {
                        close(fd);
                        return SIGNAL_RTMIN + 4;
                }
        }
        _cleanup_close_ int init = open_in_root(root, "/sbin/init", O_PATH, 0);
        char buf[FD_PATH_MAX], target[PATH_MAX];
        ssize_t n = init < 0 ? -1 : readlink(fd_path(init, buf), target, sizeof(target) - 1);
        if (n <= 0)
                return 0;
        target[n] = 0;
        return streq(path_basename(target), "busybox") ? SIGUSR2 : 0;
}

/* The machine's record, but what only the running container gives (PIDs, times). */
static void machine_record_prepare(const Launch *l, const ContainerCgroup *cg, int kill_signal, MachineRecord *m)
{
        const Settings *s = l->s;
        *m = (MachineRecord){
                .boot = s->start_mode == START_BOOT,
                .kill_signal = kill_signal,
                .poweroff_signal = s->poweroff_signal,
                .caps_bounding = settings_capabilities(s),
                .caps_ambient = s->capability_ambient,
                .no_new_privs = s->no_new_privileges > 0,
        };
        if (!m->poweroff_signal && m->boot)
                m->poweroff_signal = init_poweroff_signal(s->directory);
        if (!m->poweroff_signal && m->boot && l->child_lower)
                m->poweroff_signal = init_poweroff_signal(l->child_lower);
        /* An init corral does not know gets machined's SIGRTMIN+4 (systemd's "poweroff"); a
         * container without an init its kill signal. */
        if (!m->poweroff_signal)
                m->poweroff_signal = m->boot ? SIGNAL_RTMIN + 4 : kill_signal;
        snprintf(m->name, sizeof(m->name), "%s", s->machine);
        snprintf(m->root, sizeof(m->root), "%s", s->image ? s->image : s->directory);
        snprintf(m->class_, sizeof(m->class_), "container");
        snprintf(m->service, sizeof(m->service), "corral");
        _cleanup_free_ char *record = container_cgroup_record(cg);
        snprintf(m->cgroup, sizeof(m->cgroup), "%s", record ? record : "");
        for (size_t i = 0, j = 0; l->uuid[i] && j < sizeof(m->id) - 1; i++)
                if (l->uuid[i] != '-')
                        m->id[j++] = l->uuid[i];
        tree_os_release(tree_for(l, "/etc/os-release"), m);
}

/* --network-namespace-path=: a network namespace file (/run/netns/NAME, /proc/PID/ns/net). */
static int open_netns(const char *path, int *ret, Error *e)
{
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, -errno, "--network-namespace-path=%s: cannot open it", path);
        int type = ioctl(fd, NS_GET_NSTYPE);
        if (type != CLONE_NEWNET) {
                close(fd);
                return error_set(e, -EINVAL,
                                 "--network-namespace-path=%s is not a network namespace (give a file like /run/netns/NAME or /proc/PID/ns/net)",
                                 path);
        }
        *ret = fd;
        return 0;
}

/* --bind-user=: the users, resolved against the host and the tree, and their IDs mapped. */
static int bind_users(const Settings *s, UsernsPlan *u, BoundUser **ret, size_t *ret_n, Error *e)
{
        _cleanup_close_ int tree = open(s->directory, O_PATH | O_DIRECTORY | O_CLOEXEC);
        BoundUser *b;
        size_t n;
        int r;
        if (tree < 0)
                return error_set_errno(e, -errno, "cannot open %s", s->directory);
        if ((r = bound_users_resolve(s->bind_users, tree, u->shift, u->range, &b, &n, e)) < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                if ((r = userns_plan_bind_id(u, b[i].uid, b[i].host_uid, b[i].host_gid)) < 0) {
                        bound_users_free(b, n);
                        return error_set(e, r, "out of memory");
                }
        *ret = b;
        *ret_n = n;
        return 0;
}

/* The bound users of a run, freed with it. */
typedef struct BoundUsers {
        BoundUser *users;
        size_t n;
} BoundUsers;

static void bound_users_done(BoundUsers *b)
{
        bound_users_free(b->users, b->n);
        *b = (BoundUsers){0};
}

static void device_plan_done(DevicePlan *d)
{
        d->nodes = strv_free(d->nodes);
}

static void filter_done(struct sock_fprog *f)
{
        f->filter = mfree(f->filter);
}

/* The first process, from the settings. */
static ProcessSpec process_spec(const Settings *s)
{
        ProcessSpec p = {
                .start_mode = s->start_mode,
                .argv = s->parameters,
                .environment = s->environment,
                .user = s->user,
                .working_directory = s->working_directory,
                .personality = s->personality,
                .rlimits = s->rlimit,
                .have_oom_score_adjust = s->have_oom_score_adjust,
                .oom_score_adjust = s->oom_score_adjust,
                .cpu_affinity = s->have_cpu_affinity ? &s->cpu_affinity : NULL,
        };
        for (int l = 0; l < RLIMIT_NLIMITS; l++)
                if (s->mask & SETTING_RLIMIT(l))
                        p.rlimit_set |= UINT64_C(1) << l;
        return p;
}

/* The links and what is set up on them, from the settings. */
static NetworkSpec network_spec(const Settings *s)
{
        return (NetworkSpec){
                .veth = s->network_veth > 0,
                .veth_extra = s->network_veth_extra,
                .macvlan = s->network_macvlan,
                .ipvlan = s->network_ipvlan,
                .interfaces = s->network_interfaces,
                .masquerade = s->network_masquerade > 0,
                .ports = s->ports,
                .n_ports = s->n_ports,
                .address = s->network_address,
        };
}

/* The mount plan, one debug line per step. */
static void log_plan(const MountPlan *plan)
{
        _cleanup_free_ char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (!f)
                return;
        mount_plan_dump(plan, f);
        if (fclose(f) != 0 || !text)
                return;
        for (char *line = text, *end; *line; line = end + 1) {
                end = strchrnul(line, '\n');
                bool last = !*end;
                *end = 0;
                log_debug("plan: %s", line);
                if (last)
                        break;
        }
}

/* One boot of the container.  Its resources are declared first and each is freed in one
 * place, by its cleanup function, in the reverse order: the mount plan, the filter, the user
 * namespace's range, the device rules, then the cgroups (the v1 devices cgroup before the
 * others). */
static int run_once(Launch *l, ContainerStatus *status, Error *e)
{
        Settings *s = l->s;
        _cleanup_(container_cgroup_release) ContainerCgroup cg = CONTAINER_CGROUP_NULL;
        _cleanup_(device_policy_v1_remove) DevicesV1 devices_v1 = DEVICES_V1_NULL;
        _cleanup_(device_plan_done) DevicePlan devices = {0};
        _cleanup_(userns_plan_done) UsernsPlan userns = USERNS_PLAN_NULL;
        _cleanup_(bound_users_done) BoundUsers bound = {0};
        _cleanup_(filter_done) struct sock_fprog filter = {0};
        _cleanup_(mount_plan_done) MountPlan plan = {0};
        _cleanup_close_ int netns = -1;
        _cleanup_free_ char *net_helper = NULL;
        char static_host_side[32] = "", static_gateway[INET_ADDRSTRLEN] = "", zone_bridge[IFNAMSIZ] = "";
        uint8_t bid[16];
        int r;

        /* Each boot gets a fresh boot id. */
        random_uuid(bid);
        format_uuid(bid, l->boot_id);

        if (s->network_namespace_path && (r = open_netns(s->network_namespace_path, &netns, e)) < 0)
                return r;
        if ((s->network_address || s->network_gateway) && (r = settings_static_address(s, static_host_side, static_gateway, e)) < 0)
                return r;
        if (s->network_zone)
                net_link_name("vz-", s->network_zone, zone_bridge);
        if (settings_needs_links(s) && (r = find_net_helper(&net_helper, e)) < 0)
                return r;
        HostFacts h = {
                .proc_sys_net_writable = settings_private_network(s) || s->nesting > 0 || s->api_vfs == API_VFS_NETWORK,
                .api_vfs_writable = s->api_vfs == API_VFS_WRITABLE,
                .private_network = settings_private_network(s),
                .image = s->directory,
                .os_release = l->os_release,
                .localtime_link = l->have_localtime_link ? l->localtime_link : NULL,
                .localtime_exists = host_has("/etc/localtime"),
                .have_resolv_conf = host_has("/etc/resolv.conf"),
                .have_static_resolv = false, /* needs resolved on the bus; corral does not ask D-Bus */
                .have_dev_net_tun = host_has("/dev/net/tun"),
                .have_kcore = host_has("/proc/kcore"),
                .tty_console = l->console != CONSOLE_PIPE,
                .notify_socket = true,
                .uuid = l->uuid,
                .machine_id = l->machine_id,
                .boot_id = l->boot_id,
        };
        h.template_lower = l->child_lower;
        h.child_work = l->child_work;

        if ((r = seccomp_build_policy(settings_capabilities(s), s->syscall_allow_list, s->syscall_deny_list, s->suppress_sync > 0, CACHE_DIR, &filter,
                                      e)) < 0)
                return r;
        if ((r = userns_plan(s, s->directory, s->machine, LOCK_DIR, &userns, e)) < 0)
                return r;
        if (userns.enabled && l->child_lower && (r = child_ownership(s, &userns, e)) < 0)
                return r;
        if (userns.enabled && (((r = userns_prepare(&userns, s->directory, e)) < 0) ||
                               (!settings_private_network(s) && !s->network_namespace_path && (r = userns_prepare_sysfs(&userns, e)) < 0)))
                return r;
        if (userns.enabled && s->bind_users && (r = bind_users(s, &userns, &bound.users, &bound.n, e)) < 0)
                return r;
        h.bound_users = bound.users;
        h.n_bound_users = bound.n;
        if ((r = container_cgroup_create(s->machine, &s->resources, s->start_mode == START_BOOT, s->keep_unit, &cg, e)) < 0)
                return r;
        h.have_cgroup2 = cg.fd >= 0;
        if (s->no_cgns && !cg.cg2_private)
                h.cgroup_own = cg.rel;
        if (userns.enabled && (r = container_cgroup_delegate(&cg, userns.shift, e)) < 0)
                return r;
        if ((r = prepare_device_policy(s, &cg, &devices, &devices_v1, e)) < 0)
                return r;
        h.extra_dev_nodes = (const char *const *)devices.nodes;
        if ((r = mount_plan_build(s, &h, &plan, e)) < 0)
                return r;
        if ((r = idmap_binds(s, userns.enabled ? &userns : &NO_USERNS, &plan, e)) < 0)
                return r;
        if (userns.enabled && (r = clone_bind_sources(&plan, e)) < 0)
                return r;
        if (userns.enabled && (s->ephemeral || s->volatile_mode != VOLATILE_NO || l->child_lower) &&
            (r = idmap_image_layers(s, &userns, &plan, e)) < 0)
                return r;
        log_debug("run: machine %s, tree %s, cgroup %s, %s, seccomp filter of %u instructions", s->machine, s->directory, cg.rel ? cg.rel : "(none)",
                  userns.enabled ? "user namespace" : "no user namespace", (unsigned)filter.len);
        if (log_enabled(LOG_LEVEL_DEBUG))
                log_plan(&plan);

        RunConfig c = {
                .process = process_spec(s),
                .network = network_spec(s),
                .cgroup_namespace = !s->no_cgns,
                .private_network = settings_private_network(s) && !s->network_namespace_path,
                .netns_fd = netns,
                .net_helper = net_helper,
                .net_pool_lock = LOCK_DIR "/net-pool",
                .net_bridge = s->network_zone ? zone_bridge : s->network_bridge,
                .net_zone = s->network_zone,
                .net_zone_dir = RUN_DIR "/zones",
                .net_host_side = static_host_side,
                .net_gateway = static_gateway,
                .name = s->machine,
                .image = s->directory,
                .scratch = SCRATCH_DIR,
                .plan = &plan,
                .environment = l->env,
                .hostname = s->hostname ? s->hostname : s->machine,
                .kill_signal = s->kill_signal                ? s->kill_signal
                               : s->start_mode == START_BOOT ? SIGNAL_RTMIN + 3
                                                             : SIGKILL,
                .console = l->console,
                .quiet = s->quiet,
                .cgroup_fd = cg.fd,
                .notify_ready = s->notify_ready > 0,
                .caps_retain = settings_capabilities(s),
                .caps_ambient = s->capability_ambient,
                .no_new_privileges = s->no_new_privileges > 0,
                .seccomp = &filter,
                .userns = userns.enabled ? &userns : NULL,
                .devices_v1 = &devices_v1,
                .device_extra = devices.extra,
                .n_device_extra = devices.n_extra,
                .n_device_defaults = devices.n_defaults,
                .cgroup = &cg,
        };
        /* corralctl start: stdout is the machine's console log, which we keep small. */
        const char *log_max = getenv("CORRAL_CONSOLE_LOG_MAX");
        struct stat out;
        unsigned long long max;
        if (log_max && fstat(STDOUT_FILENO, &out) == 0 && S_ISREG(out.st_mode) && sscanf(log_max, "%llu", &max) == 1 && max >= 4096)
                c.console_log_max = (off_t)max;
        c.have_winsize = ioctl(STDOUT_FILENO, TIOCGWINSZ, &c.winsize) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &c.winsize) == 0;
        MachineRecord record;
        if (s->register_machine != 0) {
                machine_record_prepare(l, &cg, c.kill_signal, &record);
                c.registry_dir = MACHINES_DIR;
                c.record = &record;
        }
        return container_run(&c, status, e);
}

static int lock_base(const Launch *l, ImageLock *ret, Error *e)
{
        int r = image_lock_try(LOCK_DIR, l->child_lower, true, ret, e);
        if (r == -EBUSY)
                return error_set(e, r, "the base %s of the overlay child image %s is in use: a container runs on it writable; stop it first",
                                 l->child_lower, l->s->directory);
        if (r < 0)
                return error_prefix(e, "the base of the overlay child image %s", l->s->directory);
        return 0;
}

/* Under the name's and the tree's locks: the machine ID, the environment, and the boots until
 * one ends other than by a reboot. */
static int run_locked(Launch *l, Error *e)
{
        const Settings *s = l->s;
        /* (Released in the reverse order: the base, the tree, the name.) */
        _cleanup_(image_unlock) ImageLock name_lock = IMAGE_LOCK_NULL;
        _cleanup_(image_unlock) ImageLock tree_lock = IMAGE_LOCK_NULL;
        _cleanup_(image_unlock) ImageLock base_lock = IMAGE_LOCK_NULL;
        uint8_t id[16];
        ssize_t n;
        int r;

        if ((r = machine_name_lock(LOCK_DIR, s->machine, &name_lock, e)) < 0)
                return r;
        bool shared = s->ephemeral || s->read_only || s->volatile_mode != VOLATILE_NO;
        /* ($SYSTEMD_NSPAWN_LOCK=0: no image lock, as nspawn.) */
        if (!s->no_image_lock && (r = image_lock(LOCK_DIR, s->image ? s->image : s->directory, shared, &tree_lock, e)) < 0)
                return r;
        /* An overlay child's base is only read while it runs, and nothing may write to it. */
        if (!s->no_image_lock && l->child_lower && (r = lock_base(l, &base_lock, e)) < 0)
                return r;

        /* The tree's own machine ID wins; else --uuid; else a random one for this run. */
        if ((r = image_read_machine_id(tree_for(l, "/etc/machine-id"), id, e)) < 0)
                return r;
        if (r == 0) {
                if (s->have_uuid)
                        memcpy(id, s->uuid, 16);
                else
                        random_uuid(id);
        }
        format_uuid(id, l->uuid);
        format_id128(id, l->machine_id);

        l->os_release = host_has("/etc/os-release") ? "/etc/os-release" : host_has("/usr/lib/os-release") ? "/usr/lib/os-release" : NULL;
        n = readlink("/etc/localtime", l->localtime_link, sizeof(l->localtime_link) - 1);
        if (n > 0) {
                l->localtime_link[n] = 0;
                l->have_localtime_link = true;
        }
        if ((r = build_environment(l)) < 0)
                return error_set(e, r, "out of memory");

        for (;;) {
                ContainerStatus status = CONTAINER_TERMINATED;
                r = run_once(l, &status, e);
                if (r < 0 || status != CONTAINER_REBOOTED)
                        return r;
                if (s->keep_unit)
                        return 133; /* under a service manager: it restarts us (RestartForceExitStatus=133) */
        }
}

int launch_run(Settings *s, Error *e)
{
        Launch l = {.s = s};
        int r;

        if (s->template_path && access(s->directory, F_OK) < 0) {
                if (errno != ENOENT)
                        return error_set_errno(e, negative_errno(), "cannot look at %s", s->directory);
                if ((r = image_child_create(s->directory, s->template_path, e)) < 0)
                        return r;
        }
        _cleanup_free_ char *child_lower = NULL, *child_work = NULL;
        if (!s->image && (r = image_child_read(s->directory, &child_lower, &child_work)) < 0)
                return error_set_errno(e, r, "%s is an overlay child image, but its record .#%s.corral-child beside it cannot be read", s->directory,
                                       path_basename(s->directory));
        l.child_lower = child_lower;
        l.child_work = child_work;
        if (child_lower && s->volatile_mode == VOLATILE_YES)
                return error_set(
                        e, -EOPNOTSUPP,
                        "--volatile=yes cannot run %s: it is an overlay child image, and /usr would come from the child alone; use --volatile=overlay or --ephemeral",
                        s->directory);
        if ((r = image_check_os_tree(child_lower ? child_lower : s->directory, s->start_mode == START_BOOT, e)) < 0)
                return r;

        l.console = resolve_console(s);
        /* /run/corral may be passed through (0711) and the scratch directory is an empty 0755
         * anchor each child covers with its own tmpfs: a child in a user namespace, whose root
         * is an unprivileged UID here, must reach it.  The locks stay 0700. */
        if ((r = mkdir_p(SCRATCH_DIR, 0755)) < 0)
                return error_set_errno(e, r, "cannot create %s", SCRATCH_DIR);
        (void)chmod(RUN_DIR, 0711);
        (void)chmod(SCRATCH_DIR, 0755);
        /* From here on corral makes things it must remove (locks, cgroups, links): a SIGTERM or
         * SIGINT now waits for the supervisor, which stops the container and cleans up, instead
         * of killing corral half-way. */
        sigset_t stop, old_mask;
        sigemptyset(&stop);
        sigaddset(&stop, SIGTERM);
        sigaddset(&stop, SIGINT);
        sigaddset(&stop, SIGHUP);
        sigprocmask(SIG_BLOCK, &stop, &old_mask);
        r = run_locked(&l, e);
        strv_free(l.env);
        sigprocmask(SIG_SETMASK, &old_mask, NULL);
        return r;
}
