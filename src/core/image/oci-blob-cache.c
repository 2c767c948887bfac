/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "oci-blob-cache.h"

int oci_cache_open(Error *e)
{
        int r = mkdir_p(OCI_BLOB_CACHE "/sha256", 0700);
        if (r < 0)
                return error_set_errno(e, r, "cannot create the blob cache %s", OCI_BLOB_CACHE);
        int fd = open(OCI_BLOB_CACHE "/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot open the blob cache %s", OCI_BLOB_CACHE);
        return fd;
}

int oci_cache_clean(uint64_t *ret_files, uint64_t *ret_bytes, Error *e)
{
        *ret_files = *ret_bytes = 0;
        int fd = open(OCI_BLOB_CACHE "/sha256", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT ? 0 : error_set_errno(e, negative_errno(), "cannot open the blob cache %s", OCI_BLOB_CACHE);
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return error_set_errno(e, negative_errno(), "cannot read the blob cache %s", OCI_BLOB_CACHE);
        }
        int r = 0;
        for (struct dirent *de; (de = readdir(d));) {
                struct stat st;
                if (de->d_name[0] == '.')
                        continue;
                /* A pull holds the lock of what it writes or reads */
                _cleanup_close_ int blob = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
                if (blob < 0 || fstat(blob, &st) < 0 || !S_ISREG(st.st_mode) || flock(blob, LOCK_EX | LOCK_NB) < 0)
                        continue;
                if (unlinkat(dirfd(d), de->d_name, 0) < 0) {
                        r = error_set_errno(e, negative_errno(), "cannot remove %s/sha256/%s", OCI_BLOB_CACHE, de->d_name);
                        break;
                }
                (*ret_files)++;
                *ret_bytes += (uint64_t)st.st_blocks * 512;
        }
        closedir(d);
        return r;
}
