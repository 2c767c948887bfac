/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* settings_verify(): every refusal it makes, each beside a neighbour it lets through, from the
 * command line (and a .nspawn file where only the file has the key) as corral's main() parses
 * them.  settings_verify_sources(): sources on the host and in a tree, made in a scratch
 * directory. */
#include <fcntl.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "strv.h"
#include "tap.h"
#include "verify.h"

static Settings s;
static char verdict_msg[1100];

/* Parses the command line (NULL-terminated, after "corral"), merges the .nspawn text as a
 * trusted file if given, and returns settings_verify()'s message ("" when it lets it through,
 * "(parse) ..." when the parse already refuses). */
static const char *verdict_with(const CpuSet *available, const char *nspawn, ...)
{
        char *argv[64] = {"corral"};
        int argc = 1;
        va_list ap;
        va_start(ap, nspawn);
        for (char *x; (x = va_arg(ap, char *)) && argc < 63;)
                argv[argc++] = x;
        va_end(ap);
        OptionsAction a;
        Error e = {0};
        settings_done(&s);
        settings_init(&s);
        if (options_parse(argc, argv, &s, &a, &e) < 0 || options_parse_environment(&s, &e) < 0) {
                snprintf(verdict_msg, sizeof(verdict_msg), "(parse) %s", e.msg);
                return verdict_msg;
        }
        if (nspawn) {
                Settings f;
                _cleanup_strv_free_ char **w = NULL;
                settings_init(&f);
                int r = settings_file_parse(&f, "t.nspawn", nspawn, NULL, &e);
                if (r >= 0)
                        r = settings_merge(&s, &f, true, "t.nspawn", &w, &e);
                settings_done(&f);
                if (r < 0) {
                        snprintf(verdict_msg, sizeof(verdict_msg), "(parse) %s", e.msg);
                        return verdict_msg;
                }
        }
        verdict_msg[0] = 0;
        if (settings_verify(&s, available, &e) < 0)
                snprintf(verdict_msg, sizeof(verdict_msg), "%s", e.msg[0] ? e.msg : "(no message)");
        return verdict_msg;
}

#define verdict(...) verdict_with(NULL, NULL, __VA_ARGS__, NULL)
#define verdict_file(text, ...) verdict_with(NULL, text, __VA_ARGS__, NULL)

/* The refusal's message holds want (or, with want "", there is none). */
#define REFUSES(got, want) CHECK(*(want) ? strstr((got), (want)) != NULL : *(got) == 0, "%s -> \"%s\"", want, got)
#define ACCEPTS(got) CHECK(*(got) == 0, "accepted (got \"%s\")", got)

TEST(image_modes)
{
        REFUSES(verdict("-D", "/t", "--read-only", "--volatile=yes"), "cannot combine --read-only with --volatile");
        ACCEPTS(verdict("-D", "/t", "--read-only"));
        ACCEPTS(verdict("-D", "/t", "--volatile=overlay"));
        REFUSES(verdict("-D", "/t", "-x", "--template=/b"), "--ephemeral and --template= may not be combined");
        ACCEPTS(verdict("-D", "/t", "--template=/b"));
        REFUSES(verdict("-D", "/t", "-x", "--volatile=state"), "--ephemeral and --volatile= may not be combined");
        REFUSES(verdict("-D", "/"), "spawning a container on the host's root directory is not supported");
        ACCEPTS(verdict("-D", "/", "-x"));
}

TEST(cpu_affinity_against_the_cpus_corral_has)
{
        CpuSet two = {0};
        cpu_set_add(&two, 0);
        cpu_set_add(&two, 1);
        REFUSES(verdict_with(&two, NULL, "-D", "/t", "--cpu-affinity=4-5", NULL), "none of these CPUs is available to corral (available: 0,1)");
        ACCEPTS(verdict_with(&two, NULL, "-D", "/t", "--cpu-affinity=1-5", NULL));
        ACCEPTS(verdict_with(&two, NULL, "-D", "/t", "--cpu-affinity=", NULL)); /* empty: no affinity, as nspawn */
        /* Not known: not checked (the kernel has the last word at the start). */
        ACCEPTS(verdict_with(NULL, NULL, "-D", "/t", "--cpu-affinity=4-5", NULL));
}

