/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <netinet/in.h>
#include <signal.h>

#include "settings.h"
#include "strv.h"
#include "tap.h"

static int parse(Settings *s, const char *text, Error *e, char ***w)
{
        settings_init(s);
        *e = (Error){0};
        return settings_file_parse(s, "test.nspawn", text, w, e);
}

static Settings s;
static Error e;
static char **w;
static int r;

TEST(a_full_file)
{
        r = parse(&s,
                  "# comment\n"
                  "; another\n"
                  "[Exec]\n"
                  "Boot=yes\n"
                  "Parameters=--log-level=debug \"two words\" \\\n"
                  "  third\n"
                  "Environment=A=1 \"B=x y\"\n"
                  "Environment=C=3\n"
                  "KillSignal=SIGTERM\n"
                  "PoweroffSignal=SIGPWR\n"
                  "Hostname=box\n"
                  "MachineID=0123456789abcdef0123456789abcdef\n"
                  "WorkingDirectory=/srv\n"
                  "PivotRoot=/new:/old\n"
                  "NotifyReady=yes\n"
                  "ResolvConf=bind-host\n"
                  "Timezone=copy\n"
                  "LinkJournal=try-guest\n"
                  "Personality=x86\n"
                  "[Files]\n"
                  "ReadOnly=on\n"
                  "Volatile=state\n"
                  "Bind=/src:/dst:norbind\n"
                  "BindReadOnly=/ro\n"
                  "TemporaryFileSystem=/scratch:size=10M\n"
                  "Inaccessible=/secret\n"
                  "Overlay=/a:/b:/c:/dst2\n",
                  &e, &w);
        CHECK(r == 0, "full file parses (%s)", e.msg);
        CHECK(s.start_mode == START_BOOT, "Boot=yes");
        CHECK(strv_length(s.parameters) == 3, "Parameters= split into words with a continuation line");
        CHECK_STREQ(s.parameters ? s.parameters[1] : NULL, "two words", "quoted parameter");
        CHECK_STREQ(s.parameters ? s.parameters[2] : NULL, "third", "continued parameter");
        CHECK(strv_length(s.environment) == 3, "Environment= accumulates");
        CHECK_STREQ(strv_env_get(s.environment, "B"), "x y", "quoted environment value");
        CHECK(OPTIONAL_IS(s.kill_signal, SIGTERM), "KillSignal=");
        CHECK(OPTIONAL_IS(s.poweroff_signal, SIGPWR) && (s.mask & SETTING_POWEROFF_SIGNAL), "PoweroffSignal=");
        CHECK_STREQ(s.hostname, "box", "Hostname=");
        CHECK(s.uuid.set && s.uuid.value[0] == 0x01 && s.uuid.value[15] == 0xef, "MachineID=");
        CHECK_STREQ(s.working_directory, "/srv", "WorkingDirectory=");
        CHECK_STREQ(s.pivot_root_new, "/new", "PivotRoot= new");
        CHECK_STREQ(s.pivot_root_old, "/old", "PivotRoot= old");
        CHECK(OPTIONAL_IS(s.notify_ready, true), "NotifyReady=");
        CHECK(s.resolv_conf == RESOLV_CONF_BIND_HOST, "ResolvConf=");
        CHECK(s.timezone == TIMEZONE_COPY, "Timezone=");
        CHECK(s.link_journal == LINK_JOURNAL_TRY_GUEST, "LinkJournal=");
        CHECK(s.read_only && s.volatile_mode == VOLATILE_STATE, "ReadOnly= and Volatile=");
        CHECK(s.n_custom_mounts == 5, "five custom mounts");
        if (s.n_custom_mounts == 5) {
                CustomMount *m = s.custom_mounts;
                CHECK(m[0].type == CUSTOM_MOUNT_BIND && !m[0].read_only, "Bind= type");
                CHECK_STREQ(m[0].source, "/src", "Bind= source");
                CHECK_STREQ(m[0].destination, "/dst", "Bind= destination");
                CHECK_STREQ(m[0].options, "norbind", "Bind= options");
                CHECK(m[1].read_only, "BindReadOnly= is read-only");
                CHECK_STREQ(m[1].destination, "/ro", "BindReadOnly= destination defaults to source");
                CHECK_STREQ(m[2].options, "size=10M", "TemporaryFileSystem= options");
                CHECK(m[3].type == CUSTOM_MOUNT_INACCESSIBLE, "Inaccessible=");
                CHECK(m[4].type == CUSTOM_MOUNT_OVERLAY && strv_length(m[4].lower) == 2, "Overlay= lowers");
                CHECK_STREQ(m[4].source, "/c", "Overlay= upper");
                CHECK_STREQ(m[4].destination, "/dst2", "Overlay= destination");
        }
        uint64_t want = SETTING_START_MODE | SETTING_ENVIRONMENT | SETTING_KILL_SIGNAL | SETTING_HOSTNAME | SETTING_MACHINE_ID |
                        SETTING_CUSTOM_MOUNTS | SETTING_READ_ONLY | SETTING_VOLATILE_MODE;
        CHECK((s.mask & want) == want, "mask records the groups set");
        settings_done(&s);
}

