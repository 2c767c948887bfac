/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* config.json into an OciConfig.  json-c does the JSON; this file checks every field's type
 * and range and says which field is wrong, by its path in the document. */
#include <json-c/json.h>
#include <stdarg.h>
#include <linux/seccomp.h>
#include <sys/personality.h>
#include <sys/stat.h>

#include "capability.h"
#include "exec-limits.h"
#include "fs-util.h"
#include "macro.h"
#include "oci-config.h"
#include "strv.h"

/* Nesting deeper than any config needs is refused before json-c recurses into it. */
#define OCI_JSON_DEPTH 32

typedef struct Walk {
        Error *e;
        char path[256]; /* the field being read, for errors */
} Walk;

_printf_(3, 4) static void fail_msg(Walk *w, int code, const char *fmt, ...)
{
        char msg[512];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        if (!w->path[0])
                error_set(w->e, code, "config.json: %s", msg);
        else
                error_set(w->e, code, "config.json: %s: %s", w->path, msg);
}
/* Sets the error, naming the field being read, and is code (a negative errno). */
#define fail(w, code, ...) (fail_msg((w), (code), __VA_ARGS__), (code))

/* Enters a field: appends ".name" (or "[i]" with name NULL) to the path; leave() restores it. */
static size_t enter(Walk *w, const char *name, size_t index)
{
        size_t at = strlen(w->path);
        if (name)
                snprintf(w->path + at, sizeof(w->path) - at, "%s%s", at ? "." : "", name);
        else
                snprintf(w->path + at, sizeof(w->path) - at, "[%zu]", index);
        return at;
}

static void leave(Walk *w, size_t at)
{
        w->path[at] = 0;
}

static const char *type_name(json_type t)
{
        switch (t) {
        case json_type_null:
                return "null";
        case json_type_boolean:
                return "a boolean";
        case json_type_double:
        case json_type_int:
                return "a number";
        case json_type_object:
                return "an object";
        case json_type_array:
                return "an array";
        case json_type_string:
                return "a string";
        }
        return "?";
}

static int want(Walk *w, json_object *o, json_type t, const char *what)
{
        json_type have = json_object_get_type(o);
        if (have == t)
                return 0;
        return fail(w, -EINVAL, "must be %s, not %s", what, type_name(have));
}

static int get_string(Walk *w, json_object *o, char **ret)
{
        int r = want(w, o, json_type_string, "a string");
        if (r < 0)
                return r;
        const char *s = json_object_get_string(o);
        if (strlen(s) != (size_t)json_object_get_string_len(o))
                return fail(w, -EINVAL, "must not contain a NUL character");
        free(*ret);
        return (*ret = strdup(s)) ? 0 : -ENOMEM;
}

static int get_bool(Walk *w, json_object *o, bool *ret)
{
        int r = want(w, o, json_type_boolean, "true or false");
        if (r < 0)
                return r;
        *ret = json_object_get_boolean(o);
        return 0;
}

/* A whole number between min and max.  json-c reads numbers beyond int64's range as
 * doubles, or saturates them: both are refused here. */
static int get_int(Walk *w, json_object *o, int64_t min, int64_t max, int64_t *ret)
{
        if (json_object_get_type(o) != json_type_int)
                return fail(w, -EINVAL, "must be a whole number, not %s", type_name(json_object_get_type(o)));
        errno = 0;
        int64_t v = json_object_get_int64(o);
        if (errno != 0 || v < min || v > max)
                return fail(w, -ERANGE, "%s is out of range (%lld to %lld)", json_object_get_string(o), (long long)min, (long long)max);
        *ret = v;
        return 0;
}

/* An unsigned 64-bit number (json-c keeps those above INT64_MAX as unsigned). */
static int get_u64(Walk *w, json_object *o, uint64_t *ret)
{
        if (json_object_get_type(o) != json_type_int)
                return fail(w, -EINVAL, "must be a whole number, not %s", type_name(json_object_get_type(o)));
        const char *s = json_object_get_string(o);
        if (s[0] == '-')
                return fail(w, -ERANGE, "%s is out of range (0 to %llu)", s, (unsigned long long)UINT64_MAX);
        errno = 0;
        uint64_t v = json_object_get_uint64(o);
        if (errno != 0)
                return fail(w, -ERANGE, "%s is out of range (0 to %llu)", s, (unsigned long long)UINT64_MAX);
        *ret = v;
        return 0;
}

static int get_u32(Walk *w, json_object *o, uint32_t *ret)
{
        int64_t v = 0;
        int r = get_int(w, o, 0, UINT32_MAX, &v);
        if (r >= 0)
                *ret = (uint32_t)v;
        return r;
}

static int get_strv(Walk *w, json_object *o, char ***ret)
{
        int r = want(w, o, json_type_array, "an array of strings");
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        char **l = calloc(n + 1, sizeof(char *));
        if (!l)
                return -ENOMEM;
        for (size_t i = 0; i < n; i++) {
                size_t at = enter(w, NULL, i);
                r = get_string(w, json_object_array_get_idx(o, i), &l[i]);
                leave(w, at);
                if (r < 0) {
                        strv_free(l);
                        return r;
                }
        }
        strv_free(*ret);
        *ret = l;
        return 0;
}

/* An object of strings, as a list of pairs. */
static int get_map(Walk *w, json_object *o, OciKeyValue **ret, size_t *ret_n)
{
        int r = want(w, o, json_type_object, "an object of strings");
        if (r < 0)
                return r;
        size_t n = (size_t)json_object_object_length(o), i = 0;
        OciKeyValue *kv = calloc(n ? n : 1, sizeof(OciKeyValue));
        if (!kv)
                return -ENOMEM;
        json_object_object_foreach(o, key, val)
        {
                size_t at = enter(w, key, 0);
                kv[i].key = strdup(key);
                r = kv[i].key ? get_string(w, val, &kv[i].value) : -ENOMEM;
                i++;
                leave(w, at);
                if (r < 0)
                        break;
        }
        if (r < 0) {
                for (size_t k = 0; k < i; k++) {
                        free(kv[k].key);
                        free(kv[k].value);
                }
                free(kv);
                return r;
        }
        *ret = kv;
        *ret_n = n;
        return 0;
}

static void map_free(OciKeyValue *kv, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                free(kv[i].key);
                free(kv[i].value);
        }
        free(kv);
}

/* Calls fn for each element of an array field, with the path at "[i]". */
static int each(Walk *w, json_object *o, void *array, size_t size, size_t *ret_n, int (*fn)(Walk *w, json_object *o, void *elem))
{
        int r = want(w, o, json_type_array, "an array");
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        void **out = array;
        char *a = calloc(n ? n : 1, size);
        if (!a)
                return -ENOMEM;
        *out = a;
        *ret_n = 0;
        for (size_t i = 0; i < n; i++) {
                size_t at = enter(w, NULL, i);
                r = fn(w, json_object_array_get_idx(o, i), a + i * size);
                leave(w, at);
                (*ret_n)++; /* counted even on failure: the element may hold something to free */
                if (r < 0)
                        return r;
        }
        return 0;
}

/* A table of an object's fields: the name and the function that reads it. */
typedef struct Field {
        const char *name;
        int (*fn)(Walk *w, json_object *o, void *target);
} Field;

