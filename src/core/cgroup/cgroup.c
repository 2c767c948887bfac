/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The container's cgroups on cgroup2, v1 and hybrid hosts: creation with limits, the v1 move,
 * usage, live changes, freezing, removal. */
#include <dirent.h>
#include <signal.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "cgroup.h"
#include "fs-util.h"
#include "macro.h"
#include "systemd-scope.h"

/* The v1 hierarchies a container joins for accounting (devices is device-policy.c's). */
#define ACCOUNTING_V1 (CG_BIT(CG_CPU) | CG_BIT(CG_CPUACCT) | CG_BIT(CG_CPUSET) | CG_BIT(CG_MEMORY) | CG_BIT(CG_BLKIO) | CG_BIT(CG_PIDS))

const char *cgroup2_mount_point(void)
{
        static const char *const candidates[] = {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"};
        struct statfs sf;
        for (size_t i = 0; i < ELEMENTSOF(candidates); i++)
                if (statfs(candidates[i], &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC)
                        return candidates[i];
        return NULL;
}

int cgroup2_mount_own(void)
{
        return mount_new_detached("cgroup2", MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
}

int cgroup_populated(const char *dir)
{
        const char *m = dir[0] == '/' ? "" : cgroup2_mount_point();
        _cleanup_free_ char *events = NULL, *text = NULL;
        if (!m)
                return -ENOENT;
        if (asprintf(&events, "%s%s%s/cgroup.events", m, *m ? "/" : "", dir) < 0)
                return -ENOMEM;
        int r = read_full_file(events, &text, NULL);
        if (r < 0)
                return r;
        return strstr(text, "populated 1") != NULL;
}

/* The controllers cgroup2 has (those not bound to a v1 hierarchy). */
static void cgroup2_controllers(CgroupLayout *l, const char *mount)
{
        _cleanup_free_ char *p = path_join(mount, "cgroup.controllers"), *ctl = NULL;
        if (p && read_full_file(p, &ctl, NULL) >= 0)
                for (char *s2 = NULL, *w = strtok_r(ctl, " \n", &s2); w; w = strtok_r(NULL, " \n", &s2))
                        for (int c = 0; c < _CG_MAX; c++)
                                if (cgroup_controller_v2_name(c) && streq(w, cgroup_controller_v2_name(c)) && l->where[c] == CGV_NONE)
                                        l->where[c] = CGV_2;
        /* cgroup2's core counts CPU time and freezes without any controller. */
        if (l->where[CG_CPUACCT] == CGV_NONE)
                l->where[CG_CPUACCT] = CGV_2;
        if (l->where[CG_FREEZER] == CGV_NONE)
                l->where[CG_FREEZER] = CGV_2;
}

int cgroup_layout_detect(CgroupLayout *l, char **cg2_mount, char *v1_mount[_CG_MAX])
{
        _cleanup_free_ char *text = NULL;
        int r = read_full_file("/proc/self/mountinfo", &text, NULL);
        *l = (CgroupLayout){0};
        *cg2_mount = NULL;
        for (int c = 0; c < _CG_MAX; c++)
                v1_mount[c] = NULL;
        if (r < 0)
                return r;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS */
                char mnt[512], fstype[32], super[512];
                const char *dash = strstr(line, " - ");
                if (!dash || sscanf(line, "%*s %*s %*s %*s %511s", mnt) != 1 || sscanf(dash + 3, "%31s %*s %511s", fstype, super) != 2)
                        continue;
                if (streq(fstype, "cgroup2")) {
                        if (!*cg2_mount && !(*cg2_mount = strdup(mnt)))
                                return -ENOMEM;
                        l->have_cgroup2 = true;
                        continue;
                }
                if (!streq(fstype, "cgroup"))
                        continue;
                for (char *s2 = NULL, *opt = strtok_r(super, ",", &s2); opt; opt = strtok_r(NULL, ",", &s2))
                        for (int c = 0; c < _CG_MAX; c++)
                                if (streq(opt, cgroup_controller_to_string(c)) && !v1_mount[c]) {
                                        if (!(v1_mount[c] = strdup(mnt)))
                                                return -ENOMEM;
                                        l->where[c] = CGV_1;
                                }
        }
        if (*cg2_mount)
                cgroup2_controllers(l, *cg2_mount);
        return 0;
}

int cgroup_of_pid(pid_t pid, const char *controller, char **ret)
{
        char file[64];
        _cleanup_free_ char *text = NULL;
        snprintf(file, sizeof(file), "/proc/%d/cgroup", (int)pid);
        int r = read_full_file(file, &text, NULL);
        if (r < 0)
                return r;
        const char *found = NULL;
        for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
                /* ID:CONTROLLERS:PATH */
                char *list = strchr(l, ':'), *path = list ? strchr(list + 1, ':') : NULL;
                if (!path)
                        continue;
                *path++ = 0;
                list++;
                if (controller) {
                        for (char *s2 = NULL, *w = strtok_r(list, ",", &s2); w && !found; w = strtok_r(NULL, ",", &s2))
                                if (streq(w, controller))
                                        found = path;
                } else if (!*list)
                        found = path; /* cgroup2 wins */
                else if (!found && streq(list, "name=systemd"))
                        found = path;
                if (found && (controller || !*list))
                        break;
        }
        if (!found)
                return -ENOENT;
        while (*found == '/')
                found++;
        *ret = strdup(found);
        return *ret ? 0 : -ENOMEM;
}

/* Removes the cgroup dirfd/name and the ones below it; true when it is gone. */
static bool remove_tree(int dirfd, const char *name)
{
        /* Most often there is nothing below it. */
        if (unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
                return true;
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return errno == ENOENT;
        DIR *d = fdopendir(dup(fd));
        if (d) {
                struct dirent *de;
                while ((de = readdir(d)))
                        if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, ".."))
                                remove_tree(fd, de->d_name);
                closedir(d);
        }
        return unlinkat(dirfd, name, AT_REMOVEDIR) == 0 || errno == ENOENT;
}

