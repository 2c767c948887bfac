/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* --bind-user=: a user of the host, with its home, in a container with a user namespace, as
 * nspawn binds one: the home at /run/host/home/NAME, the host's UID and GID mapped to a
 * container UID (and GID) of 60514...60577, and nss-systemd's user and group records in
 * /run/host/userdb. */
#define BIND_USER_UID_MIN 60514u
#define BIND_USER_UID_MAX 60577u

typedef struct BoundUser {
        char *name; /* also its group's name: only users with a private group */
        uint32_t host_uid, host_gid;
        uint32_t uid;          /* in the container; its GID too */
        char *home;            /* on the host */
        char *hashed_password; /* from the host's /etc/shadow, or NULL */
} BoundUser;

/* Looks the users up in the host's /etc/passwd, /etc/group and /etc/shadow, refuses what
 * nspawn refuses (root, nobody, an ID inside the container's range [shift, shift+range), a
 * user without a private group, a name the container's /etc/passwd or /etc/group has), and
 * gives each the first container UID free in the tree's /etc/passwd and /etc/group. tree_fd:
 * the container's root directory. */
int bound_users_resolve(char *const *names, int tree_fd, uint32_t shift, uint32_t range, BoundUser **ret, size_t *ret_n, Error *e);
void bound_users_free(BoundUser *u, size_t n);

/* u's records as nspawn 252 writes them: NAME.user, NAME.group and (with a password hash)
 * NAME.user-privileged.  Newly allocated; *privileged NULL without a hash. */
int bound_user_records(const BoundUser *u, char **user, char **group, char **privileged);
