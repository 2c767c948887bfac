/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* /etc/resolv.conf, /etc/localtime and the journal link: small edits of the image, made the way
 * nspawn 252 makes them.  Like nspawn, a failure here is not fatal where the image simply cannot
 * take the change (read-only, a symlink the guest manages); other failures are reported. */
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include "fs-util.h"
#include "mount-plan.h"

#define STATIC_RESOLV_CONF "/usr/lib/systemd/resolv.conf"

static const char *resolv_source(ResolvConfMode m)
{
        switch (m) {
        case RESOLV_CONF_COPY_STATIC:
        case RESOLV_CONF_REPLACE_STATIC:
        case RESOLV_CONF_BIND_STATIC:
                return STATIC_RESOLV_CONF;
        case RESOLV_CONF_COPY_UPLINK:
        case RESOLV_CONF_REPLACE_UPLINK:
        case RESOLV_CONF_BIND_UPLINK:
                return "/run/systemd/resolve/resolv.conf";
        case RESOLV_CONF_COPY_STUB:
        case RESOLV_CONF_REPLACE_STUB:
        case RESOLV_CONF_BIND_STUB:
                return "/run/systemd/resolve/stub-resolv.conf";
        default:
                return "/etc/resolv.conf";
        }
}

static bool harmless(int r)
{
        return r == -EROFS || r == -EACCES || r == -EPERM || r == -ELOOP || r == -ENOENT;
}

static int open_etc(int rootfd)
{
        return open_in_root(rootfd, "/etc", O_RDONLY | O_DIRECTORY, 0);
}

static bool same_content(int dirfd, const char *name, const char *data, size_t size)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
        _cleanup_free_ char *have = NULL;
        size_t n;
        return fd >= 0 && read_full_fd(fd, &have, &n) >= 0 && n == size && memcmp(have, data, size) == 0;
}

