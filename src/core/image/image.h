/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "error.h"

/* Where nspawn looks for -M NAME, in order. */
extern const char *const image_search_path[];

/* Finds the image of a machine name: 0 and its directory, or 1 and its NAME.raw disk image. */
int image_find(const char *name, char **ret_path, Error *e);
/* The machine name nspawn derives from a directory: its last component, cleaned up to be a valid
 * hostname.  "host" for "/". */
int image_name_from_path(const char *path, char **ret);
/* The directories of trusted settings files, in nspawn's order (NULL-terminated). */
extern const char *const settings_trusted_dirs[];
/* The settings file for a machine, as nspawn finds it; *ret_path NULL if there is none. */
int settings_file_find(const char *name, const char *image, char **ret_path, bool *ret_trusted, Error *e);
/* Refuses trees that are not OS trees: --boot wants an os-release file, anything else /usr. */
int image_check_os_tree(const char *path, bool boot, Error *e);
/* The text of the tree's os-release: /etc/os-release, else /usr/lib/os-release, links resolved
 * inside the tree. */
int image_read_os_release(const char *tree, char **ret_text);
/* The value of key in os-release text, unquoted (NULL if it has none, or out of memory). */
char *os_release_value(const char *text, const char *key);
/* Reads /etc/machine-id of the tree: 1 and the id, 0 if missing, empty or "uninitialized". */
int image_read_machine_id(const char *root, uint8_t ret[static 16], Error *e);

/* Where an image that is not a plain directory (a raw image, an overlay child) is mounted for
 * reading it: the same directory for every process, each mounting on it in a mount namespace
 * of its own. */
#define IMAGE_MOUNT_ROOT "/run/corral/image-root"
/* Moves the calling process into a mount namespace of its own, a slave of the one it was in,
 * with IMAGE_MOUNT_ROOT made. */
int image_mount_namespace(const char *image, Error *e);

/* Where the image and machine name locks are. */
#define IMAGE_LOCK_DIR "/run/corral/locks"

typedef struct ImageLock {
        int fd;
        char *path;
} ImageLock;
#define IMAGE_LOCK_NULL ((ImageLock){.fd = -1})
/* Takes the lock on an image tree (shared for read-only use) and on a machine name. */
int image_lock(const char *lock_dir, const char *image, bool shared, ImageLock *ret, Error *e);
/* The same for a caller that says itself who holds a busy lock: -EBUSY then comes without a
 * message; other errors have theirs. */
int image_lock_try(const char *lock_dir, const char *image, bool shared, ImageLock *ret, Error *e);
int machine_name_lock(const char *lock_dir, const char *name, ImageLock *ret, Error *e);
/* The lock corralctl start holds from its look at the registry until the machine is ready or
 * has failed, so concurrent starts of one name take turns; -EBUSY while another holds it. */
int machine_start_lock(const char *lock_dir, const char *name, ImageLock *ret);
void image_unlock(ImageLock *l);
