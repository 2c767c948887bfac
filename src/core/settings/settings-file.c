/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <net/if.h>
#include <stdarg.h>

#include "seccomp-policy.h"
#include "exec-limits.h"
#include "capability.h"
#include "fs-util.h"
#include "parse-util.h"
#include "settings.h"
#include "strv.h"

/* One row per .nspawn key: section, key, parser, the mask bit it sets. */

typedef struct KeyContext {
        const char *path;
        unsigned line;
        const char *section;
        const char *key;
} KeyContext;

typedef int (*KeyParser)(Settings *s, const char *v, const KeyContext *c, Error *e);

typedef struct KeyRow {
        const char *section;
        const char *key;
        KeyParser parse;
        uint64_t mask;
} KeyRow;

#define BAD(c, e, fmt, ...) error_set(e, -EINVAL, "%s:%u: %s=%s: " fmt, (c)->path, (c)->line, (c)->key, v, ##__VA_ARGS__)

static int parse_bool_value(const char *v, const KeyContext *c, Error *e)
{
        int b = parse_boolean(v);
        if (b < 0)
                return BAD(c, e, "expected a boolean (yes/no)");
        return b;
}

static int p_boot(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        if (b < 0)
                return b;
        if (b)
                s->start_mode = START_BOOT;
        else if (s->start_mode == START_BOOT)
                s->start_mode = START_PID1;
        return 0;
}

static int p_process_two(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        if (b < 0)
                return b;
        if (b)
                s->start_mode = START_PID2;
        else if (s->start_mode == START_PID2)
                s->start_mode = START_PID1;
        return 0;
}

static int p_ephemeral(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (s->ephemeral = b, 0);
}

static int p_read_only(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (s->read_only = b, 0);
}

static int p_private_users(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        /* Empty: the file says nothing about it after all (systemd's rule for an empty
         * assignment; nspawn 252 warns and ignores the value). */
        if (!*v) {
                s->private_users.set = false;
                s->uid_shift = s->uid_range = 0;
                return 0;
        }
        if (private_users_parse(s, v) < 0)
                return BAD(c, e, "expected a boolean, \"pick\", \"identity\" or UID[:COUNT]");
        return 0;
}

static int p_private_users_ownership(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int m = user_namespace_ownership_from_string(v);
        if (m < 0)
                return BAD(c, e, "expected off, chown, map or auto");
        OPTIONAL_SET(s->userns_ownership, m);
        return 0;
}

static int p_private_users_chown(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        if (b < 0)
                return b;
        OPTIONAL_SET(s->userns_ownership, b ? USER_NAMESPACE_OWNERSHIP_CHOWN : USER_NAMESPACE_OWNERSHIP_OFF);
        return 0;
}

static int p_notify_ready(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->notify_ready, b), 0);
}

/* Capability=, DropCapability=, AmbientCapability=: whitespace-separated names, lines add up;
 * an empty value resets the list. */
static int p_capability(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        uint64_t *set = streq(c->key, "Capability")       ? &s->capability_plus
                        : streq(c->key, "DropCapability") ? &s->capability_minus
                                                          : &s->capability_ambient;
        char what[256];
        if (!*v) {
                *set = 0;
                return 0;
        }
        snprintf(what, sizeof(what), "%s:%u: %s=", c->path, c->line, c->key);
        return capability_set_parse(v, " \t", set, what, e);
}

/* SystemCallFilter=: lines add up; an empty value resets both lists. */
static int p_system_call_filter(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        char what[256];
        if (!*v) {
                s->syscall_allow_list = strv_free(s->syscall_allow_list);
                s->syscall_deny_list = strv_free(s->syscall_deny_list);
                return 0;
        }
        snprintf(what, sizeof(what), "%s:%u: SystemCallFilter=", c->path, c->line);
        return syscall_filter_parse(v, &s->syscall_allow_list, &s->syscall_deny_list, what, e);
}

static int p_no_new_privileges(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->no_new_privileges, b), 0);
}

/* LimitNOFILE= etc.: the resource is in the key; its bit is set here, since there are 16. */
static int p_rlimit(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int r = rlimit_from_name(c->key);
        if (r < 0)
                return BAD(c, e, "unknown resource limit");
        if (!*v) { /* an empty value resets the limit to the default */
                s->mask &= ~SETTING_RLIMIT(r);
                return 0;
        }
        if (rlimit_parse(r, v, &s->rlimit[r]) < 0)
                return BAD(c, e, "expected SOFT[:HARD] (numbers with the unit of %s, or infinity; soft not above hard)", rlimit_to_name(r));
        s->mask |= SETTING_RLIMIT(r);
        return 0;
}

