/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include "settings.h"
#include "strv.h"
#include "tap.h"

static const char text[] = "[Exec]\nBoot=yes\nHostname=fromfile\n[Files]\nBind=/host:/c\nReadOnly=yes\n";

static void file(Settings *f, const char *contents)
{
        Error e = {0};
        settings_init(f);
        if (settings_file_parse(f, "f.nspawn", contents, NULL, &e) < 0)
                printf("# parse failed: %s\n", e.msg);
}

TEST(command_line_wins_and_the_file_fills_the_rest)
{
        Settings c, f;
        Error e = {0};
        _cleanup_strv_free_ char **w = NULL;

        /* The command line wins for what it set; the file fills the rest. */
        settings_init(&c);
        c.hostname = strdup("fromcmd");
        c.mask |= SETTING_HOSTNAME;
        file(&f, text);
        CHECK(settings_merge(&c, &f, true, "f.nspawn", &w, &e) == 0, "merge");
        CHECK_STREQ(c.hostname, "fromcmd", "command line wins");
        CHECK(c.start_mode == START_BOOT && c.read_only, "file fills unset fields");
        CHECK(c.n_custom_mounts == 1, "trusted file may add mounts");
        settings_done(&c);
        settings_done(&f);
}

TEST(untrusted_file_adds_no_mounts)
{
        Settings c, f;
        Error e = {0};
        _cleanup_strv_free_ char **w = NULL;

        /* Untrusted: mounts are ignored with a warning. */
        settings_init(&c);
        file(&f, text);
        CHECK(settings_merge(&c, &f, false, "f.nspawn", &w, &e) == 0, "untrusted merge");
        CHECK(c.n_custom_mounts == 0, "untrusted file cannot add mounts");
        CHECK(strv_length(w) == 1 && strstr(w[0], "not trusted"), "and says so");
        CHECK(c.start_mode == START_BOOT, "untrusted file still sets harmless fields");
        settings_done(&c);
        settings_done(&f);
}

TEST(bind_user_from_trusted_files_only)
{
        Settings c, f;
        Error e = {0};
        _cleanup_strv_free_ char **w = NULL;

        /* BindUser=: only from a trusted file (nspawn 260); the command line wins. */
        settings_init(&c);
        file(&f, "[Files]\nBindUser=alice\n");
        CHECK(settings_merge(&c, &f, false, "f.nspawn", &w, &e) == 0 && !c.bind_users && !(c.mask & SETTING_BIND_USER),
              "an untrusted file's BindUser= is ignored");
        CHECK(strv_length(w) == 1 && strstr(w[0], "BindUser=") && strstr(w[0], "not trusted"), "and says so: %s", w ? w[0] : "");
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        file(&f, "[Files]\nBindUser=alice\n");
        CHECK(settings_merge(&c, &f, true, "f.nspawn", &w, &e) == 0 && strv_length(c.bind_users) == 1, "a trusted file's is taken");
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        strv_extend(&c.bind_users, "bob");
        c.mask |= SETTING_BIND_USER;
        file(&f, "[Files]\nBindUser=alice\n");
        CHECK(settings_merge(&c, &f, true, "f.nspawn", &w, &e) == 0 && streq(c.bind_users[0], "bob") && strv_length(c.bind_users) == 1,
              "--bind-user= wins over the file's");
        settings_done(&c);
        settings_done(&f);
}

TEST(settings_override_lets_the_file_win)
{
        Settings c, f;
        Error e = {0};

        /* --settings=override: the file wins. */
        settings_init(&c);
        c.settings_mode = SETTINGS_OVERRIDE;
        c.hostname = strdup("fromcmd");
        c.mask |= SETTING_HOSTNAME;
        file(&f, text);
        settings_merge(&c, &f, true, "f.nspawn", NULL, &e);
        CHECK_STREQ(c.hostname, "fromfile", "override: file wins");
        settings_done(&c);
        settings_done(&f);
}

TEST(parameters_travel_with_the_start_mode)
{
        Settings c, f;
        Error e = {0};

        /* Parameters travel with the start mode, as nspawn's SETTING_START_MODE. */
        settings_init(&c);
        strv_extend(&c.parameters, "/bin/true");
        c.mask |= SETTING_START_MODE;
        file(&f, "[Exec]\nBoot=yes\nParameters=--unit=x\n");
        settings_merge(&c, &f, true, "f.nspawn", NULL, &e);
        CHECK(c.start_mode == START_PID1 && streq(c.parameters[0], "/bin/true"), "a command line command beats Boot=");
        settings_done(&c);
        settings_done(&f);
}

