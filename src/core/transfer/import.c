/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* import-tar, import-raw and import-fs.  Archives are read with libarchive, but written by
 * this file: every member's parent is opened with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_SYMLINKS) from the image's top, so no name and no link the archive made can lead a
 * write out of the image, and a refusal can say which member and why. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "fs-util.h"
#include "import.h"
#include "oci-reference.h"
#include "macro.h"
#include "parse-util.h"
#include "tar-member.h"
#include "terminal.h"
#include "tree.h"

#define BLOCK (128 * 1024)

static bool cancelled(const TransferIO *io)
{
        return io->cancel && *io->cancel;
}

static void progress(const TransferIO *io, const char *what, uint64_t done, uint64_t total)
{
        if (io->progress)
                io->progress(io->userdata, what, done, total);
}

int import_check_name(const char *name, bool force, Error *e)
{
        Image old;
        Error ignored = {0};
        if (!image_name_is_valid(name) || name[0] == '.')
                return error_set(e, -EINVAL,
                                 "\"%s\" is not a valid image name: a file name without \"/\" or control characters, not starting with \".\"", name);
        if (!force && image_store_get(name, &old, &ignored) == 0)
                return error_set(e, -EEXIST, "an image named '%s' exists already (%s); --force replaces it", name, old.path);
        return 0;
}

/* libarchive's reader of an fd, which cancel stops: its own retries a read that a signal
 * interrupted, and so waits for input that may never come. */
typedef struct Input {
        int fd;
        int hup_fd; /* >= 0: stop when its peer is gone (the decompressor's socket) */
        volatile sig_atomic_t *cancel;
        char *buf;
} Input;

static la_ssize_t input_read(struct archive *a, void *userdata, const void **buf)
{
        Input *in = userdata;
        for (;;) {
                if (in->cancel && *in->cancel) {
                        archive_set_error(a, ECANCELED, "cancelled");
                        return -1;
                }
                struct pollfd p[2] = {{.fd = in->fd, .events = POLLIN}, {.fd = in->hup_fd, .events = POLLRDHUP}};
                int k = poll(p, in->hup_fd >= 0 ? 2 : 1, 200);
                if (k < 0 && errno != EINTR) {
                        archive_set_error(a, errno, "cannot wait for input");
                        return -1;
                }
                if (k <= 0)
                        continue;
                if (in->hup_fd >= 0 && (p[1].revents & (POLLHUP | POLLRDHUP | POLLERR))) {
                        archive_set_error(a, ECANCELED, "the reader stopped");
                        return -1;
                }
                if (!p[0].revents)
                        continue;
                ssize_t n = read(in->fd, in->buf, BLOCK);
                if (n < 0 && (errno == EINTR || errno == EAGAIN))
                        continue;
                if (n < 0) {
                        archive_set_error(a, errno, "cannot read: %s", strerror(errno));
                        return -1;
                }
                *buf = in->buf;
                return n;
        }
}

/* Opens a on fd through input_read; in must live as long as a reads. */
static int input_open(struct archive *a, Input *in, int fd, int hup_fd, volatile sig_atomic_t *cancel)
{
        *in = (Input){.fd = fd, .hup_fd = hup_fd, .cancel = cancel, .buf = malloc(BLOCK)};
        if (!in->buf)
                return ARCHIVE_FATAL;
        return archive_read_open(a, in, NULL, input_read, NULL);
}

/* Decompression runs in a thread of its own, feeding the tar reader over a socket pair: on two
 * cores, xz and the file system work at once, as with tar -xJf and its xz process. */
typedef struct Decompressor {
        int in, out;
        _Atomic uint64_t consumed;
        volatile sig_atomic_t *cancel;
        char error[512];
        pthread_t thread;
} Decompressor;

static void *decompress_thread(void *userdata)
{
        Decompressor *d = userdata;
        struct archive *a = archive_read_new();
        struct archive_entry *entry;
        Input in = {0};
        char *buf = malloc(BLOCK);
        if (!a || !buf) {
                snprintf(d->error, sizeof(d->error), "out of memory");
                goto out;
        }
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        if (input_open(a, &in, d->in, d->out, d->cancel) != ARCHIVE_OK || archive_read_next_header(a, &entry) != ARCHIVE_OK) {
                snprintf(d->error, sizeof(d->error), "%s", archive_error_string(a) ? archive_error_string(a) : "no data");
                goto out;
        }
        for (;;) {
                if (d->cancel && *d->cancel)
                        break;
                la_ssize_t n = archive_read_data(a, buf, BLOCK);
                if (n < 0) {
                        snprintf(d->error, sizeof(d->error), "%s", archive_error_string(a));
                        break;
                }
                if (n == 0)
                        break;
                atomic_store(&d->consumed, (uint64_t)archive_filter_bytes(a, -1));
                if (send_all(d->out, buf, (size_t)n) < 0)
                        break; /* the reader stopped: it has the reason */
        }
out:
        free(buf);
        if (a)
                archive_read_free(a);
        free(in.buf);
        shutdown(d->out, SHUT_WR);
        return NULL;
}

