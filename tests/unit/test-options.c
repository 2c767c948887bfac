/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/personality.h>

#include "options.h"
#include "parse-util.h"
#include "strv.h"
#include "tap.h"

static int run(Settings *s, Error *e, OptionsAction *a, ...)
{
        char *argv[64];
        int argc = 0;
        va_list ap;
        va_start(ap, a);
        argv[argc++] = "corral";
        for (char *x; (x = va_arg(ap, char *));)
                argv[argc++] = x;
        va_end(ap);
        argv[argc] = NULL;
        settings_init(s);
        *e = (Error){0};
        return options_parse(argc, argv, s, a, e);
}

static Settings s;
static Error e;
static OptionsAction a;
static int r;

TEST(a_full_nspawn_command_line)
{
        r = run(&s, &e, &a, "-D", "/tree", "-b", "--machine=web", "--hostname=h1", "-E", "A=1", "--setenv=B=2", "-u", "nobody",
                "--kill-signal=SIGRTMIN+4", "--read-only", "--volatile", "--bind=/a:/b", "--bind-ro=+/in:/out:norbind", "--tmpfs=/t",
                "--overlay-ro=/l1:/l2:/u:/o", "--inaccessible=/x", "-q", "-P", "--personality=x86", "--uuid=01234567-89ab-cdef-0123-456789abcdef",
                "-j", "--resolv-conf=copy-host", "--timezone=symlink", "--chdir=/srv", "--notify-ready=yes", "--keep-unit", "--register=no",
                "--private-users=no", "--pivot-root=/a:/b", "--", "init", "arg", NULL);
        CHECK(r == 0 && a == OPTIONS_RUN, "a full nspawn command line parses (%s)", e.msg);
        CHECK_STREQ(s.directory, "/tree", "-D");
        CHECK(s.start_mode == START_BOOT, "-b");
        CHECK_STREQ(s.machine, "web", "--machine");
        CHECK_STREQ(s.hostname, "h1", "--hostname");
        CHECK(strv_length(s.environment) == 2, "-E and --setenv");
        CHECK_STREQ(s.user, "nobody", "-u");
        CHECK(OPTIONAL_IS(s.kill_signal, 38), "--kill-signal=SIGRTMIN+4 is 38, as glibc (and systemd) number it, whatever the C library");
        {
                int sig = 0;
                char buf[16];
                CHECK(parse_signal("RTMIN+3", &sig) == 0 && sig == 37 && parse_signal("SIGRTMAX-1", &sig) == 0 && sig == 63 &&
                              streq(signal_to_string(37, buf), "SIGRTMIN+3") && parse_signal("SIGRTMIN+31", &sig) == -EINVAL,
                      "real-time signals in glibc's numbering");
        }
        CHECK(s.read_only && s.volatile_mode == VOLATILE_YES, "--read-only and bare --volatile");
        CHECK(s.n_custom_mounts == 5, "five mounts");
        CHECK(s.n_custom_mounts == 5 && s.custom_mounts[1].source_in_root && s.custom_mounts[1].read_only, "--bind-ro with + prefix");
        CHECK(s.n_custom_mounts == 5 && s.custom_mounts[3].read_only && strv_length(s.custom_mounts[3].lower) == 2, "--overlay-ro lowers");
        CHECK(s.quiet && OPTIONAL_IS(s.console_mode, CONSOLE_PIPE), "-q -P");
        CHECK(OPTIONAL_IS(s.personality, PER_LINUX32), "--personality=x86");
        CHECK(s.uuid.set && s.uuid.value[1] == 0x23, "--uuid");
        CHECK(s.link_journal == LINK_JOURNAL_TRY_GUEST, "-j");
        CHECK(s.resolv_conf == RESOLV_CONF_COPY_HOST && s.timezone == TIMEZONE_SYMLINK, "integration modes");
        CHECK_STREQ(s.working_directory, "/srv", "--chdir");
        CHECK(OPTIONAL_IS(s.notify_ready, true) && s.keep_unit && OPTIONAL_IS(s.register_machine, false), "--notify-ready --keep-unit --register");
        CHECK_STREQ(s.pivot_root_old, "/b", "--pivot-root old");
        CHECK(strv_length(s.parameters) == 2 && streq(s.parameters[0], "init"), "arguments after --");
        CHECK((s.mask & (SETTING_START_MODE | SETTING_CUSTOM_MOUNTS | SETTING_DIRECTORY)) ==
                      (SETTING_START_MODE | SETTING_CUSTOM_MOUNTS | SETTING_DIRECTORY),
              "mask");
        settings_done(&s);
}

