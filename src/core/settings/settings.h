/* SPDX-License-Identifier: LGPL-2.1-or-later */
#pragma once

#include <sched.h>
#include <sys/resource.h>

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "exec-limits.h"
#include "resources.h"
#include "macro.h"

/* Everything about one container.  Filled by the front-ends (command line, .nspawn file), merged
 * by settings_merge(), read by the planners.  Front-ends only parse: no I/O beyond reading the
 * file they were given, no validation that needs the image. */

/* A setting that may be left unset, where unset is not one of its values: a default that
 * depends on other settings or the host, or a file's value that must not override the
 * command line's.  The one spelling of "unset" in Settings: set is false (zeroed memory is
 * unset).  A front-end that takes a value sets both fields (OPTIONAL_SET); a reader says what
 * unset means where it reads (OPTIONAL_OR).  A field of this type is the same type in every
 * Settings, so the merge copies it whole. */
#define OPTIONAL(type)      \
        struct {            \
                bool set;   \
                type value; \
        }
#define OPTIONAL_SET(o, v) ((o).set = true, (o).value = (v))
#define OPTIONAL_OR(o, unset) ((o).set ? (o).value : (unset))
#define OPTIONAL_IS(o, v) ((o).set && (o).value == (v))

typedef enum StartMode {
        START_PID1, /* the command is PID 1 */
        START_PID2, /* a stub init is PID 1, the command PID 2 (--as-pid2) */
        START_BOOT, /* the image's init is PID 1 (--boot) */
        _START_MODE_MAX,
} StartMode;

typedef enum VolatileMode {
        VOLATILE_NO,
        VOLATILE_YES,     /* root is a tmpfs, /usr comes from the image read-only */
        VOLATILE_STATE,   /* image read-only, /var is a tmpfs */
        VOLATILE_OVERLAY, /* image read-only under a tmpfs overlay */
        _VOLATILE_MAX,
} VolatileMode;

typedef enum ConsoleMode {
        CONSOLE_INTERACTIVE,
        CONSOLE_READ_ONLY,
        CONSOLE_PASSIVE,
        CONSOLE_PIPE,
        CONSOLE_AUTOPIPE,
        _CONSOLE_MAX,
} ConsoleMode;

typedef enum ResolvConfMode {
        RESOLV_CONF_OFF,
        RESOLV_CONF_COPY_HOST,
        RESOLV_CONF_COPY_STATIC,
        RESOLV_CONF_COPY_UPLINK,
        RESOLV_CONF_COPY_STUB,
        RESOLV_CONF_REPLACE_HOST,
        RESOLV_CONF_REPLACE_STATIC,
        RESOLV_CONF_REPLACE_UPLINK,
        RESOLV_CONF_REPLACE_STUB,
        RESOLV_CONF_BIND_HOST,
        RESOLV_CONF_BIND_STATIC,
        RESOLV_CONF_BIND_UPLINK,
        RESOLV_CONF_BIND_STUB,
        RESOLV_CONF_DELETE,
        RESOLV_CONF_AUTO,
        _RESOLV_CONF_MAX,
} ResolvConfMode;

typedef enum TimezoneMode {
        TIMEZONE_OFF,
        TIMEZONE_COPY,
        TIMEZONE_BIND,
        TIMEZONE_SYMLINK,
        TIMEZONE_DELETE,
        TIMEZONE_AUTO,
        _TIMEZONE_MAX,
} TimezoneMode;

typedef enum PrivateUsers {
        PRIVATE_USERS_NO,
        PRIVATE_USERS_FIXED,    /* UID[:COUNT] */
        PRIVATE_USERS_AUTO,     /* "yes": the range from the owner of the tree's root */
        PRIVATE_USERS_PICK,     /* "pick": that, or a free range */
        PRIVATE_USERS_IDENTITY, /* 0:65536 */
        _PRIVATE_USERS_MAX,
} PrivateUsers;

typedef enum UserNamespaceOwnership {
        USER_NAMESPACE_OWNERSHIP_OFF,
        USER_NAMESPACE_OWNERSHIP_CHOWN,
        USER_NAMESPACE_OWNERSHIP_MAP,
        USER_NAMESPACE_OWNERSHIP_AUTO,
        _USER_NAMESPACE_OWNERSHIP_MAX,
} UserNamespaceOwnership;

