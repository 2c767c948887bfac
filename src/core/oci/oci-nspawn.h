/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "oci-config.h"

/* An OCI bundle as systemd-nspawn's command line: what `corral --oci-bundle=DIR` runs.  nspawn
 * 252 reads a bundle into its Settings (nspawn-oci.c) and builds the container its own way, its
 * own API file systems and policies in place of the config's; this does the same through
 * corral's options, which corral parses as a trusted settings source below its own command
 * line.  The result is the options, then "--" and process.args.  Fields the options cannot
 * say are refused by name (corral-oci runs such a bundle as an OCI runtime does); fields nspawn
 * ignores with a warning go to warnings.  The root is read for the process user's name (its
 * /etc/passwd) and for which masked paths exist. */
int oci_nspawn_options(const OciConfig *c, const char *bundle, char ***ret, char ***warnings, Error *e);
