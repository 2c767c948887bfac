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
        /* Supplementary groups given by the caller (an OCI config's additionalGids), used
         * instead of the user's groups in the tree's /etc/group; not owned. */
        bool have_groups;
        const gid_t *groups;
        size_t n_groups;
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

/* The five capability sets of a process, as the kernel keeps them. */
typedef struct CapabilitySets {
        uint64_t bounding, effective, permitted, inheritable, ambient;
} CapabilitySets;

/* nspawn's sets for a container whose bounding set is keep, with ambient raised: root keeps
 * keep in every set, a user other than root gets only the ambient capabilities (what survives
 * its exec).  With --capability=all where the bounding set is full, nspawn changes no set,
 * so root's are the ones the process has: read here, or, for a process that will be born in
 * a user namespace of its own (fresh_userns), the kernel's full sets and an empty inheritable
 * one. */
void capability_sets_nspawn(uint64_t keep, uint64_t ambient, bool fresh_userns, CapabilitySets *ret_root, CapabilitySets *ret_user);

/* The security tail after the system call filter, in nspawn's order: root's bounding set
 * (the process's for good: after the user change it could no longer drop any) and root's
 * effective, permitted and inheritable sets (each limited to what the process has);
 * then, if switch_user, the user's groups and IDs (keeping the permitted set across when the
 * user's has any), and the user's sets (also for a user whose UID is 0); the ambient set;
 * no_new_privs.  On failure *ret_step
 * says which step failed. */
int credentials_apply(const User *u, bool switch_user, const CapabilitySets *root, const CapabilitySets *user, bool no_new_privs,
                      CredentialStep *ret_step);
