/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* enable and disable: machines started at boot.  With systemd as PID 1, as machinectl does it:
 * corral@NAME.service wanted by machines.target.  Without it, corral's own autostart list,
 * /etc/corral/autostart, which an init script (sysvinit or OpenRC, written on the first
 * enable) runs through with autostart and autostop. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "corralctl.h"
#include "image-store.h"
#include "fs-util.h"

#define UNIT_DIR "/etc/systemd/system"
#define AUTOSTART_HEADER                                                                              \
        "# Machines started at boot by corral's init script (corralctl autostart), in this order.\n"  \
        "# One per line: NAME [delay=SECONDS], the delay being a pause after that machine started.\n" \
        "# corralctl enable and disable add and remove lines; edit the order and delays freely.\n"

static const char *sysconf_dir(void)
{
        const char *d = getenv("CORRAL_SYSCONF_DIR");
        return d && *d ? d : "/etc/corral";
}

static bool systemd_booted(void)
{
        const char *force = getenv("CORRAL_SYSTEMD");
        if (force && *force)
                return streq(force, "1");
        return access("/run/systemd/system", F_OK) == 0;
}

/* ---- systemd ---- */

static int write_unit(const char *corral)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), UNIT_DIR "/corral@.service");
        if (access(path, F_OK) == 0)
                return 0;
        _cleanup_fclose_ FILE *f = fopen(path, "wxe");
        if (!f)
                return negative_errno();
        /* systemd-nspawn@.service, with corral. */
        fprintf(f,
                "[Unit]\n"
                "Description=Container %%i (corral)\n"
                "Documentation=man:corralctl(1) man:corral(1)\n"
                "PartOf=machines.target\n"
                "Before=machines.target\n"
                "After=network.target\n"
                "RequiresMountsFor=/var/lib/machines/%%i\n\n"
                "[Service]\n"
                "ExecStart=%s --quiet --keep-unit --boot --link-journal=try-guest --network-veth -U --settings=override --machine=%%i\n"
                "KillMode=mixed\n"
                "Type=notify\n"
                "RestartForceExitStatus=133\n"
                "SuccessExitStatus=133\n"
                "Slice=machine.slice\n"
                "Delegate=yes\n"
                "TasksMax=16384\n\n"
                "[Install]\n"
                "WantedBy=machines.target\n",
                corral);
        return fflush(f) == 0 ? 1 : negative_errno();
}

/* systemctl daemon-reload; a message says why not. */
static int systemd_reload(void)
{
        pid_t pid = fork();
        if (pid == 0) {
                int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
                if (null >= 0)
                        dup2(null, STDOUT_FILENO);
                execlp("systemctl", "systemctl", "daemon-reload", (char *)NULL);
                _exit(127);
        }
        int status = 1;
        if (pid < 0 || waitpid(pid, &status, 0) < 0)
                return -errno;
        return status == 0 ? 0 : -EIO;
}

/* machines.target comes with systemd-container; a host without it gets corral's own copy,
 * or nothing would pull the machines in at boot.  Either way multi-user.target wants it, as
 * machinectl enable makes it. */
static int want_machines_target(void)
{
        static const char *const dirs[] = {UNIT_DIR, "/usr/lib/systemd/system", "/lib/systemd/system"};
        char target[PATH_MAX] = "";
        for (size_t i = 0; i < ELEMENTSOF(dirs) && !target[0]; i++) {
                snprintf(target, sizeof(target), "%s/machines.target", dirs[i]);
                if (access(target, F_OK) < 0)
                        target[0] = 0;
        }
        if (!target[0]) {
                snprintf(target, sizeof(target), UNIT_DIR "/machines.target");
                int r = write_file_at(AT_FDCWD, target,
                                      "[Unit]\nDescription=Containers\nDocumentation=man:systemd.special(7)\nBefore=multi-user.target\n\n"
                                      "[Install]\nWantedBy=multi-user.target\n",
                                      strlen("[Unit]\nDescription=Containers\nDocumentation=man:systemd.special(7)\nBefore=multi-user.target\n\n"
                                             "[Install]\nWantedBy=multi-user.target\n"),
                                      0644);
                if (r < 0)
                        return r;
                printf("Created %s (systemd-container, which has it, is not installed).\n", target);
        }
        (void)mkdir_p(UNIT_DIR "/multi-user.target.wants", 0755);
        if (symlink(target, UNIT_DIR "/multi-user.target.wants/machines.target") == 0)
                printf("Created symlink " UNIT_DIR "/multi-user.target.wants/machines.target -> %s.\n", target);
        else if (errno != EEXIST)
                return negative_errno();
        return 0;
}

