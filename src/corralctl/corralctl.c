/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corralctl: the manager, with machinectl's verbs and flags, over corral's machine registry
 * (/run/corral/machines): no machined, no D-Bus. */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <getopt.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "cgroup.h"
#include "macro.h"
#include "parse-util.h"
#include "registry.h"
#include "resources.h"

#define MACHINES_DIR "/run/corral/machines"

typedef enum JsonMode { JSON_OFF, JSON_SHORT, JSON_PRETTY } JsonMode;

typedef struct Args {
        bool legend;
        JsonMode json;
        char **properties; /* -p */
        size_t n_properties;
        bool value;
        int signal;           /* -s; 0: the verb's own */
        bool kill_leader;     /* --kill-whom=leader */
        const char *dir;
} Args;

/* Table output: columns padded to their widest cell, the header bold on a terminal. */
typedef struct Table {
        size_t n_cols, n_rows;
        const char **header;
        char **cells; /* n_rows * n_cols, owned */
} Table;

static int table_add(Table *t, const char *const *row)
{
        char **c = realloc(t->cells, (t->n_rows + 1) * t->n_cols * sizeof(char *));
        if (!c)
                return -ENOMEM;
        t->cells = c;
        for (size_t i = 0; i < t->n_cols; i++)
                if (!(c[t->n_rows * t->n_cols + i] = strdup(row[i] ? row[i] : "")))
                        return -ENOMEM;
        t->n_rows++;
        return 0;
}

static void table_print(const Table *t, bool legend)
{
        size_t w[16] = {0};
        bool tty = isatty(STDOUT_FILENO);
        for (size_t i = 0; i < t->n_cols; i++) {
                w[i] = legend ? strlen(t->header[i]) : 0;
                for (size_t r = 0; r < t->n_rows; r++)
                        w[i] = MAX(w[i], strlen(t->cells[r * t->n_cols + i]));
        }
        for (size_t r = legend ? 0 : 1; r <= t->n_rows; r++) {
                if (r == 0 && tty)
                        fputs("\033[1m", stdout);
                for (size_t i = 0; i < t->n_cols; i++) {
                        const char *v = r == 0 ? t->header[i] : t->cells[(r - 1) * t->n_cols + i];
                        if (i + 1 < t->n_cols)
                                printf("%-*s ", (int)w[i], v);
                        else
                                fputs(v, stdout);
                }
                if (r == 0 && tty)
                        fputs("\033[0m", stdout);
                putchar('\n');
        }
}

static void table_done(Table *t)
{
        for (size_t i = 0; i < t->n_rows * t->n_cols; i++)
                free(t->cells[i]);
        free(t->cells);
}

static void json_string(const char *s)
{
        putchar('"');
        for (; *s; s++) {
                unsigned char c = (unsigned char)*s;
                if (c == '"' || c == '\\')
                        printf("\\%c", c);
                else if (c < 0x20)
                        printf("\\u%04x", c);
                else
                        putchar(c);
        }
        putchar('"');
}

/* The table as a JSON array of objects, keys the lower-case headers. */
static void table_json(const Table *t, JsonMode mode)
{
        bool pretty = mode == JSON_PRETTY;
        fputs(pretty ? "[\n" : "[", stdout);
        for (size_t r = 0; r < t->n_rows; r++) {
                fputs(pretty ? "\t{\n" : "{", stdout);
                for (size_t i = 0; i < t->n_cols; i++) {
                        char key[32];
                        size_t k = 0;
                        for (; t->header[i][k] && k < sizeof(key) - 1; k++)
                                key[k] = (char)(t->header[i][k] >= 'A' && t->header[i][k] <= 'Z' ? t->header[i][k] + 32 : t->header[i][k]);
                        key[k] = 0;
                        fputs(pretty ? "\t\t" : "", stdout);
                        json_string(key);
                        fputs(pretty ? " : " : ":", stdout);
                        const char *v = t->cells[r * t->n_cols + i];
                        if (*v)
                                json_string(v);
                        else
                                fputs("null", stdout);
                        fputs(i + 1 < t->n_cols ? (pretty ? ",\n" : ",") : (pretty ? "\n" : ""), stdout);
                }
                fputs(r + 1 < t->n_rows ? (pretty ? "\t},\n" : "},") : (pretty ? "\t}\n" : "}"), stdout);
        }
        fputs("]\n", stdout);
}

