/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* SipHash-2-4 (Aumasson and Bernstein) of len bytes with a 128-bit key, as systemd computes it
 * for the names it derives (corral needs the same names). */
uint64_t siphash24(const void *in, size_t len, const uint8_t key[16]);
