/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <linux/capability.h>
#include "capability.h"
#include "seccomp-policy.h"
#include "strv.h"
#include "tap.h"

int main(void)
{
        char **allow = NULL, **deny = NULL, **names;
        Error e = {0};

        CHECK(syscall_group_find("@mount") && syscall_group_find("@default") && !syscall_group_find("@nope"), "groups known");
        CHECK(syscall_filter_parse("add_key keyctl bpf", &allow, &deny, "--system-call-filter", &e) == 0 && strv_length(allow) == 3 &&
                      !deny,
              "an allow list");
        CHECK(syscall_filter_parse("~@mount kill", &allow, &deny, "--system-call-filter", &e) == 0 && strv_length(deny) == 2,
              "a deny list");
        CHECK(syscall_filter_parse("@bogus", &allow, &deny, "SystemCallFilter=", &e) == -EINVAL && strstr(e.msg, "@bogus"),
              "unknown group named: %s", e.msg);
        e = (Error){0};
        CHECK(syscall_filter_parse("open;rm", &allow, &deny, "SystemCallFilter=", &e) == -EINVAL && strstr(e.msg, "open;rm"),
              "not a name: %s", e.msg);

        names = syscall_policy_names(capability_default_set(), NULL, NULL);
        CHECK(names && strv_contains(names, "read") && strv_contains(names, "mount") && strv_contains(names, "ptrace"),
              "the default list has the basics, @mount, and ptrace with CAP_SYS_PTRACE");
        CHECK(!strv_contains(names, "bpf") && !strv_contains(names, "keyctl") && !strv_contains(names, "init_module") &&
                      !strv_contains(names, "settimeofday") && !strv_contains(names, "kexec_load") && !strv_contains(names, "swapon"),
              "and not bpf, keyctl, modules, the clock, kexec, swap");
        strv_free(names);
        names = syscall_policy_names(CAP_SET_ALL, NULL, NULL);
        CHECK(strv_contains(names, "settimeofday") && strv_contains(names, "init_module") && strv_contains(names, "ioperm") &&
                      !strv_contains(names, "kexec_load") && !strv_contains(names, "bpf"),
              "all capabilities open @clock, @module, @raw-io, not kexec or bpf (as nspawn)");
        strv_free(names);
        names = syscall_policy_names(0, NULL, NULL);
        CHECK(!strv_contains(names, "ptrace") && !strv_contains(names, "reboot") && !strv_contains(names, "vhangup"),
              "no capabilities: no ptrace, reboot, vhangup");
        strv_free(names);
        names = syscall_policy_names(capability_default_set(), allow, deny);
        CHECK(strv_contains(names, "keyctl") && strv_contains(names, "bpf") && !strv_contains(names, "mount") &&
                      !strv_contains(names, "umount2") && !strv_contains(names, "kill"),
              "allow adds, deny removes, and wins");
        strv_free(names);
        strv_free(allow);
        strv_free(deny);
        return tap_done();
}
