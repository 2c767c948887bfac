/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* corral-probe fuse DIR: mounts a tiny FUSE file system (an empty root directory) at DIR,
 * serving the kernel's requests on /dev/fuse itself, stats the mount point from a child, and
 * unmounts.  Prints "fuse: mounted, root mode 40755" or what failed.  Test equipment: shows
 * that FUSE works in a container without a FUSE library in the tree. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fuse.h"

static void reply(int fd, uint64_t unique, int error, const void *body, size_t n)
{
        char buf[sizeof(struct fuse_out_header) + 256];
        struct fuse_out_header h = {.len = (uint32_t)(sizeof(h) + (error ? 0 : n)), .error = error, .unique = unique};
        memcpy(buf, &h, sizeof(h));
        if (!error && n)
                memcpy(buf + sizeof(h), body, n);
        if (write(fd, buf, h.len) < 0)
                perror("fuse: reply");
}

int probe_fuse(const char *dir)
{
        int fd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
        if (fd < 0) {
                printf("fuse: cannot open /dev/fuse: %s\n", strerror(errno));
                return 1;
        }
        char opts[128];
        snprintf(opts, sizeof(opts), "fd=%d,rootmode=40000,user_id=0,group_id=0", fd);
        if (mount("corral-probe", dir, "fuse", MS_NOSUID | MS_NODEV, opts) < 0) {
                printf("fuse: cannot mount: %s\n", strerror(errno));
                return 1;
        }
        pid_t pid = fork();
        if (pid == 0) {
                struct stat st;
                if (stat(dir, &st) < 0) {
                        printf("fuse: stat of the mount point failed: %s\n", strerror(errno));
                        _exit(1);
                }
                printf("fuse: mounted, root mode %o\n", st.st_mode);
                fflush(stdout);
                _exit(0);
        }
        static char buf[FUSE_MIN_READ_BUFFER + 4096];
        int status = -1;
        for (;;) {
                if (status < 0 && waitpid(pid, &status, WNOHANG) == pid)
                        umount2(dir, MNT_DETACH); /* the server's read then ends with ENODEV */
                struct pollfd p = {.fd = fd, .events = POLLIN};
                if (poll(&p, 1, 100) <= 0)
                        continue;
                ssize_t n = read(fd, buf, sizeof(buf));
                if (n < 0 && errno == ENODEV)
                        break;
                if (n < (ssize_t)sizeof(struct fuse_in_header))
                        continue;
                struct fuse_in_header *in = (struct fuse_in_header *)buf;
                if (in->opcode == FUSE_INIT) {
                        struct fuse_init_in *ii = (struct fuse_init_in *)(in + 1);
                        struct fuse_init_out o = {.major = FUSE_KERNEL_VERSION,
                                                  .minor = FUSE_KERNEL_MINOR_VERSION,
                                                  .max_readahead = ii->max_readahead,
                                                  .max_write = 4096};
                        reply(fd, in->unique, 0, &o, sizeof(o));
                } else if (in->opcode == FUSE_GETATTR) {
                        struct fuse_attr_out o = {.attr_valid = 1, .attr = {.ino = 1, .mode = S_IFDIR | 0755, .nlink = 2}};
                        reply(fd, in->unique, 0, &o, sizeof(o));
                } else if (in->opcode != FUSE_FORGET && in->opcode != FUSE_BATCH_FORGET)
                        reply(fd, in->unique, -ENOSYS, NULL, 0);
        }
        if (status < 0)
                waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