TEST(options_stop_at_the_command)
{
        r = run(&s, &e, &a, "-D", "/t", "/bin/sh", "-c", "echo", NULL);
        CHECK(r == 0 && strv_length(s.parameters) == 3, "options stop at the command (\"+\" mode)");
        settings_done(&s);
}

TEST(long_values_are_shortened_in_messages)
{
        {
                /* A value of 100 KB is not echoed whole, and the reason after it stays. */
                static char opt[100 * 1024 + 32];
                strcpy(opt, "--hostname=");
                memset(opt + strlen(opt), 'a', 100 * 1024);
                r = run(&s, &e, &a, opt, NULL);
                CHECK(r == -EINVAL && strstr(e.msg, "(102400 bytes): not a valid hostname") && strlen(e.msg) < 200, "a long value shortened: %s",
                      e.msg);
                settings_done(&s);
                memcpy(opt, "--capability=", 13);
                memset(opt + 13, 'a', sizeof(opt) - 14);
                opt[sizeof(opt) - 1] = 0;
                r = run(&s, &e, &a, opt, NULL);
                CHECK(r < 0 && strstr(e.msg, "bytes)") && strlen(e.msg) < 200, "also in a message of its own: %s", e.msg);
                settings_done(&s);
        }
}

TEST(later_options_refused_by_name)
{
        r = run(&s, &e, &a, "--verity-data=/x", NULL);
        CHECK(r == -EOPNOTSUPP && strstr(e.msg, "--verity-data") && strstr(e.msg, "not supported"), "later options are refused by name: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "--oci-bundle=/x", NULL);
        CHECK(r == 0 && s.oci_bundle && streq(s.oci_bundle, "/x"), "--oci-bundle= is taken (read later, by options_load_oci_bundle)");
        settings_done(&s);
}

TEST(zones_and_ports)
{
        r = run(&s, &e, &a, "--network-zone=web", "-p", "8080:80", "--port=udp:53", "-p", "tcp:22", NULL);
        CHECK(r == 0 && s.network_zone && streq(s.network_zone, "web") && s.n_ports == 3 && s.ports[0].host_port == 8080 &&
                      s.ports[0].container_port == 80 && s.ports[0].protocol == IPPROTO_TCP && s.ports[1].protocol == IPPROTO_UDP &&
                      s.ports[1].host_port == 53 && s.ports[1].container_port == 53 && s.ports[2].host_port == 22 &&
                      (s.mask & SETTING_EXPOSE_PORTS) && (s.mask & SETTING_NETWORK),
              "--network-zone=, -p/--port= in nspawn's forms");
        settings_done(&s);
        const char *bad_ports[] = {"0", "65536", "sctp:80", "80:", ":80", "tcp:", "8o", "-1", "80:90:100", NULL};
        for (const char **p = bad_ports; *p; p++) {
                r = run(&s, &e, &a, "-p", *p, NULL);
                CHECK(r == -EINVAL && strstr(e.msg, "HOSTPORT"), "-p %s is refused: %s", *p, e.msg);
                settings_done(&s);
        }
        r = run(&s, &e, &a, "-p", "80", "-p", "tcp:80:81", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "forwarded already"), "the same protocol and host port twice: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "-p", "80", "-p", "udp:80", NULL);
        CHECK(r == 0 && s.n_ports == 2, "the same port for TCP and UDP");
        settings_done(&s);
        r = run(&s, &e, &a, "--network-zone=averyverylongz", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "vz-"), "a zone name too long for vz-NAME: %s", e.msg);
        settings_done(&s);
}

