/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The image store: what machined's image functions do, on the files themselves. */
#include <errno.h>
#include <fcntl.h>
#include <linux/btrfs.h>
#include <linux/btrfs_tree.h>
#include <linux/fs.h>
#include <linux/magic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/random.h>
#include <unistd.h>

#include "fs-util.h"
#include "image-child.h"
#include "image.h"
#include "image-store.h"
#include "macro.h"
#include "missing.h"
#include "strv.h"
#include "tree.h"

#define POOL "/var/lib/machines"

const char *image_type_to_string(ImageType t)
{
        static const char *const names[] = {"directory", "subvolume", "raw", "block"};
        return names[t];
}

bool image_name_is_valid(const char *name)
{
        size_t n = strlen(name);
        if (n == 0 || n > 250 || streq(name, ".") || streq(name, "..") || startswith(name, ".#") || strchr(name, '/'))
                return false;
        for (const char *p = name; *p; p++)
                if ((unsigned char)*p < 0x20 || *p == 0x7f)
                        return false;
        return true;
}

static bool is_btrfs_subvolume(int fd, const struct stat *st)
{
        struct statfs sf;
        return st->st_ino == 256 && fstatfs(fd, &sf) == 0 && sf.f_type == BTRFS_SUPER_MAGIC;
}

static uint64_t timespec_us(struct timespec ts)
{
        return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

/* The image at dir/file (file: the name in the directory, "NAME.raw" for a raw image). */
static int image_make(const char *dir, const char *file, Image *ret)
{
        struct stat st;
        _cleanup_free_ char *path = path_join(dir, file);
        if (!path)
                return -ENOMEM;
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
        if (fd < 0 || fstat(fd, &st) < 0)
                return negative_errno();
        Image i = {.usage = IMAGE_SIZE_UNKNOWN, .limit = IMAGE_SIZE_UNKNOWN, .vendor = startswith(path, "/usr/") != NULL};
        snprintf(i.path, sizeof(i.path), "%s", path);
        size_t n = strlen(file);
        if (S_ISDIR(st.st_mode)) {
                unsigned flags = 0;
                i.type = is_btrfs_subvolume(fd, &st) ? IMAGE_SUBVOLUME : IMAGE_DIRECTORY;
                if (i.type == IMAGE_SUBVOLUME) {
                        uint64_t f = 0;
                        i.read_only = ioctl(fd, BTRFS_IOC_SUBVOL_GETFLAGS, &f) == 0 && (f & BTRFS_SUBVOL_RDONLY);
                }
                if (ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0 && (flags & FS_IMMUTABLE_FL))
                        i.read_only = true;
                snprintf(i.name, sizeof(i.name), "%s", file);
                _cleanup_free_ char *lower = NULL, *work = NULL;
                if (image_child_read(path, &lower, &work) > 0)
                        snprintf(i.base, sizeof(i.base), "%s", lower);
        } else if (S_ISREG(st.st_mode) && n > 4 && streq(file + n - 4, ".raw")) {
                i.type = IMAGE_RAW;
                i.read_only = !(st.st_mode & 0222);
                i.usage = (uint64_t)st.st_blocks * 512;
                snprintf(i.name, sizeof(i.name), "%.*s", (int)(n - 4), file);
        } else if (S_ISBLK(st.st_mode)) {
                int ro = 0;
                uint64_t size;
                i.type = IMAGE_BLOCK;
                i.read_only = ioctl(fd, BLKROGET, &ro) == 0 && ro;
                if (ioctl(fd, BLKGETSIZE64, &size) == 0)
                        i.usage = size;
                snprintf(i.name, sizeof(i.name), "%s", file);
        } else
                return -EMEDIUMTYPE;
        if (!image_name_is_valid(i.name))
                return -EINVAL;
        i.read_only = i.read_only || i.vendor;
        struct statx sx;
        if (statx(fd, "", AT_EMPTY_PATH, STATX_BTIME, &sx) == 0 && (sx.stx_mask & STATX_BTIME))
                i.crtime_us = (uint64_t)sx.stx_btime.tv_sec * 1000000 + sx.stx_btime.tv_nsec / 1000;
        i.mtime_us = timespec_us(st.st_mtim);
        *ret = i;
        return 0;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const Image *)a)->name, ((const Image *)b)->name);
}

typedef struct SearchDir {
        const char *dir;
        int (*fn)(const char *dir, const char *name, void *userdata);
        void *userdata;
} SearchDir;

static int search_dir_entry(int dirfd, const char *name, void *userdata)
{
        SearchDir *d = userdata;
        return d->fn(d->dir, name, d->userdata);
}

/* Calls fn(dir, name, userdata) for each entry of the image directories, in search order,
 * until one returns a negative errno.  A directory that cannot be read holds no images. */