/* Starts the thread: *ret_fd is the decompressed stream. */
static int decompressor_start(Decompressor *d, int in, volatile sig_atomic_t *cancel, int *ret_fd)
{
        int sv[2];
        *d = (Decompressor){.in = in, .cancel = cancel};
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
                return negative_errno();
        d->out = sv[1];
        /* Signals are for the main thread, whose reads they interrupt. */
        sigset_t all, old;
        sigfillset(&all);
        pthread_sigmask(SIG_BLOCK, &all, &old);
        int r = -pthread_create(&d->thread, NULL, decompress_thread, d);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        if (r < 0) {
                close(sv[0]);
                close(sv[1]);
                return r;
        }
        *ret_fd = sv[0];
        return 0;
}

static void decompressor_stop(Decompressor *d, int *fd)
{
        /* Closing our end makes the thread's next send fail. */
        closep(fd);
        pthread_join(d->thread, NULL);
        closep(&d->out);
}

/* POSIX ACLs as the kernel keeps them in system.posix_acl_access and _default. */
struct acl_xattr_entry {
        uint16_t tag, perm;
        uint32_t id;
};

static int acl_tag_order(int tag)
{
        switch (tag) {
        case ARCHIVE_ENTRY_ACL_USER_OBJ:
                return 0x01;
        case ARCHIVE_ENTRY_ACL_USER:
                return 0x02;
        case ARCHIVE_ENTRY_ACL_GROUP_OBJ:
                return 0x04;
        case ARCHIVE_ENTRY_ACL_GROUP:
                return 0x08;
        case ARCHIVE_ENTRY_ACL_MASK:
                return 0x10;
        case ARCHIVE_ENTRY_ACL_OTHER:
                return 0x20;
        default:
                return -1;
        }
}

static int by_tag_and_id(const void *a, const void *b)
{
        const struct acl_xattr_entry *x = a, *y = b;
        if (x->tag != y->tag)
                return x->tag < y->tag ? -1 : 1;
        return x->id < y->id ? -1 : x->id > y->id;
}

/* The entry's ACL of type as an xattr value in buf: its size, 0 for none. */
static size_t acl_xattr(struct archive_entry *entry, int type, uint8_t *buf, size_t size)
{
        size_t n = 0, max = (size - 4) / sizeof(struct acl_xattr_entry);
        struct acl_xattr_entry *e = (struct acl_xattr_entry *)(buf + 4);
        int t, perm, tag, id;
        const char *name;
        if (archive_entry_acl_reset(entry, type) <= 0)
                return 0;
        while (n < max && archive_entry_acl_next(entry, type, &t, &perm, &tag, &id, &name) == ARCHIVE_OK) {
                int x = acl_tag_order(tag);
                if (x < 0)
                        continue; /* NFSv4 entries: not POSIX */
                uint32_t qualifier = UINT32_MAX;
                if (x == 0x02 || x == 0x08) {
                        /* GNU tar writes the name ("user:1000:rwx", "user:alice:rwx") and
                         * libarchive's own id only where it wrote it */
                        unsigned long v;
                        if (id >= 0)
                                qualifier = (uint32_t)id;
                        else if (name && parse_unsigned(name, &v) >= 0 && v < UINT32_MAX)
                                qualifier = (uint32_t)v;
                        else if (name && x == 0x02 && getpwnam(name))
                                qualifier = getpwnam(name)->pw_uid;
                        else if (name && x == 0x08 && getgrnam(name))
                                qualifier = getgrnam(name)->gr_gid;
                        else
                                return (size_t)-1;
                }
                e[n++] = (struct acl_xattr_entry){.tag = (uint16_t)x, .perm = (uint16_t)(perm & 7), .id = qualifier};
        }
        if (n == 0)
                return 0;
        qsort(e, n, sizeof(*e), by_tag_and_id);
        uint32_t version = 2;
        memcpy(buf, &version, 4);
        return 4 + n * sizeof(*e);
}

typedef struct DirTimes {
        char *path;
        struct timespec ts[2];
} DirTimes;

typedef struct Extract {
        int root;
        /* An OCI layer over the ones before it: whiteouts and opaque directories are
         * applied, and a member replaces a directory of a lower layer.  made: the paths
         * this layer has made so far, which an opaque directory keeps. */
        bool layer;
        char **made;
        size_t n_made, n_made_alloc;
        bool made_sorted;
        char parent[4096]; /* the directory of the last member, "" for the top */
        int parent_fd;
        DirTimes *dirs;
        size_t n_dirs, n_alloc;
        const char *member; /* for errors */
        Error *e;
} Extract;

/* (A long name shortened, so that the reason after it is not cut off.) */
static int member_error(Extract *x, int r, const char *what)
{
        char b[VALUE_SHOWN_MAX];
        return error_set(x->e, r, "archive member '%s': %s", value_shown(x->member, b), what);
}

