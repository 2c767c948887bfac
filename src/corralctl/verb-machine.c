/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* list, show, status and gc: what the registry says about running machines. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "corralctl.h"
#include "cgroup.h"
#include "fs-util.h"
#include "image.h"

int verb_list(const Args *a, int argc, char **argv)
{
        static const char *header[] = {"MACHINE", "CLASS", "SERVICE", "OS", "VERSION", "ADDRESSES"};
        MachineRecord *m;
        size_t n;
        int r = registry_list(a->dir, &m, &n);
        if (r < 0) {
                fprintf(stderr, "Failed to list machines in %s: %s\n", a->dir, strerror(-r));
                return 1;
        }
        /* As machinectl: --max-addresses= addresses (1 by default, then "…"), none and no
         * column with 0, all with -l or in JSON. */
        Table t = {.n_cols = ELEMENTSOF(header) - (a->max_addresses == 0), .header = header};
        for (size_t i = 0; i < n && r >= 0; i++) {
                char addresses[512];
                registry_addresses(&m[i], addresses, sizeof(addresses));
                if (!a->full && a->json == JSON_OFF && a->max_addresses > 0) {
                        char *p = addresses;
                        for (unsigned k = 0; p && k < a->max_addresses; k++)
                                p = strchr(p + (k > 0), ' ');
                        if (p && (size_t)(p - addresses) + sizeof(" …") <= sizeof(addresses))
                                strcpy(p, " …");
                }
                const char *row[] = {m[i].name, m[i].class_, m[i].service, m[i].os, m[i].version, addresses};
                r = table_add(&t, row);
        }
        free(m);
        return table_show(&t, a, "machines", r);
}

/* The live record of name, or a message as machinectl's and -ENOENT. */
int find_machine(const Args *a, const char *name, MachineRecord *m)
{
        int r = registry_read(a->dir, name, m);
        char log[PATH_MAX];
        if (r == -ENOENT && machine_name_is_valid(name))
                console_log_path(name, log, sizeof(log));
        if (r == -ENOENT && machine_name_is_valid(name) && access(log, F_OK) == 0)
                fprintf(stderr, "Could not get path to machine: No machine '%s' known (it does not run; how its last run ended: corralctl logs %s)\n",
                        name, name);
        else if (r == -ENOENT)
                fprintf(stderr, "Could not get path to machine: No machine '%s' known\n", name);
        else if (r < 0)
                fprintf(stderr, "Could not read machine '%s': %s\n", name, strerror(-r));
        return r;
}

void format_time(uint64_t us, char *buf, size_t size)
{
        time_t s = (time_t)(us / 1000000);
        struct tm tm;
        strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", localtime_r(&s, &tm));
}

int verb_show(const Args *a, int argc, char **argv)
{
        Properties p;
        if (argc < 2) {
                properties_begin(&p, a, true);
                property_string(&p, "PoolPath", "/var/lib/machines");
                properties_end(&p);
                return 0;
        }
        int ret = 0;
        bool first = true;
        for (int i = 1; i < argc; i++) {
                MachineRecord m;
                if (find_machine(a, argv[i], &m) < 0) {
                        ret = 1;
                        continue;
                }
                properties_begin(&p, a, first);
                first = false;
                property_string(&p, "Name", m.name);
                property_string(&p, "Id", m.id);
                property_time(&p, "Timestamp", m.realtime_us);
                property_u64(&p, "TimestampMonotonic", m.monotonic_us);
                property_string(&p, "Service", m.service);
                property_u64(&p, "Leader", (uint64_t)m.leader);
                property_string(&p, "Class", m.class_);
                property_string(&p, "RootDirectory", m.root);
                property_string(&p, "State", "running");
                char addresses[512];
                registry_addresses(&m, addresses, sizeof(addresses));
                property_words(&p, "Addresses", addresses);
                property_string(&p, "OS", m.os);
                property_string(&p, "Version", m.version);
                property_string(&p, "ControlGroup", m.cgroup);
                property_u64(&p, "Supervisor", (uint64_t)m.supervisor);
                properties_end(&p);
        }
        return ret;
}

