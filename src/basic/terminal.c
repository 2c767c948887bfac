/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "macro.h"
#include "terminal.h"

int write_all(int fd, const void *buf, size_t n)
{
        const char *p = buf;
        while (n > 0) {
                ssize_t k = write(fd, p, n);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN) {
                                struct pollfd pf = {.fd = fd, .events = POLLOUT};
                                poll(&pf, 1, -1);
                                continue;
                        }
                        return negative_errno();
                }
                p += k;
                n -= (size_t)k;
        }
        return 0;
}

int send_all(int fd, const void *p, size_t n)
{
        const char *c = p;
        while (n > 0) {
                ssize_t k = send(fd, c, n, MSG_NOSIGNAL);
                if (k < 0 && errno == EINTR)
                        continue;
                if (k < 0)
                        return negative_errno();
                c += k;
                n -= (size_t)k;
        }
        return 0;
}

static double seconds_between(const struct timespec *a, const struct timespec *b)
{
        return (double)(b->tv_sec - a->tv_sec) + (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

bool escape_seen(EscapeDetector *d, const char *buf, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                if (buf[i] != 0x1d)
                        continue;
                struct timespec now;
                clock_gettime(CLOCK_MONOTONIC, &now);
                memmove(&d->when[0], &d->when[1], sizeof(d->when[0]) * 2);
                d->when[2] = now;
                if (d->n < 3)
                        d->n++;
                if (d->n == 3 && seconds_between(&d->when[0], &now) <= 1.0)
                        return true;
        }
        return false;
}

void terminal_make_raw(RawTerminal *t, int fd)
{
        struct termios raw;
        t->fd = fd;
        t->raw = false;
        if (!isatty(fd) || tcgetattr(fd, &t->saved) < 0)
                return;
        raw = t->saved;
        cfmakeraw(&raw);
        raw.c_oflag = t->saved.c_oflag;
        if (tcsetattr(fd, TCSANOW, &raw) == 0)
                t->raw = true;
}

void terminal_restore(RawTerminal *t)
{
        if (t->raw)
                tcsetattr(t->fd, TCSANOW, &t->saved);
        t->raw = false;
}
