/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Overlay child images: their records, the tree they make with their base, and what they hide
 * of the base.  overlayfs marks a file deleted in the upper layer with a whiteout (a character
 * device 0:0) and a directory replaced as a whole with the xattr user.overlay.opaque "y" (corral
 * mounts children with "userxattr", which works in a user namespace too; trusted.overlay.opaque
 * of children made before is honoured as well); every other entry of the upper layer that the
 * base also has is the child's copy. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs-util.h"
#include "image-child.h"
#include "image.h"
#include "tree.h"

/* The child's record and work directory sit beside it. */
static int child_paths(const char *image, char **ret_meta, char **ret_work)
{
        _cleanup_free_ char *dir = path_dirname(image);
        if (!dir)
                return -ENOMEM;
        const char *b = path_basename(image);
        if (asprintf(ret_meta, "%s/.#%s.corral-child", dir, b) < 0)
                return -ENOMEM;
        if (asprintf(ret_work, "%s/.#%s.corral-work", dir, b) < 0) {
                free(*ret_meta);
                return -ENOMEM;
        }
        return 0;
}

int image_child_read(const char *image, char **ret_lower, char **ret_work)
{
        _cleanup_free_ char *meta = NULL, *work = NULL, *text = NULL;
        int r;
        if ((r = child_paths(image, &meta, &work)) < 0)
                return r;
        if ((r = read_full_file(meta, &text, NULL)) < 0)
                return r == -ENOENT ? 0 : r;
        const char *l = startswith(text, "lower=");
        if (!l)
                return -EINVAL;
        char *lower = strndup(l, strcspn(l, "\n"));
        if (!lower)
                return -ENOMEM;
        *ret_lower = lower;
        *ret_work = TAKE_PTR(work);
        return 1;
}

int image_child_attach(const char *image, const char *lower, Error *e)
{
        _cleanup_free_ char *meta = NULL, *work = NULL, *text = NULL;
        int r;
        if ((r = child_paths(image, &meta, &work)) < 0 || asprintf(&text, "lower=%s\n", lower) < 0)
                return error_set(e, -ENOMEM, "out of memory");
        if (mkdir(work, 0700) < 0 && errno != EEXIST)
                return error_set_errno(e, negative_errno(), "cannot create the overlay work directory %s", work);
        /* A record is never half there. */
        if ((r = write_file_atomic_at(AT_FDCWD, meta, text, strlen(text), 0644)) < 0) {
                (void)rmdir(work);
                return error_set_errno(e, r, "cannot write %s", meta);
        }
        return 0;
}

int image_child_create(const char *image, const char *lower, Error *e)
{
        struct stat st;
        int r;
        if (stat(lower, &st) < 0 || !S_ISDIR(st.st_mode))
                return error_set(e, -ENOENT, "--template=%s: not a directory", lower);
        if (mkdir(image, 0755) < 0)
                return error_set_errno(e, negative_errno(), "--template: cannot create %s", image);
        if ((r = image_child_attach(image, lower, e)) < 0)
                (void)rmdir(image);
        return r;
}

