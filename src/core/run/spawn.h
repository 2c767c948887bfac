/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include "container.h"
#include "net-setup.h"

typedef struct Spawned {
        pid_t pid; /* the container's PID 1, as the host sees it */
        int pidfd;
        int console_master; /* -1 with --console=pipe */
        int console_peer;   /* held so the master never sees a hangup between payload writers */
        int notify_fd;
        NetState net;
} Spawned;

/* Runs the spawn sequence up to the payload's exec.  On failure the child is gone and e says why. */
int container_spawn(const RunConfig *c, Spawned *ret, Error *e);
