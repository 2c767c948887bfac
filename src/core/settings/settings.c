/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>
#include <sys/personality.h>
#include <sys/socket.h>
#include <sys/un.h>

#include "fs-util.h"
#include "parse-util.h"
#include "settings.h"
#include "strv.h"

#define CREDENTIAL_SIZE_MAX (1024u * 1024u)

void settings_init(Settings *s)
{
        *s = (Settings){
                .resolv_conf = RESOLV_CONF_AUTO,
                .timezone = TIMEZONE_AUTO,
                .link_journal = LINK_JOURNAL_AUTO,
        };
}

static void custom_mount_done(CustomMount *m)
{
        free(m->source);
        free(m->destination);
        free(m->options);
        strv_free(m->lower);
}

void settings_done(Settings *s)
{
        free(s->directory);
        free(s->image);
        free(s->root_hash);
        free(s->network_namespace_path);
        free(s->network_bridge);
        strv_free(s->network_veth_extra);
        strv_free(s->bind_users);
        strv_free(s->network_macvlan);
        strv_free(s->network_ipvlan);
        strv_free(s->network_interfaces);
        free(s->network_address);
        free(s->network_gateway);
        free(s->network_zone);
        free(s->ports);
        free(s->template_path);
        free(s->oci_bundle);
        free(s->pivot_root_new);
        free(s->pivot_root_old);
        strv_free(s->parameters);
        free(s->working_directory);
        strv_free(s->environment);
        strv_free(s->syscall_allow_list);
        strv_free(s->syscall_deny_list);
        resources_done(&s->resources);
        free(s->user);
        free(s->machine);
        free(s->settings_name);
        free(s->hostname);
        for (size_t i = 0; i < s->n_custom_mounts; i++)
                custom_mount_done(&s->custom_mounts[i]);
        free(s->custom_mounts);
        for (size_t i = 0; i < s->n_credentials; i++) {
                free(s->credentials[i].id);
                free(s->credentials[i].data);
        }
        free(s->credentials);
        settings_init(s);
}

int custom_mount_add(Settings *s, CustomMount **ret)
{
        CustomMount *n = realloc(s->custom_mounts, sizeof(CustomMount) * (s->n_custom_mounts + 1));
        if (!n)
                return -ENOMEM;
        s->custom_mounts = n;
        *ret = &n[s->n_custom_mounts++];
        **ret = (CustomMount){0};
        return 0;
}

/* A source is an absolute host path, or "+/path" relative to the container's root. */
static bool source_path_is_valid(const char *p)
{
        if (*p == '+')
                p++;
        return path_is_absolute(p);
}

static int take_source(CustomMount *m, char *src)
{
        if (src && src[0] == '+') {
                m->source_in_root = true;
                memmove(src, src + 1, strlen(src));
        }
        m->source = src;
        return 0;
}