int image_child_detach(const char *image)
{
        _cleanup_free_ char *meta = NULL, *work = NULL;
        int r;
        if ((r = child_paths(image, &meta, &work)) < 0)
                return r;
        if (unlink(meta) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        _cleanup_free_ char *dir = path_dirname(work);
        _cleanup_close_ int fd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (fd < 0)
                return dir ? negative_errno() : -ENOMEM;
        r = tree_remove(fd, path_basename(work), NULL, 0);
        return r == -ENOENT ? 0 : r;
}

const char *image_child_layer(const char *child, const char *lower, const char *path)
{
        _cleanup_free_ char *p = path_join(child, path);
        struct stat st;
        return p && fstatat(AT_FDCWD, p, &st, AT_SYMLINK_NOFOLLOW) == 0 ? child : lower;
}

int image_child_mount(const char *child, const char *lower, Error *e)
{
        _cleanup_free_ char *opts = NULL;
        int r;
        if ((r = image_mount_namespace(child, e)) < 0)
                return r;
        if ((r = overlay_mount_options((char *[]){(char *)lower, NULL}, child, NULL, true, true, &opts)) < 0)
                return error_set(e, r, "out of memory");
        if (mount("overlay", IMAGE_MOUNT_ROOT, "overlay", MS_RDONLY, opts) < 0)
                return error_set_errno(e, negative_errno(), "cannot mount the overlay child %s over its base %s", child, lower);
        return 0;
}

const char *shadow_kind_to_string(ShadowKind k)
{
        static const char *const names[_SHADOW_KIND_MAX] = {
                [SHADOW_SAME] = "same",       [SHADOW_CHANGED] = "changed",   [SHADOW_BASE_NEWER] = "base-newer",
                [SHADOW_DELETED] = "deleted", [SHADOW_REPLACED] = "replaced",
        };
        return k >= 0 && k < _SHADOW_KIND_MAX ? names[k] : NULL;
}

void shadows_free(Shadow *s, size_t n)
{
        for (size_t k = 0; k < n; k++)
                free(s[k].path);
        free(s);
}

/* b is a or below it. */
static bool path_covers(const char *a, const char *b)
{
        return streq(a, "/") || path_startswith(b, a);
}

typedef struct Walk {
        char *const *paths;
        Shadow *list;
        size_t n;
        char *buf[2]; /* for comparing file data */
        Error *e;
} Walk;

#define BUF_SIZE (64 * 1024)

/* Whether path is one the caller asks about (at or below one of its paths), or above one:
 * then only a deletion or a replaced directory, which hide all below them, count. */
static int wanted(const Walk *w, const char *path)
{
        bool above = false;
        if (!w->paths)
                return 2;
        for (char *const *p = w->paths; *p; p++) {
                if (path_covers(*p, path))
                        return 2;
                above = above || path_covers(path, *p);
        }
        return above;
}

static bool is_whiteout(const struct stat *st)
{
        return S_ISCHR(st->st_mode) && st->st_rdev == makedev(0, 0);
}

static bool is_opaque(int dirfd)
{
        char v[2];
        return (fgetxattr(dirfd, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y') ||
               (fgetxattr(dirfd, "trusted.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y');
}

static bool overlay_xattr(const char *name)
{
        return startswith(name, "trusted.overlay.") || startswith(name, "user.overlay.");
}

static bool timespec_after(struct timespec a, struct timespec b)
{
        return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

/* The same extended attributes, but overlayfs's own. */
static bool same_xattrs(int a, int b)
{
        char la[8192], lb[8192], va[8192], vb[8192];
        ssize_t na = flistxattr(a, la, sizeof(la)), nb = flistxattr(b, lb, sizeof(lb));
        size_t count_a = 0, count_b = 0;
        if (na < 0 || nb < 0)
                return false;
        for (ssize_t k = 0; k < nb; k += (ssize_t)strlen(lb + k) + 1)
                count_b += !overlay_xattr(lb + k);
        for (ssize_t k = 0; k < na; k += (ssize_t)strlen(la + k) + 1) {
                const char *name = la + k;
                if (overlay_xattr(name))
                        continue;
                count_a++;
                ssize_t x = fgetxattr(a, name, va, sizeof(va)), y = fgetxattr(b, name, vb, sizeof(vb));
                if (x < 0 || x != y || memcmp(va, vb, (size_t)x) != 0)
                        return false;
        }
        return count_a == count_b;
}

static bool same_data(Walk *w, int a, int b)
{
        for (;;) {
                ssize_t x = read(a, w->buf[0], BUF_SIZE);
                if (x < 0)
                        return false;
                size_t got = 0;
                while (got < (size_t)x) {
                        ssize_t y = read(b, w->buf[1] + got, (size_t)x - got);
                        if (y <= 0)
                                return false;
                        got += (size_t)y;
                }
                if (memcmp(w->buf[0], w->buf[1], (size_t)x) != 0)
                        return false;
                if (x == 0) {
                        char c;
                        return read(b, &c, 1) == 0;
                }
        }
}

/* The child's copy is the base's file as it is: type, owner, mode, data, link target, xattrs. */
static bool same_file(Walk *w, int upper, int lower, const char *name, const struct stat *us, const struct stat *ls)
{
        if (us->st_mode != ls->st_mode || us->st_uid != ls->st_uid || us->st_gid != ls->st_gid)
                return false;
        switch (us->st_mode & S_IFMT) {
        case S_IFLNK: {
                char ta[PATH_MAX], tb[PATH_MAX];
                ssize_t x = readlinkat(upper, name, ta, sizeof(ta)), y = readlinkat(lower, name, tb, sizeof(tb));
                return x >= 0 && x == y && memcmp(ta, tb, (size_t)x) == 0;
        }
        case S_IFCHR:
        case S_IFBLK:
                return us->st_rdev == ls->st_rdev;
        case S_IFREG: {
                if (us->st_size != ls->st_size)
                        return false;
                _cleanup_close_ int a = openat(upper, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                _cleanup_close_ int b = openat(lower, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                return a >= 0 && b >= 0 && same_xattrs(a, b) && same_data(w, a, b);
        }
        default:
                return true;
        }
}

static int add_shadow(Walk *w, const char *path, const Shadow *s)
{
        Shadow *l = realloc(w->list, (w->n + 1) * sizeof(Shadow));
        if (!l)
                return error_set(w->e, -ENOMEM, "out of memory");
        w->list = l;
        l[w->n] = *s;
        if (!(l[w->n].path = strdup(path)))
                return error_set(w->e, -ENOMEM, "out of memory");
        w->n++;
        return 0;
}

static int open_dir(int dirfd, const char *name)
{
        int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        return fd < 0 ? negative_errno() : fd;
}

static int walk(Walk *w, int upper, int lower, char *path);

/* One directory of the child against the base's: path in the tree (in a buffer of PATH_MAX),
 * its length without the entry's name. */
typedef struct WalkDir {
        Walk *w;
        int lower;
        char *path;
        size_t len;
} WalkDir;

static int walk_entry(int upper, const char *name, void *userdata)
{
        WalkDir *d = userdata;
        Walk *w = d->w;
        char *path = d->path;
        struct stat us, ls;
        int r;
        if (d->len + 1 + strlen(name) >= PATH_MAX)
                return error_set(w->e, -ENAMETOOLONG, "a path below %s of the child is too long", path);
        snprintf(path + d->len, PATH_MAX - d->len, "%s%s", d->len > 1 ? "/" : "", name);
        int want = wanted(w, path);
        if (!want)
                return 0;
        if (fstatat(upper, name, &us, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set_errno(w->e, negative_errno(), "cannot look at the child's %s", path);
        if (fstatat(d->lower, name, &ls, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT || errno == ENOTDIR ? 0 /* the child's own */
                                                           : error_set_errno(w->e, negative_errno(), "cannot look at the base's %s", path);
        Shadow s = {
                .child_type = us.st_mode & S_IFMT,
                .base_type = ls.st_mode & S_IFMT,
                .child_ctime = us.st_ctim,
                .base_ctime = ls.st_ctim,
        };
        if (is_whiteout(&us)) {
                s.kind = SHADOW_DELETED;
                s.child_type = 0;
        } else if (S_ISDIR(us.st_mode) && S_ISDIR(ls.st_mode)) {
                _cleanup_close_ int u = open_dir(upper, name);
                if (u < 0)
                        return error_set_errno(w->e, u, "cannot open the child's %s", path);
                if (!is_opaque(u)) {
                        _cleanup_close_ int l = open_dir(d->lower, name);
                        if (l < 0)
                                return error_set_errno(w->e, l, "cannot open the base's %s", path);
                        r = walk(w, u, l, path);
                        path[d->len] = 0;
                        return r;
                }
                s.kind = SHADOW_REPLACED;
        } else if (s.child_type != s.base_type)
                s.kind = SHADOW_REPLACED;
        else if (same_file(w, upper, d->lower, name, &us, &ls))
                s.kind = SHADOW_SAME;
        else
                s.kind = timespec_after(ls.st_ctim, us.st_ctim) ? SHADOW_BASE_NEWER : SHADOW_CHANGED;
        if (want == 2 || s.kind == SHADOW_DELETED || s.kind == SHADOW_REPLACED)
                return add_shadow(w, path, &s);
        return 0;
}

/* The entries of the child's directory upper against the base's directory lower. */
static int walk(Walk *w, int upper, int lower, char *path)
{
        size_t len = strlen(path);
        int r = dir_for_each(upper, walk_entry, &(WalkDir){.w = w, .lower = lower, .path = path, .len = len});
        path[len] = 0;
        /* (a failure of an entry has said what it was already: only the first error counts) */
        return r < 0 ? error_set_errno(w->e, r, "cannot read the child's %s", path) : 0;
}

static int by_path(const void *a, const void *b)
{
        return strcmp(((const Shadow *)a)->path, ((const Shadow *)b)->path);
}

int image_child_shadows(const char *child, const char *lower, char *const *paths, Shadow **ret, size_t *ret_n, Error *e)
{
        Walk w = {.paths = paths, .e = e};
        char path[PATH_MAX] = "/";
        int r;
        _cleanup_close_ int u = open(child, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (u < 0)
                return error_set_errno(e, negative_errno(), "cannot open the child image %s", child);
        _cleanup_close_ int l = open(lower, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (l < 0)
                return error_set_errno(e, negative_errno(), "cannot open the base image %s", lower);
        if (!(w.buf[0] = malloc(BUF_SIZE)) || !(w.buf[1] = malloc(BUF_SIZE)))
                r = error_set(e, -ENOMEM, "out of memory");
        else if (is_opaque(u)) {
                /* The whole tree replaced: only the root can be listed. */
                struct stat us, ls;
                r = fstat(u, &us) < 0 || fstat(l, &ls) < 0 ? error_set_errno(e, negative_errno(), "cannot look at %s", child) : 0;
                Shadow s = {
                        .kind = SHADOW_REPLACED, .child_type = S_IFDIR, .base_type = S_IFDIR, .child_ctime = us.st_ctim, .base_ctime = ls.st_ctim};
                if (r >= 0)
                        r = add_shadow(&w, "/", &s);
        } else
                r = walk(&w, u, l, path);
        free(w.buf[0]);
        free(w.buf[1]);
        if (r < 0) {
                shadows_free(w.list, w.n);
                return r;
        }
        if (w.n > 1)
                qsort(w.list, w.n, sizeof(Shadow), by_path);
        *ret = w.list;
        *ret_n = w.n;
        return 0;
}

#define MACHINE_ID "/etc/machine-id"

int image_child_drop(const char *child, const char *lower, char *const *paths, void (*done)(const Shadow *s, bool dropped, void *userdata),
                     void *userdata, Error *e)
{
        Shadow *list = NULL;
        size_t n = 0;
        int r;
        if ((r = image_child_shadows(child, lower, paths, &list, &n, e)) < 0)
                return r;
        /* Every path is checked before anything is removed. */
        for (char *const *p = paths; *p && r >= 0; p++) {
                bool found = false;
                if (path_compare(*p, MACHINE_ID) == 0) {
                        r = error_set(e, -EINVAL,
                                      MACHINE_ID " is the child's own machine ID: dropping it would give the child its base's, and two "
                                                 "machines one ID; it is never dropped (to give the child a new one, empty the file and boot it)");
                        break;
                }
                for (size_t k = 0; k < n && r >= 0; k++) {
                        if (streq(list[k].path, "/"))
                                r = error_set(e, -EINVAL,
                                              "the child replaced its whole tree: nothing of the base shows through it, and dropping "
                                              "it would leave an empty child; remove the child and create a new one instead");
                        else if (path_covers(*p, list[k].path))
                                found = true;
                        else if (path_covers(list[k].path, *p))
                                r = error_set(e, -EINVAL, "%s is below %s, which the child %s as a whole: drop %s instead", *p, list[k].path,
                                              list[k].kind == SHADOW_DELETED ? "deleted" : "replaced", list[k].path);
                }
                if (r >= 0 && !found)
                        r = error_set(
                                e, -ENOENT,
                                "the child hides nothing of its base at %s: there is no copy or deletion of a base file there (the child's own files are never dropped)",
                                *p);
        }
        _cleanup_close_ int root = r < 0 ? -1 : open(child, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (r >= 0 && root < 0)
                r = error_set_errno(e, negative_errno(), "cannot open the child image %s", child);
        for (size_t k = 0; k < n && r >= 0; k++) {
                char where[PATH_MAX] = "";
                bool chosen = false;
                for (char *const *p = paths; *p && !chosen; p++)
                        chosen = path_covers(*p, list[k].path);
                if (!chosen)
                        continue;
                if (streq(list[k].path, MACHINE_ID)) {
                        if (done)
                                done(&list[k], false, userdata);
                        continue;
                }
                _cleanup_free_ char *parent = path_dirname(list[k].path);
                _cleanup_close_ int dir = parent ? open_beneath(root, parent) : -ENOMEM;
                if (dir < 0)
                        r = error_set_errno(e, dir, "cannot open the directory of %s in the child", list[k].path);
                else if ((r = tree_remove(dir, path_basename(list[k].path), where, sizeof(where))) < 0)
                        r = error_set_errno(e, r, "cannot remove the child's %s%s%s", list[k].path, *where ? ": at " : "", where);
                else if (done)
                        done(&list[k], true, userdata);
        }
        shadows_free(list, n);
        return r;
}
