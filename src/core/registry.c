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
        if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d %*d %*d %llu", &v) != 1)
                return 0;
        return v;
}

bool registry_alive(const MachineRecord *m)
{
        return m->supervisor > 0 && pid_start_time(m->supervisor) == m->supervisor_start;
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

int registry_write(const char *dir, const MachineRecord *m)
{
        char d[PATH_MAX], tmp[PATH_MAX + 16], path[PATH_MAX + 16];
        snprintf(d, sizeof(d), "%s/%s", dir, m->name);
        if (mkdir_p(d, 0755) < 0)
                return negative_errno();
        snprintf(tmp, sizeof(tmp), "%s/.state.tmp", d);
        snprintf(path, sizeof(path), "%s/state", d);
        FILE *f = fopen(tmp, "we");
        if (!f)
                return negative_errno();
        fprintf(f,
                "NAME=%s\nCLASS=%s\nSERVICE=%s\nROOT=%s\nID=%s\nOS=%s\nVERSION=%s\nLEADER=%d\nSUPERVISOR=%d\nSUPERVISOR_START=%llu\n"
                "REALTIME=%llu\nMONOTONIC=%llu\nCGROUP=%s\nBOOT=%d\nKILL_SIGNAL=%d\nPOWEROFF_SIGNAL=%d\n"
                "CAPS_BOUNDING=%llx\nCAPS_AMBIENT=%llx\nNO_NEW_PRIVS=%d\n",
                m->name, m->class_, m->service, m->root, m->id, m->os, m->version, (int)m->leader, (int)m->supervisor,
                (unsigned long long)m->supervisor_start, (unsigned long long)m->realtime_us, (unsigned long long)m->monotonic_us, m->cgroup,
                m->boot, m->kill_signal, m->poweroff_signal, (unsigned long long)m->caps_bounding,
                (unsigned long long)m->caps_ambient, m->no_new_privs);
        if (fclose(f) != 0 || rename(tmp, path) < 0) {
                int r = negative_errno();
                unlink(tmp);
                return r;
        }
        return 0;
}

int registry_write_file(const char *dir, const char *name, const char *file, const void *data, size_t size)
{
        char d[PATH_MAX], tmp[PATH_MAX + 16];
        snprintf(d, sizeof(d), "%s/%s", dir, name);
        if (mkdir_p(d, 0755) < 0)
                return negative_errno();
        _cleanup_close_ int dfd = open(d, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0)
                return negative_errno();
        snprintf(tmp, sizeof(tmp), ".%s.tmp", file);
        int r = write_file_at(dfd, tmp, data, size, 0600);
        if (r < 0)
                return r;
        if (renameat(dfd, tmp, dfd, file) < 0) {
                r = negative_errno();
                unlinkat(dfd, tmp, 0);
                return r;
        }
        return 0;
}

void registry_remove(const char *dir, const char *name)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        DIR *d = opendir(path);
        struct dirent *de;
        /* The state first: from then on the machine is gone for every reader. */
        if (d)
                (void)unlinkat(dirfd(d), "state", 0);
        while (d && (de = readdir(d)))
                if (!streq(de->d_name, ".") && !streq(de->d_name, ".."))
                        (void)unlinkat(dirfd(d), de->d_name, 0);
        if (d)
                closedir(d);
        rmdir(path);
}

static void copy(char *dst, size_t size, const char *v)
{
        snprintf(dst, size, "%s", v);
}

static int parse_state(const char *path, MachineRecord *m)
{
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        char line[8192];
        if (!f)
                return negative_errno();
        *m = (MachineRecord){0};
        while (fgets(line, sizeof(line), f)) {
                line[strcspn(line, "\n")] = 0;
                char *v = strchr(line, '=');
                if (!v)
                        continue;
                *v++ = 0;
                if (streq(line, "NAME"))
                        copy(m->name, sizeof(m->name), v);
                else if (streq(line, "CLASS"))
                        copy(m->class_, sizeof(m->class_), v);
                else if (streq(line, "SERVICE"))
                        copy(m->service, sizeof(m->service), v);
                else if (streq(line, "ROOT"))
                        copy(m->root, sizeof(m->root), v);
                else if (streq(line, "ID"))
                        copy(m->id, sizeof(m->id), v);
                else if (streq(line, "OS"))
                        copy(m->os, sizeof(m->os), v);
                else if (streq(line, "VERSION"))
                        copy(m->version, sizeof(m->version), v);
                else if (streq(line, "CGROUP"))
                        copy(m->cgroup, sizeof(m->cgroup), v);
                else if (streq(line, "LEADER"))
                        m->leader = (pid_t)atoi(v);
                else if (streq(line, "SUPERVISOR"))
                        m->supervisor = (pid_t)atoi(v);
                else if (streq(line, "SUPERVISOR_START"))
                        m->supervisor_start = strtoull(v, NULL, 10);
                else if (streq(line, "REALTIME"))
                        m->realtime_us = strtoull(v, NULL, 10);
                else if (streq(line, "MONOTONIC"))
                        m->monotonic_us = strtoull(v, NULL, 10);
                else if (streq(line, "BOOT"))
                        m->boot = atoi(v) != 0;
                else if (streq(line, "KILL_SIGNAL"))
                        m->kill_signal = atoi(v);
                else if (streq(line, "POWEROFF_SIGNAL"))
                        m->poweroff_signal = atoi(v);
                else if (streq(line, "CAPS_BOUNDING"))
                        m->caps_bounding = strtoull(v, NULL, 16);
                else if (streq(line, "CAPS_AMBIENT"))
                        m->caps_ambient = strtoull(v, NULL, 16);
                else if (streq(line, "NO_NEW_PRIVS"))
                        m->no_new_privs = atoi(v) != 0;
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
