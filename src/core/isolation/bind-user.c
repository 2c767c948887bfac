/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <shadow.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bind-user.h"
#include "fs-util.h"
#include "macro.h"

/* The container's passwd or group file (as its root sees it), or NULL where it has none. */
static FILE *open_tree_file(int tree_fd, const char *path)
{
        int fd = open_in_root(tree_fd, path, O_RDONLY | O_CLOEXEC, 0);
        if (fd < 0)
                return NULL;
        FILE *f = fdopen(fd, "re");
        if (!f)
                close(fd);
        return f;
}

/* Whether the container's /etc/passwd has the name or the UID (either may be NULL / -1). */
static bool tree_has_user(int tree_fd, const char *name, int64_t uid)
{
        _cleanup_fclose_ FILE *f = open_tree_file(tree_fd, "/etc/passwd");
        for (struct passwd *pw; f && (pw = fgetpwent(f));)
                if ((name && streq(pw->pw_name, name)) || (uid >= 0 && pw->pw_uid == (uid_t)uid))
                        return true;
        return false;
}

static bool tree_has_group(int tree_fd, const char *name, int64_t gid)
{
        _cleanup_fclose_ FILE *f = open_tree_file(tree_fd, "/etc/group");
        for (struct group *gr; f && (gr = fgetgrent(f));)
                if ((name && streq(gr->gr_name, name)) || (gid >= 0 && gr->gr_gid == (gid_t)gid))
                        return true;
        return false;
}

/* The host's entry of name, from /etc/passwd itself (corral reads no NSS). */
static int host_user(const char *name, BoundUser *u)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        if (!f)
                return -errno;
        for (struct passwd *pw; (pw = fgetpwent(f));)
                if (streq(pw->pw_name, name)) {
                        u->host_uid = pw->pw_uid;
                        u->host_gid = pw->pw_gid;
                        return (u->name = strdup(name)) && (u->home = strdup(pw->pw_dir)) ? 0 : -ENOMEM;
                }
        return -ESRCH;
}

static int host_group_name(gid_t gid, char **ret)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/group", "re");
        *ret = NULL;
        if (!f)
                return negative_errno();
        for (struct group *gr; (gr = fgetgrent(f));)
                if (gr->gr_gid == gid)
                        return (*ret = strdup(gr->gr_name)) ? 0 : -ENOMEM;
        return -ESRCH;
}

/* The hash of /etc/shadow, if there is one (a locked or empty one is none). */
static int host_password(BoundUser *u)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/shadow", "re");
        if (!f)
                return errno == ENOENT ? 0 : -errno;
        for (struct spwd *sp; (sp = fgetspent(f));)
                if (streq(sp->sp_namp, u->name)) {
                        if (!sp->sp_pwdp || !*sp->sp_pwdp || sp->sp_pwdp[0] == '!' || sp->sp_pwdp[0] == '*')
                                return 0;
                        return (u->hashed_password = strdup(sp->sp_pwdp)) ? 0 : -ENOMEM;
                }
        return 0;
}

