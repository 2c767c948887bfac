/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: an OCI image's config (untrusted: from a registry) turned into the .nspawn
 * file pull-oci writes beside the image.  The file must parse, with no warning, and give back
 * the image's command line and environment word for word. */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "parse-util.h"
#include "settings.h"
#include "strv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *config = strndup((const char *)data, size);
        if (!config)
                return 0;
        char *text = oci_settings_from_config(config, "origin\nwith a line break", "sha256:x", "linux/amd64");
        if (!text)
                __builtin_trap();
        char **w = NULL;
        Settings s;
        Error e = {0};
        settings_init(&s);
        if (settings_file_parse(&s, "fuzz.nspawn", text, &w, &e) < 0 || (w && *w))
                __builtin_trap();
        /* The command line: Entrypoint and Cmd's strings, less an init that Boot=yes stands for */
        json_object *root = json_tokener_parse(config), *c = NULL, *v;
        char **want = NULL;
        if (root && json_object_is_type(root, json_type_object) && json_object_object_get_ex(root, "config", &c) &&
            json_object_is_type(c, json_type_object)) {
                const char *parts[] = {"Entrypoint", "Cmd"};
                for (size_t k = 0; k < 2; k++)
                        if (json_object_object_get_ex(c, parts[k], &v) && json_object_is_type(v, json_type_array))
                                for (size_t j = 0; j < json_object_array_length(v); j++) {
                                        json_object *x = json_object_array_get_idx(v, j);
                                        if (json_object_is_type(x, json_type_string))
                                                strv_push(&want, strdup(json_object_get_string(x)));
                                }
        }
        char **got = s.parameters;
        char **expect = want && s.start_mode == START_BOOT ? want + 1 : want;
        if (strv_length(expect) != strv_length(got))
                __builtin_trap();
        for (size_t k = 0; got && got[k]; k++)
                if (strcmp(got[k], expect[k]) != 0)
                        __builtin_trap();
        strv_free(want);
        json_object_put(root);
        settings_done(&s);
        strv_free(w);
        free(text);
        free(config);
        return 0;
}