static int p_oom_score_adjust(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (oom_score_adjust_parse(s, v) < 0)
                return BAD(c, e, "expected a number from -1000 to 1000");
        return 0;
}

static int p_cpu_affinity(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        char what[256];
        snprintf(what, sizeof(what), "%s:%u: CPUAffinity=", c->path, c->line);
        return cpu_affinity_parse(s, v, e, what);
}

static int p_suppress_sync(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->suppress_sync, b), 0);
}

static int p_parameters(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        char **l;
        if (split_words(v, &l) < 0)
                return BAD(c, e, "unbalanced quotes or bad escape");
        if (!*l) { /* empty assignment resets */
                strv_free(l);
                l = NULL;
        }
        strv_free(s->parameters);
        s->parameters = l;
        return 0;
}

static int p_environment(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        _cleanup_strv_free_ char **l = NULL;
        int r;
        if (split_words(v, &l) < 0)
                return BAD(c, e, "unbalanced quotes or bad escape");
        if (!*l) {
                s->environment = strv_free(s->environment);
                return 0;
        }
        for (char **i = l; *i; i++) {
                if (!env_assignment_is_valid(*i))
                        return BAD(c, e, "\"%s\" is not a NAME=VALUE assignment", *i);
                if ((r = strv_env_set(&s->environment, *i)) < 0)
                        return r;
        }
        return 0;
}

static int set_string(char **field, const char *v)
{
        char *n = NULL;
        if (*v && !(n = strdup(v)))
                return -ENOMEM;
        free(*field);
        *field = n;
        return 0;
}

static int p_user(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return set_string(&s->user, v);
}

static int p_working_directory(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (!path_is_absolute(v))
                return BAD(c, e, "expected an absolute path");
        return set_string(&s->working_directory, v);
}

static int p_pivot_root(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        _cleanup_free_ char *n = NULL;
        const char *rest;
        int r;
        if ((r = split_colon(v, &n, &rest)) < 0)
                return r;
        if (!path_is_absolute(n) || (rest && !path_is_absolute(rest)))
                return BAD(c, e, "expected PATH[:PATH] with absolute paths");
        free(s->pivot_root_new);
        s->pivot_root_new = TAKE_PTR(n);
        return set_string(&s->pivot_root_old, rest ? rest : "");
}

static int p_kill_signal(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (parse_signal(v, &s->kill_signal.value) < 0)
                return BAD(c, e, "not a signal name or number");
        s->kill_signal.set = true;
        return 0;
}

static int p_poweroff_signal(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (parse_signal(v, &s->poweroff_signal.value) < 0)
                return BAD(c, e, "not a signal name or number");
        s->poweroff_signal.set = true;
        return 0;
}

static int p_personality(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (personality_from_string(v, &s->personality.value) < 0)
                return BAD(c, e, "unknown architecture; known: x86, x86-64");
        s->personality.set = true;
        return 0;
}

static int p_machine_id(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (parse_uuid(v, s->uuid.value) < 0)
                return BAD(c, e, "expected a 128-bit ID (32 hex digits)");
        s->uuid.set = true;
        return 0;
}

static int p_hostname(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (*v && !hostname_is_valid(v))
                return BAD(c, e, "not a valid hostname");
        return set_string(&s->hostname, v);
}

static int p_resolv_conf(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int m = resolv_conf_mode_from_string(v);
        return m < 0 ? BAD(c, e, "unknown mode; see --resolv-conf= in corral(1)") : (s->resolv_conf = m, 0);
}

static int p_timezone(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int m = timezone_mode_from_string(v);
        return m < 0 ? BAD(c, e, "unknown mode; known: off, copy, bind, symlink, delete, auto") : (s->timezone = m, 0);
}

static int p_link_journal(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int m = link_journal_from_string(v);
        return m < 0 ? BAD(c, e, "unknown mode; known: no, auto, host, guest, try-host, try-guest") : (s->link_journal = m, 0);
}

static int p_volatile(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int m = volatile_mode_from_string(v);
        return m < 0 ? BAD(c, e, "unknown mode; known: no, yes, state, overlay") : (s->volatile_mode = m, 0);
}