static int verb_list(const Args *a, int argc, char **argv)
{
        static const char *header[] = {"MACHINE", "CLASS", "SERVICE", "OS", "VERSION", "ADDRESSES"};
        MachineRecord *m;
        size_t n;
        int r = registry_list(a->dir, &m, &n);
        if (r < 0) {
                fprintf(stderr, "Failed to list machines in %s: %s\n", a->dir, strerror(-r));
                return 1;
        }
        Table t = {.n_cols = ELEMENTSOF(header), .header = header};
        for (size_t i = 0; i < n && r >= 0; i++) {
                char addresses[512];
                registry_addresses(&m[i], addresses, sizeof(addresses));
                const char *row[] = {m[i].name, m[i].class_, m[i].service, m[i].os, m[i].version, addresses};
                r = table_add(&t, row);
        }
        free(m);
        if (r < 0) {
                table_done(&t);
                fprintf(stderr, "Out of memory.\n");
                return 1;
        }
        if (a->json != JSON_OFF)
                table_json(&t, a->json);
        else if (n == 0 && a->legend)
                puts("No machines.");
        else {
                table_print(&t, a->legend);
                if (a->legend)
                        printf("\n%zu machines listed.\n", n);
        }
        table_done(&t);
        return 0;
}

/* The live record of name, or a message as machinectl's and -ENOENT. */
static int find(const Args *a, const char *name, MachineRecord *m)
{
        int r = registry_read(a->dir, name, m);
        if (r == -ENOENT)
                fprintf(stderr, "Could not get path to machine: No machine '%s' known\n", name);
        else if (r < 0)
                fprintf(stderr, "Could not read machine '%s': %s\n", name, strerror(-r));
        return r;
}

static void format_time(uint64_t us, char *buf, size_t size)
{
        time_t s = (time_t)(us / 1000000);
        struct tm tm;
        strftime(buf, size, "%a %Y-%m-%d %H:%M:%S %Z", localtime_r(&s, &tm));
}

static bool wanted(const Args *a, const char *property)
{
        if (a->n_properties == 0)
                return true;
        for (size_t i = 0; i < a->n_properties; i++)
                if (streq(a->properties[i], property))
                        return true;
        return false;
}

static void property(const Args *a, const char *name, const char *value)
{
        if (!wanted(a, name))
                return;
        if (a->value)
                puts(value);
        else
                printf("%s=%s\n", name, value);
}

static int verb_show(const Args *a, int argc, char **argv)
{
        if (argc < 2) {
                property(a, "PoolPath", "/var/lib/machines");
                return 0;
        }
        int ret = 0;
        for (int i = 1; i < argc; i++) {
                MachineRecord m;
                char buf[64], num[32];
                if (find(a, argv[i], &m) < 0) {
                        ret = 1;
                        continue;
                }
                if (i > 1)
                        putchar('\n');
                property(a, "Name", m.name);
                property(a, "Id", m.id);
                format_time(m.realtime_us, buf, sizeof(buf));
                property(a, "Timestamp", buf);
                snprintf(num, sizeof(num), "%llu", (unsigned long long)m.monotonic_us);
                property(a, "TimestampMonotonic", num);
                property(a, "Service", m.service);
                snprintf(num, sizeof(num), "%d", (int)m.leader);
                property(a, "Leader", num);
                property(a, "Class", m.class_);
                property(a, "RootDirectory", m.root);
                property(a, "State", "running");
                char addresses[512];
                registry_addresses(&m, addresses, sizeof(addresses));
                property(a, "Addresses", addresses);
                property(a, "OS", m.os);
                property(a, "Version", m.version);
                property(a, "ControlGroup", m.cgroup);
                snprintf(num, sizeof(num), "%d", (int)m.supervisor);
                property(a, "Supervisor", num);
        }
        return ret;
}

static void relative(uint64_t since_us, char *buf, size_t size)
{
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        uint64_t n = (uint64_t)now.tv_sec * 1000000 + (uint64_t)now.tv_nsec / 1000, d = n > since_us ? (n - since_us) / 1000000 : 0;
        if (d < 60)
                snprintf(buf, size, "%llus ago", (unsigned long long)d);
        else if (d < 3600)
                snprintf(buf, size, "%llumin %llus ago", (unsigned long long)d / 60, (unsigned long long)d % 60);
        else
                snprintf(buf, size, "%lluh %llumin ago", (unsigned long long)d / 3600, (unsigned long long)d / 60 % 60);
}