static int fields(Walk *w, json_object *o, const Field *table, size_t n, void *target)
{
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++) {
                json_object *v;
                if (!json_object_object_get_ex(o, table[i].name, &v))
                        continue;
                size_t at = enter(w, table[i].name, 0);
                r = table[i].fn(w, v, target);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* Field readers; each receives the object the table fills. */
#define STRING_FIELD(fname, type, member)                      \
        static int fname(Walk *w, json_object *o, void *t)     \
        {                                                      \
                return get_string(w, o, &((type *)t)->member); \
        }
#define STRV_FIELD(fname, type, member)                      \
        static int fname(Walk *w, json_object *o, void *t)   \
        {                                                    \
                return get_strv(w, o, &((type *)t)->member); \
        }
#define BOOL_FIELD(fname, type, member)                      \
        static int fname(Walk *w, json_object *o, void *t)   \
        {                                                    \
                return get_bool(w, o, &((type *)t)->member); \
        }
#define INT_FIELD(fname, type, member, min, max)              \
        static int fname(Walk *w, json_object *o, void *t)    \
        {                                                     \
                int64_t v = 0;                                \
                int r = get_int(w, o, min, max, &v);          \
                if (r >= 0)                                   \
                        OPTIONAL_SET(((type *)t)->member, v); \
                return r;                                     \
        }
#define U64_FIELD(fname, type, member)                        \
        static int fname(Walk *w, json_object *o, void *t)    \
        {                                                     \
                uint64_t v = 0;                               \
                int r = get_u64(w, o, &v);                    \
                if (r >= 0)                                   \
                        OPTIONAL_SET(((type *)t)->member, v); \
                return r;                                     \
        }

/* --- process --- */

static int process_console_size(Walk *w, json_object *o, void *t)
{
        OciProcess *p = t;
        json_object *h, *wd;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "height", &h) || !json_object_object_get_ex(o, "width", &wd))
                return fail(w, -EINVAL, "must have \"height\" and \"width\"");
        int64_t hv = 0, wv = 0;
        size_t at = enter(w, "height", 0);
        r = get_int(w, h, 0, UINT16_MAX, &hv);
        leave(w, at);
        if (r < 0)
                return r;
        at = enter(w, "width", 0);
        r = get_int(w, wd, 0, UINT16_MAX, &wv);
        leave(w, at);
        if (r < 0)
                return r;
        OPTIONAL_SET(p->console_height, (unsigned)hv);
        OPTIONAL_SET(p->console_width, (unsigned)wv);
        return 0;
}

static int user_uid(Walk *w, json_object *o, void *t)
{
        uint32_t v = 0;
        int r = get_u32(w, o, &v);
        if (r >= 0)
                ((OciProcess *)t)->uid = v;
        return r;
}

static int user_gid(Walk *w, json_object *o, void *t)
{
        uint32_t v = 0;
        int r = get_u32(w, o, &v);
        if (r >= 0)
                ((OciProcess *)t)->gid = v;
        return r;
}

INT_FIELD(user_umask, OciProcess, umask, 0, 07777)

static int read_gid(Walk *w, json_object *o, void *elem)
{
        return get_u32(w, o, elem);
}

static int user_additional_gids(Walk *w, json_object *o, void *t)
{
        OciProcess *p = t;
        free(p->additional_gids);
        p->additional_gids = NULL;
        return each(w, o, &p->additional_gids, sizeof(gid_t), &p->n_additional_gids, read_gid);
}

static int user_username(Walk *w, json_object *o, void *t)
{
        return want(w, o, json_type_string, "a string"); /* Windows only */
}

static const Field user_fields[] = {
        {"uid", user_uid}, {"gid", user_gid}, {"umask", user_umask}, {"additionalGids", user_additional_gids}, {"username", user_username},
};

static int process_user(Walk *w, json_object *o, void *t)
{
        return fields(w, o, user_fields, ELEMENTSOF(user_fields), t);
}

STRV_FIELD(process_args, OciProcess, args)
STRING_FIELD(process_cwd, OciProcess, cwd)
BOOL_FIELD(process_terminal, OciProcess, terminal)
BOOL_FIELD(process_nnp, OciProcess, no_new_privileges)
INT_FIELD(process_oom, OciProcess, oom_score_adj, -1000, 1000)
STRING_FIELD(process_apparmor, OciProcess, apparmor_profile)
STRING_FIELD(process_selinux, OciProcess, selinux_label)

static int process_env(Walk *w, json_object *o, void *t)
{
        OciProcess *p = t;
        int r = get_strv(w, o, &p->env);
        if (r < 0)
                return r;
        for (size_t i = 0; p->env[i]; i++)
                if (!strchr(p->env[i], '=')) {
                        size_t at = enter(w, NULL, i);
                        r = fail(w, -EINVAL, "\"%s\" is no NAME=VALUE", p->env[i]);
                        leave(w, at);
                        return r;
                }
        return 0;
}

static int cap_set(Walk *w, json_object *o, uint64_t *ret)
{
        _cleanup_strv_free_ char **names = NULL;
        int r = get_strv(w, o, &names);
        if (r < 0)
                return r;
        *ret = 0;
        for (char **n = names; *n; n++) {
                int c = oci_capability_from_name(*n);
                if (c >= 0)
                        *ret |= UINT64_C(1) << c;
                /* A capability this kernel's headers do not know is skipped, as runc does:
                 * configs name capabilities of newer kernels. */
        }
        return 0;
}

#define CAP_FIELD(fname, member)                                               \
        static int fname(Walk *w, json_object *o, void *t)                     \
        {                                                                      \
                return cap_set(w, o, &((OciProcess *)t)->capabilities.member); \
        }
CAP_FIELD(cap_bounding, bounding)
CAP_FIELD(cap_effective, effective)
CAP_FIELD(cap_permitted, permitted)
CAP_FIELD(cap_inheritable, inheritable)
CAP_FIELD(cap_ambient, ambient)

static const Field cap_fields[] = {
        {"bounding", cap_bounding},       {"effective", cap_effective}, {"permitted", cap_permitted},
        {"inheritable", cap_inheritable}, {"ambient", cap_ambient},
};

static int process_capabilities(Walk *w, json_object *o, void *t)
{
        OciProcess *p = t;
        p->have_capabilities = true;
        p->capabilities = (CapabilitySets){0};
        return fields(w, o, cap_fields, ELEMENTSOF(cap_fields), t);
}

static int read_rlimit(Walk *w, json_object *o, void *elem)
{
        OciRlimit *l = elem;
        json_object *type, *soft, *hard;
        _cleanup_free_ char *name = NULL;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "type", &type) || !json_object_object_get_ex(o, "soft", &soft) ||
            !json_object_object_get_ex(o, "hard", &hard))
                return fail(w, -EINVAL, "must have \"type\", \"soft\" and \"hard\"");
        size_t at = enter(w, "type", 0);
        if ((r = get_string(w, type, &name)) >= 0 && (l->resource = oci_rlimit_from_name(name)) < 0)
                r = fail(w, -EINVAL, "unknown resource limit \"%s\"", name);
        leave(w, at);
        if (r < 0)
                return r;
        at = enter(w, "soft", 0);
        r = get_u64(w, soft, &l->soft);
        leave(w, at);
        if (r < 0)
                return r;
        at = enter(w, "hard", 0);
        r = get_u64(w, hard, &l->hard);
        leave(w, at);
        if (r >= 0 && l->soft > l->hard)
                r = fail(w, -EINVAL, "the soft limit %llu is above the hard limit %llu", (unsigned long long)l->soft, (unsigned long long)l->hard);
        return r;
}

