/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hooks of an OCI config: each program run with the container's state on its stdin, its
 * output kept for the error, bounded by its timeout. */
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>

#include "fs-util.h"
#include "macro.h"
#include "oci-hooks.h"

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int run_one(const OciHook *h, OciHookKind kind, size_t index, const char *state, Error *e)
{
        int in[2], out[2];
        char output[2048];
        size_t n_output = 0;
        /* stdin is a socket: a hook that exits without reading is no SIGPIPE for us. */
        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) < 0)
                return error_set_errno(e, negative_errno(), "cannot create a socket for a hook");
        if (pipe2(out, O_CLOEXEC) < 0) {
                int r = negative_errno();
                close(in[0]);
                close(in[1]);
                return error_set_errno(e, r, "cannot create a pipe for a hook");
        }
        pid_t pid = fork();
        if (pid < 0) {
                int r = negative_errno();
                close(in[0]);
                close(in[1]);
                close(out[0]);
                close(out[1]);
                return error_set_errno(e, r, "cannot fork a hook");
        }
        if (pid == 0) {
                char *const fallback[] = {h->path, NULL};
                char *const empty[] = {NULL};
                if (dup2(in[0], STDIN_FILENO) < 0 || dup2(out[1], STDOUT_FILENO) < 0 || dup2(out[1], STDERR_FILENO) < 0)
                        _exit(127);
                sigset_t all;
                sigemptyset(&all);
                sigprocmask(SIG_SETMASK, &all, NULL);
                execve(h->path, h->args && h->args[0] ? h->args : fallback, h->env ? h->env : empty);
                dprintf(STDERR_FILENO, "cannot execute %s: %s", h->path, strerror(errno));
                _exit(127);
        }
        close(in[0]);
        close(out[1]);
        (void)shutdown(in[1], SHUT_RD);
        /* The state, then EOF.  A hook that does not read it is no error. */
        (void)!send(in[1], state, strlen(state), MSG_NOSIGNAL);
        close(in[1]);

        int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
        int64_t deadline = h->timeout.set ? now_ms() + (int64_t)h->timeout.value * 1000 : -1;
        bool timed_out = false, eof = false;
        for (;;) {
                struct pollfd p[2] = {{.fd = out[0], .events = eof ? 0 : POLLIN}, {.fd = pidfd, .events = POLLIN}};
                int wait = deadline < 0 ? -1 : (int)MAX(deadline - now_ms(), 0);
                int k = poll(p, 2, wait);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k == 0) {
                        timed_out = true;
                        kill(pid, SIGKILL);
                        break;
                }
                if (!eof && (p[0].revents & (POLLIN | POLLHUP))) {
                        char buf[512];
                        ssize_t got = read(out[0], buf, sizeof(buf));
                        if (got <= 0)
                                eof = true;
                        else
                                for (ssize_t i = 0; i < got && n_output < sizeof(output) - 1; i++)
                                        output[n_output++] = buf[i];
                }
                if (p[1].revents & POLLIN)
                        break;
        }
        close(out[0]);
        if (pidfd >= 0)
                close(pidfd);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        output[n_output] = 0;
        while (n_output > 0 && (output[n_output - 1] == '\n' || output[n_output - 1] == ' '))
                output[--n_output] = 0;
        const char *name = oci_hook_kind_to_string(kind);
        if (timed_out)
                return error_set(e, -ETIMEDOUT, "the %s hook %zu (%s) did not finish within its timeout of %d s", name, index, h->path,
                                 h->timeout.value);
        if (WIFSIGNALED(status))
                return error_set(e, -ECHILD, "the %s hook %zu (%s) was killed by signal %d%s%s", name, index, h->path, WTERMSIG(status),
                                 n_output ? ": " : "", output);
        if (WEXITSTATUS(status) != 0)
                return error_set(e, -ECHILD, "the %s hook %zu (%s) failed with exit status %d%s%s", name, index, h->path, WEXITSTATUS(status),
                                 n_output ? ": " : "", output);
        return 0;
}

int oci_hooks_run(const OciConfig *c, OciHookKind kind, const char *state, Error *e)
{
        for (size_t i = 0; i < c->hooks[kind].n; i++) {
                int r = run_one(&c->hooks[kind].hooks[i], kind, i, state, e);
                if (r < 0)
                        return r;
        }
        return 0;
}
