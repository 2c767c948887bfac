/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* References parsed as github.com/distribution/reference (docker/distribution's normalize.go)
 * does, so that what works with docker pull and podman pull works here. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>

#include "macro.h"
#include "oci-reference.h"

#define LOWER_ALNUM "abcdefghijklmnopqrstuvwxyz0123456789"
#define WORD LOWER_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"

bool oci_digest_is_valid(const char *digest)
{
        const char *hex = startswith(digest, "sha256:");
        return hex && strlen(hex) == 64 && strspn(hex, "0123456789abcdef") == 64;
}

/* A path component: lower-case alphanumerics, separated by one of ".", "_", "__" or any run
 * of "-". */
static bool path_component_is_valid(const char *c, size_t n)
{
        /* c[n] is "/" or the end, which stop every run */
        for (size_t k = 0;;) {
                size_t run = strspn(c + k, LOWER_ALNUM);
                if (run == 0)
                        return false;
                k += run;
                if (k == n)
                        return true;
                if (c[k] == '.')
                        k++;
                else if (c[k] == '_')
                        k += c[k + 1] == '_' ? 2 : 1;
                else if (c[k] == '-')
                        while (c[k] == '-')
                                k++;
                else
                        return false;
                if (k >= n)
                        return false;
        }
}

static bool registry_is_valid(const char *s)
{
        /* host[:port]: letters, digits, "-" and "." (or an IPv6 address in brackets) */
        size_t n = strlen(s);
        if (n == 0)
                return false;
        if (s[0] == '[') {
                const char *end = strchr(s, ']');
                if (!end || strspn(s + 1, "0123456789abcdefABCDEF:") != (size_t)(end - s - 1))
                        return false;
                s = end + 1;
                return !*s || (s[0] == ':' && s[1] && strspn(s + 1, "0123456789") == strlen(s + 1));
        }
        const char *colon = strchr(s, ':');
        size_t host = colon ? (size_t)(colon - s) : n;
        if (host == 0 || strspn(s, LOWER_ALNUM "ABCDEFGHIJKLMNOPQRSTUVWXYZ-.") != host || s[0] == '-' || s[0] == '.')
                return false;
        return !colon || (colon[1] && strspn(colon + 1, "0123456789") == strlen(colon + 1) && strlen(colon + 1) <= 5);
}

int oci_reference_parse(const char *s, OciReference *ret, const char **why)
{
        char name[512];
        const char *v;
        *ret = (OciReference){0};
        *why = NULL;
        if ((v = startswith(s, "docker://")))
                s = v;
        if (strlen(s) >= sizeof(name)) {
                *why = "it is too long";
                return -EINVAL;
        }
        for (const char *p = s; *p; p++)
                if ((unsigned char)*p <= ' ' || *p == 0x7f) {
                        *why = "it has a space or a control character";
                        return -EINVAL;
                }
        snprintf(name, sizeof(name), "%s", s);
        char *at = strchr(name, '@');
        if (at) {
                *at = 0;
                if (!oci_digest_is_valid(at + 1)) {
                        *why = "the digest after \"@\" is not sha256: and 64 lower-case hex digits";
                        return -EINVAL;
                }
                snprintf(ret->digest, sizeof(ret->digest), "%s", at + 1);
        }
        char *slash = strrchr(name, '/'), *colon = strrchr(name, ':');
        if (colon && (!slash || colon > slash)) {
                *colon = 0;
                const char *tag = colon + 1;
                if (!*tag || strlen(tag) > 128 || !strchr(WORD, tag[0]) || strspn(tag, WORD ".-") != strlen(tag)) {
                        *why = "the tag is not 1 to 128 letters, digits, \"_\", \".\" and \"-\" (not starting with \".\" or \"-\")";
                        return -EINVAL;
                }
                snprintf(ret->tag, sizeof(ret->tag), "%s", tag);
        }
        if (!name[0]) {
                *why = "it has no name";
                return -EINVAL;
        }
        const char *path = name;
        char *first = strchr(name, '/');
        if (first) {
                size_t n = (size_t)(first - name);
                bool upper = false;
                for (size_t k = 0; k < n; k++)
                        upper = upper || (name[k] >= 'A' && name[k] <= 'Z');
                if (memchr(name, '.', n) || memchr(name, ':', n) || (n == 9 && strncmp(name, "localhost", 9) == 0) || upper) {
                        *first = 0;
                        if (strlen(name) >= sizeof(ret->registry) || !registry_is_valid(name)) {
                                *why = "the registry is not a host name with an optional :PORT";
                                return -EINVAL;
                        }
                        snprintf(ret->registry, sizeof(ret->registry), "%s", streq(name, "index.docker.io") ? "docker.io" : name);
                        path = first + 1;
                }
        }
        if (!ret->registry[0])
                snprintf(ret->registry, sizeof(ret->registry), "docker.io");
        for (const char *c = path;;) {
                size_t n = strcspn(c, "/");
                if (!path_component_is_valid(c, n)) {
                        *why = "a name's parts are lower-case letters and digits, joined by \".\", \"_\", \"__\" or \"-\"";
                        return -EINVAL;
                }
                if (!c[n])
                        break;
                c += n + 1;
        }
        const char *library = streq(ret->registry, "docker.io") && !strchr(path, '/') ? "library/" : "";
        /* As docker's: the whole name, registry and path, at most 255 characters */
        if (strlen(ret->registry) + 1 + strlen(library) + strlen(path) > 255) {
                *why = "the name is longer than 255 characters";
                return -EINVAL;
        }
        /* (it fits: checked above) */
        size_t n = strlen(library);
        memcpy(ret->repository, library, n);
        memcpy(ret->repository + n, path, strlen(path) + 1);
        if (!ret->tag[0] && !ret->digest[0])
                snprintf(ret->tag, sizeof(ret->tag), "latest");
        return 0;
}

void oci_reference_format(const OciReference *r, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s%s%s%s%s", r->registry, r->repository, r->tag[0] ? ":" : "", r->tag, r->digest[0] ? "@" : "", r->digest);
}

const char *oci_reference_api_host(const OciReference *r)
{
        return streq(r->registry, "docker.io") ? "registry-1.docker.io" : r->registry;
}

int oci_reference_image_name(const OciReference *r, char *buf, size_t size)
{
        const char *slash = strrchr(r->repository, '/');
        const char *last = slash ? slash + 1 : r->repository;
        if (!*last || strlen(last) >= size)
                return -EINVAL;
        snprintf(buf, size, "%s", last);
        return 0;
}

int oci_platform_parse(const char *s, OciPlatform *ret)
{
        char parts[3][32];
        size_t n = 0;
        *ret = (OciPlatform){0};
        for (const char *p = s;; n++) {
                size_t k = strcspn(p, "/");
                if (n == 3 || k == 0 || k >= sizeof(parts[0]) || strspn(p, LOWER_ALNUM "_-") < k)
                        return -EINVAL;
                snprintf(parts[n], sizeof(parts[n]), "%.*s", (int)k, p);
                if (!p[k]) {
                        n++;
                        break;
                }
                p += k + 1;
        }
        if (n == 1) {
                /* As containerd's platforms.Parse: an OS alone is this machine's architecture
                 * on it, an architecture alone is Linux's */
                static const char *const oses[] = {"linux", "windows", "darwin", "freebsd"};
                for (size_t k = 0; k < ELEMENTSOF(oses); k++)
                        if (streq(parts[0], oses[k])) {
                                oci_platform_host(ret);
                                snprintf(ret->os, sizeof(ret->os), "%s", parts[0]);
                                return 0;
                        }
                snprintf(ret->os, sizeof(ret->os), "linux");
                snprintf(ret->architecture, sizeof(ret->architecture), "%s", parts[0]);
                return 0;
        }
        snprintf(ret->os, sizeof(ret->os), "%s", parts[0]);
        snprintf(ret->architecture, sizeof(ret->architecture), "%s", parts[1]);
        if (n == 3)
                snprintf(ret->variant, sizeof(ret->variant), "%s", parts[2]);
        return 0;
}

void oci_platform_host(OciPlatform *ret)
{
        static const struct {
                const char *machine, *arch, *variant;
        } map[] = {
                {"x86_64", "amd64", ""},    {"aarch64", "arm64", ""}, {"armv7l", "arm", "v7"},        {"armv6l", "arm", "v6"},
                {"i686", "386", ""},        {"i386", "386", ""},      {"ppc64le", "ppc64le", ""},     {"s390x", "s390x", ""},
                {"riscv64", "riscv64", ""}, {"mips64", "mips64", ""}, {"loongarch64", "loong64", ""},
        };
        struct utsname u;
        *ret = (OciPlatform){.os = "linux"};
        const char *m = uname(&u) == 0 ? u.machine : "x86_64";
        for (size_t k = 0; k < ELEMENTSOF(map); k++)
                if (streq(m, map[k].machine)) {
                        snprintf(ret->architecture, sizeof(ret->architecture), "%s", map[k].arch);
                        snprintf(ret->variant, sizeof(ret->variant), "%s", map[k].variant);
                        return;
                }
        snprintf(ret->architecture, sizeof(ret->architecture), "%.31s", m);
}

void oci_platform_format(const OciPlatform *p, char *buf, size_t size)
{
        snprintf(buf, size, "%s/%s%s%s", p->os, p->architecture, p->variant[0] ? "/" : "", p->variant);
}

static const char *default_variant(const char *architecture)
{
        return streq(architecture, "arm64") ? "v8" : streq(architecture, "arm") ? "v7" : "";
}

bool oci_platform_matches(const OciPlatform *want, const char *os, const char *architecture, const char *variant)
{
        if (!os || !architecture || !streq(want->os, os) || !streq(want->architecture, architecture))
                return false;
        if (!want->variant[0])
                return true;
        const char *have = variant && *variant ? variant : default_variant(architecture);
        return streq(want->variant, have);
}

int oci_whiteout(const char *base, const char **ret_name)
{
        const char *v = startswith(base, ".wh.");
        *ret_name = NULL;
        if (!v)
                return OCI_WHITEOUT_NONE;
        if (streq(v, ".wh..opq"))
                return OCI_WHITEOUT_OPAQUE;
        if (startswith(v, ".wh."))
                return OCI_WHITEOUT_META;
        if (!*v || streq(v, ".") || streq(v, "..") || strchr(v, '/'))
                return -EINVAL;
        *ret_name = v;
        return OCI_WHITEOUT_FILE;
}
