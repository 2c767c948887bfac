/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <sched.h>
#include <string.h>

#include "namespaces.h"
#include "tap.h"

#define NEW                \
        {                  \
                NS_NEW, -1 \
        }
#define HOST                \
        {                   \
                NS_HOST, -1 \
        }

TEST(nspawn_default)
{
        /* What nspawn makes for a plain container: every namespace new but the user, network
         * and time ones. */
        NamespaceSpec ns[_NS_KIND_MAX] = {
                [NS_USER] = HOST, [NS_MOUNT] = NEW, [NS_PID] = NEW,    [NS_UTS] = NEW,
                [NS_IPC] = NEW,   [NS_NET] = HOST,  [NS_CGROUP] = NEW, [NS_TIME] = HOST,
        };
        NamespaceJoin joins[_NS_KIND_MAX];
        uint64_t flags;
        size_t n;
        Error e = {0};
        CHECK(namespaces_clone_plan(ns, &flags, joins, &n, &e) == 0 && n == 0, "nothing to join");
        CHECK(flags == (CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWCGROUP), "the clone flags: %#llx",
              (unsigned long long)flags);
        ns[NS_USER] = (NamespaceSpec)NEW;
        ns[NS_NET] = (NamespaceSpec)NEW;
        ns[NS_TIME] = (NamespaceSpec)NEW;
        CHECK(namespaces_clone_plan(ns, &flags, joins, &n, &e) == 0 && (flags & CLONE_NEWUSER) && (flags & CLONE_NEWNET) && (flags & 0x80),
              "-U, a network of its own, a time namespace");
}

TEST(joins)
{
        NamespaceSpec ns[_NS_KIND_MAX] = {
                [NS_USER] = HOST,        [NS_MOUNT] = NEW,        [NS_PID] = {NS_JOIN, 7}, [NS_UTS] = NEW,
                [NS_IPC] = {NS_JOIN, 8}, [NS_NET] = {NS_JOIN, 9}, [NS_CGROUP] = HOST,      [NS_TIME] = HOST,
        };
        NamespaceJoin joins[_NS_KIND_MAX];
        uint64_t flags;
        size_t n;
        Error e = {0};
        CHECK(namespaces_clone_plan(ns, &flags, joins, &n, &e) == 0, "pid, ipc and net joined");
        CHECK(flags == (CLONE_NEWNS | CLONE_NEWUTS), "the joined ones are not new: %#llx", (unsigned long long)flags);
        CHECK(n == 3 && joins[0].kind == NS_PID && joins[0].fd == 7 && joins[1].kind == NS_IPC && joins[1].fd == 8 && joins[2].kind == NS_NET &&
                      joins[2].fd == 9,
              "in the kernel's order, with their fds");

        ns[NS_USER] = (NamespaceSpec){NS_JOIN, 3};
        CHECK(namespaces_clone_plan(ns, &flags, joins, &n, &e) == 0 && n == 3 && !(flags & CLONE_NEWUSER),
              "a user namespace to join is the child's to join (once its file system is built), not the supervisor's to step into");
        e = (Error){0};
        ns[NS_USER] = (NamespaceSpec)HOST;
        ns[NS_MOUNT] = (NamespaceSpec){NS_JOIN, 3};
        CHECK(namespaces_clone_plan(ns, &flags, joins, &n, &e) == 0 && n == 3 && joins[0].kind == NS_PID && !(flags & CLONE_NEWNS),
              "a mount namespace to join is the child's to join, not the supervisor's to step into");
        e = (Error){0};
        ns[NS_MOUNT] = (NamespaceSpec)NEW;
        ns[NS_UTS] = (NamespaceSpec){NS_JOIN, -1};
        CHECK(namespaces_clone_plan(ns, &flags, joins, &n, &e) == -EBADF && strstr(e.msg, "uts"), "a join without a namespace: %s", e.msg);
}

TEST(names)
{
        CHECK(strcmp(namespace_kind_to_string(NS_NET), "net") == 0 && strcmp(namespace_kind_to_string(NS_MOUNT), "mnt") == 0 &&
                      namespace_kind_to_string(_NS_KIND_MAX) == NULL,
              "as /proc/PID/ns names them");
        CHECK(namespace_clone_flag(NS_PID) == CLONE_NEWPID && namespace_clone_flag(_NS_KIND_MAX) == 0, "their clone flags");
}

TAP_MAIN