TEST(network_from_trusted_files_only)
{
        Settings c, f;
        Error e = {0};
        _cleanup_strv_free_ char **w = NULL;

        /* [Network]: nothing from an untrusted file, as nspawn; a trusted one's applies unless
         * the command line set networking. */
        settings_init(&c);
        file(&f, "[Network]\nPrivate=yes\n");
        CHECK(settings_merge(&c, &f, false, "f.nspawn", &w, &e) == 0 && !c.private_network.set, "untrusted Private= is ignored");
        CHECK(strv_length(w) == 1 && strstr(w[0], "[Network]"), "and named: %s", w ? w[0] : "");
        w = strv_free(w);
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        file(&f, "[Network]\nPrivate=yes\n");
        CHECK(settings_merge(&c, &f, true, "f.nspawn", NULL, &e) == 0 && OPTIONAL_IS(c.private_network, true), "a trusted Private= applies");
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        OPTIONAL_SET(c.private_network, false);
        c.mask |= SETTING_NETWORK;
        file(&f, "[Network]\nPrivate=yes\n");
        CHECK(settings_merge(&c, &f, true, "f.nspawn", NULL, &e) == 0 && OPTIONAL_IS(c.private_network, false), "the command line's networking wins");
        settings_done(&c);
        settings_done(&f);
        /* Port= on its own (nspawn's SETTING_EXPOSE_PORTS): trusted files only; the command
         * line's -p wins; networking set on the command line does not stop a file's Port=. */
        settings_init(&c);
        file(&f, "[Network]\nZone=web\nPort=80\n");
        CHECK(settings_merge(&c, &f, false, "f.nspawn", &w, &e) == 0 && !c.network_zone && c.n_ports == 0, "untrusted Zone=, Port= are ignored");
        CHECK(strv_length(w) == 2 && strstr(w[1], "Port="), "and named: %s", w && w[1] ? w[1] : "");
        w = strv_free(w);
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        c.mask |= SETTING_NETWORK;
        OPTIONAL_SET(c.network_veth, true);
        file(&f, "[Network]\nZone=web\nPort=80\n");
        CHECK(settings_merge(&c, &f, true, "f.nspawn", NULL, &e) == 0 && !c.network_zone && c.n_ports == 1 && c.ports[0].host_port == 80,
              "a trusted Port= applies beside the command line's -n");
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        expose_port_add(&c, "8080:80");
        c.mask |= SETTING_EXPOSE_PORTS;
        file(&f, "[Network]\nPort=80\n");
        CHECK(settings_merge(&c, &f, true, "f.nspawn", NULL, &e) == 0 && c.n_ports == 1 && c.ports[0].host_port == 8080,
              "the command line's -p wins");
        settings_done(&c);
        settings_done(&f);
}

TEST(capabilities_dropped_not_added_by_untrusted_files)
{
        Settings c, f;
        Error e = {0};
        _cleanup_strv_free_ char **w = NULL;

        /* Capabilities: an untrusted file may drop, not add; a trusted one may add. */
        const char *caps = "[Exec]\nCapability=CAP_NET_ADMIN\nDropCapability=CAP_SYS_ADMIN\nNoNewPrivileges=yes\n";
        settings_init(&c);
        file(&f, caps);
        CHECK(settings_merge(&c, &f, false, "f.nspawn", &w, &e) == 0, "untrusted caps merge");
        CHECK(c.capability_plus == 0, "untrusted file cannot add capabilities");
        CHECK(c.capability_minus == (UINT64_C(1) << 21), "but may drop them");
        CHECK(OPTIONAL_IS(c.no_new_privileges, true), "and may set NoNewPrivileges=");
        CHECK(strv_length(w) == 1 && strstr(w[0], "Capability="), "the ignored key is named");
        settings_done(&c);
        settings_done(&f);
        settings_init(&c);
        file(&f, caps);
        CHECK(settings_merge(&c, &f, true, "f.nspawn", NULL, &e) == 0 && c.capability_plus == (UINT64_C(1) << 12),
              "a trusted file adds capabilities");
        settings_done(&c);
        settings_done(&f);
        /* Any capability option on the command line shadows all three keys, as nspawn. */
        settings_init(&c);
        c.capability_ambient = UINT64_C(1) << 13;
        c.mask |= SETTING_CAPABILITY;
        file(&f, caps);
        CHECK(settings_merge(&c, &f, true, "f.nspawn", NULL, &e) == 0 && c.capability_plus == 0 && c.capability_minus == 0,
              "command line capability options shadow the file's");
        settings_done(&c);
        settings_done(&f);
}

TAP_MAIN