TEST(user_namespace_combinations)
{
        REFUSES(verdict("-D", "/t", "-U", "--overlay=/l:/u:/o"), "--overlay with a host upper directory (/u) does not work with user namespaces");
        ACCEPTS(verdict("-D", "/t", "-U", "--overlay=/l:+/u:/o"));
        ACCEPTS(verdict("-D", "/t", "-U", "--overlay-ro=/l:/u:/o"));
        ACCEPTS(verdict("-D", "/t", "--overlay=/l:/u:/o"));
        REFUSES(verdict("-D", "/t", "--private-users=pick", "--private-users-ownership=chown", "-x"),
                "--private-users-ownership=chown would change the tree");
        REFUSES(verdict("-D", "/t", "--private-users=pick", "--private-users-ownership=chown", "--volatile=overlay"),
                "--private-users-ownership=chown would change the tree");
        ACCEPTS(verdict("-D", "/t", "--private-users=pick", "--private-users-ownership=map", "-x"));
        ACCEPTS(verdict("-D", "/t", "--private-users=pick", "--private-users-ownership=chown"));
        REFUSES(verdict("-D", "/t", "--bind-user=alice"), "--bind-user= requires --private-users (-U)");
        ACCEPTS(verdict("-D", "/t", "-U", "--bind-user=alice"));
}

TEST(api_vfs_writable_knob)
{
        setenv("SYSTEMD_NSPAWN_API_VFS_WRITABLE", "network", 1);
        REFUSES(verdict("-D", "/t", "-U"), "Invalid namespacing settings. Mounting sysfs with --private-users requires --private-network.");
        ACCEPTS(verdict("-D", "/t", "-U", "--private-network"));
        ACCEPTS(verdict("-D", "/t"));
        setenv("SYSTEMD_NSPAWN_API_VFS_WRITABLE", "yes", 1);
        REFUSES(verdict("-D", "/t", "-U"), "Cannot combine --private-users with read-write mounts.");
        ACCEPTS(verdict("-D", "/t"));
        unsetenv("SYSTEMD_NSPAWN_API_VFS_WRITABLE");
}

TEST(network_namespace_path_and_links)
{
        static const char *const links[] = {"-n",
                                            "--network-veth-extra=a",
                                            "--network-bridge=br0",
                                            "--network-zone=z",
                                            "--network-interface=eth9",
                                            "--network-macvlan=eth9",
                                            "--network-ipvlan=eth9"};
        for (size_t i = 0; i < sizeof(links) / sizeof(*links); i++)
                REFUSES(verdict("-D", "/t", "--network-namespace-path=/run/netns/x", (char *)links[i]),
                        "--network-namespace-path= cannot be combined with options that make network links");
        ACCEPTS(verdict("-D", "/t", "--network-namespace-path=/run/netns/x", "--private-network"));
}

TEST(ambient_capabilities)
{
        REFUSES(verdict("-D", "/t", "--ambient-capability=all"), "does not take \"all\"");
        REFUSES(verdict("-D", "/t", "--ambient-capability=CAP_SYS_TIME"), "names capabilities the container does not keep");
        ACCEPTS(verdict("-D", "/t", "--capability=CAP_SYS_TIME", "--ambient-capability=CAP_SYS_TIME"));
        ACCEPTS(verdict("-D", "/t", "--ambient-capability=CAP_CHOWN"));
        REFUSES(verdict("-D", "/t", "-b", "--ambient-capability=CAP_CHOWN"), "is not useful with --boot");
        /* Dropped by --drop-capability=: no longer kept. */
        REFUSES(verdict("-D", "/t", "--drop-capability=CAP_CHOWN", "--ambient-capability=CAP_CHOWN"), "does not keep");
}

/* (The command line's network options take the place of the file's whole [Network] section,
 * as in nspawn, so the cases with Address= give every network setting in the file.) */
