/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

/* Fills in the image directory and machine name the way nspawn derives them: -D, or -M searched
 * in the image directories, or the current directory; the name from -M or the directory. */
int launch_resolve_image(Settings *s, Error *e);
/* Loads and merges the .nspawn file for s->machine, unless --settings=no.  Warnings (unknown
 * keys, ignored untrusted settings) are returned for the caller to print. */
int launch_load_settings_file(Settings *s, char ***warnings, Error *e);
/* With -i: mounts the disk image in a mount namespace of the supervisor's own and sets
 * s->directory to it.  Call after the settings file is merged (ReadOnly=), before
 * launch_verify(). */
int launch_mount_image(Settings *s, char ***warnings, Error *e);
/* After the merge, before anything is made: settings_verify() with the CPUs this process may
 * use, then settings_verify_sources() (verify.h). */
int launch_verify(const Settings *s, Error *e);
/* Runs the container to its end (restarting it on reboot unless --keep-unit, as nspawn does).
 * Returns corral's exit status. */
int launch_run(Settings *s, Error *e);