TEST(network_namespace_path)
{
        r = run(&s, &e, &a, "--private-network", "--network-namespace-path=/run/netns/x", NULL);
        CHECK(r == 0 && OPTIONAL_IS(s.private_network, true) && s.network_namespace_path && streq(s.network_namespace_path, "/run/netns/x") &&
                      (s.mask & SETTING_NETWORK),
              "--private-network, --network-namespace-path=");
        settings_done(&s);
        r = run(&s, &e, &a, "--network-namespace-path=netns", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--network-namespace-path") && strstr(e.msg, "absolute"), "a relative namespace path: %s", e.msg);
        settings_done(&s);
}

TEST(images_and_root_hash)
{
        r = run(&s, &e, &a, "-i", "/x.raw",
                "--root-hash="
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                NULL);
        CHECK(r == 0 && s.image && streq(s.image, "/x.raw") && s.root_hash && strlen(s.root_hash) == 64, "-i, --root-hash=");
        settings_done(&s);
        r = run(&s, &e, &a, "--root-hash=abc", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--root-hash=abc: not a root hash"), "a malformed root hash: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "--verity-data=/x.verity", NULL);
        CHECK(r == -EOPNOTSUPP && strstr(e.msg, "--verity-data"), "a later option named: %s", e.msg);
        settings_done(&s);
}

TEST(network_links)
{
        r = run(&s, &e, &a, "--network-bridge=br0", NULL);
        CHECK(r == 0 && s.network_bridge && streq(s.network_bridge, "br0"), "--network-bridge=br0");
        settings_done(&s);
        r = run(&s, &e, &a, "--network-bridge=averyveryverylongbridge", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--network-bridge") && strstr(e.msg, "15 characters"), "a bridge name too long: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "--network-veth-extra=a:b", "--network-veth-extra=c", "--network-macvlan=eth0", "--network-ipvlan=eth1", NULL);
        CHECK(r == 0 && strv_length(s.network_veth_extra) == 2 && streq(s.network_veth_extra[0], "a:b") && strv_length(s.network_macvlan) == 1 &&
                      strv_length(s.network_ipvlan) == 1,
              "--network-veth-extra (repeated), --network-macvlan, --network-ipvlan");
        settings_done(&s);
        r = run(&s, &e, &a, "--network-interface=eth0", "--network-interface=eth1", NULL);
        CHECK(r == 0 && strv_length(s.network_interfaces) == 2, "--network-interface (repeated)");
        settings_done(&s);
        r = run(&s, &e, &a, "--network-veth-extra=a:", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--network-veth-extra"), "an empty container name: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "-n", NULL);
        CHECK(r == 0 && OPTIONAL_IS(s.network_veth, true) && (s.mask & SETTING_NETWORK), "-n: a veth pair");
        settings_done(&s);
}

TEST(private_users)
{
        r = run(&s, &e, &a, "-U", NULL);
        CHECK(r == 0 && OPTIONAL_IS(s.private_users, PRIVATE_USERS_PICK) && OPTIONAL_IS(s.userns_ownership, USER_NAMESPACE_OWNERSHIP_AUTO),
              "-U is pick + auto");
        settings_done(&s);

        r = run(&s, &e, &a, "--private-users=0", "--private-users-ownership=chown", NULL);
        CHECK(r == 0 && OPTIONAL_IS(s.private_users, PRIVATE_USERS_FIXED) && s.uid_shift == 0 && s.uid_range == 65536 &&
                      OPTIONAL_IS(s.userns_ownership, USER_NAMESPACE_OWNERSHIP_CHOWN),
              "--private-users=0 is a shift of 0, not \"no\"");
        settings_done(&s);

        r = run(&s, &e, &a, "--private-users=1000000:1000", NULL);
        CHECK(r == 0 && s.uid_shift == 1000000 && s.uid_range == 1000, "UID:COUNT");
        settings_done(&s);

        r = run(&s, &e, &a, "--private-users=4294967295", NULL);
        CHECK(r == -EINVAL, "a range past the invalid UID is refused");
        settings_done(&s);
}

TEST(system_call_filter)
{
        r = run(&s, &e, &a, "--system-call-filter=add_key keyctl", "--system-call-filter=~@mount", NULL);
        CHECK(r == 0 && strv_length(s.syscall_allow_list) == 2 && strv_length(s.syscall_deny_list) == 1, "--system-call-filter parsed");
        settings_done(&s);
}

TEST(capabilities)
{
        r = run(&s, &e, &a, "--capability=CAP_NET_ADMIN,cap_kill", "--drop-capability=all", "--ambient-capability=CAP_NET_RAW",
                "--no-new-privileges=yes", NULL);
        CHECK(r == 0 && s.capability_plus == ((UINT64_C(1) << 12) | (UINT64_C(1) << 5)) && s.capability_minus == UINT64_MAX &&
                      s.capability_ambient == (UINT64_C(1) << 13) && OPTIONAL_IS(s.no_new_privileges, true) &&
                      (s.mask & (SETTING_CAPABILITY | SETTING_NO_NEW_PRIVILEGES)) == (SETTING_CAPABILITY | SETTING_NO_NEW_PRIVILEGES),
              "capability options parsed");
        settings_done(&s);
}

TEST(bind_user)
{
        r = run(&s, &e, &a, "--bind-user=alice", "--bind-user=bob", "--bind-user=alice", NULL);
        CHECK(r == 0 && strv_length(s.bind_users) == 2 && streq(s.bind_users[1], "bob") && (s.mask & SETTING_BIND_USER),
              "--bind-user= repeated, each user once");
        settings_done(&s);
        r = run(&s, &e, &a, "--bind-user=bob,bob", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "Invalid user name to bind: bob,bob"), "a bad user name, as nspawn: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "--bind-user=", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "Invalid user name to bind"), "an empty user name: %s", e.msg);
        settings_done(&s);
}

TEST(bad_options_and_arguments)
{
        r = run(&s, &e, &a, "--frobnicate", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--frobnicate") && strstr(e.msg, "not known"), "unknown option: %s", e.msg);
        settings_done(&s);

        r = run(&s, &e, &a, "-D", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "-D") && strstr(e.msg, "argument"), "missing argument: %s", e.msg);
        settings_done(&s);

        r = run(&s, &e, &a, "--bind=relative", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--bind"), "relative bind source: %s", e.msg);
        settings_done(&s);

        r = run(&s, &e, &a, "--kill-signal=SIGFOO", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--kill-signal=SIGFOO"), "bad signal: %s", e.msg);
        settings_done(&s);
}

TEST(signals_names_and_console)
{
        r = run(&s, &e, &a, "--poweroff-signal=SIGUSR2", NULL);
        CHECK(r == 0 && OPTIONAL_IS(s.poweroff_signal, SIGUSR2) && (s.mask & SETTING_POWEROFF_SIGNAL), "--poweroff-signal=SIGUSR2");
        settings_done(&s);
        r = run(&s, &e, &a, "--poweroff-signal=nope", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "--poweroff-signal=nope") && strstr(e.msg, "--poweroff-signal=help"), "bad poweroff signal: %s", e.msg);
        settings_done(&s);

        r = run(&s, &e, &a, "--machine=bad/name", NULL);
        CHECK(r == -EINVAL && strstr(e.msg, "machine name"), "bad machine name: %s", e.msg);
        settings_done(&s);

        r = run(&s, &e, &a, "--console=sideways", NULL);
        CHECK(r == -EINVAL, "bad console mode");
        settings_done(&s);
}

TEST(credentials)
{
        r = run(&s, &e, &a, "--set-credential=a:b\\x41c", "--set-credential=a:again", NULL);
        CHECK(r == -EEXIST, "duplicate credential refused");
        CHECK(s.n_credentials == 1 && streq(s.credentials[0].data, "bAc"), "credential value unescaped");
        settings_done(&s);

        r = run(&s, &e, &a, "--load-credential=x:/nonexistent/file", NULL);
        CHECK(r == -ENOENT && strstr(e.msg, "/nonexistent/file"), "missing credential file named: %s", e.msg);
        settings_done(&s);
}

TEST(help_and_relative_directory)
{
        r = run(&s, &e, &a, "-h", NULL);
        CHECK(r == 0 && a == OPTIONS_HELP, "-h");
        settings_done(&s);

        r = run(&s, &e, &a, "-D", "rel", NULL);
        CHECK(r == 0 && s.directory && s.directory[0] == '/', "relative -D made absolute");
        settings_done(&s);
}

TEST(slice_and_properties)
{
        r = run(&s, &e, &a, "-D", "/t", "-S", "machine-web.slice", "--property=MemoryMax=1G", "--property", "TasksMax=20", NULL);
        CHECK(r == 0 && s.resources.slice && strcmp(s.resources.slice, "machine-web.slice") == 0 && s.resources.tasks_max.value == 20 &&
                      (s.mask & SETTING_RESOURCES),
              "--slice and --property (%s)", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "-D", "/t", "--property=CPUQuota=half", NULL);
        CHECK(r < 0 && strstr(e.msg, "--property: CPUQuota=half: expected a percentage"), "a bad property names the option: %s", e.msg);
        settings_done(&s);
        r = run(&s, &e, &a, "-D", "/t", "--property=Wants=foo.service", NULL);
        CHECK(r < 0 && strstr(e.msg, "unknown resource property Wants="), "a unit property corral has no use for is refused: %s", e.msg);
        settings_done(&s);
}

TAP_MAIN
