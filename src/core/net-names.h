/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>

/* The host-side name nspawn gives a link: prefix ("ve-", "vb-", "vz-", "mv-", "iv-") and the
 * machine's (or zone's, or interface's) name.  A name longer than IFNAMSIZ-1 keeps its first
 * 11 characters and ends in 4 characters of a hash of the whole, as systemd 252 shortens it
 * (the "v252" naming scheme): "ve-averyveryverylongname" is "ve-averyverUARo". */
void net_link_name(const char *prefix, const char *name, char ret[IFNAMSIZ]);
