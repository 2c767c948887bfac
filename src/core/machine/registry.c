/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The machine registry under /run/corral/machines (see registry.h). */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs-util.h"
#include "macro.h"
#include "process-util.h"
#include "registry.h"

uint64_t pid_start_time(pid_t pid)
{
        char path[64], buf[1024];
        snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
        int fd = open(path, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return 0;
        ssize_t n = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (n <= 0)
                return 0;
        buf[n] = 0;
        /* After the command name in parentheses (which may hold anything): field 3 on. */
        char *p = strrchr(buf, ')');
        unsigned long long v = 0;
        char state = 0;
        if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &state, &v) != 2)
                return 0;
        /* An exited process not yet reaped (a slow init reaps late) is no longer there. */
        return state == 'Z' || state == 'X' ? 0 : v;
}

bool registry_alive(const MachineRecord *m)
{
        return m->supervisor > 0 && pid_start_time(m->supervisor) == m->supervisor_start;
}

bool registry_wait_gone(const MachineRecord *m, unsigned seconds)
{
        for (unsigned i = 0; i < seconds * 10 && registry_alive(m); i++)
                usleep(100 * 1000);
        return !registry_alive(m);
}

int registry_pin_leader(const MachineRecord *m)
{
        int fd = (int)syscall(SYS_pidfd_open, m->leader, 0);
        if (fd < 0)
                return -ESRCH;
        /* A supervisor still alive after the pidfd was opened means the PID was not reused. */
        if (!registry_alive(m)) {
                close(fd);
                return -ESRCH;
        }
        return fd;
}

/* The state file's keys, in the order they are written, and the fields they hold. */
typedef enum FieldType { FIELD_STRING, FIELD_PID, FIELD_INT, FIELD_BOOL, FIELD_U64, FIELD_HEX } FieldType;
#define FIELD(key, type, member)                                                                 \
        {                                                                                        \
                key, type, offsetof(MachineRecord, member), sizeof(((MachineRecord *)0)->member) \
        }
static const struct {
        const char *key;
        FieldType type;
        size_t offset, size;
} fields[] = {
        FIELD("NAME", FIELD_STRING, name),
        FIELD("CLASS", FIELD_STRING, class_),
        FIELD("SERVICE", FIELD_STRING, service),
        FIELD("ROOT", FIELD_STRING, root),
        FIELD("ID", FIELD_STRING, id),
        FIELD("OS", FIELD_STRING, os),
        FIELD("VERSION", FIELD_STRING, version),
        FIELD("LEADER", FIELD_PID, leader),
        FIELD("SUPERVISOR", FIELD_PID, supervisor),
        FIELD("SUPERVISOR_START", FIELD_U64, supervisor_start),
        FIELD("REALTIME", FIELD_U64, realtime_us),
        FIELD("MONOTONIC", FIELD_U64, monotonic_us),
        FIELD("CGROUP", FIELD_STRING, cgroup),
        FIELD("BOOT", FIELD_BOOL, boot),
        FIELD("KILL_SIGNAL", FIELD_INT, kill_signal),
        FIELD("POWEROFF_SIGNAL", FIELD_INT, poweroff_signal),
        FIELD("CAPS_BOUNDING", FIELD_HEX, caps_bounding),
        FIELD("CAPS_AMBIENT", FIELD_HEX, caps_ambient),
        FIELD("NO_NEW_PRIVS", FIELD_BOOL, no_new_privs),
};

/* Writes dir/name/file by way of a temporary file and a rename. */
static int write_atomic(const char *dir, const char *name, const char *file, const void *data, size_t size, mode_t mode)
{
        char d[PATH_MAX];
        snprintf(d, sizeof(d), "%s/%s", dir, name);
        if (mkdir_p(d, 0755) < 0)
                return negative_errno();
        _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        return write_file_atomic_at(dfd, file, data, size, mode);
}

int registry_write(const char *dir, const MachineRecord *m)
{
        char *text = NULL;
        size_t size = 0;
        FILE *f = open_memstream(&text, &size);
        if (!f)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                const char *p = (const char *)m + fields[i].offset;
                fprintf(f, "%s=", fields[i].key);
                switch (fields[i].type) {
                case FIELD_STRING:
                        fputs(p, f);
                        break;
                case FIELD_PID:
                        fprintf(f, "%d", (int)*(const pid_t *)(const void *)p);
                        break;
                case FIELD_INT:
                        fprintf(f, "%d", *(const int *)(const void *)p);
                        break;
                case FIELD_BOOL:
                        fprintf(f, "%d", *(const bool *)(const void *)p);
                        break;
                case FIELD_U64:
                        fprintf(f, "%llu", (unsigned long long)*(const uint64_t *)(const void *)p);
                        break;
                case FIELD_HEX:
                        fprintf(f, "%llx", (unsigned long long)*(const uint64_t *)(const void *)p);
                        break;
                }
                fputc('\n', f);
        }
        if (fclose(f) != 0) {
                free(text);
                return -ENOMEM;
        }
        int r = write_atomic(dir, m->name, "state", text, size, 0644);
        free(text);
        return r;
}

int registry_write_file(const char *dir, const char *name, const char *file, const void *data, size_t size)
{
        return write_atomic(dir, name, file, data, size, 0600);
}

static int unlink_entry(int dirfd, const char *name, void *userdata)
{
        (void)unlinkat(dirfd, name, 0);
        return 0;
}

