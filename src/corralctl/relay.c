/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The user's terminal joined to a session in a machine: a pty's master (shell, login) or a
 * supervisor's console socket (console).  ^] three times within a second leaves. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "corralctl.h"
#include "terminal.h"

static void send_winsize(int remote, bool framed)
{
        struct winsize ws;
        if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0 && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) < 0)
                return;
        if (!framed) {
                (void)ioctl(remote, TIOCSWINSZ, &ws);
                return;
        }
        char msg[1 + sizeof(ws)] = {CONSOLE_MSG_WINSIZE};
        memcpy(msg + 1, &ws, sizeof(ws));
        (void)send(remote, msg, sizeof(msg), MSG_NOSIGNAL);
}

/* Whatever the remote still has, once the session is over. */
static void drain(int remote)
{
        char buf[16384];
        for (;;) {
                struct pollfd p = {.fd = remote, .events = POLLIN};
                if (poll(&p, 1, 100) <= 0)
                        return;
                ssize_t n = read(remote, buf, sizeof(buf));
                if (n <= 0)
                        return;
                (void)write_all(STDOUT_FILENO, buf, (size_t)n);
        }
}

int relay_run(int remote, bool framed, int pidfd)
{
        RawTerminal term;
        EscapeDetector esc = {0};
        sigset_t mask, old;
        bool stdin_open = true;
        int r = RELAY_ENDED;
        char buf[16384 + 1];

        sigemptyset(&mask);
        sigaddset(&mask, SIGWINCH);
        sigprocmask(SIG_BLOCK, &mask, &old);
        int sigfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
        terminal_make_raw(&term, STDIN_FILENO);
        send_winsize(remote, framed);
        for (;;) {
                struct pollfd p[4] = {
                        {.fd = remote, .events = POLLIN},
                        {.fd = stdin_open ? STDIN_FILENO : -1, .events = POLLIN},
                        {.fd = sigfd, .events = POLLIN},
                        {.fd = pidfd, .events = POLLIN},
                };
                if (poll(p, 4, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        break;
                }
                if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
                        ssize_t n = read(remote, buf, sizeof(buf));
                        if (n <= 0 && !(n < 0 && (errno == EINTR || errno == EAGAIN)))
                                break; /* the session closed the pty, or the supervisor went */
                        if (n > 0)
                                (void)write_all(STDOUT_FILENO, buf, (size_t)n);
                }
                if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
                        char *data = framed ? buf + 1 : buf;
                        ssize_t n = read(STDIN_FILENO, data, sizeof(buf) - 1);
                        if (n <= 0 && !(n < 0 && errno == EINTR))
                                stdin_open = false;
                        else if (n > 0) {
                                if (escape_seen(&esc, data, (size_t)n)) {
                                        r = RELAY_ESCAPED;
                                        break;
                                }
                                if (framed) {
                                        buf[0] = CONSOLE_MSG_DATA;
                                        (void)send(remote, buf, (size_t)n + 1, MSG_NOSIGNAL);
                                } else
                                        (void)write_all(remote, data, (size_t)n);
                        }
                }
                if (p[2].revents & POLLIN) {
                        struct signalfd_siginfo si;
                        while (read(sigfd, &si, sizeof(si)) == sizeof(si))
                                ;
                        send_winsize(remote, framed);
                }
                if (p[3].revents & POLLIN) {
                        /* The session ended; what it wrote last may still be in the pty. */
                        drain(remote);
                        break;
                }
        }
        terminal_restore(&term);
        if (sigfd >= 0)
                close(sigfd);
        sigprocmask(SIG_SETMASK, &old, NULL);
        return r;
}