int custom_mount_parse_bind(Settings *s, const char *value, bool read_only, Error *e)
{
        const char *opt = read_only ? "--bind-ro" : "--bind";
        const char *p = value;
        _cleanup_free_ char *src = NULL, *dst = NULL, *opts = NULL;
        int r;

        if ((r = extract_colon_field(&p, &src)) <= 0)
                return error_set(e, r ?: -EINVAL, "%s: empty value; expected SOURCE[:DESTINATION[:OPTIONS]]", opt);
        if (p && (r = extract_colon_field(&p, &dst)) < 0)
                return r;
        if (p && !(opts = strdup(p)))
                return -ENOMEM;
        if (!dst && !(dst = strdup(src[0] == '+' ? src + 1 : src)))
                return -ENOMEM;
        if (*src && !source_path_is_valid(src))
                return error_set(e, -EINVAL, "%s=%s: source \"%s\" must be an absolute path (or \"+/path\" inside the container)", opt, value, src);
        if (!path_is_absolute(dst) || !path_is_normalized(dst))
                return error_set(e, -EINVAL, "%s=%s: destination \"%s\" must be an absolute path without \".\" or \"..\"", opt, value, dst);
        BindIdmap idmap = BIND_IDMAP_NONE;
        uint32_t entries[BIND_IDMAP_MAX_ENTRIES][3];
        size_t n_entries = 0;
        if (opts && *opts) {
                _cleanup_free_ char *copy = strdup(opts);
                if (!copy)
                        return -ENOMEM;
                for (char *save = NULL, *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
                        const char *v;
                        if (streq(o, "rbind") || streq(o, "norbind"))
                                continue;
                        if (streq(o, "idmap") || streq(o, "noidmap") || streq(o, "rootidmap") || streq(o, "owneridmap")) {
                                if (n_entries > 0)
                                        return error_set(e, -EINVAL, "%s=%s: \"%s\" and idmap=HOST:CONTAINER cannot be combined", opt, value, o);
                                idmap = streq(o, "idmap")        ? BIND_IDMAP_SAME
                                        : streq(o, "rootidmap")  ? BIND_IDMAP_ROOT
                                        : streq(o, "owneridmap") ? BIND_IDMAP_OWNER
                                                                 : BIND_IDMAP_NONE;
                                continue;
                        }
                        if ((v = startswith(o, "idmap="))) {
                                unsigned long host, cont, count = 1;
                                char *end;
                                host = strtoul(v, &end, 10);
                                bool ok = end != v && *end == ':';
                                if (ok) {
                                        v = end + 1;
                                        cont = strtoul(v, &end, 10);
                                        ok = end != v && (*end == 0 || *end == ':');
                                        if (ok && *end == ':') {
                                                v = end + 1;
                                                count = strtoul(v, &end, 10);
                                                ok = end != v && *end == 0;
                                        }
                                }
                                if (!ok || count == 0 || host > UINT32_MAX - count || cont > UINT32_MAX - count)
                                        return error_set(e, -EINVAL, "%s=%s: \"%s\": expected idmap=HOSTUID:CONTAINERUID[:COUNT]", opt, value, o);
                                if (idmap != BIND_IDMAP_NONE && idmap != BIND_IDMAP_EXPLICIT)
                                        return error_set(e, -EINVAL,
                                                         "%s=%s: idmap=HOST:CONTAINER cannot be combined with idmap, rootidmap or owneridmap", opt,
                                                         value);
                                if (n_entries == BIND_IDMAP_MAX_ENTRIES)
                                        return error_set(e, -E2BIG, "%s=%s: at most %d idmap= entries", opt, value, BIND_IDMAP_MAX_ENTRIES);
                                entries[n_entries][0] = (uint32_t)host;
                                entries[n_entries][1] = (uint32_t)cont;
                                entries[n_entries][2] = (uint32_t)count;
                                n_entries++;
                                idmap = BIND_IDMAP_EXPLICIT;
                                continue;
                        }
                        return error_set(
                                e, -EINVAL,
                                "%s=%s: unknown mount option \"%s\"; known: rbind, norbind, idmap, noidmap, rootidmap, owneridmap, idmap=HOST:CONTAINER[:COUNT]",
                                opt, value, o);
                }
        }

        CustomMount *m;
        if ((r = custom_mount_add(s, &m)) < 0)
                return r;
        m->idmap = idmap;
        memcpy(m->idmap_entries, entries, sizeof(entries[0]) * n_entries);
        m->n_idmap_entries = n_entries;
        m->type = CUSTOM_MOUNT_BIND;
        m->read_only = read_only;
        take_source(m, *src ? TAKE_PTR(src) : NULL);
        m->destination = TAKE_PTR(dst);
        m->options = TAKE_PTR(opts);
        return 0;
}

int custom_mount_parse_tmpfs(Settings *s, const char *value, Error *e)
{
        const char *p = value;
        _cleanup_free_ char *path = NULL;
        int r;

        if ((r = extract_colon_field(&p, &path)) <= 0)
                return error_set(e, r ?: -EINVAL, "--tmpfs: empty value; expected PATH[:OPTIONS]");
        if (!path_is_absolute(path) || !path_is_normalized(path))
                return error_set(e, -EINVAL, "--tmpfs=%s: \"%s\" must be an absolute path without \".\" or \"..\"", value, path);
        /* The generic mount options go to the mount's flags, the rest to tmpfs (plan time). */
        unsigned long flags = 0;
        _cleanup_free_ char *data = NULL;
        if (p && *p && mount_options_split(p, &flags, &data) < 0)
                return error_set(e, -EINVAL, "--tmpfs=%s: an empty mount option in \"%s\"", value, p);
        CustomMount *m;
        if ((r = custom_mount_add(s, &m)) < 0)
                return r;
        m->type = CUSTOM_MOUNT_TMPFS;
        m->destination = TAKE_PTR(path);
        m->options = strdup(p ? p : "mode=0755");
        return m->options ? 0 : -ENOMEM;
}

