/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/stat.h>
#include <sys/types.h>
#include "macro.h"

bool path_is_absolute(const char *p);
/* An absolute or relative path with no "." or ".." components and no empty components. */
bool path_is_normalized(const char *p);
char *path_join(const char *a, const char *b);
/* Orders paths component by component, as systemd's path_compare(): a directory sorts before
 * everything below it ("/a" < "/a/b" < "/a-b"); repeated slashes do not count.  <0, 0 or >0. */
int path_compare(const char *a, const char *b);
/* Splits mount options as mount(8) and systemd's mount_option_mangle() do: the generic ones
 * ("ro", "nosuid", "noexec", "noatime", ...) go into *flags (set or cleared), the rest stays the
 * file system's data, comma-separated in their order (*ret_data: NULL when none; a double-quoted
 * part keeps its commas).  -EINVAL for an empty option. */
int mount_options_split(const char *options, unsigned long *flags, char **ret_data);
/* Whether a file system of type fstype takes the data options ("size=10M,mode=0755"; a comma
 * in double quotes belongs to its value), asked of the kernel through a file system context
 * that is created and dropped (nothing is mounted).  On refusal, why gets the option and the
 * kernel's reason ("size=lots: tmpfs: Bad value for 'size'").  0 where the kernel cannot be
 * asked (no fsopen(), no privilege): the mount itself will say. */
int mount_data_check(const char *fstype, const char *data, char *why, size_t size);
/* The last component of p, without allocating (p must not end in '/'). */
const char *path_basename(const char *p);
/* The directory part of p, newly allocated: "/" for "/x", "." for a name without a slash. */
char *path_dirname(const char *p);

int read_full_file(const char *path, char **ret, size_t *ret_size);
int read_full_fd(int fd, char **ret, size_t *ret_size);
/* Appends n bytes to the NUL-terminated buffer *buf of *size bytes (reallocated): -EFBIG when it
 * would be larger than max, -ENOMEM. */
int buffer_append(char **buf, size_t *size, const void *data, size_t n, size_t max);
int write_file_at(int dirfd, const char *path, const char *data, size_t n, mode_t mode);
/* The same by way of PATH.tmp and a rename: a reader sees the old file or the new one, never a
 * part (PATH.tmp is removed again on failure). */
int write_file_atomic_at(int dirfd, const char *path, const char *data, size_t n, mode_t mode);
/* Calls fn(dirfd, name, userdata) for each entry of the directory fd but "." and "..", until
 * one returns a negative errno, which is returned (as is readdir's); fd stays the caller's. */
int dir_for_each(int fd, int (*fn)(int dirfd, const char *name, void *userdata), void *userdata);
int mkdir_p(const char *path, mode_t mode);
/* Removes the directories above path that are left empty, innermost first, down to (not
 * including) the first stop characters of path; stops at the first rmdir() that fails.  path
 * is cut at each removed level. */
void rmdir_parents(char *path, size_t stop);

/* Opens path below rootfd as if rootfd were "/": symlinks and ".." cannot leave it (openat2
 * RESOLVE_IN_ROOT). flags as openat(); O_CLOEXEC is always added. */
int open_in_root(int rootfd, const char *path, int flags, mode_t mode);
/* Opens the directory path below dirfd (O_PATH) without following a symbolic link or crossing
 * a mount on the way: nothing planted in the tree can lead out of it. */
int open_beneath(int dirfd, const char *path);
/* Creates every missing directory of path below rootfd, resolving each component in the root.
 * Returns an O_PATH fd to the final directory. */
int mkdir_p_in_root(int rootfd, const char *path, mode_t mode);
/* Makes sure path below rootfd exists as a mount point of the given kind: a directory, or an
 * empty regular file when is_dir is false (parents are created). Returns an O_PATH fd to it. */
int make_mount_point_in_root(int rootfd, const char *path, bool is_dir);
/* A detached copy of the mount at path below dirfd (open_tree(OPEN_TREE_CLONE); "" with
 * AT_EMPTY_PATH in at_flags for dirfd itself; AT_RECURSIVE for the mounts below it too), made a
 * slave at once: a copy joins the peer group of its original, so on a host whose mounts are
 * shared (systemd's default) whatever is later mounted below the copy would appear on the host
 * too, and pivot_root() refuses a shared mount.  As a slave it still receives the original's
 * mount events and never sends its own.  Returns the fd or a negative errno. */
int mount_clone(int dirfd, const char *path, unsigned at_flags);
/* A new mount of a file system that needs no source (sysfs, cgroup2, tmpfs), detached, with
 * the MOUNT_ATTR_* flags attrs (fsopen, fsconfig, fsmount).  Returns the fd or a negative
 * errno. */
int mount_new_detached(const char *fstype, unsigned attrs);
/* "/proc/self/fd/N" for handing an fd to an API that wants a path. */
#define FD_PATH_MAX 32
static inline const char *fd_path(int fd, char buf[static FD_PATH_MAX])
{
        snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
        return buf;
}

/* overlayfs's mount options for lower (topmost first), upper and work, each escaped; with
 * read_only, upper becomes the topmost lower layer and there is no work directory; with
 * user_xattr, overlayfs's own xattrs are user.overlay.* ("userxattr"). */
int overlay_mount_options(char *const *lower, const char *upper, const char *work, bool read_only, bool user_xattr, char **ret);
