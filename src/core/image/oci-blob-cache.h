/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>

#include "error.h"

/* The blobs of OCI images (layers, configs) that pull-oci and import-oci fetched, shared by
 * every image made from them and kept to resume or repeat a pull: one file per blob, named by
 * its SHA-256, in OCI_BLOB_CACHE/sha256.  A download in progress is HEX.partial, locked
 * (flock) by the pull that writes it; a blob gets its name only once its digest is checked.
 * An image does not need its blobs once it is made, so clean may take them all. */
#define OCI_BLOB_CACHE "/var/cache/corral/blobs"

/* The directory of sha256 blobs, made (0700) where missing. */
int oci_cache_open(Error *e);
/* Removes every blob and partial download no running pull holds.  The files and bytes
 * removed go to *ret_files and *ret_bytes. */
int oci_cache_clean(uint64_t *ret_files, uint64_t *ret_bytes, Error *e);
