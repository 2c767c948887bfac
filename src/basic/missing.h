/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* What a C library may lack: corral builds with glibc and, for the corral binary itself, with
 * musl (1.2.3 has no statx()). */
#pragma once

#include <fcntl.h>
#include <sys/stat.h>

#ifndef STATX_BASIC_STATS
#include <linux/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static inline int statx(int dirfd, const char *path, int flags, unsigned int mask, struct statx *buf)
{
        return (int)syscall(SYS_statx, dirfd, path, flags, mask, buf);
}
#endif

#ifndef __GLIBC__
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* musl 1.2.3 has no renameat2() wrapper. */
static inline int renameat2(int olddirfd, const char *oldpath, int newdirfd, const char *newpath, unsigned int flags)
{
        return (int)syscall(SYS_renameat2, olddirfd, oldpath, newdirfd, newpath, flags);
}

/* musl's allocator gives freed memory back by itself. */
static inline int malloc_trim(size_t pad)
{
        (void)pad;
        return 0;
}
#endif
