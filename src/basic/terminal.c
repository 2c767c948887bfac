/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
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

int send_with_fd(int sock, const void *p, size_t n, int fd)
{
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(int))];
        } control = {0};
        struct iovec iov = {.iov_base = (void *)p, .iov_len = n};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
        if (fd >= 0) {
                mh.msg_control = &control;
                mh.msg_controllen = sizeof(control);
                struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
                c->cmsg_level = SOL_SOCKET;
                c->cmsg_type = SCM_RIGHTS;
                c->cmsg_len = CMSG_LEN(sizeof(int));
                memcpy(CMSG_DATA(c), &fd, sizeof(int));
        }
        return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? negative_errno() : 0;
}

int unix_socket_address(const char *path, struct sockaddr_un *ret, int *ret_dirfd)
{
        *ret = (struct sockaddr_un){.sun_family = AF_UNIX};
        *ret_dirfd = -1;
        if (strlen(path) < sizeof(ret->sun_path)) {
                strcpy(ret->sun_path, path);
                return 0;
        }
        char *dir = strdup(path);
        char *slash = dir ? strrchr(dir, '/') : NULL;
        if (!slash) {
                free(dir);
                return dir ? -ENAMETOOLONG : -ENOMEM;
        }
        *slash = 0;
        int fd = open(*dir ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
        int r = fd < 0 ? negative_errno() : 0;
        if (fd >= 0 && (size_t)snprintf(ret->sun_path, sizeof(ret->sun_path), "/proc/self/fd/%d/%s", fd, slash + 1) >= sizeof(ret->sun_path)) {
                close(fd);
                r = -ENAMETOOLONG;
        }
        free(dir);
        if (r < 0)
                return r;
        *ret_dirfd = fd;
        return 0;
}

int unix_socket_connect(const char *path, int type)
{
        struct sockaddr_un sa;
        int dirfd = -1, r;
        int fd = socket(AF_UNIX, type | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return -errno;
        r = unix_socket_address(path, &sa, &dirfd);
        if (r >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
                r = -errno;
        if (dirfd >= 0)
                close(dirfd);
        if (r < 0) {
                close(fd);
                return r;
        }
        return fd;
}

int pty_open(int flags, int *ret_peer, PtyStep *ret_step)
{
        struct stat st;
        int unlock = 0, r;
        *ret_step = PTY_OPEN;
        int master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC | O_NOFOLLOW | flags);
        if (master < 0)
                return negative_errno();
        *ret_step = PTY_CHECK;
        if (fstat(master, &st) < 0 || !S_ISCHR(st.st_mode) || major(st.st_rdev) != 5 || minor(st.st_rdev) != 2) {
                close(master);
                return -EPERM;
        }
        *ret_step = PTY_UNLOCK;
        if (ioctl(master, TIOCSPTLCK, &unlock) < 0) {
                r = negative_errno();
                close(master);
                return r;
        }
        *ret_step = PTY_PEER;
        int peer = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
        if (peer < 0) {
                r = negative_errno();
                close(master);
                return r;
        }
        *ret_peer = peer;
        return master;
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
