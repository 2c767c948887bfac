/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <linux/mount.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>

#include "fs-util.h"
#include "mount-apply.h"
#include "strv.h"

typedef struct Apply {
        const MountStep *step;
        ApplyContext *ctx;
        int rootfd;         /* O_PATH: the container's root as built so far */
        int imagefd;        /* O_PATH: the image directory */
        unsigned n_scratch; /* scratch directories made so far, for unique names */
        Error *e;
        /* The last parent directory looked up for a node step, kept while steps only make
         * nodes: a mount over it would leave this fd pointing below the new mount. */
        char *parent_path;
        int parent_fd;
        int devchar_fd;         /* /dev/char, for the udev-style links of device nodes */
        int inaccessible_fd[2]; /* O_PATH: /run/host/inaccessible/reg and dir, for masks */
} Apply;

static void forget_dirs(Apply *a)
{
        a->parent_path = mfree(a->parent_path);
        closep(&a->parent_fd);
        closep(&a->devchar_fd);
}

#define STEP_FAIL(a, r, fmt, ...)                                                                                                                 \
        error_set_errno((a)->e, (r), "cannot set up %s (%s step): " fmt, strempty((a)->step->target), mount_step_type_to_string((a)->step->type), \
                        ##__VA_ARGS__)

static int do_mount(const char *src, int target_fd, const char *fstype, unsigned long flags, const char *data)
{
        char buf[FD_PATH_MAX];
        return mount(src, fd_path(target_fd, buf), fstype, flags, data) < 0 ? negative_errno() : 0;
}

static int set_mount_attr(int fd, unsigned long flags, bool recursive)
{
        struct mount_attr attr = {0};
        if (flags & MS_RDONLY)
                attr.attr_set |= MOUNT_ATTR_RDONLY;
        if (flags & MS_NOSUID)
                attr.attr_set |= MOUNT_ATTR_NOSUID;
        if (flags & MS_NODEV)
                attr.attr_set |= MOUNT_ATTR_NODEV;
        if (flags & MS_NOEXEC)
                attr.attr_set |= MOUNT_ATTR_NOEXEC;
        if ((flags & MS_REMOUNT) && !(flags & MS_RDONLY))
                attr.attr_clr |= MOUNT_ATTR_RDONLY; /* a writable spot in a read-only tree */
        if (flags & (MS_NOATIME | MS_STRICTATIME | MS_RELATIME)) {
                attr.attr_clr |= MOUNT_ATTR__ATIME;
                attr.attr_set |= (flags & MS_NOATIME) ? MOUNT_ATTR_NOATIME : (flags & MS_STRICTATIME) ? MOUNT_ATTR_STRICTATIME : MOUNT_ATTR_RELATIME;
        }
        if (flags & MS_NODIRATIME)
                attr.attr_set |= MOUNT_ATTR_NODIRATIME;
        if (flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE))
                attr.propagation = flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0)
                return negative_errno();
        return 0;
}

/* The parent directory of path inside the root (created if missing) and the last component.
 * The fd is borrowed: it stays valid until the next mount step. */
static int open_parent(Apply *a, const char *path, const char **ret_name)
{
        _cleanup_free_ char *parent = path_dirname(path);
        if (!parent)
                return -ENOMEM;
        *ret_name = path_basename(path);
        if (a->parent_fd >= 0 && streq(parent, a->parent_path))
                return a->parent_fd;
        forget_dirs(a);
        int fd = mkdir_p_in_root(a->rootfd, parent, 0755);
        if (fd < 0)
                return fd;
        a->parent_fd = fd;
        a->parent_path = TAKE_PTR(parent);
        return fd;
}