int custom_mount_parse_overlay(Settings *s, const char *value, bool read_only, Error *e)
{
        const char *opt = read_only ? "--overlay-ro" : "--overlay";
        _cleanup_strv_free_ char **parts = NULL;
        _cleanup_free_ char *upper = NULL, *dst = NULL;
        const char *p = value;
        char *w;
        int r;

        while ((r = extract_colon_field(&p, &w)) > 0)
                if ((r = strv_push(&parts, w)) < 0)
                        return r;
        if (r < 0)
                return r;
        size_t k = strv_length(parts);
        if (k < 2)
                return error_set(e, -EINVAL, "%s=%s: expected at least two paths: LOWER[:LOWER...]:UPPER[:DESTINATION]", opt, value);
        if (k == 2) {
                upper = TAKE_PTR(parts[1]);
                if (!(dst = strdup(upper[0] == '+' ? upper + 1 : upper)))
                        return -ENOMEM;
                if (!source_path_is_valid(upper))
                        return error_set(e, -EINVAL, "%s=%s: \"%s\" must be an absolute path", opt, value, upper);
        } else {
                dst = TAKE_PTR(parts[k - 1]);
                upper = TAKE_PTR(parts[k - 2]);
                if (isempty(upper)) {
                        free(upper);
                        upper = NULL;
                } else if (!source_path_is_valid(upper))
                        return error_set(e, -EINVAL, "%s=%s: upper directory \"%s\" must be an absolute path", opt, value, upper);
        }
        /* What is left are the lower directories, lowest first. */
        size_t nl = k - (k == 2 ? 1 : 2);
        for (size_t i = 0; i < nl; i++)
                if (!source_path_is_valid(parts[i]))
                        return error_set(e, -EINVAL, "%s=%s: lower directory \"%s\" must be an absolute path", opt, value, parts[i]);
        if (!path_is_absolute(dst) || !path_is_normalized(dst))
                return error_set(e, -EINVAL, "%s=%s: destination \"%s\" must be an absolute path", opt, value, dst);
        if (!upper && read_only)
                return error_set(e, -EINVAL, "%s=%s: a read-only overlay needs an upper directory", opt, value);

        CustomMount *m;
        if ((r = custom_mount_add(s, &m)) < 0)
                return r;
        m->type = CUSTOM_MOUNT_OVERLAY;
        m->read_only = read_only;
        take_source(m, TAKE_PTR(upper));
        m->destination = TAKE_PTR(dst);
        for (size_t i = nl; parts[i]; i++)
                free(TAKE_PTR(parts[i]));
        parts[nl] = NULL;
        m->lower = TAKE_PTR(parts);
        return 0;
}

int custom_mount_parse_inaccessible(Settings *s, const char *value, Error *e)
{
        CustomMount *m;
        int r;
        if (!path_is_absolute(value) || !path_is_normalized(value))
                return error_set(e, -EINVAL, "--inaccessible=%s: expected an absolute path without \".\" or \"..\"", value);
        if ((r = custom_mount_add(s, &m)) < 0)
                return r;
        m->type = CUSTOM_MOUNT_INACCESSIBLE;
        m->destination = strdup(value);
        return m->destination ? 0 : -ENOMEM;
}

static bool credential_name_is_valid(const char *s)
{
        return !isempty(s) && strlen(s) <= 255 && !strchr(s, '/') && !streq(s, ".") && !streq(s, "..");
}

static int credential_add(Settings *s, const char *opt, char *id, char *data, size_t size, Error *e)
{
        for (size_t i = 0; i < s->n_credentials; i++)
                if (streq(s->credentials[i].id, id)) {
                        int r = error_set(e, -EEXIST, "%s: credential \"%s\" is already set", opt, id);
                        free(id);
                        free(data);
                        return r;
                }
        Credential *n = realloc(s->credentials, sizeof(Credential) * (s->n_credentials + 1));
        if (!n) {
                free(id);
                free(data);
                return -ENOMEM;
        }
        s->credentials = n;
        n[s->n_credentials++] = (Credential){.id = id, .data = data, .size = size};
        return 0;
}