static int verb_status(const Args *a, int argc, char **argv)
{
        int ret = 0;
        for (int i = 1; i < argc; i++) {
                MachineRecord m;
                char since[64], ago[64], comm[64] = "", path[64], addresses[512];
                if (find(a, argv[i], &m) < 0) {
                        ret = 1;
                        continue;
                }
                if (i > 1)
                        putchar('\n');
                format_time(m.realtime_us, since, sizeof(since));
                relative(m.realtime_us, ago, sizeof(ago));
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
                if (m.cgroup[0])
                        printf("          CGroup: %s\n", m.cgroup);
        }
        return ret;
}

/* Signals every process in the cgroup dir and below it but skip. */
static void kill_cgroup_tree(const char *dir, int sig, pid_t skip)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/cgroup.procs", dir);
        FILE *f = fopen(path, "re");
        int pid;
        while (f && fscanf(f, "%d", &pid) == 1)
                if (pid != skip)
                        (void)kill(pid, sig);
        if (f)
                fclose(f);
        DIR *d = opendir(dir);
        struct dirent *de;
        while (d && (de = readdir(d)))
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
                        kill_cgroup_tree(path, sig, skip);
                }
        if (d)
                closedir(d);
}

static int send_signal(const MachineRecord *m, int sig, bool leader_only)
{
        /* By pidfd, after checking the supervisor still has it: no PID reuse in between. */
        int fd = (int)syscall(SYS_pidfd_open, m->leader, 0), r = 0;
        if (fd < 0 || !registry_alive(m)) {
                if (fd >= 0)
                        close(fd);
                return -ESRCH;
        }
        if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
                r = -errno;
        close(fd);
        if (r < 0 || leader_only || !m->cgroup[0])
                return r;
        /* Every other process of the machine: its cgroup, subgroups included. */
        kill_cgroup_tree(m->cgroup, sig, m->leader);
        return 0;
}

static int signal_verb(const Args *a, int argc, char **argv, const char *what)
{
        int ret = 0;
        if (argc < 2) {
                fprintf(stderr, "%s needs a machine name.\n", argv[0]);
                return 1;
        }
        for (int i = 1; i < argc; i++) {
                MachineRecord m;
                int sig = a->signal, r;
                bool leader = true;
                if (find(a, argv[i], &m) < 0) {
                        ret = 1;
                        continue;
                }
                if (streq(what, "poweroff"))
                        sig = m.boot ? SIGRTMIN + 4 : m.kill_signal;
                else if (streq(what, "reboot")) {
                        if (!m.boot) {
                                fprintf(stderr, "Could not reboot machine '%s': it was not started with --boot (no init to reboot it)\n", m.name);
                                ret = 1;
                                continue;
                        }
                        sig = SIGINT;
                } else if (streq(what, "terminate"))
                        sig = SIGKILL; /* the PID namespace ends with its init */
                else {
                        sig = sig ? sig : SIGTERM;
                        leader = a->kill_leader;
                }
                if ((r = send_signal(&m, sig, leader)) < 0) {
                        fprintf(stderr, "Could not %s machine '%s': %s\n", what, m.name, strerror(-r));
                        ret = 1;
                }
        }
        return ret;
}

static int verb_poweroff(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "poweroff");
}

static int verb_reboot(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "reboot");
}

static int verb_terminate(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "terminate");
}

static int verb_kill(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "kill");
}

/* The machine's cgroups, found by its name and the slice its record names. */
static int machine_cgroup(const Args *a, const char *name, ContainerCgroup *cg)
{
        MachineRecord m;
        Error e = {0};
        char slice[256] = "";
        int r = find(a, name, &m);
        if (r < 0)
                return r;
        char *end = strrchr(m.cgroup, '/');
        if (end) {
                *end = 0;
                char *start = strrchr(m.cgroup, '/');
                if (start && endswith(start + 1, ".slice"))
                        snprintf(slice, sizeof(slice), "%s", start + 1);
        }
        if ((r = container_cgroup_find(m.name, slice[0] ? slice : NULL, cg, &e)) < 0)
                fprintf(stderr, "%s\n", e.msg);
        return r;
}