static int resolve_one(const char *name, int tree_fd, uint32_t shift, uint32_t range, uint32_t *next, BoundUser *u, Error *e)
{
        _cleanup_free_ char *group = NULL;
        struct stat st;
        int r = host_user(name, u);
        if (r == -ESRCH)
                return error_set(e, r, "--bind-user=%s: no such user in the host's /etc/passwd", name);
        if (r < 0)
                return error_set_errno(e, r, "--bind-user=%s: cannot read the host's /etc/passwd", name);
        if (u->host_uid == 0)
                return error_set(e, -EINVAL, "--bind-user=%s: mapping the root user is not supported (as nspawn)", name);
        if (u->host_uid == 65534)
                return error_set(e, -EINVAL, "--bind-user=%s: mapping the nobody user is not supported (as nspawn)", name);
        if (u->host_uid >= shift && u->host_uid - shift < range)
                return error_set(e, -EINVAL, "--bind-user=%s: its UID %u is inside the container's UID range (%u-%u)", name, u->host_uid, shift,
                                 shift + range - 1);
        if ((r = host_group_name(u->host_gid, &group)) < 0)
                return error_set_errno(e, r, "--bind-user=%s: cannot find its group %u in the host's /etc/group", name, u->host_gid);
        if (u->host_gid >= shift && u->host_gid - shift < range)
                return error_set(e, -EINVAL, "--bind-user=%s: its GID %u is inside the container's GID range (%u-%u)", name, u->host_gid, shift,
                                 shift + range - 1);
        if (!streq(group, name))
                return error_set(e, -EOPNOTSUPP,
                                 "--bind-user=%s: its group is '%s': only users with a private group of their name can be bound (as nspawn)", name,
                                 group);
        for (; *next <= BIND_USER_UID_MAX && *next < range; (*next)++)
                if (!tree_has_user(tree_fd, NULL, *next) && !tree_has_group(tree_fd, NULL, *next))
                        break;
        if (*next > BIND_USER_UID_MAX || *next >= range)
                return error_set(e, -EBUSY, "--bind-user=%s: no UID of %u-%u is free in the container's /etc/passwd and /etc/group", name,
                                 BIND_USER_UID_MIN, BIND_USER_UID_MAX);
        u->uid = (*next)++;
        if (tree_has_user(tree_fd, name, -1))
                return error_set(e, -EBUSY, "--bind-user=%s: the container has a user of that name already (its /etc/passwd)", name);
        if (tree_has_group(tree_fd, name, -1))
                return error_set(e, -EBUSY, "--bind-user=%s: the container has a group of that name already (its /etc/group)", name);
        if (stat(u->home, &st) < 0)
                return error_set_errno(e, -errno, "--bind-user=%s: its home directory %s", name, u->home);
        if (!S_ISDIR(st.st_mode))
                return error_set(e, -ENOTDIR, "--bind-user=%s: its home %s is not a directory", name, u->home);
        if ((r = host_password(u)) < 0)
                return error_set_errno(e, r, "--bind-user=%s: cannot read the host's /etc/shadow", name);
        return 0;
}

int bound_users_resolve(char *const *names, int tree_fd, uint32_t shift, uint32_t range, BoundUser **ret, size_t *ret_n, Error *e)
{
        size_t n = 0;
        uint32_t next = BIND_USER_UID_MIN;
        for (char *const *i = names; i && *i; i++)
                n++;
        BoundUser *u = calloc(n ? n : 1, sizeof(BoundUser));
        if (!u)
                return error_set(e, -ENOMEM, "out of memory");
        for (size_t k = 0; k < n; k++) {
                int r = resolve_one(names[k], tree_fd, shift, range, &next, &u[k], e);
                if (r < 0) {
                        bound_users_free(u, n);
                        return r;
                }
        }
        *ret = u;
        *ret_n = n;
        return 0;
}

void bound_users_free(BoundUser *u, size_t n)
{
        for (size_t k = 0; u && k < n; k++) {
                free(u[k].name);
                free(u[k].home);
                free(u[k].hashed_password);
        }
        free(u);
}

/* s as a JSON string (names and hashes have no characters to escape but these). */
static int json_quote(const char *s, char **ret)
{
        size_t n = 0;
        for (const char *c = s; *c; c++)
                n += (*c == '"' || *c == '\\') ? 2 : ((unsigned char)*c < 0x20 ? 6 : 1);
        char *q = malloc(n + 3), *o = q;
        if (!q)
                return -ENOMEM;
        *o++ = '"';
        for (const char *c = s; *c; c++) {
                if (*c == '"' || *c == '\\') {
                        *o++ = '\\';
                        *o++ = *c;
                } else if ((unsigned char)*c < 0x20)
                        o += sprintf(o, "\\u%04x", (unsigned char)*c);
                else
                        *o++ = *c;
        }
        *o++ = '"';
        *o = 0;
        *ret = q;
        return 0;
}

int bound_user_records(const BoundUser *u, char **user, char **group, char **privileged)
{
        _cleanup_free_ char *name = NULL, *hash = NULL;
        *user = *group = *privileged = NULL;
        if (json_quote(u->name, &name) < 0 || (u->hashed_password && json_quote(u->hashed_password, &hash) < 0))
                return -ENOMEM;
        if (asprintf(user, "{\"userName\":%s,\"uid\":%u,\"gid\":%u,\"homeDirectory\":\"/run/host/home/%s\",\"service\":\"io.systemd.NSpawn\"}\n",
                     name, u->uid, u->uid, u->name) < 0)
                goto fail;
        if (asprintf(group, "{\"groupName\":%s,\"gid\":%u,\"service\":\"io.systemd.NSpawn\"}\n", name, u->uid) < 0)
                goto fail;
        if (hash && asprintf(privileged, "{\"privileged\":{\"hashedPassword\":[%s]}}\n", hash) < 0)
                goto fail;
        return 0;
fail:
        free(*user);
        free(*group);
        *user = *group = *privileged = NULL;
        return -ENOMEM;
}