static int process_rlimits(Walk *w, json_object *o, void *t)
{
        OciProcess *p = t;
        int r = each(w, o, &p->rlimits, sizeof(OciRlimit), &p->n_rlimits, read_rlimit);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_rlimits; i++)
                for (size_t k = 0; k < i; k++)
                        if (p->rlimits[i].resource == p->rlimits[k].resource) {
                                size_t at = enter(w, NULL, i);
                                r = fail(w, -EINVAL, "the limit %s is given twice", rlimit_to_name(p->rlimits[i].resource));
                                leave(w, at);
                                return r;
                        }
        return 0;
}

static const Field process_fields[] = {
        {"terminal", process_terminal},
        {"consoleSize", process_console_size},
        {"user", process_user},
        {"args", process_args},
        {"env", process_env},
        {"cwd", process_cwd},
        {"capabilities", process_capabilities},
        {"rlimits", process_rlimits},
        {"noNewPrivileges", process_nnp},
        {"oomScoreAdj", process_oom},
        {"apparmorProfile", process_apparmor},
        {"selinuxLabel", process_selinux},
};

static int read_process(Walk *w, json_object *o, OciProcess *p)
{
        int r = fields(w, o, process_fields, ELEMENTSOF(process_fields), p);
        if (r < 0)
                return r;
        if (!p->cwd)
                return fail(w, -EINVAL, "\"cwd\" is required");
        if (!path_is_absolute(p->cwd)) {
                size_t at = enter(w, "cwd", 0);
                r = fail(w, -EINVAL, "\"%s\" is not an absolute path", p->cwd);
                leave(w, at);
                return r;
        }
        return 0;
}

/* --- root, mounts, hooks --- */

static int root_path(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        int r = get_string(w, o, &c->root_path);
        if (r >= 0 && !c->root_path[0])
                r = fail(w, -EINVAL, "must not be empty");
        return r;
}
BOOL_FIELD(root_readonly, OciConfig, root_readonly)
static const Field root_fields[] = {{"path", root_path}, {"readonly", root_readonly}};

STRING_FIELD(mount_destination, OciMount, destination)
STRING_FIELD(mount_type, OciMount, type)
STRING_FIELD(mount_source, OciMount, source)
STRV_FIELD(mount_options, OciMount, options)
static int read_id_mappings(Walk *w, json_object *o, IdMap *m);
static int mount_uid_mappings(Walk *w, json_object *o, void *t)
{
        return read_id_mappings(w, o, &((OciMount *)t)->uid_mappings);
}
static int mount_gid_mappings(Walk *w, json_object *o, void *t)
{
        return read_id_mappings(w, o, &((OciMount *)t)->gid_mappings);
}
static const Field mount_fields[] = {
        {"destination", mount_destination},
        {"type", mount_type},
        {"source", mount_source},
        {"options", mount_options},
        {"uidMappings", mount_uid_mappings},
        {"gidMappings", mount_gid_mappings},
};

static int read_mount(Walk *w, json_object *o, void *elem)
{
        OciMount *m = elem;
        int r = fields(w, o, mount_fields, ELEMENTSOF(mount_fields), m);
        if (r < 0)
                return r;
        if (!m->destination)
                return fail(w, -EINVAL, "\"destination\" is required");
        if (!path_is_absolute(m->destination)) {
                size_t at = enter(w, "destination", 0);
                r = fail(w, -EINVAL, "\"%s\" is not an absolute path", m->destination);
                leave(w, at);
        }
        return r;
}

STRING_FIELD(hook_path, OciHook, path)
STRV_FIELD(hook_args, OciHook, args)
STRV_FIELD(hook_env, OciHook, env)
INT_FIELD(hook_timeout, OciHook, timeout, 1, INT32_MAX)
static const Field hook_fields[] = {{"path", hook_path}, {"args", hook_args}, {"env", hook_env}, {"timeout", hook_timeout}};

static int read_hook(Walk *w, json_object *o, void *elem)
{
        OciHook *h = elem;
        int r = fields(w, o, hook_fields, ELEMENTSOF(hook_fields), h);
        if (r < 0)
                return r;
        if (!h->path)
                return fail(w, -EINVAL, "\"path\" is required");
        if (!path_is_absolute(h->path)) {
                size_t at = enter(w, "path", 0);
                r = fail(w, -EINVAL, "\"%s\" is not an absolute path", h->path);
                leave(w, at);
        }
        return r;
}

static const char *const hook_names[_OCI_HOOK_MAX] = {
        [OCI_HOOK_PRESTART] = "prestart",
        [OCI_HOOK_CREATE_RUNTIME] = "createRuntime",
        [OCI_HOOK_CREATE_CONTAINER] = "createContainer",
        [OCI_HOOK_START_CONTAINER] = "startContainer",
        [OCI_HOOK_POSTSTART] = "poststart",
        [OCI_HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_to_string(OciHookKind k)
{
        return k < _OCI_HOOK_MAX ? hook_names[k] : NULL;
}

static int read_hooks(Walk *w, json_object *o, OciConfig *c)
{
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                json_object *v;
                if (!json_object_object_get_ex(o, hook_names[k], &v))
                        continue;
                size_t at = enter(w, hook_names[k], 0);
                r = each(w, v, &c->hooks[k].hooks, sizeof(OciHook), &c->hooks[k].n, read_hook);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* --- linux --- */

static const char *const namespace_types[_NS_KIND_MAX] = {
        [NS_USER] = "user", [NS_MOUNT] = "mount", [NS_PID] = "pid",       [NS_UTS] = "uts",
        [NS_IPC] = "ipc",   [NS_NET] = "network", [NS_CGROUP] = "cgroup", [NS_TIME] = "time",
};

static int read_namespace(Walk *w, json_object *o, void *elem)
{
        OciNamespace *ns = elem;
        json_object *type, *path;
        _cleanup_free_ char *t = NULL;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "type", &type))
                return fail(w, -EINVAL, "\"type\" is required");
        size_t at = enter(w, "type", 0);
        r = get_string(w, type, &t);
        if (r >= 0) {
                int k = 0;
                while (k < _NS_KIND_MAX && !streq(t, namespace_types[k]))
                        k++;
                if (k == _NS_KIND_MAX)
                        r = fail(w, -EINVAL, "unknown namespace type \"%s\"", t);
                else
                        ns->kind = (NamespaceKind)k;
        }
        leave(w, at);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "path", &path)) {
                at = enter(w, "path", 0);
                r = get_string(w, path, &ns->path);
                if (r >= 0 && !path_is_absolute(ns->path))
                        r = fail(w, -EINVAL, "\"%s\" is not an absolute path", ns->path);
                leave(w, at);
        }
        return r;
}

