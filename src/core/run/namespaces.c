/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>

#include "macro.h"
#include "namespaces.h"

#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME 0x00000080
#endif

static const struct {
        const char *name;
        uint64_t flag;
} kinds[_NS_KIND_MAX] = {
        [NS_USER] = {"user", CLONE_NEWUSER},       [NS_MOUNT] = {"mnt", CLONE_NEWNS},   [NS_PID] = {"pid", CLONE_NEWPID},
        [NS_UTS] = {"uts", CLONE_NEWUTS},          [NS_IPC] = {"ipc", CLONE_NEWIPC},    [NS_NET] = {"net", CLONE_NEWNET},
        [NS_CGROUP] = {"cgroup", CLONE_NEWCGROUP}, [NS_TIME] = {"time", CLONE_NEWTIME},
};

const char *namespace_kind_to_string(NamespaceKind k)
{
        return k < _NS_KIND_MAX ? kinds[k].name : NULL;
}

uint64_t namespace_clone_flag(NamespaceKind k)
{
        return k < _NS_KIND_MAX ? kinds[k].flag : 0;
}

int namespaces_clone_plan(const NamespaceSpec ns[static _NS_KIND_MAX], uint64_t *ret_flags, NamespaceJoin ret_joins[static _NS_KIND_MAX],
                          size_t *ret_n, Error *e)
{
        uint64_t flags = 0;
        size_t n = 0;

        *ret_flags = 0;
        *ret_n = 0;
        for (NamespaceKind k = 0; k < _NS_KIND_MAX; k++)
                switch (ns[k].mode) {
                case NS_HOST:
                        break;
                case NS_NEW:
                        flags |= kinds[k].flag;
                        break;
                case NS_JOIN:
                        if (ns[k].fd < 0)
                                return error_set(e, -EBADF, "no %s namespace to join", kinds[k].name);
                        /* The child joins these itself: a mount namespace before it builds the
                         * file system, a user namespace once it is built (payload_exec()). */
                        if (k != NS_MOUNT && k != NS_USER)
                                ret_joins[n++] = (NamespaceJoin){k, ns[k].fd};
                        break;
                default:
                        return error_set(e, -EINVAL, "unknown mode for the %s namespace", kinds[k].name);
                }
        *ret_flags = flags;
        *ret_n = n;
        return 0;
}
