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
/* nspawn's environment knobs that change behaviour: $SYSTEMD_NSPAWN_API_VFS_WRITABLE,
 * $SYSTEMD_NSPAWN_TMPFS_TMP, $SYSTEMD_NSPAWN_LOCK, $SYSTEMD_NSPAWN_UNIFIED_HIERARCHY,
 * $SYSTEMD_NSPAWN_USE_CGNS; a value nspawn would refuse is an error naming the variable. */
int options_parse_environment(Settings *s, Error *e);
/* --oci-bundle=DIR: the bundle's config.json, read by corral-oci into nspawn's options, merged
 * into s as nspawn merges a bundle (a trusted settings file below the command line); no .nspawn
 * file is read then.  Nothing without --oci-bundle=. */
int options_load_oci_bundle(Settings *s, char ***warnings, Error *e);