static int read_namespaces(Walk *w, json_object *o, OciConfig *c)
{
        int r = each(w, o, &c->namespaces, sizeof(OciNamespace), &c->n_namespaces, read_namespace);
        if (r < 0)
                return r;
        for (size_t i = 0; i < c->n_namespaces; i++)
                for (size_t k = 0; k < i; k++)
                        if (c->namespaces[i].kind == c->namespaces[k].kind) {
                                size_t at = enter(w, NULL, i);
                                r = fail(w, -EINVAL, "the %s namespace is listed twice", namespace_types[c->namespaces[i].kind]);
                                leave(w, at);
                                return r;
                        }
        return 0;
}

static int read_id_mapping(Walk *w, json_object *o, IdMap *m)
{
        json_object *c, *h, *s;
        uint32_t cv, hv, sv;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "containerID", &c) || !json_object_object_get_ex(o, "hostID", &h) ||
            !json_object_object_get_ex(o, "size", &s))
                return fail(w, -EINVAL, "must have \"containerID\", \"hostID\" and \"size\"");
        if ((r = get_u32(w, c, &cv)) < 0 || (r = get_u32(w, h, &hv)) < 0 || (r = get_u32(w, s, &sv)) < 0)
                return r;
        if (sv == 0 || (uint64_t)cv + sv > UINT32_MAX || (uint64_t)hv + sv > UINT32_MAX)
                return fail(w, -ERANGE, "the range %u %u %u is empty or runs past 4294967295", cv, hv, sv);
        return id_map_add(m, cv, hv, sv);
}

static int read_id_mappings(Walk *w, json_object *o, IdMap *m)
{
        int r = want(w, o, json_type_array, "an array");
        if (r < 0)
                return r;
        size_t n = json_object_array_length(o);
        if (n > 340) /* the kernel's limit of lines in uid_map */
                return fail(w, -E2BIG, "%zu ranges are more than the kernel takes (340)", n);
        for (size_t i = 0; i < n; i++) {
                size_t at = enter(w, NULL, i);
                r = read_id_mapping(w, json_object_array_get_idx(o, i), m);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        return 0;
}

static int read_dev_number(Walk *w, json_object *o, const char *name, bool required, int64_t *ret)
{
        json_object *v;
        if (!json_object_object_get_ex(o, name, &v) || json_object_get_type(v) == json_type_null) {
                if (required)
                        return fail(w, -EINVAL, "\"%s\" is required", name);
                *ret = -1;
                return 0;
        }
        size_t at = enter(w, name, 0);
        int r = get_int(w, v, -1, UINT32_MAX, ret);
        leave(w, at);
        return r;
}

static int read_device(Walk *w, json_object *o, void *elem)
{
        OciDevice *d = elem;
        json_object *v;
        _cleanup_free_ char *type = NULL;
        int64_t n = 0;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "type", &v) || !json_object_object_get_ex(o, "path", &v))
                return fail(w, -EINVAL, "must have \"type\" and \"path\"");
        json_object_object_get_ex(o, "type", &v);
        size_t at = enter(w, "type", 0);
        r = get_string(w, v, &type);
        if (r >= 0 && (strlen(type) != 1 || !strchr("cbup", type[0])))
                r = fail(w, -EINVAL, "\"%s\" is not one of c, b, u and p", type);
        leave(w, at);
        if (r < 0)
                return r;
        d->type = type[0];
        json_object_object_get_ex(o, "path", &v);
        at = enter(w, "path", 0);
        r = get_string(w, v, &d->path);
        if (r >= 0 && !path_is_absolute(d->path))
                r = fail(w, -EINVAL, "\"%s\" is not an absolute path", d->path);
        leave(w, at);
        if (r < 0)
                return r;
        bool node = d->type != 'p';
        if ((r = read_dev_number(w, o, "major", node, &d->major)) < 0 || (r = read_dev_number(w, o, "minor", node, &d->minor)) < 0)
                return r;
        if (node && (d->major < 0 || d->minor < 0))
                return fail(w, -EINVAL, "a device node needs a major and a minor number");
        if (json_object_object_get_ex(o, "fileMode", &v)) {
                at = enter(w, "fileMode", 0);
                if ((r = get_int(w, v, 0, 07777, &n)) >= 0)
                        OPTIONAL_SET(d->mode, (mode_t)n);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        if (json_object_object_get_ex(o, "uid", &v)) {
                at = enter(w, "uid", 0);
                if ((r = get_int(w, v, 0, UINT32_MAX, &n)) >= 0)
                        OPTIONAL_SET(d->uid, (uid_t)n);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        if (json_object_object_get_ex(o, "gid", &v)) {
                at = enter(w, "gid", 0);
                if ((r = get_int(w, v, 0, UINT32_MAX, &n)) >= 0)
                        OPTIONAL_SET(d->gid, (gid_t)n);
                leave(w, at);
        }
        return r;
}

/* --- linux.resources --- */

static int read_device_rule(Walk *w, json_object *o, void *elem)
{
        OciDeviceRule *d = elem;
        json_object *v;
        _cleanup_free_ char *s = NULL;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "allow", &v))
                return fail(w, -EINVAL, "\"allow\" is required");
        size_t at = enter(w, "allow", 0);
        r = get_bool(w, v, &d->allow);
        leave(w, at);
        if (r < 0)
                return r;
        d->type = 'a';
        if (json_object_object_get_ex(o, "type", &v) && json_object_get_type(v) != json_type_null) {
                at = enter(w, "type", 0);
                r = get_string(w, v, &s);
                if (r >= 0 && (strlen(s) != 1 || !strchr("acb", s[0])))
                        r = fail(w, -EINVAL, "\"%s\" is not one of a, c and b", s);
                leave(w, at);
                if (r < 0)
                        return r;
                d->type = s[0];
                s = mfree(s);
        }
        if ((r = read_dev_number(w, o, "major", false, &d->major)) < 0 || (r = read_dev_number(w, o, "minor", false, &d->minor)) < 0)
                return r;
        strcpy(d->access, "rwm");
        if (json_object_object_get_ex(o, "access", &v) && json_object_get_type(v) != json_type_null) {
                at = enter(w, "access", 0);
                r = get_string(w, v, &s);
                if (r >= 0 && (strlen(s) > 3 || strspn(s, "rwm") != strlen(s)))
                        r = fail(w, -EINVAL, "\"%s\" is not made of r, w and m", s);
                leave(w, at);
                if (r < 0)
                        return r;
                strcpy(d->access, s);
        }
        return 0;
}

