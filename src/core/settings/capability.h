/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include "error.h"

#define CAP_SET_ALL UINT64_MAX

/* systemd-nspawn 252's default bounding set: what a container keeps unless told otherwise.
 * CAP_NET_ADMIN joins it when the container has a private network. */
uint64_t capability_default_set(void);

/* "CAP_SYS_ADMIN" or "cap_sys_admin" or a number -> the capability, or -EINVAL. */
int capability_from_name(const char *name);
const char *capability_to_name(int cap); /* NULL past the table */

/* A list of capability names separated by any of seps ("," for the command line, whitespace
 * for .nspawn files); "all" anywhere means every capability.  *ret is ORed into.  On a bad
 * name, -EINVAL with the name in e, prefixed by what. */
int capability_set_parse(const char *spec, const char *seps, uint64_t *ret, const char *what, Error *e);
