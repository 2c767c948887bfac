/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <unistd.h>

#include "capability.h"
#include "fs-util.h"
#include "image-child.h"
#include "net-names.h"
#include "parse-util.h"
#include "verify.h"

bool settings_needs_links(const Settings *s)
{
        return OPTIONAL_OR(s->network_veth, false) || s->network_bridge || s->network_zone || s->network_veth_extra || s->network_macvlan ||
               s->network_ipvlan || s->network_interfaces;
}

bool settings_private_users(const Settings *s)
{
        return OPTIONAL_OR(s->private_users, PRIVATE_USERS_NO) != PRIVATE_USERS_NO;
}

bool settings_private_network(const Settings *s)
{
        return OPTIONAL_OR(s->private_network, false) || settings_needs_links(s); /* links imply a namespace, as nspawn */
}

/* Whether path ("+" sources) is in the container's tree, links resolved inside it: in the
 * directory, or for an overlay child in the layer that holds it.  0 if so, and where it cannot
 * be known before the start (a tree --template= makes, --volatile=yes's tmpfs root). */
static int tree_has(const Settings *s, const char *path)
{
        _cleanup_free_ char *lower = NULL, *work = NULL;
        if (!s->directory || s->volatile_mode == VOLATILE_YES || access(s->directory, F_OK) < 0)
                return 0;
        const char *layer = image_child_read(s->directory, &lower, &work) > 0 ? image_child_layer(s->directory, lower, path) : s->directory;
        _cleanup_close_ int root = open(layer, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return negative_errno();
        int fd = open_in_root(root, path, O_PATH, 0);
        if (fd < 0)
                return fd;
        close(fd);
        return 0;
}

/* 0 if a mount's source exists: in the container's tree (a "+" source), else on the host. */
static int source_exists(const Settings *s, const char *path, bool in_tree)
{
        if (in_tree)
                return tree_has(s, path);
        return access(path, F_OK) < 0 ? negative_errno() : 0;
}

/* The sources and options of the custom mounts, before anything is made or written in the tree
 * (as nspawn checks bind sources), so a start that fails on them leaves the tree as it was. */
static int verify_custom_mount(const Settings *s, const CustomMount *m, Error *e)
{
        const char *ro = m->read_only ? "-ro" : "";
        char shown[VALUE_SHOWN_MAX];
        int r;
        switch (m->type) {
        case CUSTOM_MOUNT_BIND:
                if (!m->source)
                        return 0;
                if ((r = source_exists(s, m->source, m->source_in_root)) < 0)
                        return error_set_errno(e, r, "--bind%s=%s%s:%s: source %s%s", ro, m->source_in_root ? "+" : "", m->source, m->destination,
                                               m->source, m->source_in_root ? " in the container's tree" : "");
                return 0;
        case CUSTOM_MOUNT_TMPFS: {
                unsigned long flags = 0;
                _cleanup_free_ char *data = NULL;
                char why[512];
                if ((r = mount_options_split(m->options, &flags, &data)) < 0)
                        return error_set_errno(e, r, "--tmpfs=%s: cannot split its options", m->destination);
                if ((r = mount_data_check("tmpfs", data, why, sizeof(why))) < 0)
                        return error_set_errno(e, r, "--tmpfs=%s:%s: tmpfs refuses %s", m->destination, value_shown(m->options, shown),
                                               *why ? why : "these options");
                return 0;
        }
        case CUSTOM_MOUNT_OVERLAY:
                /* With two paths the second is both the top layer on the host and the mount
                 * point inside: nspawn creates a missing one on the host; corral says so. */
                if (m->source && !m->source_in_root && access(m->source, F_OK) < 0)
                        return error_set_errno(e, -errno,
                                               "--overlay%s: the host directory %s does not exist (with two paths, the second is both the top "
                                               "layer on the host and the mount point in the container); create it, or give the layers and the "
                                               "mount point separately",
                                               ro, m->source);
                /* (A writable upper in the tree is made where missing, as nspawn makes it.) */
                if (m->source && m->source_in_root && m->read_only && (r = tree_has(s, m->source)) < 0)
                        return error_set_errno(e, r, "--overlay-ro: the top layer +%s in the container's tree cannot be used", m->source);
                for (char **l = m->lower; l && *l; l++) {
                        bool in_tree = (*l)[0] == '+';
                        if ((r = source_exists(s, *l + in_tree, in_tree)) < 0)
                                return error_set_errno(e, r, "--overlay%s: the lower directory %s%s cannot be used", ro, *l,
                                                       in_tree ? " in the container's tree" : "");
                }
                return 0;
        default:
                return 0;
        }
}

int settings_verify_sources(const Settings *s, Error *e)
{
        int r;
        for (size_t i = 0; i < s->n_custom_mounts; i++)
                if ((r = verify_custom_mount(s, &s->custom_mounts[i], e)) < 0)
                        return r;
        return 0;
}

uint64_t settings_capabilities(const Settings *s)
{
        uint64_t base = capability_default_set();
        /* As nspawn: with a user namespace on the host's network, binding low ports is checked
         * against the host's user namespace, so the capability would only mislead.  A network
         * of its own is the container's to administer (CAP_NET_ADMIN, as nspawn). */
        if (settings_private_network(s))
                base |= UINT64_C(1) << CAP_NET_ADMIN;
        else if (settings_private_users(s))
                base &= ~(UINT64_C(1) << CAP_NET_BIND_SERVICE);
        return (base | s->capability_plus) & ~s->capability_minus;
}

/* [Network] Address=/Gateway=: for host0, so with a veth pair (-n, --network-bridge=).  Gives
 * the host side's address ("A.B.C.D/LEN": the gateway of the subnet; "" on a bridge, which is
 * not ours to address) and the container's default route ("" for none). */
int settings_static_address(const Settings *s, char host_side[static 32], char gateway[static INET_ADDRSTRLEN], Error *e)
{
        uint32_t a, gw = 0, host;
        unsigned len;
        if (!s->network_address)
                return error_set(e, -EINVAL, "[Network] Gateway= needs Address= (the container's address with its prefix length)");
        if (s->network_zone)
                return error_set(
                        e, -EINVAL,
                        "[Network] Address= does not go with Zone=: the containers of a zone get their addresses from the zone's subnet by DHCP");
        if (!OPTIONAL_OR(s->network_veth, false) && !s->network_bridge)
                return error_set(e, -EINVAL, "[Network] Address= configures host0: it needs VirtualEthernet=yes (-n) or Bridge= (--network-bridge=)");
        (void)ipv4_prefix_parse(s->network_address, 1, 30, &a, &len);
        if (s->network_gateway)
                (void)ipv4_address_parse(s->network_gateway, &gw);
        if (static_host_side(a, len, gw, &host) < 0)
                return error_set(e, -EINVAL,
                                 "[Network] Address=%s%s%s: the address must be a host of its subnet, and Gateway= another host in the same subnet",
                                 s->network_address, s->network_gateway ? " Gateway=" : "", s->network_gateway ? s->network_gateway : "");
        host_side[0] = gateway[0] = 0;
        if (!s->network_bridge) {
                ipv4_address_format(host, gateway);
                snprintf(host_side, 32, "%s/%u", gateway, len);
        } else if (s->network_gateway)
                ipv4_address_format(gw, gateway);
        return 0;
}

/* The combinations of network settings that make no sense, named. */
static int verify_network(const Settings *s, Error *e)
{
        if (s->network_bridge && s->network_zone)
                return error_set(e, -EINVAL, "--network-bridge= and --network-zone= (Bridge= and Zone=) may not be combined");
        if (OPTIONAL_OR(s->network_masquerade, false) && !OPTIONAL_OR(s->network_veth, false) && !s->network_zone)
                return error_set(
                        e, -EINVAL,
                        "[Network] Masquerade= masquerades a veth pair's own subnet: it needs VirtualEthernet=yes (-n) or Zone= (and no Bridge=)");
        if (OPTIONAL_OR(s->network_masquerade, false) && s->network_bridge)
                return error_set(e, -EINVAL, "[Network] Masquerade= does not go with Bridge=: the bridge's subnet is not corral's to masquerade");
        if (s->n_ports == 0)
                return 0;
        if (!settings_private_network(s))
                return error_set(e, -EINVAL,
                                 "-p/--port= (Port=) forwards to the container's own network: it needs -n, --network-zone= or --network-bridge=");
        if (!OPTIONAL_OR(s->network_veth, false) && !s->network_bridge && !s->network_zone)
                return error_set(
                        e, -EINVAL,
                        "-p/--port= (Port=) forwards to the container's address on its veth pair: it needs -n, --network-zone= or --network-bridge=, "
                        "not only --private-network, --network-interface= or a MACVLAN/IPVLAN link");
        if (s->network_bridge && !s->network_address)
                return error_set(
                        e, -EINVAL,
                        "-p/--port= (Port=) on --network-bridge=%s needs the container's address: give it with [Network] Address= (corral does not "
                        "know what the bridge's network hands out)",
                        s->network_bridge);
        return 0;
}

static bool any_cpu_available(const CpuSet *available, const CpuSet *want, char list[static 256])
{
        if (cpu_set_count(available, want) > 0)
                return true;
        list[0] = 0;
        for (int i = 0, n = 0; i < CPU_SET_MAX && n < 200; i++)
                if (cpu_set_has(available, (unsigned)i))
                        n += snprintf(list + n, 256 - (size_t)n, "%s%d", n ? "," : "", i);
        return false;
}

int settings_verify(const Settings *s, const CpuSet *available, Error *e)
{
        bool users = settings_private_users(s);
        char list[256];
        int r;
        if (s->read_only && s->volatile_mode != VOLATILE_NO)
                return error_set(e, -EINVAL,
                                 "cannot combine --read-only with --volatile; note that --volatile already implies a read-only base hierarchy");
        if (s->ephemeral && s->template_path)
                return error_set(e, -EINVAL, "--ephemeral and --template= may not be combined");
        if (s->ephemeral && s->volatile_mode != VOLATILE_NO)
                return error_set(e, -EINVAL, "--ephemeral and --volatile= may not be combined");
        if (streq(s->directory, "/") && !s->ephemeral)
                return error_set(e, -EINVAL, "spawning a container on the host's root directory is not supported; consider --ephemeral/-x");
        if (s->cpu_affinity.set && available && !any_cpu_available(available, &s->cpu_affinity.value, list))
                return error_set(e, -EINVAL, "--cpu-affinity=/CPUAffinity=: none of these CPUs is available to corral (available: %s)", list);
        for (size_t i = 0; i < s->n_custom_mounts; i++)
                if (s->custom_mounts[i].type == CUSTOM_MOUNT_OVERLAY && s->custom_mounts[i].source && !s->custom_mounts[i].source_in_root &&
                    !(s->custom_mounts[i].read_only) && users)
                        return error_set(
                                e, -EOPNOTSUPP,
                                "--overlay with a host upper directory (%s) does not work with user namespaces in corral yet: the container's root "
                                "may not write there; use an empty upper (\"+\" or a tmpfs one) or --overlay-ro",
                                s->custom_mounts[i].source);
        if (users && (s->ephemeral || s->volatile_mode != VOLATILE_NO) &&
            OPTIONAL_OR(s->userns_ownership, USER_NAMESPACE_OWNERSHIP_OFF) == USER_NAMESPACE_OWNERSHIP_CHOWN)
                return error_set(
                        e, -EINVAL,
                        "--private-users-ownership=chown would change the tree that --ephemeral/--volatile= promise to leave alone; use map (or -U)");
        /* As nspawn 252: --private-network goes with it (the namespace given is then the
         * container's to administer), options that make links do not. */
        if (s->bind_users && !users)
                return error_set(e, -EINVAL,
                                 "--bind-user= requires --private-users (-U): the host user gets a UID of the container's user namespace");
        /* $SYSTEMD_NSPAWN_API_VFS_WRITABLE, with nspawn's refusals. */
        if (users && s->api_vfs == API_VFS_NETWORK && !settings_private_network(s))
                return error_set(e, -EINVAL, "Invalid namespacing settings. Mounting sysfs with --private-users requires --private-network.");
        if (users && s->api_vfs == API_VFS_WRITABLE)
                return error_set(e, -EINVAL, "Cannot combine --private-users with read-write mounts.");
        if (s->network_namespace_path && settings_needs_links(s))
                return error_set(e, -EINVAL,
                                 "--network-namespace-path= cannot be combined with options that make network links (-n/--network-veth, "
                                 "--network-veth-extra=, --network-bridge=, --network-zone=, --network-interface=, --network-macvlan=, "
                                 "--network-ipvlan=): the container joins the namespace given");
        if (s->capability_ambient) {
                if (s->capability_ambient == CAP_SET_ALL)
                        return error_set(e, -EINVAL, "--ambient-capability=/AmbientCapability= does not take \"all\"; name the capabilities");
                if ((s->capability_ambient & settings_capabilities(s)) != s->capability_ambient)
                        return error_set(
                                e, -EINVAL,
                                "--ambient-capability=/AmbientCapability= names capabilities the container does not keep; add them with --capability= too");
                if (s->start_mode == START_BOOT)
                        return error_set(e, -EINVAL, "--ambient-capability=/AmbientCapability= is not useful with --boot: init runs as root");
        }
        if ((s->network_address || s->network_gateway) && (r = settings_static_address(s, (char[32]){0}, (char[INET_ADDRSTRLEN]){0}, e)) < 0)
                return r;
        return verify_network(s, e);
}
