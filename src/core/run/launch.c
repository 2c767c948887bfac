/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The launch: the image and its settings file found, the locks taken, the machine ID chosen,
 * and the boots run until one ends other than by a reboot.  What one boot is made of is
 * run-config.c's; which settings are refused, verify.c's. */
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "fs-util.h"
#include "image-child.h"
#include "launch.h"
#include "log.h"
#include "parse-util.h"
#include "raw-image.h"
#include "run-config.h"
#include "strv.h"
#include "verify.h"

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
                (void)strv_pushf(env, "container_host_%s=%s", lower, v);
        }
}

static ConsoleMode resolve_console(const Settings *s)
{
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        ConsoleMode m = OPTIONAL_OR(s->console_mode, tty ? CONSOLE_INTERACTIVE : CONSOLE_READ_ONLY);
        if (m == CONSOLE_AUTOPIPE)
                return tty ? CONSOLE_INTERACTIVE : CONSOLE_PIPE;
        return m;
}

static void random_uuid(uint8_t id[16])
{
        if (getrandom(id, 16, 0) != 16)
                memset(id, 0x42, 16);
        id[6] = (id[6] & 0x0f) | 0x40; /* version 4 */
        id[8] = (id[8] & 0x3f) | 0x80;
}

static int build_environment(Launch *l)
{
        const char *term = getenv("TERM");
        int r = 0;
        r = r ?: strv_pushf(&l->env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        r = r ?: strv_pushf(&l->env, "container=systemd-nspawn");
        if (term)
                r = r ?: strv_pushf(&l->env, "TERM=%s", term);
        r = r ?: strv_pushf(&l->env, "container_uuid=%s", l->uuid);
        r = r ?: strv_pushf(&l->env, "NOTIFY_SOCKET=/run/host/notify");
        if (l->s->n_credentials > 0)
                r = r ?: strv_pushf(&l->env, "CREDENTIALS_DIRECTORY=/run/host/credentials");
        r = r ?: strv_pushf(&l->env, "LANG=C.UTF-8");
        add_host_os_release(&l->env, l->os_release);
        return r;
}

/* One boot of the container: built, run, and its resources freed. */
static int run_once(Launch *l, ContainerStatus *status, Error *e)
{
        _cleanup_(boot_done) Boot b = BOOT_NULL;
        uint8_t bid[16];
        int r;

        /* Each boot gets a fresh boot id. */
        random_uuid(bid);
        format_uuid(bid, l->boot_id);
        if ((r = boot_build(l, &b, e)) < 0)
                return r;
        return container_run(&b.config, status, e);
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
        if ((r = image_read_machine_id(launch_tree_for(l, "/etc/machine-id"), id, e)) < 0)
                return r;
        if (r == 0) {
                if (s->uuid.set)
                        memcpy(id, s->uuid.value, 16);
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
