/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"
#include "image-store.h"
#include "import-util.h"
#include "oci-reference.h"

/* Transfers into and out of the image store, as machinectl's import-*, export-* and pull-*
 * do them through importd, here in the calling process.  Each is atomic: the new image is made
 * under a temporary ".#" name in /var/lib/machines and renamed into place only when it is
 * whole, so a failed, cancelled or unverifiable transfer leaves nothing. */

typedef struct TransferIO {
        /* Set (from a signal handler): the transfer stops, removes what it made, -ECANCELED. */
        volatile sig_atomic_t *cancel;
        /* Called often (the callee throttles): what is being done, bytes done, bytes in all
         * (0: unknown). */
        void (*progress)(void *userdata, const char *what, uint64_t done, uint64_t total);
        void *userdata;
} TransferIO;

typedef struct ImportOptions {
        bool force;     /* replace an image of that name (refused while a container runs on it) */
        bool read_only; /* mark the new image read-only */
        TransferIO io;
} ImportOptions;

/* Whether an image name can take an import: valid, and no image of the name unless force.
 * Checked before anything is read, and again when the image is moved into place. */
int import_check_name(const char *name, bool force, Error *e);

/* A tar archive (uncompressed, xz, gzip, bzip2 or zstd) read from fd becomes the directory
 * image name, with owners, modes, device nodes, times, xattrs, ACLs and file capabilities.
 * A member that would land outside the image (absolute, "..", through a symbolic link,
 * a hard link out of it) is refused and the import fails. */
int import_tar(int fd, const char *name, const ImportOptions *o, Error *e);
/* Layer k of n: an fd to read it from (the caller's, left open), when it is there; a
 * negative errno with e set when it will not be. */
typedef int (*LayerGet)(void *userdata, size_t k, int *ret_fd, Error *e);
/* The layers of an OCI image (tar archives, gzip, zstd or uncompressed), taken from get in
 * order (total: their bytes, for the progress), become the directory image name, as import_tar() makes one: each layer over the ones
 * before, with its whiteouts (".wh.NAME"), opaque directories (".wh..wh..opq") and AUFS'
 * bookkeeping files applied, not copied.  With settings, it is written as NAME.nspawn beside
 * the image (and with force, an old NAME.nspawn goes when there is none). */
int import_layers(size_t n, uint64_t total, LayerGet get, void *userdata, const char *name, const char *settings, const ImportOptions *o, Error *e);
/* A tar archive read from fd extracted into the directory root as import_tar() does, with
 * the same rules; for what import-oci reads out of an archive. */
int import_extract(int root, int fd, const TransferIO *io, Error *e);
/* A raw disk image, compressed or not, read from fd becomes name.raw, sparse. */
int import_raw(int fd, const char *name, const ImportOptions *o, Error *e);
/* A copy of the directory tree dir becomes the image name. */
int import_fs(const char *dir, const char *name, const ImportOptions *o, Error *e);

/* The image as a tar archive (ownership numeric, xattrs, ACLs, file capabilities, hard links,
 * sparse files) to fd, compressed as asked.  Refused while a container runs on it writable,
 * unless frozen: the caller froze every container running on it (and synced its file
 * system), so that the copy is consistent. */
int export_tar(const Image *i, int fd, Compression c, const TransferIO *io, bool frozen, Error *e);
/* A raw image's bytes to fd, compressed as asked; frozen as for export_tar(). */
int export_raw(const Image *i, int fd, Compression c, const TransferIO *io, bool frozen, Error *e);

/* Where --verify=signature finds its keys: the first of these that exists. */
extern const char *const import_keyrings[];

/* Downloads url (http or https) and imports it as import_tar() or import_raw() do.  With
 * verify, the SHA256SUMS file beside url must list the download with its digest, and with
 * IMPORT_VERIFY_SIGNATURE its signature SHA256SUMS.gpg must be good for a key of the keyring.
 * A settings file NAME.nspawn beside the image is fetched too, where there is one, and
 * checked the same way. */
int pull_image(const char *url, const char *name, bool raw, ImportVerify verify, const ImportOptions *o, Error *e);

/* What pull-oci and import-oci made an image from. */
typedef struct OciImageInfo {
        char digest[OCI_DIGEST_MAX]; /* the manifest's (a docker archive's: the config's) */
        char platform[96];
        size_t layers;
        uint64_t bytes; /* the layers' */
} OciImageInfo;

/* Pulls the image reference names (docker.io/library/debian:12, ghcr.io/org/app@sha256:...)
 * from its registry over the OCI distribution API into the directory image name: the
 * manifest for platform (NULL: this machine's) of an index, every blob through the cache
 * (OCI_BLOB_CACHE) and checked against its digest, the layers applied in order
 * (import_layers()), the config written as NAME.nspawn (oci_settings_from_config()). */
int pull_oci(const char *reference, const char *name, const OciPlatform *platform, const ImportOptions *o, OciImageInfo *info, Error *e);
/* The same from an OCI image layout (a directory, or its tar: skopeo's oci-archive:, podman
 * save --format oci-archive) or a docker save archive. */
int import_oci(const char *path, const char *name, const OciPlatform *platform, const ImportOptions *o, OciImageInfo *info, Error *e);
/* The image as an OCI image layout of one uncompressed layer: a directory at path, or its tar
 * where path ends in ".tar"; the settings file's [Exec] (Parameters=, Environment=, ...)
 * become the config.  frozen as for export_tar(). */
int export_oci(const Image *i, const char *path, const TransferIO *io, bool frozen, Error *e);
/* The .nspawn file for an image's config (the config blob's JSON text): Parameters= from
 * Entrypoint and Cmd (Boot=yes where that is an init), Environment=, WorkingDirectory=,
 * User=, KillSignal=; the origin, digest, platform, labels and exposed ports as comments.
 * NULL: no memory. */
char *oci_settings_from_config(const char *config_text, const char *origin, const char *digest, const char *platform);