static int freeze_verb(const Args *a, int argc, char **argv, bool freeze)
{
        int ret = 0;
        for (int i = 1; i < argc; i++) {
                ContainerCgroup cg;
                Error e = {0};
                if (machine_cgroup(a, argv[i], &cg) < 0) {
                        ret = 1;
                        continue;
                }
                if (container_cgroup_freeze(&cg, freeze, &e) < 0) {
                        fprintf(stderr, "Could not %s machine '%s': %s\n", freeze ? "freeze" : "thaw", argv[i], e.msg);
                        ret = 1;
                }
                container_cgroup_done(&cg);
        }
        return ret;
}

static int verb_freeze(const Args *a, int argc, char **argv)
{
        return freeze_verb(a, argc, argv, true);
}

static int verb_thaw(const Args *a, int argc, char **argv)
{
        return freeze_verb(a, argc, argv, false);
}

/* set-property NAME PROPERTY=VALUE...: systemd's resource-control names, as --property=. */
static int verb_set_property(const Args *a, int argc, char **argv)
{
        ContainerCgroup cg;
        Resources res = {0};
        Error e = {0};
        int r = 0;
        for (int i = 2; i < argc && r >= 0; i++)
                r = resources_parse_assignment(&res, argv[i], &e);
        if (r < 0) {
                fprintf(stderr, "Failed to parse property: %s\n", e.msg);
                resources_done(&res);
                return 1;
        }
        if (machine_cgroup(a, argv[1], &cg) < 0) {
                resources_done(&res);
                return 1;
        }
        if ((r = container_cgroup_set(&cg, &res, &e)) < 0)
                fprintf(stderr, "Could not set properties of machine '%s': %s\n", argv[1], e.msg);
        container_cgroup_done(&cg);
        resources_done(&res);
        return r < 0;
}

static int verb_gc(const Args *a, int argc, char **argv)
{
        int n = registry_gc(a->dir);
        if (n < 0) {
                fprintf(stderr, "Failed to clean up %s: %s\n", a->dir, strerror(-n));
                return 1;
        }
        if (a->legend)
                printf("Removed %d record%s of machines whose supervisor is gone.\n", n, n == 1 ? "" : "s");
        return 0;
}

static int help(void)
{
        printf("corralctl [OPTIONS...] COMMAND ...\n\n"
               "Manage corral's containers.\n\n"
               "Machine Commands:\n"
               "  list                        List running machines\n"
               "  status NAME...              Show machine status\n"
               "  show [NAME...]              Show properties of one or more machines\n"
               "  poweroff NAME...            Power off one or more machines\n"
               "  reboot NAME...              Reboot one or more machines\n"
               "  terminate NAME...           Terminate one or more machines\n"
               "  kill NAME...                Send signal to processes of a machine\n"
               "  set-property NAME NAME=VALUE...\n"
               "                              Change resource limits of a running machine\n"
               "  freeze NAME...              Freeze every process of a machine\n"
               "  thaw NAME...                Thaw a frozen machine\n"
               "  gc                          Remove what dead supervisors left in the registry\n\n"
               "Options:\n"
               "  -h --help                   Show this help\n"
               "     --version                Show package version\n"
               "     --no-pager               Do not pipe output into a pager (corralctl never does)\n"
               "     --no-legend              Do not show the headers and footers\n"
               "     --json=pretty|short|off  Generate JSON output\n"
               "  -p --property=NAME          Show only properties by this name\n"
               "     --value                  When showing properties, only print the value\n"
               "     --kill-whom=WHOM         Whom to send signal to (leader or all)\n"
               "  -s --signal=SIGNAL          Which signal to send\n");
        return 0;
}

typedef struct Verb {
        const char *name;
        int min_args, max_args; /* counting the verb */
        int (*run)(const Args *a, int argc, char **argv);
} Verb;

