/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "missing.h"
#include "tree.h"

#define DEPTH_MAX 256

/* A mount point below the tree, bind mounts of the same file system too (st_dev alone would
 * not tell those). */
static bool is_mount_root(int dirfd, const char *name, const struct stat *st, dev_t tree_dev)
{
        struct statx sx;
        if (st->st_dev != tree_dev)
                return true;
        if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_STATX_DONT_SYNC, 0, &sx) < 0)
                return false;
        return (sx.stx_attributes_mask & STATX_ATTR_MOUNT_ROOT) && (sx.stx_attributes & STATX_ATTR_MOUNT_ROOT);
}

/* Files seen with more than one link: (device, inode) -> the copy's path below its root. */
typedef struct Link {
        dev_t dev;
        ino_t ino;
        char *path;
} Link;

typedef struct Copy {
        dev_t dev;    /* the source tree's file system */
        int dst_root; /* the copy's top directory */
        Link *links;  /* open addressing, n_links <= cap / 2 */
        size_t n_links, cap;
        char path[4096]; /* the entry being copied, below the tree */
        uid_t uid;       /* who a new file belongs to: us (its directory is 0700 meanwhile, */
        gid_t gid;       /* never setgid) */
        mode_t umask;    /* what the kernel takes off a new file's mode; 0777: unknown */
} Copy;

/* The process's umask, without changing it (umask() would, for every thread): 0777 when
 * /proc does not say. */
static mode_t current_umask(void)
{
        _cleanup_fclose_ FILE *f = fopen("/proc/self/status", "re");
        char line[256];
        unsigned m;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "Umask: %o", &m) == 1)
                        return (mode_t)m & 0777;
        return 0777;
}

static size_t link_slot(const Copy *c, dev_t dev, ino_t ino)
{
        uint64_t h = ((uint64_t)ino * 0x9e3779b97f4a7c15ULL) ^ (uint64_t)dev;
        size_t i = (size_t)(h >> 17) & (c->cap - 1);
        while (c->links[i].path && (c->links[i].dev != dev || c->links[i].ino != ino))
                i = (i + 1) & (c->cap - 1);
        return i;
}

static const char *link_find(const Copy *c, const struct stat *st)
{
        return c->cap ? c->links[link_slot(c, st->st_dev, st->st_ino)].path : NULL;
}

static int link_add(Copy *c, const struct stat *st, const char *path)
{
        if (2 * (c->n_links + 1) > c->cap) {
                size_t cap = c->cap ? c->cap * 2 : 64;
                Copy grown = {.links = calloc(cap, sizeof(Link)), .cap = cap};
                if (!grown.links)
                        return -ENOMEM;
                for (size_t i = 0; i < c->cap; i++)
                        if (c->links[i].path)
                                grown.links[link_slot(&grown, c->links[i].dev, c->links[i].ino)] = c->links[i];
                free(c->links);
                c->links = grown.links;
                c->cap = cap;
        }
        char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        c->links[link_slot(c, st->st_dev, st->st_ino)] = (Link){.dev = st->st_dev, .ino = st->st_ino, .path = p};
        c->n_links++;
        return 0;
}

/* Copies len bytes at off, in the kernel where it can, else through a buffer. */
static int copy_range(int in, int out, off_t off, off_t len, bool *kernel)
{
        while (len > 0) {
                ssize_t n;
                if (*kernel) {
                        loff_t a = off, b = off;
                        n = copy_file_range(in, &a, out, &b, (size_t)MIN(len, (off_t)1 << 30), 0);
                        if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == EOPNOTSUPP || errno == ENOSYS)) {
                                *kernel = false;
                                continue;
                        }
                } else {
                        char buf[65536];
                        n = pread(in, buf, (size_t)MIN(len, (off_t)sizeof(buf)), off);
                        for (ssize_t done = 0; n > 0 && done < n;) {
                                ssize_t w = pwrite(out, buf + done, (size_t)(n - done), off + done);
                                if (w < 0)
                                        return negative_errno();
                                done += w;
                        }
                }
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                if (n == 0)
                        return 0; /* the file shrank under us */
                off += n;
                len -= n;
        }
        return 0;
}

int file_copy_data(int in, int out)
{
        struct stat st;
        bool kernel = true;
        int r;
        if (ioctl(out, FICLONE, in) == 0)
                return 0;
        if (fstat(in, &st) < 0)
                return negative_errno();
        /* Not sparse (every block allocated): in one go. */
        if ((uint64_t)st.st_blocks * 512 >= (uint64_t)st.st_size)
                return copy_range(in, out, 0, st.st_size, &kernel);
        /* Data segments only: a sparse file (a raw disk image) stays sparse. */
        for (off_t off = 0; off < st.st_size;) {
                off_t data = lseek(in, off, SEEK_DATA);
                if (data < 0) {
                        if (errno == ENXIO)
                                break; /* a hole to the end */
                        if (errno != EINVAL)
                                return negative_errno();
                        data = off; /* no SEEK_DATA here: all of it */
                }
                off_t hole = lseek(in, data, SEEK_HOLE);
                if (hole < 0)
                        hole = st.st_size;
                if ((r = copy_range(in, out, data, hole - data, &kernel)) < 0)
                        return r;
                off = hole;
        }
        return ftruncate(out, st.st_size) < 0 ? negative_errno() : 0;
}

