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

/* Sends the n bytes of p (n >= 1) in one message with fd attached (SCM_RIGHTS; -1: none); a
 * peer that is gone is -EPIPE, never SIGPIPE. */
int send_with_fd(int sock, const void *p, size_t n, int fd);

struct sockaddr_un;
/* The address of the unix socket at path, through an O_PATH fd of its directory (*ret_dirfd,
 * to close once connected or bound; -1 where not needed) where path is longer than an address
 * holds. */
int unix_socket_address(const char *path, struct sockaddr_un *ret, int *ret_dirfd);
/* A socket of type (SOCK_STREAM, SOCK_SEQPACKET) connected to the unix socket at path, any
 * length: the fd, or -errno. */
int unix_socket_connect(const char *path, int type);

typedef enum PtyStep {
        PTY_OPEN,   /* opening /dev/pts/ptmx */
        PTY_CHECK,  /* it is not the multiplexer (-EPERM) */
        PTY_UNLOCK, /* unlocking the new pty */
        PTY_PEER,   /* opening its peer */
} PtyStep;

/* A new pty of the devpts instance at /dev/pts of the calling process's root (a container's,
 * once in its mount namespace), checked to be the multiplexer, as a container's root owns that
 * directory: the master (O_RDWR | O_NOCTTY | O_CLOEXEC and flags), its peer in *ret_peer.  On
 * failure a negative errno, and *ret_step says which step failed. */
int pty_open(int flags, int *ret_peer, PtyStep *ret_step);

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
