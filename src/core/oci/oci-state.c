/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The state of an OCI runtime's container on disk, and its status. */
#include <fcntl.h>
#include <json-c/json.h>
#include <sys/stat.h>
#include <time.h>

#include "cgroup.h"
#include "fs-util.h"
#include "macro.h"
#include "oci-state.h"

static const char *const status_names[_OCI_STATUS_MAX] = {
        [OCI_CREATING] = "creating", [OCI_CREATED] = "created", [OCI_RUNNING] = "running", [OCI_PAUSED] = "paused", [OCI_STOPPED] = "stopped",
};

const char *oci_status_to_string(OciStatus s)
{
        return s < _OCI_STATUS_MAX ? status_names[s] : NULL;
}

void oci_state_done(OciState *s)
{
        free(s->id);
        free(s->bundle);
        free(s->rootfs);
        free(s->created);
        free(s->cgroup);
        for (size_t i = 0; i < s->n_annotations; i++) {
                free(s->annotations[i].key);
                free(s->annotations[i].value);
        }
        free(s->annotations);
        *s = (OciState){0};
}

bool oci_id_is_valid(const char *id)
{
        size_t n = strlen(id);
        if (n == 0 || n > 1024 || streq(id, ".") || streq(id, ".."))
                return false;
        for (const char *c = id; *c; c++)
                if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') || strchr("_+-.", *c)))
                        return false;
        return true;
}

char *oci_now(void)
{
        struct timespec ts;
        struct tm tm;
        char buf[64], *r;
        clock_gettime(CLOCK_REALTIME, &ts);
        gmtime_r(&ts.tv_sec, &tm);
        strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%S", &tm);
        return asprintf(&r, "%s.%09ldZ", buf, ts.tv_nsec) < 0 ? NULL : r;
}

uint64_t process_start_time(pid_t pid, bool *ret_zombie)
{
        char path[32];
        _cleanup_free_ char *text = NULL;
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        if (ret_zombie)
                *ret_zombie = false;
        if (pid <= 0 || read_full_file(path, &text, NULL) < 0)
                return 0;
        /* The name is in parentheses and may hold anything: fields count from its last ")". */
        const char *p = strrchr(text, ')');
        if (!p || p[1] != ' ')
                return 0;
        char state = p[2];
        if (ret_zombie)
                *ret_zombie = state == 'Z' || state == 'X' || state == 'x';
        p += 2;
        for (int field = 3; field < 22; field++) {
                p = strchr(p, ' ');
                if (!p)
                        return 0;
                p++;
        }
        return strtoull(p, NULL, 10);
}

static json_object *annotations_object(const OciState *s)
{
        json_object *a = json_object_new_object();
        for (size_t i = 0; a && i < s->n_annotations; i++)
                json_object_object_add(a, s->annotations[i].key, json_object_new_string(s->annotations[i].value));
        return a;
}

char *oci_state_json(const OciState *s, OciStatus status, bool pretty)
{
        json_object *o = json_object_new_object();
        if (!o)
                return NULL;
        json_object_object_add(o, "ociVersion", json_object_new_string(OCI_VERSION));
        json_object_object_add(o, "id", json_object_new_string(s->id));
        json_object_object_add(o, "pid", json_object_new_int(status == OCI_STOPPED ? 0 : s->pid));
        json_object_object_add(o, "status", json_object_new_string(oci_status_to_string(status)));
        json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
        json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs));
        json_object_object_add(o, "created", json_object_new_string(s->created));
        char owner[16];
        snprintf(owner, sizeof(owner), "%u", (unsigned)s->owner);
        json_object_object_add(o, "owner", json_object_new_string(s->owner == 0 ? "" : owner));
        if (s->n_annotations)
                json_object_object_add(o, "annotations", annotations_object(s));
        const char *text =
                json_object_to_json_string_ext(o, (pretty ? JSON_C_TO_STRING_PRETTY : JSON_C_TO_STRING_PLAIN) | JSON_C_TO_STRING_NOSLASHESCAPE);
        char *r = text ? strdup(text) : NULL;
        json_object_put(o);
        return r;
}