static int search_path_for_each(int (*fn)(const char *dir, const char *name, void *userdata), void *userdata)
{
        for (const char *const *dir = image_search_path; *dir; dir++) {
                _cleanup_close_ int fd = open(*dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                int r = fd < 0 ? 0 : dir_for_each(fd, search_dir_entry, &(SearchDir){.dir = *dir, .fn = fn, .userdata = userdata});
                if (r == -ENOMEM)
                        return r;
        }
        return 0;
}

typedef struct ImageList {
        Image *list;
        size_t n;
} ImageList;

static int list_entry(const char *dir, const char *name, void *userdata)
{
        ImageList *l = userdata;
        Image i;
        if (startswith(name, ".#") || image_make(dir, name, &i) < 0)
                return 0;
        for (size_t k = 0; k < l->n; k++)
                if (streq(l->list[k].name, i.name))
                        return 0; /* hidden by the image of that name in an earlier directory */
        Image *nl = realloc(l->list, (l->n + 1) * sizeof(Image));
        if (!nl)
                return -ENOMEM;
        l->list = nl;
        l->list[l->n++] = i;
        return 0;
}

int image_store_list(Image **ret, size_t *ret_n)
{
        ImageList l = {0};
        if (search_path_for_each(list_entry, &l) < 0) {
                free(l.list);
                return -ENOMEM;
        }
        if (l.n > 0)
                qsort(l.list, l.n, sizeof(Image), by_name);
        *ret = l.list;
        *ret_n = l.n;
        return 0;
}

int image_store_get(const char *name, Image *ret, Error *e)
{
        *ret = (Image){0};
        if (!image_name_is_valid(name))
                return error_set(e, -EINVAL, "\"%s\" is not a valid image name", name);
        _cleanup_free_ char *raw = NULL;
        if (asprintf(&raw, "%s.raw", name) < 0)
                return -ENOMEM;
        for (const char *const *dir = image_search_path; *dir; dir++)
                if (image_make(*dir, name, ret) == 0 || image_make(*dir, raw, ret) == 0)
                        return 0;
        return error_set(e, -ENOENT, "No image '%s' known", name);
}

int image_store_pool(Image *ret)
{
        int r = image_make("/var/lib", "machines", ret);
        if (r >= 0)
                snprintf(ret->name, sizeof(ret->name), "%s", POOL);
        return r;
}

char **image_settings_files(const Image *i)
{
        char **l = NULL;
        _cleanup_free_ char *file = NULL, *dir = path_dirname(i->path);
        if (!dir || asprintf(&file, "%s.nspawn", i->name) < 0)
                return NULL;
        const char *dirs[] = {settings_trusted_dirs[0], settings_trusted_dirs[1], dir};
        for (size_t k = 0; k < ELEMENTSOF(dirs); k++) {
                _cleanup_free_ char *p = path_join(dirs[k], file);
                if (p && access(p, F_OK) == 0 && strv_push(&l, TAKE_PTR(p)) < 0)
                        return strv_free(l);
        }
        if (!l)
                l = calloc(1, sizeof(char *));
        return l;
}

int image_store_lock_idle(const Image *i, bool shared, const char *verb, ImageLock *ret, Error *e)
{
        int r = image_lock_try(IMAGE_LOCK_DIR, i->path, shared, ret, e);
        if (r == -EBUSY)
                return error_set(e, r, "cannot %s image '%s': a container runs on it%s; stop it first", verb, i->name, shared ? " writable" : "");
        if (r < 0)
                return error_prefix(e, "cannot %s image '%s'", verb, i->name);
        return 0;
}

static int set_immutable_at(int dirfd, const char *name, bool on)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        unsigned flags;
        if (fd < 0)
                return negative_errno();
        if (ioctl(fd, FS_IOC_GETFLAGS, &flags) < 0)
                return negative_errno();
        unsigned want = on ? flags | FS_IMMUTABLE_FL : flags & ~FS_IMMUTABLE_FL;
        if (want != flags && ioctl(fd, FS_IOC_SETFLAGS, &want) < 0)
                return negative_errno();
        return 0;
}

static int set_immutable(const char *path, bool on)
{
        return set_immutable_at(AT_FDCWD, path, on);
}

