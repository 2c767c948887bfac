/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* libFuzzer target: the DHCP server's answer to a message from the container (untrusted), taken
 * as the DHCP message itself (a ve- link's UDP socket) and as an IP packet (a zone's packet
 * socket). */
#include <stdint.h>
#include <string.h>

#include "dhcp-server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        static const DhcpConfig cfg = {.server = 0xC0A80001, .client = 0xC0A80002, .netmask = 0xFFFFFFF0, .dns = {0x0A000001}, .lease_seconds = 3600};
        uint8_t out[576];
        size_t n = dhcp_reply(data, size, &cfg, out, sizeof(out)), len = 0, off = dhcp_udp_payload(data, size, &len);
        if (n > sizeof(out) || (off && (off < 28 || off + len > size)))
                __builtin_trap();
        if (off && dhcp_reply(data + off, len, &cfg, out, sizeof(out)) > sizeof(out))
                __builtin_trap();
        return 0;
}
