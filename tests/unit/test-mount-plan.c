/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <sys/mount.h>

#include "mount-plan.h"
#include "strv.h"
#include "tap.h"

static HostFacts facts(void)
{
        return (HostFacts){.image = "/img",
                           .os_release = "/etc/os-release",
                           .localtime_exists = true,
                           .localtime_link = "/usr/share/zoneinfo/Europe/Berlin",
                           .have_resolv_conf = true,
                           .have_cgroup2 = true,
                           .have_dev_net_tun = true,
                           .tty_console = true,
                           .notify_socket = true,
                           .uuid = "0123",
                           .machine_id = "0123",
                           .boot_id = "b00t"};
}

static ssize_t find(const MountPlan *p, MountStepType t, const char *target)
{
        for (size_t i = 0; i < p->n_steps; i++)
                if (p->steps[i].type == t && (!target || (p->steps[i].target && streq(p->steps[i].target, target))))
                        return (ssize_t)i;
        return -1;
}

static Settings s;
static MountPlan p;
static HostFacts h;
static Error e;

/* Default settings on the host facts() describes. */
static void setup(void)
{
        settings_init(&s);
        h = facts();
}

TEST(default_plan)
{
        setup();
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "default plan builds");
        CHECK(p.n_steps > 0 && p.steps[0].type == STEP_ROOT_BIND, "root bind comes first");
        ssize_t proc = find(&p, STEP_MOUNT, "/proc"), sys = find(&p, STEP_MOUNT, "/sys");
        CHECK(proc > 0 && sys > 0, "/proc and /sys are mounted");
        CHECK(sys >= 0 && (p.steps[sys].flags & MS_RDONLY), "/sys is read-only");
        ssize_t psys = find(&p, STEP_REMOUNT, "/proc/sys");
        CHECK(psys > proc && (p.steps[psys].flags & MS_RDONLY), "/proc/sys made read-only after /proc");
        CHECK(find(&p, STEP_MASK, "/proc/kcore") > proc, "/proc/kcore masked");
        CHECK(find(&p, STEP_MASK, "/proc/sysrq-trigger") > proc, "/proc/sysrq-trigger masked");
        CHECK(find(&p, STEP_MOUNT, "/dev/pts") > find(&p, STEP_MOUNT, "/dev"), "/dev/pts after /dev");
        CHECK(find(&p, STEP_MOUNT, "/dev/pts") >= 0 && strstr(p.steps[find(&p, STEP_MOUNT, "/dev/pts")].options, "newinstance"),
              "/dev/pts is a new instance");
        CHECK(find(&p, STEP_MKNOD, "/dev/null") >= 0 && find(&p, STEP_MKNOD, "/dev/net/tun") >= 0, "safe device nodes");
        CHECK(find(&p, STEP_MKNOD, "/dev/sda") < 0, "no disks");
        CHECK(find(&p, STEP_CONSOLE, NULL) > find(&p, STEP_MOUNT, "/dev/pts"), "console after devpts");
        CHECK(find(&p, STEP_MOUNT, "/tmp") >= 0, "/tmp is a tmpfs");
        CHECK(find(&p, STEP_MOUNT, "/sys/fs/cgroup") > sys, "cgroup2 under /sys");
        CHECK(find(&p, STEP_REMOUNT, "/") < 0, "root stays writable by default");
        ssize_t rh = find(&p, STEP_REMOUNT, "/run/host");
        CHECK(rh > find(&p, STEP_FILE, "/run/host/container-manager") && rh > find(&p, STEP_NOTIFY, NULL),
              "/run/host is filled, then made read-only");
        ssize_t tz = find(&p, STEP_TIMEZONE, NULL);
        CHECK(tz >= 0 && p.steps[tz].mode_enum == TIMEZONE_SYMLINK && streq(p.steps[tz].source, "Europe/Berlin"),
              "timezone auto -> symlink to the host's zone");
        ssize_t rc = find(&p, STEP_RESOLV_CONF, NULL);
        CHECK(rc >= 0 && p.steps[rc].mode_enum == RESOLV_CONF_COPY_HOST, "resolv.conf auto -> copy-host");
        mount_plan_done(&p);
}

