/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <linux/mount.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <string.h>
#include <sys/syscall.h>

#include "fs-util.h"
#include "strv.h"

bool path_is_absolute(const char *p)
{
        return p && p[0] == '/';
}

int mount_options_split(const char *options, unsigned long *flags, char **ret_data)
{
        static const struct {
                const char *name;
                unsigned long set, clear;
        } generic[] = {
                {"defaults", 0, 0},
                {"rw", 0, MS_RDONLY},
                {"ro", MS_RDONLY, 0},
                {"suid", 0, MS_NOSUID},
                {"nosuid", MS_NOSUID, 0},
                {"dev", 0, MS_NODEV},
                {"nodev", MS_NODEV, 0},
                {"exec", 0, MS_NOEXEC},
                {"noexec", MS_NOEXEC, 0},
                {"sync", MS_SYNCHRONOUS, 0},
                {"async", 0, MS_SYNCHRONOUS},
                {"dirsync", MS_DIRSYNC, 0},
                {"mand", MS_MANDLOCK, 0},
                {"nomand", 0, MS_MANDLOCK},
                {"atime", 0, MS_NOATIME},
                {"noatime", MS_NOATIME, 0},
                {"diratime", 0, MS_NODIRATIME},
                {"nodiratime", MS_NODIRATIME, 0},
                {"relatime", MS_RELATIME, 0},
                {"norelatime", 0, MS_RELATIME},
                {"strictatime", MS_STRICTATIME, 0},
                {"nostrictatime", 0, MS_STRICTATIME},
                {"lazytime", MS_LAZYTIME, 0},
                {"nolazytime", 0, MS_LAZYTIME},
                {"silent", MS_SILENT, 0},
                {"loud", 0, MS_SILENT},
                {"nosymfollow", MS_NOSYMFOLLOW, 0},
                {"symfollow", 0, MS_NOSYMFOLLOW},
        };
        unsigned long f = *flags;
        size_t n = options ? strlen(options) : 0, used = 0;
        _cleanup_free_ char *data = malloc(n + 1);
        if (!data)
                return -ENOMEM;
        for (const char *p = options; p && *p;) {
                /* One option: up to a comma outside double quotes. */
                size_t len = 0;
                bool quoted = false;
                for (; p[len] && (quoted || p[len] != ','); len++)
                        if (p[len] == '"')
                                quoted = !quoted;
                if (len == 0)
                        return -EINVAL;
                size_t k = 0;
                for (; k < ELEMENTSOF(generic); k++)
                        if (strlen(generic[k].name) == len && strncmp(p, generic[k].name, len) == 0)
                                break;
                if (k < ELEMENTSOF(generic))
                        f = (f | generic[k].set) & ~generic[k].clear;
                else {
                        if (used)
                                data[used++] = ',';
                        memcpy(data + used, p, len);
                        used += len;
                }
                p += len;
                if (*p == ',' && !*++p)
                        return -EINVAL; /* a trailing comma */
        }
        data[used] = 0;
        *flags = f;
        *ret_data = used ? TAKE_PTR(data) : NULL;
        return 0;
}

int path_compare(const char *a, const char *b)
{
        for (;;) {
                a += strspn(a, "/");
                b += strspn(b, "/");
                if (!*a || !*b)
                        return (*a != 0) - (*b != 0);
                size_t na = strcspn(a, "/"), nb = strcspn(b, "/");
                int r = memcmp(a, b, MIN(na, nb));
                if (r != 0)
                        return r < 0 ? -1 : 1;
                if (na != nb)
                        return na < nb ? -1 : 1;
                a += na;
                b += nb;
        }
}

bool path_is_normalized(const char *p)
{
        if (isempty(p))
                return false;
        for (const char *c = p; *c;) {
                const char *e = strchrnul(c, '/');
                size_t n = (size_t)(e - c);
                if ((n == 0 && c != p) || (n == 1 && c[0] == '.') || (n == 2 && c[0] == '.' && c[1] == '.'))
                        if (!(n == 0 && *e == 0))
                                return false;
                c = *e ? e + 1 : e;
        }
        return true;
}

char *path_join(const char *a, const char *b)
{
        char *r;
        size_t la = strlen(a);
        while (*b == '/')
                b++;
        if (asprintf(&r, "%s%s%s", a, (la > 0 && a[la - 1] == '/') || !*b ? "" : "/", b) < 0)
                return NULL;
        return r;
}

const char *path_basename(const char *p)
{
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

char *path_dirname(const char *p)
{
        const char *s = strrchr(p, '/');
        if (!s)
                return strdup(".");
        if (s == p)
                return strdup("/");
        return strndup(p, s - p);
}

int read_full_fd(int fd, char **ret, size_t *ret_size)
{
        size_t n = 0, cap = 4096;
        char *buf = malloc(cap + 1);
        if (!buf)
                return -ENOMEM;
        for (;;) {
                if (n == cap) {
                        char *nb;
                        if (cap >= 64u << 20) {
                                free(buf);
                                return -EFBIG;
                        }
                        cap *= 2;
                        if (!(nb = realloc(buf, cap + 1))) {
                                free(buf);
                                return -ENOMEM;
                        }
                        buf = nb;
                }
                ssize_t k = read(fd, buf + n, cap - n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        int r = negative_errno();
                        free(buf);
                        return r;
                }
                if (k == 0)
                        break;
                n += (size_t)k;
        }
        buf[n] = 0;
        *ret = buf;
        if (ret_size)
                *ret_size = n;
        return 0;
}

int read_full_file(const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, ret, ret_size);
}

