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

/* A CPU list, "0-3,6" or "0 1 2" -> a set; an empty list is an empty set. */
int cpu_set_parse(const char *value, cpu_set_t *ret, Error *e, const char *what);
