/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <getopt.h>
#include <sys/wait.h>
#include <net/if.h>

#include "log.h"
#include "seccomp-policy.h"
#include "exec-limits.h"
#include "fs-util.h"
#include "capability.h"
#include "options.h"
#include "parse-util.h"
#include "strv.h"

typedef struct OptionContext {
        const char *name; /* "--bind", "-D", for messages */
        const char *arg;
        Settings *s;
        OptionsAction *action;
        Error *e;
} OptionContext;

typedef int (*OptionHandler)(const OptionContext *c);

typedef struct OptionRow {
        const char *name;
        int short_opt; /* 0: long only */
        int has_arg;   /* no_argument, required_argument, optional_argument */
        OptionHandler handle;
        uint64_t mask;
        const char *later; /* not supported yet: the work that brings it */
} OptionRow;

/* (A long value shortened, so the reason after it is not cut off.) */
#define BAD(c, fmt, ...)                                                                                        \
        ({                                                                                                      \
                char _b[VALUE_SHOWN_MAX];                                                                       \
                error_set((c)->e, -EINVAL, "%s=%s: " fmt, (c)->name, value_shown((c)->arg, _b), ##__VA_ARGS__); \
        })

static int o_help(const OptionContext *c)
{
        *c->action = OPTIONS_HELP;
        return 0;
}

static int o_version(const OptionContext *c)
{
        *c->action = OPTIONS_VERSION;
        return 0;
}

static int o_quiet(const OptionContext *c)
{
        c->s->quiet = true;
        return 0;
}

/* corral's own: the process's log level (log.h), not a setting of the container. */
static int o_log_level(const OptionContext *c)
{
        if (streq(c->arg, "help")) {
                for (LogLevel l = 0; l < _LOG_LEVEL_MAX; l++)
                        puts(log_level_to_string(l));
                *c->action = OPTIONS_EXIT;
                return 0;
        }
        LogLevel l = log_level_from_string(c->arg);
        if (l == _LOG_LEVEL_INVALID)
                return BAD(c, "not a log level (error, warning, info, debug; --log-level=help lists them)");
        log_set_level(l);
        return 0;
}

static int o_nothing(const OptionContext *c)
{
        return 0;
}

static int o_settings(const OptionContext *c)
{
        int m = settings_mode_from_string(c->arg);
        if (m < 0)
                return BAD(c, "expected yes, no, override or trusted");
        c->s->settings_mode = m;
        return 0;
}

static int absolute_path(const OptionContext *c, char **field)
{
        char *p;
        if (isempty(c->arg))
                return BAD(c, "expected a path");
        if (path_is_absolute(c->arg))
                p = strdup(c->arg);
        else {
                _cleanup_free_ char *cwd = getcwd(NULL, 0);
                if (!cwd)
                        return error_set_errno(c->e, negative_errno(), "%s: cannot get the current directory", c->name);
                p = path_join(cwd, c->arg);
        }
        if (!p)
                return -ENOMEM;
        /* Trailing slashes would confuse the name and the settings file beside the image. */
        for (size_t l = strlen(p); l > 1 && p[l - 1] == '/'; l--)
                p[l - 1] = 0;
        free(*field);
        *field = p;
        return 0;
}

static int o_directory(const OptionContext *c)
{
        return absolute_path(c, &c->s->directory);
}

static int o_oci_bundle(const OptionContext *c)
{
        return absolute_path(c, &c->s->oci_bundle);
}

static int o_image(const OptionContext *c)
{
        return absolute_path(c, &c->s->image);
}

/* A dm-verity root hash: hex, at least 256 bits, as nspawn takes it. */
static int o_root_hash(const OptionContext *c)
{
        size_t n = strlen(c->arg);
        if (n < 64 || n % 2 || strspn(c->arg, "0123456789abcdefABCDEF") != n)
                return BAD(c, "not a root hash (hexadecimal, at least 256 bits)");
        free(c->s->root_hash);
        return (c->s->root_hash = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_template(const OptionContext *c)
{
        return absolute_path(c, &c->s->template_path);
}

static int o_ephemeral(const OptionContext *c)
{
        c->s->ephemeral = true;
        return 0;
}

static int o_read_only(const OptionContext *c)
{
        c->s->read_only = true;
        return 0;
}

/* "help" as the value: the choices, one a line, as nspawn prints them; then corral ends. */
static bool help_value(const OptionContext *c, const char *const *choices)
{
        if (!c->arg || !streq(c->arg, "help"))
                return false;
        for (const char *const *i = choices; *i; i++)
                puts(*i);
        *c->action = OPTIONS_EXIT;
        return true;
}

static int o_volatile(const OptionContext *c)
{
        if (help_value(c, (const char *const[]){"no", "yes", "state", "overlay", NULL}))
                return 0;
        int m = c->arg ? volatile_mode_from_string(c->arg) : VOLATILE_YES;
        if (m < 0)
                return BAD(c, "expected no, yes, state or overlay");
        c->s->volatile_mode = m;
        return 0;
}

static int o_pivot_root(const OptionContext *c)
{
        _cleanup_free_ char *n = NULL;
        const char *rest;
        int r;
        if ((r = split_colon(c->arg, &n, &rest)) < 0)
                return r;
        if (!path_is_absolute(n) || !path_is_normalized(n) || (rest && (!path_is_absolute(rest) || !path_is_normalized(rest))))
                return BAD(c, "expected NEW[:OLD] with absolute paths inside the image");
        free(c->s->pivot_root_new);
        free(c->s->pivot_root_old);
        c->s->pivot_root_new = TAKE_PTR(n);
        c->s->pivot_root_old = rest ? strdup(rest) : NULL;
        return 0;
}

static int o_as_pid2(const OptionContext *c)
{
        c->s->start_mode = START_PID2;
        return 0;
}

static int o_boot(const OptionContext *c)
{
        c->s->start_mode = START_BOOT;
        return 0;
}

static int o_chdir(const OptionContext *c)
{
        if (!path_is_absolute(c->arg))
                return BAD(c, "the working directory must be an absolute path inside the container");
        free(c->s->working_directory);
        return (c->s->working_directory = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_setenv(const OptionContext *c)
{
        _cleanup_free_ char *a = NULL;
        if (strchr(c->arg, '=')) {
                if (!env_assignment_is_valid(c->arg))
                        return BAD(c, "expected NAME=VALUE with a valid variable name");
                a = strdup(c->arg);
        } else {
                /* NAME alone passes the variable through from corral's own environment. */
                if (!env_name_is_valid(c->arg, strlen(c->arg)))
                        return BAD(c, "not a valid environment variable name");
                const char *v = getenv(c->arg);
                if (!v)
                        return 0;
                if (asprintf(&a, "%s=%s", c->arg, v) < 0)
                        a = NULL;
        }
        if (!a)
                return -ENOMEM;
        return strv_env_set(&c->s->environment, a);
}

static int o_user(const OptionContext *c)
{
        free(c->s->user);
        return (c->s->user = strdup(c->arg)) ? 0 : -ENOMEM;
}

/* 1 and *ret with a signal; 0 after "help" printed the list. */
static int signal_option(const OptionContext *c, int *ret)
{
        if (streq(c->arg, "help")) {
                /* As nspawn: every signal number, by its name without "SIG" where it has one;
                 * the real-time ones from glibc's SIGRTMIN, 34 (musl's is 35), to 64. */
                for (int i = 0; i <= 64; i++) {
                        char b[16];
                        const char *n = signal_to_string(i, b);
                        if (i == 0 || i == 32 || i == 33)
                                printf("%d\n", i);
                        else if (i >= 34)
                                printf("RTMIN+%d\n", i - 34);
                        else
                                puts(startswith(n, "SIG") ?: n);
                }
                *c->action = OPTIONS_EXIT;
                return 0;
        }
        if (parse_signal(c->arg, ret) < 0)
                return BAD(c, "not a signal name or number (try %s=help)", c->name);
        return 1;
}

static int o_kill_signal(const OptionContext *c)
{
        int r = signal_option(c, &c->s->kill_signal.value);
        if (r > 0)
                c->s->kill_signal.set = true;
        return MIN(r, 0);
}

static int o_poweroff_signal(const OptionContext *c)
{
        int r = signal_option(c, &c->s->poweroff_signal.value);
        if (r > 0)
                c->s->poweroff_signal.set = true;
        return MIN(r, 0);
}

static int o_notify_ready(const OptionContext *c)
{
        int b = parse_boolean(c->arg);
        if (b < 0)
                return BAD(c, "expected a boolean");
        OPTIONAL_SET(c->s->notify_ready, b);
        return 0;
}

static int o_capability(const OptionContext *c)
{
        if (streq(c->arg, "help")) {
                /* nspawn's list: the names libcap gives, as far as this kernel goes. */
                int last = 63;
                _cleanup_free_ char *text = NULL;
                if (read_full_file("/proc/sys/kernel/cap_last_cap", &text, NULL) >= 0)
                        last = atoi(text);
                for (int i = 0; i <= last && capability_to_name(i); i++) {
                        char name[64];
                        snprintf(name, sizeof(name), "%s", capability_to_name(i));
                        for (char *p = name; *p; p++)
                                *p = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
                        puts(name);
                }
                *c->action = OPTIONS_EXIT;
                return 0;
        }
        uint64_t *set = streq(c->name, "--capability")        ? &c->s->capability_plus
                        : streq(c->name, "--drop-capability") ? &c->s->capability_minus
                                                              : &c->s->capability_ambient;
        return capability_set_parse(c->arg, ",", set, c->name, c->e);
}

static int o_system_call_filter(const OptionContext *c)
{
        return syscall_filter_parse(c->arg, &c->s->syscall_allow_list, &c->s->syscall_deny_list, "--system-call-filter", c->e);
}

static int o_no_new_privileges(const OptionContext *c)
{
        int b = parse_boolean(c->arg);
        if (b < 0)
                return BAD(c, "expected a boolean");
        OPTIONAL_SET(c->s->no_new_privileges, b);
        return 0;
}

static int o_rlimit(const OptionContext *c)
{
        if (streq(c->arg, "help")) {
                for (int i = 0; i < RLIMIT_NLIMITS; i++)
                        if (rlimit_to_name(i))
                                puts(rlimit_to_name(i));
                *c->action = OPTIONS_EXIT;
                return 0;
        }
        const char *eq = strchr(c->arg, '=');
        _cleanup_free_ char *name = eq ? strndup(c->arg, (size_t)(eq - c->arg)) : NULL;
        if (!eq)
                return BAD(c, "expected LIMIT=SOFT[:HARD], like NOFILE=1024:4096");
        if (!name)
                return -ENOMEM;
        int r = rlimit_from_name(name);
        if (r < 0)
                return BAD(
                        c,
                        "unknown resource limit \"%s\" (one of CPU, FSIZE, DATA, STACK, CORE, RSS, NOFILE, AS, NPROC, MEMLOCK, LOCKS, SIGPENDING, MSGQUEUE, NICE, RTPRIO, RTTIME)",
                        name);
        if (rlimit_parse(r, eq + 1, &c->s->rlimit[r]) < 0)
                return BAD(c, "cannot parse \"%s\" as SOFT[:HARD] (numbers with the unit of %s, or infinity; soft not above hard)", eq + 1,
                           rlimit_to_name(r));
        c->s->mask |= SETTING_RLIMIT(r);
        return 0;
}

static int o_oom_score_adjust(const OptionContext *c)
{
        if (oom_score_adjust_parse(c->s, c->arg) < 0)
                return BAD(c, "expected a number from -1000 to 1000");
        return 0;
}

static int o_private_network(const OptionContext *c)
{
        OPTIONAL_SET(c->s->private_network, true);
        return 0;
}

static int o_network_veth(const OptionContext *c)
{
        OPTIONAL_SET(c->s->network_veth, true);
        return 0;
}

static int o_network_veth_extra(const OptionContext *c)
{
        if (!veth_extra_valid(c->arg))
                return BAD(c, "expected HOST-INTERFACE[:CONTAINER-INTERFACE], names of at most 15 characters, no '/' or spaces");
        return strv_extend(&c->s->network_veth_extra, c->arg);
}

#define IFNAME_EXPECTED "expected a network interface name (at most 15 characters, no '/', ':' or spaces)"

/* --network-macvlan=, --network-ipvlan=, --network-interface=: repeatable, one name each. */
static int add_ifname(const OptionContext *c, char ***l)
{
        return ifname_valid(c->arg) ? strv_extend(l, c->arg) : BAD(c, IFNAME_EXPECTED);
}

static int o_network_macvlan(const OptionContext *c)
{
        return add_ifname(c, &c->s->network_macvlan);
}

static int o_network_ipvlan(const OptionContext *c)
{
        return add_ifname(c, &c->s->network_ipvlan);
}

static int o_network_interface(const OptionContext *c)
{
        return add_ifname(c, &c->s->network_interfaces);
}

static int o_network_bridge(const OptionContext *c)
{
        if (!ifname_valid(c->arg))
                return BAD(c, IFNAME_EXPECTED);
        free(c->s->network_bridge);
        return (c->s->network_bridge = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_network_zone(const OptionContext *c)
{
        if (!zone_name_valid(c->arg))
                return BAD(c, "expected a zone name that makes an interface name with \"vz-\" before it (1-12 characters, no '/', ':' or spaces)");
        free(c->s->network_zone);
        return (c->s->network_zone = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_port(const OptionContext *c)
{
        int r = expose_port_add(c->s, c->arg);
        if (r == -EEXIST)
                return BAD(c, "this protocol and host port are forwarded already");
        if (r == -EINVAL)
                return BAD(c, "expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT], ports 1-65535");
        return r;
}

static int o_network_namespace_path(const OptionContext *c)
{
        if (!path_is_absolute(c->arg))
                return BAD(c, "expected an absolute path (e.g. /run/netns/NAME)");
        free(c->s->network_namespace_path);
        return (c->s->network_namespace_path = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_nesting(const OptionContext *c)
{
        int b = c->arg ? parse_boolean(c->arg) : 1;
        if (b < 0)
                return BAD(c, "expected a boolean");
        OPTIONAL_SET(c->s->nesting, b);
        return 0;
}

static int o_slice(const OptionContext *c)
{
        return resources_set_slice(&c->s->resources, c->arg, c->e);
}

/* --property=NAME=VALUE: systemd's resource-control properties, applied by corral itself. */
static int o_property(const OptionContext *c)
{
        int r = resources_parse_assignment(&c->s->resources, c->arg, c->e);
        if (r < 0 && c->e->code == r) {
                char tmp[sizeof(c->e->msg)];
                if (snprintf(tmp, sizeof(tmp), "--property: %s", c->e->msg) >= 0)
                        memcpy(c->e->msg, tmp, sizeof(tmp));
        }
        return r;
}

static int o_cpu_affinity(const OptionContext *c)
{
        return cpu_affinity_parse(c->s, c->arg, c->e, "--cpu-affinity");
}

static int o_suppress_sync(const OptionContext *c)
{
        int b = parse_boolean(c->arg);
        if (b < 0)
                return BAD(c, "expected a boolean");
        OPTIONAL_SET(c->s->suppress_sync, b);
        return 0;
}

static int o_machine(const OptionContext *c)
{
        if (isempty(c->arg)) {
                c->s->machine = mfree(c->s->machine);
                return 0;
        }
        if (!machine_name_is_valid(c->arg))
                return BAD(c, "not a valid machine name (letters, digits, \"-\", \"_\" and \".\", at most 64 characters)");
        free(c->s->machine);
        return (c->s->machine = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_hostname(const OptionContext *c)
{
        if (!hostname_is_valid(c->arg))
                return BAD(c, "not a valid hostname");
        free(c->s->hostname);
        return (c->s->hostname = strdup(c->arg)) ? 0 : -ENOMEM;
}

static int o_uuid(const OptionContext *c)
{
        uint8_t id[16], zero[16] = {0};
        if (parse_uuid(c->arg, id) < 0)
                return BAD(c, "expected a UUID (8-4-4-4-12 or 32 hex digits)");
        if (memcmp(id, zero, 16) == 0)
                return BAD(c, "the null UUID cannot be a machine ID");
        memcpy(c->s->uuid.value, id, 16);
        c->s->uuid.set = true;
        return 0;
}

static int o_register(const OptionContext *c)
{
        int b = parse_boolean(c->arg);
        if (b < 0)
                return BAD(c, "expected a boolean");
        OPTIONAL_SET(c->s->register_machine, b);
        return 0;
}

static int o_keep_unit(const OptionContext *c)
{
        c->s->keep_unit = true;
        return 0;
}

static int o_private_users(const OptionContext *c)
{
        int r = private_users_parse(c->s, c->arg ? c->arg : "yes");
        if (r < 0)
                return BAD(c, "expected a boolean, \"pick\", \"identity\" or UID[:COUNT] (a range below 4294967295)");
        return 0;
}

static int o_private_users_ownership(const OptionContext *c)
{
        if (help_value(c, (const char *const[]){"off", "chown", "map", "auto", NULL}))
                return 0;
        int m = user_namespace_ownership_from_string(c->arg);
        if (m < 0)
                return BAD(c, "expected off, chown, map or auto");
        OPTIONAL_SET(c->s->userns_ownership, m);
        return 0;
}

static int o_private_users_chown(const OptionContext *c)
{
        OPTIONAL_SET(c->s->userns_ownership, USER_NAMESPACE_OWNERSHIP_CHOWN); /* nspawn's older spelling */
        return 0;
}

static int o_U(const OptionContext *c)
{
        /* -U: pick a range, and map or chown the tree to it, as nspawn (the kernel has user
         * namespaces here: corral needs 5.12 for the rest anyway). */
        OPTIONAL_SET(c->s->private_users, PRIVATE_USERS_PICK);
        OPTIONAL_SET(c->s->userns_ownership, USER_NAMESPACE_OWNERSHIP_AUTO);
        return 0;
}

static int o_personality(const OptionContext *c)
{
        if (personality_from_string(c->arg, &c->s->personality.value) < 0)
                return BAD(c, "unknown architecture; known: x86, x86-64");
        c->s->personality.set = true;
        return 0;
}

static int o_resolv_conf(const OptionContext *c)
{
        int m;
        if (streq(c->arg, "help")) {
                for (int i = 0; i < _RESOLV_CONF_MAX; i++)
                        puts(resolv_conf_mode_to_string(i));
                *c->action = OPTIONS_EXIT;
                return 0;
        }
        if ((m = resolv_conf_mode_from_string(c->arg)) < 0)
                return BAD(c, "unknown mode (try --resolv-conf=help)");
        c->s->resolv_conf = m;
        return 0;
}

static int o_timezone(const OptionContext *c)
{
        int m;
        if (streq(c->arg, "help")) {
                for (int i = 0; i < _TIMEZONE_MAX; i++)
                        puts(timezone_mode_to_string(i));
                *c->action = OPTIONS_EXIT;
                return 0;
        }
        if ((m = timezone_mode_from_string(c->arg)) < 0)
                return BAD(c, "unknown mode (try --timezone=help)");
        c->s->timezone = m;
        return 0;
}

static int o_link_journal(const OptionContext *c)
{
        int m = link_journal_from_string(c->arg);
        if (m < 0)
                return BAD(c, "expected no, auto, host, guest, try-host or try-guest");
        c->s->link_journal = m;
        return 0;
}

static int o_j(const OptionContext *c)
{
        c->s->link_journal = LINK_JOURNAL_TRY_GUEST;
        return 0;
}

static int o_bind_user(const OptionContext *c)
{
        if (!bind_user_name_is_valid(c->arg))
                return error_set(c->e, -EINVAL, "Invalid user name to bind: %s", c->arg);
        if (strv_contains(c->s->bind_users, c->arg))
                return 0;
        return strv_extend(&c->s->bind_users, c->arg);
}

static int o_bind(const OptionContext *c)
{
        return custom_mount_parse_bind(c->s, c->arg, false, c->e);
}

static int o_bind_ro(const OptionContext *c)
{
        return custom_mount_parse_bind(c->s, c->arg, true, c->e);
}

static int o_tmpfs(const OptionContext *c)
{
        return custom_mount_parse_tmpfs(c->s, c->arg, c->e);
}

static int o_overlay(const OptionContext *c)
{
        return custom_mount_parse_overlay(c->s, c->arg, false, c->e);
}

static int o_overlay_ro(const OptionContext *c)
{
        return custom_mount_parse_overlay(c->s, c->arg, true, c->e);
}

static int o_inaccessible(const OptionContext *c)
{
        return custom_mount_parse_inaccessible(c->s, c->arg, c->e);
}

static int o_console(const OptionContext *c)
{
        int m;
        if (help_value(c, (const char *const[]){"autopipe", "interactive", "passive", "pipe", "read-only", NULL}))
                return 0;
        if ((m = console_mode_from_string(c->arg)) < 0)
                return BAD(c, "expected interactive, read-only, passive, pipe or autopipe");
        OPTIONAL_SET(c->s->console_mode, m);
        return 0;
}

static int o_pipe(const OptionContext *c)
{
        OPTIONAL_SET(c->s->console_mode, CONSOLE_PIPE);
        return 0;
}

static int o_set_credential(const OptionContext *c)
{
        return credential_parse_set(c->s, c->arg, c->e);
}

static int o_load_credential(const OptionContext *c)
{
        return credential_parse_load(c->s, c->arg, c->e);
}

static int o_selinux(const OptionContext *c)
{
        return error_set(c->e, -EOPNOTSUPP, "%s: corral has no SELinux support; drop the option", c->name);
}

static int o_share_system(const OptionContext *c)
{
        return error_set(c->e, -EOPNOTSUPP, "--share-system was removed from systemd-nspawn in version 230 and is not supported");
}

enum { ARG_BASE = 0x100 };

/* clang-format off */
#define NOT_YET(n, s, a, area) {n, s, a, NULL, 0, area}
/* clang-format on */

static const OptionRow option_table[] = {
        {"help", 'h', no_argument, o_help, 0, NULL},
        {"version", 0, no_argument, o_version, 0, NULL},
        {"quiet", 'q', no_argument, o_quiet, 0, NULL},
        {"log-level", 0, required_argument, o_log_level, 0, NULL},
        {"no-pager", 0, no_argument, o_nothing, 0, NULL},
        {"settings", 0, required_argument, o_settings, 0, NULL},
        /* Image */
        {"directory", 'D', required_argument, o_directory, SETTING_DIRECTORY, NULL},
        {"template", 0, required_argument, o_template, SETTING_DIRECTORY, NULL},
        {"ephemeral", 'x', no_argument, o_ephemeral, SETTING_EPHEMERAL, NULL},
        {"read-only", 0, no_argument, o_read_only, SETTING_READ_ONLY, NULL},
        {"volatile", 0, optional_argument, o_volatile, SETTING_VOLATILE_MODE, NULL},
        {"pivot-root", 0, required_argument, o_pivot_root, SETTING_PIVOT_ROOT, NULL},
        {"image", 'i', required_argument, o_image, SETTING_DIRECTORY, NULL},
        {"root-hash", 0, required_argument, o_root_hash, SETTING_DIRECTORY, NULL},
        NOT_YET("root-hash-sig", 0, required_argument, "the images work (dm-verity)"),
        NOT_YET("verity-data", 0, required_argument, "the images work (dm-verity)"),
        {"oci-bundle", 0, required_argument, o_oci_bundle, 0, NULL},
        /* Execution */
        {"as-pid2", 'a', no_argument, o_as_pid2, SETTING_START_MODE, NULL},
        {"boot", 'b', no_argument, o_boot, SETTING_START_MODE, NULL},
        {"chdir", 0, required_argument, o_chdir, SETTING_WORKING_DIRECTORY, NULL},
        {"setenv", 'E', required_argument, o_setenv, SETTING_ENVIRONMENT, NULL},
        {"user", 'u', required_argument, o_user, SETTING_USER, NULL},
        {"kill-signal", 0, required_argument, o_kill_signal, SETTING_KILL_SIGNAL, NULL},
        {"poweroff-signal", 0, required_argument, o_poweroff_signal, SETTING_POWEROFF_SIGNAL, NULL},
        {"notify-ready", 0, required_argument, o_notify_ready, SETTING_NOTIFY_READY, NULL},
        {"suppress-sync", 0, required_argument, o_suppress_sync, SETTING_SUPPRESS_SYNC, NULL},
        /* Identity */
        {"machine", 'M', required_argument, o_machine, 0, NULL},
        {"hostname", 0, required_argument, o_hostname, SETTING_HOSTNAME, NULL},
        {"uuid", 0, required_argument, o_uuid, SETTING_MACHINE_ID, NULL},
        /* Properties */
        {"slice", 'S', required_argument, o_slice, SETTING_RESOURCES, NULL},
        {"property", 0, required_argument, o_property, SETTING_RESOURCES, NULL},
        {"nesting", 0, optional_argument, o_nesting, SETTING_NESTING, NULL},
        {"register", 0, required_argument, o_register, 0, NULL},
        {"keep-unit", 0, no_argument, o_keep_unit, 0, NULL},
        /* User namespacing */
        {"private-users", 0, optional_argument, o_private_users, SETTING_USERNS, NULL},
        {"private-users-ownership", 0, required_argument, o_private_users_ownership, SETTING_USERNS, NULL},
        {"private-users-chown", 0, no_argument, o_private_users_chown, SETTING_USERNS, NULL},
        {"U", 'U', no_argument, o_U, SETTING_USERNS, NULL},
        /* Networking */
        {"private-network", 0, no_argument, o_private_network, SETTING_NETWORK, NULL},
        {"network-interface", 0, required_argument, o_network_interface, SETTING_NETWORK, NULL},
        {"network-macvlan", 0, required_argument, o_network_macvlan, SETTING_NETWORK, NULL},
        {"network-ipvlan", 0, required_argument, o_network_ipvlan, SETTING_NETWORK, NULL},
        {"network-veth", 'n', no_argument, o_network_veth, SETTING_NETWORK, NULL},
        {"network-veth-extra", 0, required_argument, o_network_veth_extra, SETTING_NETWORK, NULL},
        {"network-bridge", 0, required_argument, o_network_bridge, SETTING_NETWORK, NULL},
        {"network-zone", 0, required_argument, o_network_zone, SETTING_NETWORK, NULL},
        {"network-namespace-path", 0, required_argument, o_network_namespace_path, SETTING_NETWORK, NULL},
        {"port", 'p', required_argument, o_port, SETTING_EXPOSE_PORTS, NULL},
        /* Security */
        {"capability", 0, required_argument, o_capability, SETTING_CAPABILITY, NULL},
        {"drop-capability", 0, required_argument, o_capability, SETTING_CAPABILITY, NULL},
        {"ambient-capability", 0, required_argument, o_capability, SETTING_CAPABILITY, NULL},
        {"no-new-privileges", 0, required_argument, o_no_new_privileges, SETTING_NO_NEW_PRIVILEGES, NULL},
        {"system-call-filter", 0, required_argument, o_system_call_filter, SETTING_SYSCALL_FILTER, NULL},
        {"selinux-context", 'Z', required_argument, o_selinux, 0, NULL},
        {"selinux-apifs-context", 'L', required_argument, o_selinux, 0, NULL},
        /* Resources */
        {"rlimit", 0, required_argument, o_rlimit, 0, NULL},
        {"oom-score-adjust", 0, required_argument, o_oom_score_adjust, SETTING_OOM_SCORE_ADJUST, NULL},
        {"cpu-affinity", 0, required_argument, o_cpu_affinity, SETTING_CPU_AFFINITY, NULL},
        {"personality", 0, required_argument, o_personality, SETTING_PERSONALITY, NULL},
        /* Integration */
        {"resolv-conf", 0, required_argument, o_resolv_conf, SETTING_RESOLV_CONF, NULL},
        {"timezone", 0, required_argument, o_timezone, SETTING_TIMEZONE, NULL},
        {"link-journal", 0, required_argument, o_link_journal, SETTING_LINK_JOURNAL, NULL},
        {"j", 'j', no_argument, o_j, SETTING_LINK_JOURNAL, NULL},
        /* Mounts */
        {"bind", 0, required_argument, o_bind, SETTING_CUSTOM_MOUNTS, NULL},
        {"bind-ro", 0, required_argument, o_bind_ro, SETTING_CUSTOM_MOUNTS, NULL},
        {"inaccessible", 0, required_argument, o_inaccessible, SETTING_CUSTOM_MOUNTS, NULL},
        {"tmpfs", 0, required_argument, o_tmpfs, SETTING_CUSTOM_MOUNTS, NULL},
        {"overlay", 0, required_argument, o_overlay, SETTING_CUSTOM_MOUNTS, NULL},
        {"overlay-ro", 0, required_argument, o_overlay_ro, SETTING_CUSTOM_MOUNTS, NULL},
        {"bind-user", 0, required_argument, o_bind_user, SETTING_BIND_USER, NULL},
        /* Input/Output */
        {"console", 0, required_argument, o_console, SETTING_CONSOLE_MODE, NULL},
        {"pipe", 'P', no_argument, o_pipe, SETTING_CONSOLE_MODE, NULL},
        /* Credentials */
        {"set-credential", 0, required_argument, o_set_credential, SETTING_CREDENTIALS, NULL},
        {"load-credential", 0, required_argument, o_load_credential, SETTING_CREDENTIALS, NULL},
        /* Removed from nspawn long ago */
        {"share-system", 0, no_argument, o_share_system, 0, NULL},
};

/* Rows named after a short option only (-U, -j) have no long form. */
static bool row_has_long(const OptionRow *r)
{
        return strlen(r->name) > 1;
}

static int env_boolean(const char *name, bool *ret, Error *e)
{
        const char *v = getenv(name);
        if (!v)
                return 0;
        int b = parse_boolean(v);
        if (b < 0)
                return error_set(e, -EINVAL, "$%s=%s: expected a boolean", name, v);
        *ret = b;
        return 1;
}

int options_parse_environment(Settings *s, Error *e)
{
        const char *v = getenv("SYSTEMD_NSPAWN_API_VFS_WRITABLE");
        bool b = false;
        int r;
        if (v && streq(v, "network"))
                s->api_vfs = API_VFS_NETWORK;
        else if (v) {
                int k = parse_boolean(v);
                if (k < 0)
                        return error_set(e, -EINVAL, "$SYSTEMD_NSPAWN_API_VFS_WRITABLE=%s: expected a boolean or \"network\"", v);
                s->api_vfs = k ? API_VFS_WRITABLE : API_VFS_READ_ONLY;
        }
        if ((r = env_boolean("SYSTEMD_NSPAWN_TMPFS_TMP", &b, e)) < 0)
                return r;
        if (r > 0)
                s->no_tmpfs_tmp = !b;
        if ((r = env_boolean("SYSTEMD_NSPAWN_LOCK", &b, e)) < 0)
                return r;
        if (r > 0)
                s->no_image_lock = !b;
        if ((r = env_boolean("SYSTEMD_NSPAWN_UNIFIED_HIERARCHY", &b, e)) < 0)
                return r;
        if (r > 0 && !b)
                return error_set(
                        e, -EOPNOTSUPP,
                        "$SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=0: corral gives containers the unified cgroup hierarchy only (cgroup v2, as nspawn on "
                        "a unified host); unset it for a guest with systemd 230 or later");
        if ((r = env_boolean("SYSTEMD_NSPAWN_USE_CGNS", &b, e)) < 0)
                return r;
        if (r > 0)
                s->no_cgns = !b;
        return 0;
}

int options_parse(int argc, char *argv[], Settings *s, OptionsAction *ret_action, Error *e)
{
        struct option longopts[ELEMENTSOF(option_table) + 1];
        char shortopts[3 * ELEMENTSOF(option_table) + 2], *sp = shortopts;
        size_t nl = 0;
        int opt, idx, r;

        *sp++ = '+'; /* stop at the first non-option: the rest is the command */
        *sp++ = ':'; /* report a missing argument as ':' */
        for (size_t i = 0; i < ELEMENTSOF(option_table); i++) {
                const OptionRow *row = &option_table[i];
                if (row_has_long(row))
                        longopts[nl++] = (struct option){row->name, row->has_arg, NULL, (int)(ARG_BASE + i)};
                if (row->short_opt) {
                        *sp++ = (char)row->short_opt;
                        if (row->has_arg == required_argument)
                                *sp++ = ':';
                }
        }
        *sp = 0;
        longopts[nl] = (struct option){0};

        *ret_action = OPTIONS_RUN;
        optind = 0; /* full reset of getopt's state, so this can run more than once */
        opterr = 0;
        while ((opt = getopt_long(argc, argv, shortopts, longopts, &idx)) >= 0) {
                const OptionRow *row = NULL;
                if (opt >= ARG_BASE && (size_t)(opt - ARG_BASE) < ELEMENTSOF(option_table))
                        row = &option_table[opt - ARG_BASE];
                else
                        for (size_t i = 0; i < ELEMENTSOF(option_table); i++)
                                if (option_table[i].short_opt && option_table[i].short_opt == opt)
                                        row = &option_table[i];
                if (opt == '?' || opt == ':') {
                        const char *bad = argv[optind - 1];
                        if (optopt && optopt < ARG_BASE)
                                return error_set(e, -EINVAL, "option -%c %s; see --help", optopt, opt == ':' ? "needs an argument" : "is not known");
                        return error_set(e, -EINVAL, "option %s %s; see --help", strempty(bad), opt == ':' ? "needs an argument" : "is not known");
                }
                if (!row)
                        return error_set(e, -EINVAL, "unexpected option; see --help");

                char name[64];
                if (opt >= ARG_BASE)
                        snprintf(name, sizeof(name), "--%s", row->name);
                else
                        snprintf(name, sizeof(name), "-%c", row->short_opt);
                if (row->later)
                        return error_set(
                                e, -EOPNOTSUPP,
                                "%s is not supported by corral yet (it comes with %s); drop the option, or use systemd-nspawn for this container for now",
                                name, row->later);
                OptionContext c = {.name = name, .arg = optarg, .s = s, .action = ret_action, .e = e};
                if ((r = row->handle(&c)) < 0) {
                        if (optarg)
                                error_shorten_value(e, optarg);
                        return r == -ENOMEM ? error_set(e, r, "out of memory") : r;
                }
                s->mask |= row->mask;
                if (*ret_action == OPTIONS_EXIT)
                        return 0;
        }

        if (optind < argc) {
                s->parameters = strv_free(s->parameters);
                for (int i = optind; i < argc; i++)
                        if ((r = strv_extend(&s->parameters, argv[i])) < 0)
                                return error_set(e, r, "out of memory");
                s->mask |= SETTING_START_MODE;
        }
        return 0;
}

/* corral-oci, which reads config.json for us: $CORRAL_OCI, else beside corral (installed), else
 * in the build tree's src/oci. */
static char *find_corral_oci(void)
{
        const char *env = getenv("CORRAL_OCI");
        if (env && *env)
                return strdup(env);
        _cleanup_free_ char *self = realpath("/proc/self/exe", NULL);
        char *dir = self ? strrchr(self, '/') : NULL;
        if (!dir)
                return NULL;
        *dir = 0;
        static const char *const tries[] = {"corral-oci", "../oci/corral-oci"};
        for (size_t i = 0; i < ELEMENTSOF(tries); i++) {
                char *p = path_join(self, tries[i]);
                if (!p || access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return strdup("");
}

/* The bundle's options from `corral-oci nspawn-options`, NUL-separated. */
static int read_bundle_options(const char *bundle, char **ret, size_t *ret_size, Error *e)
{
        _cleanup_free_ char *oci = find_corral_oci();
        if (!oci)
                return -ENOMEM;
        if (!*oci)
                return error_set(e, -ENOENT,
                                 "--oci-bundle=: corral reads config.json with corral-oci, which is not installed beside corral "
                                 "(set $CORRAL_OCI to its path)");
        int pipefd[2], r;
        if (pipe2(pipefd, O_CLOEXEC) < 0)
                return error_set_errno(e, negative_errno(), "cannot make a pipe");
        pid_t pid = fork();
        if (pid < 0) {
                r = negative_errno();
                close(pipefd[0]);
                close(pipefd[1]);
                return error_set_errno(e, r, "cannot fork");
        }
        if (pid == 0) {
                if (dup2(pipefd[1], STDOUT_FILENO) < 0)
                        _exit(127);
                execl(oci, oci, "nspawn-options", "--bundle", bundle, (char *)NULL);
                log_error("--oci-bundle=: cannot run %s: %s", oci, strerror(errno));
                _exit(127);
        }
        close(pipefd[1]);
        r = read_full_fd(pipefd[0], ret, ret_size);
        close(pipefd[0]);
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return error_set_errno(e, negative_errno(), "cannot wait for %s", oci);
        if (r < 0)
                return error_set_errno(e, r, "--oci-bundle=: cannot read what %s printed", oci);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                *ret = mfree(*ret);
                return error_set(e, -EINVAL, "--oci-bundle=%s: the bundle cannot be run the nspawn way (corral-oci said why above)", bundle);
        }
        return 0;
}

int options_load_oci_bundle(Settings *s, char ***warnings, Error *e)
{
        _cleanup_free_ char *text = NULL, *path = NULL;
        _cleanup_strv_free_ char **argv = NULL;
        size_t size = 0;
        int r;

        if (!s->oci_bundle)
                return 0;
        if ((r = read_bundle_options(s->oci_bundle, &text, &size, e)) < 0)
                return r;
        if ((r = strv_extend(&argv, "corral")) < 0)
                return r;
        for (size_t i = 0; i < size; i += strlen(text + i) + 1)
                if ((r = strv_extend(&argv, text + i)) < 0)
                        return r;
        if (!(path = path_join(s->oci_bundle, "config.json")))
                return -ENOMEM;

        Settings f;
        OptionsAction action;
        settings_init(&f);
        r = options_parse((int)strv_length(argv), argv, &f, &action, e);
        if (r < 0) {
                char msg[sizeof(e->msg)];
                snprintf(msg, sizeof(msg), "%s", e->msg);
                settings_done(&f);
                return error_set(e, r, "%s: %s", path, msg);
        }
        /* What a settings file cannot set, the bundle's where the command line left it. */
        if (!(s->mask & SETTING_DIRECTORY))
                SWAP(s->directory, f.directory);
        if (!s->console_mode.set)
                s->console_mode = f.console_mode;
        if (!s->network_namespace_path && !(s->mask & SETTING_NETWORK))
                SWAP(s->network_namespace_path, f.network_namespace_path);
        /* The rest as nspawn merges a bundle: a trusted settings file, below the command line;
         * and then no .nspawn file. */
        r = settings_merge(s, &f, true, path, warnings, e);
        settings_done(&f);
        s->settings_mode = SETTINGS_NO;
        return r;
}