static int systemd_enable(const char *name, bool enable)
{
        char link[PATH_MAX], bin[PATH_MAX];
        snprintf(link, sizeof(link), UNIT_DIR "/machines.target.wants/corral@%s.service", name);
        if (enable) {
                int r = write_unit(corral_binary(bin, sizeof(bin)));
                if (r < 0) {
                        fprintf(stderr, "Failed to write " UNIT_DIR "/corral@.service: %s\n", strerror(-r));
                        return 1;
                }
                if (r > 0)
                        printf("Created " UNIT_DIR "/corral@.service.\n");
                if ((r = want_machines_target()) < 0) {
                        fprintf(stderr, "Failed to enable machines.target: %s\n", strerror(-r));
                        return 1;
                }
                (void)mkdir_p(UNIT_DIR "/machines.target.wants", 0755);
                if (symlink(UNIT_DIR "/corral@.service", link) < 0 && errno != EEXIST) {
                        fprintf(stderr, "Failed to create %s: %m\n", link);
                        return 1;
                }
                printf("Created symlink %s -> " UNIT_DIR "/corral@.service.\n", link);
        } else {
                if (unlink(link) < 0 && errno != ENOENT) {
                        fprintf(stderr, "Failed to remove %s: %m\n", link);
                        return 1;
                }
                printf("Removed %s.\n", link);
        }
        if (systemd_reload() < 0)
                fprintf(stderr, "Warning: systemctl daemon-reload failed; run it yourself.\n");
        return 0;
}

/* ---- corral's own autostart list ---- */

typedef struct Entry {
        char name[65]; /* a machine name has at most 64 characters */
        unsigned delay;
} Entry;

static void autostart_path(char path[static PATH_MAX])
{
        snprintf(path, PATH_MAX, "%s/autostart", sysconf_dir());
}

/* The entry a line of the list holds: "NAME [delay=SECONDS]"; false for a comment or a blank. */
static bool line_entry(const char *line, Entry *ret)
{
        *ret = (Entry){0};
        line += strspn(line, " \t");
        return *line != '#' && *line != '\n' && *line && sscanf(line, "%64s delay=%u", ret->name, &ret->delay) >= 1;
}

/* The names and delays of the list; lines that are not entries (comments) are kept in text. */
static int read_list(const char *path, char **ret_text, Entry **ret, size_t *ret_n)
{
        char *text = NULL;
        Entry *l = NULL;
        size_t n = 0, size = 0;
        int r = read_full_file(path, &text, &size);
        if (r == -ENOENT) {
                text = strdup(AUTOSTART_HEADER);
                r = text ? 0 : -ENOMEM;
        }
        if (r < 0)
                return r;
        _cleanup_free_ char *copy = strdup(text);
        for (char *save = NULL, *line = copy ? strtok_r(copy, "\n", &save) : NULL; line; line = strtok_r(NULL, "\n", &save)) {
                Entry entry;
                if (!line_entry(line, &entry))
                        continue;
                Entry *nl = realloc(l, (n + 1) * sizeof(*nl));
                if (!nl) {
                        free(l);
                        free(text);
                        return -ENOMEM;
                }
                l = nl;
                l[n++] = entry;
        }
        *ret_text = text;
        *ret = l;
        *ret_n = n;
        return 0;
}

static const char sysv_script[] = "#!/bin/sh\n"
                                  "### BEGIN INIT INFO\n"
                                  "# Provides:          corral\n"
                                  "# Required-Start:    $local_fs $network $remote_fs\n"
                                  "# Required-Stop:     $local_fs $network $remote_fs\n"
                                  "# Default-Start:     2 3 4 5\n"
                                  "# Default-Stop:      0 1 6\n"
                                  "# Short-Description: corral's containers\n"
                                  "# Description:       Starts the machines of /etc/corral/autostart (corralctl enable), in order.\n"
                                  "### END INIT INFO\n"
                                  "CORRALCTL=%s\n"
                                  "case \"$1\" in\n"
                                  "start) \"$CORRALCTL\" autostart ;;\n"
                                  "stop) \"$CORRALCTL\" autostop ;;\n"
                                  "restart|force-reload) \"$CORRALCTL\" autostop; \"$CORRALCTL\" autostart ;;\n"
                                  "status) \"$CORRALCTL\" list ;;\n"
                                  "*) echo \"Usage: $0 {start|stop|restart|status}\" >&2; exit 3 ;;\n"
                                  "esac\n";

