/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"

/* Whether systemd runs as PID 1 (sd_booted(): /run/systemd/system is a directory).
 * CORRAL_SYSTEMD=0 in the environment makes corral act as on a host without systemd. */
bool systemd_is_pid1(void);

/* Asks systemd (over its private socket, as root) for the transient scope unit in slice, with
 * Delegate=yes, holding pid, and waits until pid is in it.  A scope of that name with processes
 * is what a supervisor of machine name that died left (the caller holds the name's lock): they
 * are killed, saying so, and the scope is asked for again once systemd has collected it.
 * Errors say what systemd said. */
int systemd_start_scope(const char *name, const char *unit, const char *slice, const char *description, pid_t pid, Error *e);