static bool cgroup_is_empty(const char *path)
{
        _cleanup_free_ char *procs = path_join(path, "cgroup.procs"), *text = NULL;
        if (!procs || read_full_file(procs, &text, NULL) < 0)
                return false;
        return !*text;
}

/* Calls visit for every process of the cgroup path and below it, until it returns true;
 * whether it did. */
static bool walk_pids(const char *path, bool (*visit)(int pid, void *data), void *data)
{
        _cleanup_free_ char *procs = path_join(path, "cgroup.procs");
        _cleanup_fclose_ FILE *f = procs ? fopen(procs, "re") : NULL;
        int pid;
        while (f && fscanf(f, "%d", &pid) == 1)
                if (visit(pid, data))
                        return true;
        DIR *d = opendir(path);
        bool stop = false;
        for (struct dirent *de; d && !stop && (de = readdir(d));)
                if (de->d_type == DT_DIR && de->d_name[0] != '.') {
                        _cleanup_free_ char *sub = path_join(path, de->d_name);
                        stop = sub && walk_pids(sub, visit, data);
                }
        if (d)
                closedir(d);
        return stop;
}

typedef struct Signal {
        int sig;
        pid_t skip;
        bool any;
} Signal;

static bool signal_one(int pid, void *data)
{
        Signal *s = data;
        if (pid != s->skip) {
                (void)kill(pid, s->sig);
                s->any = true;
        }
        return false;
}

bool cgroup_signal_tree(const char *path, int sig, pid_t skip)
{
        Signal s = {.sig = sig, .skip = skip};
        walk_pids(path, signal_one, &s);
        return s.any;
}

/* Signals every process of the cgroup path and below it (sig 0: none, only looks); whether
 * there was any. */
static bool kill_tree(const char *path, int sig)
{
        return cgroup_signal_tree(path, sig, 0);
}

/* Whether pid is a corral (a supervisor), or the child of one. */
static bool supervised(int pid, void *data)
{
        char p[64], comm[32] = "", stat[512] = "";
        for (int k = 0; k < 2; k++) {
                snprintf(p, sizeof(p), "/proc/%d/comm", pid);
                _cleanup_fclose_ FILE *f = fopen(p, "re");
                if (f && fgets(comm, sizeof(comm), f) && streq(comm, "corral\n"))
                        return true;
                snprintf(p, sizeof(p), "/proc/%d/stat", pid);
                _cleanup_fclose_ FILE *s = fopen(p, "re");
                char *close_paren;
                if (!s || !fgets(stat, sizeof(stat), s) || !(close_paren = strrchr(stat, ')')) || sscanf(close_paren + 2, "%*c %d", &pid) != 1)
                        return false;
        }
        return false;
}

/* A cgroup of ours that a supervisor killed with SIGKILL left with processes (a container
 * that outlived it): the caller holds the machine's name lock, so no live supervisor should
 * own them; as a second check (a corral whose lock directory this one does not see, in
 * another mount namespace), none of them may be a corral or a corral's child. */
bool cgroup_kill_leftovers(const char *dir, const char *name)
{
        const char *m = dir[0] == '/' ? "" : cgroup2_mount_point();
        _cleanup_free_ char *path = NULL;
        if (!m || asprintf(&path, "%s%s%s", m, *m ? "/" : "", dir) < 0)
                return false;
        if (!kill_tree(path, 0) || walk_pids(path, supervised, NULL))
                return false;
        log_warning("machine \"%s\": killing what a supervisor that died left running in %s", name, path);
        for (int i = 0; i < 1000 && kill_tree(path, SIGKILL); i++)
                usleep(10 * 1000);
        return true;
}

