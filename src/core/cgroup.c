/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <dirent.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include "cgroup.h"
#include "fs-util.h"

const char *cgroup2_mount_point(void)
{
        static const char *const candidates[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        struct statfs sf;
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (statfs(candidates[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                        return candidates[i];
        return NULL;
}

static void remove_tree(int dirfd, const char *name)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return;
        DIR *d = fdopendir(dup(fd));
        if (d) {
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                remove_tree(fd, de->d_name);
                closedir(d);
        }
        (void)unlinkat(dirfd, name, AT_REMOVEDIR);
}

static bool cgroup_is_empty(const char *path)
{
        _cleanup_free_ char *procs = path_join(path, "cgroup.procs"), *text = NULL;
        if (!procs || read_full_file(procs, &text, NULL) < 0)
                return false;
        return !*text;
}

int container_cgroup_create(const char *name, ContainerCgroup *ret, Error *e)
{
        const char *mnt = cgroup2_mount_point();
        _cleanup_free_ char *slice = NULL, *path = NULL;

        if (!mnt) {
                *ret = CONTAINER_CGROUP_NULL;
                return 0;
        }
        if (!(slice = path_join(mnt, "machine.slice")) || asprintf(&path, "%s/corral-%s.scope", slice, name) < 0)
                return -ENOMEM;
        if (mkdir(slice, 0755) < 0 && errno != EEXIST)
                return error_set_errno(e, negative_errno(), "cannot create the cgroup %s", slice);
        if (mkdir(path, 0755) < 0) {
                if (errno != EEXIST)
                        return error_set_errno(e, negative_errno(), "cannot create the cgroup %s", path);
                /* Left by a supervisor that was killed: reuse it once nothing runs in it. */
                if (!cgroup_is_empty(path))
                        return error_set(e, -EBUSY, "the cgroup %s still has processes: is machine \"%s\" running already?",
                                         path, name);
                _cleanup_close_ int parent = open(slice, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                char leaf[300];
                snprintf(leaf, sizeof(leaf), "corral-%s.scope", name);
                if (parent >= 0)
                        remove_tree(parent, leaf);
                if (mkdir(path, 0755) < 0)
                        return error_set_errno(e, negative_errno(), "cannot create the cgroup %s", path);
        }
        int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return error_set_errno(e, negative_errno(), "cannot open the cgroup %s", path);
        *ret = (ContainerCgroup){.path = TAKE_PTR(path), .fd = fd};
        return 0;
}

void container_cgroup_remove(ContainerCgroup *cg)
{
        closep(&cg->fd);
        if (cg->path) {
                _cleanup_free_ char *dir = path_dirname(cg->path);
                if (dir) {
                        _cleanup_close_ int parent = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                        /* The kernel tears the rest of the PID namespace down after PID 1 is
                         * gone; until the last task has left, rmdir says EBUSY.  Bounded: 5 s. */
                        for (int i = 0; parent >= 0 && i < 250; i++) {
                                remove_tree(parent, path_basename(cg->path));
                                if (access(cg->path, F_OK) < 0)
                                        break;
                                usleep(20000);
                        }
                        (void)rmdir(dir); /* machine.slice, when we were the last */
                }
        }
        cg->path = mfree(cg->path);
}

int container_cgroup_delegate(ContainerCgroup *cg, uid_t uid, Error *e)
{
        static const char *const files[] = {"", "cgroup.procs", "cgroup.threads", "cgroup.subtree_control"};
        if (cg->fd < 0)
                return 0;
        for (size_t i = 0; i < ELEMENTSOF(files); i++)
                if (fchownat(cg->fd, files[i], uid, uid, AT_EMPTY_PATH) < 0 && errno != ENOENT)
                        return error_set_errno(e, -errno, "cannot hand the cgroup %s%s%s to the container's root (UID %u)", cg->path,
                                               files[i][0] ? "/" : "", files[i], (unsigned)uid);
        return 0;
}