/* The mount parsers write messages that name the option; prefix them with file and line. */
static int with_location(int r, const KeyContext *c, Error *e)
{
        if (r < 0 && e && e->code == r) {
                char tmp[sizeof(e->msg)];
                /* A message too long for the buffer is cut, never lost. */
                if (snprintf(tmp, sizeof(tmp), "%s:%u: %s= %s", c->path, c->line, c->key, e->msg) >= 0)
                        memcpy(e->msg, tmp, sizeof(tmp));
        }
        return r;
}

static int p_bind(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return with_location(custom_mount_parse_bind(s, v, false, e), c, e);
}

static int p_bind_ro(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return with_location(custom_mount_parse_bind(s, v, true, e), c, e);
}

static int p_tmpfs(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return with_location(custom_mount_parse_tmpfs(s, v, e), c, e);
}

static int p_inaccessible(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return with_location(custom_mount_parse_inaccessible(s, v, e), c, e);
}

static int p_overlay(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return with_location(custom_mount_parse_overlay(s, v, false, e), c, e);
}

static int p_overlay_ro(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return with_location(custom_mount_parse_overlay(s, v, true, e), c, e);
}

/* Names separated by spaces, added to those before; empty: none. */
static int p_bind_user(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        _cleanup_strv_free_ char **l = NULL;
        if (split_words(v, &l) < 0)
                return BAD(c, e, "unbalanced quotes or bad escape");
        if (!*l) {
                s->bind_users = strv_free(s->bind_users);
                return 0;
        }
        for (char **i = l; *i; i++) {
                if (!bind_user_name_is_valid(*i))
                        return BAD(c, e, "\"%s\" is not a user name", *i);
                if (!strv_contains(s->bind_users, *i) && strv_extend(&s->bind_users, *i) < 0)
                        return -ENOMEM;
        }
        return 0;
}

static int p_private_network(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->private_network, b), 0);
}

static int p_virtual_ethernet(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->network_veth, b), 0);
}

static int p_bridge(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (!ifname_valid(v))
                return BAD(c, e, "expected a network interface name (at most 15 characters, no '/', ':' or spaces)");
        return set_string(&s->network_bridge, v);
}

/* Space-separated names added to *l, each checked with valid(); "" empties the list. */
static int name_list(char ***l, const char *v, bool (*valid)(const char *), const KeyContext *c, Error *e)
{
        if (!*v) {
                *l = strv_free(*l);
                return 0;
        }
        char *copy = strdup(v), *save = NULL;
        if (!copy)
                return -ENOMEM;
        int r = 0;
        for (char *w = strtok_r(copy, " \t", &save); w && r >= 0; w = strtok_r(NULL, " \t", &save)) {
                if (!valid(w))
                        r = error_set(e, -EINVAL, "%s:%u: %s=%s: \"%s\" is not a network interface name (1-15 characters, no '/', ':' or spaces%s)",
                                      c->path, c->line, c->key, v, w, valid == veth_extra_valid ? "; HOST[:CONTAINER]" : "");
                else
                        r = strv_extend(l, w);
        }
        free(copy);
        return r;
}

static int p_veth_extra(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return name_list(&s->network_veth_extra, v, veth_extra_valid, c, e);
}

static int p_macvlan(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return name_list(&s->network_macvlan, v, ifname_valid, c, e);
}

/* corral's Address= and Gateway= in [Network]: host0 configured from outside, for guests
 * without a DHCP client. */
static int p_address(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        uint32_t a;
        unsigned len;
        if (ipv4_prefix_parse(v, 1, 30, &a, &len) < 0)
                return BAD(c, e, "expected an IPv4 address with its prefix length, e.g. 10.5.0.2/24");
        return set_string(&s->network_address, v);
}

static int p_gateway(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        uint32_t a;
        if (ipv4_address_parse(v, &a) < 0)
                return BAD(c, e, "expected an IPv4 address, e.g. 10.5.0.1");
        return set_string(&s->network_gateway, v);
}

static int p_masquerade(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->network_masquerade, b), 0);
}

static int p_zone(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        if (!zone_name_valid(v))
                return BAD(c, e, "expected a zone name that makes an interface name with \"vz-\" before it (1-12 characters, no '/', ':' or spaces)");
        return set_string(&s->network_zone, v);
}

static int p_port(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int r = expose_port_add(s, v);
        if (r == -EEXIST)
                return error_set(e, r, "%s:%u: %s=%s: this protocol and host port are forwarded already", c->path, c->line, c->key, v);
        if (r == -EINVAL)
                return BAD(c, e, "expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535");
        return r;
}