/* Every extended attribute of src onto dst.  by_path: the fds are O_PATH (device nodes,
 * FIFOs, sockets, which are never opened), reached through /proc/self/fd. */
static int copy_xattrs(int src, int dst, bool by_path)
{
        char names[65536], value[65536], a[FD_PATH_MAX], b[FD_PATH_MAX];
        ssize_t n = by_path ? listxattr(fd_path(src, a), names, sizeof(names)) : flistxattr(src, names, sizeof(names));
        if (n < 0)
                return errno == ENOTSUP ? 0 : negative_errno();
        if (by_path)
                fd_path(dst, b);
        for (char *k = names; k < names + n; k += strlen(k) + 1) {
                ssize_t v = by_path ? getxattr(a, k, value, sizeof(value)) : fgetxattr(src, k, value, sizeof(value));
                if (v < 0) {
                        if (errno == ENODATA)
                                continue;
                        return negative_errno();
                }
                if ((by_path ? setxattr(b, k, value, (size_t)v, 0) : fsetxattr(dst, k, value, (size_t)v, 0)) < 0)
                        return negative_errno();
        }
        return 0;
}

/* Owner, mode, extended attributes, in that order: a chown drops setuid bits and file
 * capabilities, and an ACL written last keeps its mask.  Then the times. */
static int copy_meta(int src, int dst, const struct stat *st, bool by_path)
{
        char b[FD_PATH_MAX];
        struct timespec ts[2] = {st->st_atim, st->st_mtim};
        int r;
        if (fchownat(dst, "", st->st_uid, st->st_gid, AT_EMPTY_PATH) < 0)
                return negative_errno();
        if ((by_path ? fchmodat(AT_FDCWD, fd_path(dst, b), st->st_mode & 07777, 0) : fchmod(dst, st->st_mode & 07777)) < 0)
                return negative_errno();
        if ((r = copy_xattrs(src, dst, by_path)) < 0)
                return r;
        if ((by_path ? utimensat(AT_FDCWD, fd_path(dst, b), ts, 0) : futimens(dst, ts)) < 0)
                return negative_errno();
        return 0;
}

static int copy_entry(Copy *c, int sdir, const char *name, int ddir, size_t path_len, int depth);

typedef struct CopyDir {
        Copy *c;
        int dst;
        size_t path_len;
        int depth;
} CopyDir;

static int copy_child(int dirfd, const char *name, void *userdata)
{
        CopyDir *d = userdata;
        return copy_entry(d->c, dirfd, name, d->dst, d->path_len, d->depth + 1);
}

static int copy_children(Copy *c, int src, int dst, size_t path_len, int depth)
{
        return dir_for_each(src, copy_child, &(CopyDir){.c = c, .dst = dst, .path_len = path_len, .depth = depth});
}

