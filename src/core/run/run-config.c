/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The run-config builder: the merged settings, the launcher's facts (machine ID, boot ID, the
 * host's files) and what the host offers become one boot's resources (the cgroup, the user
 * namespace's range, the device rules, the seccomp filter, the mount plan) and the RunConfig
 * that points at them, which container_run() executes. */
#include <arpa/inet.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/nsfs.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "bind-user.h"
#include "capability.h"
#include "credentials.h"
#include "fs-util.h"
#include "image-child.h"
#include "image.h"
#include "log.h"
#include "net-names.h"
#include "parse-util.h"
#include "registry.h"
#include "run-config.h"
#include "seccomp-policy.h"
#include "seccomp.h"
#include "strv.h"
#include "verify.h"

bool host_has(const char *p)
{
        return access(p, F_OK) == 0;
}

/* The tree to read path of the image from: an overlay child's, or its base's where the child
 * has nothing at path. */
const char *launch_tree_for(const Launch *l, const char *path)
{
        return l->child_lower ? image_child_layer(l->s->directory, l->child_lower, path) : l->s->directory;
}

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

/* corral-net (src/corral-net): $CORRAL_NET_HELPER, beside corral, in the build tree, or installed. */
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
        const char *const rel[] = {"corral-net", "../corral-net/corral-net"};
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
static void machine_record_prepare(const Launch *l, const ContainerCgroup *cg, int kill_signal, uint64_t caps, MachineRecord *m)
{
        const Settings *s = l->s;
        *m = (MachineRecord){
                .boot = s->start_mode == START_BOOT,
                .kill_signal = kill_signal,
                .poweroff_signal = OPTIONAL_OR(s->poweroff_signal, 0),
                .caps_bounding = caps,
                .caps_ambient = s->capability_ambient,
                .no_new_privs = OPTIONAL_OR(s->no_new_privileges, false),
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
        tree_os_release(launch_tree_for(l, "/etc/os-release"), m);
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
                        error_set_errno(e, r, "--bind-user=%s: cannot map UID %u of the container to the host's %u", b[i].name, b[i].uid,
                                        b[i].host_uid);
                        bound_users_free(b, n);
                        return r;
                }
        *ret = b;
        *ret_n = n;
        return 0;
}

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
                .personality = OPTIONAL_OR(s->personality, PERSONALITY_INVALID),
                .rlimits = s->rlimit,
                .have_oom_score_adjust = s->oom_score_adjust.set,
                .oom_score_adjust = s->oom_score_adjust.value,
                .cpu_affinity = s->cpu_affinity.set ? &s->cpu_affinity.value : NULL,
        };
        for (int l = 0; l < RLIMIT_NLIMITS; l++)
                if (s->mask & SETTING_RLIMIT(l))
                        p.rlimit_set |= UINT64_C(1) << l;
        return p;
}

