/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "error.h"

/* Overlay child images.  A child is a directory that holds only its changes over a base
 * directory tree: overlayfs's upper layer.  Beside it, .#NAME.corral-child names the base
 * ("lower=PATH") and .#NAME.corral-work is overlayfs's work directory.  corral mounts base
 * and child as one tree; the base is only read.  Made with corralctl create-child, or with
 * nspawn's --template. */

/* 1 and the base and work directory of a child, 0 for any other image. */
int image_child_read(const char *image, char **ret_lower, char **ret_work);
/* Makes image (which must not exist) a child of lower. */
int image_child_create(const char *image, const char *lower, Error *e);
/* Makes the existing directory image a child of lower: its work directory and record. */
int image_child_attach(const char *image, const char *lower, Error *e);
/* Removes the record and work directory of image (0 when it has none). */
int image_child_detach(const char *image);

/* The layer of a child that holds path (absolute in the tree): the child if it has path or a
 * whiteout of it, else the base.  For reading a file of the tree without mounting it. */
const char *image_child_layer(const char *child, const char *lower, const char *path);

/* Moves into a mount namespace of its own (a slave of the one it was in) and mounts child
 * over lower there, read-only, at IMAGE_MOUNT_ROOT: the tree a container of the child sees. */
int image_child_mount(const char *child, const char *lower, Error *e);

/* What a child hides of its base. */
typedef enum ShadowKind {
        SHADOW_SAME,       /* a copy the same as the base's file (data, owner, mode, xattrs) */
        SHADOW_CHANGED,    /* changed in the child after the base's file last changed */
        SHADOW_BASE_NEWER, /* the base's file changed after the child's copy did */
        SHADOW_DELETED,    /* deleted in the child */
        SHADOW_REPLACED,   /* a directory the child replaced as a whole, or another file type */
        _SHADOW_KIND_MAX,
} ShadowKind;

const char *shadow_kind_to_string(ShadowKind k);

typedef struct Shadow {
        char *path; /* absolute in the tree */
        ShadowKind kind;
        mode_t child_type, base_type;            /* S_IFMT bits; child_type 0 for SHADOW_DELETED */
        struct timespec child_ctime, base_ctime; /* when each last changed */
} Shadow;

/* Every entry of the child that hides one of the base, at, below or above (a directory
 * replaced as a whole) any of paths, or all with paths NULL; sorted by path. */
int image_child_shadows(const char *child, const char *lower, char *const *paths, Shadow **ret, size_t *ret_n, Error *e);
void shadows_free(Shadow *s, size_t n);

/* Removes the child's copies and deletions of the base's files at and below each of paths, so
 * that the base's show through.  Each path must be such an entry or hold some, else nothing
 * is removed; the child's own files are never removed, nor its /etc/machine-id (its identity:
 * the base's would give two machines one ID), which a path naming it is refused for and one
 * holding it keeps.  done() is told of each one removed (dropped) or kept. */
int image_child_drop(const char *child, const char *lower, char *const *paths, void (*done)(const Shadow *s, bool dropped, void *userdata),
                     void *userdata, Error *e);
