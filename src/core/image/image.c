/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <ctype.h>
#include <sched.h>
#include <sys/mount.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>

#include "fs-util.h"
#include "image.h"
#include "parse-util.h"

const char *const image_search_path[] = {"/var/lib/machines", "/usr/local/lib/machines", "/usr/lib/machines", "/var/lib/container", NULL};

int image_find(const char *name, char **ret_path, Error *e)
{
        for (const char *const *d = image_search_path; *d; d++) {
                _cleanup_free_ char *p = path_join(*d, name), *raw = NULL;
                struct stat st;
                if (!p || asprintf(&raw, "%s.raw", p) < 0)
                        return -ENOMEM;
                if (stat(p, &st) == 0 && S_ISDIR(st.st_mode)) {
                        *ret_path = TAKE_PTR(p);
                        return 0;
                }
                if (stat(raw, &st) == 0 && (S_ISREG(st.st_mode) || S_ISBLK(st.st_mode))) {
                        *ret_path = TAKE_PTR(raw);
                        return 1;
                }
        }
        return error_set(
                e, -ENOENT,
                "no image for machine \"%s\" in /var/lib/machines, /usr/local/lib/machines, /usr/lib/machines or /var/lib/container; give its directory with -D",
                name);
}

int image_name_from_path(const char *path, char **ret)
{
        const char *b = streq(path, "/") ? "host" : path_basename(path);
        char *n = malloc(strlen(b) + 1), *o = n;
        if (!n)
                return -ENOMEM;
        /* As systemd's hostname_cleanup(): keep [a-zA-Z0-9-_.], no leading or double dots, max 64. */
        for (const char *p = b; *p && o - n < 64; p++) {
                if (*p == '.') {
                        if (o == n || o[-1] == '.')
                                continue;
                        *o++ = '.';
                } else if (isalnum((unsigned char)*p) || *p == '-' || *p == '_')
                        *o++ = *p;
        }
        while (o > n && o[-1] == '.')
                o--;
        *o = 0;
        if (!*n) {
                free(n);
                return -EINVAL;
        }
        *ret = n;
        return 0;
}

const char *const settings_trusted_dirs[] = {"/etc/systemd/nspawn", "/run/systemd/nspawn", NULL};

int settings_file_find(const char *name, const char *image, char **ret_path, bool *ret_trusted, Error *e)
{
        _cleanup_free_ char *fn = NULL;
        if (asprintf(&fn, "%s.nspawn", name) < 0)
                return -ENOMEM;

        for (const char *const *d = settings_trusted_dirs; *d; d++) {
                _cleanup_free_ char *p = path_join(*d, fn);
                if (!p)
                        return -ENOMEM;
                if (access(p, F_OK) == 0) {
                        *ret_path = TAKE_PTR(p);
                        *ret_trusted = true;
                        return 0;
                }
                if (errno != ENOENT)
                        return error_set_errno(e, negative_errno(), "cannot look at settings file %s", p);
        }
        *ret_path = NULL;
        *ret_trusted = false;
        if (!image || streq(image, "/"))
                return 0;
        /* Beside the image: untrusted, as it comes with the image. */
        _cleanup_free_ char *dir = path_dirname(image);
        if (!dir)
                return -ENOMEM;
        _cleanup_free_ char *p = path_join(dir, fn);
        if (!p)
                return -ENOMEM;
        if (access(p, F_OK) == 0)
                *ret_path = TAKE_PTR(p);
        else if (errno != ENOENT)
                return error_set_errno(e, negative_errno(), "cannot look at settings file %s", p);
        return 0;
}

int image_check_os_tree(const char *path, bool boot, Error *e)
{
        _cleanup_close_ int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) {
                if (errno == ENOENT)
                        return error_set(e, -ENOENT, "directory %s does not exist", path);
                if (errno == ENOTDIR)
                        return error_set(e, -ENOTDIR, "%s is not a directory", path);
                return error_set_errno(e, negative_errno(), "cannot open %s", path);
        }
        if (boot) {
                _cleanup_close_ int a = open_in_root(fd, "/etc/os-release", O_PATH, 0);
                _cleanup_close_ int b = a >= 0 ? -1 : open_in_root(fd, "/usr/lib/os-release", O_PATH, 0);
                if (a < 0 && b < 0)
                        return error_set(e, -EINVAL,
                                         "directory %s doesn't look like an OS root directory (os-release file is missing); refusing to boot it",
                                         path);
        } else {
                _cleanup_close_ int u = open_in_root(fd, "/usr", O_PATH | O_DIRECTORY, 0);
                if (u < 0)
                        return error_set(e, -EINVAL, "directory %s doesn't look like it has an OS tree (/usr/ directory is missing); refusing", path);
        }
        return 0;
}

/* The value of key in os-release text, unquoted (NULL if it has none, or out of memory). */
char *os_release_value(const char *text, const char *key)
{
        size_t kl = strlen(key);
        for (const char *line = text; line && *line;) {
                const char *nl = strchr(line, '\n');
                size_t len = nl ? (size_t)(nl - line) : strlen(line);
                if (len > kl && strneq(line, key, kl) && line[kl] == '=') {
                        char *v = strndup(line + kl + 1, len - kl - 1);
                        size_t vl = v ? strlen(v) : 0;
                        if (vl >= 2 && (v[0] == '"' || v[0] == '\'') && v[vl - 1] == v[0]) {
                                memmove(v, v + 1, vl - 2);
                                v[vl - 2] = 0;
                        }
                        return v;
                }
                line = nl ? nl + 1 : NULL;
        }
        return NULL;
}