static int reopen_root(Apply *a)
{
        closep(&a->rootfd);
        a->rootfd = open(a->ctx->new_root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return a->rootfd < 0 ? negative_errno() : 0;
}

/* Target fd for a mount: the path inside the root, created as asked. */
static int open_target(Apply *a, bool is_dir_hint)
{
        const MountStep *m = a->step;
        if (m->step_flags & STEP_MKDIR_TARGET)
                return make_mount_point_in_root(a->rootfd, m->target, true);
        if (m->step_flags & STEP_TOUCH_TARGET)
                return make_mount_point_in_root(a->rootfd, m->target, false);
        if (m->step_flags & STEP_SOURCE_TYPE)
                return make_mount_point_in_root(a->rootfd, m->target, is_dir_hint);
        return open_in_root(a->rootfd, m->target, O_PATH, 0);
}

/* A detached mount the supervisor made, attached at scratch/name: its path, or NULL. */
static char *attach_on_scratch(Apply *a, int *fd, const char *name)
{
        char *p;
        if (asprintf(&p, "%s/%s", a->ctx->scratch, name) < 0) {
                error_set(a->e, -ENOMEM, "out of memory");
                return NULL;
        }
        if ((mkdir(p, 0755) < 0 && errno != EEXIST) || syscall(SYS_move_mount, *fd, "", AT_FDCWD, p, MOVE_MOUNT_F_EMPTY_PATH) < 0) {
                STEP_FAIL(a, negative_errno(), "attaching the idmapped %s layer", name);
                return mfree(p);
        }
        closep(fd);
        return p;
}

/* A fresh upper and work directory pair on the staging tmpfs. */
static int scratch_pair(Apply *a, const char *tag, char **ret_upper, char **ret_work)
{
        char *u, *w;
        unsigned n = a->n_scratch++;
        if (asprintf(&u, "%s/%s-upper-%u", a->ctx->scratch, tag, n) < 0)
                return -ENOMEM;
        if (asprintf(&w, "%s/%s-work-%u", a->ctx->scratch, tag, n) < 0) {
                free(u);
                return -ENOMEM;
        }
        if ((mkdir(u, 0755) < 0 && errno != EEXIST) || (mkdir(w, 0700) < 0 && errno != EEXIST)) {
                int r = negative_errno();
                free(u);
                free(w);
                return r;
        }
        *ret_upper = u;
        *ret_work = w;
        return 0;
}

static int apply_root(Apply *a)
{
        const MountStep *m = a->step;
        ApplyContext *c = a->ctx;
        int r;

        if (mkdir(c->new_root, 0755) < 0 && errno != EEXIST)
                return STEP_FAIL(a, negative_errno(), "mkdir %s", c->new_root);
        switch (m->type) {
        case STEP_ROOT_BIND:
                if (c->root_fd >= 0) {
                        /* The idmapped copy of the image the supervisor made (user namespace). */
                        if (syscall(SYS_move_mount, c->root_fd, "", AT_FDCWD, c->new_root, MOVE_MOUNT_F_EMPTY_PATH) < 0)
                                return STEP_FAIL(a, negative_errno(), "attaching the idmapped image %s", m->source);
                        closep(&c->root_fd);
                } else if (mount(m->source, c->new_root, NULL, MS_BIND | MS_REC, NULL) < 0)
                        return STEP_FAIL(a, negative_errno(), "bind mount of the image %s", m->source);
                break;
        case STEP_ROOT_TMPFS:
                if (mount("tmpfs", c->new_root, "tmpfs", m->flags, m->options) < 0)
                        return STEP_FAIL(a, negative_errno(), "tmpfs for --volatile=yes");
                break;
        case STEP_ROOT_OVERLAY: {
                _cleanup_free_ char *upper = NULL, *work = NULL, *opts = NULL, *child = NULL, *base = NULL;
                MountStep *ms = (MountStep *)m; /* the fds it attaches are used up */
                char *lower[3] = {NULL, NULL, NULL};
                size_t n = strv_length(m->lower);
                if (n == 0 || n > 2)
                        return -EINVAL;
                for (size_t k = 0; k < n; k++)
                        lower[k] = m->lower[k];
                if (ms->upper_idmap_fd >= 0) {
                        /* An overlay child as the supervisor idmapped it (user namespace). */
                        if (!(child = attach_on_scratch(a, &ms->upper_idmap_fd, "child")))
                                return a->e->code;
                        if (m->source) {
                                upper = path_join(child, path_basename(m->source));
                                work = path_join(child, path_basename(m->work));
                                if (!upper || !work)
                                        return -ENOMEM;
                        } else
                                lower[0] = child;
                } else if (m->source) {
                        upper = strdup(m->source);
                        work = strdup(m->work);
                        if (!upper || !work)
                                return -ENOMEM;
                }
                if (!upper && (r = scratch_pair(a, "root", &upper, &work)) < 0)
                        return STEP_FAIL(a, r, "overlay directories in %s", c->scratch);
                if (ms->idmap_fd >= 0) {
                        /* The image, or the child's base, as the supervisor idmapped it (user
                         * namespace): the bottom layer. */
                        if (!(base = attach_on_scratch(a, &ms->idmap_fd, "lower")))
                                return a->e->code;
                        lower[n - 1] = base;
                }
                if ((r = overlay_mount_options(lower, upper, work, false, m->step_flags & STEP_CHILD_IMAGE, &opts)) < 0)
                        return r;
                if (mount("overlay", c->new_root, "overlay", 0, opts) < 0) {
                        r = negative_errno();
                        if (r == -ENODEV)
                                return error_set(
                                        a->e, r,
                                        "cannot mount the container's root: the kernel has no overlay file system (run \"modprobe overlay\" on the host)");
                        return STEP_FAIL(a, r, "overlay mount (%s)", opts);
                }
                break;
        }
        default:
                return -EINVAL;
        }
        return reopen_root(a);
}

static int apply_pivot_root(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_free_ char *staged = NULL;
        _cleanup_close_ int newfd = -1;
        int r;

        newfd = open_in_root(a->rootfd, m->source, O_PATH | O_DIRECTORY, 0);
        if (newfd < 0)
                return error_set_errno(a->e, newfd, "--pivot-root=%s: not a directory in the image", m->source);
        if (asprintf(&staged, "%s/pivot", a->ctx->scratch) < 0)
                return -ENOMEM;
        if (mkdir(staged, 0755) < 0 && errno != EEXIST)
                return STEP_FAIL(a, negative_errno(), "mkdir %s", staged);
        char buf[FD_PATH_MAX];
        if (mount(fd_path(newfd, buf), staged, NULL, MS_BIND | MS_REC, NULL) < 0)
                return STEP_FAIL(a, negative_errno(), "bind mount of %s", m->source);
        if (m->target) {
                _cleanup_close_ int st = open(staged, O_PATH | O_DIRECTORY | O_CLOEXEC);
                _cleanup_close_ int old = st < 0 ? st : mkdir_p_in_root(st, m->target, 0755);
                if (old < 0)
                        return STEP_FAIL(a, old, "mkdir %s in the new root", m->target);
                if ((r = do_mount(a->ctx->new_root, old, NULL, MS_BIND | MS_REC, NULL)) < 0)
                        return STEP_FAIL(a, r, "moving the old root to %s", m->target);
        }
        if (umount2(a->ctx->new_root, MNT_DETACH) < 0)
                return STEP_FAIL(a, negative_errno(), "detaching the image root");
        if (mount(staged, a->ctx->new_root, NULL, MS_MOVE, NULL) < 0)
                return STEP_FAIL(a, negative_errno(), "moving %s into place", m->source);
        return reopen_root(a);
}

static int apply_bind(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_close_ int src = -1, dst = -1;
        struct stat st;
        int r;

        if (m->idmap_fd >= 0) {
                /* An idmapped copy of the source the supervisor made (user namespace). */
                if (fstat(m->idmap_fd, &st) < 0)
                        return STEP_FAIL(a, negative_errno(), "stat of the idmapped %s", m->source);
                if ((dst = open_target(a, S_ISDIR(st.st_mode))) < 0)
                        return STEP_FAIL(a, dst, "mount point");
                if (syscall(SYS_move_mount, m->idmap_fd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return STEP_FAIL(a, negative_errno(), "attaching the idmapped %s", m->source);
                return 0;
        }
        if (m->type == STEP_BIND)
                src = open(m->source, O_PATH | O_CLOEXEC);
        else if (m->type == STEP_IMAGE_BIND)
                src = open_in_root(a->imagefd, m->source, O_PATH, 0);
        else
                src = open_in_root(a->rootfd, m->source, O_PATH, 0);
        if (src < 0) {
                r = src == -1 ? negative_errno() : src;
                if (r == -ENOENT && (m->step_flags & STEP_OPTIONAL))
                        return 0;
                return STEP_FAIL(a, r, "source %s", m->source);
        }
        if (fstat(src, &st) < 0)
                return STEP_FAIL(a, negative_errno(), "stat %s", m->source);
        dst = open_target(a, S_ISDIR(st.st_mode));
        if (dst < 0) {
                if (dst == -ENOENT && (m->step_flags & STEP_OPTIONAL))
                        return 0;
                return STEP_FAIL(a, dst, "mount point");
        }
        char buf[FD_PATH_MAX];
        if ((r = do_mount(fd_path(src, buf), dst, NULL, m->flags, NULL)) < 0)
                return STEP_FAIL(a, r, "bind mount of %s", m->source);
        return 0;
}

static int apply_mount(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_close_ int dst = open_target(a, true);
        int r;

        if (dst < 0) {
                if (dst == -ENOENT && (m->step_flags & STEP_OPTIONAL))
                        return 0;
                return STEP_FAIL(a, dst, "mount point");
        }
        if (a->ctx->sysfs_fd >= 0 && m->fstype && streq(m->fstype, "sysfs")) {
                if (syscall(SYS_move_mount, a->ctx->sysfs_fd, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                        return STEP_FAIL(a, negative_errno(), "attaching the sysfs the supervisor mounted");
                closep(&a->ctx->sysfs_fd);
                return 0;
        }
        if ((r = do_mount(m->source, dst, m->fstype, m->flags, m->options)) < 0) {
                if ((m->step_flags & STEP_OPTIONAL) && (r == -ENODEV || r == -ENOENT))
                        return 0;
                if (r == -EPERM && m->fstype && streq(m->fstype, "sysfs")) {
                        /* In a user namespace without a network namespace of its own the
                         * kernel will not mount sysfs: the host's, read-only, as nspawn. */
                        char buf[FD_PATH_MAX];
                        struct mount_attr ro = {.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC};
                        if (mount("/sys", fd_path(dst, buf), NULL, MS_BIND | MS_REC, NULL) < 0)
                                return STEP_FAIL(a, negative_errno(), "bind mount of the host's /sys (sysfs cannot be mounted here)");
                        closep(&dst);
                        if ((dst = open_in_root(a->rootfd, m->target, O_PATH, 0)) < 0 ||
                            syscall(SYS_mount_setattr, dst, "", AT_EMPTY_PATH | AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                                return STEP_FAIL(a, dst < 0 ? dst : negative_errno(), "making the host's /sys read-only");
                        /* The host's cgroup hierarchy came along: covered, so the container's
                         * own cgroup2 can go there (on the host's cgroup2 itself: EBUSY). */
                        _cleanup_close_ int cg = open_in_root(a->rootfd, "/sys/fs/cgroup", O_PATH | O_DIRECTORY, 0);
                        if (cg >= 0 && (r = do_mount("tmpfs", cg, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "mode=0755")) < 0)
                                return STEP_FAIL(a, r, "covering the host's /sys/fs/cgroup");
                        return 0;
                }
                return STEP_FAIL(a, r, "mount of %s%s%s", m->fstype, m->options ? " with " : "", strempty(m->options));
        }
        return 0;
}

/* A layer "+PATH" of --overlay: PATH in the container's root as built so far (the mount on it
 * not yet made: "+/var::/var" overlays the tree's own /var), as /proc/self/fd/N of *fd. */
static int overlay_layer_in_root(Apply *a, const char *layer, bool create, int *fd, char **ret)
{
        char buf[FD_PATH_MAX];
        if (create) {
                int r = mkdir_p_in_root(a->rootfd, layer + 1, 0755);
                if (r < 0)
                        return STEP_FAIL(a, r, "overlay directory %s in the container", layer + 1);
                close(r);
        }
        if ((*fd = open_in_root(a->rootfd, layer + 1, O_PATH | O_DIRECTORY, 0)) < 0)
                return STEP_FAIL(a, *fd, "overlay layer %s in the container", layer + 1);
        return (*ret = strdup(fd_path(*fd, buf))) ? 0 : -ENOMEM;
}

static int apply_overlay(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_free_ char *upper = NULL, *work = NULL, *opts = NULL;
        _cleanup_close_ int dst = -1, upper_fd = -1, work_fd = -1;
        _cleanup_strv_free_ char **lower = strv_copy(m->lower);
        size_t n = strv_length(m->lower);
        _cleanup_free_ int *fds = malloc(sizeof(int) * (n ? n : 1));
        bool read_only = m->flags & MS_RDONLY;
        int r = 0;

        if (!lower || !fds)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++)
                fds[i] = -1;
        for (size_t i = 0; i < n && r >= 0; i++)
                if (m->lower[i][0] == '+') {
                        _cleanup_free_ char *in_root = NULL;
                        if ((r = overlay_layer_in_root(a, m->lower[i], false, &fds[i], &in_root)) >= 0) {
                                free(lower[i]);
                                lower[i] = TAKE_PTR(in_root);
                        }
                }
        if (r < 0)
                goto out;
        if (m->source && m->source[0] == '+') {
                /* An upper inside the container: its work directory beside it, there too. */
                _cleanup_free_ char *dir = path_dirname(m->source + 1), *w = NULL;
                if (!dir || asprintf(&w, "+%s/.#%s.corral-work", dir, path_basename(m->source + 1)) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                if ((r = overlay_layer_in_root(a, m->source, true, &upper_fd, &upper)) < 0 ||
                    (!read_only && (r = overlay_layer_in_root(a, w, true, &work_fd, &work)) < 0))
                        goto out;
        } else if (m->source && !read_only) {
                /* A host upper directory: the work directory goes beside it, as nspawn does. */
                _cleanup_free_ char *dir = path_dirname(m->source);
                if (!dir || !(upper = strdup(m->source)) || asprintf(&work, "%s/.#%s.corral-work", dir, path_basename(m->source)) < 0) {
                        r = -ENOMEM;
                        goto out;
                }
                if (mkdir(work, 0700) < 0 && errno != EEXIST) {
                        r = STEP_FAIL(a, negative_errno(), "overlay work directory %s", work);
                        goto out;
                }
        } else if (!m->source && (r = scratch_pair(a, "overlay", &upper, &work)) < 0) {
                r = STEP_FAIL(a, r, "overlay directories in %s", a->ctx->scratch);
                goto out;
        }
        if ((r = overlay_mount_options(lower, upper ? upper : m->source, work, read_only, false, &opts)) < 0)
                goto out;
        if ((dst = open_target(a, true)) < 0) {
                r = STEP_FAIL(a, dst, "mount point");
                goto out;
        }
        if ((r = do_mount("overlay", dst, "overlay", read_only, opts)) < 0)
                r = STEP_FAIL(a, r, "overlay mount (%s)", opts);
out:
        for (size_t i = 0; i < n; i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        return r;
}

static int apply_remount(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_close_ int fd = open_in_root(a->rootfd, m->target, O_PATH, 0);
        int r;
        if (fd < 0) {
                if (fd == -ENOENT && (m->step_flags & STEP_OPTIONAL))
                        return 0;
                return STEP_FAIL(a, fd, "open");
        }
        if ((r = set_mount_attr(fd, m->flags, m->step_flags & STEP_RECURSIVE)) < 0)
                return STEP_FAIL(a, r, "%s", (m->flags & MS_RDONLY) ? "making it read-only" : "making it writable");
        return 0;
}

/* A copy of the mount at fd (with the ones below it if recursive), flags set on it while it
 * is detached, attached at dst: one lookup of each path instead of one per operation.  A plain
 * open_tree(), not mount_clone(): every mount of the child's namespace is a slave or private
 * already (spawn.c makes / a slave before anything, and the root the supervisor hands over is
 * a slave), so the copy is one too. */
static int bind_with_attr(int fd, bool recursive, int dst, unsigned long flags, bool attr_recursive)
{
        _cleanup_close_ int tree =
                (int)syscall(SYS_open_tree, fd, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0));
        int r;
        if (tree < 0)
                return negative_errno();
        if ((r = set_mount_attr(tree, flags, attr_recursive)) < 0)
                return r;
        if (syscall(SYS_move_mount, tree, "", dst, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0)
                return negative_errno();
        return 0;
}

/* A bind of a path in the container onto itself followed by a remount of it (/proc/sys
 * read-only): both in one. */
static bool is_self_bind_then_remount(const MountStep *m, const MountStep *next)
{
        return m->type == STEP_BIND_ROOT && m->idmap_fd < 0 && next->type == STEP_REMOUNT && m->source && m->target && streq(m->source, m->target) &&
               streq(next->target, m->target) && !(m->step_flags & (STEP_MKDIR_TARGET | STEP_TOUCH_TARGET | STEP_SOURCE_TYPE)) &&
               (m->step_flags & STEP_OPTIONAL) == (next->step_flags & STEP_OPTIONAL);
}

static int apply_self_bind_then_remount(Apply *a, const MountStep *remount)
{
        const MountStep *m = a->step;
        _cleanup_close_ int fd = open_in_root(a->rootfd, m->target, O_PATH, 0);
        int r;
        if (fd < 0) {
                if (fd == -ENOENT && (m->step_flags & STEP_OPTIONAL))
                        return 0;
                return STEP_FAIL(a, fd, "source %s", m->source);
        }
        if ((r = bind_with_attr(fd, m->flags & MS_REC, fd, remount->flags, remount->step_flags & STEP_RECURSIVE)) < 0)
                return STEP_FAIL(a, r, "bind mount of %s, %s", m->source, (remount->flags & MS_RDONLY) ? "read-only" : "writable");
        return 0;
}

/* An OCI runtime's mask: the host's /dev/null over a file, an empty read-only tmpfs over a
 * directory. */
static int apply_mask_null(Apply *a, int dst, bool dir)
{
        int r;
        if (dir)
                r = do_mount("tmpfs", dst, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555");
        else {
                _cleanup_close_ int null = open("/dev/null", O_PATH | O_CLOEXEC);
                r = null < 0 ? negative_errno() : bind_with_attr(null, false, dst, 0, false);
        }
        return r < 0 ? STEP_FAIL(a, r, "masking") : 0;
}

static int apply_mask(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_close_ int dst = open_in_root(a->rootfd, m->target, O_PATH, 0);
        struct stat st;
        int r;

        if (dst < 0) {
                if (dst == -ENOENT && (m->step_flags & STEP_OPTIONAL))
                        return 0;
                if (dst == -ENOENT)
                        return error_set(a->e, dst, "--inaccessible=%s: no such file or directory in the container", m->target);
                return STEP_FAIL(a, dst, "open");
        }
        if (fstat(dst, &st) < 0)
                return STEP_FAIL(a, negative_errno(), "stat");
        bool dir = S_ISDIR(st.st_mode);
        if (m->step_flags & STEP_MASK_NULL)
                return apply_mask_null(a, dst, dir);
        int *src = &a->inaccessible_fd[dir];
        if (*src < 0 && (*src = open_in_root(a->rootfd, dir ? "/run/host/inaccessible/dir" : "/run/host/inaccessible/reg", O_PATH, 0)) < 0) {
                r = *src;
                *src = -1;
                return STEP_FAIL(a, r, "inaccessible node");
        }
        if ((r = bind_with_attr(*src, false, dst, MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, false)) < 0)
                return STEP_FAIL(a, r, "masking");
        return 0;
}

/* A node an OCI config lists: made as given, or, where this user namespace may not make
 * nodes, the host's node at the same path bound (as runc). */
static int apply_mknod_given(Apply *a)
{
        const MountStep *m = a->step;
        const char *name;
        int dir = open_parent(a, m->target, &name);
        if (dir < 0)
                return STEP_FAIL(a, dir, "parent directory");
        (void)unlinkat(dir, name, 0); /* the config's node wins over what the tree has */
        if (mknodat(dir, name, m->mode, m->rdev) < 0) {
                if (errno != EPERM || S_ISFIFO(m->mode))
                        return STEP_FAIL(a, negative_errno(), "mknod");
                _cleanup_close_ int f = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                _cleanup_close_ int t = f < 0 ? -1 : open_in_root(a->rootfd, m->target, O_PATH, 0);
                if (f < 0 || t < 0)
                        return STEP_FAIL(a, f < 0 ? negative_errno() : t, "mount point for the host's %s", m->target);
                char buf[FD_PATH_MAX];
                if (mount(m->target, fd_path(t, buf), NULL, MS_BIND, NULL) < 0)
                        return STEP_FAIL(a, negative_errno(), "bind mount of the host's %s (no mknod in this user namespace)", m->target);
                return 0;
        }
        if (fchmodat(dir, name, m->mode & 07777, 0) < 0)
                return STEP_FAIL(a, negative_errno(), "chmod");
        if ((m->uid >= 0 || m->gid >= 0) && fchownat(dir, name, (uid_t)m->uid, (gid_t)m->gid, AT_SYMLINK_NOFOLLOW) < 0)
                return STEP_FAIL(a, negative_errno(), "chown");
        return 0;
}

static int apply_mknod(Apply *a)
{
        const MountStep *m = a->step;
        struct stat st;
        const char *name;
        if (!m->source)
                return apply_mknod_given(a);
        if (stat(m->source, &st) < 0) {
                if (errno == ENOENT)
                        return 0; /* the host lacks it; so will the container */
                return STEP_FAIL(a, negative_errno(), "stat %s", m->source);
        }
        if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                return STEP_FAIL(a, -EINVAL, "%s is not a device node", m->source);
        int dir = open_parent(a, m->target, &name);
        if (dir < 0)
                return STEP_FAIL(a, dir, "parent directory");
        /* The host's type and permissions (DeviceAllow= may name a node twice: once is enough). */
        if (mknodat(dir, name, (st.st_mode & S_IFMT) | (st.st_mode & 0777), st.st_rdev) < 0 && errno != EEXIST) {
                if (errno != EPERM)
                        return STEP_FAIL(a, negative_errno(), "mknod");
                /* In a user namespace mknod is not allowed: bind the host's node instead. */
                _cleanup_close_ int f = openat(dir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
                if (f < 0)
                        return STEP_FAIL(a, negative_errno(), "mount point for the host's %s", m->source);
                char buf[FD_PATH_MAX];
                _cleanup_close_ int t = open_in_root(a->rootfd, m->target, O_PATH, 0);
                if (t < 0)
                        return STEP_FAIL(a, t, "mount point for the host's %s", m->source);
                if (mount(m->source, fd_path(t, buf), NULL, MS_BIND, NULL) < 0)
                        return STEP_FAIL(a, negative_errno(), "bind mount of the host's %s", m->source);
        }
        /* udev's /dev/char/MAJOR:MINOR links, which some programs look up (block devices: no
         * such directory is made; their nodes are rare in containers). */
        if (!S_ISCHR(st.st_mode))
                return 0;
        if (a->devchar_fd < 0)
                a->devchar_fd = mkdir_p_in_root(a->rootfd, "/dev/char", 0755);
        char link[32], to[PATH_MAX];
        snprintf(link, sizeof(link), "%u:%u", major(st.st_rdev), minor(st.st_rdev));
        snprintf(to, sizeof(to), "..%s", m->target + strlen("/dev"));
        if (a->devchar_fd >= 0)
                (void)!symlinkat(to, a->devchar_fd, link); /* /dev/char is a convenience: best effort, as nspawn */
        return 0;
}

static int apply_simple_node(Apply *a)
{
        const MountStep *m = a->step;
        const char *name;
        int dir = open_parent(a, m->target, &name);
        if (dir < 0)
                return STEP_FAIL(a, dir, "parent directory");

        switch (m->type) {
        case STEP_SYMLINK:
                if (m->step_flags & STEP_IF_SOURCE) {
                        _cleanup_free_ char *p = NULL;
                        if (asprintf(&p, "/%s%s%s", m->source, m->options ? "/" : "", strempty(m->options)) < 0)
                                return -ENOMEM;
                        _cleanup_close_ int there = open_in_root(a->rootfd, p, O_PATH | O_NOFOLLOW, 0);
                        struct stat st;
                        if (there < 0 || fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
                                return 0;
                }
                if (symlinkat(m->source, dir, name) < 0 && errno != EEXIST)
                        return STEP_FAIL(a, negative_errno(), "symlink");
                return 0;
        case STEP_MKDIR:
                if (mkdirat(dir, name, m->mode) < 0 && errno != EEXIST)
                        return STEP_FAIL(a, negative_errno(), "mkdir");
                return 0;
        case STEP_UNLINK:
                if (unlinkat(dir, name, 0) < 0 && errno != ENOENT)
                        return STEP_FAIL(a, negative_errno(), "unlink");
                return 0;
        case STEP_FILE: {
                char buf[FD_PATH_MAX];
                _cleanup_close_ int d = open(fd_path(dir, buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int r = d < 0 ? negative_errno() : write_file_at(d, name, m->content, m->content_size, m->mode);
                if (r < 0)
                        return STEP_FAIL(a, r, "write");
                return 0;
        }
        default:
                return -EINVAL;
        }
}

/* No file is created: a name the kernel does not know is an error. */
static int apply_sysctl(Apply *a)
{
        const MountStep *m = a->step;
        _cleanup_close_ int fd = open_in_root(a->rootfd, m->target, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
        int r = fd < 0 ? fd : 0;
        for (const char *p = m->options; r == 0 && *p;) {
                ssize_t k = write(fd, p, strlen(p));
                if (k < 0 && errno != EINTR)
                        r = negative_errno();
                else if (k > 0)
                        p += k;
        }
        if (r < 0)
                return error_set_errno(a->e, r, "sysctl %s: cannot write %s", m->source, m->target);
        return 0;
}

static int apply_console(Apply *a)
{
        _cleanup_close_ int master = open_in_root(a->rootfd, "/dev/pts/ptmx", O_RDWR | O_NOCTTY, 0);
        _cleanup_close_ int peer = -1, dst = -1;
        int unlock = 0, r;

        if (master < 0)
                return STEP_FAIL(a, master, "opening /dev/pts/ptmx");
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0)
                return STEP_FAIL(a, negative_errno(), "unlocking the pty");
        peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0)
                return STEP_FAIL(a, negative_errno(), "opening the pty peer");
        if (a->ctx->have_winsize)
                (void)ioctl(master, TIOCSWINSZ, &a->ctx->winsize);
        if ((dst = make_mount_point_in_root(a->rootfd, "/dev/console", false)) < 0)
                return STEP_FAIL(a, dst, "mount point");
        char buf[FD_PATH_MAX];
        if ((r = do_mount(fd_path(peer, buf), dst, NULL, MS_BIND, NULL)) < 0)
                return STEP_FAIL(a, r, "bind mount of the pty");
        a->ctx->console_master = TAKE_FD(master);
        a->ctx->console_peer = TAKE_FD(peer);
        return 0;
}

static int apply_notify(Apply *a)
{
        const char *name;
        int dir = open_parent(a, a->step->target, &name);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        int one = 1;

        if (dir < 0 || fd < 0)
                return STEP_FAIL(a, dir < 0 ? dir : negative_errno(), "notify socket");
        snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/%s", dir, name);
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                return STEP_FAIL(a, negative_errno(), "binding the notify socket");
        (void)setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof(one));
        a->ctx->notify_fd = TAKE_FD(fd);
        return 0;
}

int mount_integration_apply(int rootfd, const char *image, const MountStep *m, Error *e);

int mount_plan_apply(const MountPlan *p, ApplyContext *ctx, Error *e)
{
        Apply a = {.ctx = ctx, .rootfd = -1, .imagefd = -1, .e = e, .parent_fd = -1, .devchar_fd = -1, .inaccessible_fd = {-1, -1}};
        int r = 0;

        ctx->console_master = ctx->console_peer = ctx->notify_fd = -1;
        if (asprintf(&ctx->new_root, "%s/root", ctx->scratch) < 0)
                return -ENOMEM;
        /* A private tmpfs for staging: it vanishes with the mount namespace, so nothing is left
         * behind on the host even if everything is killed. */
        if (mount("tmpfs", ctx->scratch, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0700") < 0)
                return error_set_errno(e, negative_errno(), "cannot mount the staging tmpfs on %s", ctx->scratch);
        a.imagefd = open(ctx->image, O_PATH | O_DIRECTORY | O_CLOEXEC);
        /* In a user namespace the image's path may be out of reach (a 0700 directory above it):
         * then everything of it comes as detached mounts from the supervisor. */
        if (a.imagefd < 0 && errno == EACCES && ctx->root_fd >= 0)
                ;
        else if (a.imagefd < 0)
                return error_set_errno(e, negative_errno(), "cannot open the image directory %s", ctx->image);

        for (size_t i = 0; i < p->n_steps && r >= 0; i++) {
                a.step = &p->steps[i];
                if (!IN_SET(a.step->type, STEP_MKNOD, STEP_SYMLINK, STEP_MKDIR, STEP_FILE, STEP_UNLINK, STEP_NOTIFY))
                        forget_dirs(&a);
                switch (a.step->type) {
                case STEP_ROOT_BIND:
                case STEP_ROOT_OVERLAY:
                case STEP_ROOT_TMPFS:
                        r = apply_root(&a);
                        break;
                case STEP_PIVOT_ROOT:
                        r = apply_pivot_root(&a);
                        break;
                case STEP_MOUNT:
                        r = apply_mount(&a);
                        break;
                case STEP_BIND:
                case STEP_BIND_ROOT:
                case STEP_IMAGE_BIND:
                        if (i + 1 < p->n_steps && is_self_bind_then_remount(a.step, &p->steps[i + 1]))
                                r = apply_self_bind_then_remount(&a, &p->steps[++i]);
                        else
                                r = apply_bind(&a);
                        break;
                case STEP_REMOUNT:
                        r = apply_remount(&a);
                        break;
                case STEP_MASK:
                        r = apply_mask(&a);
                        break;
                case STEP_OVERLAY:
                        r = apply_overlay(&a);
                        break;
                case STEP_MKNOD:
                        r = apply_mknod(&a);
                        break;
                case STEP_SYMLINK:
                case STEP_MKDIR:
                case STEP_FILE:
                case STEP_UNLINK:
                        r = apply_simple_node(&a);
                        break;
                case STEP_SYSCTL:
                        r = apply_sysctl(&a);
                        break;
                case STEP_CONSOLE:
                        r = apply_console(&a);
                        break;
                case STEP_NOTIFY:
                        r = apply_notify(&a);
                        break;
                case STEP_RESOLV_CONF:
                case STEP_TIMEZONE:
                case STEP_JOURNAL:
                        r = mount_integration_apply(a.rootfd, ctx->image, a.step, e);
                        break;
                default:
                        r = error_set(e, -EINVAL, "unknown mount step %d", a.step->type);
                }
                if (r < 0 && e && e->code == 0)
                        STEP_FAIL(&a, r, "internal error");
        }
        forget_dirs(&a);
        closep(&a.inaccessible_fd[0]);
        closep(&a.inaccessible_fd[1]);
        closep(&a.rootfd);
        closep(&a.imagefd);
        return r;
}

void apply_context_done(ApplyContext *ctx)
{
        closep(&ctx->console_master);
        closep(&ctx->console_peer);
        closep(&ctx->notify_fd);
        ctx->new_root = mfree(ctx->new_root);
}

int mount_enter_root(const char *new_root, Error *e)
{
        if (chdir(new_root) < 0)
                return error_set_errno(e, negative_errno(), "cannot enter %s", new_root);
        if (syscall(SYS_pivot_root, ".", ".") < 0)
                return error_set_errno(e, negative_errno(), "pivot_root into the container failed");
        if (umount2(".", MNT_DETACH) < 0)
                return error_set_errno(e, negative_errno(), "cannot detach the host's root");
        if (chdir("/") < 0)
                return error_set_errno(e, negative_errno(), "chdir(/) in the container failed");
        return 0;
}