int credential_parse_set(Settings *s, const char *value, Error *e)
{
        _cleanup_free_ char *id = NULL, *data = NULL;
        const char *rest;
        size_t size;
        int r;

        if ((r = split_colon(value, &id, &rest)) < 0)
                return r;
        if (!rest || !credential_name_is_valid(id))
                return error_set(e, -EINVAL, "--set-credential=%s: expected ID:VALUE with a valid credential name", value);
        if (cunescape(rest, &data, &size) < 0)
                return error_set(e, -EINVAL, "--set-credential=%s: bad escape sequence in the value", value);
        if (size > CREDENTIAL_SIZE_MAX)
                return error_set(e, -E2BIG, "--set-credential=%s: value larger than 1 MiB", id);
        return credential_add(s, "--set-credential", TAKE_PTR(id), TAKE_PTR(data), size, e);
}

static int read_credential_source(const char *path, char **ret, size_t *ret_size)
{
        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        *ret = NULL;
        *ret_size = 0;
        if (fd < 0 && errno == ENXIO) {
                /* An AF_UNIX stream socket: connect and read what it sends, as nspawn does. */
                struct sockaddr_un sa = {.sun_family = AF_UNIX};
                if (strlen(path) >= sizeof(sa.sun_path))
                        return -ENAMETOOLONG;
                strcpy(sa.sun_path, path);
                fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                if (fd < 0)
                        return negative_errno();
                if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                        return negative_errno();
                shutdown(fd, SHUT_WR);
        }
        if (fd < 0)
                return negative_errno();
        return read_full_fd(fd, ret, ret_size);
}

int credential_parse_load(Settings *s, const char *value, Error *e)
{
        _cleanup_free_ char *id = NULL, *data = NULL, *path = NULL;
        const char *rest;
        size_t size;
        int r;

        if ((r = split_colon(value, &id, &rest)) < 0)
                return r;
        if (!rest || !*rest || !credential_name_is_valid(id))
                return error_set(e, -EINVAL, "--load-credential=%s: expected ID:PATH with a valid credential name", value);
        if (path_is_absolute(rest))
                path = strdup(rest);
        else {
                /* Relative names come from our own credentials, as nspawn does under a service. */
                const char *dir = getenv("CREDENTIALS_DIRECTORY");
                if (!dir || strchr(rest, '/'))
                        return error_set(
                                e, -EINVAL,
                                "--load-credential=%s: \"%s\" is not an absolute path (a plain name is looked up in $CREDENTIALS_DIRECTORY, which is not set)",
                                value, rest);
                path = path_join(dir, rest);
        }
        if (!path)
                return -ENOMEM;
        if ((r = read_credential_source(path, &data, &size)) < 0)
                return error_set_errno(e, r, "--load-credential=%s: cannot read %s", value, path);
        if (size > CREDENTIAL_SIZE_MAX)
                return error_set(e, -E2BIG, "--load-credential=%s: %s is larger than 1 MiB", value, path);
        return credential_add(s, "--load-credential", TAKE_PTR(id), TAKE_PTR(data), size, e);
}

int personality_from_string(const char *s, unsigned long *ret)
{
        /* As nspawn on x86-64: the native architecture, or its 32-bit sibling. */
        if (streq(s, "x86-64") || streq(s, "x86_64"))
                *ret = PER_LINUX;
        else if (streq(s, "x86") || streq(s, "i386") || streq(s, "i686"))
                *ret = PER_LINUX32;
        else
                return -EINVAL;
        return 0;
}

const char *personality_to_string(unsigned long p)
{
        return p == PER_LINUX32 ? "x86" : p == PER_LINUX ? "x86-64" : NULL;
}

static int lookup(const char *const *table, size_t n, const char *s)
{
        for (size_t i = 0; i < n; i++)
                if (table[i] && streq(table[i], s))
                        return (int)i;
        return -EINVAL;
}