static int p_interface(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return name_list(&s->network_interfaces, v, ifname_valid, c, e);
}

static int p_ipvlan(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        return name_list(&s->network_ipvlan, v, ifname_valid, c, e);
}

/* corral's Nesting= in [Exec]. */
static int p_nesting(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int b = parse_bool_value(v, c, e);
        return b < 0 ? b : (OPTIONAL_SET(s->nesting, b), 0);
}

/* [Resources]: corral's section (nspawn ignores it), with systemd's resource-control names. */
static int p_resource(Settings *s, const char *v, const KeyContext *c, Error *e)
{
        int r = streq(c->key, "Slice") ? resources_set_slice(&s->resources, v, e) : resources_set(&s->resources, c->key, v, e);
        return with_location(r, c, e);
}

static const KeyRow key_table[] = {
        {"Exec", "Boot", p_boot, SETTING_START_MODE},
        {"Exec", "ProcessTwo", p_process_two, SETTING_START_MODE},
        {"Exec", "Parameters", p_parameters, SETTING_START_MODE},
        {"Exec", "Environment", p_environment, SETTING_ENVIRONMENT},
        {"Exec", "User", p_user, SETTING_USER},
        {"Exec", "WorkingDirectory", p_working_directory, SETTING_WORKING_DIRECTORY},
        {"Exec", "PivotRoot", p_pivot_root, SETTING_PIVOT_ROOT},
        {"Exec", "KillSignal", p_kill_signal, SETTING_KILL_SIGNAL},
        {"Exec", "PoweroffSignal", p_poweroff_signal, SETTING_POWEROFF_SIGNAL},
        {"Exec", "Personality", p_personality, SETTING_PERSONALITY},
        {"Exec", "MachineID", p_machine_id, SETTING_MACHINE_ID},
        {"Exec", "Hostname", p_hostname, SETTING_HOSTNAME},
        {"Exec", "NotifyReady", p_notify_ready, SETTING_NOTIFY_READY},
        {"Exec", "ResolvConf", p_resolv_conf, SETTING_RESOLV_CONF},
        {"Exec", "Timezone", p_timezone, SETTING_TIMEZONE},
        {"Exec", "LinkJournal", p_link_journal, SETTING_LINK_JOURNAL},
        {"Exec", "Ephemeral", p_ephemeral, SETTING_EPHEMERAL},
        {"Exec", "SuppressSync", p_suppress_sync, SETTING_SUPPRESS_SYNC},
        {"Exec", "Capability", p_capability, SETTING_CAPABILITY},
        {"Exec", "DropCapability", p_capability, SETTING_CAPABILITY},
        {"Exec", "AmbientCapability", p_capability, SETTING_CAPABILITY},
        {"Exec", "NoNewPrivileges", p_no_new_privileges, SETTING_NO_NEW_PRIVILEGES},
        {"Exec", "SystemCallFilter", p_system_call_filter, SETTING_SYSCALL_FILTER},
        {"Exec", "PrivateUsers", p_private_users, SETTING_USERNS},
        {"Exec", "OOMScoreAdjust", p_oom_score_adjust, SETTING_OOM_SCORE_ADJUST},
        {"Exec", "CPUAffinity", p_cpu_affinity, SETTING_CPU_AFFINITY},
        {"Exec", "Nesting", p_nesting, SETTING_NESTING},
        {"Exec", "LimitCPU", p_rlimit, 0},
        {"Exec", "LimitFSIZE", p_rlimit, 0},
        {"Exec", "LimitDATA", p_rlimit, 0},
        {"Exec", "LimitSTACK", p_rlimit, 0},
        {"Exec", "LimitCORE", p_rlimit, 0},
        {"Exec", "LimitRSS", p_rlimit, 0},
        {"Exec", "LimitNOFILE", p_rlimit, 0},
        {"Exec", "LimitAS", p_rlimit, 0},
        {"Exec", "LimitNPROC", p_rlimit, 0},
        {"Exec", "LimitMEMLOCK", p_rlimit, 0},
        {"Exec", "LimitLOCKS", p_rlimit, 0},
        {"Exec", "LimitSIGPENDING", p_rlimit, 0},
        {"Exec", "LimitMSGQUEUE", p_rlimit, 0},
        {"Exec", "LimitNICE", p_rlimit, 0},
        {"Exec", "LimitRTPRIO", p_rlimit, 0},
        {"Exec", "LimitRTTIME", p_rlimit, 0},
        {"Files", "ReadOnly", p_read_only, SETTING_READ_ONLY},
        {"Files", "Volatile", p_volatile, SETTING_VOLATILE_MODE},
        {"Files", "Bind", p_bind, SETTING_CUSTOM_MOUNTS},
        {"Files", "BindReadOnly", p_bind_ro, SETTING_CUSTOM_MOUNTS},
        {"Files", "TemporaryFileSystem", p_tmpfs, SETTING_CUSTOM_MOUNTS},
        {"Files", "Inaccessible", p_inaccessible, SETTING_CUSTOM_MOUNTS},
        {"Files", "Overlay", p_overlay, SETTING_CUSTOM_MOUNTS},
        {"Files", "OverlayReadOnly", p_overlay_ro, SETTING_CUSTOM_MOUNTS},
        {"Files", "PrivateUsersChown", p_private_users_chown, SETTING_USERNS},
        {"Files", "PrivateUsersOwnership", p_private_users_ownership, SETTING_USERNS},
        {"Files", "BindUser", p_bind_user, SETTING_BIND_USER},
        {"Network", "Private", p_private_network, SETTING_NETWORK},
        {"Network", "VirtualEthernet", p_virtual_ethernet, SETTING_NETWORK},
        {"Network", "VirtualEthernetExtra", p_veth_extra, SETTING_NETWORK},
        {"Network", "Interface", p_interface, SETTING_NETWORK},
        {"Network", "Address", p_address, SETTING_NETWORK},
        {"Network", "Gateway", p_gateway, SETTING_NETWORK},
        {"Network", "Masquerade", p_masquerade, SETTING_NETWORK},
        {"Network", "MACVLAN", p_macvlan, SETTING_NETWORK},
        {"Network", "IPVLAN", p_ipvlan, SETTING_NETWORK},
        {"Network", "Bridge", p_bridge, SETTING_NETWORK},
        {"Network", "Zone", p_zone, SETTING_NETWORK},
        {"Network", "Port", p_port, SETTING_EXPOSE_PORTS},
        {"Resources", "Slice", p_resource, SETTING_RESOURCES},
        {"Resources", "MemoryMax", p_resource, SETTING_RESOURCES},
        {"Resources", "MemoryHigh", p_resource, SETTING_RESOURCES},
        {"Resources", "MemoryLow", p_resource, SETTING_RESOURCES},
        {"Resources", "MemorySwapMax", p_resource, SETTING_RESOURCES},
        {"Resources", "CPUQuota", p_resource, SETTING_RESOURCES},
        {"Resources", "CPUQuotaPeriodSec", p_resource, SETTING_RESOURCES},
        {"Resources", "CPUWeight", p_resource, SETTING_RESOURCES},
        {"Resources", "CPUShares", p_resource, SETTING_RESOURCES},
        {"Resources", "AllowedCPUs", p_resource, SETTING_RESOURCES},
        {"Resources", "AllowedMemoryNodes", p_resource, SETTING_RESOURCES},
        {"Resources", "IOWeight", p_resource, SETTING_RESOURCES},
        {"Resources", "IODeviceWeight", p_resource, SETTING_RESOURCES},
        {"Resources", "IOReadBandwidthMax", p_resource, SETTING_RESOURCES},
        {"Resources", "IOWriteBandwidthMax", p_resource, SETTING_RESOURCES},
        {"Resources", "IOReadIOPSMax", p_resource, SETTING_RESOURCES},
        {"Resources", "IOWriteIOPSMax", p_resource, SETTING_RESOURCES},
        {"Resources", "TasksMax", p_resource, SETTING_RESOURCES},
        {"Resources", "DeviceAllow", p_resource, SETTING_RESOURCES},
        {"Resources", "DevicePolicy", p_resource, SETTING_RESOURCES},
        {"Resources", "MemoryAccounting", p_resource, SETTING_RESOURCES},
        {"Resources", "CPUAccounting", p_resource, SETTING_RESOURCES},
        {"Resources", "IOAccounting", p_resource, SETTING_RESOURCES},
        {"Resources", "TasksAccounting", p_resource, SETTING_RESOURCES},
};