static int member_error_errno(Extract *x, int r, const char *what)
{
        char b[VALUE_SHOWN_MAX];
        return error_set(x->e, r, "archive member '%s': %s: %s", value_shown(x->member, b), what, strerror(-r));
}

typedef enum DirMode {
        DIR_CREATE,        /* made (0755, root's) with its parents where the archive did not list them */
        DIR_EXISTING,      /* a missing one is an error */
        DIR_MAYBE_MISSING, /* a missing one is -ENOENT, and no error */
} DirMode;

/* An fd for directory path below the top, as mode says.  A symbolic link on the way is
 * refused. */
static int open_dir(Extract *x, const char *path, DirMode mode)
{
        _cleanup_close_ int at = -1;
        char comp[256];
        int fd = open_beneath(x->root, path);
        if (fd >= 0 || fd != -ENOENT || mode != DIR_CREATE)
                goto done;
        if ((at = fcntl(x->root, F_DUPFD_CLOEXEC, 3)) < 0)
                return member_error_errno(x, negative_errno(), "cannot open the image");
        for (const char *p = path; *p;) {
                size_t n = strcspn(p, "/");
                snprintf(comp, sizeof(comp), "%.*s", (int)n, p);
                if (mkdirat(at, comp, 0755) < 0 && errno != EEXIST)
                        return member_error_errno(x, negative_errno(), "cannot create its directory");
                int next = open_beneath(at, comp);
                if (next < 0) {
                        fd = next;
                        goto done;
                }
                closep(&at);
                at = next;
                p += n + (p[n] == '/');
        }
        fd = at;
        at = -1;
done:
        if (fd == -ENOENT && mode == DIR_MAYBE_MISSING)
                return fd;
        if (fd == -ELOOP || fd == -EXDEV)
                return member_error(x, -ELOOP,
                                    "a parent directory is a symbolic link (or a mount): the archive would write through it, out of the image");
        if (fd == -ENOTDIR)
                return member_error(x, -ENOTDIR, "a parent is not a directory");
        if (fd < 0)
                return member_error_errno(x, fd, "cannot open its directory");
        return fd;
}

/* The fd of the directory that path's last component is in, kept for the next member. */
static int parent_of(Extract *x, const char *path, const char **ret_base)
{
        const char *slash = strrchr(path, '/');
        size_t n = slash ? (size_t)(slash - path) : 0;
        *ret_base = slash ? slash + 1 : path;
        if (x->parent_fd >= 0 && strlen(x->parent) == n && strncmp(x->parent, path, n) == 0)
                return x->parent_fd;
        closep(&x->parent_fd);
        snprintf(x->parent, sizeof(x->parent), "%.*s", (int)n, path);
        int fd = open_dir(x, x->parent, DIR_CREATE);
        if (fd < 0)
                return fd;
        return x->parent_fd = fd;
}

/* Makes room for a member of type mode at base: what is there goes, unless it is a directory
 * (which only a directory can take over). */
static int clear_place(Extract *x, int dir, const char *base, mode_t mode)
{
        struct stat st;
        if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : member_error_errno(x, negative_errno(), "cannot look at what is there");
        if (S_ISDIR(st.st_mode)) {
                if (S_ISDIR(mode))
                        return 1; /* kept */
                if (!x->layer)
                        return member_error(x, -EISDIR, "it would replace a directory the archive made");
                /* A layer's file hides a lower layer's directory, as in overlayfs */
                char where[256];
                int r = tree_remove(dir, base, where, sizeof(where));
                return r < 0 ? member_error_errno(x, r, "cannot remove the directory of a lower layer it replaces") : 0;
        }
        if (unlinkat(dir, base, 0) < 0)
                return member_error_errno(x, negative_errno(), "cannot replace what is there");
        return 0;
}

static int write_data(Extract *x, struct archive *a, int fd, int64_t size)
{
        const void *buf;
        size_t n;
        la_int64_t offset;
        int64_t end = 0;
        int r;
        while ((r = archive_read_data_block(a, &buf, &n, &offset)) == ARCHIVE_OK) {
                if (offset != end && lseek(fd, offset, SEEK_SET) < 0)
                        return member_error_errno(x, negative_errno(), "cannot seek");
                if ((r = write_all(fd, buf, n)) < 0)
                        return member_error_errno(x, r, "cannot write");
                end = offset + (int64_t)n;
        }
        if (r != ARCHIVE_EOF)
                return member_error(x, -EIO, archive_error_string(a) ? archive_error_string(a) : "cannot read its data");
        /* A sparse file ending in a hole */
        if (end < size && ftruncate(fd, size) < 0)
                return member_error_errno(x, negative_errno(), "cannot set its size");
        return 0;
}

/* An xattr on the member: through fd, else by name (O_PATH and /proc, rarely needed: device
 * nodes and FIFOs with xattrs). */
