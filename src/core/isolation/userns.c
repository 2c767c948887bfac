/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* User namespaces: picking a UID range, the maps, and bringing the tree's ownership to it by
 * an idmapped mount or a recursive chown. */
#include <dirent.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "log.h"
#include "fs-util.h"
#include "userns.h"

#define RANGE 65536U
#define PICK_FIRST 0x00080000U /* 524288, as nspawn */
#define PICK_LAST 0x6FFF0000U  /* 1878982656 */

static int lock_range(const char *lock_dir, uint32_t shift, int *ret, char **ret_path)
{
        char path[PATH_MAX];
        int r;
        if ((r = mkdir_p(lock_dir, 0700)) < 0)
                return r;
        snprintf(path, sizeof(path), "%s/uid-%u", lock_dir, shift);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd < 0)
                return -errno;
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                r = -errno;
                close(fd);
                return r == -EWOULDBLOCK ? -EBUSY : r;
        }
        *ret = fd;
        *ret_path = strdup(path);
        return 0;
}

/* A range must not be a host user's: nspawn checks the first UID and GID of it. */
static bool range_used_by_host(uint32_t shift)
{
        char line[1024];
        for (int i = 0; i < 2; i++) {
                FILE *f = fopen(i ? "/etc/group" : "/etc/passwd", "re");
                while (f && fgets(line, sizeof(line), f)) {
                        char *p = strchr(line, ':');
                        p = p ? strchr(p + 1, ':') : NULL;
                        unsigned long id;
                        if (p && sscanf(p + 1, "%lu", &id) == 1 && id >= shift && id < (unsigned long)shift + RANGE) {
                                fclose(f);
                                return true;
                        }
                }
                if (f)
                        fclose(f);
        }
        return false;
}

int userns_plan(const Settings *s, const char *image, const char *machine, const char *lock_dir, UsernsPlan *ret, Error *e)
{
        UsernsPlan p = USERNS_PLAN_NULL;
        PrivateUsers mode = OPTIONAL_OR(s->private_users, PRIVATE_USERS_NO);
        struct stat st;
        int r;

        *ret = p;
        if (mode == PRIVATE_USERS_NO)
                return 0;
        if (stat(image, &st) < 0)
                return error_set_errno(e, -errno, "cannot look at the owner of %s", image);
        p.enabled = true;
        p.range = RANGE;
        p.tree_base = st.st_uid; /* the container's root, on disk now */
        p.ownership = OPTIONAL_OR(s->userns_ownership, mode == PRIVATE_USERS_PICK ? USER_NAMESPACE_OWNERSHIP_AUTO : USER_NAMESPACE_OWNERSHIP_OFF);
        switch (mode) {
        case PRIVATE_USERS_IDENTITY:
                p.shift = 0;
                break;
        case PRIVATE_USERS_FIXED:
                p.shift = s->uid_shift;
                p.range = s->uid_range;
                break;
        case PRIVATE_USERS_AUTO:
                if (st.st_uid != st.st_gid || (st.st_uid & (RANGE - 1)) != 0)
                        return error_set(e, -EINVAL,
                                         "--private-users=yes takes the UID range from the owner of %s, which is %u:%u: that must be one UID/GID "
                                         "that is a multiple of 65536 (chown the tree to the range you want, or use --private-users=pick)",
                                         image, (unsigned)st.st_uid, (unsigned)st.st_gid);
                p.shift = st.st_uid;
                break;
        case PRIVATE_USERS_PICK: {
                /* The tree's own range if it has one and it is free, else one hashed from the
                 * machine name, else the next free one. */
                uint32_t n = (PICK_LAST - PICK_FIRST) / RANGE, h = 5381;
                for (const char *c = machine; *c; c++)
                        h = h * 33 + (unsigned char)*c;
                uint32_t candidates[2] = {st.st_uid, PICK_FIRST + (h % n) * RANGE};
                for (uint32_t i = 0; i < n + 2 && p.lock_fd < 0; i++) {
                        uint32_t c = i < 2 ? candidates[i] : PICK_FIRST + ((h + i) % n) * RANGE;
                        if (c < PICK_FIRST || c >= PICK_LAST || (c & (RANGE - 1)) || range_used_by_host(c))
                                continue;
                        if ((r = lock_range(lock_dir, c, &p.lock_fd, &p.lock_path)) == 0)
                                p.shift = c;
                        else if (r != -EBUSY)
                                return error_set_errno(e, r, "cannot lock a UID range in %s", lock_dir);
                }
                if (p.lock_fd < 0)
                        return error_set(e, -EBUSY, "--private-users=pick: every UID range from %u to %u is in use", PICK_FIRST, PICK_LAST);
                break;
        }
        default:
                return error_set(e, -EINVAL, "unknown user namespace mode");
        }
        if (p.lock_fd < 0 && mode != PRIVATE_USERS_IDENTITY) {
                if ((r = lock_range(lock_dir, p.shift, &p.lock_fd, &p.lock_path)) == -EBUSY)
                        return error_set(e, r,
                                         "the UID range %u-%u is in use by another running container; give this one another range "
                                         "(--private-users=UID) or use --private-users=pick",
                                         p.shift, p.shift + p.range - 1);
                if (r < 0)
                        return error_set_errno(e, r, "cannot lock the UID range in %s", lock_dir);
        }
        /* The nspawn pitfall: a tree owned by other IDs than the container's, used as it is,
         * shows every file as nobody's, and an init then fails without saying why. */
        if (p.ownership == USER_NAMESPACE_OWNERSHIP_OFF && p.tree_base != p.shift)
                log_warning("%s is owned by UID %u but the container's root is UID %u on the host, and the ownership is left as it is "
                            "(--private-users-ownership=off): its files will be nobody's inside. Use --private-users-ownership=map or chown (or -U).",
                            image, p.tree_base, p.shift);
        /* A tree already owned by the range needs nothing. */
        if (p.tree_base == p.shift && p.ownership != USER_NAMESPACE_OWNERSHIP_OFF)
                p.ownership = USER_NAMESPACE_OWNERSHIP_OFF;
        if (id_map_add(&p.uid_map, 0, p.shift, p.range) < 0 || id_map_add(&p.gid_map, 0, p.shift, p.range) < 0) {
                userns_plan_done(&p);
                return error_set(e, -ENOMEM, "out of memory");
        }
        *ret = p;
        return 0;
}

