/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

typedef enum OptionsAction {
        OPTIONS_RUN,
        OPTIONS_HELP,
        OPTIONS_VERSION,
        OPTIONS_EXIT, /* a "help" listing was printed */
} OptionsAction;

/* argv -> Settings, exactly as systemd-nspawn 252 reads its command line.  s must be
 * settings_init()ed; on failure e says which option and why. */
int options_parse(int argc, char *argv[], Settings *s, OptionsAction *ret_action, Error *e);
void options_help(FILE *f, const char *program);