/* Writes the host file src as name in the container's /etc.  replace: also over a symlink. */
static int copy_into_etc(int rootfd, const char *src, const char *name, bool replace)
{
        _cleanup_free_ char *data = NULL;
        _cleanup_close_ int etc = open_etc(rootfd);
        size_t size;
        struct stat st;
        int r;

        if (etc < 0)
                return etc;
        if ((r = read_full_file(src, &data, &size)) < 0)
                return r;
        if (fstatat(etc, name, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (!S_ISREG(st.st_mode)) {
                        if (!replace)
                                return -ELOOP; /* the guest manages it (resolved's stub, say) */
                        if (unlinkat(etc, name, 0) < 0)
                                return negative_errno();
                } else if ((size_t)st.st_size == size && same_content(etc, name, data, size))
                        return 0; /* already right: the image is not rewritten at every start */
        }
        return write_file_at(etc, name, data, size, 0644);
}

static int bind_into_etc(int rootfd, const char *src, const char *name)
{
        _cleanup_free_ char *path = path_join("/etc", name);
        if (!path)
                return -ENOMEM;
        _cleanup_close_ int dst = make_mount_point_in_root(rootfd, path, false);
        if (dst < 0)
                return dst;
        char buf[FD_PATH_MAX];
        if (mount(src, fd_path(dst, buf), NULL, MS_BIND, NULL) < 0)
                return negative_errno();
        closep(&dst);
        if ((dst = open_in_root(rootfd, path, O_PATH, 0)) < 0)
                return dst;
        if (mount(NULL, fd_path(dst, buf), NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
                return negative_errno();
        return 0;
}

static int unlink_in_etc(int rootfd, const char *name)
{
        _cleanup_close_ int etc = open_etc(rootfd);
        if (etc < 0)
                return etc;
        return unlinkat(etc, name, 0) < 0 && errno != ENOENT ? negative_errno() : 0;
}

static int apply_resolv_conf(int rootfd, ResolvConfMode m)
{
        const char *src = resolv_source(m);
        int r;

        switch (m) {
        case RESOLV_CONF_OFF:
                return 0;
        case RESOLV_CONF_DELETE:
                return unlink_in_etc(rootfd, "resolv.conf");
        case RESOLV_CONF_BIND_HOST:
        case RESOLV_CONF_BIND_STATIC:
        case RESOLV_CONF_BIND_UPLINK:
        case RESOLV_CONF_BIND_STUB:
                if ((r = bind_into_etc(rootfd, src, "resolv.conf")) >= 0)
                        return 0;
                /* As nspawn: if the bind mount is impossible, try a copy. */
                return copy_into_etc(rootfd, src, "resolv.conf", false);
        case RESOLV_CONF_REPLACE_HOST:
        case RESOLV_CONF_REPLACE_STATIC:
        case RESOLV_CONF_REPLACE_UPLINK:
        case RESOLV_CONF_REPLACE_STUB:
                return copy_into_etc(rootfd, src, "resolv.conf", true);
        default:
                return copy_into_etc(rootfd, src, "resolv.conf", false);
        }
}

static int apply_timezone(int rootfd, TimezoneMode m, const char *zone)
{
        _cleanup_close_ int etc = -1;
        int r;

        switch (m) {
        case TIMEZONE_OFF:
                return 0;
        case TIMEZONE_DELETE:
                return unlink_in_etc(rootfd, "localtime");
        case TIMEZONE_SYMLINK: {
                char cur[PATH_MAX], want[PATH_MAX], check[PATH_MAX];
                if (!zone)
                        return 0; /* the host's link does not point into zoneinfo; nothing to copy */
                snprintf(want, sizeof(want), "../usr/share/zoneinfo/%s", zone);
                if ((etc = open_etc(rootfd)) < 0)
                        return etc;
                ssize_t n = readlinkat(etc, "localtime", cur, sizeof(cur) - 1);
                if (n > 0) {
                        cur[n] = 0;
                        const char *z = startswith(cur, "../usr/share/zoneinfo/") ?: startswith(cur, "/usr/share/zoneinfo/");
                        if (z && streq(z, zone))
                                return 0;
                }
                snprintf(check, sizeof(check), "/usr/share/zoneinfo/%s", zone);
                _cleanup_close_ int zf = open_in_root(rootfd, check, O_PATH, 0);
                if (zf >= 0) {
                        if (unlinkat(etc, "localtime", 0) < 0 && errno != ENOENT)
                                return negative_errno();
                        return symlinkat(want, etc, "localtime") < 0 ? negative_errno() : 0;
                }
                /* The image lacks this zone: fall back to a bind mount of the host's file. */
        }
                /* fall through */
        case TIMEZONE_BIND:
                if ((r = bind_into_etc(rootfd, "/etc/localtime", "localtime")) >= 0)
                        return 0;
                /* fall through */
        case TIMEZONE_COPY:
        default:
                return copy_into_etc(rootfd, "/etc/localtime", "localtime", true);
        }
}

/* nspawn's setup_journal(): the host's /var/log/journal/ID and the container's, linked. */
static int apply_journal(int rootfd, const char *image, LinkJournal mode, const char *id, Error *e)
{
        bool try = mode == LINK_JOURNAL_TRY_HOST || mode == LINK_JOURNAL_TRY_GUEST || mode == LINK_JOURNAL_AUTO;
        bool guest = mode == LINK_JOURNAL_GUEST || mode == LINK_JOURNAL_TRY_GUEST;
        bool host = mode == LINK_JOURNAL_HOST || mode == LINK_JOURNAL_TRY_HOST;
        _cleanup_free_ char *p = NULL, *q = NULL, *q_host = NULL;
        char link[PATH_MAX];
        int r;

        if (asprintf(&p, "/var/log/journal/%s", id) < 0 || asprintf(&q, "/var/log/journal/%s", id) < 0 ||
            asprintf(&q_host, "%s/var/log/journal/%s", image, id) < 0)
                return -ENOMEM;

        ssize_t n = readlink(p, link, sizeof(link) - 1);
        if (n >= 0) {
                link[n] = 0;
                if ((guest || mode == LINK_JOURNAL_AUTO) && streq(link, q_host)) {
                        int d = mkdir_p_in_root(rootfd, q, 0755);
                        if (d >= 0)
                                close(d);
                        return 0;
                }
                if (unlink(p) < 0)
                        return error_set_errno(e, negative_errno(), "--link-journal: cannot remove the stale link %s", p);
        } else if (errno == EINVAL) {
                /* A directory on the host. */
                if (guest && rmdir(p) < 0) {
                        if (try)
                                return 0;
                        return error_set_errno(e, negative_errno(), "--link-journal=guest: %s exists on the host and cannot be replaced by a link",
                                               p);
                }
        } else if (errno != ENOENT)
                return error_set_errno(e, negative_errno(), "--link-journal: cannot read %s", p);

        if (guest) {
                if (symlink(q_host, p) < 0) {
                        if (try)
                                return 0;
                        return error_set_errno(e, negative_errno(), "--link-journal=guest: cannot link %s to %s", p, q_host);
                }
                _cleanup_close_ int d = mkdir_p_in_root(rootfd, q, 0755);
                if (d < 0 && !try)
                        return error_set_errno(e, d, "--link-journal=guest: cannot create %s in the container", q);
                return 0;
        }
        if (host) {
                /* Parents are not created: a host without a persistent journal is not forced into one. */
                if (mkdir(p, 0755) < 0 && errno != EEXIST) {
                        if (try)
                                return 0;
                        return error_set_errno(e, negative_errno(), "--link-journal=host: cannot create %s", p);
                }
        } else if (access(p, F_OK) < 0)
                return 0; /* auto, and the host keeps no journal for this machine */

        _cleanup_close_ int dst = mkdir_p_in_root(rootfd, q, 0755);
        if (dst < 0) {
                if (try)
                        return 0;
                return error_set_errno(e, dst, "--link-journal: cannot create %s in the container", q);
        }
        char buf[FD_PATH_MAX];
        if (mount(p, fd_path(dst, buf), NULL, MS_BIND, NULL) < 0 && (r = negative_errno()) < 0)
                return error_set_errno(e, r, "--link-journal: cannot bind mount %s into the container", p);
        return 0;
}

int mount_integration_apply(int rootfd, const char *image, const MountStep *m, Error *e);
int mount_integration_apply(int rootfd, const char *image, const MountStep *m, Error *e)
{
        int r;
        switch (m->type) {
        case STEP_RESOLV_CONF:
                r = apply_resolv_conf(rootfd, (ResolvConfMode)m->mode_enum);
                if (r < 0 && !harmless(r))
                        return error_set_errno(e, r, "--resolv-conf=%s: cannot set up /etc/resolv.conf in the container",
                                               resolv_conf_mode_to_string((ResolvConfMode)m->mode_enum));
                return 0;
        case STEP_TIMEZONE:
                r = apply_timezone(rootfd, (TimezoneMode)m->mode_enum, m->source);
                if (r < 0 && !harmless(r))
                        return error_set_errno(e, r, "--timezone=%s: cannot set up /etc/localtime in the container",
                                               timezone_mode_to_string((TimezoneMode)m->mode_enum));
                return 0;
        case STEP_JOURNAL:
                return apply_journal(rootfd, image, (LinkJournal)m->mode_enum, m->source, e);
        default:
                return -EINVAL;
        }
}
