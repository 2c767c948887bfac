/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* Whole directory trees, walked by file descriptor: nothing follows a symbolic link, and
 * nothing crosses into another file system (a mount below the tree is refused).
 *
 * tree_copy() makes dst_name in dst_dirfd a copy of the directory src_name in src_dirfd with
 * everything an OS tree holds: every file type (device nodes, FIFOs, sockets, links as
 * links), owners, modes with setuid/setgid bits, times, extended attributes (ACLs, file
 * capabilities, SELinux labels) and hard links, which stay links within the copy.  File data
 * is shared where the file system can (a reflink), else copied in the kernel.  dst_name must
 * not exist.  On failure *where (if given) holds the path below the tree that failed, and what
 * was made is left for the caller to remove. */
int tree_copy(int src_dirfd, const char *src_name, int dst_dirfd, const char *dst_name, char *where, size_t where_size);

/* Copies one regular file's data, reflinked where the file system can. */
int file_copy_data(int in, int out);

/* Removes name in dirfd and, if it is a directory, everything below it.  -EBUSY for a mount
 * below it (left alone); -EPERM where an immutable flag is in the way.  On failure *where (if
 * given) holds the path below the tree that failed. */
int tree_remove(int dirfd, const char *name, char *where, size_t where_size);
