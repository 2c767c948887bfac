/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* export-tar and export-raw: libarchive walks the image and writes the archive, as
 * "tar --numeric-owner --xattrs --acls -C IMAGE -c ." would. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "image-child.h"
#include "image.h"
#include "import.h"
#include "macro.h"

#define BLOCK (128 * 1024)

static bool cancelled(const TransferIO *io)
{
        return io->cancel && *io->cancel;
}

static int add_compression(struct archive *w, Compression c)
{
        switch (c) {
        case COMPRESSION_NONE:
                return archive_write_add_filter_none(w);
        case COMPRESSION_XZ:
                if (archive_write_add_filter_xz(w) != ARCHIVE_OK)
                        return ARCHIVE_FATAL;
                /* As many threads as there are cores, as "xz -T0" */
                (void)archive_write_set_filter_option(w, "xz", "threads", "0");
                return ARCHIVE_OK;
        case COMPRESSION_GZIP:
                return archive_write_add_filter_gzip(w);
        case COMPRESSION_BZIP2:
                return archive_write_add_filter_bzip2(w);
        case COMPRESSION_ZSTD:
                return archive_write_add_filter_zstd(w);
        default:
                return ARCHIVE_FATAL;
        }
}

/* A writer to fd: records padded only with an uncompressed tar on a file, as tar does. */
static struct archive *writer_new(int fd, Compression c, bool raw, Error *e)
{
        struct archive *w = archive_write_new();
        if (!w) {
                error_set(e, -ENOMEM, "out of memory");
                return NULL;
        }
        if ((raw ? archive_write_set_format_raw(w) : archive_write_set_format_pax(w)) != ARCHIVE_OK || add_compression(w, c) != ARCHIVE_OK) {
                error_set(e, -EOPNOTSUPP, "cannot write %s: %s", compression_to_string(c), archive_error_string(w));
                archive_write_free(w);
                return NULL;
        }
        /* xattrs as GNU tar writes and reads them (libarchive's own header too would make
         * GNU tar warn about every one) */
        if (!raw)
                (void)archive_write_set_format_option(w, "pax", "xattrheader", "SCHILY");
        if (c != COMPRESSION_NONE || raw)
                archive_write_set_bytes_in_last_block(w, 1);
        if (archive_write_open_fd(w, fd) != ARCHIVE_OK) {
                error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w));
                archive_write_free(w);
                return NULL;
        }
        return w;
}

/* The system's reason where there is one ("No space left on device"): libarchive's own string
 * is then only "Write error". */
static int write_error(struct archive *w, Error *e)
{
        if (archive_errno(w) > 0)
                return error_set_errno(e, -archive_errno(w), "cannot write the archive");
        return error_set(e, -EIO, "cannot write the archive: %s", archive_error_string(w) ? archive_error_string(w) : "write error");
}

/* The member's data, with holes as zeros that the pax writer leaves out of a sparse member. */
static int copy_data(struct archive *d, struct archive *w, const char *path, Error *e)
{
        static const char zeros[BLOCK];
        const void *buf;
        size_t n;
        la_int64_t offset, done = 0;
        int r;
        while ((r = archive_read_data_block(d, &buf, &n, &offset)) == ARCHIVE_OK) {
                for (; done < offset; done += MIN(offset - done, (la_int64_t)BLOCK))
                        if (archive_write_data(w, zeros, (size_t)MIN(offset - done, (la_int64_t)BLOCK)) < 0)
                                return write_error(w, e);
                if (n > 0 && archive_write_data(w, buf, n) < 0)
                        return write_error(w, e);
                done = offset + (la_int64_t)n;
        }
        if (r != ARCHIVE_EOF)
                return error_set(e, -EIO, "cannot read %s: %s", path, archive_error_string(d));
        return 0;
}

