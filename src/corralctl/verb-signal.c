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

#include "cgroup.h"
#include "corralctl.h"

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
                (void)cgroup_signal_tree(dir, sig, m->leader);
        return 0;
}

/* Whether pid has sig in its mask field ("SigCgt:", "SigIgn:") of /proc/PID/status. */
static bool status_mask_has(pid_t pid, const char *field, int sig)
{
        char path[64], line[256];
        snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
        _cleanup_fclose_ FILE *f = fopen(path, "re");
        unsigned long long mask = 0;
        while (f && fgets(line, sizeof(line), f))
                if (startswith(line, field) && sscanf(line + strlen(field), " %llx", &mask) == 1)
                        break;
        return sig > 0 && sig <= 64 && (mask >> (sig - 1)) & 1;
}

/* Whether pid takes sig: it has a handler for it, or blocks it to read it from a signalfd
 * (systemd).  The init of a PID namespace drops a signal from outside that it neither catches
 * nor blocks.  (One waiting in sigtimedwait(), as busybox init does, shows neither.) */
static bool catches(pid_t pid, int sig)
{
        return status_mask_has(pid, "SigCgt:", sig) || status_mask_has(pid, "SigBlk:", sig);
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
                if (registry_wait_gone(m, TERMINATE_TIMEOUT_SEC))
                        return 0;
        }
        return send_signal(m, SIGKILL, true); /* the PID namespace ends with its init */
}

/* poweroff and reboot right after a start: systemd (or an init corral does not know) that has
 * not set up its handler yet would drop the signal, so it is held back until the init takes
 * it, up to START_GRACE_SEC, and the user is told; then it is sent anyway.  (busybox init,
 * whose power-off signal is SIGUSR2, waits for its signals in sigtimedwait() from its first
 * instruction on, which /proc does not show.)  0: send it now; 1: the machine ended meanwhile;
 * -1: its init ignores it (said so). */
#define START_GRACE_SEC 30
static int wait_until_caught(const MachineRecord *m, int sig, const char *what)
{
        char b[16];
        if (!m->boot || sig == SIGKILL || m->poweroff_signal != SIGRTMIN + 4 || catches(m->leader, sig))
                return 0;
        if (status_mask_has(m->leader, "SigIgn:", sig)) {
                fprintf(stderr,
                        "Could not %s machine '%s': its init ignores %s (use terminate, or --poweroff-signal= for an init that wants another signal).\n",
                        what, m->name, signal_to_string(sig, b));
                return -1;
        }
        fprintf(stderr, "Machine '%s' is still starting: its init does not take %s yet; the %s waits for it.\n", m->name, signal_to_string(sig, b),
                what);
        for (int i = 0; i < START_GRACE_SEC * 10; i++) {
                usleep(100 * 1000);
                if (!registry_alive(m))
                        return 1;
                if (catches(m->leader, sig)) {
                        fprintf(stderr, "Sent after %.1f s.\n", (i + 1) / 10.0);
                        return 0;
                }
        }
        fprintf(stderr,
                "Its init shows no handler for %s after %d s: sent anyway (if it stays up: terminate, or --poweroff-signal= for an init that wants another signal).\n",
                signal_to_string(sig, b), START_GRACE_SEC);
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
                if (!streq(what, "kill") && (r = wait_until_caught(&m, sig, what)) != 0) {
                        ret |= r < 0;
                        continue;
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