static int member_setxattr(int fd, int dir, const char *base, const char *name, const void *value, size_t size)
{
        if (fd >= 0)
                return fsetxattr(fd, name, value, size, 0) < 0 ? negative_errno() : 0;
        char p[FD_PATH_MAX];
        _cleanup_close_ int path_fd = openat(dir, base, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (path_fd < 0)
                return negative_errno();
        return setxattr(fd_path(path_fd, p), name, value, size, 0) < 0 ? negative_errno() : 0;
}

/* Owner, mode, xattrs and ACLs, in that order: a chown clears setuid bits and file
 * capabilities, so those come after it.  The member is fd (opened for reading or writing),
 * or with fd < 0 base in dir, which the extraction made itself (so not a link, unless
 * is_link). */
static int set_metadata(Extract *x, struct archive_entry *entry, int fd, int dir, const char *base, bool is_link)
{
        uid_t uid = (uid_t)archive_entry_uid(entry);
        gid_t gid = (gid_t)archive_entry_gid(entry);
        mode_t mode = archive_entry_mode(entry) & 07777;
        int r;
        if ((fd >= 0 ? fchown(fd, uid, gid) : fchownat(dir, base, uid, gid, AT_SYMLINK_NOFOLLOW)) < 0)
                return member_error_errno(x, negative_errno(), "cannot set its owner");
        if (is_link)
                return 0; /* no mode, and no xattrs outside trusted.* on links */
        if ((fd >= 0 ? fchmod(fd, mode) : fchmodat(dir, base, mode, 0)) < 0)
                return member_error_errno(x, negative_errno(), "cannot set its mode");
        const char *name;
        const void *value;
        size_t size;
        archive_entry_xattr_reset(entry);
        while (archive_entry_xattr_next(entry, &name, &value, &size) == ARCHIVE_OK)
                if ((r = member_setxattr(fd, dir, base, name, value, size)) < 0 && r != -EOPNOTSUPP)
                        return member_error_errno(x, r, name);
        static const struct {
                int type;
                const char *xattr;
        } acls[] = {
                {ARCHIVE_ENTRY_ACL_TYPE_ACCESS, "system.posix_acl_access"},
                {ARCHIVE_ENTRY_ACL_TYPE_DEFAULT, "system.posix_acl_default"},
        };
        for (size_t k = 0; k < ELEMENTSOF(acls); k++) {
                uint8_t buf[4 + 64 * sizeof(struct acl_xattr_entry)];
                size_t n = acl_xattr(entry, acls[k].type, buf, sizeof(buf));
                if (n == (size_t)-1)
                        return member_error(x, -EINVAL, "its ACL names a user or group that is neither a number nor known here");
                if (n > 0 && (r = member_setxattr(fd, dir, base, acls[k].xattr, buf, n)) < 0)
                        return member_error_errno(x, r, "cannot set its ACL");
        }
        return 0;
}

static void entry_times(struct archive_entry *entry, struct timespec ts[2])
{
        ts[0] = archive_entry_atime_is_set(entry) ? (struct timespec){archive_entry_atime(entry), archive_entry_atime_nsec(entry)}
                                                  : (struct timespec){archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
        ts[1] = (struct timespec){archive_entry_mtime(entry), archive_entry_mtime_nsec(entry)};
}

static int by_string(const void *a, const void *b)
{
        return strcmp(*(char *const *)a, *(char *const *)b);
}

static int made_add(Extract *x, const char *path)
{
        if (x->n_made == x->n_made_alloc) {
                size_t n = x->n_made_alloc ? x->n_made_alloc * 2 : 256;
                char **m = realloc(x->made, n * sizeof(*m));
                if (!m)
                        return error_set(x->e, -ENOMEM, "out of memory");
                x->made = m;
                x->n_made_alloc = n;
        }
        if (!(x->made[x->n_made] = strdup(path)))
                return error_set(x->e, -ENOMEM, "out of memory");
        x->n_made++;
        x->made_sorted = false;
        return 0;
}

static bool made_has(Extract *x, const char *path)
{
        if (x->n_made == 0)
                return false;
        if (!x->made_sorted) {
                qsort(x->made, x->n_made, sizeof(*x->made), by_string);
                x->made_sorted = true;
        }
        return bsearch(&path, x->made, x->n_made, sizeof(*x->made), by_string);
}

/* Removes what is in directory fd (path below the top) that this layer has not made; a
 * directory it made is kept and looked into. */
static int remove_lower(Extract *x, int fd, const char *path)
{
        /* (fd may be O_PATH, which cannot be read) */
        _cleanup_close_ int dup_fd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
        int r = 0;
        if (!d)
                return member_error_errno(x, negative_errno(), "cannot read the opaque directory");
        dup_fd = -1;
        for (;;) {
                errno = 0;
                struct dirent *de = readdir(d);
                if (!de) {
                        if (errno)
                                r = member_error_errno(x, negative_errno(), "cannot read the opaque directory");
                        break;
                }
                char child[4096], where[256];
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                snprintf(child, sizeof(child), "%s%s%s", path, *path ? "/" : "", de->d_name);
                if (!made_has(x, child)) {
                        if ((r = tree_remove(dirfd(d), de->d_name, where, sizeof(where))) < 0) {
                                r = member_error_errno(x, r, "cannot remove what a lower layer has in the opaque directory");
                                break;
                        }
                        continue;
                }
                if (de->d_type != DT_DIR)
                        continue;
                _cleanup_close_ int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                r = sub < 0 ? member_error_errno(x, negative_errno(), "cannot open a directory below the opaque one") : remove_lower(x, sub, child);
                if (r < 0)
                        break;
        }
        closedir(d);
        return r;
}

/* A layer's whiteout member: ".wh.NAME" removes NAME of the layers below, ".wh..wh..opq"
 * what they have in its directory.  Returns 1 when entry was one (and nothing is made). */
static int apply_whiteout(Extract *x, const char *path)
{
        const char *slash = strrchr(path, '/'), *name;
        char dir[4096];
        int w = oci_whiteout(slash ? slash + 1 : path, &name);
        if (w < 0)
                return member_error(x, -EINVAL, "a whiteout of nothing, \".\" or \"..\"");
        if (w == OCI_WHITEOUT_NONE)
                return 0;
        if (w == OCI_WHITEOUT_META)
                return 1; /* AUFS' own bookkeeping */
        snprintf(dir, sizeof(dir), "%.*s", slash ? (int)(slash - path) : 0, path);
        /* The cached parent may be what goes */
        closep(&x->parent_fd);
        x->parent[0] = 0;
        int fd = open_dir(x, dir, w == OCI_WHITEOUT_OPAQUE ? DIR_CREATE : DIR_MAYBE_MISSING);
        if (fd == -ENOENT)
                return 1; /* a whiteout in a directory no layer made: nothing to do */
        if (fd < 0)
                return fd;
        int r;
        if (w == OCI_WHITEOUT_OPAQUE)
                r = remove_lower(x, fd, dir);
        else {
                char where[256];
                r = tree_remove(fd, name, where, sizeof(where));
                if (r == -ENOENT)
                        r = 0;
                else if (r < 0)
                        r = member_error_errno(x, r, "cannot remove what it whites out");
        }
        close(fd);
        return r < 0 ? r : 1;
}

static int extract_entry(Extract *x, struct archive *a, struct archive_entry *entry)
{
        char path[4096], target[4096];
        const char *why, *base;
        const char *hardlink = archive_entry_hardlink(entry);
        mode_t type = archive_entry_filetype(entry);
        struct timespec ts[2];
        _cleanup_close_ int fd = -1;
        int dir, r;
        x->member = archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "";
        if ((r = tar_member_path(x->member, path, sizeof(path), &why)) < 0)
                return member_error(x, r, why ? why : "its name is too long");
        entry_times(entry, ts);
        if (x->layer && path[0]) {
                if ((r = apply_whiteout(x, path)) != 0)
                        return r < 0 ? r : 0;
                if ((r = made_add(x, path)) < 0)
                        return r;
        }
        if (!path[0]) {
                /* The archive's root: the image's top */
                if (!S_ISDIR(type) || hardlink)
                        return member_error(x, -EINVAL, "the archive's root is not a directory");
                if ((r = set_metadata(x, entry, x->root, -1, NULL, false)) < 0)
                        return r;
                goto dir_times;
        }
        dir = parent_of(x, path, &base);
        if (dir < 0)
                return dir;
        if (hardlink) {
                const char *tbase;
                if ((r = tar_link_target(hardlink, target, sizeof(target), &why)) < 0)
                        return member_error(x, r, why ? why : "its link target is too long");
                const char *slash = strrchr(target, '/');
                tbase = slash ? slash + 1 : target;
                if (slash)
                        *(char *)slash = 0;
                fd = open_dir(x, slash ? target : "", DIR_EXISTING);
                if (fd < 0)
                        return fd;
                if ((r = clear_place(x, dir, base, S_IFREG)) < 0)
                        return r;
                if (linkat(fd, tbase, dir, base, 0) < 0)
                        return member_error_errno(x, negative_errno(), "cannot make the hard link (the archive must have its target before it)");
                return 0;
        }
        /* Made at once where nothing is in the way (the common case, one system call);
         * else what is there is looked at, and replaced or kept (a directory). */
        for (int attempt = 0;; attempt++) {
                switch (type) {
                case AE_IFREG:
                        fd = openat(dir, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
                        r = fd < 0 ? negative_errno() : 0;
                        break;
                case AE_IFDIR:
                        r = mkdirat(dir, base, 0700) < 0 ? negative_errno() : 0;
                        break;
                case AE_IFLNK: {
                        const char *link = archive_entry_symlink(entry);
                        /* Where it points is read inside the container, so anything goes;
                         * only writes through it are refused (open_dir). */
                        if (!link || !*link)
                                return member_error(x, -EINVAL, "a symbolic link without a target");
                        r = symlinkat(link, dir, base) < 0 ? negative_errno() : 0;
                        break;
                }
                case AE_IFCHR:
                case AE_IFBLK:
                case AE_IFIFO:
                        r = mknodat(dir, base, type | 0600, type == AE_IFIFO ? 0 : archive_entry_rdev(entry)) < 0 ? negative_errno() : 0;
                        break;
                default:
                        return member_error(x, -EINVAL, "a file type tar cannot hold");
                }
                if (r != -EEXIST || attempt > 0)
                        break;
                if ((r = clear_place(x, dir, base, type)) < 0)
                        return r;
                if (r > 0)
                        break; /* a directory that stays */
        }
        if (r < 0)
                return member_error_errno(x, r, "cannot create it");
        switch (type) {
        case AE_IFREG:
                if ((r = write_data(x, a, fd, archive_entry_size(entry))) < 0)
                        return r;
                if ((r = set_metadata(x, entry, fd, -1, NULL, false)) < 0)
                        return r;
                if (futimens(fd, ts) < 0)
                        return member_error_errno(x, negative_errno(), "cannot set its times");
                return 0;
        case AE_IFDIR:
                fd = openat(dir, base, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                if (fd < 0)
                        return member_error_errno(x, negative_errno(), "cannot open it");
                if ((r = set_metadata(x, entry, fd, -1, NULL, false)) < 0)
                        return r;
                goto dir_times;
        default:
                if ((r = set_metadata(x, entry, -1, dir, base, type == AE_IFLNK)) < 0)
                        return r;
                if (utimensat(dir, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
                        return member_error_errno(x, negative_errno(), "cannot set its times");
                return 0;
        }
dir_times:
        /* Set at the end, when nothing is made in it any more. */
        if (x->n_dirs == x->n_alloc) {
                size_t n = x->n_alloc ? x->n_alloc * 2 : 256;
                DirTimes *d = realloc(x->dirs, n * sizeof(*d));
                if (!d)
                        return error_set(x->e, -ENOMEM, "out of memory");
                x->dirs = d;
                x->n_alloc = n;
        }
        if (!(x->dirs[x->n_dirs].path = strdup(path)))
                return error_set(x->e, -ENOMEM, "out of memory");
        memcpy(x->dirs[x->n_dirs++].ts, ts, sizeof(ts));
        return 0;
}

static void extract_done(Extract *x, bool set_times)
{
        for (size_t k = x->n_dirs; k-- > 0;) {
                if (set_times) {
                        _cleanup_close_ int fd = open_beneath(x->root, x->dirs[k].path);
                        char p[FD_PATH_MAX];
                        if (fd >= 0)
                                (void)utimensat(AT_FDCWD, fd_path(fd, p), x->dirs[k].ts, 0);
                }
                free(x->dirs[k].path);
        }
        free(x->dirs);
        closep(&x->parent_fd);
        for (size_t k = 0; k < x->n_made; k++)
                free(x->made[k]);
        free(x->made);
}

/* Where a failed transfer ends: a cancel is named as such, and what was made is gone. */
static int failed(int pool, const char *tmp, const TransferIO *io, int r, Error *e)
{
        if (tmp[0])
                (void)tree_remove(pool, tmp, NULL, 0);
        if (cancelled(io)) {
                e->code = 0;
                return error_set(e, -ECANCELED, "cancelled; nothing was imported");
        }
        return r;
}

static uint64_t input_size(int fd)
{
        struct stat st;
        return fstat(fd, &st) == 0 && S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0;
}

/* What every import does first: the name checked, the pool opened (returned), a temporary
 * name in it chosen. */
static int import_begin(const char *name, const ImportOptions *o, char tmp[static IMAGE_TEMP_NAME_MAX], Error *e)
{
        int r = import_check_name(name, o->force, e);
        if (r < 0)
                return r;
        int pool = image_store_open_pool(e);
        if (pool >= 0)
                image_store_temp_name("import", tmp);
        return pool;
}

/* A tar archive from fd, compressed or not, into the directory root: as an OCI layer over
 * what is there with layer.  Progress is reported as what, the archive's bytes counted from
 * done_before of total. */
static int extract_archive(int root, int fd, bool layer, const TransferIO *io, const char *what, uint64_t done_before, uint64_t total, Error *e)
{
        Decompressor d;
        Extract x = {.root = root, .layer = layer, .parent_fd = -1, .e = e};
        struct archive *a = NULL;
        struct archive_entry *entry;
        Input in = {0};
        _cleanup_close_ int stream = -1;
        unsigned members = 0;
        int r;
        if ((r = decompressor_start(&d, fd, io->cancel, &stream)) < 0)
                return error_set_errno(e, r, "cannot start decompressing");
        a = archive_read_new();
        if (!a) {
                r = error_set(e, -ENOMEM, "out of memory");
                goto out;
        }
        archive_read_support_format_tar(a);
        if (input_open(a, &in, stream, -1, io->cancel) != ARCHIVE_OK) {
                r = error_set(e, -EBADMSG, "not a tar archive, or not compressed with xz, gzip, bzip2 or zstd: %s",
                              d.error[0]                ? d.error
                              : archive_error_string(a) ? archive_error_string(a)
                                                        : "no data");
                goto out;
        }
        for (;;) {
                if (cancelled(io)) {
                        r = -ECANCELED;
                        goto out;
                }
                int k = archive_read_next_header(a, &entry);
                if (k == ARCHIVE_EOF)
                        break;
                if (k != ARCHIVE_OK && k != ARCHIVE_WARN) {
                        r = error_set(e, -EBADMSG, "%s%s", members == 0 ? "not a tar archive: " : "the archive is damaged: ",
                                      d.error[0] ? d.error : archive_error_string(a));
                        goto out;
                }
                members++;
                if ((r = extract_entry(&x, a, entry)) < 0)
                        goto out;
                progress(io, what, done_before + atomic_load(&d.consumed), total);
        }
        /* The rest of the stream (the archive's padding), to know how decompression ended */
        for (char sink[4096]; read(stream, sink, sizeof(sink)) > 0;)
                ;
        if (d.error[0]) {
                r = error_set(e, -EBADMSG, "cannot decompress the archive: %s", d.error);
                goto out;
        }
        /* A layer may be empty (a Dockerfile's ENV, say); an archive to import may not */
        if (members == 0 && !layer) {
                r = error_set(e, -EBADMSG, "the archive is empty");
                goto out;
        }
        r = 0;
out:
        if (a)
                archive_read_free(a);
        free(in.buf);
        decompressor_stop(&d, &stream);
        extract_done(&x, r >= 0);
        return r;
}

/* A new directory under a temporary name in the pool, opened. */
static int make_temp_tree(int pool, char tmp[static IMAGE_TEMP_NAME_MAX], Error *e)
{
        int r = image_store_make_directory(pool, tmp);
        if (r < 0) {
                tmp[0] = 0;
                return error_set_errno(e, r, "cannot create a directory in /var/lib/machines");
        }
        int fd = openat(pool, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot open /var/lib/machines/%s", tmp);
        return fd;
}

int import_extract(int root, int fd, const TransferIO *io, Error *e)
{
        return extract_archive(root, fd, false, io, "Reading", 0, input_size(fd), e);
}

int import_tar(int fd, const char *name, const ImportOptions *o, Error *e)
{
        char tmp[IMAGE_TEMP_NAME_MAX] = "";
        _cleanup_close_ int pool = -1, root = -1;
        uint64_t total = input_size(fd);
        int r;
        if ((pool = import_begin(name, o, tmp, e)) < 0)
                return pool;
        if ((root = make_temp_tree(pool, tmp, e)) < 0)
                return failed(pool, tmp, &o->io, root, e);
        if ((r = extract_archive(root, fd, false, &o->io, "Importing", 0, total, e)) < 0)
                return failed(pool, tmp, &o->io, r, e);
        progress(&o->io, "Importing", total, total);
        closep(&root);
        if ((r = image_store_install(pool, tmp, name, false, o->force, o->read_only, e)) < 0)
                return failed(pool, tmp, &o->io, r, e);
        return 0;
}

int import_layers(size_t n, uint64_t total, LayerGet get, void *userdata, const char *name, const char *settings, const ImportOptions *o, Error *e)
{
        char tmp[IMAGE_TEMP_NAME_MAX] = "", what[64];
        _cleanup_close_ int pool = -1, root = -1;
        uint64_t done = 0;
        int r;
        if ((pool = import_begin(name, o, tmp, e)) < 0)
                return pool;
        if ((root = make_temp_tree(pool, tmp, e)) < 0)
                return failed(pool, tmp, &o->io, root, e);
        /* An image's top is 0755 root's, as the engines make it, unless a layer says else */
        (void)fchmod(root, 0755);
        for (size_t k = 0; k < n; k++) {
                int fd;
                if ((r = get(userdata, k, &fd, e)) < 0)
                        return failed(pool, tmp, &o->io, r, e);
                snprintf(what, sizeof(what), "Layer %zu/%zu", k + 1, n);
                if ((r = extract_archive(root, fd, true, &o->io, what, done, total, e)) < 0) {
                        error_prefix(e, "layer %zu of %zu", k + 1, n);
                        return failed(pool, tmp, &o->io, r, e);
                }
                done += input_size(fd);
        }
        progress(&o->io, "Applied", total, total);
        closep(&root);
        if ((r = image_store_install(pool, tmp, name, false, o->force, o->read_only, e)) < 0)
                return failed(pool, tmp, &o->io, r, e);
        if (settings) {
                char file[300];
                snprintf(file, sizeof(file), "%s.nspawn", name);
                if ((r = write_file_atomic_at(pool, file, settings, strlen(settings), 0644)) < 0)
                        return error_set_errno(e, r, "image '%s' is made, but its settings file /var/lib/machines/%s cannot be written", name, file);
        } else if (o->force) {
                char file[300];
                snprintf(file, sizeof(file), "%s.nspawn", name);
                (void)unlinkat(pool, file, 0);
        }
        return 0;
}

/* Whether n bytes at p are all zeros: a block import-raw leaves a hole for. */
static bool all_zero(const char *p, size_t n)
{
        return n == 0 || (p[0] == 0 && memcmp(p, p + 1, n - 1) == 0);
}

int import_raw(int fd, const char *name, const ImportOptions *o, Error *e)
{
        char tmp[IMAGE_TEMP_NAME_MAX] = "";
        _cleanup_close_ int pool = -1, out = -1;
        struct archive *a = NULL;
        struct archive_entry *entry;
        Input in = {0};
        char *buf = NULL;
        uint64_t total = input_size(fd), end = 0;
        int r;
        if ((pool = import_begin(name, o, tmp, e)) < 0)
                return pool;
        out = openat(pool, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
        if (out < 0) {
                tmp[0] = 0;
                return error_set_errno(e, negative_errno(), "cannot create a file in /var/lib/machines");
        }
        a = archive_read_new();
        buf = malloc(BLOCK);
        if (!a || !buf) {
                r = error_set(e, -ENOMEM, "out of memory");
                goto out;
        }
        archive_read_support_filter_all(a);
        archive_read_support_format_raw(a);
        if (input_open(a, &in, fd, -1, o->io.cancel) != ARCHIVE_OK || archive_read_next_header(a, &entry) != ARCHIVE_OK) {
                r = error_set(e, -EBADMSG, "cannot read the image: %s", archive_error_string(a) ? archive_error_string(a) : "no data");
                goto out;
        }
        for (;;) {
                if (cancelled(&o->io)) {
                        r = -ECANCELED;
                        goto out;
                }
                la_ssize_t n = archive_read_data(a, buf, BLOCK);
                if (n < 0) {
                        r = error_set(e, -EBADMSG, "cannot decompress the image: %s", archive_error_string(a));
                        goto out;
                }
                if (n == 0)
                        break;
                if (end == 0 && n >= 4 && memcmp(buf, "QFI\xfb", 4) == 0) {
                        r = error_set(
                                e, -EOPNOTSUPP,
                                "this is a qcow2 image, which corral does not convert: convert it with \"qemu-img convert -O raw\" and import the result");
                        goto out;
                }
                for (la_ssize_t k = 0; k < n; k += 4096) {
                        size_t m = (size_t)MIN((la_ssize_t)4096, n - k);
                        if (all_zero(buf + k, m))
                                continue;
                        if (pwrite(out, buf + k, m, (off_t)(end + (uint64_t)k)) != (ssize_t)m) {
                                r = error_set_errno(e, errno ? negative_errno() : -EIO, "cannot write /var/lib/machines/%s", tmp);
                                goto out;
                        }
                }
                end += (uint64_t)n;
                progress(&o->io, "Importing", (uint64_t)archive_filter_bytes(a, -1), total);
        }
        if (end == 0) {
                r = error_set(e, -EBADMSG, "the image is empty");
                goto out;
        }
        if (ftruncate(out, (off_t)end) < 0 || fsync(out) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot write /var/lib/machines/%s", tmp);
                goto out;
        }
        progress(&o->io, "Importing", total, total);
        r = image_store_install(pool, tmp, name, true, o->force, o->read_only, e);
        if (r >= 0)
                tmp[0] = 0;
out:
        free(buf);
        if (a)
                archive_read_free(a);
        free(in.buf);
        if (r >= 0)
                return 0;
        if (tmp[0])
                (void)unlinkat(pool, tmp, 0);
        return failed(pool, "", &o->io, r, e);
}

int import_fs(const char *dir, const char *name, const ImportOptions *o, Error *e)
{
        char tmp[IMAGE_TEMP_NAME_MAX] = "", where[4096] = "";
        _cleanup_close_ int pool = -1;
        struct stat st;
        int r;
        if (stat(dir, &st) < 0)
                return error_set_errno(e, negative_errno(), "cannot import %s", dir);
        if (!S_ISDIR(st.st_mode))
                return error_set(e, -ENOTDIR, "cannot import %s: not a directory (import-tar and import-raw take files)", dir);
        if ((pool = import_begin(name, o, tmp, e)) < 0)
                return pool;
        progress(&o->io, "Copying", 0, 0);
        r = tree_copy(AT_FDCWD, dir, pool, tmp, where, sizeof(where));
        if (r < 0) {
                r = error_set_errno(e, r, "cannot copy %s%s%s", dir, *where ? ": at " : "", where);
                return failed(pool, tmp, &o->io, r, e);
        }
        if (cancelled(&o->io))
                return failed(pool, tmp, &o->io, -ECANCELED, e);
        r = image_store_install(pool, tmp, name, false, o->force, o->read_only, e);
        if (r < 0)
                return failed(pool, tmp, &o->io, r, e);
        return 0;
}