/* The links and what is set up on them, from the settings. */
static NetworkSpec network_spec(const Settings *s, const Boot *b)
{
        return (NetworkSpec){
                .machine = s->machine,
                .helper = b->net_helper,
                .veth = OPTIONAL_OR(s->network_veth, false),
                .veth_extra = s->network_veth_extra,
                .macvlan = s->network_macvlan,
                .ipvlan = s->network_ipvlan,
                .interfaces = s->network_interfaces,
                .masquerade = OPTIONAL_OR(s->network_masquerade, false),
                .ports = s->ports,
                .n_ports = s->n_ports,
                .address = s->network_address,
                .host_side = b->static_host_side,
                .gateway = b->static_gateway,
                .bridge = s->network_zone ? b->zone_bridge : s->network_bridge,
                .zone = s->network_zone,
                .zone_dir = RUN_DIR "/zones",
                .pool_lock = LOCK_DIR "/net-pool",
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

void boot_done(Boot *b)
{
        b->net_helper = mfree(b->net_helper);
        closep(&b->netns);
        mount_plan_done(&b->plan);
        filter_done(&b->filter);
        bound_users_done(&b->bound);
        userns_plan_done(&b->userns);
        device_plan_done(&b->devices);
        device_policy_v1_remove(&b->devices_v1);
        container_cgroup_release(&b->cg);
}

int boot_build(const Launch *l, Boot *b, Error *e)
{
        const Settings *s = l->s;
        ContainerCgroup *cg = &b->cg;
        bool private_network = settings_private_network(s);
        uint64_t caps = settings_capabilities(s);
        int r;

        if (s->network_namespace_path && (r = open_netns(s->network_namespace_path, &b->netns, e)) < 0)
                return r;
        if ((s->network_address || s->network_gateway) && (r = settings_static_address(s, b->static_host_side, b->static_gateway, e)) < 0)
                return r;
        if (s->network_zone)
                net_link_name("vz-", s->network_zone, b->zone_bridge);
        if (settings_needs_links(s) && (r = find_net_helper(&b->net_helper, e)) < 0)
                return r;
        HostFacts h = {
                .proc_sys_net_writable = private_network || OPTIONAL_OR(s->nesting, false) || s->api_vfs == API_VFS_NETWORK,
                .api_vfs_writable = s->api_vfs == API_VFS_WRITABLE,
                .private_network = private_network,
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

        if ((r = seccomp_build_policy(caps, s->syscall_allow_list, s->syscall_deny_list, OPTIONAL_OR(s->suppress_sync, false), CACHE_DIR, &b->filter,
                                      e)) < 0)
                return r;
        if ((r = userns_plan(s, s->directory, s->machine, LOCK_DIR, &b->userns, e)) < 0)
                return r;
        if (b->userns.enabled && l->child_lower && (r = child_ownership(s, &b->userns, e)) < 0)
                return r;
        if (b->userns.enabled && (((r = userns_prepare(&b->userns, s->directory, e)) < 0) ||
                                  (!private_network && !s->network_namespace_path && (r = userns_prepare_sysfs(&b->userns, e)) < 0)))
                return r;
        if (b->userns.enabled && s->bind_users && (r = bind_users(s, &b->userns, &b->bound.users, &b->bound.n, e)) < 0)
                return r;
        h.bound_users = b->bound.users;
        h.n_bound_users = b->bound.n;
        if ((r = container_cgroup_create(s->machine, &s->resources, s->start_mode == START_BOOT, s->keep_unit, cg, e)) < 0)
                return r;
        h.have_cgroup2 = cg->fd >= 0;
        if (s->no_cgns && !cg->cg2_private)
                h.cgroup_own = cg->rel;
        if (b->userns.enabled && (r = container_cgroup_delegate(cg, b->userns.shift, e)) < 0)
                return r;
        if ((r = prepare_device_policy(s, cg, &b->devices, &b->devices_v1, e)) < 0)
                return r;
        h.extra_dev_nodes = (const char *const *)b->devices.nodes;
        if ((r = mount_plan_build(s, &h, &b->plan, e)) < 0)
                return r;
        if ((r = idmap_binds(s, b->userns.enabled ? &b->userns : &NO_USERNS, &b->plan, e)) < 0)
                return r;
        if (b->userns.enabled && (r = clone_bind_sources(&b->plan, e)) < 0)
                return r;
        if (b->userns.enabled && (s->ephemeral || s->volatile_mode != VOLATILE_NO || l->child_lower) &&
            (r = idmap_image_layers(s, &b->userns, &b->plan, e)) < 0)
                return r;
        log_debug("run: machine %s, tree %s, cgroup %s, %s, seccomp filter of %u instructions", s->machine, s->directory,
                  cg->rel ? cg->rel : "(none)", b->userns.enabled ? "user namespace" : "no user namespace", (unsigned)b->filter.len);
        if (log_enabled(LOG_LEVEL_DEBUG))
                log_plan(&b->plan);

        RunConfig *c = &b->config;
        *c = (RunConfig){
                .process = process_spec(s),
                .network = network_spec(s, b),
                .namespaces =
                        {
                                [NS_USER] = {b->userns.enabled ? NS_NEW : NS_HOST, -1},
                                [NS_MOUNT] = {NS_NEW, -1},
                                [NS_PID] = {NS_NEW, -1},
                                [NS_UTS] = {NS_NEW, -1},
                                [NS_IPC] = {NS_NEW, -1},
                                [NS_NET] = s->network_namespace_path ? (NamespaceSpec){NS_JOIN, b->netns}
                                           : private_network         ? (NamespaceSpec){NS_NEW, -1}
                                                                     : (NamespaceSpec){NS_HOST, -1},
                                [NS_CGROUP] = {s->no_cgns ? NS_HOST : NS_NEW, -1}, /* $SYSTEMD_NSPAWN_USE_CGNS=0: none */
                                [NS_TIME] = {NS_HOST, -1},
                        },
                .name = s->machine,
                .image = s->directory,
                .scratch = SCRATCH_DIR,
                .plan = &b->plan,
                .environment = l->env,
                .hostname = s->hostname ? s->hostname : s->machine,
                .kill_signal = OPTIONAL_OR(s->kill_signal, s->start_mode == START_BOOT ? SIGNAL_RTMIN + 3 : SIGKILL),
                .console = l->console,
                .quiet = s->quiet,
                .cgroup_fd = cg->fd,
                .notify_ready = OPTIONAL_OR(s->notify_ready, false),
                .no_new_privileges = OPTIONAL_OR(s->no_new_privileges, false),
                .seccomp = &b->filter,
                .userns = b->userns.enabled ? &b->userns : NULL,
                .devices_v1 = &b->devices_v1,
                .device_extra = b->devices.extra,
                .n_device_extra = b->devices.n_extra,
                .n_device_defaults = b->devices.n_defaults,
                .cgroup = cg,
                .gate_fd = -1,
        };
        /* corralctl start: stdout is the machine's console log, which we keep small. */
        const char *log_max = getenv("CORRAL_CONSOLE_LOG_MAX");
        struct stat out;
        unsigned long long max;
        if (log_max && fstat(STDOUT_FILENO, &out) == 0 && S_ISREG(out.st_mode) && sscanf(log_max, "%llu", &max) == 1 && max >= 4096)
                c->console_log_max = (off_t)max;
        capability_sets_nspawn(caps, s->capability_ambient, b->userns.enabled, &c->caps_root, &c->caps_user);
        c->have_winsize = ioctl(STDOUT_FILENO, TIOCGWINSZ, &c->winsize) == 0 || ioctl(STDIN_FILENO, TIOCGWINSZ, &c->winsize) == 0;
        if (OPTIONAL_OR(s->register_machine, true)) {
                machine_record_prepare(l, cg, c->kill_signal, caps, &b->record);
                c->registry_dir = MACHINES_DIR;
                c->record = &b->record;
        }
        return 0;
}
