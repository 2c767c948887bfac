/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Users from the container's passwd and group files, and the switch to them with the
 * container's capabilities. */
#include <grp.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#include "capability.h"
#include "credentials.h"
#include "macro.h"
#include "parse-util.h"

/* Looks the user up in the container's own /etc/passwd (never the host's NSS). */
int user_lookup(const char *spec, User *ret)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/passwd", "re");
        unsigned long num;
        bool numeric = parse_unsigned(spec, &num) == 0;
        char line[4096];

        if (numeric && num == 0 && !f) {
                *ret = (User){.uid = 0, .gid = 0, .name = strdup("root"), .home = strdup("/root"), .shell = strdup("/bin/sh")};
                return 0;
        }
        if (!f)
                return -errno;
        while (fgets(line, sizeof(line), f)) {
                char *fields[7] = {0}, *p = line;
                line[strcspn(line, "\n")] = 0;
                for (int i = 0; i < 7; i++)
                        fields[i] = strsep(&p, ":");
                if (!fields[6])
                        continue;
                unsigned long uid, gid;
                if (parse_unsigned(fields[2], &uid) < 0 || parse_unsigned(fields[3], &gid) < 0)
                        continue;
                if (numeric ? uid != num : !streq(fields[0], spec))
                        continue;
                *ret = (User){.uid = (uid_t)uid, .gid = (gid_t)gid, .name = strdup(fields[0]), .home = strdup(fields[5]), .shell = strdup(fields[6])};
                return 0;
        }
        if (numeric) {
                /* A UID without a passwd entry, as nspawn allows. */
                *ret = (User){.uid = (uid_t)num, .gid = (gid_t)num, .name = NULL, .home = NULL};
                return 0;
        }
        return -ESRCH;
}

/* The user's groups as initgroups(3) makes them: the primary group, then every group of
 * /etc/group that lists the user. */
static int supplementary_groups(const char *user, gid_t primary, gid_t **ret, size_t *ret_n)
{
        _cleanup_fclose_ FILE *f = fopen("/etc/group", "re");
        char line[8192];
        gid_t *l = malloc(sizeof(gid_t));
        size_t n = 0;

        *ret = NULL;
        *ret_n = 0;
        if (!l)
                return -ENOMEM;
        l[n++] = primary;
        while (f && user && fgets(line, sizeof(line), f)) {
                char *fields[4] = {0}, *p = line;
                line[strcspn(line, "\n")] = 0;
                for (int i = 0; i < 4; i++)
                        fields[i] = strsep(&p, ":");
                unsigned long gid;
                if (!fields[3] || parse_unsigned(fields[2], &gid) < 0)
                        continue;
                for (char *save = NULL, *m = strtok_r(fields[3], ",", &save); m; m = strtok_r(NULL, ",", &save))
                        if (streq(m, user) && (gid_t)gid != primary) {
                                gid_t *nl = realloc(l, sizeof(gid_t) * (n + 1));
                                if (!nl) {
                                        free(l);
                                        return -ENOMEM;
                                }
                                l = nl;
                                l[n++] = (gid_t)gid;
                        }
        }
        *ret = l;
        *ret_n = n;
        return 0;
}

static int set_capabilities(uint64_t eff, uint64_t prm, uint64_t inh)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2];
        for (int i = 0; i < 2; i++)
                d[i] = (struct __user_cap_data_struct){
                        .effective = (uint32_t)(eff >> (32 * i)),
                        .permitted = (uint32_t)(prm >> (32 * i)),
                        .inheritable = (uint32_t)(inh >> (32 * i)),
                };
        return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* The effective, permitted and inheritable sets the process has. */
static void current_sets(CapabilitySets *ret)
{
        struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
        struct __user_cap_data_struct d[2] = {0};
        (void)syscall(SYS_capget, &h, d);
        *ret = (CapabilitySets){
                .effective = (uint64_t)d[1].effective << 32 | d[0].effective,
                .permitted = (uint64_t)d[1].permitted << 32 | d[0].permitted,
                .inheritable = (uint64_t)d[1].inheritable << 32 | d[0].inheritable,
        };
}

/* Whether the bounding set holds every capability the kernel has. */
static bool bounding_set_is_full(void)
{
        for (int cap = 0; cap <= 63; cap++) {
                int r = prctl(PR_CAPBSET_READ, cap, 0, 0, 0);
                if (r < 0)
                        return true; /* past the kernel's last capability */
                if (r == 0)
                        return false;
        }
        return true;
}