static const KeyRow *find_key(const char *section, const char *key, bool *section_known)
{
        *section_known = false;
        for (size_t i = 0; i < ELEMENTSOF(key_table); i++) {
                if (!streq(key_table[i].section, section))
                        continue;
                *section_known = true;
                if (!key_table[i].key || streq(key_table[i].key, key))
                        return &key_table[i];
        }
        return NULL;
}

static void strip(char **s)
{
        char *b = *s, *end;
        while (*b == ' ' || *b == '\t')
                b++;
        end = b + strlen(b);
        while (end > b && strchr(" \t\r\n", end[-1]))
                *--end = 0;
        *s = b;
}

static int warn(char ***warnings, const char *fmt, ...) _printf_(2, 3);
static int warn(char ***warnings, const char *fmt, ...)
{
        va_list ap;
        char *m;
        if (!warnings)
                return 0;
        va_start(ap, fmt);
        int n = vasprintf(&m, fmt, ap);
        va_end(ap);
        return n < 0 ? -ENOMEM : strv_push(warnings, m);
}

static int assign(Settings *s, const char *section, const char *key, const char *value, const KeyContext *c, char ***warnings, Error *e)
{
        bool section_known;
        const KeyRow *row = find_key(section, key, &section_known);
        int r;

        if (!row) {
                if (!section_known)
                        return warn(warnings, "%s:%u: unknown section [%s], ignoring.", c->path, c->line, section);
                return warn(warnings, "%s:%u: unknown key %s= in section [%s], ignoring.", c->path, c->line, key, section);
        }
        if ((r = row->parse(s, value, c, e)) < 0)
                return r;
        s->mask |= row->mask;
        return 0;
}

