/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <net/if.h>
#include <stdint.h>

/* The host-side name nspawn gives a link: prefix ("ve-", "vb-", "vz-", "mv-", "iv-") and the
 * machine's (or zone's, or interface's) name.  A name longer than IFNAMSIZ-1 keeps its first
 * 11 characters and ends in 4 characters of a hash of the whole, as systemd 252 shortens it
 * (the "v252" naming scheme): "ve-averyveryverylongname" is "ve-averyverUARo". */
void net_link_name(const char *prefix, const char *name, char ret[IFNAMSIZ]);

/* The MAC addresses nspawn gives a veth pair of machine (host side, host0): SipHash of the
 * host's machine ID and the name with nspawn's keys, so they stay the same across starts.
 * machine_id: the 16 bytes of /etc/machine-id. */
void net_veth_macs(const uint8_t machine_id[16], const char *machine, uint8_t host[6], uint8_t container[6]);
/* "xx:xx:xx:xx:xx:xx" */
void net_format_mac(const uint8_t mac[6], char buf[18]);

/* The static setup of [Network] Address=/Gateway=: the host side's address (the gateway, or the
 * first host of the subnet that is not the container's).  -EINVAL when they do not fit. */
int static_host_side(uint32_t addr, unsigned len, uint32_t gateway, uint32_t *ret);
