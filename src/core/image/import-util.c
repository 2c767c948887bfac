/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "image-store.h"
#include "import-util.h"
#include "macro.h"

static const char *const compression_names[_COMPRESSION_MAX] = {
        [COMPRESSION_NONE] = "uncompressed", [COMPRESSION_XZ] = "xz",     [COMPRESSION_GZIP] = "gzip",
        [COMPRESSION_BZIP2] = "bzip2",       [COMPRESSION_ZSTD] = "zstd",
};

ImportVerify import_verify_from_string(const char *s)
{
        static const char *const names[_IMPORT_VERIFY_MAX] = {"no", "checksum", "signature"};
        for (int v = 0; v < _IMPORT_VERIFY_MAX; v++)
                if (streq(s, names[v]))
                        return v;
        return IMPORT_VERIFY_INVALID;
}

const char *compression_to_string(Compression c)
{
        return c >= 0 && c < _COMPRESSION_MAX ? compression_names[c] : NULL;
}

Compression compression_from_string(const char *s)
{
        for (int c = 0; c < _COMPRESSION_MAX; c++)
                if (streq(s, compression_names[c]))
                        return c;
        return COMPRESSION_INVALID;
}

static bool ends_with(const char *s, size_t n, const char *suffix)
{
        size_t k = strlen(suffix);
        return n >= k && strncmp(s + n - k, suffix, k) == 0;
}

static const struct {
        const char *suffix;
        Compression c;
} compression_suffixes[] = {
        {".xz", COMPRESSION_XZ},     {".txz", COMPRESSION_XZ},    {".gz", COMPRESSION_GZIP},
        {".tgz", COMPRESSION_GZIP},  {".bz2", COMPRESSION_BZIP2}, {".tbz2", COMPRESSION_BZIP2},
        {".tbz", COMPRESSION_BZIP2}, {".zst", COMPRESSION_ZSTD},  {".tzst", COMPRESSION_ZSTD},
};

Compression compression_from_path(const char *path)
{
        size_t n = strlen(path);
        for (size_t k = 0; k < ELEMENTSOF(compression_suffixes); k++)
                if (ends_with(path, n, compression_suffixes[k].suffix))
                        return compression_suffixes[k].c;
        return COMPRESSION_NONE;
}

int url_file_name(const char *url, char *buf, size_t size)
{
        size_t end = strcspn(url, "?#");
        while (end > 0 && url[end - 1] == '/')
                end--;
        size_t start = end;
        while (start > 0 && url[start - 1] != '/')
                start--;
        if (end == start)
                return -EINVAL;
        if (end - start >= size)
                return -ENAMETOOLONG;
        memcpy(buf, url + start, end - start);
        buf[end - start] = 0;
        return 0;
}

int import_name_from(const char *path_or_url, bool raw, char *buf, size_t size)
{
        /* As systemd's tar_strip_suffixes() and raw_strip_suffixes(): compression suffixes
         * and the image suffixes, as often as they come. */
        static const char *const tar_suffixes[] = {".tar.xz", ".tar.gz", ".tar.bz2", ".tar.zst", ".txz", ".tgz",
                                                   ".tbz2",   ".tbz",    ".tzst",    ".tar",     NULL};
        static const char *const raw_suffixes[] = {".xz", ".gz", ".bz2", ".zst", ".raw", ".qcow2", ".img", ".bin", NULL};
        int r = url_file_name(path_or_url, buf, size);
        if (r < 0)
                return r;
        for (bool again = true; again;) {
                size_t n = strlen(buf);
                again = false;
                for (const char *const *s = raw ? raw_suffixes : tar_suffixes; *s; s++)
                        if (ends_with(buf, n, *s) && n > strlen(*s)) {
                                buf[n - strlen(*s)] = 0;
                                again = true;
                                break;
                        }
        }
        return image_name_is_valid(buf) && buf[0] != '.' ? 0 : -EINVAL;
}

bool http_url_is_valid(const char *url)
{
        const char *host;
        if (strncmp(url, "http://", 7) == 0)
                host = url + 7;
        else if (strncmp(url, "https://", 8) == 0)
                host = url + 8;
        else
                return false;
        if (!*host || *host == '/')
                return false;
        for (const char *p = url; *p; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f)
                        return false;
        return true;
}

char *url_sibling(const char *url, const char *file)
{
        if (!http_url_is_valid(url))
                return NULL;
        size_t end = strcspn(url, "?#");
        while (end > 0 && url[end - 1] != '/')
                end--;
        if (end <= strlen("https://"))
                return NULL;
        char *s;
        if (asprintf(&s, "%.*s%s", (int)end, url, file) < 0)
                return NULL;
        return s;
}

static bool is_hex(const char *s, size_t n)
{
        for (size_t k = 0; k < n; k++)
                if (!strchr("0123456789abcdefABCDEF", s[k]) || !s[k])
                        return false;
        return true;
}

int sha256sums_find(const char *text, size_t size, const char *file, char hex[static 65])
{
        size_t flen = strlen(file);
        bool found = false;
        for (size_t o = 0; o < size;) {
                const char *line = text + o;
                const char *nl = memchr(line, '\n', size - o);
                size_t n = nl ? (size_t)(nl - line) : size - o;
                o += n + 1;
                if (n > 0 && line[n - 1] == '\r')
                        n--;
                /* "HEX" "  " or " *" "NAME"; the name must be file exactly */
                if (n < 66 + flen || memcmp(line + n - flen, file, flen) != 0 || n != 66 + flen)
                        continue;
                if (!is_hex(line, 64) || line[64] != ' ' || (line[65] != ' ' && line[65] != '*'))
                        return -EBADMSG;
                char h[65];
                for (size_t k = 0; k < 64; k++)
                        h[k] = (char)(line[k] >= 'A' && line[k] <= 'F' ? line[k] - 'A' + 'a' : line[k]);
                h[64] = 0;
                if (found && !streq(h, hex))
                        return -ENOTUNIQ;
                memcpy(hex, h, 65);
                found = true;
        }
        return found ? 0 : -ENOENT;
}