#define RES_INT(fname, member, min, max) INT_FIELD(fname, OciResources, member, min, max)
#define RES_U64(fname, member) U64_FIELD(fname, OciResources, member)
RES_INT(mem_limit, memory_limit, -1, INT64_MAX)
RES_INT(mem_reservation, memory_reservation, -1, INT64_MAX)
RES_INT(mem_swap, memory_swap, -1, INT64_MAX)
RES_INT(mem_kernel, memory_kernel, -1, INT64_MAX)
RES_INT(mem_kernel_tcp, memory_kernel_tcp, -1, INT64_MAX)
static int mem_swappiness(Walk *w, json_object *o, void *t)
{
        uint64_t v = 0;
        int r = get_u64(w, o, &v);
        if (r >= 0 && v > 100)
                return fail(w, -ERANGE, "%llu is above 100", (unsigned long long)v);
        if (r >= 0)
                OPTIONAL_SET(((OciResources *)t)->memory_swappiness, v);
        return r;
}
BOOL_FIELD(mem_no_oom, OciResources, memory_disable_oom_killer)
BOOL_FIELD(mem_hierarchy, OciResources, memory_use_hierarchy)
static const Field memory_fields[] = {
        {"limit", mem_limit},
        {"reservation", mem_reservation},
        {"swap", mem_swap},
        {"kernel", mem_kernel},
        {"kernelTCP", mem_kernel_tcp},
        {"swappiness", mem_swappiness},
        {"disableOOMKiller", mem_no_oom},
        {"useHierarchy", mem_hierarchy},
};

RES_U64(cpu_shares, cpu_shares)
RES_INT(cpu_quota, cpu_quota, -1, INT64_MAX)
RES_U64(cpu_period, cpu_period)
RES_INT(cpu_rt_runtime, cpu_realtime_runtime, -1, INT64_MAX)
RES_U64(cpu_rt_period, cpu_realtime_period)
RES_INT(cpu_idle, cpu_idle, 0, 1)
STRING_FIELD(cpu_cpus, OciResources, cpu_cpus)
STRING_FIELD(cpu_mems, OciResources, cpu_mems)
static const Field cpu_fields[] = {
        {"shares", cpu_shares}, {"quota", cpu_quota}, {"period", cpu_period}, {"realtimeRuntime", cpu_rt_runtime}, {"realtimePeriod", cpu_rt_period},
        {"cpus", cpu_cpus},     {"mems", cpu_mems},   {"idle", cpu_idle},
};

static int pids_limit(Walk *w, json_object *o, void *t)
{
        int64_t v = 0;
        int r = get_int(w, o, INT64_MIN, INT64_MAX, &v);
        /* As runc 1.1: below 0 no limit; 0 leaves it as it is (an update sends 0 when not asked). */
        if (r >= 0 && v != 0)
                OPTIONAL_SET(((OciResources *)t)->pids_limit, v < 0 ? -1 : v);
        return r;
}
static const Field pids_fields[] = {{"limit", pids_limit}};

static int blkio_weight_value(Walk *w, json_object *o, uint16_t *ret)
{
        int64_t v = 0;
        int r = get_int(w, o, 0, 1000, &v);
        if (r >= 0)
                *ret = (uint16_t)v;
        return r;
}

static int blkio_weight(Walk *w, json_object *o, void *t)
{
        uint16_t v = 0;
        int r = blkio_weight_value(w, o, &v);
        if (r >= 0)
                OPTIONAL_SET(((OciResources *)t)->blkio_weight, v);
        return r;
}

static int blkio_leaf_weight(Walk *w, json_object *o, void *t)
{
        uint16_t v = 0;
        int r = blkio_weight_value(w, o, &v);
        if (r >= 0)
                OPTIONAL_SET(((OciResources *)t)->blkio_leaf_weight, v);
        return r;
}

static int read_weight_device(Walk *w, json_object *o, void *elem)
{
        OciWeightDevice *d = elem;
        json_object *v;
        uint16_t x = 0;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0 || (r = read_dev_number(w, o, "major", true, &d->major)) < 0 || (r = read_dev_number(w, o, "minor", true, &d->minor)) < 0)
                return r;
        if (json_object_object_get_ex(o, "weight", &v)) {
                size_t at = enter(w, "weight", 0);
                if ((r = blkio_weight_value(w, v, &x)) >= 0)
                        OPTIONAL_SET(d->weight, x);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        if (json_object_object_get_ex(o, "leafWeight", &v)) {
                size_t at = enter(w, "leafWeight", 0);
                if ((r = blkio_weight_value(w, v, &x)) >= 0)
                        OPTIONAL_SET(d->leaf_weight, x);
                leave(w, at);
        }
        return r;
}

static int blkio_weight_device(Walk *w, json_object *o, void *t)
{
        OciResources *res = t;
        return each(w, o, &res->blkio_weight_device, sizeof(OciWeightDevice), &res->n_blkio_weight_device, read_weight_device);
}

static int read_throttle(Walk *w, json_object *o, void *elem)
{
        OciThrottleDevice *d = elem;
        json_object *v;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0 || (r = read_dev_number(w, o, "major", true, &d->major)) < 0 || (r = read_dev_number(w, o, "minor", true, &d->minor)) < 0)
                return r;
        if (!json_object_object_get_ex(o, "rate", &v))
                return fail(w, -EINVAL, "\"rate\" is required");
        size_t at = enter(w, "rate", 0);
        r = get_u64(w, v, &d->rate);
        leave(w, at);
        return r;
}

#define THROTTLE_FIELD(fname, i)                                                                                                 \
        static int fname(Walk *w, json_object *o, void *t)                                                                       \
        {                                                                                                                        \
                OciResources *res = t;                                                                                           \
                return each(w, o, &res->blkio_throttle[i], sizeof(OciThrottleDevice), &res->n_blkio_throttle[i], read_throttle); \
        }
THROTTLE_FIELD(throttle_read_bps, 0)
THROTTLE_FIELD(throttle_write_bps, 1)
THROTTLE_FIELD(throttle_read_iops, 2)
THROTTLE_FIELD(throttle_write_iops, 3)
static const Field blkio_fields[] = {
        {"weight", blkio_weight},
        {"leafWeight", blkio_leaf_weight},
        {"weightDevice", blkio_weight_device},
        {"throttleReadBpsDevice", throttle_read_bps},
        {"throttleWriteBpsDevice", throttle_write_bps},
        {"throttleReadIOPSDevice", throttle_read_iops},
        {"throttleWriteIOPSDevice", throttle_write_iops},
};

/* hugepageLimits: [{"pageSize": "2MB", "limit": N}], kept as pairs of strings. */
static int read_hugepage(Walk *w, json_object *o, void *elem)
{
        OciKeyValue *kv = elem;
        json_object *p, *l;
        uint64_t limit;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "pageSize", &p) || !json_object_object_get_ex(o, "limit", &l))
                return fail(w, -EINVAL, "must have \"pageSize\" and \"limit\"");
        size_t at = enter(w, "pageSize", 0);
        r = get_string(w, p, &kv->key);
        if (r >= 0 && (!kv->key[0] || strspn(kv->key, "0123456789KMGB") != strlen(kv->key)))
                r = fail(w, -EINVAL, "\"%s\" is no page size such as 2MB", kv->key);
        leave(w, at);
        if (r < 0)
                return r;
        at = enter(w, "limit", 0);
        r = get_u64(w, l, &limit);
        leave(w, at);
        if (r < 0)
                return r;
        return asprintf(&kv->value, "%llu", (unsigned long long)limit) < 0 ? -ENOMEM : 0;
}

