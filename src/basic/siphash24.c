/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <string.h>

#include "siphash24.h"

#define ROTL(x, b) (uint64_t)(((x) << (b)) | ((x) >> (64 - (b))))

typedef struct State {
        uint64_t v0, v1, v2, v3;
} State;

static void sip_round(State *s)
{
        s->v0 += s->v1;
        s->v1 = ROTL(s->v1, 13);
        s->v1 ^= s->v0;
        s->v0 = ROTL(s->v0, 32);
        s->v2 += s->v3;
        s->v3 = ROTL(s->v3, 16);
        s->v3 ^= s->v2;
        s->v0 += s->v3;
        s->v3 = ROTL(s->v3, 21);
        s->v3 ^= s->v0;
        s->v2 += s->v1;
        s->v1 = ROTL(s->v1, 17);
        s->v1 ^= s->v2;
        s->v2 = ROTL(s->v2, 32);
}

/* Two compression rounds per 8-byte word, four finalization rounds. */
static void absorb(State *s, uint64_t m)
{
        s->v3 ^= m;
        sip_round(s);
        sip_round(s);
        s->v0 ^= m;
}

uint64_t siphash24(const void *in, size_t len, const uint8_t key[16])
{
        uint64_t k0, k1, m;
        memcpy(&k0, key, 8); /* little-endian words, as the algorithm reads them on x86 and arm64 */
        memcpy(&k1, key + 8, 8);
        State s = {0x736f6d6570736575ULL ^ k0, 0x646f72616e646f6dULL ^ k1, 0x6c7967656e657261ULL ^ k0, 0x7465646279746573ULL ^ k1};
        const uint8_t *p = in;
        size_t whole = len & ~(size_t)7;
        for (size_t i = 0; i < whole; i += 8) {
                memcpy(&m, p + i, 8);
                absorb(&s, m);
        }
        uint64_t last = (uint64_t)len << 56;
        for (size_t i = 0; i < (len & 7); i++)
                last |= (uint64_t)p[whole + i] << (8 * i);
        absorb(&s, last);
        s.v2 ^= 0xff;
        for (int i = 0; i < 4; i++)
                sip_round(&s);
        return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}
