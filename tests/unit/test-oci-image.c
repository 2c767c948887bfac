/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The .nspawn file pull-oci and import-oci write from an image's config. */
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "tap.h"

static char *settings(const char *config)
{
        return oci_settings_from_config(config, "docker.io/library/nginx:1.25", "sha256:abc", "linux/amd64");
}

TEST(an_nginx_config)
{
        char *s = settings("{\"architecture\":\"amd64\",\"config\":{\"Entrypoint\":[\"/docker-entrypoint.sh\"],"
                           "\"Cmd\":[\"nginx\",\"-g\",\"daemon off;\"],\"Env\":[\"PATH=/usr/sbin:/usr/bin\",\"NGINX_VERSION=1.25.3\"],"
                           "\"WorkingDir\":\"/srv\",\"User\":\"101:101\",\"StopSignal\":\"SIGQUIT\",\"ExposedPorts\":{\"80/tcp\":{}},"
                           "\"Labels\":{\"maintainer\":\"NGINX Docker Maintainers\"}}}");
        CHECK(s != NULL, "made");
        CHECK(strstr(s, "# Origin: docker.io/library/nginx:1.25\n# Digest: sha256:abc\n# Platform: linux/amd64\n"), "origin, digest, platform");
        CHECK(strstr(s, "# Label: maintainer=NGINX Docker Maintainers\n"), "labels as comments");
        CHECK(strstr(s, "# ExposedPorts: 80/tcp\n"), "exposed ports as a comment");
        CHECK(strstr(s, "\n[Exec]\nParameters=/docker-entrypoint.sh nginx -g \"daemon off;\"\n"), "Entrypoint then Cmd, quoted: %s", s);
        CHECK(strstr(s, "Environment=PATH=/usr/sbin:/usr/bin\nEnvironment=NGINX_VERSION=1.25.3\n"), "Env");
        CHECK(strstr(s, "WorkingDirectory=/srv\n"), "WorkingDir");
        CHECK(strstr(s, "User=101\n# The image says User=101:101"), "the user part of user:group, and why");
        CHECK(strstr(s, "KillSignal=SIGQUIT\n"), "StopSignal");
        CHECK(!strstr(s, "Boot="), "no Boot=");
        free(s);
}

TEST(an_init_boots)
{
        char *s = settings("{\"config\":{\"Entrypoint\":[\"/lib/systemd/systemd\"],\"Cmd\":[\"--log-level=info\"]}}");
        CHECK(s && strstr(s, "Boot=yes\nParameters=--log-level=info\n"), "Boot=yes, the rest for the init: %s", s ? s : "");
        free(s);
        s = settings("{\"config\":{\"Cmd\":[\"/sbin/init\"]}}");
        CHECK(s && strstr(s, "Boot=yes\n") && !strstr(s, "Parameters="), "an init alone");
        free(s);
        s = settings("{\"config\":{\"Cmd\":[\"init\"]}}");
        CHECK(s && !strstr(s, "Boot=") && strstr(s, "Parameters=init\n"), "only an absolute init boots");
        free(s);
}

TEST(odd_configs)
{
        char *s = settings("{\"config\":{\"StopSignal\":\"3\",\"Env\":[\"=x\",\"A B=c\",\"OK=1\"],\"WorkingDir\":\"relative\",\"Cmd\":[\"\"]}}");
        CHECK(s && strstr(s, "KillSignal=SIGQUIT\n"), "a signal by number");
        CHECK(s && strstr(s, "Environment=OK=1\n") && !strstr(s, "=x") && !strstr(s, "A B"), "invalid assignments dropped");
        CHECK(s && !strstr(s, "WorkingDirectory="), "a relative directory dropped");
        CHECK(s && strstr(s, "Parameters=\"\"\n"), "an empty word kept, quoted");
        free(s);
        s = settings("not json");
        CHECK(s && strstr(s, "[Exec]\n") && !strstr(s, "Parameters="), "no config: no command");
        free(s);
        s = oci_settings_from_config("{}", "x\ny", "sha256:abc", "linux/amd64");
        CHECK(s && strstr(s, "# Origin: x?y\n"), "a line break in the origin cannot end the comment");
        free(s);
}

TAP_MAIN
