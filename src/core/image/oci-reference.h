/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The pure parts of OCI images: references as users type them, platforms, digests and
 * whiteout names.  Unit-tested and fuzzed; nothing here touches a file or the network. */

#define OCI_DIGEST_MAX 72 /* "sha256:" and 64 hex digits, with room */

typedef struct OciReference {
        char registry[256];          /* "docker.io", "ghcr.io", "localhost:5000" */
        char repository[256];        /* "library/debian", "org/app" */
        char tag[129];               /* "latest" when neither tag nor digest is given; "" with a digest alone */
        char digest[OCI_DIGEST_MAX]; /* "sha256:..." or "" */
} OciReference;

/* Parses a reference as docker, podman and skopeo take it: [REGISTRY/]PATH[:TAG][@DIGEST].
 * The first component is a registry when it holds "." or ":" or is "localhost"; else the
 * registry is docker.io, where a one-component path gets "library/".  "index.docker.io" is
 * docker.io.  A "docker://" prefix is accepted.  Refused, with the reason in *why: an empty or
 * too long name, upper case or other characters the grammar has not in the path, a bad tag,
 * a digest that is not sha256 with 64 lower-case hex digits. */
int oci_reference_parse(const char *s, OciReference *ret, const char **why);
/* "docker.io/library/debian:12", "ghcr.io/org/app@sha256:...", or with both. */
void oci_reference_format(const OciReference *r, char *buf, size_t size);
/* The host the API is asked at: registry-1.docker.io for docker.io, else the registry. */
const char *oci_reference_api_host(const OciReference *r);
/* The image name a pull gets when none is given: the path's last component. */
int oci_reference_image_name(const OciReference *r, char *buf, size_t size);

typedef struct OciPlatform {
        char os[32], architecture[32], variant[32];
} OciPlatform;

/* "linux/arm64", "linux/arm/v7", "arm64" (os linux).  -EINVAL on anything else. */
int oci_platform_parse(const char *s, OciPlatform *ret);
/* This machine's, in Go's names (x86_64 is amd64, aarch64 is arm64, ...). */
void oci_platform_host(OciPlatform *ret);
void oci_platform_format(const OciPlatform *p, char *buf, size_t size);
/* Whether an index entry's platform fits want: the same os and architecture, and the same
 * variant where want names one (arm64's "v8" and arm's "v7" are what none means). */
bool oci_platform_matches(const OciPlatform *want, const char *os, const char *architecture, const char *variant);

/* "sha256:" and 64 lower-case hex digits. */
bool oci_digest_is_valid(const char *digest);

typedef enum OciWhiteout {
        OCI_WHITEOUT_NONE,   /* an ordinary member */
        OCI_WHITEOUT_FILE,   /* ".wh.NAME": NAME of the layers below goes */
        OCI_WHITEOUT_OPAQUE, /* ".wh..wh..opq": what the layers below have in the directory goes */
        OCI_WHITEOUT_META,   /* ".wh..wh.*" of AUFS (plnk, aufs): skipped */
} OciWhiteout;

/* What the last component base of a layer member means; for OCI_WHITEOUT_FILE, *ret_name
 * is the name it removes (valid: not "", "." or ".."; else OCI_WHITEOUT_NONE is not
 * returned but -EINVAL). */
int oci_whiteout(const char *base, const char **ret_name);
