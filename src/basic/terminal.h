/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <termios.h>
#include <time.h>

/* Writes all of p, waiting on EAGAIN (a non-blocking fd) and retrying on EINTR. */
int write_all(int fd, const void *p, size_t n);
/* Sends all of p on a blocking socket, retrying on EINTR; a peer that is gone is -EPIPE,
 * never SIGPIPE. */
int send_all(int fd, const void *p, size_t n);

/* Ctrl-] three times within a second: how nspawn and machinectl let the user out. */
typedef struct EscapeDetector {
        struct timespec when[3]; /* times of the last three ^] */
        int n;
} EscapeDetector;

bool escape_seen(EscapeDetector *d, const char *buf, size_t n);

/* A terminal in raw mode (output processing kept, as nspawn's pty forwarder does), and back. */
typedef struct RawTerminal {
        int fd;
        bool raw;
        struct termios saved;
} RawTerminal;

void terminal_make_raw(RawTerminal *t, int fd);
void terminal_restore(RawTerminal *t);
