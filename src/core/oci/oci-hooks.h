/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "error.h"
#include "oci-config.h"

/* Runs the config's hooks of one kind in order, each with state (the container's state JSON)
 * on its stdin, its args and env as given (an empty environment when none), and its output
 * kept: the first that fails, is killed or outlives its timeout stops the rest, and e names
 * it with what it printed. */
int oci_hooks_run(const OciConfig *c, OciHookKind kind, const char *state, Error *e);
