/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* bind into a running machine (see machine-bind.h). */
#include <fcntl.h>
#include <linux/mount.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fs-util.h"
#include "machine-bind.h"
#include "process-util.h"

/* The mount to move in: the host's path, cloned, read-only and idmapped as asked. */
static int prepare_source(const MachineRecord *m, const char *host_path, bool read_only, Error *e)
{
        char path[64];
        _cleanup_close_ int fd = mount_clone(AT_FDCWD, host_path, AT_RECURSIVE);
        if (fd < 0)
                return error_set_errno(e, fd, "cannot clone the mount of %s", host_path);
        struct mount_attr attr = {.attr_set = read_only ? MOUNT_ATTR_RDONLY : 0};
        snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)m->leader);
        _cleanup_close_ int userns = -1;
        if (pid_namespace_differs(m->leader, "user")) {
                if ((userns = open(path, O_RDONLY | O_CLOEXEC)) < 0)
                        return error_set_errno(e, negative_errno(), "cannot open the user namespace of machine %s", m->name);
                attr.attr_set |= MOUNT_ATTR_IDMAP;
                attr.userns_fd = (uint64_t)userns;
        }
        if (attr.attr_set && syscall(SYS_mount_setattr, fd, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof(attr)) < 0) {
                int r = negative_errno();
                if (userns >= 0)
                        return error_set_errno(e, r,
                                               "cannot idmap %s to machine %s's user namespace (the file system of %s must support idmapped mounts)",
                                               host_path, m->name, host_path);
                return error_set_errno(e, r, "cannot make the mount of %s read-only", host_path);
        }
        return TAKE_FD(fd);
}

/* In the machine's mount namespace (a child of ours): the target, then the move. */
_noreturn_ static void attach(int pidfd, int src, bool is_dir, const char *target, bool mkdir, int report)
{
        int root, t, r;
        prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
        if (setns(pidfd, CLONE_NEWNS) < 0) {
                r = negative_errno();
                goto fail;
        }
        root = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC); /* the child ends with _exit() */
        t = mkdir ? make_mount_point_in_root(root, target, is_dir) : open_in_root(root, target, O_PATH, 0);
        if (t < 0) {
                r = t;
                goto fail;
        }
        struct stat st;
        if (fstat(t, &st) < 0 || S_ISDIR(st.st_mode) != is_dir) {
                r = is_dir ? -ENOTDIR : -EISDIR;
                goto fail;
        }
        if (syscall(SYS_move_mount, src, "", t, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) < 0) {
                r = negative_errno();
                goto fail;
        }
        _exit(0);
fail:
        (void)!write(report, &r, sizeof(r));
        _exit(1);
}

int machine_bind(const MachineRecord *m, const char *host_path, const char *machine_path, bool read_only, bool mkdir, Error *e)
{
        struct stat st;
        int report[2], r = 0;
        if (!path_is_absolute(machine_path))
                return error_set(e, -EINVAL, "%s: the path in the machine must be absolute", machine_path);
        if (stat(host_path, &st) < 0)
                return error_set_errno(e, negative_errno(), "cannot look at %s", host_path);
        _cleanup_close_ int pidfd = registry_pin_leader(m);
        if (pidfd < 0)
                return error_set(e, -ESRCH, "machine %s is no longer running", m->name);
        _cleanup_close_ int src = prepare_source(m, host_path, read_only, e);
        if (src < 0)
                return src;
        if (pipe2(report, O_CLOEXEC) < 0)
                return error_set_errno(e, negative_errno(), "pipe() failed");
        pid_t pid = fork();
        if (pid < 0) {
                r = error_set_errno(e, negative_errno(), "fork() failed");
                close(report[0]);
                close(report[1]);
                return r;
        }
        if (pid == 0) {
                close(report[0]);
                attach(pidfd, src, S_ISDIR(st.st_mode), machine_path, mkdir, report[1]);
        }
        close(report[1]);
        if (read(report[0], &r, sizeof(r)) != sizeof(r))
                r = 0;
        close(report[0]);
        (void)waitpid(pid, NULL, 0);
        if (r == -ENOENT && !mkdir)
                return error_set(e, r, "%s does not exist in machine %s (--mkdir creates it)", machine_path, m->name);
        if (r == -ENOTDIR || r == -EISDIR)
                return error_set(e, r, "%s is a %s and %s in machine %s is not", host_path, S_ISDIR(st.st_mode) ? "directory" : "file", machine_path,
                                 m->name);
        if (r < 0)
                return error_set_errno(e, r, "cannot mount %s at %s in machine %s", host_path, machine_path, m->name);
        return 0;
}