#define NET(lines) "[Network]\n" lines
TEST(static_address)
{
        REFUSES(verdict_file(NET("VirtualEthernet=yes\nGateway=10.1.0.1\n"), "-D", "/t"), "Gateway= needs Address=");
        REFUSES(verdict_file(NET("Zone=z\nAddress=10.1.0.2/24\n"), "-D", "/t"), "Address= does not go with Zone=");
        REFUSES(verdict_file(NET("Private=yes\nAddress=10.1.0.2/24\n"), "-D", "/t"), "Address= configures host0");
        REFUSES(verdict_file(NET("VirtualEthernet=yes\nAddress=10.1.0.2/24\nGateway=10.2.0.1\n"), "-D", "/t"),
                "the address must be a host of its subnet, and Gateway= another host in the same subnet");
        REFUSES(verdict_file(NET("VirtualEthernet=yes\nAddress=10.1.0.2/24\nGateway=10.1.0.2\n"), "-D", "/t"), "Gateway= another host");
        ACCEPTS(verdict_file(NET("VirtualEthernet=yes\nAddress=10.1.0.2/24\n"), "-D", "/t"));
        ACCEPTS(verdict_file(NET("Bridge=br0\nAddress=10.1.0.2/24\nGateway=10.1.0.9\n"), "-D", "/t"));
        /* The command line's -n leaves the file's Address= out: nothing to refuse. */
        ACCEPTS(verdict_file(NET("Address=10.1.0.2/24\nGateway=10.2.0.1\n"), "-D", "/t", "-n"));

        /* What follows from it: on a veth pair the host side takes the subnet's gateway. */
        char host_side[32], gateway[INET_ADDRSTRLEN];
        Error e = {0};
        ACCEPTS(verdict_file(NET("VirtualEthernet=yes\nAddress=10.1.0.2/24\n"), "-D", "/t"));
        CHECK(settings_static_address(&s, host_side, gateway, &e) == 0, "static address");
        CHECK_STREQ(host_side, "10.1.0.1/24", "host side on a veth pair");
        CHECK_STREQ(gateway, "10.1.0.1", "the container's route");
        ACCEPTS(verdict_file(NET("Bridge=br0\nAddress=10.1.0.2/24\nGateway=10.1.0.9\n"), "-D", "/t"));
        CHECK(settings_static_address(&s, host_side, gateway, &e) == 0, "static address on a bridge");
        CHECK_STREQ(host_side, "", "on a bridge corral addresses no host side");
        CHECK_STREQ(gateway, "10.1.0.9", "the bridge's gateway");
}

TEST(network_combinations)
{
        REFUSES(verdict("-D", "/t", "--network-bridge=br0", "--network-zone=z"),
                "--network-bridge= and --network-zone= (Bridge= and Zone=) may not be combined");
        REFUSES(verdict_file(NET("Private=yes\nMasquerade=yes\n"), "-D", "/t"), "Masquerade= masquerades a veth pair's own subnet");
        REFUSES(verdict_file(NET("VirtualEthernet=yes\nBridge=br0\nMasquerade=yes\n"), "-D", "/t"), "Masquerade= does not go with Bridge=");
        ACCEPTS(verdict_file(NET("VirtualEthernet=yes\nMasquerade=yes\n"), "-D", "/t"));
        ACCEPTS(verdict_file(NET("Zone=z\nMasquerade=yes\n"), "-D", "/t"));
        REFUSES(verdict("-D", "/t", "-p", "8080:80"), "forwards to the container's own network");
        REFUSES(verdict("-D", "/t", "--private-network", "-p", "8080:80"), "not only --private-network");
        REFUSES(verdict("-D", "/t", "--network-macvlan=eth9", "-p", "8080:80"), "not only --private-network");
        REFUSES(verdict("-D", "/t", "--network-bridge=br0", "-p", "8080:80"), "needs the container's address");
        ACCEPTS(verdict_file(NET("Bridge=br0\nAddress=10.1.0.2/24\n"), "-D", "/t", "-p", "8080:80"));
        ACCEPTS(verdict("-D", "/t", "-n", "-p", "8080:80"));
        ACCEPTS(verdict("-D", "/t", "--network-zone=z", "-p", "tcp:8080:80"));
}

TEST(what_follows_from_the_settings)
{
        ACCEPTS(verdict("-D", "/t"));
        CHECK(!settings_private_network(&s) && !settings_needs_links(&s), "the host's network by default");
        CHECK(!(settings_capabilities(&s) & (UINT64_C(1) << CAP_NET_ADMIN)), "no CAP_NET_ADMIN on the host's network");
        CHECK(settings_capabilities(&s) & (UINT64_C(1) << CAP_NET_BIND_SERVICE), "CAP_NET_BIND_SERVICE without a user namespace");
        ACCEPTS(verdict("-D", "/t", "-U"));
        CHECK(!(settings_capabilities(&s) & (UINT64_C(1) << CAP_NET_BIND_SERVICE)), "no CAP_NET_BIND_SERVICE with -U on the host's network");
        ACCEPTS(verdict("-D", "/t", "--network-zone=z"));
        CHECK(settings_private_network(&s) && settings_needs_links(&s), "a zone implies a network of its own, with links");
        CHECK(settings_capabilities(&s) & (UINT64_C(1) << CAP_NET_ADMIN), "CAP_NET_ADMIN on its own network");
        ACCEPTS(verdict("-D", "/t", "--private-network"));
        CHECK(settings_private_network(&s) && !settings_needs_links(&s), "--private-network alone: no links");
        ACCEPTS(verdict("-D", "/t", "--capability=CAP_SYS_TIME", "--drop-capability=CAP_CHOWN"));
        CHECK((settings_capabilities(&s) & (UINT64_C(1) << CAP_SYS_TIME)) && !(settings_capabilities(&s) & (UINT64_C(1) << CAP_CHOWN)),
              "--capability= adds, --drop-capability= takes away");
}

