/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The machine registry: records written and read back, dead supervisors' records skipped and
 * removed by gc. */
#include <stdlib.h>
#include <errno.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "macro.h"
#include "registry.h"
#include "tap.h"

static MachineRecord record(const char *name, pid_t supervisor)
{
        MachineRecord m = {.leader = 1, .supervisor = supervisor, .supervisor_start = pid_start_time(supervisor), .boot = true, .kill_signal = 37};
        snprintf(m.name, sizeof(m.name), "%s", name);
        snprintf(m.root, sizeof(m.root), "/var/lib/machines/%s", name);
        snprintf(m.class_, sizeof(m.class_), "container");
        snprintf(m.service, sizeof(m.service), "corral");
        snprintf(m.os, sizeof(m.os), "debian");
        snprintf(m.version, sizeof(m.version), "12");
        snprintf(m.id, sizeof(m.id), "0123456789abcdef0123456789abcdef");
        return m;
}

static char dir[] = "/tmp/test-registry.XXXXXX";

TEST(pid_start_time)
{
        CHECK(pid_start_time(getpid()) > 0 && pid_start_time(0) == 0, "pid_start_time");
}

TEST(records_written_and_read_back)
{
        if (!mkdtemp(dir))
                abort();
        MachineRecord a = record("web", getpid()), got;
        a.poweroff_signal = 12;
        a.caps_bounding = 0xfcecafffULL;
        a.caps_ambient = 1ULL << 10;
        a.no_new_privs = true;
        CHECK(registry_write(dir, &a) == 0, "a record is written");
        CHECK(registry_read(dir, "web", &got) == 0 && got.poweroff_signal == 12 && got.caps_bounding == 0xfcecafffULL &&
                      got.caps_ambient == (1ULL << 10) && got.no_new_privs,
              "with the poweroff signal and the payload's security context");
        CHECK(registry_write_file(dir, "web", "seccomp", "\1\2\3\4\5\6\7\x08", 8) == 0, "a file beside the state");
        CHECK(registry_read(dir, "web", &got) == 0 && streq(got.root, a.root) && got.boot && got.kill_signal == 37 && streq(got.os, "debian") &&
                      streq(got.version, "12") && got.supervisor == getpid() && streq(got.id, a.id),
              "and read back");
        CHECK(registry_read(dir, "../web", &got) == -ENOENT && registry_read(dir, "", &got) == -ENOENT, "names that are paths are not machines");

        registry_remove(dir, "web");
        CHECK(registry_read(dir, "web", &got) == -ENOENT && rmdir(dir) == 0, "removed with the files beside it, nothing left");
}

TEST(a_gone_supervisor_is_no_machine)
{
        if (!mkdtemp(dir))
                abort();
        MachineRecord a = record("web", getpid()), got;
        CHECK(registry_write(dir, &a) == 0, "a live machine's record");
        /* A supervisor that is gone: a child that has exited and been reaped. */
        pid_t p = fork();
        if (p == 0)
                _exit(0);
        MachineRecord d = record("dead", p);
        d.supervisor_start = 12345;
        waitpid(p, NULL, 0);
        CHECK(registry_write(dir, &d) == 0, "a dead supervisor's record");
        CHECK(registry_read(dir, "dead", &got) == -ENOENT, "is not read as a machine");
        MachineRecord *list;
        size_t n;
        CHECK(registry_list(dir, &list, &n) == 0 && n == 1 && streq(list[0].name, "web"), "nor listed");
        free(list);
        CHECK(registry_gc(dir) == 1, "gc removes it");
        char path[256];
        snprintf(path, sizeof(path), "%s/dead", dir);
        CHECK(access(path, F_OK) < 0, "and its directory");
        CHECK(registry_gc(dir) == 0, "and nothing more");
        registry_remove(dir, "web");
        CHECK(rmdir(dir) == 0, "nothing left");
}

TEST(no_addresses_on_the_hosts_network)
{
        MachineRecord self = record("self", getpid());
        char addresses[256];
        self.leader = getpid();
        registry_addresses(&self, addresses, sizeof(addresses));
        CHECK(addresses[0] == 0, "a machine in the host's network namespace shows no addresses");
}

TAP_MAIN
