/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* copy-to and copy-from (see machine-copy.h). */
#include <dirent.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "machine-copy.h"
#include "process-util.h"

#define MAX_DEPTH 256

typedef struct Copy {
        bool replace;
        bool keep_owner;
        uid_t uid; /* the owner of everything copied, unless keep_owner */
        gid_t gid;
        const char *side; /* where the copy lands, for messages: "the machine" or "the host" */
        Error *e;
} Copy;

static int copy_data(int in, int out)
{
        for (;;) {
                ssize_t n = copy_file_range(in, NULL, out, NULL, 1 << 30, 0);
                if (n == 0)
                        return 0;
                if (n > 0)
                        continue;
                if (errno != EXDEV && errno != EINVAL && errno != ENOSYS && errno != EOPNOTSUPP)
                        return negative_errno();
                break; /* across file systems on an older kernel: by hand */
        }
        char buf[65536];
        for (;;) {
                ssize_t n = read(in, buf, sizeof(buf));
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return negative_errno();
                if (n == 0)
                        return 0;
                for (ssize_t done = 0; done < n;) {
                        ssize_t k = write(out, buf + done, (size_t)(n - done));
                        if (k < 0 && errno == EINTR)
                                continue;
                        if (k < 0)
                                return negative_errno();
                        done += k;
                }
        }
}

/* Owner, mode and times of what fd (or dirfd/name for a link) now is. */
static int finish(const Copy *c, int fd, int dirfd, const char *name, const struct stat *st)
{
        uid_t uid = c->keep_owner ? st->st_uid : c->uid;
        gid_t gid = c->keep_owner ? st->st_gid : c->gid;
        struct timespec times[2] = {st->st_atim, st->st_mtim};
        if (fd < 0) /* a symbolic link */
                return fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 || utimensat(dirfd, name, times, AT_SYMLINK_NOFOLLOW) < 0
                               ? negative_errno()
                               : 0;
        /* chown clears set-UID bits: the mode after it. */
        if (fchown(fd, uid, gid) < 0 || fchmod(fd, st->st_mode & 07777) < 0 || futimens(fd, times) < 0)
                return negative_errno();
        return 0;
}

/* Makes room for name in dirfd when replacing: a file (or link) there goes; a directory stays
 * to be merged into when the source is one too. */
static int make_room(const Copy *c, int dirfd, const char *name, const struct stat *src, const char *where)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : error_set_errno(c->e, negative_errno(), "cannot look at %s", where);
        if (!c->replace)
                return error_set(c->e, -EEXIST, "%s exists already in %s (--force replaces it)", where, c->side);
        if (S_ISDIR(st.st_mode))
                return S_ISDIR(src->st_mode) ? 0 : error_set(c->e, -EISDIR, "%s is a directory in %s: not replaced by a file", where, c->side);
        if (unlinkat(dirfd, name, 0) < 0)
                return error_set_errno(c->e, negative_errno(), "cannot replace %s", where);
        return 0;
}

static int copy_entry(const Copy *c, int sdir, const char *sname, int ddir, const char *dname, char *where, size_t where_len, int depth);

static int copy_children(const Copy *c, int src, int dst, char *where, size_t where_len, int depth)
{
        int fd = openat(src, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = fd < 0 ? NULL : fdopendir(fd);
        struct dirent *de;
        int r = 0;
        if (!d) {
                r = error_set_errno(c->e, negative_errno(), "cannot read the directory %s", where);
                if (fd >= 0)
                        close(fd);
                return r;
        }
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                size_t n = strlen(where);
                if (n + 1 + strlen(de->d_name) >= where_len) {
                        r = error_set(c->e, -ENAMETOOLONG, "a path below %s is too long", where);
                        break;
                }
                snprintf(where + n, where_len - n, "%s%s", n > 0 && where[n - 1] == '/' ? "" : "/", de->d_name);
                r = copy_entry(c, src, de->d_name, dst, de->d_name, where, where_len, depth + 1);
                where[n] = 0;
        }
        if (r >= 0 && errno != 0)
                r = error_set_errno(c->e, negative_errno(), "cannot read the directory %s", where);
        closedir(d);
        return r;
}

