/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shell and login: a process in a running machine, started from outside with the payload's
 * namespaces, cgroup and security context, so it works for any init and needs no D-Bus or
 * agent in the guest. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "corralctl.h"
#include "enter.h"

static int session(const Args *a, const MachineRecord *m, const EnterOptions *o)
{
        Error e = {0};
        pid_t pid;
        int master = -1;
        if (machine_enter(a->dir, m, o, &pid, o->pty ? &master : NULL, &e) < 0) {
                fprintf(stderr, "Failed to start a session in machine '%s': %s\n", m->name, e.msg);
                return 1;
        }
        int status = 0, rc = 0;
        if (o->pty) {
                int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
                if (!a->quiet && streq(m->name, ENTER_HOST))
                        fprintf(stderr, "Connected to the local host. Press ^] three times within 1s to exit session.\n");
                else if (!a->quiet)
                        fprintf(stderr, "Connected to machine %s. Press ^] three times within 1s to exit session.\n", m->name);
                int end = relay_run(master, false, pidfd);
                close(master);
                if (pidfd >= 0)
                        close(pidfd);
                if (!a->quiet && streq(m->name, ENTER_HOST))
                        fprintf(stderr, "\nConnection to the local host terminated.\n");
                else if (!a->quiet)
                        fprintf(stderr, "\nConnection to machine %s terminated.\n", m->name);
                if (end == RELAY_ESCAPED)
                        return 0; /* the pty's hangup ends the session; no need to wait for it */
        }
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 1;
        rc = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
        return rc;
}

/* shell [[USER@]NAME [COMMAND...]]: the command's exit status is ours. */
int verb_shell(const Args *a, int argc, char **argv)
{
        MachineRecord m;
        /* No name, or ".host" (as machinectl): a shell on the host itself. */
        char *spec = argc > 1 ? argv[1] : (char *)"", *at = strrchr(spec, '@');
        const char *user = a->uid;
        if (at) {
                *at = 0;
                if (*spec && a->uid && !streq(spec, a->uid)) {
                        fprintf(stderr, "Conflicting users: %s@ and --uid=%s.\n", spec, a->uid);
                        return 1;
                }
                if (*spec)
                        user = spec;
                spec = at + 1;
        }
        if (!*spec || streq(spec, ENTER_HOST))
                machine_record_host(&m);
        else if (find_machine(a, spec, &m) < 0)
                return 1;
        /* A terminal gets a pty of the machine's own, as machinectl gives; a pipe or a file
         * is passed straight through, so scripts get their bytes unchanged. */
        bool tty = isatty(STDIN_FILENO) && isatty(STDOUT_FILENO);
        EnterOptions o = {
                .user = user,
                .argv = argc > 2 ? argv + 2 : NULL,
                .setenv = a->setenv,
                .term = tty ? getenv("TERM") : NULL,
                .pty = tty,
        };
        return session(a, &m, &o);
}

/* login NAME: a login prompt on a new pty of the machine. */
int verb_login(const Args *a, int argc, char **argv)
{
        MachineRecord m;
        if (argc < 2 || streq(argv[1], ENTER_HOST))
                machine_record_host(&m);
        else if (find_machine(a, argv[1], &m) < 0)
                return 1;
        const char *term = getenv("TERM");
        EnterOptions o = {.term = term && *term ? term : "vt220", .pty = true, .login = true};
        return session(a, &m, &o);
}
