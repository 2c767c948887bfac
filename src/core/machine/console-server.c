/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The console socket of a machine's supervisor (see console-server.h). */
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console-server.h"
#include "fs-util.h"
#include "macro.h"
#include "registry.h"
#include "terminal.h"

int console_server_open(ConsoleServer *s, const char *dir, const char *name, int master)
{
        struct sockaddr_un sa = {.sun_family = AF_UNIX};
        if ((size_t)snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/%s/console", dir, name) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        char dir_name[sizeof(sa.sun_path)];
        snprintf(dir_name, sizeof(dir_name), "%s/%s", dir, name);
        if (mkdir_p(dir_name, 0755) < 0)
                return negative_errno();
        int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
        if (fd < 0)
                return negative_errno();
        (void)unlink(sa.sun_path);
        /* Only root may attach: the socket is made 0600 before anyone can connect. */
        mode_t old = umask(0177);
        int r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
        umask(old);
        if (r < 0 || listen(fd, CONSOLE_MAX_CLIENTS) < 0) {
                r = negative_errno();
                close(fd);
                return r;
        }
        s->listen_fd = fd;
        s->master = master;
        return 0;
}

size_t console_server_fds(const ConsoleServer *s, struct pollfd *p)
{
        size_t n = 0;
        if (s->listen_fd < 0)
                return 0;
        p[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
        for (size_t i = 0; i < CONSOLE_MAX_CLIENTS; i++)
                p[n++] = (struct pollfd){.fd = s->clients[i], .events = POLLIN};
        return n;
}

static void client_message(ConsoleServer *s, size_t i)
{
        char buf[4097];
        ssize_t n = recv(s->clients[i], buf, sizeof(buf), MSG_DONTWAIT);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return;
        if (n <= 0) {
                closep(&s->clients[i]);
                return;
        }
        if (buf[0] == CONSOLE_MSG_DATA && n > 1)
                (void)write_all(s->master, buf + 1, (size_t)n - 1);
        else if (buf[0] == CONSOLE_MSG_WINSIZE && (size_t)n == 1 + sizeof(struct winsize)) {
                struct winsize ws;
                memcpy(&ws, buf + 1, sizeof(ws));
                (void)ioctl(s->master, TIOCSWINSZ, &ws);
        }
}

void console_server_handle(ConsoleServer *s, const struct pollfd *p, size_t n)
{
        if (n == 0)
                return;
        for (size_t i = 0; i < CONSOLE_MAX_CLIENTS && i + 1 < n; i++)
                if (p[i + 1].revents & (POLLIN | POLLHUP | POLLERR))
                        client_message(s, i);
        if (p[0].revents & POLLIN) {
                int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
                if (fd < 0)
                        return;
                for (size_t i = 0; i < CONSOLE_MAX_CLIENTS; i++)
                        if (s->clients[i] < 0) {
                                s->clients[i] = fd;
                                return;
                        }
                static const char busy[] = "corral: too many clients on this console already\r\n";
                (void)send(fd, busy, sizeof(busy) - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
                close(fd);
        }
}

void console_server_send(ConsoleServer *s, const char *buf, size_t n)
{
        for (size_t i = 0; i < CONSOLE_MAX_CLIENTS; i++)
                if (s->clients[i] >= 0 && send(s->clients[i], buf, n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 && errno != EAGAIN)
                        closep(&s->clients[i]);
}

void console_server_close(ConsoleServer *s)
{
        closep(&s->listen_fd);
        for (size_t i = 0; i < CONSOLE_MAX_CLIENTS; i++)
                closep(&s->clients[i]);
}
