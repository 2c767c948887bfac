/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* shell and login: a process in a running machine, started from outside with the payload's
 * namespaces, cgroup and security context, so it works for any init and needs no D-Bus or
 * agent in the guest. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "capability.h"
#include "corralctl.h"
#include "credentials.h"
#include "enter.h"

/* The exit status of child pid once it ends; 1 where it was killed. */
static int exit_status_of(pid_t pid)
{
        int status;
        while (waitpid(pid, &status, 0) < 0)
                if (errno != EINTR)
                        return 1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}

static int session(const Args *a, const MachineRecord *m, const EnterOptions *o)
{
        Error e = {0};
        pid_t pid;
        int master = -1;
        if (machine_enter(a->dir, m, o, &pid, o->pty ? &master : NULL, &e) < 0) {
                fprintf(stderr, "Failed to start a session in machine '%s': %s\n", m->name, e.msg);
                return 1;
        }
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
        return exit_status_of(pid);
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

/* -M USER@.host: the verb runs here in a child that became USER, with USER's rights. */
static int as_host_user(const char *user)
{
        pid_t pid = fork();
        if (pid < 0) {
                fprintf(stderr, "Failed to fork: %m\n");
                return 1;
        }
        if (pid == 0) {
                User u = {0};
                CredentialStep step;
                CapabilitySets caps_root, caps_user;
                int r = user_lookup(user, &u);
                if (r < 0) {
                        fprintf(stderr, r == -ESRCH ? "No user '%s' on the host.\n" : "Cannot look up user '%s' in /etc/passwd.\n", user);
                        _exit(1);
                }
                capability_sets_nspawn(CAP_SET_ALL, 0, false, &caps_root, &caps_user);
                if ((r = credentials_apply(&u, true, &caps_root, &caps_user, false, &step)) < 0) {
                        fprintf(stderr, "Cannot become user '%s': %s\n", user, strerror(-r));
                        _exit(1);
                }
                if (u.home)
                        setenv("HOME", u.home, 1);
                setenv("USER", u.name ? u.name : user, 1);
                setenv("LOGNAME", u.name ? u.name : user, 1);
                user_done(&u);
                return -1;
        }
        return exit_status_of(pid);
}

int run_with_machine_option(const Args *a, const char *spec, char **argv)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy) {
                fprintf(stderr, "Out of memory.\n");
                return 1;
        }
        char *name = copy, *at = strrchr(copy, '@');
        const char *user = NULL;
        if (at) {
                *at = 0;
                user = *copy ? copy : NULL;
                name = at + 1;
        }
        /* "root@" alone is root on the host; root is who corralctl runs as already. */
        if (!*name)
                name = (char *)ENTER_HOST;
        if (user && (streq(user, "root") || streq(user, "0")))
                user = NULL;
        if (streq(name, ENTER_HOST))
                return user ? as_host_user(user) : -1;

        MachineRecord m;
        if (find_machine(a, name, &m) < 0)
                return 1;
        /* The machine's own corralctl, on its own registry, as machinectl -M talks to the
         * machined in the machine. */
        char *program = argv[0];
        argv[0] = (char *)"corralctl";
        EnterOptions o = {.user = user, .argv = argv};
        Error e = {0};
        pid_t pid;
        int r = machine_enter(a->dir, &m, &o, &pid, NULL, &e);
        argv[0] = program;
        if (r < 0) {
                fprintf(stderr, "Failed to run corralctl in machine '%s': %s\n", name, e.msg);
                if (e.code == -ENOENT)
                        fprintf(stderr, "-M runs the machine's own corralctl on the machines in it: install corral in the machine.\n");
                return 1;
        }
        return exit_status_of(pid);
}
