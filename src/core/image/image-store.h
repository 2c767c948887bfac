/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "image.h"

/* The image store, as machined keeps it: the directories, btrfs subvolumes, raw disk images
 * (NAME.raw) and block devices (symbolic links to them) in /var/lib/machines and the other
 * directories of image_search_path; a name found in an earlier directory hides the same name
 * in a later one.  Names starting with "." are hidden images, names starting with ".#" are
 * temporary files and never images.  Images below /usr are the vendor's: read-only, and never
 * changed or removed. */

typedef enum ImageType {
        IMAGE_DIRECTORY,
        IMAGE_SUBVOLUME,
        IMAGE_RAW,
        IMAGE_BLOCK,
} ImageType;

const char *image_type_to_string(ImageType t);

#define IMAGE_SIZE_UNKNOWN UINT64_MAX

typedef struct Image {
        char name[256];
        char path[4096];
        ImageType type;
        bool read_only;
        bool vendor;                  /* below /usr */
        uint64_t crtime_us, mtime_us; /* 0: unknown */
        uint64_t usage, limit;        /* bytes, or IMAGE_SIZE_UNKNOWN */
        char base[4096];              /* an overlay child's base directory (image-child.h), else "" */
} Image;

/* An image name: a file name without control characters, not starting with ".#". */
bool image_name_is_valid(const char *name);

/* Every image, sorted by name. */
int image_store_list(Image **ret, size_t *ret_n);
/* The image of name: -ENOENT (e says "No image 'NAME' known") when there is none. */
int image_store_get(const char *name, Image *ret, Error *e);

/* The pool, /var/lib/machines itself, as an image (for set-limit). */
int image_store_pool(Image *ret);

/* A writable copy of the image as new_name in /var/lib/machines, with its settings file: a
 * btrfs snapshot of a subvolume, reflinks where the file system has them, else a copy in the
 * kernel; of an overlay child, another child of the same base with a copy of its changes.
 * Made under a temporary name and renamed into place: a failed clone leaves nothing. */
int image_store_clone(const Image *i, const char *new_name, bool read_only, Error *e);
/* Makes new_name in /var/lib/machines an overlay child of the directory image base, with a
 * copy of base's settings file. */
int image_store_create_child(const Image *base, const char *new_name, Error *e);
/* The overlay children of the directory base in the image directories, as paths (sorted,
 * NULL-terminated, for strv_free()). */
int image_store_children(const char *base, char ***ret);

/* Renames the image in its directory, and its settings files with it (an overlay child's
 * record too; a base's children follow it). */
int image_store_rename(const Image *i, const char *new_name, Error *e);
/* Removes the image and its settings files (an overlay child's record too).  Refused while a
 * container runs on it, and for the base of overlay children. */
int image_store_remove(const Image *i, Error *e);
/* The immutable flag of a directory's top, a subvolume's read-only flag, a raw image's write
 * permission: as machined marks them. */
int image_store_set_read_only(const Image *i, bool read_only, Error *e);
/* A btrfs quota on the image's subvolume; a clear error for any other image. */
int image_store_set_limit(const Image *i, uint64_t limit, Error *e);

/* The image's settings files that exist: /etc/systemd/nspawn/NAME.nspawn,
 * /run/systemd/nspawn/NAME.nspawn, and beside the image.  NULL-terminated, for strv_free(). */
char **image_settings_files(const Image *i);

/* The image's lock, taken to know that no container runs on it (with shared: none runs on it
 * writable); else an error "cannot VERB image 'NAME': a container runs on it". */
int image_store_lock_idle(const Image *i, bool shared, const char *verb, ImageLock *ret, Error *e);

/* For transfers, which make an image under a temporary name in the pool and move it into
 * place only when it is whole. */
/* /var/lib/machines, made if missing, opened: an fd or a negative errno. */
int image_store_open_pool(Error *e);
#define IMAGE_TEMP_NAME_MAX 40
/* ".#WHAT-RANDOM": never an image, never a name the store lists. */
void image_store_temp_name(const char *what, char buf[static IMAGE_TEMP_NAME_MAX]);
/* An empty directory for a new image: a btrfs subvolume where the pool is on btrfs. */
int image_store_make_directory(int pool, const char *name);
/* Moves tmp in the pool into place as the image name (name.raw with raw).  An image of that
 * name is replaced with replace (refused while a container runs on it, or when it is the
 * vendor's), else -EEXIST.  With read_only the new image is marked read-only. */
int image_store_install(int pool, const char *tmp, const char *name, bool raw, bool replace, bool read_only, Error *e);