static int res_memory(Walk *w, json_object *o, void *t)
{
        return fields(w, o, memory_fields, ELEMENTSOF(memory_fields), t);
}
static int res_cpu(Walk *w, json_object *o, void *t)
{
        return fields(w, o, cpu_fields, ELEMENTSOF(cpu_fields), t);
}
static int res_pids(Walk *w, json_object *o, void *t)
{
        return fields(w, o, pids_fields, ELEMENTSOF(pids_fields), t);
}
static int res_blkio(Walk *w, json_object *o, void *t)
{
        return fields(w, o, blkio_fields, ELEMENTSOF(blkio_fields), t);
}
static int res_hugepages(Walk *w, json_object *o, void *t)
{
        OciResources *res = t;
        return each(w, o, &res->hugepage_limits, sizeof(OciKeyValue), &res->n_hugepage_limits, read_hugepage);
}
static int res_devices(Walk *w, json_object *o, void *t)
{
        OciResources *res = t;
        return each(w, o, &res->devices, sizeof(OciDeviceRule), &res->n_devices, read_device_rule);
}
static int res_unified(Walk *w, json_object *o, void *t)
{
        OciResources *res = t;
        int r = get_map(w, o, &res->unified, &res->n_unified);
        if (r < 0)
                return r;
        for (size_t i = 0; i < res->n_unified; i++)
                if (!res->unified[i].key[0] || strchr(res->unified[i].key, '/') || streq(res->unified[i].key, "..") ||
                    streq(res->unified[i].key, "."))
                        return fail(w, -EINVAL, "\"%s\" is not a file name of a cgroup", res->unified[i].key);
        return 0;
}
static int net_class(Walk *w, json_object *o, void *t)
{
        uint32_t v = 0;
        int r = get_u32(w, o, &v);
        if (r >= 0)
                OPTIONAL_SET(((OciResources *)t)->network_class_id, v);
        return r;
}
static int read_net_priority(Walk *w, json_object *o, void *elem)
{
        OciKeyValue *kv = elem;
        json_object *n, *p;
        uint32_t prio;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "name", &n) || !json_object_object_get_ex(o, "priority", &p))
                return fail(w, -EINVAL, "must have \"name\" and \"priority\"");
        if ((r = get_string(w, n, &kv->key)) < 0 || (r = get_u32(w, p, &prio)) < 0)
                return r;
        return asprintf(&kv->value, "%u", prio) < 0 ? -ENOMEM : 0;
}
static int net_priorities(Walk *w, json_object *o, void *t)
{
        OciResources *res = t;
        return each(w, o, &res->network_priorities, sizeof(OciKeyValue), &res->n_network_priorities, read_net_priority);
}
static int res_network(Walk *w, json_object *o, void *t)
{
        static const Field f[] = {{"classID", net_class}, {"priorities", net_priorities}};
        return fields(w, o, f, ELEMENTSOF(f), t);
}
static int res_rdma(Walk *w, json_object *o, void *t)
{
        return want(w, o, json_type_object, "an object");
}

static const Field resources_fields[] = {
        {"memory", res_memory},   {"cpu", res_cpu},         {"pids", res_pids},       {"blockIO", res_blkio}, {"hugepageLimits", res_hugepages},
        {"devices", res_devices}, {"unified", res_unified}, {"network", res_network}, {"rdma", res_rdma},
};

/* --- linux.seccomp --- */

typedef struct Name {
        const char *name;
        uint32_t value;
} Name;

static const Name seccomp_actions[] = {
        {"SCMP_ACT_KILL", SECCOMP_RET_KILL_THREAD},
        {"SCMP_ACT_KILL_THREAD", SECCOMP_RET_KILL_THREAD},
        {"SCMP_ACT_KILL_PROCESS", SECCOMP_RET_KILL_PROCESS},
        {"SCMP_ACT_TRAP", SECCOMP_RET_TRAP},
        {"SCMP_ACT_ERRNO", SECCOMP_RET_ERRNO},
        {"SCMP_ACT_TRACE", SECCOMP_RET_TRACE},
        {"SCMP_ACT_ALLOW", SECCOMP_RET_ALLOW},
        {"SCMP_ACT_LOG", SECCOMP_RET_LOG},
        {"SCMP_ACT_NOTIFY", SECCOMP_RET_USER_NOTIF},
};

int oci_seccomp_action_from_name(const char *name, uint32_t errno_ret, uint32_t *ret)
{
        for (size_t i = 0; i < ELEMENTSOF(seccomp_actions); i++)
                if (streq(name, seccomp_actions[i].name)) {
                        uint32_t a = seccomp_actions[i].value;
                        if (a == SECCOMP_RET_ERRNO || a == SECCOMP_RET_TRACE)
                                a |= errno_ret & SECCOMP_RET_DATA;
                        *ret = a;
                        return 0;
                }
        return -EINVAL;
}

static const char *const seccomp_ops[_OCI_OP_MAX] = {
        [OCI_OP_NE] = "SCMP_CMP_NE",
        [OCI_OP_LT] = "SCMP_CMP_LT",
        [OCI_OP_LE] = "SCMP_CMP_LE",
        [OCI_OP_EQ] = "SCMP_CMP_EQ",
        [OCI_OP_GE] = "SCMP_CMP_GE",
        [OCI_OP_GT] = "SCMP_CMP_GT",
        [OCI_OP_MASKED_EQ] = "SCMP_CMP_MASKED_EQ",
};

/* An action by name, with the errnoRet beside it (EPERM when ERRNO has none, as runc). */
static int read_action(Walk *w, json_object *parent, const char *key, const char *errno_key, uint32_t *ret)
{
        json_object *v, *ev;
        _cleanup_free_ char *name = NULL;
        int64_t en = EPERM;
        size_t at = enter(w, key, 0);
        int r = json_object_object_get_ex(parent, key, &v) ? get_string(w, v, &name) : fail(w, -EINVAL, "is required");
        leave(w, at);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(parent, errno_key, &ev)) {
                at = enter(w, errno_key, 0);
                r = get_int(w, ev, 0, SECCOMP_RET_DATA, &en);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        at = enter(w, key, 0);
        if (oci_seccomp_action_from_name(name, (uint32_t)en, ret) < 0)
                r = fail(w, -EINVAL, "unknown action \"%s\"", name);
        leave(w, at);
        return r;
}

static int read_seccomp_arg(Walk *w, json_object *o, void *elem)
{
        OciSeccompArg *a = elem;
        json_object *v;
        _cleanup_free_ char *op = NULL;
        int64_t index = 0;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "index", &v) || !json_object_object_get_ex(o, "op", &v) || !json_object_object_get_ex(o, "value", &v))
                return fail(w, -EINVAL, "must have \"index\", \"value\" and \"op\"");
        json_object_object_get_ex(o, "index", &v);
        size_t at = enter(w, "index", 0);
        r = get_int(w, v, 0, 5, &index);
        leave(w, at);
        if (r < 0)
                return r;
        a->index = (unsigned)index;
        json_object_object_get_ex(o, "value", &v);
        at = enter(w, "value", 0);
        r = get_u64(w, v, &a->value);
        leave(w, at);
        if (r < 0)
                return r;
        if (json_object_object_get_ex(o, "valueTwo", &v)) {
                at = enter(w, "valueTwo", 0);
                r = get_u64(w, v, &a->value_two);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        json_object_object_get_ex(o, "op", &v);
        at = enter(w, "op", 0);
        r = get_string(w, v, &op);
        if (r >= 0) {
                r = -EINVAL;
                for (int k = 0; k < _OCI_OP_MAX; k++)
                        if (streq(op, seccomp_ops[k])) {
                                a->op = (OciSeccompOp)k;
                                r = 0;
                        }
                if (r < 0)
                        r = fail(w, -EINVAL, "unknown comparison \"%s\"", op);
        }
        leave(w, at);
        return r;
}

