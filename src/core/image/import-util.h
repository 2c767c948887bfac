/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>

/* The pure parts of transfers: names, compression suffixes, URLs and SHA256SUMS files.
 * Unit-tested and fuzzed; nothing here touches a file. */

typedef enum Compression {
        COMPRESSION_NONE,
        COMPRESSION_XZ,
        COMPRESSION_GZIP,
        COMPRESSION_BZIP2,
        COMPRESSION_ZSTD,
        _COMPRESSION_MAX,
        COMPRESSION_INVALID = -1,
} Compression;

/* --verify=: "no", "checksum", "signature" */
typedef enum ImportVerify {
        IMPORT_VERIFY_NO,
        IMPORT_VERIFY_CHECKSUM,
        IMPORT_VERIFY_SIGNATURE,
        _IMPORT_VERIFY_MAX,
        IMPORT_VERIFY_INVALID = -1,
} ImportVerify;

ImportVerify import_verify_from_string(const char *s);

/* machinectl's --format= names: "uncompressed", "xz", "gzip", "bzip2", "zstd". */
const char *compression_to_string(Compression c);
Compression compression_from_string(const char *s);
/* By the file name's suffix (".tar.xz", ".txz", ".raw.gz", ".zst", ...); none: uncompressed. */
Compression compression_from_path(const char *path);

/* The image name a transfer of path_or_url gets when none is given, as machinectl derives it:
 * the last component (for a URL, without query and fragment), stripped of its archive or raw
 * image and compression suffixes.  -EINVAL when what is left is not a valid image name. */
int import_name_from(const char *path_or_url, bool raw, char *buf, size_t size);

/* An http:// or https:// URL with a host and no whitespace or control characters. */
bool http_url_is_valid(const char *url);
/* The URL of file in the same directory as url (SHA256SUMS beside the image), newly
 * allocated; NULL for an invalid URL or no memory. */
char *url_sibling(const char *url, const char *file);
/* The last path component of url, without query and fragment, in buf. */
int url_file_name(const char *url, char *buf, size_t size);

/* The SHA-256 that a SHA256SUMS text (sha256sum's output: "HEX  NAME" or "HEX *NAME" per line)
 * gives for file: 64 lower-case hex digits into hex.  -ENOENT when the file has no line,
 * -EBADMSG when its line is malformed, -ENOTUNIQ when two lines disagree. */
int sha256sums_find(const char *text, size_t size, const char *file, char hex[static 65]);
