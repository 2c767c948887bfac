/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Who a process in the container runs as, looked up in the container's own /etc/passwd (never
 * the host's NSS): used by the payload and by whatever corralctl starts in a running machine. */
typedef struct User {
        uid_t uid;
        gid_t gid;
        char *name; /* NULL for a UID without a passwd entry */
        char *home;
        char *shell;
} User;

/* spec is a name or a UID; must be called with the container's root as "/".  -ESRCH: no such
 * user. */
int user_lookup(const char *spec, User *ret);
void user_done(User *u);

typedef enum CredentialStep {
        CREDENTIALS_CAPABILITIES,
        CREDENTIALS_GROUPS,
        CREDENTIALS_USER,
        CREDENTIALS_AMBIENT,
        CREDENTIALS_NO_NEW_PRIVS,
} CredentialStep;

/* The security tail after the system call filter, in nspawn's order: the capability bounding
 * set becomes keep; then, if switch_user, the user's groups and IDs; the ambient capabilities;
 * no_new_privs.  On failure *ret_step says which step failed. */
int credentials_apply(const User *u, bool switch_user, uint64_t keep, uint64_t ambient, bool no_new_privs, CredentialStep *ret_step);
