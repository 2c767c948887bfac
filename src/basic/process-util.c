/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "macro.h"
#include "process-util.h"

void signals_reset_all(void)
{
        sigset_t none;
        struct sigaction dfl = {.sa_handler = SIG_DFL};
        for (int sig = 1; sig < _NSIG; sig++)
                if (sig != SIGKILL && sig != SIGSTOP)
                        (void)sigaction(sig, &dfl, NULL);
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, NULL);
}

bool pid_namespace_differs(pid_t pid, const char *ns)
{
        char a[64], b[64];
        struct stat sa, sb;
        snprintf(a, sizeof(a), "/proc/%d/ns/%s", (int)pid, ns);
        snprintf(b, sizeof(b), "/proc/self/ns/%s", ns);
        if (stat(a, &sa) < 0 || stat(b, &sb) < 0)
                return false;
        return sa.st_ino != sb.st_ino || sa.st_dev != sb.st_dev;
}

ssize_t notify_receive(int fd, char *buf, size_t size, pid_t *ret_sender)
{
        union {
                struct cmsghdr h;
                char space[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(int) * 16)];
        } control;
        struct iovec iov = {.iov_base = buf, .iov_len = size - 1};
        struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control)};
        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC | MSG_TRUNC);
        if (n < 0)
                return errno == EAGAIN || errno == EINTR ? -EAGAIN : negative_errno();
        const struct ucred *cred = NULL;
        for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len == CMSG_LEN(sizeof(struct ucred)))
                        cred = (const struct ucred *)(void *)CMSG_DATA(c);
                else if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
                        for (int *f = (int *)(void *)CMSG_DATA(c); (char *)f < (char *)c + c->cmsg_len; f++)
                                close(*f); /* fd stores are not kept */
        }
        if (!cred || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || (size_t)n >= size)
                return -EBADMSG;
        buf[n] = 0;
        *ret_sender = cred->pid;
        return n;
}