static int read_seccomp_syscall(Walk *w, json_object *o, void *elem)
{
        OciSeccompSyscall *s = elem;
        json_object *v;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "names", &v))
                return fail(w, -EINVAL, "\"names\" is required");
        size_t at = enter(w, "names", 0);
        r = get_strv(w, v, &s->names);
        leave(w, at);
        if (r < 0 || (r = read_action(w, o, "action", "errnoRet", &s->action)) < 0)
                return r;
        if (json_object_object_get_ex(o, "args", &v) && json_object_get_type(v) != json_type_null) {
                at = enter(w, "args", 0);
                r = each(w, v, &s->args, sizeof(OciSeccompArg), &s->n_args, read_seccomp_arg);
                leave(w, at);
        }
        return r;
}

static int read_seccomp(Walk *w, json_object *o, OciSeccomp *s)
{
        json_object *v;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0 || (r = read_action(w, o, "defaultAction", "defaultErrnoRet", &s->default_action)) < 0)
                return r;
        static const struct {
                const char *name;
                size_t offset;
        } lists[] = {{"architectures", offsetof(OciSeccomp, architectures)}, {"flags", offsetof(OciSeccomp, flags)}};
        for (size_t i = 0; i < ELEMENTSOF(lists); i++)
                if (json_object_object_get_ex(o, lists[i].name, &v) && json_object_get_type(v) != json_type_null) {
                        size_t at = enter(w, lists[i].name, 0);
                        r = get_strv(w, v, (char ***)((char *)s + lists[i].offset));
                        leave(w, at);
                        if (r < 0)
                                return r;
                }
        if (json_object_object_get_ex(o, "listenerPath", &v)) {
                size_t at = enter(w, "listenerPath", 0);
                r = get_string(w, v, &s->listener_path);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        if (json_object_object_get_ex(o, "listenerMetadata", &v)) {
                size_t at = enter(w, "listenerMetadata", 0);
                r = get_string(w, v, &s->listener_metadata);
                leave(w, at);
                if (r < 0)
                        return r;
        }
        if (json_object_object_get_ex(o, "syscalls", &v) && json_object_get_type(v) != json_type_null) {
                size_t at = enter(w, "syscalls", 0);
                r = each(w, v, &s->syscalls, sizeof(OciSeccompSyscall), &s->n_syscalls, read_seccomp_syscall);
                leave(w, at);
        }
        return r;
}

static const Name personalities[] = {{"LINUX", PER_LINUX}, {"LINUX32", PER_LINUX32}};

static int read_personality(Walk *w, json_object *o, OciConfig *c)
{
        json_object *v;
        _cleanup_free_ char *d = NULL;
        int r = want(w, o, json_type_object, "an object");
        if (r < 0)
                return r;
        if (!json_object_object_get_ex(o, "domain", &v))
                return fail(w, -EINVAL, "\"domain\" is required");
        size_t at = enter(w, "domain", 0);
        r = get_string(w, v, &d);
        if (r >= 0) {
                size_t i = 0;
                while (i < ELEMENTSOF(personalities) && !streq(d, personalities[i].name))
                        i++;
                if (i == ELEMENTSOF(personalities))
                        r = fail(w, -EINVAL, "unknown domain \"%s\" (LINUX or LINUX32)", d);
                else
                        OPTIONAL_SET(c->personality, personalities[i].value);
        }
        leave(w, at);
        return r;
}

static int linux_namespaces(Walk *w, json_object *o, void *t)
{
        return read_namespaces(w, o, t);
}
static int linux_uid_mappings(Walk *w, json_object *o, void *t)
{
        return read_id_mappings(w, o, &((OciConfig *)t)->uid_mappings);
}
static int linux_gid_mappings(Walk *w, json_object *o, void *t)
{
        return read_id_mappings(w, o, &((OciConfig *)t)->gid_mappings);
}
static int linux_devices(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        return each(w, o, &c->devices, sizeof(OciDevice), &c->n_devices, read_device);
}
static int linux_resources(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        c->have_resources = true;
        return fields(w, o, resources_fields, ELEMENTSOF(resources_fields), &c->resources);
}
STRING_FIELD(linux_cgroups_path, OciConfig, cgroups_path)
static int linux_sysctl(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        return get_map(w, o, &c->sysctl, &c->n_sysctl);
}
STRV_FIELD(linux_masked, OciConfig, masked_paths)
STRV_FIELD(linux_readonly, OciConfig, readonly_paths)
static int linux_propagation(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        static const char *const ok[] = {"shared", "slave", "private", "unbindable", "rshared", "rslave", "rprivate", "runbindable"};
        int r = get_string(w, o, &c->rootfs_propagation);
        if (r < 0)
                return r;
        for (size_t i = 0; i < ELEMENTSOF(ok); i++)
                if (streq(c->rootfs_propagation, ok[i]))
                        return 0;
        return fail(w, -EINVAL, "\"%s\" is not one of shared, slave, private and unbindable (with or without r)", c->rootfs_propagation);
}
STRING_FIELD(linux_mount_label, OciConfig, mount_label)
static int linux_seccomp(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        c->have_seccomp = true;
        return read_seccomp(w, o, &c->seccomp);
}
static int linux_personality(Walk *w, json_object *o, void *t)
{
        return read_personality(w, o, t);
}

static const Field linux_fields[] = {
        {"namespaces", linux_namespaces},
        {"uidMappings", linux_uid_mappings},
        {"gidMappings", linux_gid_mappings},
        {"devices", linux_devices},
        {"resources", linux_resources},
        {"cgroupsPath", linux_cgroups_path},
        {"sysctl", linux_sysctl},
        {"maskedPaths", linux_masked},
        {"readonlyPaths", linux_readonly},
        {"rootfsPropagation", linux_propagation},
        {"mountLabel", linux_mount_label},
        {"seccomp", linux_seccomp},
        {"personality", linux_personality},
};

/* --- the document --- */

STRING_FIELD(top_version, OciConfig, oci_version)
STRING_FIELD(top_hostname, OciConfig, hostname)
STRING_FIELD(top_domainname, OciConfig, domainname)
static int top_root(Walk *w, json_object *o, void *t)
{
        return fields(w, o, root_fields, ELEMENTSOF(root_fields), t);
}
static int top_process(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        c->have_process = true;
        return read_process(w, o, &c->process);
}
static int top_mounts(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        return each(w, o, &c->mounts, sizeof(OciMount), &c->n_mounts, read_mount);
}
static int top_hooks(Walk *w, json_object *o, void *t)
{
        return read_hooks(w, o, t);
}
static int top_annotations(Walk *w, json_object *o, void *t)
{
        OciConfig *c = t;
        return get_map(w, o, &c->annotations, &c->n_annotations);
}
static int top_linux(Walk *w, json_object *o, void *t)
{
        return fields(w, o, linux_fields, ELEMENTSOF(linux_fields), t);
}