typedef enum LinkJournal {
        LINK_JOURNAL_NO,
        LINK_JOURNAL_AUTO,
        LINK_JOURNAL_HOST,
        LINK_JOURNAL_GUEST,
        LINK_JOURNAL_TRY_HOST,
        LINK_JOURNAL_TRY_GUEST,
        _LINK_JOURNAL_MAX,
} LinkJournal;

typedef enum SettingsMode {
        SETTINGS_YES,      /* read the file; the command line wins; trust by location */
        SETTINGS_NO,       /* do not read a file */
        SETTINGS_OVERRIDE, /* the file wins over the command line */
        SETTINGS_TRUSTED,  /* like yes, and the file is trusted wherever it is */
        _SETTINGS_MODE_MAX,
} SettingsMode;

/* How /sys and /proc/sys are mounted: read-only with /proc/sys/net writable in a network
 * namespace of the container's own (the default), writable, or /proc/sys/net writable always. */
typedef enum ApiVfsMode {
        API_VFS_DEFAULT,
        API_VFS_WRITABLE,  /* "yes" */
        API_VFS_READ_ONLY, /* "no" */
        API_VFS_NETWORK,   /* "network" */
} ApiVfsMode;

typedef enum CustomMountType {
        CUSTOM_MOUNT_BIND,
        CUSTOM_MOUNT_TMPFS,
        CUSTOM_MOUNT_OVERLAY,
        CUSTOM_MOUNT_INACCESSIBLE,
        _CUSTOM_MOUNT_MAX,
} CustomMountType;

typedef enum BindIdmap {
        BIND_IDMAP_NONE,
        BIND_IDMAP_SAME,     /* "idmap": the container's own map */
        BIND_IDMAP_ROOT,     /* "rootidmap": the source's owner is the container's root */
        BIND_IDMAP_OWNER,    /* "owneridmap": the source's owner is the target's owner inside */
        BIND_IDMAP_EXPLICIT, /* "idmap=HOST:CONTAINER[:COUNT]", corral's own */
} BindIdmap;

#define BIND_IDMAP_MAX_ENTRIES 8

typedef struct CustomMount {
        CustomMountType type;
        bool read_only;
        bool source_in_root;                               /* "+" prefix: the source is relative to the container's root */
        bool graceful;                                     /* "-" prefix on overlay/bind sources is not nspawn's; unused */
        char *source;                                      /* bind: host path (NULL: a fresh directory); overlay: upper dir (NULL: tmpfs) */
        char *destination;                                 /* absolute path in the container */
        char *options;                                     /* bind: "rbind"/"norbind"; tmpfs: mount options */
        char **lower;                                      /* overlay: lower directories, bottom last as given */
        BindIdmap idmap;                                   /* bind in a user namespace: how the source's IDs appear */
        uint32_t idmap_entries[BIND_IDMAP_MAX_ENTRIES][3]; /* BIND_IDMAP_EXPLICIT: host, container, count */
        size_t n_idmap_entries;
} CustomMount;

typedef struct Credential {
        char *id;
        char *data;
        size_t size;
} Credential;

