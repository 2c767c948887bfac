/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Which system calls a container may make: systemd-nspawn 252's allow list, the user's
 * additions and denials, expanded to names.  Pure data work; seccomp-apply.c loads it. */
#include <errno.h>
#include <linux/capability.h>
#include <string.h>

#include "macro.h"
#include "seccomp-policy.h"
#include "strv.h"

const SyscallGroup *syscall_group_find(const char *name)
{
        for (const SyscallGroup *g = syscall_groups; g->name; g++)
                if (streq(g->name, name))
                        return g;
        return NULL;
}

int syscall_filter_parse(const char *value, char ***allow, char ***deny, const char *what, Error *e)
{
        bool negative = value[0] == '~';
        _cleanup_free_ char *copy = strdup(value + negative);
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (w[0] == '@' && !syscall_group_find(w))
                        return error_set(e, -EINVAL, "%s: unknown system call group \"%s\" (see systemd-analyze syscall-filter)", what, w);
                size_t n = strspn(w, "abcdefghijklmnopqrstuvwxyz_0123456789");
                if (w[0] != '@' && (n == 0 || w[n]))
                        return error_set(e, -EINVAL, "%s: \"%s\" is not a system call name", what, w);
                if (strv_extend(negative ? deny : allow, w) < 0)
                        return -ENOMEM;
        }
        return 0;
}

char **syscall_default_allow_list(uint64_t caps)
{
        /* The groups and single calls nspawn 252 allows, checked against its actual filter by
         * tests/integration (tests/tools/seccomp-dump.py evaluates both filters). */
        static const char *const always[] = {
                "@aio",
                "@basic-io",
                "@chown",
                "@default",
                "@file-system",
                "@io-event",
                "@ipc",
                "@mount",
                "@network-io",
                "@process",
                "@resources",
                "@setuid",
                "@signal",
                "@sync",
                "@timer",
                "capget",
                "capset",
                "copy_file_range",
                "fadvise64",
                "fadvise64_64",
                "flock",
                "get_mempolicy",
                "getcpu",
                "getpriority",
                "ioctl",
                "ioprio_get",
                "kcmp",
                "madvise",
                "mincore",
                "mremap",
                "name_to_handle_at",
                "oldolduname",
                "olduname",
                "personality",
                "readahead",
                "readdir",
                "remap_file_pages",
                "sched_get_priority_max",
                "sched_get_priority_min",
                "sched_getattr",
                "sched_getparam",
                "sched_getscheduler",
                "sched_rr_get_interval",
                "sched_rr_get_interval_time64",
                "seccomp",
                "sendfile",
                "sendfile64",
                "setdomainname",
                "setfsgid",
                "setfsgid32",
                "setfsuid",
                "setfsuid32",
                "sethostname",
                "setpgid",
                "setsid",
                "splice",
                "sysinfo",
                "tee",
                "umask",
                "umount",
                "uname",
                "userfaultfd",
                "vmsplice",
        };
        static const struct {
                int cap;
                const char *name;
        } by_cap[] = {
                {CAP_IPC_LOCK, "@memlock"}, {CAP_SYS_MODULE, "@module"},     {CAP_SYS_RAWIO, "@raw-io"},
                {CAP_SYS_TIME, "@clock"},   {CAP_SYS_PACCT, "acct"},         {CAP_SYS_BOOT, "reboot"},
                {CAP_SYS_PTRACE, "ptrace"}, {CAP_SYS_TTY_CONFIG, "vhangup"}, {CAP_SYSLOG, "syslog"},
        };
        char **l = NULL;
        for (size_t i = 0; i < ELEMENTSOF(always); i++)
                if (strv_extend(&l, always[i]) < 0)
                        goto oom;
        for (size_t i = 0; i < ELEMENTSOF(by_cap); i++)
                if ((caps & (UINT64_C(1) << by_cap[i].cap)) && strv_extend(&l, by_cap[i].name) < 0)
                        goto oom;
        return l;
oom:
        strv_free(l);
        return NULL;
}

static int expand(const char *entry, char ***names, int depth)
{
        if (entry[0] != '@')
                return strv_extend(names, entry); /* duplicates are harmless, and cheaper than a search */
        const SyscallGroup *g = syscall_group_find(entry);
        if (!g || depth > 8)
                return -EINVAL;
        for (const char *const *i = g->entries; *i; i++) {
                int r = expand(*i, names, depth + 1);
                if (r < 0)
                        return r;
        }
        return 0;
}

char **syscall_policy_names(uint64_t caps, char *const *allow, char *const *deny)
{
        _cleanup_strv_free_ char **base = syscall_default_allow_list(caps);
        _cleanup_strv_free_ char **denied = NULL;
        char **names = NULL;
        size_t k = 0;
        if (!base)
                return NULL;
        for (char *const *i = base; *i; i++)
                if (expand(*i, &names, 0) < 0)
                        goto fail;
        for (char *const *i = allow; i && *i; i++)
                if (expand(*i, &names, 0) < 0)
                        goto fail;
        for (char *const *i = deny; i && *i; i++)
                if (expand(*i, &denied, 0) < 0)
                        goto fail;
        /* A denial wins over everything allowed, as nspawn. */
        for (size_t j = 0; names && names[j]; j++) {
                if (strv_contains(denied, names[j]))
                        free(names[j]);
                else
                        names[k++] = names[j];
        }
        if (names)
                names[k] = NULL;
        return names;
fail:
        strv_free(names);
        return NULL;
}