int export_tar(const Image *i, int fd, Compression c, const TransferIO *io, bool frozen, Error *e)
{
        ImageLock lock = IMAGE_LOCK_NULL, base_lock = IMAGE_LOCK_NULL;
        struct archive *w = NULL, *d = NULL;
        struct archive_entry_linkresolver *links = NULL;
        struct archive_entry *entry = NULL, *sparse = NULL;
        const char *root = i->path;
        uint64_t files = 0;
        size_t prefix;
        int r = 0;
        if (i->type != IMAGE_DIRECTORY && i->type != IMAGE_SUBVOLUME)
                return error_set(e, -EOPNOTSUPP, "image '%s' is a %s image, not a directory tree: export it with export-raw", i->name,
                                 image_type_to_string(i->type));
        if (!frozen && (r = image_store_lock_idle(i, true, "export", &lock, e)) < 0)
                return r;
        if (*i->base) {
                /* An overlay child: the tree a container of it sees, child over base, mounted
                 * read-only in a mount namespace of this process (before any thread starts). */
                if ((r = image_lock_try(IMAGE_LOCK_DIR, i->base, true, &base_lock, e)) < 0) {
                        r = r == -EBUSY ? error_set(e, r, "cannot export image '%s': its base %s: a container runs on it writable; stop it first",
                                                    i->name, i->base)
                                        : error_prefix(e, "cannot export image '%s': its base %s", i->name, i->base);
                        goto out;
                }
                if ((r = image_child_mount(i->path, i->base, e)) < 0)
                        goto out;
                root = IMAGE_MOUNT_ROOT;
        }
        prefix = strlen(root);
        if (!(w = writer_new(fd, c, false, e))) {
                r = e->code;
                goto out;
        }
        d = archive_read_disk_new();
        links = archive_entry_linkresolver_new();
        if (!d || !links) {
                r = error_set(e, -ENOMEM, "out of memory");
                goto out;
        }
        archive_entry_linkresolver_set_strategy(links, archive_format(w));
        /* Numeric owners only: the names are the container's, not the host's. */
        archive_read_disk_set_symlink_physical(d);
        archive_read_disk_set_behavior(d, ARCHIVE_READDISK_NO_TRAVERSE_MOUNTS | ARCHIVE_READDISK_NO_FFLAGS);
        if (archive_read_disk_open(d, root) != ARCHIVE_OK) {
                r = error_set(e, -EIO, "cannot read %s: %s", root, archive_error_string(d));
                goto out;
        }
        for (;;) {
                char name[4096];
                if (cancelled(io)) {
                        r = error_set(e, -ECANCELED, "cancelled");
                        goto out;
                }
                entry = archive_entry_new();
                if (!entry) {
                        r = error_set(e, -ENOMEM, "out of memory");
                        goto out;
                }
                int k = archive_read_next_header2(d, entry);
                if (k == ARCHIVE_EOF)
                        break;
                const char *path = archive_entry_pathname(entry);
                if (k != ARCHIVE_OK && k != ARCHIVE_WARN) {
                        r = error_set(e, -EIO, "cannot read %s: %s", path ? path : root, archive_error_string(d));
                        goto out;
                }
                archive_read_disk_descend(d);
                if (archive_entry_filetype(entry) == AE_IFSOCK) {
                        archive_entry_free(entry);
                        entry = NULL;
                        continue; /* tar holds no sockets; nothing needs them, as they are re-made */
                }
                /* "/var/lib/machines/NAME/etc" becomes "./etc", the top "." as tar names it */
                snprintf(name, sizeof(name), ".%s", path + MIN(prefix, strlen(path)));
                archive_entry_copy_pathname(entry, name);
                archive_entry_copy_sourcepath(entry, path);
                archive_entry_set_uname(entry, NULL);
                archive_entry_set_gname(entry, NULL);
                archive_entry_linkify(links, &entry, &sparse);
                if (entry) {
                        if (archive_write_header(w, entry) < ARCHIVE_WARN) {
                                r = write_error(w, e);
                                goto out;
                        }
                        if (archive_entry_size(entry) > 0 && (r = copy_data(d, w, path, e)) < 0)
                                goto out;
                        archive_entry_free(entry);
                        entry = NULL;
                }
                if (sparse) {
                        /* A hard-linked file whose data the resolver held back: not with pax */
                        archive_entry_free(sparse);
                        sparse = NULL;
                }
                if (io->progress && ++files % 64 == 0)
                        io->progress(io->userdata, "Exporting", files, 0);
        }
        if (archive_write_close(w) != ARCHIVE_OK) {
                r = write_error(w, e);
                goto out;
        }
        r = 0;
out:
        archive_entry_free(entry);
        if (links)
                archive_entry_linkresolver_free(links);
        if (d)
                archive_read_free(d);
        if (w)
                archive_write_free(w);
        image_unlock(&base_lock);
        image_unlock(&lock);
        return r;
}

int export_raw(const Image *i, int fd, Compression c, const TransferIO *io, bool frozen, Error *e)
{
        ImageLock lock = IMAGE_LOCK_NULL;
        struct archive *w = NULL;
        struct archive_entry *entry = NULL;
        _cleanup_close_ int in = -1;
        char *buf = NULL;
        struct stat st;
        uint64_t done = 0, size;
        int r;
        if (i->type != IMAGE_RAW && i->type != IMAGE_BLOCK)
                return error_set(e, -EOPNOTSUPP, "image '%s' is a %s, not a raw disk image: export it with export-tar", i->name,
                                 image_type_to_string(i->type));
        if (!frozen && (r = image_store_lock_idle(i, true, "export", &lock, e)) < 0)
                return r;
        in = open(i->path, O_RDONLY | O_CLOEXEC);
        if (in < 0 || fstat(in, &st) < 0) {
                r = error_set_errno(e, negative_errno(), "cannot open %s", i->path);
                goto out;
        }
        size = S_ISBLK(st.st_mode) ? 0 : (uint64_t)st.st_size;
        if (S_ISBLK(st.st_mode) && (size = (uint64_t)lseek(in, 0, SEEK_END)) == (uint64_t)-1) {
                r = error_set_errno(e, negative_errno(), "cannot find the size of %s", i->path);
                goto out;
        }
        lseek(in, 0, SEEK_SET);
        if (!(w = writer_new(fd, c, true, e)) || !(entry = archive_entry_new()) || !(buf = malloc(BLOCK))) {
                r = e->code ? e->code : error_set(e, -ENOMEM, "out of memory");
                goto out;
        }
        archive_entry_set_pathname(entry, path_basename(i->path));
        archive_entry_set_filetype(entry, AE_IFREG);
        archive_entry_set_size(entry, (la_int64_t)size);
        if (archive_write_header(w, entry) != ARCHIVE_OK) {
                r = write_error(w, e);
                goto out;
        }
        for (;;) {
                if (cancelled(io)) {
                        r = error_set(e, -ECANCELED, "cancelled");
                        goto out;
                }
                ssize_t n = read(in, buf, BLOCK);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0) {
                        r = error_set_errno(e, negative_errno(), "cannot read %s", i->path);
                        goto out;
                }
                if (n == 0)
                        break;
                if (archive_write_data(w, buf, (size_t)n) < 0) {
                        r = write_error(w, e);
                        goto out;
                }
                done += (uint64_t)n;
                if (io->progress)
                        io->progress(io->userdata, "Exporting", done, size);
        }
        if (archive_write_close(w) != ARCHIVE_OK) {
                r = write_error(w, e);
                goto out;
        }
        r = 0;
out:
        free(buf);
        archive_entry_free(entry);
        if (w)
                archive_write_free(w);
        image_unlock(&lock);
        return r;
}