void userns_plan_done(UsernsPlan *p)
{
        /* The lock file goes with the lock, as the other locks of /run/corral/locks. */
        if (p->lock_fd >= 0 && p->lock_path)
                (void)unlink(p->lock_path);
        closep(&p->lock_fd);
        closep(&p->root_fd);
        closep(&p->sysfs_fd);
        p->lock_path = mfree(p->lock_path);
        id_map_done(&p->uid_map);
        id_map_done(&p->gid_map);
}

int id_map_add(IdMap *m, uint32_t inside, uint32_t outside, uint32_t count)
{
        IdRange *n = reallocarray(m->ranges, m->n + 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        m->ranges = n;
        m->ranges[m->n++] = (IdRange){inside, outside, count};
        return 0;
}

int id_map_punch(IdMap *m, uint32_t id, uint32_t outside)
{
        size_t i = 0;
        while (i < m->n && !(id >= m->ranges[i].inside && id - m->ranges[i].inside < m->ranges[i].count))
                i++;
        if (i == m->n)
                return -ENOENT;
        /* As nspawn's make_uid_map_string(): the range up to the ID, the ID, the rest. */
        IdRange r = m->ranges[i], parts[3];
        size_t k = 0, before = id - r.inside;
        if (before > 0)
                parts[k++] = (IdRange){r.inside, r.outside, (uint32_t)before};
        parts[k++] = (IdRange){id, outside, 1};
        if (r.count - before - 1 > 0)
                parts[k++] = (IdRange){id + 1, r.outside + (uint32_t)before + 1, r.count - (uint32_t)before - 1};
        IdRange *n = reallocarray(m->ranges, m->n + k - 1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        m->ranges = n;
        memmove(&n[i + k], &n[i + 1], (m->n - i - 1) * sizeof(*n));
        memcpy(&n[i], parts, k * sizeof(*n));
        m->n += k - 1;
        return 0;
}

char *id_map_format(const IdMap *m)
{
        size_t size = m->n * 33 + 1, len = 0; /* three 10-digit numbers, two spaces, a newline */
        char *text = malloc(size);
        if (!text)
                return NULL;
        text[0] = 0;
        for (size_t i = 0; i < m->n; i++)
                len += (size_t)snprintf(text + len, size - len, "%u %u %u\n", m->ranges[i].inside, m->ranges[i].outside, m->ranges[i].count);
        return text;
}

void id_map_done(IdMap *m)
{
        m->ranges = mfree(m->ranges);
        m->n = 0;
}

int userns_plan_bind_id(UsernsPlan *p, uint32_t id, uint32_t uid, uint32_t gid)
{
        int r = id_map_punch(&p->uid_map, id, uid);
        return r < 0 ? r : id_map_punch(&p->gid_map, id, gid);
}

const char *userns_plan_map(const UsernsPlan *p, char buf[static USERNS_MAP_MAX])
{
        snprintf(buf, USERNS_MAP_MAX, "0 %u %u\n", p->shift, p->range);
        return buf;
}

/* The UID and GID maps of process pid's user namespace (uid_map syntax). */
static int write_maps(pid_t pid, const char *uid_map, const char *gid_map)
{
        char path[64];
        int r;
        snprintf(path, sizeof(path), "/proc/%d/uid_map", (int)pid);
        if ((r = write_file_at(AT_FDCWD, path, uid_map, strlen(uid_map), 0)) < 0)
                return r;
        snprintf(path, sizeof(path), "/proc/%d/gid_map", (int)pid);
        return write_file_at(AT_FDCWD, path, gid_map, strlen(gid_map), 0);
}

/* A user namespace with the given map (the same for GIDs), held by a short-lived helper: an
 * idmapped mount only needs the map, not the container's own namespace, so it can be made
 * before the container exists. */
int userns_make(const char *map, const char *gid_map, int *ret, Error *e)
{
        int pipefd[2], r;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_set_errno(e, -errno, "cannot make a pipe for the ID map helper");
        pid_t pid = (pid_t)syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, NULL);
        if (pid == 0) {
                char c;
                close(pipefd[1]);
                (void)!read(pipefd[0], &c, 1);
                _exit(0);
        }
        close(pipefd[0]);
        if (pid < 0) {
                close(pipefd[1]);
                return error_set_errno(e, -errno,
                                       "cannot create a user namespace (does the kernel allow them? see /proc/sys/user/max_user_namespaces)");
        }
        char path[64];
        int fd = -1;
        r = write_maps(pid, map, gid_map);
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
        if (r >= 0 && (fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                r = -errno;
        close(pipefd[1]);
        (void)waitpid(pid, NULL, 0);
        if (r < 0)
                return error_set_errno(e, r, "cannot set up the ID map \"%.*s\"", (int)strcspn(map, "\n"), map);
        *ret = fd;
        return 0;
}

int userns_detached_mount(const char *path, const char *map, const char *gid_map, bool recursive, int *ret, Error *e)
{
        _cleanup_close_ int userns = -1;
        int r;
        int fd = mount_clone(AT_FDCWD, path, recursive ? AT_RECURSIVE : 0);
        if (fd < 0)
                return error_set_errno(e, fd, "cannot clone the mount of %s", path);
        if (!map) { /* a plain copy */
                *ret = fd;
                return 0;
        }
        if ((r = userns_make(map, gid_map, &userns, e)) < 0) {
                close(fd);
                return r;
        }
        struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
        if (syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof(attr)) < 0) {
                r = -errno;
                close(fd);
                return error_set_errno(e, r, "cannot idmap %s (kernel 5.12+ and a file system that supports idmapped mounts are needed)", path);
        }
        *ret = fd;
        return 0;
}

int userns_prepare(UsernsPlan *p, const char *image, Error *e)
{
        int r;
        if (p->ownership == USER_NAMESPACE_OWNERSHIP_MAP || p->ownership == USER_NAMESPACE_OWNERSHIP_AUTO) {
                if (p->tree_base != 0) {
                        if (p->ownership == USER_NAMESPACE_OWNERSHIP_MAP)
                                return error_set(
                                        e, -EINVAL,
                                        "--private-users-ownership=map maps a tree owned by UIDs 0-65535, but %s is owned by the range from %u; "
                                        "use --private-users-ownership=chown (or auto) to move it",
                                        image, p->tree_base);
                } else {
                        char map[USERNS_MAP_MAX];
                        Error e2 = {0};
                        userns_plan_map(p, map);
                        r = userns_detached_mount(image, map, map, true, &p->root_fd, &e2);
                        if (r >= 0)
                                return 0;
                        if (p->ownership == USER_NAMESPACE_OWNERSHIP_MAP)
                                return error_set(e, r, "--private-users-ownership=map: %s; use --private-users-ownership=chown", e2.msg);
                        /* auto: as nspawn's, which says nothing; but the tree's files change owner. */
                        if (p->tree_base != p->shift)
                                log_warning("%s; its files are chowned to the container's range (UID %u and up) instead, as "
                                            "--private-users-ownership=auto does, and stay so (a kernel before 6.3 cannot idmap tmpfs)",
                                            e2.msg, p->shift);
                }
                p->ownership = USER_NAMESPACE_OWNERSHIP_CHOWN; /* auto: chown where mapping is impossible */
        }
        if (p->ownership == USER_NAMESPACE_OWNERSHIP_CHOWN && p->tree_base != p->shift) {
                if ((r = userns_chown_tree(image, p->tree_base, p->shift, p->range, e)) < 0)
                        return r;
                p->tree_base = p->shift;
        }
        /* Not mapped: a plain copy of the image's mount, which the child can attach even where
         * it could not reach the path. */
        return userns_detached_mount(image, NULL, NULL, true, &p->root_fd, e);
}

int userns_prepare_sysfs(UsernsPlan *p, Error *e)
{
        int fd = mount_new_detached("sysfs", MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
        if (fd < 0)
                return error_set_errno(e, fd, "cannot mount sysfs for the container");
        closep(&p->sysfs_fd);
        p->sysfs_fd = fd;
        return 0;
}

int userns_setup_child(UsernsPlan *p, pid_t child, Error *e)
{
        int r;
        _cleanup_free_ char *map = id_map_format(&p->uid_map), *gid_map = id_map_format(&p->gid_map);
        if (!map || !gid_map)
                return error_set(e, -ENOMEM, "out of memory");
        if ((r = write_maps(child, map, gid_map)) < 0)
                return error_set_errno(e, r, "cannot write the container's UID/GID map (%u %u)", p->shift, p->range);
        return 0;
}

typedef struct Shift {
        uint32_t from, to, range;
        char where[PATH_MAX];
} Shift;

static uint32_t shifted(const Shift *sh, uint32_t id)
{
        return id >= sh->from && id - sh->from < sh->range ? id - sh->from + sh->to : id;
}

/* POSIX ACLs name users and groups too: the xattr is a 4-byte version, then entries of
 * {u16 tag, u16 perm, u32 id}; named users (2) and groups (8) carry an ID to shift. */
static int shift_acl(const Shift *sh, int fd, const char *xattr)
{
        uint8_t buf[4096];
        ssize_t n = fgetxattr(fd, xattr, buf, sizeof(buf));
        if (n < 0)
                return errno == ENODATA || errno == EOPNOTSUPP ? 0 : -errno;
        bool changed = false;
        for (ssize_t off = 4; off + 8 <= n; off += 8) {
                uint16_t tag;
                uint32_t id;
                memcpy(&tag, buf + off, 2);
                memcpy(&id, buf + off + 4, 4);
                if (tag != 2 && tag != 8)
                        continue;
                uint32_t nid = shifted(sh, id);
                if (nid != id) {
                        memcpy(buf + off + 4, &nid, 4);
                        changed = true;
                }
        }
        return changed && fsetxattr(fd, xattr, buf, (size_t)n, 0) < 0 ? -errno : 0;
}

/* One entry, relative to dirfd (fd-based and without following symlinks, so a tree being
 * changed under us cannot redirect the chown outside it).  ACLs move with the owners, and file
 * capabilities, which chown() removes, are put back (a v3 one with its root ID moved). */
static int chown_at(Shift *sh, int dirfd, const char *name, const struct stat *st)
{
        uid_t u = shifted(sh, st->st_uid);
        gid_t g = shifted(sh, st->st_gid);
        uint8_t caps[64];
        ssize_t ncaps = -1;
        int r;
        if (S_ISREG(st->st_mode) || S_ISDIR(st->st_mode)) {
                _cleanup_close_ int fd = openat(dirfd, name[0] ? name : ".", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
                if (fd >= 0) {
                        if ((r = shift_acl(sh, fd, "system.posix_acl_access")) < 0 ||
                            (S_ISDIR(st->st_mode) && (r = shift_acl(sh, fd, "system.posix_acl_default")) < 0))
                                return r;
                        if (S_ISREG(st->st_mode))
                                ncaps = fgetxattr(fd, "security.capability", caps, sizeof(caps));
                }
        }
        if (u == st->st_uid && g == st->st_gid)
                return 0;
        if (fchownat(dirfd, name, u, g, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) < 0)
                return -errno;
        if (ncaps > 0) {
                /* struct vfs_ns_cap_data: v3 (magic 0x03000000) ends with the root UID; a v2 one
                 * (no root UID) only counts for the host's root, so it becomes v3 with the
                 * container's root. */
                uint32_t magic;
                memcpy(&magic, caps, 4);
                if ((magic & 0xFF000000U) == 0x02000000U && ncaps == 20 && shifted(sh, 0) != 0) {
                        uint32_t root = shifted(sh, 0);
                        magic = (magic & 0x00FFFFFFU) | 0x03000000U;
                        memcpy(caps, &magic, 4);
                        memcpy(caps + 20, &root, 4);
                        ncaps = 24;
                } else if ((magic & 0xFF000000U) == 0x03000000U && ncaps >= 24) {
                        uint32_t root;
                        memcpy(&root, caps + 20, 4);
                        root = shifted(sh, root);
                        memcpy(caps + 20, &root, 4);
                }
                _cleanup_close_ int fd = openat(dirfd, name[0] ? name : ".", O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
                if (fd < 0 || fsetxattr(fd, "security.capability", caps, (size_t)ncaps, 0) < 0)
                        return -errno;
        }
        /* chown() clears the setuid and setgid bits of files: put them back. */
        if (S_ISREG(st->st_mode) && (st->st_mode & (S_ISUID | S_ISGID)) && fchmodat(dirfd, name, st->st_mode & 07777, 0) < 0)
                return -errno;
        return 0;
}

static int chown_dir(Shift *sh, int fd, const char *path, dev_t dev, int depth)
{
        if (depth > 512)
                return -ELOOP;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        struct dirent *de;
        int r = 0;
        while (r >= 0 && (errno = 0, de = readdir(d))) {
                struct stat st;
                if (streq(de->d_name, ".") || streq(de->d_name, ".."))
                        continue;
                if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
                        r = -errno;
                        snprintf(sh->where, sizeof(sh->where), "%s/%s", path, de->d_name);
                        break;
                }
                if (S_ISDIR(st.st_mode) && st.st_dev == dev) {
                        int sub = openat(dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
                        char subpath[PATH_MAX];
                        snprintf(subpath, sizeof(subpath), "%s/%s", path, de->d_name);
                        if (sub < 0)
                                r = -errno;
                        else
                                r = chown_dir(sh, sub, subpath, dev, depth + 1);
                        if (r < 0) {
                                if (!sh->where[0])
                                        snprintf(sh->where, sizeof(sh->where), "%s", subpath);
                                break;
                        }
                }
                if (st.st_dev == dev && (r = chown_at(sh, dirfd(d), de->d_name, &st)) < 0)
                        snprintf(sh->where, sizeof(sh->where), "%s/%s", path, de->d_name);
        }
        closedir(d);
        return r;
}

int userns_chown_tree(const char *path, uint32_t from, uint32_t to, uint32_t range, Error *e)
{
        Shift sh = {.from = from, .to = to, .range = range};
        struct stat st;
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), r;
        if (fd < 0 || fstat(fd, &st) < 0) {
                r = -errno;
                if (fd >= 0)
                        close(fd);
                return error_set_errno(e, r, "cannot open %s to move its ownership", path);
        }
        /* The root last: its owner is how the next start knows the tree is done. */
        int keep = dup(fd);
        r = chown_dir(&sh, fd, path, st.st_dev, 0);
        if (r >= 0 && keep >= 0)
                r = chown_at(&sh, keep, "", &st);
        if (keep >= 0)
                close(keep);
        if (r < 0)
                return error_set_errno(e, r, "cannot move the ownership of %s to the UID range from %u (at %s)", path, to,
                                       sh.where[0] ? sh.where : path);
        return 0;
}
