/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <linux/loop.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/fs.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "partition-table.h"
#include "raw-image.h"
#include "strv.h"

#define HEAD_SIZE (1024 * 1024) /* enough for a GPT header and 128 entries at 4096 bytes a sector */

bool raw_image_have_verity(void)
{
        return access("/dev/mapper/control", F_OK) == 0 || access("/sys/module/dm_verity", F_OK) == 0;
}

/* A loop device over size bytes of file from offset (size 0: to the end): its fd, which must
 * stay open until it is mounted (autoclear clears it at its last close), and its name in dev. */
static int loop_attach(int file, uint64_t offset, uint64_t size, bool read_only, char dev[static 32], Error *e)
{
        _cleanup_close_ int ctl = open("/dev/loop-control", O_RDWR | O_CLOEXEC);
        if (ctl < 0)
                return error_set_errno(e, negative_errno(), "cannot open /dev/loop-control (the kernel's loop driver is needed for -i)");
        /* Another program may take the free device first: then the next one. */
        for (int attempt = 0; attempt < 64; attempt++) {
                int n = ioctl(ctl, LOOP_CTL_GET_FREE);
                if (n < 0)
                        return error_set_errno(e, negative_errno(), "cannot get a free loop device");
                snprintf(dev, 32, "/dev/loop%d", n);
                int fd = open(dev, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
                if (fd < 0)
                        return error_set_errno(e, negative_errno(), "cannot open %s", dev);
                struct loop_config c = {
                        .fd = (uint32_t)file,
                        .info = {.lo_offset = offset, .lo_sizelimit = size, .lo_flags = LO_FLAGS_AUTOCLEAR | (read_only ? LO_FLAGS_READ_ONLY : 0)},
                };
                if (ioctl(fd, LOOP_CONFIGURE, &c) == 0)
                        return fd;
                int r = negative_errno();
                close(fd);
                if (r != -EBUSY)
                        return error_set_errno(e, r, "cannot set up %s", dev);
        }
        return error_set(e, -EBUSY, "cannot get a free loop device: every one was taken");
}

/* Mounts dev at target (a path or /proc/self/fd/N), trying the file systems an OS image has:
 * -EMEDIUMTYPE when none takes it. */
static int mount_fs(const char *dev, const char *target, bool read_only)
{
        static const char *const types[] = {"ext4", "btrfs", "xfs", "erofs", "squashfs", "vfat", NULL};
        for (const char *const *t = types; *t; t++) {
                unsigned long flags = read_only || streq(*t, "erofs") || streq(*t, "squashfs") ? MS_RDONLY : 0;
                if (mount(dev, target, *t, flags, NULL) == 0)
                        return 0;
                /* EINVAL: not this file system; ENODEV: the kernel has no such driver */
                if (errno != EINVAL && errno != ENODEV)
                        return negative_errno();
        }
        return -EMEDIUMTYPE;
}

/* p NULL: the whole image is one file system. */
static int mount_partition(int file, const char *image, const Partition *p, bool read_only, const char *target, const char *what, Error *e)
{
        char dev[32], name[64];
        bool ro = read_only || (p && (p->flags & GPT_FLAG_READ_ONLY));
        _cleanup_close_ int loop = loop_attach(file, p ? p->offset : 0, p ? p->size : 0, ro, dev, e);
        if (loop < 0)
                return loop;
        if (p)
                snprintf(name, sizeof(name), "%s partition (number %u)", what, p->number);
        else
                snprintf(name, sizeof(name), "%s", what);
        /* From here the mount holds the device; unmounted (or never mounted), it is cleared at
         * our close. */
        int r = mount_fs(dev, target, ro);
        if (r == -EMEDIUMTYPE)
                return error_set(e, r, "-i: %s: the %s has no file system this kernel can mount (tried ext4, btrfs, xfs, erofs, squashfs, vfat)",
                                 image, name);
        if (r < 0)
                return error_set_errno(e, r, "-i: %s: cannot mount the %s (%s)", image, name, dev);
        return 0;
}

static bool dir_is_empty(int fd)
{
        int dup = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        DIR *d = dup >= 0 ? fdopendir(dup) : NULL;
        struct dirent *de;
        bool empty = d != NULL;
        while (d && (de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        empty = false;
                        break;
                }
        if (d)
                closedir(d);
        else if (dup >= 0)
                close(dup);
        return empty;
}

static int mount_image(const char *image, const char *where, bool read_only, char ***warnings, Error *e)
{
        PartitionTable *t = NULL;
        const Partition *picked[_PARTITION_MAX] = {0};
        const char *why = NULL;
        struct stat st;
        size_t need = HEAD_SIZE;
        uint8_t *head = NULL;
        _cleanup_close_ int root = -1;
        int r;
        _cleanup_close_ int file = open(image, (read_only ? O_RDONLY : O_RDWR) | O_CLOEXEC);
        if (file < 0 && !read_only && (errno == EROFS || errno == EACCES)) {
                file = open(image, O_RDONLY | O_CLOEXEC);
                read_only = file >= 0;
        }
        if (file < 0)
                return error_set_errno(e, negative_errno(), "-i: cannot open the disk image %s", image);
        if (fstat(file, &st) < 0)
                return error_set_errno(e, negative_errno(), "-i: cannot look at %s", image);
        uint64_t disk_size = (uint64_t)st.st_size;
        if (S_ISBLK(st.st_mode) && ioctl(file, BLKGETSIZE64, &disk_size) < 0)
                return error_set_errno(e, negative_errno(), "-i: cannot get the size of %s", image);
        if (!S_ISREG(st.st_mode) && !S_ISBLK(st.st_mode))
                return error_set(e, -EINVAL, "-i: %s is not a disk image (a regular file or a block device)", image);
        if (!(t = calloc(1, sizeof(*t)))) {
                r = error_set(e, -ENOMEM, "out of memory");
                goto out;
        }
        /* The table names how much of the disk holds its entries: read that much. */
        for (int pass = 0; pass < 2; pass++) {
                free(head);
                need = MIN((uint64_t)need, disk_size);
                if (!(head = malloc(need ? need : 1))) {
                        r = error_set(e, -ENOMEM, "out of memory");
                        goto out;
                }
                ssize_t n = pread(file, head, need, 0);
                if (n < 0) {
                        r = error_set_errno(e, negative_errno(), "-i: cannot read %s", image);
                        goto out;
                }
                r = partition_table_parse(head, (size_t)n, disk_size, 512, t, &need, &why);
                if (r != -ENOBUFS)
                        break;
        }
        if (r < 0) {
                r = error_set(e, r, "-i: %s: the partition table is damaged: %s", image, why ? why : strerror(-r));
                goto out;
        }
        if (t->kind == TABLE_NONE) {
                r = mount_partition(file, image, NULL, read_only, where, "image", e);
                goto out;
        }
        if ((r = partition_table_pick(t, picked, &why)) < 0) {
                r = error_set(e, r, "-i: %s: %s", image, why ? why : "no root partition");
                goto out;
        }
        if ((r = mount_partition(file, image, picked[PARTITION_ROOT], read_only, where, "root", e)) < 0)
                goto out;

        /* The others, below the root, where the specification puts them. */
        static const struct {
                PartitionDesignator d;
                const char *path;
        } others[] = {
                {PARTITION_HOME, "/home"}, {PARTITION_SRV, "/srv"}, {PARTITION_VAR, "/var"}, {PARTITION_TMP, "/var/tmp"}, {PARTITION_ESP, NULL},
        };
        root = open(where, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0) {
                r = error_set_errno(e, negative_errno(), "-i: cannot open the mounted root %s", where);
                goto out;
        }
        for (size_t k = 0; k < ELEMENTSOF(others); k++) {
                const Partition *p = picked[others[k].d];
                const char *path = others[k].path;
                char fdp[FD_PATH_MAX], *w = NULL;
                Error e2 = {0};
                if (!p)
                        continue;
                if (!path) {
                        /* The ESP: /efi, or /boot where the tree has it and it is empty, as nspawn */
                        _cleanup_close_ int boot = open_in_root(root, "/boot", O_RDONLY | O_DIRECTORY, 0);
                        struct stat efi;
                        path = "/efi";
                        if (fstatat(root, "efi", &efi, AT_SYMLINK_NOFOLLOW) < 0 && boot >= 0 && dir_is_empty(boot))
                                path = "/boot";
                }
                /* Resolved in the image, whose links cannot lead out of it. */
                _cleanup_close_ int target = read_only ? open_in_root(root, path, O_PATH | O_DIRECTORY, 0) : mkdir_p_in_root(root, path, 0755);
                if (target < 0) {
                        if (asprintf(&w, "%s: the %s partition %u is not mounted: %s has no directory %s", image,
                                     partition_designator_to_string(others[k].d), p->number, image, path) >= 0)
                                strv_push(warnings, w);
                        continue;
                }
                if (mount_partition(file, image, p, read_only, fd_path(target, fdp), partition_designator_to_string(others[k].d), &e2) < 0) {
                        if (others[k].d != PARTITION_ESP) {
                                r = error_set(e, e2.code, "%s", e2.msg);
                                goto out;
                        }
                        /* The ESP is not needed to run the tree */
                        if (asprintf(&w, "%s (the container runs without it)", e2.msg) >= 0)
                                strv_push(warnings, w);
                }
        }
        r = 0;
out:
        free(head);
        free(t);
        return r;
}

int raw_image_mount(const char *image, bool read_only, char ***warnings, Error *e)
{
        int r;
        if ((r = image_mount_namespace(image, e)) < 0)
                return r;
        return mount_image(image, RAW_IMAGE_ROOT, read_only, warnings, e);
}