TEST(syntax_errors_name_file_and_line)
{
        r = parse(&s, "[Exec]\nBoot=maybe\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "test.nspawn:2") && strstr(e.msg, "Boot=maybe"), "bad boolean names file, line and key: %s", e.msg);
        settings_done(&s);

        r = parse(&s, "[Exec]\n\n\nKillSignal=SIGNOPE\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "test.nspawn:4"), "line numbers count blank lines: %s", e.msg);
        settings_done(&s);

        r = parse(&s, "Boot=yes\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "before any [Section]"), "assignment outside a section: %s", e.msg);
        settings_done(&s);

        r = parse(&s, "[Exec]\nBoot\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "KEY=VALUE"), "line without '=': %s", e.msg);
        settings_done(&s);
}

TEST(unknown_keys_warn)
{
        strv_free(w);
        w = NULL;
        r = parse(&s, "[Exec]\nFrobnicate=1\n[Whatever]\nX=1\n", &e, &w);
        CHECK(r == 0 && strv_length(w) == 2, "unknown keys and sections warn, as nspawn");
        CHECK(w && strstr(w[0], "test.nspawn:2") && strstr(w[0], "Frobnicate"), "warning names the key: %s", w ? w[0] : "");
        settings_done(&s);
}

TEST(network)
{
        r = parse(&s, "[Network]\nPrivate=yes\n", &e, &w);
        CHECK(r == 0 && OPTIONAL_IS(s.private_network, true) && (s.mask & SETTING_NETWORK), "Private=yes");
        settings_done(&s);
        r = parse(&s, "[Network]\nPrivate=maybe\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "test.nspawn:2") && strstr(e.msg, "Private=maybe"), "a bad Private= names the line: %s", e.msg);
        settings_done(&s);
        r = parse(&s, "[Network]\nBridge=br0\nVirtualEthernet=yes\n", &e, &w);
        CHECK(r == 0 && s.network_bridge && strcmp(s.network_bridge, "br0") == 0 && OPTIONAL_IS(s.network_veth, true), "Bridge=, VirtualEthernet=");
        settings_done(&s);
        r = parse(&s, "[Network]\nVirtualEthernetExtra=a:b c\nMACVLAN=eth0 eth1\nIPVLAN=eth2\n", &e, &w);
        CHECK(r == 0 && strv_length(s.network_veth_extra) == 2 && strv_length(s.network_macvlan) == 2 && strv_length(s.network_ipvlan) == 1,
              "space-separated link lists");
        settings_done(&s);
        r = parse(&s, "[Network]\nMACVLAN=eth0 a:b\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "\"a:b\"") && strstr(e.msg, "test.nspawn:2"), "a bad name in a list is named: %s", e.msg);
        settings_done(&s);
        r = parse(&s, "[Network]\nBridge=a/b\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "Bridge=a/b"), "a bad Bridge= is named: %s", e.msg);
        settings_done(&s);
}

TEST(bind_user)
{
        r = parse(&s, "[Files]\nBindUser=alice bob\nBindUser=carol alice\n", &e, &w);
        CHECK(r == 0 && strv_length(s.bind_users) == 3 && streq(s.bind_users[2], "carol") && (s.mask & SETTING_BIND_USER),
              "BindUser= takes names separated by spaces, each once");
        settings_done(&s);
        r = parse(&s, "[Files]\nBindUser=alice\nBindUser=\n", &e, &w);
        CHECK(r == 0 && !s.bind_users && (s.mask & SETTING_BIND_USER), "an empty BindUser= resets the list");
        settings_done(&s);
        r = parse(&s, "[Files]\nBindUser=al:ice\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "\"al:ice\" is not a user name") && strstr(e.msg, "test.nspawn:2"), "a bad user name is named: %s",
              e.msg);
        settings_done(&s);
}

TEST(zones_and_ports)
{
        r = parse(&s, "[Network]\nZone=web\nPort=8080:80\nPort=udp:53\n", &e, &w);
        CHECK(r == 0 && streq(s.network_zone, "web") && s.n_ports == 2 && s.ports[0].container_port == 80 && s.ports[1].protocol == IPPROTO_UDP &&
                      (s.mask & SETTING_EXPOSE_PORTS) && (s.mask & SETTING_NETWORK),
              "Zone=, Port= (repeated)");
        settings_done(&s);
        r = parse(&s, "[Network]\nPort=80\nPort=tcp:80:90\n", &e, &w);
        CHECK(r == -EEXIST && strstr(e.msg, "test.nspawn:3") && strstr(e.msg, "forwarded already"), "a repeated forward is named: %s", e.msg);
        settings_done(&s);
        r = parse(&s, "[Network]\nPort=http\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "Port=http"), "a bad Port= is named: %s", e.msg);
        settings_done(&s);
        r = parse(&s, "[Network]\nZone=a/b\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "Zone=a/b"), "a bad Zone= is named: %s", e.msg);
        settings_done(&s);
}

TEST(keys_that_ask_for_nothing)
{
        r = parse(&s, "[Network]\nPrivate=no\n[Exec]\nPrivateUsers=no\n", &e, &w);
        CHECK(r == 0, "later keys that ask for nothing are accepted");
        settings_done(&s);
}

TEST(resources)
{
        r = parse(&s, "[Resources]\nMemoryMax=1G\nSlice=machine-web.slice\nDeviceAllow=/dev/fuse rwm\n", &e, &w);
        CHECK(r == 0 && (s.mask & SETTING_RESOURCES) && s.resources.memory_max.value == 1ULL << 30 && s.resources.n_device_allow == 1 &&
                      s.resources.slice && strcmp(s.resources.slice, "machine-web.slice") == 0,
              "[Resources] holds the resource properties and the slice");
        settings_done(&s);

        r = parse(&s, "[Resources]\nCPUQuota=lots\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "test.nspawn:2: CPUQuota= CPUQuota=lots: expected a percentage"),
              "a bad property names file and line: %s", e.msg);
        settings_done(&s);

        strv_free(w);
        w = NULL;
        r = parse(&s, "[Resources]\nDelegate=yes\n", &e, &w);
        CHECK(r == 0 && w && strstr(w[0], "Delegate"), "an unknown [Resources] key is a warning, as other unknown keys: %s", w ? w[0] : "");
        settings_done(&s);
}

TEST(bad_bind)
{
        r = parse(&s, "[Files]\nBind=relative:/x\n", &e, &w);
        CHECK(r == -EINVAL && strstr(e.msg, "test.nspawn:2") && strstr(e.msg, "absolute"), "bad Bind=: %s", e.msg);
        settings_done(&s);
}

TEST(later_lines_win_and_empty_resets)
{
        r = parse(&s, "[Exec]\nBoot=yes\nBoot=no\nProcessTwo=yes\n", &e, &w);
        CHECK(r == 0 && s.start_mode == START_PID2, "later Boot=/ProcessTwo= lines win");
        settings_done(&s);

        r = parse(&s, "[Exec]\nParameters=a b\nParameters=\n", &e, &w);
        CHECK(r == 0 && !s.parameters, "empty Parameters= resets");
        settings_done(&s);

        r = parse(&s, "[Exec]\nParameters=\"unbalanced\n", &e, &w);
        CHECK(r == -EINVAL, "unbalanced quote is an error");
        settings_done(&s);
}

TEST(boolean_forms_of_modes)
{
        r = parse(&s, "[Files]\nVolatile=yes\n[Exec]\nResolvConf=off\nTimezone=no\n", &e, &w);
        CHECK(r == 0 && s.volatile_mode == VOLATILE_YES && s.resolv_conf == RESOLV_CONF_OFF && s.timezone == TIMEZONE_OFF,
              "boolean forms of Volatile=, ResolvConf=, Timezone=");
        settings_done(&s);
}

TAP_MAIN
