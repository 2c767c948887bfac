/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <stdarg.h>

#include "exec-limits.h"
#include "settings.h"
#include "strv.h"

static int add_warning(char ***warnings, const char *path, const char *what)
{
        char *m;
        if (!warnings)
                return 0;
        if (asprintf(
                    &m,
                    "%s: ignoring %s: the file is not trusted (only files in /etc/systemd/nspawn and /run/systemd/nspawn are, or use --settings=trusted)",
                    path, what) < 0)
                return -ENOMEM;
        return strv_push(warnings, m);
}

int settings_merge(Settings *c, Settings *f, bool trusted, const char *path, char ***warnings, Error *e)
{
        /* With --settings=override the file's values win wherever the file has one. */
        uint64_t take = f->mask & (c->settings_mode == SETTINGS_OVERRIDE ? ~0ULL : ~c->mask);
        int r;

        if (take & SETTING_START_MODE) {
                c->start_mode = f->start_mode;
                SWAP(c->parameters, f->parameters);
        }
        if (take & SETTING_ENVIRONMENT)
                SWAP(c->environment, f->environment);
        if (take & SETTING_USER)
                SWAP(c->user, f->user);
        if (take & SETTING_KILL_SIGNAL)
                c->kill_signal = f->kill_signal;
        if (take & SETTING_POWEROFF_SIGNAL)
                c->poweroff_signal = f->poweroff_signal;
        if (take & SETTING_PERSONALITY)
                c->personality = f->personality;
        if (take & SETTING_MACHINE_ID)
                c->uuid = f->uuid;
        if (take & SETTING_READ_ONLY)
                c->read_only = f->read_only;
        if (take & SETTING_VOLATILE_MODE)
                c->volatile_mode = f->volatile_mode;
        if (take & SETTING_EPHEMERAL)
                c->ephemeral = f->ephemeral;
        if (take & SETTING_WORKING_DIRECTORY)
                SWAP(c->working_directory, f->working_directory);
        if (take & SETTING_NOTIFY_READY)
                c->notify_ready = f->notify_ready;
        if (take & SETTING_SUPPRESS_SYNC)
                c->suppress_sync = f->suppress_sync;
        /* Limits, OOM score and CPU affinity only from trusted files, as nspawn. */
        for (int l = 0; l < RLIMIT_NLIMITS; l++)
                if (take & SETTING_RLIMIT(l)) {
                        if (!trusted) {
                                char what[32];
                                snprintf(what, sizeof(what), "Limit%s=", rlimit_to_name(l));
                                if ((r = add_warning(warnings, path, what)) < 0)
                                        return r;
                                take &= ~SETTING_RLIMIT(l); /* not ours to mark as set */
                        } else
                                c->rlimit[l] = f->rlimit[l];
                }
        if (take & SETTING_OOM_SCORE_ADJUST) {
                if (!trusted) {
                        if ((r = add_warning(warnings, path, "OOMScoreAdjust=")) < 0)
                                return r;
                } else
                        c->oom_score_adjust = f->oom_score_adjust;
        }
        if (take & SETTING_CPU_AFFINITY) {
                if (!trusted) {
                        if ((r = add_warning(warnings, path, "CPUAffinity=")) < 0)
                                return r;
                } else
                        c->cpu_affinity = f->cpu_affinity;
        }
        if (take & SETTING_SYSCALL_FILTER) {
                /* An untrusted file may deny system calls, never allow more. */
                if (!trusted && f->syscall_allow_list) {
                        if ((r = add_warning(warnings, path, "SystemCallFilter= allow entries")) < 0)
                                return r;
                } else
                        SWAP(c->syscall_allow_list, f->syscall_allow_list);
                SWAP(c->syscall_deny_list, f->syscall_deny_list);
        }
        if (take & SETTING_USERNS) {
                /* nspawn's rule: an untrusted file may not change the user namespace. */
                if (!trusted) {
                        if ((r = add_warning(warnings, path, "PrivateUsers=, PrivateUsersOwnership= and PrivateUsersChown=")) < 0)
                                return r;
                        take &= ~SETTING_USERNS;
                } else {
                        if (f->private_users.set) {
                                c->private_users = f->private_users;
                                c->uid_shift = f->uid_shift;
                                c->uid_range = f->uid_range;
                        }
                        if (f->userns_ownership.set)
                                c->userns_ownership = f->userns_ownership;
                }
        }
        if ((take & SETTING_NETWORK) &&
            (f->private_network.set || f->network_veth.set || f->network_bridge || f->network_veth_extra || f->network_macvlan || f->network_ipvlan ||
             f->network_interfaces || f->network_address || f->network_gateway || f->network_masquerade.set || f->network_zone)) {
                /* nspawn takes no network setting from an untrusted file. */
                if (!trusted) {
                        if ((r = add_warning(warnings, path, "the [Network] settings")) < 0)
                                return r;
                        take &= ~SETTING_NETWORK;
                } else {
                        c->private_network = f->private_network;
                        c->network_veth = f->network_veth;
                        SWAP(c->network_bridge, f->network_bridge);
                        SWAP(c->network_veth_extra, f->network_veth_extra);
                        SWAP(c->network_macvlan, f->network_macvlan);
                        SWAP(c->network_ipvlan, f->network_ipvlan);
                        SWAP(c->network_interfaces, f->network_interfaces);
                        SWAP(c->network_address, f->network_address);
                        SWAP(c->network_gateway, f->network_gateway);
                        c->network_masquerade = f->network_masquerade;
                        SWAP(c->network_zone, f->network_zone);
                }
        }
        if ((take & SETTING_EXPOSE_PORTS) && f->n_ports > 0) {
                if (!trusted) {
                        if ((r = add_warning(warnings, path, "Port=")) < 0)
                                return r;
                        take &= ~SETTING_EXPOSE_PORTS;
                } else {
                        SWAP(c->ports, f->ports);
                        SWAP(c->n_ports, f->n_ports);
                }
        }
        if (take & SETTING_NESTING) {
                /* Every capability and more system calls: a trusted file's to grant. */
                if (!trusted && OPTIONAL_OR(f->nesting, false)) {
                        if ((r = add_warning(warnings, path, "Nesting=")) < 0)
                                return r;
                        take &= ~SETTING_NESTING;
                } else
                        c->nesting = f->nesting;
        }
        if (take & SETTING_NO_NEW_PRIVILEGES)
                c->no_new_privileges = f->no_new_privileges; /* it only ever takes away */
        if (take & SETTING_CAPABILITY) {
                /* nspawn's rule: an untrusted file may drop capabilities, never add them. */
                if (!trusted && f->capability_plus != 0) {
                        if ((r = add_warning(warnings, path, "Capability=")) < 0)
                                return r;
                } else
                        c->capability_plus |= f->capability_plus;
                if (!trusted && f->capability_ambient != 0) {
                        if ((r = add_warning(warnings, path, "AmbientCapability=")) < 0)
                                return r;
                } else
                        c->capability_ambient |= f->capability_ambient;
                c->capability_minus |= f->capability_minus;
        }
        if (take & SETTING_PIVOT_ROOT) {
                SWAP(c->pivot_root_new, f->pivot_root_new);
                SWAP(c->pivot_root_old, f->pivot_root_old);
        }
        if (take & SETTING_HOSTNAME)
                SWAP(c->hostname, f->hostname);
        if (take & SETTING_RESOLV_CONF)
                c->resolv_conf = f->resolv_conf;
        if (take & SETTING_TIMEZONE)
                c->timezone = f->timezone;
        if (take & SETTING_LINK_JOURNAL)
                c->link_journal = f->link_journal;
        if (take & SETTING_CUSTOM_MOUNTS) {
                /* An untrusted file may not reach into the host's file system. */
                if (!trusted) {
                        if ((r = add_warning(warnings, path,
                                             "Bind=, BindReadOnly=, TemporaryFileSystem=, Inaccessible=, Overlay= and OverlayReadOnly=")) < 0)
                                return r;
                } else {
                        SWAP(c->custom_mounts, f->custom_mounts);
                        SWAP(c->n_custom_mounts, f->n_custom_mounts);
                }
        }
        if (take & SETTING_BIND_USER) {
                /* A host user's home and password hash: a trusted file's to give (nspawn 260). */
                if (!trusted) {
                        if ((r = add_warning(warnings, path, "BindUser=")) < 0)
                                return r;
                        take &= ~SETTING_BIND_USER;
                } else
                        SWAP(c->bind_users, f->bind_users);
        }
        if (f->mask & SETTING_RESOURCES) {
                /* Property by property: the file's fill what the command line left unset. */
                Resources *fr = &f->resources;
                if (c->settings_mode != SETTINGS_OVERRIDE) {
                        fr->set &= ~c->resources.set;
                        if (c->resources.slice)
                                fr->slice = mfree(fr->slice);
                }
                /* Device access is a privilege: an untrusted file may not grant it. */
                if (!trusted && (fr->set & RES_BIT(RES_DEVICE_ALLOW)) && fr->n_device_allow > 0) {
                        if ((r = add_warning(warnings, path, "DeviceAllow=")) < 0)
                                return r;
                        fr->set &= ~RES_BIT(RES_DEVICE_ALLOW);
                }
                resources_merge(&c->resources, fr);
                take |= SETTING_RESOURCES;
        }
        c->mask |= take;
        (void)e;
        return 0;
}