static int copy_entry(const Copy *c, int sdir, const char *sname, int ddir, const char *dname, char *where, size_t where_len, int depth)
{
        struct stat st;
        int r;
        if (depth > MAX_DEPTH)
                return error_set(c->e, -ELOOP, "%s: more than %d directories deep", where, MAX_DEPTH);
        if (fstatat(sdir, sname, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return error_set_errno(c->e, negative_errno(), "cannot look at %s", where);
        if ((r = make_room(c, ddir, dname, &st, where)) < 0)
                return r;

        if (S_ISDIR(st.st_mode)) {
                if (mkdirat(ddir, dname, 0700) < 0 && errno != EEXIST)
                        return error_set_errno(c->e, negative_errno(), "cannot create the directory %s in %s", where, c->side);
                _cleanup_close_ int s = openat(sdir, sname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                _cleanup_close_ int d = openat(ddir, dname, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (s < 0 || d < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot open the directory %s (was it replaced during the copy?)", where);
                if ((r = copy_children(c, s, d, where, where_len, depth)) < 0)
                        return r;
                return finish(c, d, -1, NULL, &st) < 0 ? error_set_errno(c->e, negative_errno(), "cannot set the owner and mode of %s", where) : 0;
        }
        if (S_ISREG(st.st_mode)) {
                /* Checked before it is opened for reading: had it become a FIFO or a device
                 * node since the fstatat(), opening it could block or touch a device. */
                _cleanup_close_ int path = openat(sdir, sname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                struct stat now;
                char p[FD_PATH_MAX];
                if (path < 0 || fstat(path, &now) < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot open %s", where);
                if (!S_ISREG(now.st_mode) || now.st_ino != st.st_ino || now.st_dev != st.st_dev)
                        return error_set(c->e, -EAGAIN, "%s was replaced during the copy", where);
                _cleanup_close_ int s = open(fd_path(path, p), O_RDONLY | O_CLOEXEC | O_NOCTTY);
                if (s < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot open %s", where);
                _cleanup_close_ int d = openat(ddir, dname, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                if (d < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot create %s in %s", where, c->side);
                if ((r = copy_data(s, d)) < 0)
                        return error_set_errno(c->e, r, "cannot copy %s", where);
                return finish(c, d, -1, NULL, &st) < 0 ? error_set_errno(c->e, negative_errno(), "cannot set the owner and mode of %s", where) : 0;
        }
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(sdir, sname, target, sizeof(target) - 1);
                if (n < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot read the link %s", where);
                target[n] = 0;
                if (symlinkat(target, ddir, dname) < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot create the link %s in %s", where, c->side);
                return finish(c, -1, ddir, dname, &st) < 0 ? error_set_errno(c->e, negative_errno(), "cannot set the owner of the link %s", where)
                                                           : 0;
        }
        if (S_ISFIFO(st.st_mode)) {
                if (mkfifoat(ddir, dname, 0600) < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot create the FIFO %s in %s", where, c->side);
                _cleanup_close_ int d = openat(ddir, dname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
                char p[FD_PATH_MAX];
                uid_t uid = c->keep_owner ? st.st_uid : c->uid;
                gid_t gid = c->keep_owner ? st.st_gid : c->gid;
                if (d < 0 || fchownat(d, "", uid, gid, AT_EMPTY_PATH) < 0 || chmod(fd_path(d, p), st.st_mode & 07777) < 0)
                        return error_set_errno(c->e, negative_errno(), "cannot set the owner and mode of %s", where);
                return 0;
        }
        return error_set(c->e, -EOPNOTSUPP, "%s is a %s: corralctl copies files, directories, links and FIFOs only", where,
                         S_ISSOCK(st.st_mode) ? "socket" : "device node");
}

int machine_open_root(const MachineRecord *m, Error *e)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/root", (int)m->leader);
        int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot open the root of machine %s (%s)", m->name, path);
        /* Opened after the leader was the machine's: a leader still supervised now was then. */
        if (!registry_alive(m)) {
                close(fd);
                return error_set(e, -ESRCH, "machine %s is no longer running", m->name);
        }
        return fd;
}

/* Whether the machine has a user namespace of its own; if so its root's host UID and GID. */
static bool own_user_namespace(const MachineRecord *m, uid_t *ret_uid, gid_t *ret_gid)
{
        char path[64];
        if (!pid_namespace_differs(m->leader, "user"))
                return false;
        for (int i = 0; i < 2; i++) {
                unsigned long inside, outside, count;
                snprintf(path, sizeof(path), "/proc/%d/%s", (int)m->leader, i == 0 ? "uid_map" : "gid_map");
                _cleanup_fclose_ FILE *f = fopen(path, "re");
                unsigned long id = 65534; /* unmapped: the overflow ID */
                while (f && fscanf(f, "%lu %lu %lu", &inside, &outside, &count) == 3)
                        if (inside == 0)
                                id = outside;
                if (i == 0)
                        *ret_uid = (uid_t)id;
                else
                        *ret_gid = (gid_t)id;
        }
        return true;
}

/* Creates files as uid:gid, keeping our capabilities: an idmapped tree (a machine with a user
 * namespace) takes new files only from an ID its map knows.  setfsuid() away from 0 clears
 * the file capabilities from the effective set; they are still permitted. */
static int act_as(uid_t uid, gid_t gid)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];
        setfsgid(gid);
        setfsuid(uid);
        if (syscall(SYS_capget, &h, d) < 0)
                return negative_errno();
        for (int i = 0; i < 2; i++)
                d[i].effective = d[i].permitted;
        return syscall(SYS_capset, &h, d) < 0 ? negative_errno() : 0;
}

/* The directory holding path (resolved in root when root >= 0) and path's last component. */
static int open_parent(int root, const char *path, const char **ret_name, Error *e)
{
        _cleanup_free_ char *dir = path_dirname(path);
        const char *name = path_basename(path);
        *ret_name = NULL;
        if (!dir)
                return error_set(e, -ENOMEM, "out of memory");
        if (!*name || streq(name, "/") || streq(name, ".") || streq(name, ".."))
                return error_set(e, -EINVAL, "%s: give a path to a file or directory, not \"%s\"", path, name);
        int fd = root >= 0 ? open_in_root(root, dir, O_PATH | O_DIRECTORY, 0) : open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, fd < 0 && root >= 0 ? fd : negative_errno(), "cannot open the directory %s%s", dir,
                                       root >= 0 ? " in the machine" : "");
        *ret_name = name;
        return fd;
}

static int copy(const MachineRecord *m, const char *src, const char *dst, bool to_machine, bool replace, Error *e)
{
        Copy c = {.replace = replace, .side = to_machine ? "the machine" : "the host", .e = e};
        uid_t uid = 0;
        gid_t gid = 0;
        const char *sname, *dname;
        char where[PATH_MAX];
        if (!path_is_absolute(to_machine ? dst : src))
                return error_set(e, -EINVAL, "%s: the path in the machine must be absolute", to_machine ? dst : src);
        c.keep_owner = !own_user_namespace(m, &uid, &gid);
        if (to_machine) {
                c.uid = uid;
                c.gid = gid;
        }
        _cleanup_close_ int root = machine_open_root(m, e);
        if (root < 0)
                return root;
        _cleanup_close_ int sdir = open_parent(to_machine ? -1 : root, src, &sname, e);
        if (sdir < 0)
                return sdir;
        _cleanup_close_ int ddir = open_parent(to_machine ? root : -1, dst, &dname, e);
        if (ddir < 0)
                return ddir;
        snprintf(where, sizeof(where), "%s", src);
        if (to_machine && !c.keep_owner) {
                int r = act_as(uid, gid);
                if (r >= 0)
                        r = copy_entry(&c, sdir, sname, ddir, dname, where, sizeof(where), 0);
                (void)act_as(0, 0);
                return r;
        }
        return copy_entry(&c, sdir, sname, ddir, dname, where, sizeof(where), 0);
}

int machine_copy_to(const MachineRecord *m, const char *host_path, const char *machine_path, bool replace, Error *e)
{
        return copy(m, host_path, machine_path, true, replace, e);
}

int machine_copy_from(const MachineRecord *m, const char *machine_path, const char *host_path, bool replace, Error *e)
{
        return copy(m, machine_path, host_path, false, replace, e);
}
