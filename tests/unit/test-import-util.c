/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Transfers' pure parts: image names from files and URLs, compression suffixes, URLs, and
 * SHA256SUMS lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "import-util.h"
#include "tap.h"

static void name_is(const char *from, bool raw, const char *want)
{
        char buf[256];
        int r = import_name_from(from, raw, buf, sizeof(buf));
        if (!want)
                CHECK(r == -EINVAL, "no name from \"%s\"", from);
        else
                CHECK(r == 0 && strcmp(buf, want) == 0, "\"%s\" gives \"%s\" (got %d \"%s\")", from, want, r, r == 0 ? buf : "");
}

#define A64 "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define B64 "BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB"

static int sums(const char *text, const char *file, char hex[65])
{
        return sha256sums_find(text, strlen(text), file, hex);
}

TEST(local_names_from_paths_and_urls)
{
        name_is("rootfs.tar.xz", false, "rootfs");
        name_is("/srv/images/debian-12.tgz", false, "debian-12");
        name_is("https://example.com/x/fedora.tar.zst?token=1#frag", false, "fedora");
        name_is("a.tar.gz.tar", false, "a");
        name_is("disk.raw.xz", true, "disk");
        name_is("vm.qcow2.gz", true, "vm");
        name_is("https://h/os.img", true, "os");
        name_is("plain", false, "plain");
        name_is(".tar.xz", false, NULL);
        name_is(".hidden.tar", false, NULL);
}

TEST(compression)
{
        CHECK(compression_from_path("a.tar.xz") == COMPRESSION_XZ, "xz by suffix");
        CHECK(compression_from_path("a.tgz") == COMPRESSION_GZIP, "tgz");
        CHECK(compression_from_path("a.raw.zst") == COMPRESSION_ZSTD, "zst");
        CHECK(compression_from_path("a.tar.bz2") == COMPRESSION_BZIP2, "bz2");
        CHECK(compression_from_path("a.tar") == COMPRESSION_NONE, "none");
        CHECK(compression_from_string("uncompressed") == COMPRESSION_NONE && compression_from_string("zstd") == COMPRESSION_ZSTD, "--format= names");
        CHECK(compression_from_string("lzip") == COMPRESSION_INVALID, "an unknown format");
        CHECK_STREQ(compression_to_string(COMPRESSION_GZIP), "gzip", "gzip's name");
}

TEST(urls)
{
        CHECK(http_url_is_valid("http://127.0.0.1:8080/a.tar"), "http");
        CHECK(http_url_is_valid("https://example.com/a.tar"), "https");
        CHECK(!http_url_is_valid("ftp://example.com/a.tar"), "not ftp");
        CHECK(!http_url_is_valid("file:///etc/passwd"), "not file");
        CHECK(!http_url_is_valid("http:///a"), "a host is needed");
        CHECK(!http_url_is_valid("http://h/a b"), "no spaces");
        char *s = url_sibling("https://h/dir/a.tar.xz?x=1", "SHA256SUMS");
        CHECK(s && strcmp(s, "https://h/dir/SHA256SUMS") == 0, "the sibling of a file: %s", s ? s : "(null)");
        free(s);
        s = url_sibling("https://h/a.tar", "SHA256SUMS.gpg");
        CHECK(s && strcmp(s, "https://h/SHA256SUMS.gpg") == 0, "at the top");
        free(s);
        CHECK(url_sibling("https://h", "x") == NULL, "a URL without a path has no sibling");
        char file[64];
        CHECK(url_file_name("https://h/d/x.raw?y#z", file, sizeof(file)) == 0 && strcmp(file, "x.raw") == 0, "the file name of a URL");
}

TEST(sha256sums)
{
        char hex[65];
        CHECK(sums(A64 "  a.tar.xz\n" B64 " *b.raw\n", "a.tar.xz", hex) == 0 && strcmp(hex, A64) == 0, "a text-mode line");
        CHECK(sums(A64 "  a.tar.xz\n" B64 " *b.raw\n", "b.raw", hex) == 0 && strncmp(hex, "bbbb", 4) == 0, "a binary-mode line, lower-cased");
        CHECK(sums(A64 "  a.tar.xz\r\n", "a.tar.xz", hex) == 0, "CRLF");
        CHECK(sums(A64 "  xa.tar.xz\n", "a.tar.xz", hex) == -ENOENT, "a name that only ends the same");
        CHECK(sums(A64 "  a.tar.xz.sig\n", "a.tar.xz", hex) == -ENOENT, "a longer name");
        CHECK(sums("", "a", hex) == -ENOENT, "empty");
        CHECK(sums("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz  a\n", "a", hex) == -EBADMSG, "not hex");
        CHECK(sums(A64 "  a\n" B64 "  a\n", "a", hex) == -ENOTUNIQ, "two digests for one file");
        CHECK(sums(A64 "  a\n" A64 "  a\n", "a", hex) == 0, "the same line twice");
        CHECK(sums(A64 "  a", "a", hex) == 0, "no final newline");
}

TAP_MAIN
