/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "resources.h"

/* Which device nodes a container may use: systemd-nspawn's DevicePolicy=closed set (null, zero,
 * full, random, urandom, tty, ptmx, the pty slaves, net/tun) plus what the user allows, enforced
 * by the cgroup (a BPF program on cgroup2, the devices controller on v1).  A node made with
 * mknod for anything else cannot be opened.
 *
 * The default rules; n is set to their number.  The last is /dev/net/tun, so the first n-1 are
 * systemd's DevicePolicy=closed set of standard pseudo devices. */
const DeviceRule *device_policy_default(size_t *n);

/* Attaches the policy (the first n_defaults defaults + extra) to the cgroup2 directory cgroup_fd as a
 * BPF_CGROUP_DEVICE program, in multi mode so a systemd inside can add its own restrictions. */
int device_policy_attach(int cgroup_fd, size_t n_defaults, const DeviceRule *extra, size_t n_extra, Error *e);

/* cgroup v1 hosts (and hybrid ones, where both apply): the devices controller. */
typedef struct DevicesV1 {
        char *path;
        size_t keep; /* the length of path's part that is not ours to remove */
        int fd;      /* the container's devices cgroup */
        int back_fd; /* the supervisor's own, while it has stepped into the container's */
} DevicesV1;
#define DEVICES_V1_NULL ((DevicesV1){.fd = -1, .back_fd = -1})

bool device_policy_v1_available(void);
int device_policy_v1_create(const char *rel, size_t keep, size_t n_defaults, const DeviceRule *extra, size_t n_extra, DevicesV1 *ret, Error *e);
/* The supervisor steps into the cgroup for the clone (the child is born there) and back. */
int device_policy_v1_enter(DevicesV1 *d, Error *e);
void device_policy_v1_leave(DevicesV1 *d);
void device_policy_v1_remove(DevicesV1 *d);
/* The devices cgroup made for rel earlier (device_policy_v1_create(), keep as there), by a
 * later process. */
void device_policy_v1_remove_at(const char *rel, size_t keep);
