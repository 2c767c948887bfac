/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <linux/filter.h>
#include <net/if.h>
#include <netinet/in.h>

#include "bind-user.h"
#include "cgroup.h"
#include "container.h"
#include "device-policy.h"
#include "image.h"
#include "mount-plan.h"
#include "registry.h"
#include "settings.h"
#include "userns.h"

#define RUN_DIR "/run/corral"
#define LOCK_DIR IMAGE_LOCK_DIR
#define SCRATCH_DIR RUN_DIR "/scratch"
#define CACHE_DIR RUN_DIR "/cache"
#define MACHINES_DIR RUN_DIR "/machines"

/* What the launcher knows of a run beyond the settings, for all its boots. */
typedef struct Launch {
        Settings *s;
        ConsoleMode console;
        char uuid[37], machine_id[33], boot_id[37]; /* boot_id: new for each boot */
        const char *os_release;                     /* the host's, to show in /run/host */
        char localtime_link[4096];
        bool have_localtime_link;
        char **env;                           /* PID 1's environment, before the user's own */
        const char *child_lower, *child_work; /* an overlay child image's base and work directory */
} Launch;

/* The device policy's rules beyond the defaults, and the v1 devices cgroup where that is used.
 * The cgroup2 program itself is loaded and attached by container_spawn() while the child
 * builds its file system (it takes 0.3 ms; the child waits for it before its payload runs). */
typedef struct DevicePlan {
        DeviceRule extra[64];
        size_t n_extra;
        size_t n_defaults; /* how many of device_policy_default() apply */
        char **nodes;      /* DeviceAllow= nodes to create in the container's /dev */
} DevicePlan;

/* The bound users of a run, freed with it. */
typedef struct BoundUsers {
        BoundUser *users;
        size_t n;
} BoundUsers;

/* One boot: what boot_build() makes, owned until boot_done(), and the RunConfig that points
 * into it (so a Boot does not move once built). */
typedef struct Boot {
        ContainerCgroup cg;
        DevicesV1 devices_v1;
        DevicePlan devices;
        UsernsPlan userns;
        BoundUsers bound;
        struct sock_fprog filter;
        MountPlan plan;
        int netns; /* --network-namespace-path=, opened */
        char *net_helper;
        char static_host_side[32], static_gateway[INET_ADDRSTRLEN], zone_bridge[IFNAMSIZ];
        MachineRecord record;
        RunConfig config;
} Boot;
#define BOOT_NULL ((Boot){.cg = CONTAINER_CGROUP_NULL, .devices_v1 = DEVICES_V1_NULL, .userns = USERNS_PLAN_NULL, .netns = -1})

/* Builds one boot from the settings and l (whose boot_id is this boot's): the resources in the
 * order the spawn needs them, then the RunConfig.  On failure what was made is left in b for
 * boot_done(). */
int boot_build(const Launch *l, Boot *b, Error *e);
/* Frees a boot's resources in the reverse order: the mount plan, the filter, the user
 * namespace's range, the device rules, then the cgroups (the v1 devices cgroup first).  Safe on
 * BOOT_NULL. */
void boot_done(Boot *b);

/* Whether the host has a file at p. */
bool host_has(const char *p);
/* The tree to read path of the image from: an overlay child's, or its base's where the child
 * has nothing at path. */
const char *launch_tree_for(const Launch *l, const char *path);