/* Which fields a front-end set.  One bit per group of fields, as nspawn's SettingsMask. */
typedef enum SettingsMask {
        SETTING_START_MODE = 1ULL << 0,
        SETTING_ENVIRONMENT = 1ULL << 1,
        SETTING_USER = 1ULL << 2,
        SETTING_KILL_SIGNAL = 1ULL << 3,
        SETTING_PERSONALITY = 1ULL << 4,
        SETTING_MACHINE_ID = 1ULL << 5,
        SETTING_READ_ONLY = 1ULL << 6,
        SETTING_VOLATILE_MODE = 1ULL << 7,
        SETTING_CUSTOM_MOUNTS = 1ULL << 8,
        SETTING_WORKING_DIRECTORY = 1ULL << 9,
        SETTING_NOTIFY_READY = 1ULL << 10,
        SETTING_PIVOT_ROOT = 1ULL << 11,
        SETTING_HOSTNAME = 1ULL << 12,
        SETTING_RESOLV_CONF = 1ULL << 13,
        SETTING_LINK_JOURNAL = 1ULL << 14,
        SETTING_TIMEZONE = 1ULL << 15,
        SETTING_EPHEMERAL = 1ULL << 16,
        SETTING_DIRECTORY = 1ULL << 17,
        SETTING_CONSOLE_MODE = 1ULL << 18,
        SETTING_CREDENTIALS = 1ULL << 19,
        SETTING_SUPPRESS_SYNC = 1ULL << 20,
        SETTING_CAPABILITY = 1ULL << 21, /* Capability=, DropCapability=, AmbientCapability= together, as nspawn */
        SETTING_NO_NEW_PRIVILEGES = 1ULL << 22,
        SETTING_OOM_SCORE_ADJUST = 1ULL << 23,
        SETTING_CPU_AFFINITY = 1ULL << 24,
        SETTING_SYSCALL_FILTER = 1ULL << 41,
        SETTING_USERNS = 1ULL << 42,          /* PrivateUsers= and the ownership, together as nspawn */
        SETTING_NESTING = 1ULL << 44,         /* corral's Nesting= */
        SETTING_NETWORK = 1ULL << 45,         /* every [Network] key together, as nspawn, but Port= */
        SETTING_EXPOSE_PORTS = 1ULL << 46,    /* -p, Port= */
        SETTING_POWEROFF_SIGNAL = 1ULL << 47, /* corral's --poweroff-signal=, PoweroffSignal= */
        SETTING_BIND_USER = 1ULL << 48,       /* --bind-user=, BindUser= */
        SETTING_RESOURCES = 1ULL << 43,       /* corral's [Resources]: merged property by property (Resources.set) */
        SETTING_RLIMIT_FIRST = 1ULL << 25,    /* one bit per resource, RLIMIT_CPU..RLIMIT_RTTIME, as nspawn */
} SettingsMask;

/* The mask bit of resource limit l (the enum's constants are ints: shift a 64-bit value). */
#define SETTING_RLIMIT(l) ((uint64_t)SETTING_RLIMIT_FIRST << (l))

typedef struct ExposePort {
        int protocol; /* IPPROTO_TCP or IPPROTO_UDP */
        uint16_t host_port, container_port;
} ExposePort;