static const char openrc_script[] = "#!/sbin/openrc-run\n"
                                    "# corral's containers: the machines of /etc/corral/autostart (corralctl enable), in order.\n"
                                    "description=\"corral's containers\"\n"
                                    "CORRALCTL=%s\n"
                                    "depend() {\n"
                                    "\tneed localmount net\n"
                                    "}\n"
                                    "start() {\n"
                                    "\tebegin \"Starting corral's machines\"\n"
                                    "\t\"$CORRALCTL\" autostart\n"
                                    "\teend $?\n"
                                    "}\n"
                                    "stop() {\n"
                                    "\tebegin \"Stopping corral's machines\"\n"
                                    "\t\"$CORRALCTL\" autostop\n"
                                    "\teend $?\n"
                                    "}\n";

/* The init script, written once; registered with the host's tool when it has one. */
static void install_init_script(void)
{
        const char *dir = getenv("CORRAL_INITD_DIR");
        char path[PATH_MAX], self[PATH_MAX];
        snprintf(path, sizeof(path), "%s/corral", dir && *dir ? dir : "/etc/init.d");
        if (access(path, F_OK) == 0)
                return;
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        self[n > 0 ? n : 0] = 0;
        bool openrc = access("/sbin/openrc-run", X_OK) == 0;
        FILE *f = fopen(path, "wxe");
        if (!f) {
                fprintf(stderr, "Warning: cannot write the init script %s (%m); the list is kept, run corralctl autostart at boot yourself.\n", path);
                return;
        }
        fprintf(f, openrc ? openrc_script : sysv_script, self);
        fchmod(fileno(f), 0755);
        fclose(f);
        printf("Created the %s init script %s.\n", openrc ? "OpenRC" : "sysvinit", path);
        const char *tool = openrc ? "/sbin/rc-update" : "/usr/sbin/update-rc.d";
        if (access(tool, X_OK) < 0 || (dir && *dir)) {
                printf("Enable it in your init system's runlevels to start the machines at boot.\n");
                return;
        }
        pid_t pid = fork();
        if (pid == 0) {
                if (openrc)
                        execl(tool, tool, "add", "corral", "default", (char *)NULL);
                else
                        execl(tool, tool, "corral", "defaults", (char *)NULL);
                _exit(127);
        }
        int status = 1;
        if (pid > 0)
                waitpid(pid, &status, 0);
        if (status == 0)
                printf("Enabled it with %s.\n", tool);
        else
                fprintf(stderr, "Warning: %s failed; enable %s in your runlevels yourself.\n", tool, path);
}

static int own_enable(const char *name, bool enable)
{
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ Entry *l = NULL;
        size_t n;
        autostart_path(path);
        int r = read_list(path, &text, &l, &n);
        if (r < 0) {
                fprintf(stderr, "Failed to read %s: %s\n", path, strerror(-r));
                return 1;
        }
        bool listed = false;
        for (size_t i = 0; i < n; i++)
                listed = listed || streq(l[i].name, name);
        if (enable == listed)
                return 0;
        if (mkdir_p(sysconf_dir(), 0755) < 0) {
                fprintf(stderr, "Failed to create %s: %m\n", sysconf_dir());
                return 1;
        }
        char tmp[PATH_MAX + 8];
        snprintf(tmp, sizeof(tmp), "%s.new", path);
        FILE *f = fopen(tmp, "we");
        if (!f) {
                fprintf(stderr, "Failed to write %s: %m\n", tmp);
                return 1;
        }
        /* Every line but the machine's; enable appends it. */
        for (char *line = text, *end; *line; line = end) {
                Entry entry;
                end = strchrnul(line, '\n');
                if (*end)
                        end++;
                if (!line_entry(line, &entry) || !streq(entry.name, name))
                        fwrite(line, 1, (size_t)(end - line), f);
        }
        if (enable)
                fprintf(f, "%s%s\n", *text && text[strlen(text) - 1] != '\n' ? "\n" : "", name);
        if (fclose(f) != 0 || rename(tmp, path) < 0) {
                fprintf(stderr, "Failed to update %s: %m\n", path);
                unlink(tmp);
                return 1;
        }
        printf("%s %s %s.\n", enable ? "Added" : "Removed", name, enable ? "to the autostart list" : "from the autostart list");
        if (enable)
                install_init_script();
        return 0;
}

