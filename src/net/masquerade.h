/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <libmnl/libmnl.h>
#include <stdint.h>

/* nl: a NETLINK_NETFILTER socket.  The table (e.g. "corral-web") masquerades what leaves the
 * subnet net/len by any link but hostif. */
int masquerade_add(struct mnl_socket *nl, const char *table, uint32_t net, unsigned len, const char *hostif);
int masquerade_remove(struct mnl_socket *nl, const char *table);