typedef struct Settings {
        uint64_t mask; /* SettingsMask bits of the fields this front-end set */

        /* Image */
        char *directory;
        char *image;     /* -i: a raw disk image (mounted by launch_mount_image(), which sets directory) */
        char *root_hash; /* --root-hash= (hex) */
        char *template_path;
        char *oci_bundle; /* --oci-bundle=: read into the settings by the front-end, as a trusted settings file */
        bool ephemeral;
        bool read_only;
        VolatileMode volatile_mode;
        char *pivot_root_new; /* --pivot-root=NEW[:OLD] */
        char *pivot_root_old;

        /* Execution */
        StartMode start_mode;
        char **parameters; /* the command, or init's arguments with --boot (SETTING_START_MODE, as nspawn) */
        char *working_directory;
        char **environment; /* NAME=VALUE */
        char *user;
        OPTIONAL(int) kill_signal;           /* unset: the default for the start mode */
        OPTIONAL(int) poweroff_signal;       /* corralctl poweroff's signal to PID 1; unset: by the init found */
        OPTIONAL(unsigned long) personality; /* unset: the host's */
        OPTIONAL(bool) notify_ready;
        OPTIONAL(bool) suppress_sync;

        /* Privileges: the bounding set is (nspawn's default | capability_plus) & ~capability_minus */
        uint64_t capability_plus;
        uint64_t capability_minus;
        uint64_t capability_ambient;
        OPTIONAL(bool) no_new_privileges;
        char **syscall_allow_list; /* names and @groups added to nspawn's allow list */
        char **syscall_deny_list;  /* names and @groups denied, from "~" values */

        /* User namespace */
        OPTIONAL(PrivateUsers) private_users; /* unset: no (the merge takes a file's only where it is set) */
        uint32_t uid_shift;                   /* PRIVATE_USERS_FIXED */
        uint32_t uid_range;
        OPTIONAL(UserNamespaceOwnership) userns_ownership; /* unset: off, or auto with pick */

        /* Limits of the payload */
        struct rlimit rlimit[RLIMIT_NLIMITS]; /* valid where the SETTING_RLIMIT(r) bit is set */
        OPTIONAL(int) oom_score_adjust;
        OPTIONAL(CpuSet) cpu_affinity;

        /* corral's --nesting: the profile for containers that run containers */
        OPTIONAL(bool) nesting;

        /* nspawn's environment knobs (options_parse_environment()) */
        ApiVfsMode api_vfs; /* $SYSTEMD_NSPAWN_API_VFS_WRITABLE */
        bool no_tmpfs_tmp;  /* $SYSTEMD_NSPAWN_TMPFS_TMP=0: the tree's own /tmp */
        bool no_image_lock; /* $SYSTEMD_NSPAWN_LOCK=0: the image is not locked */
        bool no_cgns;       /* $SYSTEMD_NSPAWN_USE_CGNS=0: no cgroup namespace */

        /* Networking (SETTING_NETWORK): a network namespace of its own, or the one at
         * network_namespace_path. */
        OPTIONAL(bool) private_network;
        OPTIONAL(bool) network_veth; /* -n: a veth pair, ve-NAME and host0 */
        char *network_namespace_path;
        char *network_bridge;                     /* --network-bridge=, Bridge=: a veth pair whose host side (vb-NAME) joins it */
        char **network_veth_extra;                /* "HOST" or "HOST:CONTAINER" */
        char **network_macvlan, **network_ipvlan; /* host interfaces */
        char **network_interfaces;                /* moved into the container, and back when it ends */
        char *network_address, *network_gateway;  /* corral's Address=, Gateway=: host0 set up from outside */
        OPTIONAL(bool) network_masquerade;        /* corral's Masquerade=: IPv4 masquerade of the veth subnet */
        char *network_zone;                       /* --network-zone=, Zone=: a veth pair whose host side (vb-NAME) joins vz-ZONE */

        /* -p, Port= (SETTING_EXPOSE_PORTS): ports of the host forwarded to the container */
        ExposePort *ports;
        size_t n_ports;

        /* Resource control (--slice, --property, [Resources]) */
        Resources resources;

        /* Identity */
        char *machine;
        char *settings_name; /* whose NAME.nspawn to read: the machine's name before --ephemeral's suffix */
        char *hostname;
        struct {
                bool set;
                uint8_t value[16];
        } uuid; /* OPTIONAL(uint8_t[16]), which C cannot spell */

        /* Mounts and integration */
        CustomMount *custom_mounts;
        size_t n_custom_mounts;
        char **bind_users; /* --bind-user=, BindUser= (SETTING_BIND_USER): host users bound in */
        ResolvConfMode resolv_conf;
        TimezoneMode timezone;
        LinkJournal link_journal;

        /* Console */
        OPTIONAL(ConsoleMode) console_mode; /* unset: by whether stdin and stdout are a terminal */
        bool quiet;

        Credential *credentials;
        size_t n_credentials;

        /* Command line only */
        SettingsMode settings_mode;
        bool keep_unit;
        OPTIONAL(bool) register_machine; /* unset: yes */
} Settings;

/* ProcessSpec's "the host's personality"; Settings say it with an unset personality. */
#define PERSONALITY_INVALID 0xffffffffUL

void settings_init(Settings *s);
void settings_done(Settings *s);

int custom_mount_add(Settings *s, CustomMount **ret);
/* Parses nspawn's --bind/--bind-ro/Bind=/BindReadOnly= value: [+]SRC[:DST[:OPTIONS]]. */
int custom_mount_parse_bind(Settings *s, const char *value, bool read_only, Error *e);
/* --tmpfs/TemporaryFileSystem=: PATH[:OPTIONS]. */
int custom_mount_parse_tmpfs(Settings *s, const char *value, Error *e);
/* --overlay/--overlay-ro/Overlay=/OverlayReadOnly=: [+]LOWER[:LOWER...]:[+]UPPER[:DST]... see man. */
int custom_mount_parse_overlay(Settings *s, const char *value, bool read_only, Error *e);
int custom_mount_parse_inaccessible(Settings *s, const char *value, Error *e);

