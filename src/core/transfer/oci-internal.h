/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* What oci.c (images: manifests, configs, layers, layouts) and oci-registry.c (the
 * distribution API) share. */

#include <stdbool.h>
#include <openssl/evp.h>
#include <stdint.h>

#include "error.h"
#include "import.h"
#include "oci-reference.h"

/* A content descriptor of a manifest or an index */
typedef struct Descriptor {
        char media_type[128];
        char digest[OCI_DIGEST_MAX];
        uint64_t size;
} Descriptor;

typedef struct Registry {
        OciReference ref;
        char scheme[8]; /* "https", or "http" for a loopback registry without TLS */
        char *bearer;   /* the token the registry's realm gave */
        char *basic;    /* "user:password" from an auth file */
        bool use_basic; /* the registry asked for basic authentication */
        char auth_file[1024];
        char ca_file[1024]; /* "": the system's CAs */
        int ca_fd;
        char client_cert[1024], client_key[1024];
        const TransferIO *io;
} Registry;

/* The login and CAs for ref's registry gathered; nothing is asked yet. */
int registry_open(Registry *r, const OciReference *ref, const TransferIO *io, Error *e);
void registry_done(Registry *r);
/* The manifest or index reference (a tag or a digest) names, its media type as the server
 * says it.  The caller checks its digest. */
int registry_manifest(Registry *r, const char *reference, char **ret, size_t *ret_size, char *ret_type, size_t type_size, Error *e);
/* The blob d, from the cache (cache: its sha256 directory) or downloaded into it (resumed
 * where a partial download is), checked against its digest: an fd to read it.  Progress is
 * reported as what, counted from progress_base of progress_total. */
int registry_blob(Registry *r, int cache, const Descriptor *d, uint64_t progress_base, uint64_t progress_total, const char *what, int *ret_fd,
                  Error *e);

/* "sha256:HEX" of what sha hashed. */
void oci_digest_final(EVP_MD_CTX *sha, char digest[static OCI_DIGEST_MAX]);
/* The digest of what fd holds (read from the start, its offset left alone) and its size. */
int oci_digest_of_fd(int fd, char digest[static OCI_DIGEST_MAX], uint64_t *ret_size);