void registry_remove(const char *dir, const char *name)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        _cleanup_close_ int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        /* The state first: from then on the machine is gone for every reader.  Then the files
         * a supervisor writes, and only if more are left, a walk. */
        (void)unlinkat(fd, "state", 0);
        (void)unlinkat(fd, "seccomp", 0);
        if (rmdir(path) == 0 || errno != ENOTEMPTY)
                return;
        (void)dir_for_each(fd, unlink_entry, NULL);
        rmdir(path);
}

static void copy(char *dst, size_t size, const char *v)
{
        snprintf(dst, size, "%s", v);
}

static int parse_state(const char *path, MachineRecord *m)
{
        _cleanup_fclose_ FILE *f = NULL;
        char line[8192];
        *m = (MachineRecord){0};
        if (!(f = fopen(path, "re")))
                return negative_errno();
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                char *v = strchr(line, '=');
                if (!v)
                        continue;
                *v++ = 0;
                for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
                        if (!streq(line, fields[i].key))
                                continue;
                        void *p = (char *)m + fields[i].offset;
                        switch (fields[i].type) {
                        case FIELD_STRING:
                                copy(p, fields[i].size, v);
                                break;
                        case FIELD_PID:
                                *(pid_t *)p = (pid_t)atoi(v);
                                break;
                        case FIELD_INT:
                                *(int *)p = atoi(v);
                                break;
                        case FIELD_BOOL:
                                *(bool *)p = atoi(v) != 0;
                                break;
                        case FIELD_U64:
                                *(uint64_t *)p = strtoull(v, NULL, 10);
                                break;
                        case FIELD_HEX:
                                *(uint64_t *)p = strtoull(v, NULL, 16);
                                break;
                        }
                        break;
                }
        }
        return m->name[0] && m->leader > 0 ? 0 : -EBADMSG;
}

int registry_read(const char *dir, const char *name, MachineRecord *ret)
{
        char path[PATH_MAX];
        if (!*name || strchr(name, '/') || streq(name, ".") || streq(name, ".."))
                return -ENOENT;
        snprintf(path, sizeof(path), "%s/%s/state", dir, name);
        int r = parse_state(path, ret);
        if (r < 0)
                return r == -EBADMSG ? -ENOENT : r;
        return registry_alive(ret) ? 0 : -ENOENT;
}

static int by_name(const void *a, const void *b)
{
        return strcmp(((const MachineRecord *)a)->name, ((const MachineRecord *)b)->name);
}

/* Every record (live if only_live), or with only_live false the dead ones only. */
static int scan(const char *dir, bool live, MachineRecord **ret, size_t *ret_n)
{
        DIR *d = opendir(dir);
        MachineRecord *list = NULL;
        size_t n = 0;
        struct dirent *de;
        *ret = NULL;
        *ret_n = 0;
        if (!d)
                return errno == ENOENT ? 0 : negative_errno();
        while ((de = readdir(d))) {
                char path[PATH_MAX];
                MachineRecord m;
                if (de->d_name[0] == '.')
                        continue;
                snprintf(path, sizeof(path), "%s/%s/state", dir, de->d_name);
                bool ok = parse_state(path, &m) == 0;
                if (!ok && !live) {
                        copy(m.name, sizeof(m.name), de->d_name); /* a broken record: dead */
                } else if (!ok || registry_alive(&m) != live)
                        continue;
                MachineRecord *nl = realloc(list, (n + 1) * sizeof(*nl));
                if (!nl) {
                        free(list);
                        closedir(d);
                        return -ENOMEM;
                }
                list = nl;
                list[n++] = m;
        }
        closedir(d);
        if (n > 1)
                qsort(list, n, sizeof(*list), by_name);
        *ret = list;
        *ret_n = n;
        return 0;
}

int registry_list(const char *dir, MachineRecord **ret, size_t *ret_n)
{
        return scan(dir, true, ret, ret_n);
}

int registry_list_dead(const char *dir, MachineRecord **ret, size_t *ret_n)
{
        return scan(dir, false, ret, ret_n);
}

int registry_gc(const char *dir)
{
        MachineRecord *dead;
        size_t n;
        int r = scan(dir, false, &dead, &n);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n; i++)
                registry_remove(dir, dead[i].name);
        free(dead);
        return (int)n;
}

/* Whether the space-separated list has word. */
static bool listed(const char *list, const char *word)
{
        size_t n = strlen(word);
        for (const char *p = list; (p = strstr(p, word)); p += n)
                if ((p == list || p[-1] == ' ') && (p[n] == ' ' || !p[n]))
                        return true;
        return false;
}

void registry_addresses(const MachineRecord *m, char *buf, size_t size)
{
        char path[64], line[256], last[64] = "";
        size_t used = 0;
        buf[0] = 0;
        if (!pid_namespace_differs(m->leader, "net"))
                return; /* the host's network: its addresses are not the machine's */
        snprintf(path, sizeof(path), "/proc/%d/net/fib_trie", (int)m->leader);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        while (f && fgets(line, sizeof(line), f)) {
                char addr[64];
                if (sscanf(line, " |-- %63s", addr) == 1)
                        copy(last, sizeof(last), addr);
                else if (strstr(line, "/32 host LOCAL") && last[0] && strncmp(last, "127.", 4) != 0 && !listed(buf, last)) {
                        int k = snprintf(buf + used, size - used, "%s%s", used ? " " : "", last);
                        if (k < 0 || (size_t)k >= size - used)
                                break;
                        used += (size_t)k;
                }
        }
}
