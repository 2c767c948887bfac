/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "error.h"

/* The namespaces of a container, as an OCI config lists them: each new, the supervisor's own
 * (the host's), or one to join, given as an open fd of a /proc/PID/ns/ file or a bind mount
 * of one.  nspawn's command line makes every one new but the network namespace (new, joined
 * with --network-namespace-path=, or the host's), the user namespace (with -U) and the cgroup
 * namespace (unless $SYSTEMD_NSPAWN_USE_CGNS=0); the time namespace is the host's. */
typedef enum NamespaceKind {
        NS_USER,
        NS_MOUNT,
        NS_PID,
        NS_UTS,
        NS_IPC,
        NS_NET,
        NS_CGROUP,
        NS_TIME,
        _NS_KIND_MAX,
} NamespaceKind;

typedef enum NamespaceMode {
        NS_HOST, /* the supervisor's */
        NS_NEW,
        NS_JOIN,
} NamespaceMode;

typedef struct NamespaceSpec {
        NamespaceMode mode;
        int fd; /* NS_JOIN: the namespace; not owned */
} NamespaceSpec;

/* "net", as /proc/PID/ns names them. */
const char *namespace_kind_to_string(NamespaceKind k);
/* CLONE_NEWNET and so on. */
uint64_t namespace_clone_flag(NamespaceKind k);

/* A namespace the supervisor steps into before the clone, so that the child is born in it,
 * and back out of after. */
typedef struct NamespaceJoin {
        NamespaceKind kind;
        int fd;
} NamespaceJoin;

/* How container_spawn() makes the namespaces: the clone flags of the new ones, and the joins
 * the supervisor steps into around the clone.  A mount namespace to join is not among them:
 * the child joins it itself (stepping in would change the supervisor's root and working
 * directory).  A user namespace cannot be joined (the supervisor could not step back out of
 * it, and the namespaces the clone makes would belong to the supervisor's): refused, with e
 * saying so. */
int namespaces_clone_plan(const NamespaceSpec ns[static _NS_KIND_MAX], uint64_t *ret_flags, NamespaceJoin ret_joins[static _NS_KIND_MAX],
                          size_t *ret_n, Error *e);