int oci_state_save(int dirfd, const OciState *s, Error *e)
{
        json_object *o = json_object_new_object();
        if (!o)
                return -ENOMEM;
        json_object_object_add(o, "id", json_object_new_string(s->id));
        json_object_object_add(o, "bundle", json_object_new_string(s->bundle));
        json_object_object_add(o, "rootfs", json_object_new_string(s->rootfs));
        json_object_object_add(o, "created", json_object_new_string(s->created));
        json_object_object_add(o, "cgroup", json_object_new_string(s->cgroup ? s->cgroup : ""));
        json_object_object_add(o, "pid", json_object_new_int(s->pid));
        json_object_object_add(o, "pidStart", json_object_new_uint64(s->pid_start));
        json_object_object_add(o, "owner", json_object_new_int64(s->owner));
        json_object_object_add(o, "creating", json_object_new_boolean(s->creating));
        json_object_object_add(o, "annotations", annotations_object(s));
        const char *text = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
        int r = text ? write_file_atomic_at(dirfd, "state.json", text, strlen(text), 0600) : -ENOMEM;
        json_object_put(o);
        if (r < 0)
                return error_set_errno(e, r, "cannot write the state of container %s", s->id);
        return 0;
}

static char *string_of(json_object *o, const char *key)
{
        json_object *v;
        if (!json_object_object_get_ex(o, key, &v) || json_object_get_type(v) != json_type_string)
                return NULL;
        return strdup(json_object_get_string(v));
}

int oci_state_load(int dirfd, OciState *ret, Error *e)
{
        _cleanup_close_ int fd = openat(dirfd, "state.json", O_RDONLY | O_CLOEXEC);
        _cleanup_free_ char *text = NULL;
        json_object *o, *v;
        int r;
        *ret = (OciState){0};
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot read the state of the container");
        if ((r = read_full_fd(fd, &text, NULL)) < 0)
                return error_set_errno(e, r, "cannot read the state of the container");
        if (!(o = json_tokener_parse(text)) || json_object_get_type(o) != json_type_object) {
                json_object_put(o);
                return error_set(e, -EBADMSG, "the state of the container is damaged (state.json is not a JSON object)");
        }
        ret->id = string_of(o, "id");
        ret->bundle = string_of(o, "bundle");
        ret->rootfs = string_of(o, "rootfs");
        ret->created = string_of(o, "created");
        ret->cgroup = string_of(o, "cgroup");
        if (json_object_object_get_ex(o, "pid", &v))
                ret->pid = json_object_get_int(v);
        if (json_object_object_get_ex(o, "pidStart", &v))
                ret->pid_start = json_object_get_uint64(v);
        if (json_object_object_get_ex(o, "owner", &v))
                ret->owner = (uid_t)json_object_get_int64(v);
        if (json_object_object_get_ex(o, "creating", &v))
                ret->creating = json_object_get_boolean(v);
        if (json_object_object_get_ex(o, "annotations", &v) && json_object_get_type(v) == json_type_object) {
                size_t n = (size_t)json_object_object_length(v);
                ret->annotations = calloc(n ? n : 1, sizeof(OciKeyValue));
                json_object_object_foreach(v, key, val)
                {
                        if (!ret->annotations || json_object_get_type(val) != json_type_string)
                                continue;
                        ret->annotations[ret->n_annotations].key = strdup(key);
                        ret->annotations[ret->n_annotations].value = strdup(json_object_get_string(val));
                        ret->n_annotations++;
                }
        }
        json_object_put(o);
        if (!ret->id || !ret->bundle || !ret->rootfs || !ret->created || !ret->cgroup) {
                oci_state_done(ret);
                return error_set(e, -EBADMSG, "the state of the container is damaged (state.json lacks a field)");
        }
        return 0;
}

OciStatus oci_state_status(int dirfd, const OciState *s)
{
        bool zombie;
        if (s->creating)
                return OCI_CREATING;
        uint64_t start = process_start_time(s->pid, &zombie);
        if (start == 0 || start != s->pid_start || zombie)
                return OCI_STOPPED;
        if (faccessat(dirfd, "gate", F_OK, AT_SYMLINK_NOFOLLOW) == 0)
                return OCI_CREATED;
        ContainerCgroup cg;
        Error e = {0};
        if (s->cgroup && *s->cgroup && container_cgroup_open_at(s->cgroup, &cg, &e) >= 0) {
                int frozen = container_cgroup_frozen(&cg);
                container_cgroup_done(&cg);
                if (frozen > 0)
                        return OCI_PAUSED;
        }
        return OCI_RUNNING;
}