/* A scratch tree: $dir/tree with /srv/in and a link /srv/out -> /srv/in; $dir/host on the host. */
static char dir[64];

static void scratch(void)
{
        char p[128];
        snprintf(dir, sizeof(dir), "/tmp/test-verify.XXXXXX");
        if (!mkdtemp(dir))
                abort();
        const char *const dirs[] = {"tree", "tree/srv", "tree/srv/in", "host"};
        for (size_t i = 0; i < sizeof(dirs) / sizeof(*dirs); i++) {
                snprintf(p, sizeof(p), "%s/%s", dir, dirs[i]);
                CHECK(mkdir(p, 0755) == 0, "scratch %s", p);
        }
        snprintf(p, sizeof(p), "%s/tree/srv/out", dir);
        CHECK(symlink("/srv/in", p) == 0, "scratch link %s", p);
        snprintf(p, sizeof(p), "%s/tree/escape", dir);
        CHECK(symlink("../host", p) == 0, "scratch link %s", p);
}

static void scratch_done(void)
{
        char cmd[128];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
        CHECK(system(cmd) == 0, "%s", cmd);
}

static const char *sources(const char *opt)
{
        char d[128];
        snprintf(d, sizeof(d), "%s/tree", dir);
        Error e = {0};
        const char *v = verdict("-D", d, (char *)opt);
        if (*v)
                return v;
        if (settings_verify_sources(&s, &e) < 0)
                snprintf(verdict_msg, sizeof(verdict_msg), "%s", e.msg);
        return verdict_msg;
}

TEST(sources_of_custom_mounts)
{
        char o[256];
        scratch();
        snprintf(o, sizeof(o), "--bind=%s/host:/h", dir);
        ACCEPTS(sources(o));
        snprintf(o, sizeof(o), "--bind=%s/nothing:/h", dir);
        REFUSES(sources(o), "/nothing:/h: source ");
        REFUSES(sources(o), "No such file or directory");
        ACCEPTS(sources("--bind=+/srv/in:/x"));
        ACCEPTS(sources("--bind-ro=+/srv/out:/x")); /* a link, resolved inside the tree */
        REFUSES(sources("--bind=+/srv/none:/x"), "--bind=+/srv/none:/x: source /srv/none in the container's tree");
        REFUSES(sources("--bind-ro=+/srv/none:/x"), "--bind-ro=+/srv/none:/x");
        /* A link out of the tree resolves inside it: /host is not in the tree. */
        REFUSES(sources("--bind=+/escape:/x"), "in the container's tree");
        ACCEPTS(sources("--tmpfs=/t:mode=0755,size=1m"));
        REFUSES(sources("--tmpfs=/t:size=lots"), "--tmpfs=/t:size=lots: tmpfs refuses");
        snprintf(o, sizeof(o), "--overlay=%s/host:%s/nothing", dir, dir);
        REFUSES(sources(o), "the host directory");
        REFUSES(sources(o), "does not exist (with two paths");
        snprintf(o, sizeof(o), "--overlay=%s/nothing:+/srv/up:/srv", dir);
        REFUSES(sources(o), "the lower directory");
        ACCEPTS(sources("--overlay=+/srv/in:+/srv/up:/srv")); /* a writable upper in the tree is made where missing */
        REFUSES(sources("--overlay-ro=+/srv/in:+/srv/up:/srv"), "the top layer +/srv/up in the container's tree cannot be used");
        REFUSES(sources("--overlay=+/srv/none:+/srv/up:/srv"), "the lower directory +/srv/none in the container's tree");
        scratch_done();
}

TAP_MAIN
