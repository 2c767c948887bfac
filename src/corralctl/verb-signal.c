/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* poweroff, reboot, terminate and kill: signals to a machine, by pidfd. */
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
        /* By pidfd: no PID reuse in between. */
        int fd = registry_pin_leader(m), r = 0;
        if (fd < 0)
                return fd;
        if (syscall(SYS_pidfd_send_signal, fd, sig, NULL, 0) < 0)
                r = -errno;
        close(fd);
        if (r < 0 || leader_only)
                return r;
        /* Every other process of the machine: its cgroup, subgroups included. */
        _cleanup_close_ int cgfd = -1;
        _cleanup_free_ char *dir = machine_cgroup_dir(m, &cgfd);
        if (dir)
                kill_cgroup_tree(dir, sig, m->leader);
        return 0;
}

/* Whether pid has a handler for sig (SigCgt in /proc/PID/status): a PID namespace's init
 * ignores a signal from outside that it does not catch. */
static bool catches(pid_t pid, int sig)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        unsigned long long mask = 0;
        while (f && fgets(line, sizeof(line), f))
                if (sscanf(line, "SigCgt: %llx", &mask) == 1)
                        break;
        return sig > 0 && sig <= 64 && (mask >> (sig - 1)) & 1;
}

/* terminate, as machined stopping the machine's unit: the kill signal first (a systemd guest
 * shuts down), SIGKILL after TERMINATE_TIMEOUT_SEC (systemd's default stop timeout) or at
 * once where the init does not catch the kill signal. */
#define TERMINATE_TIMEOUT_SEC 90
static int terminate(const MachineRecord *m)
{
        int sig = m->kill_signal > 0 ? m->kill_signal : SIGKILL;
        if (sig != SIGKILL && catches(m->leader, sig)) {
                int r = send_signal(m, sig, true);
                if (r < 0)
                        return r;
                for (int i = 0; i < TERMINATE_TIMEOUT_SEC * 10 && registry_alive(m); i++)
                        usleep(100 * 1000);
                if (!registry_alive(m))
                        return 0;
        }
        return send_signal(m, SIGKILL, true); /* the PID namespace ends with its init */
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
                if (find_machine(a, argv[i], &m) < 0) {
                        ret = 1;
                        continue;
                }
                if (streq(what, "poweroff"))
                        sig = m.poweroff_signal; /* by the machine's init, or its --poweroff-signal= */
                else if (streq(what, "reboot")) {
                        if (!m.boot) {
                                fprintf(stderr, "Could not reboot machine '%s': it was not started with --boot (no init to reboot it)\n", m.name);
                                ret = 1;
                                continue;
                        }
                        sig = SIGINT;
                } else if (streq(what, "terminate")) {
                        if ((r = terminate(&m)) < 0 && r != -ESRCH) {
                                fprintf(stderr, "Could not terminate machine '%s': %s\n", m.name, strerror(-r));
                                ret = 1;
                        }
                        continue;
                } else {
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

int verb_poweroff(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "poweroff");
}

int verb_reboot(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "reboot");
}

int verb_terminate(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "terminate");
}

int verb_kill(const Args *a, int argc, char **argv)
{
        return signal_verb(a, argc, argv, "kill");
}
