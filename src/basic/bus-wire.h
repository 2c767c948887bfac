/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

/* The few D-Bus calls corral makes (a transient scope from systemd), spoken on the wire: a
 * message writer for the basic types, a connection with EXTERNAL authentication, and a call
 * that waits for its reply.  libsystemd would do it too, but would make corral a dynamically
 * linked program; these calls are few and fixed. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A message body (or header) being written; alignment is relative to its start, which the
 * protocol puts on an 8-byte boundary. */
typedef struct BusWriter {
        char *data;
        size_t len, cap;
        bool oom;
} BusWriter;

typedef struct BusArray {
        size_t length_at, start;
} BusArray;

void bus_writer_done(BusWriter *w);
void bus_put_byte(BusWriter *w, uint8_t v);
void bus_put_bool(BusWriter *w, bool v);
void bus_put_u32(BusWriter *w, uint32_t v);
void bus_put_u64(BusWriter *w, uint64_t v);
/* 's' and 'o' */
void bus_put_string(BusWriter *w, const char *s);
/* 'g', also a variant's signature */
void bus_put_signature(BusWriter *w, const char *sig);
/* An array of elements aligned to align (8 for structs and dict entries). */
BusArray bus_open_array(BusWriter *w, size_t align);
void bus_close_array(BusWriter *w, BusArray a);
void bus_open_struct(BusWriter *w);

typedef struct Bus {
        int fd;
        uint32_t serial;
} Bus;
#define BUS_NULL ((Bus){.fd = -1})

/* Connects to the bus socket at path and authenticates as this process's UID; hello: a message
 * bus (dbus-daemon), which wants a Hello call first; systemd's private socket does not. */
int bus_connect(const char *path, bool hello, int timeout_ms, Bus *ret);
void bus_close(Bus *b);

/* Calls member and waits (at most timeout_ms) for its reply.  0 on a method return; -EREMOTEIO
 * on an error reply, whose name and message are in *ret_error ("NAME: message"); -errno else. */
int bus_call(Bus *b, const char *destination, const char *path, const char *interface, const char *member, const char *signature,
             const BusWriter *body, int timeout_ms, char **ret_error);
