/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/resource.h>
#include "error.h"

/* Resource limits, OOM score and CPU affinity of the payload, with systemd's syntax. */

#define N_RLIMITS RLIMIT_NLIMITS

/* "NOFILE", "RLIMIT_NOFILE" or "LimitNOFILE" -> RLIMIT_NOFILE, or -EINVAL. */
int rlimit_from_name(const char *name);
const char *rlimit_to_name(int resource); /* "NOFILE" */

/* "SOFT[:HARD]" in the resource's unit: bytes with K, M, G, T, P, E (base 1024) for sizes,
 * seconds (CPU) or microseconds (RTTIME) with time units, a count, or for NICE a raw value
 * 0..40 or a nice level with a sign (-20..+19).  "infinity" for no limit. */
int rlimit_parse(int resource, const char *value, struct rlimit *ret);

/* systemd's sizes: a number with an optional fraction and one of B, K, M, G, T, P, E (powers of
 * base: 1024 for memory, 1000 for IO bandwidth and operations). */
int size_parse(const char *s, unsigned base, uint64_t *ret);
/* systemd's time spans: "1h 30min", "500ms", "2.5s"; a plain number is in default_usec units. */
int timespan_parse_usec(const char *s, double default_usec, double *ret);

/* A set of CPUs (or NUMA nodes), as many as glibc's cpu_set_t holds: corral's own, since musl's
 * holds 128.  Its bytes are the kernel's CPU mask, for sched_setaffinity(). */
#define CPU_SET_MAX 1024
typedef struct CpuSet {
        uint64_t bits[CPU_SET_MAX / 64];
} CpuSet;

static inline void cpu_set_add(CpuSet *s, unsigned cpu)
{
        s->bits[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

static inline bool cpu_set_has(const CpuSet *s, unsigned cpu)
{
        return cpu < CPU_SET_MAX && (s->bits[cpu / 64] >> (cpu % 64)) & 1;
}

/* How many CPUs a and b (if not NULL) have in common. */
unsigned cpu_set_count(const CpuSet *a, const CpuSet *b);

/* A CPU list, "0-3,6" or "0 1 2" -> a set; an empty list is an empty set. */
int cpu_set_parse(const char *value, CpuSet *ret, Error *e, const char *what);