int settings_file_parse(Settings *s, const char *path, const char *text, char ***warnings, Error *e)
{
        _cleanup_free_ char *copy = strdup(text), *joined = NULL;
        _cleanup_free_ char *section = NULL;
        unsigned lineno = 0, start_line = 0;

        int r;

        if (!copy)
                return -ENOMEM;
        for (char *line = copy, *next; line; line = next) {
                next = strchr(line, '\n');
                if (next)
                        *next++ = 0;
                lineno++;
                strip(&line);

                if (joined) {
                        /* Comment lines inside a continuation are dropped, as systemd does. */
                        if (*line == '#' || *line == ';')
                                continue;
                } else if (!*line || *line == '#' || *line == ';')
                        continue;

                size_t l = strlen(line);
                bool cont = l > 0 && line[l - 1] == '\\' && (l < 2 || line[l - 2] != '\\');
                if (cont)
                        line[l - 1] = ' ';
                if (!joined)
                        start_line = lineno;
                char *j;
                if (asprintf(&j, "%s%s", joined ? joined : "", line) < 0)
                        return -ENOMEM;
                free(joined);
                joined = j;
                if (cont && next)
                        continue;

                char *stmt = joined;
                unsigned at = start_line;
                strip(&stmt);
                KeyContext c = {.path = path, .line = at};

                if (*stmt == '[') {
                        size_t sl = strlen(stmt);
                        if (sl < 3 || stmt[sl - 1] != ']')
                                return error_set(e, -EINVAL, "%s:%u: bad section header \"%s\"", path, at, stmt);
                        free(section);
                        section = strndup(stmt + 1, sl - 2);
                        if (!section)
                                return -ENOMEM;
                } else {
                        char *eq = strchr(stmt, '=');
                        if (!eq)
                                return error_set(e, -EINVAL, "%s:%u: expected KEY=VALUE, got \"%s\"", path, at, stmt);
                        *eq = 0;
                        char *key = stmt, *value = eq + 1;
                        strip(&key);
                        strip(&value);
                        if (!section)
                                return error_set(e, -EINVAL, "%s:%u: %s= appears before any [Section] header", path, at, key);
                        c.section = section;
                        c.key = key;
                        if ((r = assign(s, section, key, value, &c, warnings, e)) < 0)
                                return r;
                }
                free(joined);
                joined = NULL;
        }
        return 0;
}

int settings_file_load(Settings *s, const char *path, char ***warnings, Error *e)
{
        _cleanup_free_ char *text = NULL;
        size_t size;
        int r = read_full_file(path, &text, &size);
        if (r < 0)
                return error_set_errno(e, r, "cannot read settings file %s", path);
        if (memchr(text, 0, size))
                return error_set(e, -EINVAL, "%s: not a text file", path);
        return settings_file_parse(s, path, text, warnings, e);
}
