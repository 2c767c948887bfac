/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Capability names and sets, as systemd spells them. */
#include <linux/capability.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "capability.h"
#include "macro.h"
#include "parse-util.h"

static const char *const names[] = {
        [CAP_CHOWN] = "cap_chown",
        [CAP_DAC_OVERRIDE] = "cap_dac_override",
        [CAP_DAC_READ_SEARCH] = "cap_dac_read_search",
        [CAP_FOWNER] = "cap_fowner",
        [CAP_FSETID] = "cap_fsetid",
        [CAP_KILL] = "cap_kill",
        [CAP_SETGID] = "cap_setgid",
        [CAP_SETUID] = "cap_setuid",
        [CAP_SETPCAP] = "cap_setpcap",
        [CAP_LINUX_IMMUTABLE] = "cap_linux_immutable",
        [CAP_NET_BIND_SERVICE] = "cap_net_bind_service",
        [CAP_NET_BROADCAST] = "cap_net_broadcast",
        [CAP_NET_ADMIN] = "cap_net_admin",
        [CAP_NET_RAW] = "cap_net_raw",
        [CAP_IPC_LOCK] = "cap_ipc_lock",
        [CAP_IPC_OWNER] = "cap_ipc_owner",
        [CAP_SYS_MODULE] = "cap_sys_module",
        [CAP_SYS_RAWIO] = "cap_sys_rawio",
        [CAP_SYS_CHROOT] = "cap_sys_chroot",
        [CAP_SYS_PTRACE] = "cap_sys_ptrace",
        [CAP_SYS_PACCT] = "cap_sys_pacct",
        [CAP_SYS_ADMIN] = "cap_sys_admin",
        [CAP_SYS_BOOT] = "cap_sys_boot",
        [CAP_SYS_NICE] = "cap_sys_nice",
        [CAP_SYS_RESOURCE] = "cap_sys_resource",
        [CAP_SYS_TIME] = "cap_sys_time",
        [CAP_SYS_TTY_CONFIG] = "cap_sys_tty_config",
        [CAP_MKNOD] = "cap_mknod",
        [CAP_LEASE] = "cap_lease",
        [CAP_AUDIT_WRITE] = "cap_audit_write",
        [CAP_AUDIT_CONTROL] = "cap_audit_control",
        [CAP_SETFCAP] = "cap_setfcap",
        [CAP_MAC_OVERRIDE] = "cap_mac_override",
        [CAP_MAC_ADMIN] = "cap_mac_admin",
        [CAP_SYSLOG] = "cap_syslog",
        [CAP_WAKE_ALARM] = "cap_wake_alarm",
        [CAP_BLOCK_SUSPEND] = "cap_block_suspend",
        [CAP_AUDIT_READ] = "cap_audit_read",
        [38] = "cap_perfmon",
        [39] = "cap_bpf",
        [40] = "cap_checkpoint_restore",
};

uint64_t capability_default_set(void)
{
        static const int keep[] = {
                CAP_AUDIT_CONTROL, CAP_AUDIT_WRITE, CAP_CHOWN,      CAP_DAC_OVERRIDE,    CAP_DAC_READ_SEARCH, CAP_FOWNER,           CAP_FSETID,
                CAP_IPC_OWNER,     CAP_KILL,        CAP_LEASE,      CAP_LINUX_IMMUTABLE, CAP_MKNOD,           CAP_NET_BIND_SERVICE, CAP_NET_BROADCAST,
                CAP_NET_RAW,       CAP_SETFCAP,     CAP_SETGID,     CAP_SETPCAP,         CAP_SETUID,          CAP_SYS_ADMIN,        CAP_SYS_BOOT,
                CAP_SYS_CHROOT,    CAP_SYS_NICE,    CAP_SYS_PTRACE, CAP_SYS_RESOURCE,    CAP_SYS_TTY_CONFIG,
        };
        uint64_t m = 0;
        for (size_t i = 0; i < ELEMENTSOF(keep); i++)
                m |= UINT64_C(1) << keep[i];
        return m;
}

const char *capability_to_name(int cap)
{
        return cap >= 0 && (size_t)cap < ELEMENTSOF(names) ? names[cap] : NULL;
}

int capability_from_name(const char *name)
{
        unsigned long n;
        if (parse_unsigned(name, &n) >= 0)
                return n <= 63 ? (int)n : -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(names); i++)
                if (names[i] && strcasecmp(names[i], name) == 0)
                        return (int)i;
        return -EINVAL;
}

int capability_set_parse(const char *spec, const char *seps, uint64_t *ret, const char *what, Error *e)
{
        _cleanup_free_ char *copy = strdup(spec);
        uint64_t m = 0;
        if (!copy)
                return -ENOMEM;
        for (char *save = NULL, *w = strtok_r(copy, seps, &save); w; w = strtok_r(NULL, seps, &save)) {
                if (streq(w, "all")) {
                        m = CAP_SET_ALL;
                        continue;
                }
                int c = capability_from_name(w);
                if (c < 0)
                        return error_set(e, -EINVAL, "%s: unknown capability \"%s\" (names as in capabilities(7), like CAP_NET_ADMIN, or \"all\")",
                                         what, w);
                m |= UINT64_C(1) << c;
        }
        *ret |= m;
        return 0;
}