static int write_in(const char *dir, const char *file, const char *value)
{
        _cleanup_free_ char *p = path_join(dir, file);
        if (!p)
                return -ENOMEM;
        _cleanup_close_ int fd = open(p, O_WRONLY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        return write(fd, value, strlen(value)) < 0 ? -errno : 0;
}

static int read_in(const char *dir, const char *file, char **ret)
{
        _cleanup_free_ char *p = path_join(dir, file);
        return p ? read_full_file(p, ret, NULL) : -ENOMEM;
}

/* v1 cpuset: a new cgroup starts with no CPUs and no memory nodes, and no task may join it
 * until it has both: take the parent's. */
static int cpuset_inherit(const char *dir)
{
        static const char *const files[] = {"cpuset.cpus", "cpuset.mems"};
        _cleanup_free_ char *parent = path_dirname(dir);
        if (!parent)
                return -ENOMEM;
        for (size_t i = 0; i < ELEMENTSOF(files); i++) {
                _cleanup_free_ char *own = NULL, *theirs = NULL;
                int r;
                if (read_in(dir, files[i], &own) >= 0 && own[0] && own[0] != '\n')
                        continue;
                if ((r = read_in(parent, files[i], &theirs)) < 0 || (r = write_in(dir, files[i], theirs)) < 0)
                        return r;
        }
        return 0;
}

/* Makes base/rel level by level (the slice's and then the scope's); the scope must not hold
 * processes: a stale one (a supervisor killed with SIGKILL) is cleared and made anew, and with
 * leftovers (at the start, under the machine's name lock) what runs in it is killed first. */
static int make_levels(const char *base, const char *rel, bool cpuset, const char *name, bool leftovers, Error *e)
{
        _cleanup_free_ char *p = path_join(base, rel);
        if (!p)
                return -ENOMEM;
        size_t start = strlen(base) + 1;
        for (size_t i = start;; i++) {
                if (p[i] != '/' && p[i] != 0)
                        continue;
                char save = p[i];
                p[i] = 0;
                bool leaf = save == 0;
                if (mkdir(p, 0755) < 0) {
                        if (errno != EEXIST)
                                return error_set_errno(e, -errno, "cannot create the cgroup %s", p);
                        if (leaf) {
                                if (leftovers && cgroup_kill_leftovers(p, name) && kill_tree(p, 0))
                                        return error_set(
                                                e, -EBUSY,
                                                "the cgroup %s still has processes after SIGKILL (in D state?); machine \"%s\" cannot start until they are gone",
                                                p, name);
                                if (kill_tree(p, 0))
                                        return error_set(e, -EBUSY, "the cgroup %s still has processes: is machine \"%s\" running already?", p, name);
                                _cleanup_free_ char *dir = path_dirname(p);
                                _cleanup_close_ int pfd = dir ? open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
                                if (pfd >= 0)
                                        remove_tree(pfd, path_basename(p));
                                if (mkdir(p, 0755) < 0)
                                        return error_set_errno(e, -errno, "cannot create the cgroup %s", p);
                        }
                }
                int r;
                if (cpuset && (r = cpuset_inherit(p)) < 0)
                        return error_set_errno(e, r, "cannot give the cgroup %s the CPUs and memory nodes of its parent", p);
                if (leaf)
                        return 0;
                p[i] = save;
        }
}

/* Whether the space-separated list has word. */
static bool has_word(const char *list, const char *word, size_t n)
{
        for (const char *w = list; w && *w;) {
                w += strspn(w, " \n");
                size_t k = strcspn(w, " \n");
                if (k == n && strncmp(w, word, n) == 0)
                        return true;
                w += k;
        }
        return false;
}

/* Whether a cgroup holds processes itself and is not the hierarchy's root (which alone has no
 * cgroup.type): one that does cannot enable domain controllers for its children, and enabling
 * a threaded one (cpu, pids, cpuset) alone would make it a thread root, where no child could
 * hold a process again (clone3 into one: EOPNOTSUPP).  The root of a cgroup namespace, a
 * container's own cgroup that corral runs in, is such a cgroup. */
static bool level_has_processes(const char *dir)
{
        _cleanup_free_ char *type = path_join(dir, "cgroup.type");
        return type && access(type, F_OK) == 0 && !cgroup_is_empty(dir);
}

/* One level: every controller it has (cgroup.controllers) enabled for its children, where the
 * kernel lets it (a controller that cannot be, e.g. cpu beside a real-time task, is left out
 * as nspawn leaves it); those in need must be. */
static int enable_level(const char *dir, unsigned need, Error *e)
{
        _cleanup_free_ char *have = NULL, *on = NULL;
        int r;
        /* (A level with no controllers, as every one on a hybrid host, costs one read.) */
        if (read_in(dir, "cgroup.controllers", &have) < 0 || have[0] == 0 || have[0] == '\n' || level_has_processes(dir) ||
            read_in(dir, "cgroup.subtree_control", &on) < 0)
                have = mfree(have);
        for (const char *w = have; w && *w;) {
                w += strspn(w, " \n");
                size_t k = strcspn(w, " \n");
                char plus[40];
                if (k > 0 && k < sizeof(plus) - 1 && !has_word(on, w, k)) {
                        snprintf(plus, sizeof(plus), "+%.*s", (int)k, w);
                        (void)write_in(dir, "cgroup.subtree_control", plus);
                }
                w += k;
        }
        if (!need)
                return 0;
        on = mfree(on);
        (void)read_in(dir, "cgroup.subtree_control", &on);
        for (int c = 0; c < _CG_MAX; c++) {
                const char *n = cgroup_controller_v2_name(c);
                char plus[32];
                if (!(need & CG_BIT(c)) || !n || has_word(on, n, strlen(n)))
                        continue;
                /* Not there, or enabling it failed above: once more, for the reason. */
                snprintf(plus, sizeof(plus), "+%s", n);
                if ((r = write_in(dir, "cgroup.subtree_control", plus)) < 0)
                        return error_set_errno(e, r, "cannot enable the %s controller in %s/cgroup.subtree_control", n, dir);
        }
        return 0;
}

/* cgroup2 hands a controller to a child only when every ancestor enables it for its children.
 * As nspawn delegates a container its cgroup, every controller the levels have is enabled down
 * to the container's (podman, crun or the guest's systemd inside need them); those in need
 * must be.  The first keep characters of rel are systemd's (the levels above its scope, which
 * enable what it delegates): only the scope and the levels below are written. */
static int enable_v2(const char *mount, const char *rel, size_t keep, unsigned need, Error *e)
{
        _cleanup_free_ char *p = path_join(mount, rel);
        if (!p)
                return -ENOMEM;
        char *leaf = strrchr(p, '/');
        *leaf = 0; /* the slice levels and the root, not the container's own */
        size_t base = strlen(mount);
        for (size_t i = base;; i++) {
                if (p[i] != '/' && p[i] != 0)
                        continue;
                char save = p[i];
                p[i] = 0;
                int r;
                bool ours = keep == 0 || (i > base && i - base - 1 >= keep);
                if (ours && (i == base || mkdir(p, 0755) == 0 || errno == EEXIST) && (r = enable_level(p, need, e)) < 0)
                        return r;
                p[i] = save;
                if (!save)
                        break;
        }
        return 0;
}

static const char *key_of_file(const char *file)
{
        static const struct {
                const char *prefix, *keys;
        } map[] = {
                {"memory.memsw", "MemorySwapMax="},
                {"memory.swap", "MemorySwapMax="},
                {"memory.high", "MemoryHigh="},
                {"memory.low", "MemoryLow="},
                {"memory.", "MemoryMax="},
                {"cpu.shares", "CPUWeight=/CPUShares="},
                {"cpu.weight", "CPUWeight=/CPUShares="},
                {"cpu.", "CPUQuota="},
                {"cpuset.cpus", "AllowedCPUs="},
                {"cpuset.mems", "AllowedMemoryNodes="},
                {"pids.", "TasksMax="},
                {"blkio.weight", "IOWeight=/IODeviceWeight="},
                {"io.weight", "IOWeight=/IODeviceWeight="},
                {"", "IO*Max="},
        };
        for (size_t i = 0; i < ELEMENTSOF(map); i++)
                if (startswith(file, map[i].prefix))
                        return map[i].keys;
        return "";
}

static char *dir_of(const ContainerCgroup *cg, CgroupController c)
{
        if (cg->layout.where[c] == CGV_2)
                return cg->path ? strdup(cg->path) : NULL;
        if (cg->layout.where[c] == CGV_1 && (cg->v1_joined & CG_BIT(c)))
                return path_join(cg->v1_mount[c], cg->rel);
        return NULL;
}

static int apply_writes(const ContainerCgroup *cg, const CgroupWrite *w, size_t n, Error *e)
{
        for (size_t i = 0; i < n; i++) {
                _cleanup_free_ char *dir = dir_of(cg, w[i].controller);
                const char *ctl = cgroup_controller_to_string(w[i].controller);
                if (!dir)
                        return error_set(
                                e, -EOPNOTSUPP,
                                "cannot set %s: the container is not in the %s cgroup (it joins it at start when a property needs it or it boots; set MemoryAccounting=, CPUAccounting=, IOAccounting= or TasksAccounting=yes)",
                                w[i].what ? w[i].what : key_of_file(w[i].file), ctl);
                int r = write_in(dir, w[i].file, w[i].value);
                const char *what = w[i].what ? w[i].what : key_of_file(w[i].file);
                if (r == -ENOENT && startswith(w[i].file, "memory.memsw"))
                        return error_set_errno(e, r, "cannot set %s: this kernel does not account swap in cgroup v1 (boot it with swapaccount=1)",
                                               w[i].what ? w[i].what : "MemorySwapMax=");
                if (r < 0)
                        return error_set_errno(e, r, "cannot set %s: writing \"%s\" to %s/%s failed", what, w[i].value, dir, w[i].file);
        }
        return 0;
}

void container_cgroup_done(ContainerCgroup *cg)
{
        closep(&cg->fd);
        closep(&cg->cg2_fd);
        free(cg->rel);
        free(cg->path);
        free(cg->cg2_mount);
        for (int c = 0; c < _CG_MAX; c++)
                free(cg->v1_mount[c]);
        *cg = CONTAINER_CGROUP_NULL;
}

/* A v1 host does not mount cgroup2, but the kernel has its hierarchy all the same: corral
 * mounts it for itself (a detached mount, seen by no one else), so that every container has a
 * cgroup2 cgroup of its own, which a booted systemd guest gets as its /sys/fs/cgroup. */
static int mount_private_cgroup2(ContainerCgroup *cg)
{
        int mfd = cgroup2_mount_own();
        if (mfd == -ENODEV || mfd == -ENOSYS)
                return 0; /* a kernel without it: v1 alone */
        if (mfd < 0)
                return mfd;
        cg->cg2_fd = mfd;
        cg->cg2_private = true;
        if (asprintf(&cg->cg2_mount, "/proc/self/fd/%d", mfd) < 0) {
                cg->cg2_mount = NULL;
                return -ENOMEM;
        }
        cg->layout.have_cgroup2 = true;
        cgroup2_controllers(&cg->layout, cg->cg2_mount);
        return 0;
}

char *container_cgroup_record(const ContainerCgroup *cg)
{
        char *r = NULL;
        if (!cg->path)
                return strdup("");
        if (!cg->cg2_private)
                return strdup(cg->path);
        return asprintf(&r, CGROUP2_RECORD_PREFIX "/%s", cg->rel) < 0 ? NULL : r;
}

int cgroup_record_dir(const char *record, char **ret, int *ret_fd)
{
        const char *rel = startswith(record, CGROUP2_RECORD_PREFIX);
        *ret_fd = -1;
        if (!rel)
                return (*ret = strdup(record)) ? 0 : -ENOMEM;
        /* The host mounts one now after all: the same hierarchy. */
        const char *m = cgroup2_mount_point();
        if (m)
                return asprintf(ret, "%s%s", m, rel) < 0 ? -ENOMEM : 0;
        int fd = cgroup2_mount_own();
        if (fd < 0)
                return fd;
        if (asprintf(ret, "/proc/self/fd/%d%s", fd, rel) < 0) {
                close(fd);
                return -ENOMEM;
        }
        *ret_fd = fd;
        return 0;
}

/* full: find every hierarchy; else only cgroup2, when there is one (a plain start, which needs
 * no more: two statfs() instead of reading the mount table). */
static int prepare(const char *name, const char *slice, bool full, ContainerCgroup *cg)
{
        *cg = CONTAINER_CGROUP_NULL;
        const char *cg2 = full ? NULL : cgroup2_mount_point();
        if (cg2) {
                cg->layout.have_cgroup2 = true;
                if (!(cg->cg2_mount = strdup(cg2)))
                        return -ENOMEM;
        } else {
                int r = cgroup_layout_detect(&cg->layout, &cg->cg2_mount, cg->v1_mount);
                if (r < 0)
                        return r;
                cg->layout_complete = true;
                if (!cg->cg2_mount && (r = mount_private_cgroup2(cg)) < 0)
                        return r;
        }
        _cleanup_free_ char *sp = slice_to_cgroup_path(slice ? slice : "machine.slice");
        if (!sp || asprintf(&cg->rel, "%s%scorral-%s.scope", sp, *sp ? "/" : "", name) < 0)
                return -ENOMEM;
        if (cg->cg2_mount && !(cg->path = path_join(cg->cg2_mount, cg->rel)))
                return -ENOMEM;
        return 0;
}

/* Under systemd: the scope (or the supervisor's own unit) is systemd's; the container gets its
 * "payload" cgroup below it and, since cgroup2 puts processes only in the leaves of a tree with
 * controllers, the supervisor moves to a "supervisor" leaf beside it. */
static int under_systemd(ContainerCgroup *cg, const char *name, const char *slice, bool keep_unit, Error *e)
{
        _cleanup_free_ char *own = NULL, *unit = NULL, *desc = NULL;
        int r;
        if (keep_unit) {
                if ((r = cgroup_of_pid(getpid(), NULL, &own)) < 0)
                        return error_set_errno(e, r, "cannot find corral's own cgroup (--keep-unit) in /proc/self/cgroup");
        } else {
                _cleanup_free_ char *now = NULL, *again = path_join(cg->rel, "supervisor");
                if (!again || asprintf(&unit, "corral-%s.scope", name) < 0 || asprintf(&desc, "Container %s", name) < 0)
                        return -ENOMEM;
                /* A reboot of the container: the supervisor is in the scope still. */
                if (cgroup_of_pid(getpid(), NULL, &now) < 0 || !streq(now, again)) {
                        if ((r = systemd_start_scope(name, unit, slice ? slice : "machine.slice", desc, getpid(), e)) < 0)
                                return r;
                }
                own = TAKE_PTR(cg->rel);
        }
        free(cg->rel);
        free(cg->path);
        cg->path = NULL;
        cg->keep = strlen(own);
        if (!(cg->rel = *own ? path_join(own, "payload") : strdup("payload")) || (cg->cg2_mount && !(cg->path = path_join(cg->cg2_mount, cg->rel))))
                return -ENOMEM;
        if (!cg->cg2_mount)
                return 0;
        _cleanup_free_ char *scope = path_join(cg->cg2_mount, own), *sup = scope ? path_join(scope, "supervisor") : NULL;
        if (!sup)
                return -ENOMEM;
        if (mkdir(sup, 0755) < 0 && errno != EEXIST)
                return error_set_errno(e, -errno, "cannot create the cgroup %s", sup);
        if ((r = write_in(sup, "cgroup.procs", "0")) < 0)
                return error_set_errno(e, r, "cannot move corral's supervisor into %s", sup);
        return 0;
}

/* The rest of a creation once cg's paths are known: the cgroups of the controllers in need
 * (and, with boot or where the host's controllers are v1's, the v1 ones for accounting), then
 * the files.  On failure what was made is removed and cg freed. */
static int create_levels(ContainerCgroup *cg, const CgroupWrite *w, size_t n, unsigned need, bool boot, const char *name, Error *e)
{
        unsigned join = 0;
        int r;
        /* Where the host has no cgroup2 of its own, its controllers are all v1's. */
        bool v1_host = !cg->layout.have_cgroup2 || cg->cg2_private;
        for (int c = 0; c < _CG_MAX; c++)
                if (cg->layout.where[c] == CGV_1 && c != CG_DEVICES &&
                    ((need & CG_BIT(c)) || ((boot || v1_host) && (ACCOUNTING_V1 & CG_BIT(c))) || (c == CG_FREEZER && v1_host)))
                        join |= CG_BIT(c);
        /* CPU accounting on v1 is cpuacct's, which is often mounted with cpu. */
        if ((need & CG_BIT(CG_CPU)) && cg->layout.where[CG_CPUACCT] == CGV_1)
                join |= CG_BIT(CG_CPUACCT);
        cg->created = true;
        if (cg->path) {
                unsigned v2 = 0;
                for (int c = 0; c < _CG_MAX; c++)
                        if ((need & CG_BIT(c)) && cg->layout.where[c] == CGV_2)
                                v2 |= CG_BIT(c);
                if ((r = enable_v2(cg->cg2_mount, cg->rel, cg->enable_above ? 0 : cg->keep, v2, e)) < 0 ||
                    (r = make_levels(cg->cg2_mount, cg->rel, false, name, true, e)) < 0)
                        goto fail;
                if ((cg->fd = open(cg->path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
                        r = error_set_errno(e, -errno, "cannot open the cgroup %s", cg->path);
                        goto fail;
                }
        }
        for (int c = 0; c < _CG_MAX; c++) {
                if (!(join & CG_BIT(c)))
                        continue;
                cg->v1_joined |= CG_BIT(c); /* before making it, so a failure removes what was made */
                if ((r = make_levels(cg->v1_mount[c], cg->rel, c == CG_CPUSET, name, true, e)) < 0)
                        goto fail;
        }
        if ((r = apply_writes(cg, w, n, e)) < 0)
                goto fail;
        return 0;
fail:
        container_cgroup_remove(cg);
        container_cgroup_done(cg);
        return r;
}

int container_cgroup_create(const char *name, const Resources *res, bool boot, bool keep_unit, ContainerCgroup *ret, Error *e)
{
        ContainerCgroup cg;
        CgroupWrite *w = NULL;
        size_t n = 0;
        unsigned need = 0;
        ResourceHost host;
        int r;

        *ret = CONTAINER_CGROUP_NULL;
        if ((r = prepare(name, res->slice, res->set || boot, &cg)) < 0) {
                container_cgroup_done(&cg);
                return error_set_errno(e, r, "cannot find the host's cgroup hierarchies in /proc/self/mountinfo");
        }
        if (systemd_is_pid1() && (r = under_systemd(&cg, name, res->slice, keep_unit, e)) < 0) {
                container_cgroup_done(&cg);
                return r;
        }
        if (res->set) {
                resource_host_init(&host);
                if ((r = resources_translate(res, &cg.layout, &host, &w, &n, &need, e)) < 0) {
                        container_cgroup_done(&cg);
                        return r;
                }
        }
        r = create_levels(&cg, w, n, need, boot, name, e);
        free(w);
        if (r >= 0)
                *ret = cg;
        return r;
}

/* The cgroup at rel of every hierarchy, as found in the mount table (with a cgroup2 of our own
 * where the host mounts none); the levels above rel are not ours to remove. */
static int prepare_at(const char *rel, ContainerCgroup *cg, Error *e)
{
        int r;
        *cg = CONTAINER_CGROUP_NULL;
        cg->layout_complete = true;
        if ((r = cgroup_layout_detect(&cg->layout, &cg->cg2_mount, cg->v1_mount)) < 0 || (!cg->cg2_mount && (r = mount_private_cgroup2(cg)) < 0)) {
                container_cgroup_done(cg);
                return error_set_errno(e, r, "cannot find the host's cgroup hierarchies in /proc/self/mountinfo");
        }
        const char *slash = strrchr(rel, '/');
        cg->keep = slash ? (size_t)(slash - rel) : 0;
        if (!(cg->rel = strdup(rel)) || (cg->cg2_mount && !(cg->path = path_join(cg->cg2_mount, rel)))) {
                container_cgroup_done(cg);
                return -ENOMEM;
        }
        return 0;
}

int container_cgroup_create_at(const char *rel, CgroupTranslate translate, void *userdata, ContainerCgroup *ret, Error *e)
{
        ContainerCgroup cg;
        CgroupWrite *w = NULL;
        size_t n = 0;
        unsigned need = 0;
        int r;

        *ret = CONTAINER_CGROUP_NULL;
        if ((r = prepare_at(rel, &cg, e)) < 0)
                return r;
        cg.enable_above = true;
        if (translate && (r = translate(userdata, &cg.layout, &w, &n, &need, e)) < 0) {
                container_cgroup_done(&cg);
                return r;
        }
        r = create_levels(&cg, w, n, need, false, path_basename(rel), e);
        free(w);
        if (r >= 0)
                *ret = cg;
        return r;
}

int container_cgroup_attach(ContainerCgroup *cg, pid_t pid, Error *e)
{
        char s[24];
        snprintf(s, sizeof(s), "%d", (int)pid);
        for (int c = 0; c < _CG_MAX; c++) {
                if (!(cg->v1_joined & CG_BIT(c)))
                        continue;
                _cleanup_free_ char *dir = path_join(cg->v1_mount[c], cg->rel);
                int r = dir ? write_in(dir, "cgroup.procs", s) : -ENOMEM;
                if (r < 0)
                        return error_set_errno(e, r, "cannot move the container into its %s cgroup %s", cgroup_controller_to_string(c), dir);
        }
        return 0;
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

/* Removes base/rel and then the slice levels above it that are left empty, up to the first
 * keep characters of rel (systemd's scope, which systemd removes). */
static void remove_levels(const char *base, const char *rel, size_t keep)
{
        _cleanup_free_ char *p = path_join(base, rel);
        if (!p)
                return;
        /* The kernel tears the rest of the PID namespace down after PID 1 is gone; until the
         * last task has left, rmdir says EBUSY.  Bounded: 5 s. */
        for (int i = 0; i < 250 && !remove_tree(AT_FDCWD, p); i++)
                usleep(20000);
        rmdir_parents(p, strlen(base) + (keep ? keep + 1 : 0));
}

void container_cgroup_remove(ContainerCgroup *cg)
{
        closep(&cg->fd);
        if (!cg->created)
                return;
        if (cg->path)
                remove_levels(cg->cg2_mount, cg->rel, cg->keep);
        /* Every v1 hierarchy, not only those joined at start: a live change may have joined
         * more (container_cgroup_set() in another process).  A plain start looked at cgroup2
         * only; the v1 hierarchies are then looked for where hybrid hosts mount them (reading
         * the mount table would cost every start a tenth of a millisecond). */
        for (int c = 0; c < _CG_MAX; c++) {
                if (c == CG_DEVICES)
                        continue;
                char std[64];
                snprintf(std, sizeof(std), "/sys/fs/cgroup/%s", cgroup_controller_to_string(c));
                const char *base = cg->layout_complete ? (cg->layout.where[c] == CGV_1 ? cg->v1_mount[c] : NULL)
                                                       : (cg->cg2_mount && !streq(cg->cg2_mount, "/sys/fs/cgroup") ? std : NULL);
                _cleanup_free_ char *p = base ? path_join(base, cg->rel) : NULL;
                if (p && access(p, F_OK) == 0)
                        remove_levels(base, cg->rel, cg->keep);
        }
        cg->v1_joined = 0;
        cg->created = false;
}

void container_cgroup_release(ContainerCgroup *cg)
{
        container_cgroup_remove(cg);
        container_cgroup_done(cg);
}

/* A scope systemd delegated: the container is in its payload cgroup. */
static int adopt_payload(ContainerCgroup *cg)
{
        const char *any = cg->cg2_mount;
        for (int c = 0; !any && c < _CG_MAX; c++)
                any = cg->v1_mount[c];
        _cleanup_free_ char *scope = any ? path_join(any, cg->rel) : NULL, *probe = scope ? path_join(scope, "payload") : NULL;
        if (!probe || access(probe, F_OK) < 0)
                return 0;
        _cleanup_free_ char *rel = path_join(cg->rel, "payload"), *path = NULL;
        if (!rel || (cg->cg2_mount && !(path = path_join(cg->cg2_mount, rel))))
                return -ENOMEM;
        cg->keep = strlen(cg->rel);
        free(cg->rel);
        cg->rel = TAKE_PTR(rel);
        free(cg->path);
        cg->path = TAKE_PTR(path);
        return 0;
}

int container_cgroup_find(const char *name, const char *slice, ContainerCgroup *ret, Error *e)
{
        ContainerCgroup cg;
        int r = prepare(name, slice, true, &cg);
        if (r < 0) {
                container_cgroup_done(&cg);
                return error_set_errno(e, r, "cannot find the host's cgroup hierarchies");
        }
        if ((r = adopt_payload(&cg)) < 0) {
                container_cgroup_done(&cg);
                return r;
        }
        if (cg.path && access(cg.path, F_OK) < 0)
                cg.path = mfree(cg.path);
        for (int c = 0; c < _CG_MAX; c++) {
                _cleanup_free_ char *p = cg.layout.where[c] == CGV_1 && c != CG_DEVICES ? path_join(cg.v1_mount[c], cg.rel) : NULL;
                if (p && access(p, F_OK) == 0)
                        cg.v1_joined |= CG_BIT(c);
        }
        if (!cg.path && !cg.v1_joined) {
                container_cgroup_done(&cg);
                return error_set(e, -ESRCH, "machine \"%s\" has no cgroup in %s: is it running?", name, slice ? slice : "machine.slice");
        }
        *ret = cg;
        return 0;
}

/* "KEY VALUE" lines (cpu.stat, memory.stat) -> the value of key. */
static uint64_t keyed(const char *text, const char *key)
{
        size_t n = strlen(key);
        for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (strncmp(l, key, n) == 0 && l[n] == ' ')
                        return strtoull(l + n + 1, NULL, 10);
        return UINT64_MAX;
}

static uint64_t number_in(const char *dir, const char *file)
{
        _cleanup_free_ char *t = NULL;
        if (!dir || read_in(dir, file, &t) < 0)
                return UINT64_MAX;
        return strtoull(t, NULL, 10);
}

/* v1 blkio: "MAJ:MIN Read N" lines; sums the op over the devices. */
static uint64_t blkio_sum(const char *dir, const char *file, const char *op)
{
        _cleanup_free_ char *t = NULL;
        if (!dir || read_in(dir, file, &t) < 0)
                return UINT64_MAX;
        uint64_t sum = 0;
        char dev[32], o[16];
        unsigned long long v;
        for (const char *l = t; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                if (sscanf(l, "%31s %15s %llu", dev, o, &v) == 3 && streq(o, op))
                        sum += v;
        return sum;
}

int container_cgroup_usage(const ContainerCgroup *cg, CgroupUsage *u)
{
        *u = (CgroupUsage){UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX, UINT64_MAX};
        _cleanup_free_ char *cpu = dir_of(cg, CG_CPUACCT), *mem = dir_of(cg, CG_MEMORY), *io = dir_of(cg, CG_BLKIO), *pids = dir_of(cg, CG_PIDS),
                            *t = NULL;
        if (cg->path) { /* cgroup2's core counts CPU time, controller or not */
                if (read_in(cg->path, "cpu.stat", &t) >= 0)
                        u->cpu_usec = keyed(t, "usage_usec");
                t = mfree(t);
        } else if (cpu) {
                uint64_t ns = number_in(cpu, "cpuacct.usage");
                u->cpu_usec = ns == UINT64_MAX ? ns : ns / 1000;
        }
        if (mem && cg->layout.where[CG_MEMORY] == CGV_2) {
                u->memory_current = number_in(mem, "memory.current");
                u->memory_peak = number_in(mem, "memory.peak");
        } else if (mem) {
                u->memory_current = number_in(mem, "memory.usage_in_bytes");
                u->memory_peak = number_in(mem, "memory.max_usage_in_bytes");
        }
        if (io && cg->layout.where[CG_BLKIO] == CGV_2) {
                _cleanup_free_ char *s = NULL;
                if (read_in(io, "io.stat", &s) >= 0) {
                        u->io_read_bytes = u->io_write_bytes = u->io_read_ops = u->io_write_ops = 0;
                        unsigned long long rb, wb, ri, wi;
                        for (const char *l = s; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
                                if (sscanf(l, "%*s rbytes=%llu wbytes=%llu rios=%llu wios=%llu", &rb, &wb, &ri, &wi) == 4) {
                                        u->io_read_bytes += rb;
                                        u->io_write_bytes += wb;
                                        u->io_read_ops += ri;
                                        u->io_write_ops += wi;
                                }
                }
        } else if (io) {
                u->io_read_bytes = blkio_sum(io, "blkio.throttle.io_service_bytes_recursive", "Read");
                u->io_write_bytes = blkio_sum(io, "blkio.throttle.io_service_bytes_recursive", "Write");
                u->io_read_ops = blkio_sum(io, "blkio.throttle.io_serviced_recursive", "Read");
                u->io_write_ops = blkio_sum(io, "blkio.throttle.io_serviced_recursive", "Write");
        }
        if (pids)
                u->tasks = number_in(pids, "pids.current");
        else if (cg->path && read_in(cg->path, "cgroup.threads", &t) >= 0) {
                u->tasks = 0;
                for (const char *c = t; *c; c++)
                        u->tasks += *c == '\n';
        }
        return 0;
}

uint64_t container_cgroup_oom_kills(const ContainerCgroup *cg)
{
        _cleanup_free_ char *mem = dir_of(cg, CG_MEMORY), *t = NULL;
        bool v2 = cg->layout.where[CG_MEMORY] == CGV_2;
        if (!mem || read_in(mem, v2 ? "memory.events" : "memory.oom_control", &t) < 0)
                return 0;
        uint64_t n = keyed(t, "oom_kill");
        return n == UINT64_MAX ? 0 : n;
}

/* Writes every process below dir (cgroup2: the guest's own subgroups too) to procs_file. */
static int move_all(const char *dir, const char *procs_file, Error *e)
{
        _cleanup_free_ char *t = NULL;
        int r = read_in(dir, "cgroup.procs", &t);
        if (r < 0)
                return error_set_errno(e, r, "cannot read %s/cgroup.procs", dir);
        for (char *save = NULL, *pid = strtok_r(t, "\n", &save); pid; pid = strtok_r(NULL, "\n", &save)) {
                _cleanup_close_ int fd = open(procs_file, O_WRONLY | O_CLOEXEC);
                if (fd < 0 || (write(fd, pid, strlen(pid)) < 0 && errno != ESRCH))
                        return error_set_errno(e, -errno, "cannot move process %s into %s", pid, procs_file);
        }
        DIR *d = opendir(dir);
        if (!d)
                return 0;
        struct dirent *de;
        while (r >= 0 && (de = readdir(d)))
                if (de->d_type == DT_DIR && !streq(de->d_name, ".") && !streq(de->d_name, "..")) {
                        _cleanup_free_ char *sub = path_join(dir, de->d_name);
                        r = sub ? move_all(sub, procs_file, e) : -ENOMEM;
                }
        closedir(d);
        return r;
}

/* A running container joins a v1 hierarchy it was started without: frozen (cgroup2's core
 * freezer) while its processes move, so none forks past the move. */
static int join_live(ContainerCgroup *cg, CgroupController c, Error *e)
{
        int r, t;
        if (!cg->path)
                return error_set(e, -EOPNOTSUPP, "the container is not in the %s cgroup and has no cgroup2 cgroup to move it from",
                                 cgroup_controller_to_string(c));
        const char *name = strrchr(cg->rel, '/') ? strrchr(cg->rel, '/') + 1 : cg->rel;
        _cleanup_free_ char *dir = path_join(cg->v1_mount[c], cg->rel), *procs = dir ? path_join(dir, "cgroup.procs") : NULL;
        if (!procs)
                return -ENOMEM;
        cg->v1_joined |= CG_BIT(c);
        if ((r = make_levels(cg->v1_mount[c], cg->rel, c == CG_CPUSET, name, false, e)) < 0)
                goto fail;
        if ((r = container_cgroup_freeze(cg, true, e)) < 0)
                goto fail;
        r = move_all(cg->path, procs, e);
        t = container_cgroup_freeze(cg, false, r < 0 ? NULL : e);
        if (r < 0 || (r = t) < 0)
                goto fail;
        return 0;
fail:
        cg->v1_joined &= ~CG_BIT(c);
        return r;
}

int container_cgroup_set(ContainerCgroup *cg, const Resources *res, Error *e)
{
        CgroupWrite *w = NULL;
        size_t n = 0;
        unsigned need = 0;
        ResourceHost host;
        resource_host_init(&host);
        int r = resources_translate(res, &cg->layout, &host, &w, &n, &need, e);
        if (r >= 0 && cg->path) {
                unsigned v2 = 0;
                for (int c = 0; c < _CG_MAX; c++)
                        if ((need & CG_BIT(c)) && cg->layout.where[c] == CGV_2)
                                v2 |= CG_BIT(c);
                r = enable_v2(cg->cg2_mount, cg->rel, cg->keep, v2, e);
        }
        for (int c = 0; r >= 0 && c < _CG_MAX; c++)
                if ((need & CG_BIT(c)) && cg->layout.where[c] == CGV_1 && !(cg->v1_joined & CG_BIT(c)))
                        r = join_live(cg, c, e);
        if (r >= 0)
                r = apply_writes(cg, w, n, e);
        free(w);
        return r;
}

int container_cgroup_freeze(ContainerCgroup *cg, bool freeze, Error *e)
{
        /* cgroup2's freezer is part of its core: on a hybrid host too. */
        bool v2 = cg->path != NULL;
        _cleanup_free_ char *dir = v2 ? strdup(cg->path) : dir_of(cg, CG_FREEZER);
        int r;
        if (!dir)
                return error_set(e, -EOPNOTSUPP, "cannot %s the container: it has neither a cgroup2 cgroup nor a v1 freezer cgroup",
                                 freeze ? "freeze" : "thaw");
        if ((r = write_in(dir, v2 ? "cgroup.freeze" : "freezer.state", v2 ? (freeze ? "1" : "0") : (freeze ? "FROZEN" : "THAWED"))) < 0)
                return error_set_errno(e, r, "cannot %s the container (%s)", freeze ? "freeze" : "thaw", dir);
        /* Freezing is asynchronous: wait until every task is stopped (or running again). */
        for (int i = 0; i < 500; i++) {
                _cleanup_free_ char *t = NULL;
                if (read_in(dir, v2 ? "cgroup.events" : "freezer.state", &t) < 0)
                        break;
                if (v2 ? keyed(t, "frozen") == (freeze ? 1 : 0) : startswith(t, freeze ? "FROZEN" : "THAWED") != NULL)
                        return 0;
                usleep(10000);
        }
        return error_set(e, -ETIMEDOUT, "the container did not %s within 5 s (%s)", freeze ? "freeze" : "thaw", dir);
}

int container_cgroup_open_at(const char *rel, ContainerCgroup *ret, Error *e)
{
        ContainerCgroup cg;
        int r;
        *ret = CONTAINER_CGROUP_NULL;
        if ((r = prepare_at(rel, &cg, e)) < 0)
                return r;
        if (cg.path && access(cg.path, F_OK) < 0)
                cg.path = mfree(cg.path);
        for (int c = 0; c < _CG_MAX; c++) {
                if (cg.layout.where[c] != CGV_1 || c == CG_DEVICES)
                        continue;
                _cleanup_free_ char *p = path_join(cg.v1_mount[c], rel);
                if (p && access(p, F_OK) == 0)
                        cg.v1_joined |= CG_BIT(c);
        }
        cg.created = true;
        *ret = cg;
        return 0;
}

int container_cgroup_frozen(const ContainerCgroup *cg)
{
        _cleanup_free_ char *t = NULL;
        if (cg->path) {
                if (read_in(cg->path, "cgroup.events", &t) < 0)
                        return -ENOENT;
                return keyed(t, "frozen") == 1;
        }
        _cleanup_free_ char *dir = dir_of(cg, CG_FREEZER);
        if (!dir || read_in(dir, "freezer.state", &t) < 0)
                return -ENOENT;
        return !startswith(t, "THAWED");
}

int container_cgroup_write(ContainerCgroup *cg, const CgroupWrite *w, size_t n, unsigned need, Error *e)
{
        int r = 0;
        for (int c = 0; r >= 0 && c < _CG_MAX; c++)
                if ((need & CG_BIT(c)) && cg->layout.where[c] == CGV_1 && !(cg->v1_joined & CG_BIT(c)) && c != CG_DEVICES)
                        r = join_live(cg, c, e);
        return r < 0 ? r : apply_writes(cg, w, n, e);
}

/* The directory whose cgroup.procs lists the container's processes: cgroup2's, else a v1
 * hierarchy's it joined. */
static char *procs_dir(const ContainerCgroup *cg)
{
        if (cg->path)
                return strdup(cg->path);
        for (int c = 0; c < _CG_MAX; c++)
                if (cg->v1_joined & CG_BIT(c))
                        return path_join(cg->v1_mount[c], cg->rel);
        return NULL;
}

typedef struct PidList {
        pid_t *pids;
        size_t n;
        bool oom;
} PidList;

static bool collect_pid(int pid, void *data)
{
        PidList *l = data;
        pid_t *x = reallocarray(l->pids, l->n + 1, sizeof(pid_t));
        if (!x) {
                l->oom = true;
                return true;
        }
        x[l->n++] = pid;
        l->pids = x;
        return false;
}

int container_cgroup_pids(const ContainerCgroup *cg, pid_t **ret, size_t *ret_n)
{
        _cleanup_free_ char *dir = procs_dir(cg);
        PidList l = {0};
        if (!dir)
                return -ENOENT;
        walk_pids(dir, collect_pid, &l);
        if (l.oom) {
                free(l.pids);
                return -ENOMEM;
        }
        *ret = l.pids;
        *ret_n = l.n;
        return 0;
}

bool container_cgroup_signal(const ContainerCgroup *cg, int sig)
{
        _cleanup_free_ char *dir = procs_dir(cg);
        return dir && cgroup_signal_tree(dir, sig, 0);
}