TEST(resolv_conf_with_a_network_of_its_own)
{
        setup();
        h.private_network = true;
        CHECK(resolv_conf_mode_resolve(&s, &h) == RESOLV_CONF_OFF, "resolv.conf auto with a network of its own -> off, as nspawn 252");
}

/* Read-only: root read-only right away, and auto modes bind instead of writing. */
TEST(read_only)
{
        setup();
        s.read_only = true;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "read-only plan builds");
        CHECK(find(&p, STEP_REMOUNT, "/") == 1, "root made read-only right after it is mounted");
        ssize_t rc = find(&p, STEP_RESOLV_CONF, NULL), tz = find(&p, STEP_TIMEZONE, NULL);
        CHECK(p.steps[rc].mode_enum == RESOLV_CONF_BIND_HOST && p.steps[tz].mode_enum == TIMEZONE_BIND, "read-only: auto modes bind");
        mount_plan_done(&p);
}

TEST(ephemeral)
{
        setup();
        s.ephemeral = true;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "ephemeral plan builds");
        CHECK(p.steps[0].type == STEP_ROOT_OVERLAY && !p.steps[0].source && streq(p.steps[0].lower[0], "/img"),
              "ephemeral: overlay with a tmpfs upper over the image");
        CHECK(find(&p, STEP_JOURNAL, NULL) < 0, "no journal link for ephemeral containers");
        mount_plan_done(&p);
}

/* An overlay child image: written to, its directory is the upper layer over the base; used
 * without writing, it is a lower layer over the base too. */
TEST(overlay_child_image)
{
        setup();
        h.template_lower = "/base";
        h.child_work = "/.#img.corral-work";
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "child plan builds");
        CHECK(p.steps[0].type == STEP_ROOT_OVERLAY && streq(p.steps[0].source, "/img") && streq(p.steps[0].work, "/.#img.corral-work") &&
                      strv_length(p.steps[0].lower) == 1 && streq(p.steps[0].lower[0], "/base") && (p.steps[0].step_flags & STEP_CHILD_IMAGE),
              "child: the image is the upper layer over its base, with user xattrs");
        mount_plan_done(&p);
        s.ephemeral = true;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "ephemeral child plan builds");
        CHECK(p.steps[0].type == STEP_ROOT_OVERLAY && !p.steps[0].source && strv_length(p.steps[0].lower) == 2 &&
                      streq(p.steps[0].lower[0], "/img") && streq(p.steps[0].lower[1], "/base") && (p.steps[0].step_flags & STEP_CHILD_IMAGE),
              "ephemeral child: child over base, a tmpfs upper");
        mount_plan_done(&p);
        s.ephemeral = false;
        s.read_only = true;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "read-only child plan builds");
        CHECK(p.steps[0].type == STEP_ROOT_OVERLAY && !p.steps[0].source && strv_length(p.steps[0].lower) == 2 && find(&p, STEP_REMOUNT, "/") == 1,
              "read-only child: child over base, made read-only at once");
        mount_plan_done(&p);
}

TEST(volatile_modes)
{
        setup();
        s.volatile_mode = VOLATILE_STATE;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "volatile=state builds");
        CHECK(find(&p, STEP_REMOUNT, "/") >= 0 && find(&p, STEP_MOUNT, "/var") > find(&p, STEP_REMOUNT, "/"),
              "volatile=state: read-only root, tmpfs /var");
        mount_plan_done(&p);

        s.volatile_mode = VOLATILE_YES;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "volatile=yes builds");
        CHECK(p.steps[0].type == STEP_ROOT_TMPFS && find(&p, STEP_IMAGE_BIND, "/usr") == 1, "volatile=yes: tmpfs root, image /usr");
        ssize_t bin = find(&p, STEP_SYMLINK, "/bin");
        CHECK(bin > 1 && streq(p.steps[bin].source, "usr/bin") && (p.steps[bin].step_flags & STEP_IF_SOURCE) &&
                      find(&p, STEP_SYMLINK, "/lib64") > bin && find(&p, STEP_MKDIR, "/root") > bin,
              "volatile=yes: the links to /usr where it has them, as nspawn");
        mount_plan_done(&p);
}