#define STRING_TABLE(name, type, max, ...)                              \
        static const char *const name##_table[max] = __VA_ARGS__;       \
        int name##_from_string_raw(const char *s);                      \
        int name##_from_string_raw(const char *s)                       \
        {                                                               \
                return lookup(name##_table, max, s);                    \
        }                                                               \
        const char *name##_to_string(type m)                            \
        {                                                               \
                return (int)m >= 0 && m < max ? name##_table[m] : NULL; \
        }

STRING_TABLE(volatile_mode, VolatileMode, _VOLATILE_MAX,
             {[VOLATILE_NO] = "no", [VOLATILE_YES] = "yes", [VOLATILE_STATE] = "state", [VOLATILE_OVERLAY] = "overlay"})
STRING_TABLE(console_mode, ConsoleMode, _CONSOLE_MAX,
             {[CONSOLE_INTERACTIVE] = "interactive",
              [CONSOLE_READ_ONLY] = "read-only",
              [CONSOLE_PASSIVE] = "passive",
              [CONSOLE_PIPE] = "pipe",
              [CONSOLE_AUTOPIPE] = "autopipe"})
STRING_TABLE(resolv_conf_mode, ResolvConfMode, _RESOLV_CONF_MAX,
             {[RESOLV_CONF_OFF] = "off",
              [RESOLV_CONF_COPY_HOST] = "copy-host",
              [RESOLV_CONF_COPY_STATIC] = "copy-static",
              [RESOLV_CONF_COPY_UPLINK] = "copy-uplink",
              [RESOLV_CONF_COPY_STUB] = "copy-stub",
              [RESOLV_CONF_REPLACE_HOST] = "replace-host",
              [RESOLV_CONF_REPLACE_STATIC] = "replace-static",
              [RESOLV_CONF_REPLACE_UPLINK] = "replace-uplink",
              [RESOLV_CONF_REPLACE_STUB] = "replace-stub",
              [RESOLV_CONF_BIND_HOST] = "bind-host",
              [RESOLV_CONF_BIND_STATIC] = "bind-static",
              [RESOLV_CONF_BIND_UPLINK] = "bind-uplink",
              [RESOLV_CONF_BIND_STUB] = "bind-stub",
              [RESOLV_CONF_DELETE] = "delete",
              [RESOLV_CONF_AUTO] = "auto"})
STRING_TABLE(timezone_mode, TimezoneMode, _TIMEZONE_MAX,
             {[TIMEZONE_OFF] = "off",
              [TIMEZONE_COPY] = "copy",
              [TIMEZONE_BIND] = "bind",
              [TIMEZONE_SYMLINK] = "symlink",
              [TIMEZONE_DELETE] = "delete",
              [TIMEZONE_AUTO] = "auto"})
STRING_TABLE(link_journal, LinkJournal, _LINK_JOURNAL_MAX,
             {[LINK_JOURNAL_NO] = "no",
              [LINK_JOURNAL_AUTO] = "auto",
              [LINK_JOURNAL_HOST] = "host",
              [LINK_JOURNAL_GUEST] = "guest",
              [LINK_JOURNAL_TRY_HOST] = "try-host",
              [LINK_JOURNAL_TRY_GUEST] = "try-guest"})
STRING_TABLE(settings_mode, SettingsMode, _SETTINGS_MODE_MAX,
             {[SETTINGS_YES] = "yes", [SETTINGS_NO] = "no", [SETTINGS_OVERRIDE] = "override", [SETTINGS_TRUSTED] = "trusted"})

int volatile_mode_from_string(const char *s)
{
        int b = parse_boolean(s);
        return b >= 0 ? (b ? VOLATILE_YES : VOLATILE_NO) : volatile_mode_from_string_raw(s);
}

int console_mode_from_string(const char *s)
{
        return console_mode_from_string_raw(s);
}

int resolv_conf_mode_from_string(const char *s)
{
        int b = parse_boolean(s);
        /* nspawn 239 took booleans here; "no" meant off, "yes" meant auto. */
        return b >= 0 ? (b ? RESOLV_CONF_AUTO : RESOLV_CONF_OFF) : resolv_conf_mode_from_string_raw(s);
}

int timezone_mode_from_string(const char *s)
{
        int b = parse_boolean(s);
        return b >= 0 ? (b ? TIMEZONE_AUTO : TIMEZONE_OFF) : timezone_mode_from_string_raw(s);
}

int link_journal_from_string(const char *s)
{
        return link_journal_from_string_raw(s);
}

int settings_mode_from_string(const char *s)
{
        int b = parse_boolean(s);
        return b >= 0 ? (b ? SETTINGS_YES : SETTINGS_NO) : settings_mode_from_string_raw(s);
}

STRING_TABLE(user_namespace_ownership_, UserNamespaceOwnership, _USER_NAMESPACE_OWNERSHIP_MAX,
             {[USER_NAMESPACE_OWNERSHIP_OFF] = "off",
              [USER_NAMESPACE_OWNERSHIP_CHOWN] = "chown",
              [USER_NAMESPACE_OWNERSHIP_MAP] = "map",
              [USER_NAMESPACE_OWNERSHIP_AUTO] = "auto"})

int user_namespace_ownership_from_string(const char *s)
{
        return user_namespace_ownership__from_string_raw(s);
}

const char *user_namespace_ownership_to_string(UserNamespaceOwnership m)
{
        return user_namespace_ownership__to_string(m);
}

int oom_score_adjust_parse(Settings *s, const char *value)
{
        char *end;
        errno = 0;
        long n = strtol(value, &end, 10);
        if (errno || end == value || *end || n < -1000 || n > 1000)
                return -ERANGE;
        OPTIONAL_SET(s->oom_score_adjust, (int)n);
        return 0;
}

int cpu_affinity_parse(Settings *s, const char *value, Error *e, const char *what)
{
        int r = cpu_set_parse(value, &s->cpu_affinity.value, e, what);
        s->cpu_affinity.set = r >= 0 && cpu_set_count(&s->cpu_affinity.value, NULL) > 0;
        return r;
}

int private_users_parse(Settings *s, const char *value)
{
        /* As nspawn: digits are a UID ("0" is a shift of 0, not "no"), anything else a boolean
         * or a word. */
        int b = value[strspn(value, "0123456789:")] ? parse_boolean(value) : -1;
        if (b >= 0) {
                OPTIONAL_SET(s->private_users, b ? PRIVATE_USERS_AUTO : PRIVATE_USERS_NO);
                return 0;
        }
        if (streq(value, "pick")) {
                OPTIONAL_SET(s->private_users, PRIVATE_USERS_PICK);
                return 0;
        }
        if (streq(value, "identity")) {
                OPTIONAL_SET(s->private_users, PRIVATE_USERS_IDENTITY);
                return 0;
        }
        _cleanup_free_ char *a = NULL;
        const char *b2 = NULL;
        unsigned long shift, range = 65536;
        if (split_colon(value, &a, &b2) < 0 || parse_unsigned(a, &shift) < 0 || (b2 && parse_unsigned(b2, &range) < 0))
                return -EINVAL;
        /* The range must fit below the 32-bit invalid UID, and not be empty. */
        if (range == 0 || shift > UINT32_MAX - 1 || range > UINT32_MAX - shift)
                return -ERANGE;
        OPTIONAL_SET(s->private_users, PRIVATE_USERS_FIXED);
        s->uid_shift = (uint32_t)shift;
        s->uid_range = (uint32_t)range;
        return 0;
}

/* A kernel module's feature, as a container's Docker or podman would miss it. */
static bool host_has_filesystem(const char *name)
{
        _cleanup_free_ char *t = NULL;
        if (read_full_file("/proc/filesystems", &t, NULL) < 0)
                return true; /* cannot tell: say nothing */
        for (char *save = NULL, *l = strtok_r(t, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                const char *f = strrchr(l, '\t') ? strrchr(l, '\t') + 1 : l;
                if (streq(f, name))
                        return true;
        }
        return false;
}

bool bind_user_name_is_valid(const char *name)
{
        size_t n = strlen(name);
        if (n == 0 || n > 255 || !(name[0] == '_' || (name[0] >= 'a' && name[0] <= 'z') || (name[0] >= 'A' && name[0] <= 'Z')))
                return false;
        return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

bool ifname_valid(const char *n)
{
        return *n && strlen(n) < 16 && !strpbrk(n, "/: \t\n") && strcmp(n, ".") != 0 && strcmp(n, "..") != 0;
}

bool zone_name_valid(const char *zone)
{
        char name[32];
        return strlen(zone) < 16 && (snprintf(name, sizeof(name), "vz-%s", zone), ifname_valid(name));
}

static int parse_port(const char *s, size_t n, uint16_t *ret)
{
        unsigned v = 0;
        if (n == 0 || n > 5)
                return -EINVAL;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9')
                        return -EINVAL;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v == 0 || v > 65535)
                return -EINVAL;
        *ret = (uint16_t)v;
        return 0;
}

int expose_port_add(Settings *s, const char *value)
{
        ExposePort p = {.protocol = IPPROTO_TCP};
        const char *v = value;
        if (startswith(v, "tcp:"))
                v += 4;
        else if (startswith(v, "udp:")) {
                v += 4;
                p.protocol = IPPROTO_UDP;
        }
        const char *colon = strchr(v, ':');
        if (parse_port(v, colon ? (size_t)(colon - v) : strlen(v), &p.host_port) < 0)
                return -EINVAL;
        p.container_port = p.host_port;
        if (colon && parse_port(colon + 1, strlen(colon + 1), &p.container_port) < 0)
                return -EINVAL;
        for (size_t i = 0; i < s->n_ports; i++)
                if (s->ports[i].protocol == p.protocol && s->ports[i].host_port == p.host_port)
                        return -EEXIST;
        ExposePort *n = realloc(s->ports, (s->n_ports + 1) * sizeof(*n));
        if (!n)
                return -ENOMEM;
        s->ports = n;
        s->ports[s->n_ports++] = p;
        return 0;
}

bool veth_extra_valid(const char *v)
{
        char buf[40];
        if (strlen(v) >= sizeof(buf))
                return false;
        strcpy(buf, v);
        char *colon = strchr(buf, ':');
        if (colon)
                *colon = 0;
        return ifname_valid(buf) && (!colon || ifname_valid(colon + 1));
}

int settings_apply_nesting(Settings *s, char ***warnings)
{
        static const char *const syscalls[] = {"add_key", "keyctl", "bpf"};
        static const struct {
                const char *module, *why;
        } checks[] = {{"overlay", "overlay file systems (Docker's and podman's overlay2 storage)"},
                      {"fuse", "FUSE file systems (fuse-overlayfs, sshfs)"},
                      {"br_netfilter", "Docker's bridge networking (its iptables rules on bridged traffic)"}};
        int r;
        if (!OPTIONAL_OR(s->nesting, false))
                return 0;
        s->capability_plus = ~0ULL;
        for (size_t i = 0; i < ELEMENTSOF(syscalls); i++)
                if (!strv_contains(s->syscall_allow_list, syscalls[i]) && (r = strv_extend(&s->syscall_allow_list, syscalls[i])) < 0)
                        return r;
        if (access("/dev/kmsg", F_OK) == 0) {
                bool bound = false;
                for (size_t i = 0; i < s->n_custom_mounts; i++)
                        bound = bound || (s->custom_mounts[i].destination && streq(s->custom_mounts[i].destination, "/dev/kmsg"));
                if (!bound && (r = custom_mount_parse_bind(s, "/dev/kmsg", false, NULL)) < 0)
                        return r;
        }
        static const char *const nodes[] = {"/dev/fuse rwm", "/dev/net/tun rwm"};
        for (size_t i = 0; i < ELEMENTSOF(nodes); i++) {
                char path[32];
                sscanf(nodes[i], "%31s", path);
                if (access(path, F_OK) == 0 && (r = resources_set(&s->resources, "DeviceAllow", nodes[i], NULL)) < 0)
                        return r;
        }
        /* The host check: name what the kernel lacks now, not when Docker fails inside. */
        for (size_t i = 0; i < ELEMENTSOF(checks) && warnings; i++) {
                bool ok = streq(checks[i].module, "br_netfilter") ? access("/proc/sys/net/bridge/bridge-nf-call-iptables", F_OK) == 0
                                                                  : host_has_filesystem(checks[i].module);
                char *m;
                if (ok)
                        continue;
                if (asprintf(&m, "--nesting: the host kernel has no %s module loaded, needed for %s inside; load it with \"modprobe %s\"",
                             checks[i].module, checks[i].why, checks[i].module) < 0 ||
                    strv_push(warnings, m) < 0)
                        return -ENOMEM;
        }
        return 0;
}
