/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Every signal back to its default disposition and none blocked: what a program we exec
 * expects. */
void signals_reset_all(void);

/* Whether pid is in a namespace of type ns ("user", "net", ...) other than ours; false too when
 * either cannot be looked at (a kernel without that type, a process gone). */
bool pid_namespace_differs(pid_t pid, const char *ns);

/* Receives one sd_notify datagram into buf (NUL-terminated) and who sent it (its
 * SCM_CREDENTIALS; the socket needs SO_PASSCRED).  Passed file descriptors are closed.
 * Returns the length, -EAGAIN when nothing is there, -EBADMSG for a message without
 * credentials or too long for buf. */
ssize_t notify_receive(int fd, char *buf, size_t size, pid_t *ret_sender);
