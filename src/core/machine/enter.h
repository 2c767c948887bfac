/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <sys/types.h>

#include "error.h"
#include "registry.h"

/* A process started in a running machine, with what the machine's payload got: its
 * namespaces, its cgroup, its capability bounding set, no_new_privs and system call filter
 * (from the registry), the user from the container's own passwd.  No agent in the guest: what
 * corralctl shell and login are built on. */
typedef struct EnterOptions {
        const char *user; /* a name or UID in the container; NULL: root */
        char **argv;      /* NULL: the user's shell, as a login shell */
        char **setenv;    /* NAME=VALUE, over the defaults */
        const char *term; /* $TERM of the session, or NULL */
        bool pty;         /* a new pty from the container's own devpts, handed back */
        bool login;       /* a login prompt on the pty (agetty, getty or login) instead of argv */
} EnterOptions;

/* The host as machinectl's ".host": PID 1's namespaces, no cgroup of its own to join, every
 * capability and no system call filter, the host's users. */
#define ENTER_HOST ".host"
void machine_record_host(MachineRecord *ret);

/* Starts it; *ret_pid is a process outside the machine's PID namespace that waits for it and
 * exits with its status (128+N for signal N).  With o->pty, *ret_master is the pty's master.
 * Errors say which step failed, in the container or before. */
int machine_enter(const char *registry_dir, const MachineRecord *m, const EnterOptions *o, pid_t *ret_pid, int *ret_master, Error *e);
