/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <sys/types.h>

/* Every signal back to its default disposition and none blocked: what a program we exec
 * expects. */
void signals_reset_all(void);

/* Receives one sd_notify datagram into buf (NUL-terminated) and who sent it (its
 * SCM_CREDENTIALS; the socket needs SO_PASSCRED).  Passed file descriptors are closed.
 * Returns the length, -EAGAIN when nothing is there, -EBADMSG for a message without
 * credentials or too long for buf. */
ssize_t notify_receive(int fd, char *buf, size_t size, pid_t *ret_sender);