static int copy_entry(Copy *c, int sdir, const char *name, int ddir, size_t path_len, int depth)
{
        struct stat st;
        int r;
        /* c->path is the entry's path below the tree, for links and errors. */
        int n = snprintf(c->path + path_len, sizeof(c->path) - path_len, "%s%s", path_len ? "/" : "", name);
        if (n < 0 || (size_t)n >= sizeof(c->path) - path_len)
                return -ENAMETOOLONG;
        size_t len = path_len + (size_t)n;
        if (depth > DEPTH_MAX)
                return -ELOOP;
        if (fstatat(sdir, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (S_ISDIR(st.st_mode) && is_mount_root(sdir, name, &st, c->dev))
                return -EBUSY;

        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1) {
                const char *first = link_find(c, &st);
                if (first)
                        return linkat(c->dst_root, first, ddir, name, 0) < 0 ? negative_errno() : 0;
                if ((r = link_add(c, &st, c->path)) < 0)
                        return r;
        }

        if (S_ISDIR(st.st_mode)) {
                _cleanup_close_ int src = openat(sdir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (src < 0)
                        return negative_errno();
                if (mkdirat(ddir, name, 0700) < 0)
                        return negative_errno();
                _cleanup_close_ int dst = openat(ddir, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (dst < 0)
                        return negative_errno();
                if ((r = copy_children(c, src, dst, len, depth)) < 0)
                        return r;
                c->path[len] = 0;
                return copy_meta(src, dst, &st, false);
        }
        if (S_ISREG(st.st_mode)) {
                _cleanup_close_ int src = openat(sdir, name, O_RDONLY | O_NOFOLLOW | O_NOCTTY | O_CLOEXEC);
                if (src < 0)
                        return negative_errno();
                /* Made with its mode where the umask keeps it whole, and by its owner where
                 * that is us: then neither fchown nor fchmod is needed (most of an OS tree,
                 * and what cp -a skips too). */
                mode_t mode = st.st_mode & 07777;
                bool plain = !(mode & 07000) && !(mode & c->umask) && st.st_uid == c->uid && st.st_gid == c->gid;
                _cleanup_close_ int dst = openat(ddir, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, plain ? mode : 0600);
                if (dst < 0)
                        return negative_errno();
                if ((r = file_copy_data(src, dst)) < 0)
                        return r;
                if (plain) {
                        struct timespec ts[2] = {st.st_atim, st.st_mtim};
                        if ((r = copy_xattrs(src, dst, false)) < 0)
                                return r;
                        return futimens(dst, ts) < 0 ? negative_errno() : 0;
                }
                return copy_meta(src, dst, &st, false);
        }
        if (S_ISLNK(st.st_mode)) {
                char target[4097];
                ssize_t t = readlinkat(sdir, name, target, sizeof(target) - 1);
                if (t < 0)
                        return negative_errno();
                target[t] = 0;
                if (symlinkat(target, ddir, name) < 0)
                        return negative_errno();
                if (fchownat(ddir, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0)
                        return negative_errno();
                struct timespec ts[2] = {st.st_atim, st.st_mtim};
                return utimensat(ddir, name, ts, AT_SYMLINK_NOFOLLOW) < 0 ? negative_errno() : 0;
        }
        /* Device nodes, FIFOs, sockets: made, never opened. */
        if (mknodat(ddir, name, st.st_mode & (S_IFMT | 07777), st.st_rdev) < 0)
                return negative_errno();
        _cleanup_close_ int src = openat(sdir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_close_ int dst = openat(ddir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0 || dst < 0)
                return negative_errno();
        return copy_meta(src, dst, &st, true);
}

int tree_copy(int src_dirfd, const char *src_name, int dst_dirfd, const char *dst_name, char *where, size_t where_size)
{
        Copy c = {.dst_root = -1, .uid = geteuid(), .gid = getegid(), .umask = current_umask()};
        struct stat st;
        int r;
        if (fstatat(src_dirfd, src_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return negative_errno();
        if (!S_ISDIR(st.st_mode))
                return -ENOTDIR;
        c.dev = st.st_dev;
        _cleanup_close_ int src = openat(src_dirfd, src_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (src < 0)
                return negative_errno();
        if (mkdirat(dst_dirfd, dst_name, 0700) < 0)
                return negative_errno();
        c.dst_root = openat(dst_dirfd, dst_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (c.dst_root < 0)
                r = negative_errno();
        else if ((r = copy_children(&c, src, c.dst_root, 0, 0)) >= 0) {
                c.path[0] = 0;
                r = copy_meta(src, c.dst_root, &st, false);
        }
        if (r < 0 && where)
                snprintf(where, where_size, "%s", c.path);
        for (size_t i = 0; i < c.cap; i++)
                free(c.links[i].path);
        free(c.links);
        closep(&c.dst_root);
        return r;
}

typedef struct Removal {
        dev_t dev;
        char path[4096];
} Removal;

static int remove_entry(Removal *rm, int parent, const char *name, size_t path_len, int depth);

typedef struct RemoveDir {
        Removal *rm;
        size_t path_len;
        int depth;
} RemoveDir;

static int remove_child(int dirfd, const char *name, void *userdata)
{
        RemoveDir *d = userdata;
        return remove_entry(d->rm, dirfd, name, d->path_len, d->depth + 1);
}

static int remove_entry(Removal *rm, int parent, const char *name, size_t path_len, int depth)
{
        struct stat st;
        int n = snprintf(rm->path + path_len, sizeof(rm->path) - path_len, "%s%s", path_len ? "/" : "", name);
        if (n < 0 || (size_t)n >= sizeof(rm->path) - path_len)
                return -ENAMETOOLONG;
        size_t len = path_len + (size_t)n;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        if (!S_ISDIR(st.st_mode))
                return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
        if (depth > 0 && is_mount_root(parent, name, &st, rm->dev))
                return -EBUSY;
        if (depth > DEPTH_MAX)
                return -ELOOP;
        _cleanup_close_ int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        int r = dir_for_each(fd, remove_child, &(RemoveDir){.rm = rm, .path_len = len, .depth = depth});
        if (r < 0)
                return r;
        rm->path[len] = 0;
        if (unlinkat(parent, name, AT_REMOVEDIR) < 0) {
                /* A mount point looks empty from here, but is busy. */
                return errno == ENOENT ? 0 : negative_errno();
        }
        return 0;
}

int tree_remove(int dirfd, const char *name, char *where, size_t where_size)
{
        Removal rm = {0};
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : negative_errno();
        rm.dev = st.st_dev;
        int r = remove_entry(&rm, dirfd, name, 0, 0);
        if (r < 0 && where)
                snprintf(where, where_size, "%s", rm.path);
        return r;
}