int image_store_set_read_only(const Image *i, bool read_only, Error *e)
{
        int r = 0;
        if (i->vendor)
                return error_set(e, -EROFS, "image '%s' is the vendor's (%s): it stays read-only", i->name, i->path);
        switch (i->type) {
        case IMAGE_DIRECTORY:
                r = set_immutable(i->path, read_only);
                if (r == -ENOTTY || r == -EOPNOTSUPP)
                        return error_set(e, r, "cannot mark image '%s' read-only: the file system of %s has no immutable flag", i->name, i->path);
                break;
        case IMAGE_SUBVOLUME: {
                _cleanup_close_ int fd = open(i->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                uint64_t f = 0;
                if (fd < 0 || ioctl(fd, BTRFS_IOC_SUBVOL_GETFLAGS, &f) < 0)
                        r = negative_errno();
                else {
                        f = read_only ? f | BTRFS_SUBVOL_RDONLY : f & ~(uint64_t)BTRFS_SUBVOL_RDONLY;
                        r = ioctl(fd, BTRFS_IOC_SUBVOL_SETFLAGS, &f) < 0 ? negative_errno() : 0;
                }
                /* One marked with the immutable flag (by an older corral, or chattr) too. */
                if (r >= 0 && !read_only)
                        (void)set_immutable(i->path, false);
                break;
        }
        case IMAGE_RAW: {
                struct stat st;
                if (stat(i->path, &st) < 0 || chmod(i->path, (st.st_mode & 07555) | (read_only ? 0 : 0200)) < 0)
                        r = negative_errno();
                break;
        }
        case IMAGE_BLOCK: {
                _cleanup_close_ int fd = open(i->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
                int ro = read_only;
                if (fd < 0 || ioctl(fd, BLKROSET, &ro) < 0)
                        r = negative_errno();
                break;
        }
        }
        if (r < 0)
                return error_set_errno(e, r, "cannot mark image '%s' %s", i->name, read_only ? "read-only" : "writable");
        return 0;
}

/* Where nothing of that name is, in the store or as a settings file of the store's names. */
static int check_new_name(const char *new_name, Error *e)
{
        Image other;
        Error ignored = {0};
        if (!image_name_is_valid(new_name))
                return error_set(e, -EINVAL, "\"%s\" is not a valid image name", new_name);
        if (image_store_get(new_name, &other, &ignored) == 0)
                return error_set(e, -EEXIST, "an image named '%s' exists already (%s)", new_name, other.path);
        return 0;
}

static void random_suffix(char buf[static 13])
{
        static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
        uint8_t b[12] = {0};
        /* Blocks until the entropy pool is ready, so it fails only where the call does not exist
         * (before Linux 3.17, which corral does not run on); the name is then merely not random. */
        (void)!getrandom(b, sizeof(b), 0);
        for (size_t k = 0; k < 12; k++)
                buf[k] = chars[b[k] % (sizeof(chars) - 1)];
        buf[12] = 0;
}

static int snapshot(int src_fd, int dst_dir, const char *name, bool read_only)
{
        struct btrfs_ioctl_vol_args_v2 args = {.fd = src_fd, .flags = read_only ? BTRFS_SUBVOL_RDONLY : 0};
        snprintf(args.name, sizeof(args.name), "%s", name);
        return ioctl(dst_dir, BTRFS_IOC_SNAP_CREATE_V2, &args) < 0 ? negative_errno() : 0;
}

/* A settings file copied (or moved) to the new name, in its own directory. */
/* The settings file of new_name beside the settings file from. */
static char *settings_file_renamed(const char *from, const char *new_name)
{
        _cleanup_free_ char *dir = path_dirname(from), *file = NULL;
        if (!dir || asprintf(&file, "%s.nspawn", new_name) < 0)
                return NULL;
        return path_join(dir, file);
}

static int settings_to(const char *from, const char *new_name, bool move, Error *e)
{
        _cleanup_free_ char *to = settings_file_renamed(from, new_name), *text = NULL;
        size_t size;
        int r;
        if (!to)
                return -ENOMEM;
        if (move)
                r = renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_NOREPLACE) < 0 ? negative_errno() : 0;
        else if ((r = read_full_file(from, &text, &size)) >= 0)
                r = write_file_at(AT_FDCWD, to, text, size, 0644);
        if (r < 0)
                return error_set_errno(e, r, "cannot %s the settings file %s to %s", move ? "move" : "copy", from, to);
        return 0;
}

/* None of the settings files would land on one that exists. */
static int settings_targets_free(char **settings, const Image *i, const char *new_name, const char *verb, Error *e)
{
        for (char **s = settings; s && *s; s++) {
                _cleanup_free_ char *to = settings_file_renamed(*s, new_name);
                if (!to)
                        return -ENOMEM;
                if (access(to, F_OK) == 0)
                        return error_set(e, -EEXIST, "cannot %s image '%s' to '%s': the settings file %s exists already", verb, i->name, new_name,
                                         to);
        }
        return 0;
}

int image_store_clone(const Image *i, const char *new_name, bool read_only, Error *e)
{
        ImageLock lock = IMAGE_LOCK_NULL;
        char suffix[13], tmp[300] = "", final[300], where[4096] = "";
        _cleanup_strv_free_ char **settings = NULL;
        Image copy;
        Error ignored = {0};
        int r;
        if ((r = check_new_name(new_name, e)) < 0)
                return r;
        settings = image_settings_files(i);
        if (!settings)
                return -ENOMEM;
        if ((r = settings_targets_free(settings, i, new_name, "clone", e)) < 0)
                return r;
        if (i->type == IMAGE_BLOCK)
                return error_set(e, -EOPNOTSUPP, "image '%s' is a block device: copy it with dd, as a raw image (%s.raw)", i->name, new_name);
        if ((r = mkdir_p(POOL, 0700)) < 0)
                return error_set_errno(e, r, "cannot create %s", POOL);
        _cleanup_close_ int pool = open(POOL, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (pool < 0)
                return error_set_errno(e, negative_errno(), "cannot open %s", POOL);
        /* A writable container would change the tree under the copy. */
        if ((r = image_store_lock_idle(i, true, "clone", &lock, e)) < 0)
                return r;
        random_suffix(suffix);
        snprintf(tmp, sizeof(tmp), ".#clone-%s", suffix);
        snprintf(final, sizeof(final), "%s%s", new_name, i->type == IMAGE_RAW ? ".raw" : "");
        _cleanup_free_ char *parent = path_dirname(i->path);
        _cleanup_close_ int src_dir = parent ? open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        const char *base = path_basename(i->path);
        if (src_dir < 0) {
                r = error_set_errno(e, parent ? negative_errno() : -ENOMEM, "cannot open %s", parent ? parent : i->path);
                goto out;
        }
        if (i->type == IMAGE_SUBVOLUME) {
                _cleanup_close_ int src = openat(src_dir, base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                r = src < 0 ? negative_errno() : snapshot(src, pool, tmp, false);
                if (r >= 0)
                        goto made;
                /* Another file system, or no btrfs below /var/lib/machines: a copy then. */
        }
        if (i->type == IMAGE_RAW) {
                struct stat st;
                _cleanup_close_ int in = openat(src_dir, base, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int out = openat(pool, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (in < 0 || out < 0 || fstat(in, &st) < 0)
                        r = negative_errno();
                else if ((r = file_copy_data(in, out)) >= 0) {
                        struct timespec ts[2] = {st.st_atim, st.st_mtim};
                        if (fchown(out, st.st_uid, st.st_gid) < 0 || fchmod(out, (st.st_mode & 07777) | 0200) < 0 || futimens(out, ts) < 0)
                                r = negative_errno();
                }
        } else
                r = tree_copy(src_dir, base, pool, tmp, where, sizeof(where));
        if (r < 0) {
                if (r == -ENOSPC)
                        r = error_set(e, r, "cannot clone image '%s' to %s/%s: no space left on the file system of %s (the partial copy is removed)",
                                      i->name, POOL, final, POOL);
                else
                        r = error_set_errno(e, r, "cannot clone image '%s' to %s/%s%s%s (the partial copy is removed)", i->name, POOL, final,
                                            *where ? ": at " : "", where);
                goto out;
        }
made:
        /* A read-only original's copy is writable, unless asked otherwise. */
        if (i->type == IMAGE_DIRECTORY || i->type == IMAGE_SUBVOLUME)
                (void)set_immutable_at(pool, tmp, false);
        /* A child's copy is a child of the same base: its record first, so that the copy is
         * never seen without it. */
        snprintf(where, sizeof(where), "%s/%s", POOL, final);
        if (*i->base && (r = image_child_attach(where, i->base, e)) < 0)
                goto out;
        if (renameat2(pool, tmp, pool, final, RENAME_NOREPLACE) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot rename the clone to %s/%s", POOL, final);
                if (*i->base)
                        (void)image_child_detach(where);
                goto out;
        }
        tmp[0] = 0;
        if (image_store_get(new_name, &copy, &ignored) < 0) {
                r = error_set(e, -EIO, "the clone %s/%s is hidden by another image of that name", POOL, final);
                goto out;
        }
        for (char **s = settings; *s && r >= 0; s++)
                r = settings_to(*s, new_name, false, e);
        if (r >= 0 && read_only)
                r = image_store_set_read_only(&copy, true, e);
out:
        if (tmp[0])
                (void)tree_remove(pool, tmp, NULL, 0); /* nothing there is no error */
        image_unlock(&lock);
        return r;
}

int image_store_rename(const Image *i, const char *new_name, Error *e)
{
        ImageLock lock = IMAGE_LOCK_NULL;
        char final[300];
        bool immutable;
        int r;
        if (i->vendor)
                return error_set(e, -EROFS, "image '%s' is the vendor's (%s): it cannot be renamed", i->name, i->path);
        if ((r = check_new_name(new_name, e)) < 0)
                return r;
        _cleanup_strv_free_ char **settings = image_settings_files(i);
        if (!settings)
                return -ENOMEM;
        /* Nothing is renamed unless everything can be. */
        if ((r = settings_targets_free(settings, i, new_name, "rename", e)) < 0)
                return r;
        _cleanup_strv_free_ char **children = NULL;
        if ((i->type == IMAGE_DIRECTORY || i->type == IMAGE_SUBVOLUME) && (r = image_store_children(i->path, &children)) < 0)
                return error_set_errno(e, r, "cannot look for the overlay children of image '%s'", i->name);
        if ((r = image_store_lock_idle(i, false, "rename", &lock, e)) < 0)
                return r;
        _cleanup_free_ char *parent = path_dirname(i->path);
        snprintf(final, sizeof(final), "%s%s", new_name, i->type == IMAGE_RAW ? ".raw" : "");
        _cleanup_free_ char *to = parent ? path_join(parent, final) : NULL;
        if (!to) {
                r = -ENOMEM;
                goto out;
        }
        /* The immutable flag keeps the directory from being renamed too: off for the rename. */
        immutable = i->type == IMAGE_DIRECTORY && i->read_only;
        if (immutable)
                (void)set_immutable(i->path, false);
        r = renameat2(AT_FDCWD, i->path, AT_FDCWD, to, RENAME_NOREPLACE) < 0 ? negative_errno() : 0;
        if (immutable)
                (void)set_immutable(r < 0 ? i->path : to, true);
        if (r < 0) {
                r = error_set_errno(e, r, "cannot rename %s to %s", i->path, to);
                goto out;
        }
        if (*i->base) {
                /* The record and work directory go with the child. */
                if ((r = image_child_attach(to, i->base, e)) < 0) {
                        (void)renameat2(AT_FDCWD, to, AT_FDCWD, i->path, RENAME_NOREPLACE);
                        goto out;
                }
                (void)image_child_detach(i->path);
        }
        /* The base's children follow it. */
        for (char **c = children; c && *c && r >= 0; c++)
                r = image_child_attach(*c, to, e);
        for (char **s = settings; *s && r >= 0; s++)
                r = settings_to(*s, new_name, true, e);
out:
        image_unlock(&lock);
        return r;
}

/* The image's files (not its settings), the caller holding its lock. */
static int remove_image_files(const Image *i, Error *e)
{
        char where[4096] = "";
        int r = 0;
        _cleanup_free_ char *parent = path_dirname(i->path);
        _cleanup_close_ int dir = parent ? open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
        if (dir < 0)
                return error_set_errno(e, parent ? negative_errno() : -ENOMEM, "cannot open the directory of %s", i->path);
        const char *base = path_basename(i->path);
        switch (i->type) {
        case IMAGE_DIRECTORY:
        case IMAGE_SUBVOLUME:
                /* As machined: a read-only image is removed too. */
                (void)set_immutable(i->path, false);
                if (i->type == IMAGE_SUBVOLUME) {
                        _cleanup_close_ int fd = open(i->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        uint64_t f = 0;
                        if (fd >= 0)
                                (void)ioctl(fd, BTRFS_IOC_SUBVOL_SETFLAGS, &f);
                }
                r = tree_remove(dir, base, where, sizeof(where));
                break;
        case IMAGE_RAW:
        case IMAGE_BLOCK:
                r = unlinkat(dir, base, 0) < 0 ? negative_errno() : 0;
                break;
        }
        if (r == -EBUSY)
                return error_set(e, r, "cannot remove image '%s': %s/%s is a mount point; unmount it first", i->name, parent, where);
        if (r < 0)
                return error_set_errno(e, r, "cannot remove image '%s'%s%s/%s", i->name, *where ? ": at " : "", *where ? parent : "", where);
        return 0;
}

/* The names of the children, for messages: "'a', 'b'". */
static char *children_names(char **children)
{
        char *text = strdup("");
        for (char **c = children; text && c && *c; c++) {
                char *n;
                if (asprintf(&n, "%s%s'%s'", text, c == children ? "" : ", ", path_basename(*c)) < 0)
                        n = NULL;
                free(text);
                text = n;
        }
        return text;
}

static int refuse_base_of_children(const Image *i, Error *e)
{
        _cleanup_strv_free_ char **children = NULL;
        int r;
        if (i->type != IMAGE_DIRECTORY && i->type != IMAGE_SUBVOLUME)
                return 0;
        if ((r = image_store_children(i->path, &children)) < 0)
                return error_set_errno(e, r, "cannot look for the overlay children of image '%s'", i->name);
        if (!children || !*children)
                return 0;
        _cleanup_free_ char *names = children_names(children);
        return error_set(
                e, -EBUSY,
                "cannot remove image '%s': it is the base of the overlay child image%s %s, which hold only their changes to it; remove %s first",
                i->name, children[1] ? "s" : "", names ? names : "", children[1] ? "them" : "it");
}

int image_store_remove(const Image *i, Error *e)
{
        ImageLock lock = IMAGE_LOCK_NULL;
        _cleanup_strv_free_ char **settings = NULL;
        int r;
        if (i->vendor)
                return error_set(e, -EROFS, "image '%s' is the vendor's (%s): it cannot be removed", i->name, i->path);
        if ((r = image_store_lock_idle(i, false, "remove", &lock, e)) < 0)
                return r;
        if ((r = refuse_base_of_children(i, e)) < 0)
                goto out;
        if ((r = remove_image_files(i, e)) < 0)
                goto out;
        if (*i->base && (r = image_child_detach(i->path)) < 0)
                r = error_set_errno(e, r, "image '%s' is removed, but not its overlay record .#%s.corral-child and work directory beside it", i->name,
                                    i->name);
        settings = image_settings_files(i);
        for (char **s = settings; s && *s; s++)
                if (unlink(*s) < 0 && errno != ENOENT && r >= 0)
                        r = error_set_errno(e, negative_errno(), "image '%s' is removed, but its settings file %s is not", i->name, *s);
out:
        image_unlock(&lock);
        return r;
}

int image_store_set_limit(const Image *i, uint64_t limit, Error *e)
{
        if (i->type != IMAGE_SUBVOLUME)
                return error_set(e, -EOPNOTSUPP, "cannot set a limit on image '%s': quotas are only supported on btrfs subvolumes, and %s is a %s%s",
                                 i->name, i->path, image_type_to_string(i->type), i->type == IMAGE_DIRECTORY ? " on another file system" : "");
        _cleanup_close_ int fd = open(i->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        struct btrfs_ioctl_ino_lookup_args lookup = {.objectid = BTRFS_FIRST_FREE_OBJECTID};
        if (fd < 0 || ioctl(fd, BTRFS_IOC_INO_LOOKUP, &lookup) < 0)
                return error_set_errno(e, negative_errno(), "cannot find the subvolume ID of %s", i->path);
        /* Quotas on, once per file system (a no-op when they are). */
        struct btrfs_ioctl_quota_ctl_args ctl = {.cmd = BTRFS_QUOTA_CTL_ENABLE};
        if (ioctl(fd, BTRFS_IOC_QUOTA_CTL, &ctl) < 0 && errno != EEXIST)
                return error_set_errno(e, negative_errno(), "cannot enable quotas on the btrfs file system of %s", i->path);
        struct btrfs_ioctl_qgroup_limit_args args = {
                .qgroupid = lookup.treeid,
                .lim = {.flags = BTRFS_QGROUP_LIMIT_MAX_RFER, .max_rfer = limit},
        };
        if (ioctl(fd, BTRFS_IOC_QGROUP_LIMIT, &args) < 0)
                return error_set_errno(e, negative_errno(), "cannot set the quota of %s", i->path);
        return 0;
}

int image_store_open_pool(Error *e)
{
        int r = mkdir_p(POOL, 0700);
        if (r < 0)
                return error_set_errno(e, r, "cannot create %s", POOL);
        int fd = open(POOL, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot open %s", POOL);
        return fd;
}

void image_store_temp_name(const char *what, char buf[static IMAGE_TEMP_NAME_MAX])
{
        char suffix[13];
        random_suffix(suffix);
        snprintf(buf, IMAGE_TEMP_NAME_MAX, ".#%.16s-%s", what, suffix);
}

int image_store_make_directory(int pool, const char *name)
{
        /* A subvolume where the pool is on btrfs, as machined makes them: clone and set-limit
         * work on it then. */
        struct btrfs_ioctl_vol_args args = {0};
        snprintf(args.name, sizeof(args.name), "%s", name);
        if (ioctl(pool, BTRFS_IOC_SUBVOL_CREATE, &args) == 0)
                return 0;
        return mkdirat(pool, name, 0755) < 0 ? negative_errno() : 0;
}

int image_store_install(int pool, const char *tmp, const char *name, bool raw, bool replace, bool read_only, Error *e)
{
        ImageLock lock = IMAGE_LOCK_NULL;
        Image old, made;
        Error ignored = {0};
        char final[300];
        bool have_old = image_store_get(name, &old, &ignored) == 0;
        int r = 0;
        snprintf(final, sizeof(final), "%s%s", name, raw ? ".raw" : "");
        if (have_old && !replace)
                return error_set(e, -EEXIST, "an image named '%s' exists already (%s); --force replaces it", name, old.path);
        if (have_old) {
                if (old.vendor)
                        return error_set(e, -EROFS, "image '%s' is the vendor's (%s): it cannot be replaced", name, old.path);
                if ((r = image_store_lock_idle(&old, false, "replace", &lock, e)) < 0)
                        return r;
                /* The same file in the pool: swapped in one step, the old one then removed
                 * under the temporary name. */
                char path[4096];
                snprintf(path, sizeof(path), "%s/%s", POOL, final);
                if (streq(old.path, path) && (old.type == IMAGE_RAW) == raw) {
                        if (old.type != IMAGE_RAW)
                                (void)set_immutable(old.path, false);
                        if (renameat2(pool, tmp, pool, final, RENAME_EXCHANGE) < 0) {
                                r = error_set_errno(e, negative_errno(), "cannot replace %s", path);
                                goto out;
                        }
                        if (*old.base)
                                (void)image_child_detach(old.path);
                        snprintf(old.path, sizeof(old.path), "%s/%s", POOL, tmp);
                        r = remove_image_files(&old, e);
                        goto installed;
                }
                if ((r = remove_image_files(&old, e)) < 0)
                        goto out;
                if (*old.base)
                        (void)image_child_detach(old.path);
        }
        if (renameat2(pool, tmp, pool, final, RENAME_NOREPLACE) < 0) {
                r = errno == EEXIST ? error_set(e, -EEXIST, "%s/%s exists already; --force replaces it", POOL, final)
                                    : error_set_errno(e, negative_errno(), "cannot rename %s/%s to %s", POOL, tmp, final);
                goto out;
        }
installed:
        if (image_store_get(name, &made, &ignored) < 0)
                r = error_set(e, -EIO, "%s/%s is hidden by another image of that name", POOL, final);
        else if (read_only && r >= 0)
                r = image_store_set_read_only(&made, true, e);
out:
        image_unlock(&lock);
        return r;
}

/* The directory rel of the base made in the child (each component as the base's: owner, mode,
 * times), so that it stands for the base's in the overlay: an fd, or a negative errno. */
static int child_dir_like_base(int child, int base, const char *rel)
{
        _cleanup_close_ int c = fcntl(child, F_DUPFD_CLOEXEC, 3), b = fcntl(base, F_DUPFD_CLOEXEC, 3);
        _cleanup_free_ char *copy = strdup(rel);
        char *save = NULL;
        if (!copy)
                return -ENOMEM;
        for (char *name = strtok_r(copy, "/", &save); name; name = strtok_r(NULL, "/", &save)) {
                struct stat st;
                int nb = openat(b, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nb < 0 || fstat(nb, &st) < 0) {
                        int r = negative_errno();
                        if (nb >= 0)
                                close(nb);
                        return r;
                }
                close(b);
                b = nb;
                if (mkdirat(c, name, 0700) < 0 && errno != EEXIST)
                        return negative_errno();
                int nc = openat(c, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (nc < 0)
                        return negative_errno();
                close(c);
                c = nc;
                if (fchown(c, st.st_uid, st.st_gid) < 0 || fchmod(c, st.st_mode & 07777) < 0)
                        return negative_errno();
        }
        return TAKE_FD(c);
}

/* The times of the child's directories made by child_dir_like_base(), as the base's. */
static void child_dir_times(int child, int base, const char *rel)
{
        _cleanup_free_ char *copy = strdup(rel);
        char *end;
        while (copy && *copy) {
                struct stat st;
                _cleanup_close_ int c = openat(child, copy, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (c >= 0 && fstatat(base, copy, &st, AT_SYMLINK_NOFOLLOW) == 0)
                        (void)futimens(c, (struct timespec[]){st.st_atim, st.st_mtim});
                if (!(end = strrchr(copy, '/')))
                        break;
                *end = 0;
        }
}

/* Every child would have its base's machine ID, and two machines with one ID clash (journal
 * directories, DHCP client IDs): where the base has one, the child gets an empty
 * /etc/machine-id of its own, so that its init makes its own at its first boot, and D-Bus's
 * copy of it (which systemd would take instead) becomes a link to it, as Debian makes it. */
static int child_own_machine_id(const Image *base, int child)
{
        struct stat st;
        _cleanup_close_ int root = open(base->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return negative_errno();
        if (fstatat(root, "etc/machine-id", &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode) || st.st_size == 0)
                return 0; /* none to share */
        _cleanup_close_ int etc = child_dir_like_base(child, root, "etc");
        if (etc < 0)
                return etc;
        _cleanup_close_ int id = openat(etc, "machine-id", O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0400);
        if (id < 0 || fchown(id, st.st_uid, st.st_gid) < 0 || fchmod(id, st.st_mode & 07777) < 0)
                return negative_errno();
        child_dir_times(child, root, "etc");
        if (fstatat(root, "var/lib/dbus/machine-id", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) {
                _cleanup_close_ int dbus = child_dir_like_base(child, root, "var/lib/dbus");
                if (dbus < 0)
                        return dbus;
                if (symlinkat("/etc/machine-id", dbus, "machine-id") < 0 ||
                    fchownat(dbus, "machine-id", st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                child_dir_times(child, root, "var/lib/dbus");
        }
        return 0;
}

int image_store_create_child(const Image *base, const char *new_name, Error *e)
{
        _cleanup_strv_free_ char **settings = NULL;
        _cleanup_free_ char *path = path_join(POOL, new_name);
        struct stat st;
        int r;
        if (!path)
                return error_set(e, -ENOMEM, "out of memory");
        if (base->type != IMAGE_DIRECTORY && base->type != IMAGE_SUBVOLUME)
                return error_set(e, -EOPNOTSUPP, "image '%s' is a %s image: the base of an overlay child must be a directory tree", base->name,
                                 image_type_to_string(base->type));
        if (*base->base)
                return error_set(
                        e, -EOPNOTSUPP,
                        "image '%s' is itself an overlay child (of %s), and corral does not stack children: make the new child of that base, "
                        "or clone '%s' for a child of it with a copy of the changes",
                        base->name, base->base, base->name);
        if ((r = check_new_name(new_name, e)) < 0)
                return r;
        if (!(settings = image_settings_files(base)))
                return error_set(e, -ENOMEM, "out of memory");
        if ((r = settings_targets_free(settings, base, new_name, "create a child of", e)) < 0)
                return r;
        _cleanup_close_ int pool = image_store_open_pool(e);
        if (pool < 0)
                return pool;
        if (stat(base->path, &st) < 0)
                return error_set_errno(e, negative_errno(), "cannot look at %s", base->path);
        /* The record first, the directory last: the child appears whole or not at all. */
        if ((r = image_child_attach(path, base->path, e)) < 0)
                return r;
        if (mkdirat(pool, new_name, 0700) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot create %s", path);
                (void)image_child_detach(path);
                return r;
        }
        /* The tree's root is the child's directory: it looks as the base's does. */
        _cleanup_close_ int fd = openat(pool, new_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 || fchown(fd, st.st_uid, st.st_gid) < 0 || fchmod(fd, st.st_mode & 07777) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot set the owner and mode of %s", path);
                (void)unlinkat(pool, new_name, AT_REMOVEDIR);
                (void)image_child_detach(path);
                return r;
        }
        if ((r = child_own_machine_id(base, fd)) < 0) {
                r = error_set_errno(e, r, "cannot give %s a machine ID file of its own", path);
                (void)tree_remove(pool, new_name, NULL, 0);
                (void)image_child_detach(path);
                return r;
        }
        for (char **s = settings; *s && r >= 0; s++)
                r = settings_to(*s, new_name, false, e);
        return r;
}

static int by_string(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct Children {
        struct stat base;
        char **paths;
} Children;

static int child_entry(const char *dir, const char *name, void *userdata)
{
        Children *c = userdata;
        size_t n = strlen(name), suffix = strlen(".corral-child");
        if (!startswith(name, ".#") || !endswith(name, ".corral-child") || n <= 2 + suffix)
                return 0;
        _cleanup_free_ char *child = strndup(name + 2, n - 2 - suffix);
        _cleanup_free_ char *path = child ? path_join(dir, child) : NULL, *lower = NULL, *work = NULL;
        struct stat cst, lst;
        if (!path)
                return -ENOMEM;
        if (stat(path, &cst) < 0 || !S_ISDIR(cst.st_mode) || image_child_read(path, &lower, &work) <= 0 || stat(lower, &lst) < 0 ||
            lst.st_dev != c->base.st_dev || lst.st_ino != c->base.st_ino)
                return 0;
        return strv_push(&c->paths, TAKE_PTR(path));
}

int image_store_children(const char *base, char ***ret)
{
        Children c = {0};
        *ret = NULL;
        if (stat(base, &c.base) < 0)
                return 0;
        if (search_path_for_each(child_entry, &c) < 0) {
                strv_free(c.paths);
                return -ENOMEM;
        }
        if (c.paths)
                qsort(c.paths, strv_length(c.paths), sizeof(char *), by_string);
        *ret = c.paths;
        return 0;
}
