/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* OCI image references as docker, podman and skopeo take them, platforms and whiteouts. */
#include <errno.h>
#include <string.h>

#include "oci-reference.h"
#include "tap.h"

#define D64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

static void ref_is(const char *s, const char *want)
{
        OciReference r;
        const char *why;
        char buf[1024];
        int k = oci_reference_parse(s, &r, &why);
        if (k == 0)
                oci_reference_format(&r, buf, sizeof(buf));
        CHECK(k == 0 && strcmp(buf, want) == 0, "\"%s\" is %s (got %d %s)", s, want, k, k == 0 ? buf : why);
}

static void ref_refused(const char *s)
{
        OciReference r;
        const char *why = NULL;
        CHECK(oci_reference_parse(s, &r, &why) == -EINVAL && why, "\"%s\" refused: %s", s, why ? why : "(no reason)");
}

TEST(references_as_users_type_them)
{
        ref_is("debian", "docker.io/library/debian:latest");
        ref_is("debian:12", "docker.io/library/debian:12");
        ref_is("library/nginx", "docker.io/library/nginx:latest");
        ref_is("docker.io/nginx", "docker.io/library/nginx:latest");
        ref_is("index.docker.io/library/nginx:1.25", "docker.io/library/nginx:1.25");
        ref_is("docker://alpine:3.19", "docker.io/library/alpine:3.19");
        ref_is("bitnami/postgresql:16", "docker.io/bitnami/postgresql:16");
        ref_is("ghcr.io/org/app@sha256:" D64, "ghcr.io/org/app@sha256:" D64);
        ref_is("ghcr.io/org/sub/app:v1.2@sha256:" D64, "ghcr.io/org/sub/app:v1.2@sha256:" D64);
        ref_is("localhost:5000/x:tag", "localhost:5000/x:tag");
        ref_is("localhost/x", "localhost/x:latest");
        ref_is("127.0.0.1:5000/a/b-c__d.e", "127.0.0.1:5000/a/b-c__d.e:latest");
        ref_is("quay.io/x/y:TAG_1.0-rc", "quay.io/x/y:TAG_1.0-rc");
        ref_is("[::1]:5000/x", "[::1]:5000/x:latest");
        OciReference r;
        const char *why;
        CHECK(oci_reference_parse("debian:12", &r, &why) == 0 && strcmp(oci_reference_api_host(&r), "registry-1.docker.io") == 0,
              "Docker Hub's API is at registry-1.docker.io");
        char name[64];
        CHECK(oci_reference_parse("ghcr.io/org/app:1", &r, &why) == 0 && oci_reference_image_name(&r, name, sizeof(name)) == 0 &&
                      strcmp(name, "app") == 0 && strcmp(oci_reference_api_host(&r), "ghcr.io") == 0,
              "the image name is the last component");
}

TEST(bad_references)
{
        ref_refused("");
        ref_refused("Debian");
        ref_refused("debian:");
        ref_refused("debian:.x");
        ref_refused("debian@sha256:abc");
        ref_refused("debian@md5:" D64);
        ref_refused("debian@sha256:" D64 "00");
        ref_refused("a//b");
        ref_refused("a/b/");
        ref_refused("-a");
        ref_refused("a--");
        ref_refused("a___b");
        ref_refused("a b");
        ref_refused("localhost:port/x");
        ref_refused("host:5000/");
        ref_refused(
                "x:"
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
}

TEST(platforms)
{
        OciPlatform p;
        char buf[128];
        CHECK(oci_platform_parse("linux/arm64", &p) == 0 && strcmp(p.architecture, "arm64") == 0 && !p.variant[0], "os/arch");
        CHECK(oci_platform_parse("linux/arm/v7", &p) == 0 && strcmp(p.variant, "v7") == 0, "os/arch/variant");
        CHECK(oci_platform_parse("amd64", &p) == 0 && strcmp(p.os, "linux") == 0, "arch alone is linux");
        OciPlatform host;
        oci_platform_host(&host);
        CHECK(oci_platform_parse("linux", &p) == 0 && strcmp(p.architecture, host.architecture) == 0, "linux alone is this machine's arch");
        CHECK(oci_platform_parse("linux/", &p) == -EINVAL && oci_platform_parse("a/b/c/d", &p) == -EINVAL &&
                      oci_platform_parse("Linux/amd64", &p) == -EINVAL,
              "bad platforms");
        oci_platform_parse("linux/arm64", &p);
        CHECK(oci_platform_matches(&p, "linux", "arm64", "v8") && oci_platform_matches(&p, "linux", "arm64", NULL), "any variant");
        CHECK(!oci_platform_matches(&p, "linux", "amd64", NULL) && !oci_platform_matches(&p, "windows", "arm64", NULL), "not another");
        oci_platform_parse("linux/arm64/v8", &p);
        CHECK(oci_platform_matches(&p, "linux", "arm64", NULL), "arm64 without a variant is v8");
        oci_platform_parse("linux/arm/v6", &p);
        CHECK(!oci_platform_matches(&p, "linux", "arm", "v7") && !oci_platform_matches(&p, "linux", "arm", ""), "v6 is not v7");
        oci_platform_host(&p);
        oci_platform_format(&p, buf, sizeof(buf));
        CHECK(strncmp(buf, "linux/", 6) == 0 && p.architecture[0], "the host's: %s", buf);
}

TEST(whiteouts)
{
        const char *name;
        CHECK(oci_whiteout("file", &name) == OCI_WHITEOUT_NONE, "a file");
        CHECK(oci_whiteout(".wh.etc", &name) == OCI_WHITEOUT_FILE && strcmp(name, "etc") == 0, "a whiteout");
        CHECK(oci_whiteout(".wh..wh..opq", &name) == OCI_WHITEOUT_OPAQUE, "opaque");
        CHECK(oci_whiteout(".wh..wh.plnk", &name) == OCI_WHITEOUT_META && oci_whiteout(".wh..wh.aufs", &name) == OCI_WHITEOUT_META, "AUFS meta");
        CHECK(oci_whiteout(".wh.", &name) == -EINVAL && oci_whiteout(".wh..", &name) == -EINVAL && oci_whiteout(".wh...", &name) == -EINVAL,
              "nothing or .. whited out");
        CHECK(oci_digest_is_valid("sha256:" D64) && !oci_digest_is_valid("sha256:" D64 "0") && !oci_digest_is_valid("sha512:" D64), "digests");
}

TAP_MAIN
