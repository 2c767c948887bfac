/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The DHCP server's answers: OFFER, ACK, NAK, INFORM, silence, and messages cut short. */
#include <stdint.h>
#include <string.h>

#include "dhcp-server.h"
#include "tap.h"

static const uint8_t cookie[4] = {99, 130, 83, 99};

/* A client message of the given type; extra: more options (code, len, value...). */
static size_t message(uint8_t *m, uint8_t type, const uint8_t *extra, size_t n_extra)
{
        memset(m, 0, 300);
        m[0] = 1, m[1] = 1, m[2] = 6;
        memcpy(m + 4, "\x12\x34\x56\x78", 4);
        memcpy(m + 28, "\x02\x00\x00\x00\x00\x01", 6);
        memcpy(m + 236, cookie, 4);
        size_t at = 240;
        m[at++] = 53, m[at++] = 1, m[at++] = type;
        if (n_extra)
                memcpy(m + at, extra, n_extra);
        at += n_extra;
        m[at++] = 255;
        return at;
}

/* The value of an option in a reply, or NULL. */
static const uint8_t *option(const uint8_t *r, size_t n, uint8_t code)
{
        for (size_t i = 240; i + 1 < n && r[i] != 255; i += 2 + r[i + 1])
                if (r[i] == code)
                        return r + i + 2;
        return NULL;
}

TEST(config_from_prefix)
{
        DhcpConfig cfg;
        CHECK(dhcp_config_from_prefix("192.168.1.17/28", &cfg) == 0 && cfg.server == 0xC0A80111 && cfg.client == 0xC0A80112 &&
                      cfg.netmask == 0xFFFFFFF0,
              "192.168.1.17/28: server .17, client .18, mask /28");
        CHECK(dhcp_config_from_prefix("192.168.1.14/28", &cfg) < 0, "no client address past the end of the subnet");
        CHECK(dhcp_config_from_prefix("192.168.1.17", &cfg) < 0 && dhcp_config_from_prefix("300.1.1.1/28", &cfg) < 0, "bad prefixes");
}

/* The server of 192.168.1.17/28 with a name server. */
static void config(DhcpConfig *cfg)
{
        dhcp_config_from_prefix("192.168.1.17/28", cfg);
        cfg->dns[0] = 0x0A000035;
}

TEST(offer)
{
        DhcpConfig cfg;
        uint8_t m[600], r[576];
        config(&cfg);
        size_t n = message(m, 1, NULL, 0), k = dhcp_reply(m, n, &cfg, r, sizeof(r));
        CHECK(k >= 300 && r[0] == 2 && memcmp(r + 4, m + 4, 4) == 0 && memcmp(r + 28, m + 28, 16) == 0, "DISCOVER: a reply with the xid and chaddr");
        CHECK(memcmp(r + 16, "\xc0\xa8\x01\x12", 4) == 0, "offering the container's address");
        const uint8_t *t = option(r, k, 53), *mask = option(r, k, 1), *gw = option(r, k, 3), *dns = option(r, k, 6), *sid = option(r, k, 54);
        CHECK(t && *t == 2, "an OFFER");
        CHECK(mask && memcmp(mask, "\xff\xff\xff\xf0", 4) == 0 && gw && memcmp(gw, "\xc0\xa8\x01\x11", 4) == 0, "netmask and router");
        CHECK(dns && memcmp(dns, "\x0a\x00\x00\x35", 4) == 0 && sid && memcmp(sid, "\xc0\xa8\x01\x11", 4) == 0, "name server and server id");
}

TEST(request_inform_release)
{
        DhcpConfig cfg;
        uint8_t m[600], r[576];
        const uint8_t *t;
        size_t n, k;
        config(&cfg);
        static const uint8_t want_ok[] = {50, 4, 192, 168, 1, 18, 54, 4, 192, 168, 1, 17};
        n = message(m, 3, want_ok, sizeof(want_ok));
        k = dhcp_reply(m, n, &cfg, r, sizeof(r));
        CHECK(k && (t = option(r, k, 53)) && *t == 5 && option(r, k, 51), "REQUEST for its address: ACK with a lease time");
        static const uint8_t want_other[] = {50, 4, 192, 168, 1, 30};
        n = message(m, 3, want_other, sizeof(want_other));
        k = dhcp_reply(m, n, &cfg, r, sizeof(r));
        CHECK(k && (t = option(r, k, 53)) && *t == 6 && !option(r, k, 1) && memcmp(r + 16, "\0\0\0\0", 4) == 0, "another address: NAK");
        static const uint8_t other_server[] = {50, 4, 192, 168, 1, 18, 54, 4, 10, 0, 0, 1};
        n = message(m, 3, other_server, sizeof(other_server));
        CHECK(dhcp_reply(m, n, &cfg, r, sizeof(r)) == 0, "a REQUEST to another server: silence");
        n = message(m, 8, NULL, 0);
        k = dhcp_reply(m, n, &cfg, r, sizeof(r));
        CHECK(k && (t = option(r, k, 53)) && *t == 5 && !option(r, k, 51) && memcmp(r + 16, "\0\0\0\0", 4) == 0, "INFORM: ACK without a lease");
        n = message(m, 7, NULL, 0);
        CHECK(dhcp_reply(m, n, &cfg, r, sizeof(r)) == 0, "RELEASE: silence");
}

TEST(malformed_messages_get_silence)
{
        DhcpConfig cfg;
        uint8_t m[600], r[576];
        config(&cfg);
        size_t n = message(m, 1, NULL, 0);
        CHECK(dhcp_reply(m, 239, &cfg, r, sizeof(r)) == 0, "cut before the options: silence");
        m[241] = 200; /* the type option claims more than there is */
        CHECK(dhcp_reply(m, n, &cfg, r, sizeof(r)) == 0, "an option running past the end: silence");
        n = message(m, 1, NULL, 0);
        m[0] = 2;
        CHECK(dhcp_reply(m, n, &cfg, r, sizeof(r)) == 0, "a reply, not a request: silence");
        n = message(m, 1, NULL, 0);
        m[236] = 0;
        CHECK(dhcp_reply(m, n, &cfg, r, sizeof(r)) == 0, "no magic cookie: silence");
}

TAP_MAIN
