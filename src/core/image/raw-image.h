/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>

#include "error.h"
#include "image.h"

/* Where a raw image is mounted (see image.h). */
#define RAW_IMAGE_ROOT IMAGE_MOUNT_ROOT

/* Raw disk images for -i/--image: a plain file system, an MBR disk with one Linux partition,
 * or a GPT disk whose partitions follow the Discoverable Partitions Specification
 * (core/partition-table.c).  Each partition gets a loop device of its own, set up directly
 * through /dev/loop-control with the partition's offset and size (no partition scanning, no
 * udev), with autoclear: it goes when its mount goes.
 *
 * raw_image_mount() moves the calling process into a mount namespace of its own (a slave of
 * the one it was in) and mounts the root at RAW_IMAGE_ROOT there, and home, srv, var, tmp (at
 * /var/tmp) and the ESP (at /efi, or /boot where the tree has an empty one) below it: the
 * mounts, and with them the loop devices, end with that namespace, however the process ends.
 * read_only: read-only loop devices and mounts; a GPT partition marked read-only is mounted so
 * anyway.  Problems with the optional partitions (the ESP's vfat, which a kernel may lack) are
 * warnings appended to *warnings. */
int raw_image_mount(const char *image, bool read_only, char ***warnings, Error *e);

/* Whether the kernel can check a --root-hash (dm-verity through device-mapper). */
bool raw_image_have_verity(void);
