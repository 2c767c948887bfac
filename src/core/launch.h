/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "settings.h"

/* Fills in the image directory and machine name the way nspawn derives them: -D, or -M searched
 * in the image directories, or the current directory; the name from -M or the directory. */
int launch_resolve_image(Settings *s, Error *e);
/* Loads and merges the .nspawn file for s->machine, unless --settings=no.  Warnings (unknown
 * keys, ignored untrusted settings) are returned for the caller to print. */
int launch_load_settings_file(Settings *s, char ***warnings, Error *e);
/* Cross-option checks, after the merge, with nspawn's messages. */
/* With -i: mounts the disk image in a mount namespace of the supervisor's own and sets
 * s->directory to it.  Call after the settings file is merged (ReadOnly=), before
 * launch_verify(). */
int launch_mount_image(Settings *s, char ***warnings, Error *e);
int launch_verify(Settings *s, Error *e);
/* The capability bounding set the container gets: nspawn's default, plus and minus what was asked. */
uint64_t launch_capabilities(const Settings *s);
/* Whether the container gets a network namespace of its own (--private-network, or links that imply it). */
bool launch_private_network(const Settings *s);
/* Runs the container to its end (restarting it on reboot unless --keep-unit, as nspawn does).
 * Returns corral's exit status. */
int launch_run(Settings *s, Error *e);