static const Verb verbs[] = {
        {"list", 1, 1, verb_list},
        {"status", 2, INT32_MAX, verb_status},
        {"show", 1, INT32_MAX, verb_show},
        {"poweroff", 2, INT32_MAX, verb_poweroff},
        {"stop", 2, INT32_MAX, verb_poweroff}, /* machinectl's alias */
        {"reboot", 2, INT32_MAX, verb_reboot},
        {"terminate", 2, INT32_MAX, verb_terminate},
        {"kill", 2, INT32_MAX, verb_kill},
        {"set-property", 3, INT32_MAX, verb_set_property},
        {"freeze", 2, INT32_MAX, verb_freeze},
        {"thaw", 2, INT32_MAX, verb_thaw},
        {"gc", 1, 1, verb_gc},
};

enum { OPT_VERSION = 0x100, OPT_NO_PAGER, OPT_NO_LEGEND, OPT_JSON, OPT_VALUE, OPT_KILL_WHOM };

int main(int argc, char **argv)
{
        static const struct option options[] = {
                {"help", no_argument, NULL, 'h'},
                {"version", no_argument, NULL, OPT_VERSION},
                {"no-pager", no_argument, NULL, OPT_NO_PAGER},
                {"no-legend", no_argument, NULL, OPT_NO_LEGEND},
                {"json", required_argument, NULL, OPT_JSON},
                {"property", required_argument, NULL, 'p'},
                {"value", no_argument, NULL, OPT_VALUE},
                {"kill-whom", required_argument, NULL, OPT_KILL_WHOM},
                {"signal", required_argument, NULL, 's'},
                {},
        };
        Args a = {.legend = true, .dir = getenv("CORRAL_MACHINES_DIR") ? getenv("CORRAL_MACHINES_DIR") : MACHINES_DIR};
        char *props[64];
        int c;
        a.properties = props;
        while ((c = getopt_long(argc, argv, "hp:s:", options, NULL)) >= 0) {
                switch (c) {
                case 'h':
                        return help();
                case OPT_VERSION:
                        puts("corralctl " CORRAL_VERSION);
                        return 0;
                case OPT_NO_PAGER:
                        break;
                case OPT_NO_LEGEND:
                        a.legend = false;
                        break;
                case OPT_JSON:
                        if (streq(optarg, "pretty"))
                                a.json = JSON_PRETTY;
                        else if (streq(optarg, "short"))
                                a.json = JSON_SHORT;
                        else if (streq(optarg, "off"))
                                a.json = JSON_OFF;
                        else if (streq(optarg, "help")) {
                                puts("short\npretty\noff");
                                return 0;
                        } else {
                                fprintf(stderr, "Unknown argument to --json= switch: %s (try pretty, short or off)\n", optarg);
                                return 1;
                        }
                        break;
                case 'p':
                        /* NAME, or several separated by commas */
                        for (char *save = NULL, *w = strtok_r(optarg, ",", &save); w; w = strtok_r(NULL, ",", &save))
                                if (a.n_properties < ELEMENTSOF(props))
                                        props[a.n_properties++] = w;
                        break;
                case OPT_VALUE:
                        a.value = true;
                        break;
                case OPT_KILL_WHOM:
                        if (!streq(optarg, "leader") && !streq(optarg, "all")) {
                                fprintf(stderr, "Unknown --kill-whom= value: %s (leader or all)\n", optarg);
                                return 1;
                        }
                        a.kill_leader = streq(optarg, "leader");
                        break;
                case 's':
                        if (streq(optarg, "help")) {
                                for (int i = 1; i < SIGRTMIN; i++) {
                                        char b[16];
                                        puts(signal_to_string(i, b));
                                }
                                return 0;
                        }
                        if (parse_signal(optarg, &a.signal) < 0) {
                                fprintf(stderr, "Failed to parse signal string %s.\n", optarg);
                                return 1;
                        }
                        break;
                default:
                        return 1;
                }
        }
        int n = argc - optind;
        char **args = argv + optind;
        char *list[] = {(char *)"list", NULL};
        if (n == 0) {
                n = 1;
                args = list;
        }
        for (size_t i = 0; i < ELEMENTSOF(verbs); i++) {
                if (!streq(verbs[i].name, args[0]))
                        continue;
                if (n < verbs[i].min_args) {
                        fprintf(stderr, "Too few arguments.\n");
                        return 1;
                }
                if (n > verbs[i].max_args) {
                        fprintf(stderr, "Too many arguments.\n");
                        return 1;
                }
                return verbs[i].run(&a, n, args);
        }
        fprintf(stderr, "Unknown command verb '%s' (corralctl --help lists them).\n", args[0]);
        return 1;
}