/* container_host_ID=... from the host's os-release, as nspawn 252 passes them. */
int image_read_os_release(const char *tree, char **ret_text)
{
        _cleanup_close_ int root = open(tree, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return negative_errno();
        _cleanup_close_ int fd = open_in_root(root, "/etc/os-release", O_RDONLY, 0);
        if (fd < 0)
                fd = open_in_root(root, "/usr/lib/os-release", O_RDONLY, 0);
        if (fd < 0)
                return fd;
        return read_full_fd(fd, ret_text, NULL);
}

int image_read_machine_id(const char *root, uint8_t ret[static 16], Error *e)
{
        _cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
        _cleanup_close_ int fd = rfd < 0 ? -1 : open_in_root(rfd, "/etc/machine-id", O_RDONLY, 0);
        _cleanup_free_ char *text = NULL;
        uint8_t zero[16] = {0};
        int r;

        if (fd < 0)
                return 0;
        if ((r = read_full_fd(fd, &text, NULL)) < 0)
                return error_set_errno(e, r, "cannot read %s/etc/machine-id", root);
        text[strcspn(text, "\n")] = 0;
        if (!*text || streq(text, "uninitialized"))
                return 0;
        if (parse_uuid(text, ret) < 0 || strlen(text) != 32)
                return error_set(e, -EINVAL, "%s/etc/machine-id is not a valid machine ID; fix or empty it", root);
        if (memcmp(ret, zero, 16) == 0)
                return error_set(e, -EINVAL, "machine ID in container image is zero, refusing");
        return 1;
}

int image_mount_namespace(const char *image, Error *e)
{
        int r;
        if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
                return error_set_errno(e, negative_errno(), "cannot make a mount namespace for the image %s", image);
        if ((r = mkdir_p(IMAGE_MOUNT_ROOT, 0755)) < 0)
                return error_set_errno(e, r, "cannot create %s", IMAGE_MOUNT_ROOT);
        return 0;
}

static int lock_file(const char *lock_dir, const char *name, bool shared, ImageLock *ret)
{
        _cleanup_free_ char *p = path_join(lock_dir, name);
        int r;
        if (!p)
                return -ENOMEM;
        for (;;) {
                _cleanup_close_ int fd = open(p, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
                struct stat a, b;
                if (fd < 0 && errno == ENOENT) {
                        /* The lock directory is made on first use. */
                        if ((r = mkdir_p(lock_dir, 0700)) < 0)
                                return r;
                        continue;
                }
                if (fd < 0)
                        return negative_errno();
                if (flock(fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) < 0)
                        return errno == EWOULDBLOCK ? -EBUSY : negative_errno();
                /* Someone may have removed the file between our open and flock: retry then. */
                if (fstat(fd, &a) < 0 || stat(p, &b) < 0 || a.st_ino != b.st_ino)
                        continue;
                *ret = (ImageLock){.fd = TAKE_FD(fd), .path = TAKE_PTR(p)};
                return 0;
        }
}

int image_lock_try(const char *lock_dir, const char *image, bool shared, ImageLock *ret, Error *e)
{
        struct stat st;
        char name[64];
        int r;
        if (stat(image, &st) < 0)
                return error_set_errno(e, negative_errno(), "cannot stat %s", image);
        snprintf(name, sizeof(name), "inode-%lu:%lu", (unsigned long)st.st_dev, (unsigned long)st.st_ino);
        r = lock_file(lock_dir, name, shared, ret);
        if (r == -EBUSY)
                return r;
        if (r < 0)
                return error_set_errno(e, r, "cannot lock %s (lock directory %s)", image, lock_dir);
        return 0;
}

int image_lock(const char *lock_dir, const char *image, bool shared, ImageLock *ret, Error *e)
{
        int r = image_lock_try(lock_dir, image, shared, ret, e);
        if (r == -EBUSY)
                return error_set(
                        e, r,
                        "directory tree %s is currently busy: another container runs on it%s; stop it, or use --ephemeral or --read-only for a second one",
                        image, shared ? " writable" : "");
        return r;
}

int machine_name_lock(const char *lock_dir, const char *name, ImageLock *ret, Error *e)
{
        char n[128];
        int r;
        snprintf(n, sizeof(n), "machine-%s", name);
        r = lock_file(lock_dir, n, false, ret);
        if (r == -EBUSY)
                return error_set(e, r, "a container named \"%s\" is already running; pick another name with -M", name);
        if (r < 0)
                return error_set_errno(e, r, "cannot take the lock for machine \"%s\" in %s", name, lock_dir);
        return 0;
}

int machine_start_lock(const char *lock_dir, const char *name, ImageLock *ret)
{
        char n[128];
        snprintf(n, sizeof(n), "start-%s", name);
        return lock_file(lock_dir, n, false, ret);
}

void image_unlock(ImageLock *l)
{
        if (l->fd >= 0 && l->path) {
                /* Remove the file only if we can hold it exclusively: nobody else uses it. */
                if (flock(l->fd, LOCK_EX | LOCK_NB) == 0)
                        unlink(l->path);
        }
        closep(&l->fd);
        l->path = mfree(l->path);
}