TEST(custom_mounts)
{
        Error pe = {0};
        setup();
        custom_mount_parse_bind(&s, "/h:/tmp", false, &pe);
        custom_mount_parse_bind(&s, "/data:/srv/data", true, &pe);
        custom_mount_parse_overlay(&s, "/l1:/l2:/up:/ov", false, &pe);
        custom_mount_parse_inaccessible(&s, "/etc/shadow", &pe);
        h.tty_console = false;
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "custom mounts build");
        CHECK(find(&p, STEP_MOUNT, "/tmp") < 0, "a bind on /tmp replaces the /tmp tmpfs");
        ssize_t b = find(&p, STEP_BIND, "/srv/data"), ro = find(&p, STEP_REMOUNT, "/srv/data");
        CHECK(b >= 0 && ro == b + 1 && (p.steps[ro].flags & MS_RDONLY), "--bind-ro: bind then read-only");
        CHECK(b > find(&p, STEP_MOUNT, "/run") && b < find(&p, STEP_MOUNT, "/proc"), "custom mounts between /run and /proc");
        ssize_t ov = find(&p, STEP_OVERLAY, "/ov");
        CHECK(ov >= 0 && streq(p.steps[ov].lower[0], "/l2") && streq(p.steps[ov].lower[1], "/l1"),
              "overlay lowers in overlayfs order (topmost first)");
        CHECK(find(&p, STEP_MASK, "/etc/shadow") >= 0, "--inaccessible masks");
        CHECK(find(&p, STEP_CONSOLE, NULL) < 0, "no console pty in pipe mode");
        mount_plan_done(&p);
        settings_done(&s);
}

/* Parent before child, whatever the order given (seed 000's line): nspawn sorts them so. */
TEST(custom_mounts_parent_before_child)
{
        Error pe = {0};
        setup();
        h.tty_console = false;
        custom_mount_parse_bind(&s, "/opt/acme:/nginx/cert", true, &pe);
        custom_mount_parse_inaccessible(&s, "/nginx/cert/old", &pe);
        custom_mount_parse_tmpfs(&s, "/nginx/cache", &pe);
        custom_mount_parse_bind(&s, "/opt/nginx:/nginx", false, &pe);
        custom_mount_parse_tmpfs(&s, "/nginx", &pe);
        custom_mount_parse_bind(&s, "/opt/nginx-b:/nginx-b", false, &pe);
        custom_mount_parse_bind(&s, "/second:/nginx", false, &pe);
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0, "nested custom mounts build");
        ssize_t parent = find(&p, STEP_BIND, "/nginx"), child = find(&p, STEP_BIND, "/nginx/cert");
        CHECK(parent >= 0 && child > parent, "--bind=/opt/nginx:/nginx before --bind-ro=/opt/acme:/nginx/cert");
        CHECK(streq(p.steps[parent].source, "/opt/nginx"), "two binds on one path keep their order");
        CHECK(find(&p, STEP_MOUNT, "/nginx") > parent, "a bind before a tmpfs on the same path");
        CHECK(find(&p, STEP_MASK, "/nginx/cert/old") > child, "the mask below the bind after it");
        CHECK(find(&p, STEP_MOUNT, "/nginx/cache") > find(&p, STEP_MOUNT, "/nginx") &&
                      find(&p, STEP_BIND, "/nginx-b") > find(&p, STEP_MASK, "/nginx/cert/old"),
              "\"/nginx/...\" before \"/nginx-b\"");
        mount_plan_done(&p);
        settings_done(&s);
}

TEST(pivot_root)
{
        setup();
        s.pivot_root_new = strdup("/sysroot");
        CHECK(mount_plan_build(&s, &h, &p, &e) == 0 && p.steps[1].type == STEP_PIVOT_ROOT, "pivot-root right after root");
        mount_plan_done(&p);
        settings_done(&s);
}

TAP_MAIN