int credential_parse_set(Settings *s, const char *value, Error *e);
/* Reads the file right away, as nspawn does, so the container sees the content of start time. */
int credential_parse_load(Settings *s, const char *value, Error *e);

int personality_from_string(const char *s, unsigned long *ret);
const char *personality_to_string(unsigned long p);

/* String tables: *_from_string() returns the enum or -EINVAL. */
int start_mode_from_string(const char *s);
int volatile_mode_from_string(const char *s); /* also accepts booleans, as nspawn */
const char *volatile_mode_to_string(VolatileMode m);
int console_mode_from_string(const char *s);
const char *console_mode_to_string(ConsoleMode m);
int resolv_conf_mode_from_string(const char *s);
const char *resolv_conf_mode_to_string(ResolvConfMode m);
int timezone_mode_from_string(const char *s);
const char *timezone_mode_to_string(TimezoneMode m);
int link_journal_from_string(const char *s);
const char *link_journal_to_string(LinkJournal m);
int settings_mode_from_string(const char *s); /* also accepts booleans */
int user_namespace_ownership_from_string(const char *s);
const char *user_namespace_ownership_to_string(UserNamespaceOwnership m);
/* --oom-score-adjust= / OOMScoreAdjust=: a number from -1000 to 1000. */
int oom_score_adjust_parse(Settings *s, const char *value);
/* --cpu-affinity= / CPUAffinity=: a CPU list; an empty one leaves the affinity unset (and, the
 * front-end having set the mask, a settings file's is not taken), as nspawn.  Errors name what. */
int cpu_affinity_parse(Settings *s, const char *value, Error *e, const char *what);
/* --private-users= / PrivateUsers=: a boolean, "pick", "identity", or UID[:COUNT]. */
int private_users_parse(Settings *s, const char *value);

/* -p/--port=, Port=: [tcp:|udp:]HOSTPORT[:CONTAINERPORT], added to s; -EINVAL for a bad one,
 * -EEXIST when the protocol and host port are forwarded already. */
int expose_port_add(Settings *s, const char *value);
/* --network-zone=, Zone=: "vz-" and the name must make an interface name. */
bool zone_name_valid(const char *zone);

/* Checks an interface name as the kernel takes it (1-15 characters, no '/', ':' or space). */
bool ifname_valid(const char *n);
/* --network-veth-extra=HOST[:CONTAINER]: both names valid. */
bool veth_extra_valid(const char *v);
/* --bind-user=, BindUser=: a user name as systemd's valid_user_group_name() takes them. */
bool bind_user_name_is_valid(const char *name);

/* --nesting=yes / Nesting=yes: what a container needs to run containers itself (Docker, podman,
 * corral): every capability, the system calls add_key, keyctl and bpf, /dev/kmsg bound in,
 * and /dev/fuse and /dev/net/tun allowed and made.  Adds to s (a no-op when not asked for);
 * the host check's findings (missing kernel modules) go to warnings. */
int settings_apply_nesting(Settings *s, char ***warnings);

/* The .nspawn front-end.  Parses the text of one settings file (unit-file syntax) into s, setting
 * s->mask for every group a key touched.  Unknown sections and keys add a warning (as nspawn,
 * so newer files still work); a bad value is an error naming the file, line and key. */
int settings_file_parse(Settings *s, const char *path, const char *text, char ***warnings, Error *e);
int settings_file_load(Settings *s, const char *path, char ***warnings, Error *e);

/* Applies a settings file's values to the command line's settings with nspawn's rules: a field
 * the command line set wins unless mode is SETTINGS_OVERRIDE; an untrusted file cannot add
 * mounts (nor, later, capabilities or network access).  Takes what it uses from file. */
int settings_merge(Settings *cmdline, Settings *file, bool trusted, const char *path, char ***warnings, Error *e);
