/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <poll.h>
#include <stddef.h>

/* The supervisor's console socket, DIR/NAME/console (see registry.h): corralctl console
 * attaches there.  Every client gets the console's output and may type into it and set its
 * window size. */
#define CONSOLE_MAX_CLIENTS 4

typedef struct ConsoleServer {
        int listen_fd;
        int clients[CONSOLE_MAX_CLIENTS];
        int master; /* the console pty's master (borrowed) */
} ConsoleServer;
#define CONSOLE_SERVER_NULL ((ConsoleServer){.listen_fd = -1, .clients = {-1, -1, -1, -1}, .master = -1})

int console_server_open(ConsoleServer *s, const char *dir, const char *name, int master);
/* Fills p with what to poll (at most 1 + CONSOLE_MAX_CLIENTS entries); returns how many. */
size_t console_server_fds(const ConsoleServer *s, struct pollfd *p);
/* Acts on the poll results of those entries. */
void console_server_handle(ConsoleServer *s, const struct pollfd *p, size_t n);
/* The console's output to every client (one that cannot keep up misses it). */
void console_server_send(ConsoleServer *s, const char *buf, size_t n);
void console_server_close(ConsoleServer *s);
