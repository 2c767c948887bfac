/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral: systemd-nspawn's command line in front of the core.  main() maps errors to exit codes. */
#include "launch.h"
#include "log.h"
#include "options.h"
#include "strv.h"

int main(int argc, char *argv[])
{
        Settings s;
        OptionsAction action;
        Error e = {0};
        _cleanup_strv_free_ char **warnings = NULL;
        int r;

        log_setup("corral");
        settings_init(&s);
        r = options_parse(argc, argv, &s, &action, &e);
        if (r >= 0 && action == OPTIONS_RUN)
                r = options_parse_environment(&s, &e);
        if (r >= 0 && action == OPTIONS_HELP) {
                options_help(stdout, "corral");
                goto done;
        }
        if (r >= 0 && action == OPTIONS_VERSION) {
                printf("corral %s (systemd-nspawn 252 compatible)\n", CORRAL_VERSION);
                goto done;
        }
        if (r >= 0 && action == OPTIONS_EXIT)
                goto done;
        if (r >= 0)
                r = options_load_oci_bundle(&s, &warnings, &e);
        if (r >= 0)
                r = launch_resolve_image(&s, &e);
        if (r >= 0)
                r = launch_load_settings_file(&s, &warnings, &e);
        if (r >= 0)
                r = launch_mount_image(&s, &warnings, &e);
        for (char **w = warnings; w && *w; w++)
                log_warning("%s", *w);
        if (r >= 0)
                r = launch_verify(&s, &e);
        if (r >= 0)
                r = launch_run(&s, &e);
        if (r < 0) {
                log_error("%s", e.msg[0] ? e.msg : strerror(-r));
                settings_done(&s);
                return EXIT_FAILURE;
        }
        settings_done(&s);
        return r;
done:
        settings_done(&s);
        return EXIT_SUCCESS;
}