static const Field top_fields[] = {
        {"ociVersion", top_version}, {"root", top_root},   {"hostname", top_hostname},       {"domainname", top_domainname}, {"process", top_process},
        {"mounts", top_mounts},      {"hooks", top_hooks}, {"annotations", top_annotations}, {"linux", top_linux},
};

/* The JSON text as a tree, or an error with the place json-c stopped. */
static int tokenize(const char *text, size_t size, const char *what, json_object **ret, Error *e)
{
        if (size > INT32_MAX)
                return error_set(e, -EFBIG, "%s: too large", what);
        json_tokener *tok = json_tokener_new_ex(OCI_JSON_DEPTH);
        if (!tok)
                return -ENOMEM;
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
        json_object *o = json_tokener_parse_ex(tok, text, (int)size);
        enum json_tokener_error err = json_tokener_get_error(tok);
        size_t offset = json_tokener_get_parse_end(tok);
        json_tokener_free(tok);
        if (err == json_tokener_continue) {
                json_object_put(o);
                return error_set(e, -EINVAL, "%s: not valid JSON: the text ends too early", what);
        }
        if (!o || err != json_tokener_success) {
                json_object_put(o);
                if (err == json_tokener_success)
                        return error_set(e, -EINVAL, "%s: not valid JSON", what);
                return error_set(e, -EINVAL, "%s: not valid JSON at byte %zu: %s", what, offset, json_tokener_error_desc(err));
        }
        /* Only white space may follow. */
        for (size_t i = offset; i < size; i++)
                if (!strchr(" \t\r\n", text[i])) {
                        json_object_put(o);
                        return error_set(e, -EINVAL, "%s: not valid JSON: something follows the value at byte %zu", what, i);
                }
        *ret = o;
        return 0;
}

int oci_config_parse(const char *text, size_t size, OciConfig *ret, Error *e)
{
        json_object *root = NULL;
        Walk w = {.e = e};
        *ret = (OciConfig){0};
        int r = tokenize(text, size, "config.json", &root, e);
        if (r < 0)
                return r;
        r = fields(&w, root, top_fields, ELEMENTSOF(top_fields), ret);
        if (r >= 0 && !ret->oci_version)
                r = fail(&w, -EINVAL, "\"ociVersion\" is required");
        if (r >= 0 && !ret->root_path)
                r = fail(&w, -EINVAL, "\"root.path\" is required");
        json_object_put(root);
        if (r < 0) {
                if (r == -ENOMEM && !e->code)
                        error_set(e, r, "config.json: out of memory");
                oci_config_done(ret);
        }
        return r;
}

int oci_config_load(const char *bundle, OciConfig *ret, Error *e)
{
        _cleanup_free_ char *path = path_join(bundle, "config.json"), *text = NULL;
        size_t size;
        if (!path)
                return -ENOMEM;
        int r = read_full_file(path, &text, &size);
        if (r < 0)
                return error_set_errno(e, r, "cannot read %s", path);
        return oci_config_parse(text, size, ret, e);
}

int oci_process_parse(const char *text, size_t size, OciProcess *ret, Error *e)
{
        json_object *root = NULL;
        Walk w = {.e = e};
        *ret = (OciProcess){0};
        int r = tokenize(text, size, "process", &root, e);
        if (r < 0)
                return r;
        r = read_process(&w, root, ret);
        json_object_put(root);
        if (r >= 0 && strv_length(ret->args) == 0)
                r = error_set(e, -EINVAL, "process: \"args\" must name a program");
        if (r < 0)
                oci_process_done(ret);
        return r;
}

int oci_resources_parse(const char *text, size_t size, OciResources *ret, Error *e)
{
        json_object *root = NULL;
        Walk w = {.e = e};
        *ret = (OciResources){0};
        int r = tokenize(text, size, "resources", &root, e);
        if (r < 0)
                return r;
        r = fields(&w, root, resources_fields, ELEMENTSOF(resources_fields), ret);
        json_object_put(root);
        if (r < 0)
                oci_resources_done(ret);
        return r;
}

int oci_capability_from_name(const char *name)
{
        /* Names only: "CAP_SYS_ADMIN" as the spec writes them. */
        if (strncasecmp(name, "CAP_", 4) != 0)
                return -EINVAL;
        return capability_from_name(name);
}

int oci_rlimit_from_name(const char *name)
{
        if (!startswith(name, "RLIMIT_"))
                return -EINVAL;
        return rlimit_from_name(name);
}

void oci_process_done(OciProcess *p)
{
        free(p->additional_gids);
        strv_free(p->args);
        strv_free(p->env);
        free(p->cwd);
        free(p->rlimits);
        free(p->apparmor_profile);
        free(p->selinux_label);
        *p = (OciProcess){0};
}

void oci_resources_done(OciResources *r)
{
        free(r->cpu_cpus);
        free(r->cpu_mems);
        free(r->blkio_weight_device);
        for (size_t i = 0; i < 4; i++)
                free(r->blkio_throttle[i]);
        map_free(r->hugepage_limits, r->n_hugepage_limits);
        free(r->devices);
        map_free(r->unified, r->n_unified);
        map_free(r->network_priorities, r->n_network_priorities);
        *r = (OciResources){0};
}

void oci_config_done(OciConfig *c)
{
        free(c->oci_version);
        free(c->root_path);
        free(c->hostname);
        free(c->domainname);
        oci_process_done(&c->process);
        for (size_t i = 0; i < c->n_mounts; i++) {
                free(c->mounts[i].destination);
                free(c->mounts[i].type);
                free(c->mounts[i].source);
                strv_free(c->mounts[i].options);
                id_map_done(&c->mounts[i].uid_mappings);
                id_map_done(&c->mounts[i].gid_mappings);
        }
        free(c->mounts);
        for (int k = 0; k < _OCI_HOOK_MAX; k++) {
                for (size_t i = 0; i < c->hooks[k].n; i++) {
                        free(c->hooks[k].hooks[i].path);
                        strv_free(c->hooks[k].hooks[i].args);
                        strv_free(c->hooks[k].hooks[i].env);
                }
                free(c->hooks[k].hooks);
        }
        map_free(c->annotations, c->n_annotations);
        for (size_t i = 0; i < c->n_namespaces; i++)
                free(c->namespaces[i].path);
        free(c->namespaces);
        id_map_done(&c->uid_mappings);
        id_map_done(&c->gid_mappings);
        for (size_t i = 0; i < c->n_devices; i++)
                free(c->devices[i].path);
        free(c->devices);
        oci_resources_done(&c->resources);
        free(c->cgroups_path);
        map_free(c->sysctl, c->n_sysctl);
        strv_free(c->masked_paths);
        strv_free(c->readonly_paths);
        free(c->rootfs_propagation);
        free(c->mount_label);
        strv_free(c->seccomp.architectures);
        strv_free(c->seccomp.flags);
        free(c->seccomp.listener_path);
        free(c->seccomp.listener_metadata);
        for (size_t i = 0; i < c->seccomp.n_syscalls; i++) {
                strv_free(c->seccomp.syscalls[i].names);
                free(c->seccomp.syscalls[i].args);
        }
        free(c->seccomp.syscalls);
        *c = (OciConfig){0};
}