int write_file_at(int dirfd, const char *path, const char *data, size_t n, mode_t mode)
{
        _cleanup_close_ int fd = openat(dirfd, path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return negative_errno();
        while (n > 0) {
                ssize_t k = write(fd, data, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        return negative_errno();
                }
                data += k;
                n -= (size_t)k;
        }
        return 0;
}

int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t n, mode_t mode)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        int r = write_file_at(dirfd, tmp, data, n, mode);
        if (r >= 0 && renameat(dirfd, tmp, dirfd, path) < 0)
                r = negative_errno();
        if (r < 0)
                (void)unlinkat(dirfd, tmp, 0);
        return r;
}

int dir_for_each(int fd, int (*fn)(int dirfd, const char *name, void *userdata), void *userdata)
{
        int dfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (dfd < 0)
                return negative_errno();
        DIR *d = fdopendir(dfd);
        if (!d) {
                close(dfd);
                return negative_errno();
        }
        /* The duplicate shares the offset: from the start, however often the fd was read. */
        rewinddir(d);
        int r = 0;
        struct dirent *de;
        while (r >= 0 && (errno = 0, de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        r = fn(dirfd(d), de->d_name, userdata);
        if (r >= 0 && errno)
                r = negative_errno();
        closedir(d);
        return r;
}

int mkdir_p(const char *path, mode_t mode)
{
        /* Mostly the whole path is there already: one call. */
        if (mkdir(path, mode) == 0 || errno == EEXIST)
                return 0;
        if (errno != ENOENT)
                return negative_errno();
        _cleanup_free_ char *p = strdup(path);
        if (!p)
                return -ENOMEM;
        for (char *s = p + 1; *s; s++) {
                if (*s != '/')
                        continue;
                *s = 0;
                if (mkdir(p, mode) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        if (mkdir(p, mode) < 0 && errno != EEXIST)
                return negative_errno();
        return 0;
}

int open_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (uint64_t)(flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        while (*path == '/')
                path++;
        int fd = (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how, sizeof(how));
        return fd < 0 ? negative_errno() : fd;
}

int open_beneath(int dirfd, const char *path)
{
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV,
        };
        while (*path == '/')
                path++;
        int fd = (int)syscall(SYS_openat2, dirfd, *path ? path : ".", &how, sizeof(how));
        return fd < 0 ? negative_errno() : fd;
}

int mkdir_p_in_root(int rootfd, const char *path, mode_t mode)
{
        /* Mostly the directory is there already: one lookup. */
        int fd = open_in_root(rootfd, path, O_PATH | O_DIRECTORY, 0);
        if (fd != -ENOENT)
                return fd;

        size_t n = strlen(path);
        if (n > 1 && path[n - 1] == '/') { /* "a/b/": make "a/b" */
                _cleanup_free_ char *trimmed = strndup(path, n - 1);
                return trimmed ? mkdir_p_in_root(rootfd, trimmed, mode) : -ENOMEM;
        }
        /* Otherwise the parent first, then this one made in the directory that was resolved
         * inside the root, and opened beneath it without following anything (so a ".." or a
         * link put there in between cannot lead out). */
        _cleanup_free_ char *parent = path_dirname(path);
        if (!parent)
                return -ENOMEM;
        _cleanup_close_ int pfd = mkdir_p_in_root(rootfd, parent, mode);
        if (pfd < 0)
                return pfd;
        const char *base = path_basename(path);
        if (mkdirat(pfd, base, mode) < 0 && errno != EEXIST)
                return negative_errno();
        struct open_how how = {
                .flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC,
                .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS,
        };
        fd = (int)syscall(SYS_openat2, pfd, base, &how, sizeof(how));
        return fd < 0 ? negative_errno() : fd;
}

int make_mount_point_in_root(int rootfd, const char *path, bool is_dir)
{
        if (is_dir)
                return mkdir_p_in_root(rootfd, path, 0755);

        int fd = open_in_root(rootfd, path, O_PATH, 0);
        if (fd != -ENOENT)
                return fd;

        _cleanup_free_ char *parent = path_dirname(path);
        if (!parent)
                return -ENOMEM;
        _cleanup_close_ int pfd = mkdir_p_in_root(rootfd, parent, 0755);
        if (pfd < 0)
                return pfd;
        _cleanup_close_ int f = openat(pfd, path_basename(path), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (f < 0 && errno != EEXIST)
                return negative_errno();
        return open_in_root(rootfd, path, O_PATH, 0);
}

void rmdir_parents(char *path, size_t stop)
{
        for (char *slash = strrchr(path, '/'); slash && (size_t)(slash - path) > stop; slash = strrchr(path, '/')) {
                *slash = 0;
                if (rmdir(path) < 0) /* not empty: another's, or the host's */
                        break;
        }
}

int mount_clone(int dirfd, const char *path, unsigned at_flags)
{
        int fd = (int)syscall(SYS_open_tree, dirfd, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | at_flags);
        if (fd < 0)
                return negative_errno();
        struct mount_attr attr = {.propagation = MS_SLAVE};
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (at_flags & AT_RECURSIVE), &attr, sizeof(attr)) < 0) {
                int r = negative_errno();
                close(fd);
                return r;
        }
        return fd;
}

int mount_new_detached(const char *fstype, unsigned attrs)
{
        int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
        if (fs < 0)
                return negative_errno();
        int fd = syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 ? -1 : (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, attrs);
        int r = fd < 0 ? negative_errno() : fd;
        close(fs);
        return r;
}

int mount_data_check(const char *fstype, const char *data, char *why, size_t size)
{
        int fs = (int)syscall(SYS_fsopen, fstype, FSOPEN_CLOEXEC);
        if (fs < 0)
                return 0; /* no file system context to ask (an old kernel, no privilege): the mount will say */
        char *copy = strdup(data ? data : ""), *next = copy;
        int r = copy ? 0 : -ENOMEM;
        if (size > 0)
                *why = 0;
        while (next && *next && r == 0) {
                /* Options are comma-separated; a comma inside double quotes is part of a value. */
                char *o = next, *c = next;
                bool quoted = false;
                for (; *c && (quoted || *c != ','); c++)
                        if (*c == '"')
                                quoted = !quoted;
                next = *c ? c + 1 : NULL;
                *c = 0;
                if (!*o)
                        continue;
                char *eq = strchr(o, '=');
                if (eq)
                        *eq++ = 0;
                if (syscall(SYS_fsconfig, fs, eq ? FSCONFIG_SET_STRING : FSCONFIG_SET_FLAG, o, eq, 0) < 0) {
                        r = negative_errno();
                        if (size > 0)
                                snprintf(why, size, "%s%s%s", o, eq ? "=" : "", eq ? eq : "");
                }
        }
        if (r == 0 && syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) < 0 && errno != EPERM)
                r = negative_errno();
        if (r < 0 && r != -ENOMEM && size > 0) {
                /* The kernel's own words, from the context's log: "e tmpfs: Bad value for 'size'". */
                char log[256];
                ssize_t n = read(fs, log, sizeof(log) - 1);
                size_t len = strlen(why);
                if (n > 2) {
                        log[n] = 0;
                        log[strcspn(log, "\n")] = 0;
                        snprintf(why + len, size - len, "%s%s", len ? ": " : "", log + 2);
                }
        }
        free(copy);
        close(fs);
        return r;
}

static char *overlay_escape(const char *p)
{
        char *r = malloc(strlen(p) * 2 + 1), *o = r;
        if (!r)
                return NULL;
        for (; *p; p++) {
                if (strchr(",:\\", *p))
                        *o++ = '\\';
                *o++ = *p;
        }
        *o = 0;
        return r;
}

int overlay_mount_options(char *const *lower, const char *upper, const char *work, bool read_only, bool user_xattr, char **ret)
{
        char *opts = strdup("lowerdir=");
        if (!opts)
                return -ENOMEM;
        /* A read-only overlay has no upper: the would-be upper becomes the topmost lower. */
        size_t n = strv_length(lower);
        for (size_t i = 0; i <= n; i++) {
                const char *l = i == 0 ? (read_only ? upper : NULL) : lower[i - 1];
                if (!l)
                        continue;
                _cleanup_free_ char *esc = overlay_escape(l);
                char *nopts;
                if (!esc || asprintf(&nopts, "%s%s%s", opts, streq(opts, "lowerdir=") ? "" : ":", esc) < 0) {
                        free(opts);
                        return -ENOMEM;
                }
                free(opts);
                opts = nopts;
        }
        if (!read_only) {
                _cleanup_free_ char *eu = overlay_escape(upper), *ew = overlay_escape(work);
                char *nopts;
                if (!eu || !ew || asprintf(&nopts, "%s,upperdir=%s,workdir=%s", opts, eu, ew) < 0) {
                        free(opts);
                        return -ENOMEM;
                }
                free(opts);
                opts = nopts;
        }
        if (user_xattr) {
                char *nopts;
                if (asprintf(&nopts, "%s,userxattr", opts) < 0) {
                        free(opts);
                        return -ENOMEM;
                }
                free(opts);
                opts = nopts;
        }
        *ret = opts;
        return 0;
}

int buffer_append(char **buf, size_t *size, const void *data, size_t n, size_t max)
{
        if (*size + n > max)
                return -EFBIG;
        char *m = realloc(*buf, *size + n + 1);
        if (!m)
                return -ENOMEM;
        memcpy(m + *size, data, n);
        *buf = m;
        *size += n;
        m[*size] = 0;
        return 0;
}