static int enable_verb(const Args *a, int argc, char **argv, bool enable)
{
        int ret = 0;
        for (int i = 1; i < argc; i++) {
                Image img;
                Error e = {0};
                if (enable && strchr(argv[i], '/')) {
                        fprintf(stderr,
                                "enable takes a machine name, not a path: the machine must be found at boot.  Link the tree into "
                                "/var/lib/machines (ln -s %s /var/lib/machines/NAME) and enable NAME.\n",
                                argv[i]);
                        ret = 1;
                        continue;
                }
                if (!machine_name_is_valid(argv[i])) {
                        fprintf(stderr, "Invalid machine name: %s\n", argv[i]);
                        ret = 1;
                        continue;
                }
                /* (disable of a machine whose image is gone still removes it from boot.) */
                if (enable && image_store_get(argv[i], &img, &e) < 0) {
                        fprintf(stderr,
                                "Cannot enable machine '%s': no image of that name in /var/lib/machines, /usr/local/lib/machines, "
                                "/usr/lib/machines or /var/lib/container (link its tree into /var/lib/machines).\n",
                                argv[i]);
                        ret = 1;
                        continue;
                }
                ret |= systemd_booted() ? systemd_enable(argv[i], enable) : own_enable(argv[i], enable);
        }
        return ret;
}

int verb_enable(const Args *a, int argc, char **argv)
{
        return enable_verb(a, argc, argv, true);
}

int verb_disable(const Args *a, int argc, char **argv)
{
        return enable_verb(a, argc, argv, false);
}

/* autostart: every listed machine, in order, each followed by its delay. */
int verb_autostart(const Args *a, int argc, char **argv)
{
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ Entry *l = NULL;
        size_t n;
        int ret = 0;
        autostart_path(path);
        if (read_list(path, &text, &l, &n) < 0)
                return 0;
        for (size_t i = 0; i < n; i++) {
                char *args[] = {(char *)"start", l[i].name, NULL};
                if (verb_start(a, 2, args) != 0) {
                        ret = 1;
                        continue; /* one broken machine does not keep the others down */
                }
                if (l[i].delay > 0 && i + 1 < n)
                        sleep(l[i].delay);
        }
        return ret;
}

/* autostop: the listed machines that run, all at once, each powered off and waited for
 * (at most 60 s, then terminated and waited for again, at most 10 s). */
#define AUTOSTOP_TIMEOUT_SEC 60
int verb_autostop(const Args *a, int argc, char **argv)
{
        char path[PATH_MAX];
        _cleanup_free_ char *text = NULL;
        _cleanup_free_ Entry *l = NULL;
        size_t n;
        autostart_path(path);
        if (read_list(path, &text, &l, &n) < 0)
                return 0;
        /* All at once, each in a process of its own: the host's shutdown waits for the slowest
         * machine, not for the sum of them. */
        for (size_t i = n; i-- > 0;) {
                MachineRecord m;
                if (registry_read(a->dir, l[i].name, &m) < 0)
                        continue;
                pid_t pid = fork();
                if (pid < 0)
                        fprintf(stderr, "Cannot stop machine '%s': fork() failed: %m\n", l[i].name);
                if (pid != 0)
                        continue;
                char *args[] = {(char *)"poweroff", l[i].name, NULL};
                (void)verb_poweroff(a, 2, args);
                if (!registry_wait_gone(&m, AUTOSTOP_TIMEOUT_SEC)) {
                        fprintf(stderr, "Machine '%s' did not power off within %d s: terminating it.\n", l[i].name, AUTOSTOP_TIMEOUT_SEC);
                        args[0] = (char *)"terminate";
                        (void)verb_terminate(a, 2, args);
                        /* The host's shutdown goes on when this returns: the supervisor's
                         * clean-up (record, links, cgroups) is part of the stop. */
                        (void)registry_wait_gone(&m, 10);
                }
                _exit(0);
        }
        while (wait(NULL) > 0 || errno == EINTR)
                ;
        return 0;
}