/* A line of the log as -o says: as logged, or as a journal entry's MESSAGE field. */
static void print_log_line(const Args *a, const char *line)
{
        if (a->json != JSON_OFF) {
                json_begin(a->json);
                fputs(a->json == JSON_PRETTY ? "{\n\t\"MESSAGE\" : " : "{\"MESSAGE\":", stdout);
                json_string(line);
                fputs(a->json == JSON_PRETTY ? "\n}" : "}", stdout);
                json_end(a->json);
        } else if (a->output == OUTPUT_EXPORT)
                printf("MESSAGE=%s\n\n", line);
        else
                printf("%s\n", line);
}

/* The last lines of a started machine's console log, as machinectl status shows the journal's. */
static void print_log_lines(const Args *a, const char *name, int lines)
{
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        size_t size;
        console_log_path(name, path, sizeof(path));
        if (read_full_file(path, &text, &size) < 0 || size == 0)
                return;
        printf("\n");
        for (char *line = text + last_lines(text, size, (unsigned)lines), *end; *line; line = end) {
                end = strchrnul(line, '\n');
                bool more = *end != 0;
                *end = 0;
                /* The console's own control sequences (CR, ESC [ ... x) stay out of the listing. */
                char *o = line;
                for (char *c = line; *c; c++) {
                        if (c[0] == '\033' && c[1] == '[') {
                                for (c += 2; *c && !(*c >= 0x40 && *c <= 0x7e); c++)
                                        ;
                                if (!*c)
                                        break;
                        } else if ((unsigned char)*c >= 0x20 || *c == '\t')
                                *o++ = *c;
                }
                *o = 0;
                print_log_line(a, line);
                end += more;
        }
}

int verb_status(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int i = 1; i < argc; i++) {
                MachineRecord m;
                char since[64], ago[64], comm[64] = "", path[64], addresses[512];
                if (find_machine(a, argv[i], &m) < 0) {
                        ret = 1;
                        continue;
                }
                if (i > 1)
                        putchar('\n');
                format_time(m.realtime_us, since, sizeof(since));
                format_relative(m.realtime_us, ago, sizeof(ago));
                snprintf(path, sizeof(path), "/proc/%d/comm", (int)m.leader);
                FILE *f = fopen(path, "re");
                if (f && fgets(comm, sizeof(comm), f))
                        comm[strcspn(comm, "\n")] = 0;
                if (f)
                        fclose(f);
                registry_addresses(&m, addresses, sizeof(addresses));
                printf("%s(%s)\n", m.name, m.id);
                printf("           Since: %s; %s\n", since, ago);
                printf("          Leader: %d (%s)\n", (int)m.leader, comm);
                printf("         Service: %s; class %s\n", m.service, m.class_);
                printf("            Root: %s\n", m.root);
                if (addresses[0])
                        printf("         Address: %s\n", addresses);
                if (m.os[0])
                        printf("              OS: %s%s%s\n", m.os, m.version[0] ? " " : "", m.version);
                if (m.cgroup[0]) {
                        _cleanup_close_ int fd = -1;
                        _cleanup_free_ char *dir = machine_cgroup_dir(&m, &fd);
                        printf("          CGroup: %s\n", m.cgroup);
                        if (dir)
                                print_cgroup_tree(dir, "                  ");
                }
                print_log_lines(a, m.name, a->lines > 0 ? a->lines : 10);
        }
        return ret;
}

/* What a dead supervisor left running in its machine's cgroup, ended (under the machine's name
 * lock: no start of the name runs meanwhile). */
static void end_leftovers(const MachineRecord *m)
{
        ImageLock lock = IMAGE_LOCK_NULL;
        Error e = {0};
        if (!m->cgroup[0] || machine_name_lock(IMAGE_LOCK_DIR, m->name, &lock, &e) < 0)
                return;
        _cleanup_close_ int fd = -1;
        _cleanup_free_ char *dir = machine_cgroup_dir(m, &fd);
        if (dir)
                (void)cgroup_kill_leftovers(dir, m->name);
        image_unlock(&lock);
}

int verb_gc(const Args *a, int argc, char **argv)
{
        MachineRecord *dead = NULL;
        size_t n_dead = 0;
        if (registry_list_dead(a->dir, &dead, &n_dead) >= 0)
                for (size_t i = 0; i < n_dead; i++)
                        end_leftovers(&dead[i]);
        free(dead);
        int n = registry_gc(a->dir);
        if (n < 0) {
                fprintf(stderr, "Failed to clean up %s: %s\n", a->dir, strerror(-n));
                return 1;
        }
        if (a->legend)
                printf("Removed %d record%s of machines whose supervisor is gone.\n", n, n == 1 ? "" : "s");
        return 0;
}