void capability_sets_nspawn(uint64_t keep, uint64_t ambient, bool fresh_userns, CapabilitySets *ret_root, CapabilitySets *ret_user)
{
        /* As nspawn: inheritable = what is kept.  With --capability=all and a full bounding
         * set nothing changes, so the inheritable set stays the caller's (empty under a
         * systemd service); where the host's bounding set lacks some, nspawn sets them all to
         * it. */
        *ret_root = (CapabilitySets){keep, keep, keep, keep, ambient};
        if (keep == CAP_SET_ALL && (fresh_userns || bounding_set_is_full())) {
                CapabilitySets now = {.effective = CAP_SET_ALL, .permitted = CAP_SET_ALL};
                if (!fresh_userns)
                        current_sets(&now);
                *ret_root = (CapabilitySets){CAP_SET_ALL, now.effective, now.permitted, now.inheritable, ambient};
        }
        /* After the user change only what is ambient is inheritable (none without), as nspawn;
         * an exec then leaves the user with the ambient set in its permitted and effective
         * ones. */
        *ret_user = (CapabilitySets){keep, 0, ambient, ambient, ambient};
}

/* The bounding set becomes bounding. */
static int drop_bounding(uint64_t bounding)
{
        for (int cap = 0; cap <= 63; cap++) {
                if (bounding & (UINT64_C(1) << cap))
                        continue;
                if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0) {
                        if (errno == EINVAL)
                                break; /* past the kernel's last capability */
                        return -errno;
                }
        }
        return 0;
}

/* The effective, permitted and inheritable sets of s, limited to what is permitted now. */
static int take_sets(const CapabilitySets *s)
{
        CapabilitySets now;
        current_sets(&now);
        return set_capabilities(s->effective & now.permitted, s->permitted & now.permitted, s->inheritable & now.permitted);
}

/* The kernel takes only ambient capabilities that are permitted and inheritable: the others
 * are left out, as runc leaves them (an OCI config may list ambient ones and no inheritable
 * ones: runc's own default does).  nspawn's sets always make them inheritable. */
static int raise_ambient(uint64_t ambient)
{
        CapabilitySets now;
        current_sets(&now);
        ambient &= now.permitted & now.inheritable;
        for (int cap = 0; cap <= 63; cap++)
                if ((ambient & (UINT64_C(1) << cap)) && prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) < 0)
                        return -errno;
        return 0;
}

void user_done(User *u)
{
        u->name = mfree(u->name);
        u->home = mfree(u->home);
        u->shell = mfree(u->shell);
}

int credentials_apply(const User *u, bool switch_user, const CapabilitySets *root, const CapabilitySets *user, bool no_new_privs,
                      CredentialStep *ret_step)
{
        int r;
        /* The bounding set first; the other sets after a change of user, which needs
         * CAP_SETUID and CAP_SETGID whether or not the container keeps them (nspawn drops
         * only the bounding set before it, runc applies the sets after it). */
        *ret_step = CREDENTIALS_CAPABILITIES;
        if ((r = drop_bounding(root->bounding)) < 0 || (!switch_user && (r = take_sets(root)) < 0))
                return r;
        if (switch_user) {
                gid_t *groups = NULL;
                size_t n = u->n_groups;
                *ret_step = CREDENTIALS_GROUPS;
                if (u->have_groups) {
                        if (n > 0 && !(groups = malloc(n * sizeof(gid_t))))
                                return -ENOMEM;
                        if (n > 0)
                                memcpy(groups, u->groups, n * sizeof(gid_t));
                } else if ((r = supplementary_groups(u->name, u->gid, &groups, &n)) < 0)
                        return r;
                *ret_step = CREDENTIALS_USER;
                if ((user->permitted && prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0) || setgroups(n, groups) < 0 ||
                    setresgid(u->gid, u->gid, u->gid) < 0 || setresuid(u->uid, u->uid, u->uid) < 0) {
                        r = negative_errno();
                        free(groups);
                        return r;
                }
                free(groups);
        }
        const CapabilitySets *now = switch_user ? user : root;
        *ret_step = CREDENTIALS_AMBIENT;
        if (switch_user && (r = take_sets(user)) < 0)
                return r;
        if ((r = raise_ambient(now->ambient)) < 0)
                return r;
        *ret_step = CREDENTIALS_NO_NEW_PRIVS;
        if (no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
                return negative_errno();
        return 0;
}
