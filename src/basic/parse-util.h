/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdint.h>
#include <sys/types.h>
#include "macro.h"

/* All return 0 or a negative errno; outputs are written only on success. */
int parse_boolean(const char *s); /* 1, 0 or -EINVAL */
/* Real-time signals as glibc numbers them, and so systemd, nspawn and every "SIGRTMIN+3" on a
 * command line: the first is 34 there (musl reserves one more, its SIGRTMIN is 35). */
#define SIGNAL_RTMIN 34
#define SIGNAL_RTMAX 64

int parse_signal(const char *s, int *ret); /* "SIGTERM", "TERM", "RTMIN+3", "15" */
const char *signal_to_string(int sig, char buf[static 16]);
int parse_uuid(const char *s, uint8_t ret[static 16]);               /* with or without dashes */
void format_uuid(const uint8_t id[static 16], char buf[static 37]);  /* 8-4-4-4-12 */
void format_id128(const uint8_t id[static 16], char buf[static 33]); /* 32 hex digits */
int parse_unsigned(const char *s, unsigned long *ret);
/* A value as an error message shows it: whole, or when long its start and its size. */
#define VALUE_SHOWN_MAX 96
const char *value_shown(const char *v, char buf[static VALUE_SHOWN_MAX]);
/* "A.B.C.D", and "A.B.C.D/LEN" with LEN from min_len to max_len, in host byte order. */
int ipv4_address_parse(const char *s, uint32_t *ret_addr);
int ipv4_prefix_parse(const char *s, unsigned min_len, unsigned max_len, uint32_t *ret_addr, unsigned *ret_len);
/* "A.B.C.D" of an address in host byte order; buf: at least 16 bytes. */
void ipv4_address_format(uint32_t a, char *buf);
bool hostname_is_valid(const char *s);
bool machine_name_is_valid(const char *s);
bool env_assignment_is_valid(const char *s);
bool env_name_is_valid(const char *s, size_t n);
/* Splits s at the first unescaped ':' (nspawn's "\:" escape), unescaping the first part. */
int split_colon(const char *s, char **ret_first, const char **ret_rest);
/* Splits off the next field of a ':'-separated list, as systemd's extract_first_word() with
 * EXTRACT_DONT_COALESCE_SEPARATORS: "\x" stands for x.  Returns 1 and a new string, or 0 at the
 * end (after the last field *p is NULL; an empty input has no fields). */
int extract_colon_field(const char **p, char **ret);
/* Splits a unit-file value into words as extract_first_word(EXTRACT_UNQUOTE|EXTRACT_CUNESCAPE):
 * whitespace separates, '...' and "..." quote, backslash escapes.  -EINVAL on a bad quote. */
int split_words(const char *s, char ***ret);
/* C escapes as systemd's cunescape(): \n \t \\ \" \' \xNN \NNN (octal). */
int cunescape(const char *s, char **ret, size_t *ret_size);
