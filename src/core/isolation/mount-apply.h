/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sys/ioctl.h>

#include "mount-plan.h"

typedef struct ApplyContext {
        const char *scratch;    /* an empty host directory for the staging tmpfs */
        const char *image;      /* the image directory on the host */
        struct winsize winsize; /* the host terminal's size, for the console */
        bool have_winsize;
        int root_fd;  /* -1, or a detached (idmapped) mount of the image to use as the root */
        int sysfs_fd; /* -1, or a detached sysfs the supervisor made, for /sys */
        /* Results */
        int console_master; /* STEP_CONSOLE: the pty master, for the supervisor */
        int console_peer;   /* STEP_CONSOLE: the pty peer, the payload's stdio */
        int notify_fd;      /* STEP_NOTIFY: the bound socket, for the supervisor */
        char *new_root;     /* where the finished root is mounted, for pivot_root */
} ApplyContext;

/* Executes the plan in the calling process, which must be in its own mount namespace.  On
 * failure e names the step and its target.  Leaves the finished tree at ctx->new_root. */
int mount_plan_apply(const MountPlan *p, ApplyContext *ctx, Error *e);
void apply_context_done(ApplyContext *ctx);
/* pivot_root(2) into the finished tree and detach the old root. */
int mount_enter_root(const char *new_root, Error *e);
