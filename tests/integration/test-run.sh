# SPDX-License-Identifier: LGPL-2.1-or-later
# Running a command: output, exit status, environment, identity, process options.

test_command_output_and_status() {
        ensure_bb
        expect_eq "$(cr -D "$BB" /bin/echo hello)" "hello" "output of echo"
        expect_rc 7 cr -D "$BB" /bin/sh -c 'exit 7'
        expect_rc 0 cr -D "$BB" true
}

test_missing_command_is_explained() {
        ensure_bb
        out=$("$CORRAL" -P -D "$BB" /nonexistent 2>&1 </dev/null); rc=$?
        expect_eq "$rc" 1 "exit status"
        expect_contains "$out" "execv(/nonexistent) failed: No such file or directory" "message"
}

test_no_command_runs_a_login_shell() {
        ensure_bb
        out=$(echo 'echo shell:$0' | "$CORRAL" -q -P -D "$BB" 2>&1)
        expect_eq "$out" "shell:-sh" "login shell"
}

test_environment_matches_nspawn() {
        ensure_bb
        got=$(cr -D "$BB" -E FOO=bar /bin/env | grep -v -e '^container_uuid=' -e '^SHLVL=' -e '^PWD=' | sort)
        expect_contains "$got" "container=systemd-nspawn" "container="
        expect_contains "$got" "NOTIFY_SOCKET=/run/host/notify" "NOTIFY_SOCKET"
        expect_contains "$got" "FOO=bar" "-E"
        expect_contains "$got" "HOME=/root" "HOME"
        have_nspawn || skip "systemd-nspawn cannot run here; corral side checked"
        want=$(ns -D "$BB" -E FOO=bar /bin/env | grep -v -e '^container_uuid=' -e '^SHLVL=' -e '^PWD=' | sort)
        expect_eq "$got" "$want" "environment differs from systemd-nspawn's"
}

test_identity_hostname_uuid_machine_id() {
        ensure_bb
        expect_eq "$(cr -D "$BB" hostname)" "bb" "hostname defaults to the directory name"
        expect_eq "$(cr -D "$BB" -M web hostname)" "web" "-M sets the hostname"
        expect_eq "$(cr -D "$BB" -M web --hostname=other hostname)" "other" "--hostname"
        u=0b9f2a4c-1d2e-4f30-8a1b-2c3d4e5f6a7b
        expect_eq "$(cr -D "$BB" --uuid=$u /bin/sh -c 'echo $container_uuid; cat /run/host/container-uuid')" "$u
$u" "--uuid"
        echo 11112222333344445555666677778888 > "$BB/etc/machine-id"
        expect_eq "$(cr -D "$BB" --uuid=$u /bin/sh -c 'echo $container_uuid')" "11112222-3333-4444-5555-666677778888" \
                "the tree's machine-id wins, as nspawn"
        expect_eq "$(cr -D "$BB" cat /run/host/container-manager)" "systemd-nspawn" "container-manager"
        rm "$BB/etc/machine-id"
        a=$(cr -D "$BB" cat /proc/sys/kernel/random/boot_id); b=$(cr -D "$BB" cat /proc/sys/kernel/random/boot_id)
        [ -n "$a" ] && [ "$a" != "$b" ] && [ "$a" != "$(cat /proc/sys/kernel/random/boot_id)" ] || fail "boot_id not fresh per start"
}

test_machine_lookup_in_var_lib_machines() {
        make_busybox_tree /var/lib/machines/box
        expect_eq "$(cr -M box hostname)" "box" "-M finds /var/lib/machines/box"
        out=$("$CORRAL" -P -M nothere true 2>&1 </dev/null) && fail "missing machine accepted"
        expect_contains "$out" 'no image for machine "nothere"' "message"
        (cd /var/lib/machines/box && expect_eq "$(cr hostname)" "box" "current directory is the image")
}

test_user_chdir_setenv() {
        ensure_bb
        expect_eq "$(cr -D "$BB" -u alice /bin/sh -c 'id -u; id -G; echo $HOME $USER $LOGNAME; pwd')" "1000
1000 10
/home/alice alice alice
/" "-u alice"
        expect_eq "$(cr -D "$BB" --chdir=/usr /bin/pwd)" "/usr" "--chdir"
        out=$("$CORRAL" -P -D "$BB" -u nobody true 2>&1 </dev/null) && fail "unknown user accepted"
        expect_contains "$out" "--user=nobody: no such user" "message"
        out=$("$CORRAL" -P -D "$BB" --chdir=/nope true 2>&1 </dev/null) && fail "bad chdir accepted"
        expect_contains "$out" "--chdir=/nope" "message"
}

# --user=root (or 0) is root without a look-up, as nspawn: a tree without /etc/passwd runs.
test_user_root_without_passwd() {
        make_busybox_tree "$TESTTMP/nopw"
        rm "$TESTTMP/nopw/etc/passwd" "$TESTTMP/nopw/etc/group"
        local runner u
        for u in root 0; do
                for runner in cr ns; do
                        [ $runner = ns ] && ! have_nspawn && continue
                        out=$($runner -D "$TESTTMP/nopw" -M nopw -u $u /bin/sh -c 'id -u; id -g; echo $HOME $USER $LOGNAME' 2>&1)
                        expect_eq "$(echo $out)" "0 0 /root $u $u" "$runner -u $u in a tree without /etc/passwd"
                done
        done
        out=$("$CORRAL" -P -D "$TESTTMP/nopw" -u alice true 2>&1 </dev/null) && fail "an unknown user accepted"
        expect_contains "$out" "--user=alice: no such user" "another user is still looked up"
}

# "help" as the value of an option lists its choices, as nspawn's list them, and ends (exit 0).
test_help_values_like_nspawn() {
        local o
        for o in capability drop-capability volatile private-users-ownership resolv-conf timezone console rlimit kill-signal; do
                out=$("$CORRAL" --$o=help 2>&1) || fail "--$o=help failed: $out"
                [ "$(echo "$out" | wc -l)" -ge 3 ] || fail "--$o=help lists too little: $out"
                command -v systemd-nspawn >/dev/null || continue
                expect_eq "$out" "$(systemd-nspawn --$o=help 2>&1)" "--$o=help lists what nspawn's does"
        done
}

# bash completion for corral: options from its --help, values as nspawn lists them, images for
# -M, and the container's command after the options.
test_corral_bash_completion() {
        make_busybox_tree /var/lib/machines/img1
        out=$(PATH=$(dirname "$CORRAL"):$(dirname "$CORRALCTL"):$PATH bash -c '
                . "$1"
                complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _corral; echo "${COMPREPLY[*]}"; }
                echo "options: $(complete_words corral --ephem)"
                echo "valued: $(complete_words corral --volati)"
                echo "volatile: $(complete_words corral --volatile = "")"
                echo "capability: $(complete_words corral --capability = cap_sys_ch)"
                echo "settings: $(complete_words corral --settings "")"
                echo "machine: $(complete_words corral -M im)"
                echo "command: $(complete_words corral -M img1 -b --volatile = yes mkdi)"
        ' _ "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shell-completion/corral")
        expect_contains "$out" "options: --ephemeral" "an option from corral --help"
        expect_contains "$out" "valued: --volatile=" "one that takes a value"
        expect_contains "$out" "volatile: no yes state overlay" "--volatile's values"
        expect_contains "$out" "capability: cap_sys_chroot" "capability names, as nspawn lists them"
        expect_contains "$out" "settings: yes no override trusted" "--settings's values"
        expect_contains "$out" "machine: img1" "images for -M"
        expect_contains "$out" "command: mkdir" "the command after the options"
}

# --log-level= and $CORRAL_LOG_LEVEL/$SYSTEMD_LOG_LEVEL: debug names each start step, warning
# drops the status lines, an error stays one "corral: " line at every level.
test_log_level() {
        ensure_bb
        local out
        out=$("$CORRAL" --log-level=debug -P -D "$BB" /bin/sh -c 'echo payload' </dev/null 2>&1)
        expect_contains "$out" "corral: debug: settings file: none" "the settings file looked for"
        expect_contains "$out" "corral: debug: plan: root-bind    / <- $BB" "the mount plan, step by step"
        expect_contains "$out" "corral: debug: spawn: clone3() made PID" "the clone"
        expect_contains "$out" "corral: debug: spawn: the child has exec'd the payload" "the exec"
        expect_contains "$out" "corral: debug: supervisor: machine $(basename "$BB") registered" "the registration"
        expect_contains "$out" "payload" "and the payload ran"
        out=$(SYSTEMD_LOG_LEVEL=debug "$CORRAL" -P -D "$BB" true </dev/null 2>&1)
        expect_contains "$out" "corral: debug: spawn:" "\$SYSTEMD_LOG_LEVEL=debug, as nspawn's users set it"
        out=$(SYSTEMD_LOG_LEVEL=debug CORRAL_LOG_LEVEL=info "$CORRAL" -D "$BB" true </dev/null 2>&1)
        expect_not_contains "$out" "debug:" "\$CORRAL_LOG_LEVEL wins"
        expect_contains "$out" "Spawning container" "info has the status lines"
        out=$("$CORRAL" --log-level=warning -D "$BB" true </dev/null 2>&1)
        expect_not_contains "$out" "Spawning container" "warning drops the status lines"
        expect_not_contains "$out" "exited successfully" "the end's too"
        out=$("$CORRAL" --log-level=error -D /nonexistent true 2>&1)
        expect_eq "$out" "corral: directory /nonexistent does not exist" "an error, one line, at any level"
        out=$(CORRAL_LOG_LEVEL=loud "$CORRAL" -q -P -D "$BB" /bin/echo ok </dev/null 2>&1)
        expect_contains "$out" "corral: warning: \$CORRAL_LOG_LEVEL=loud is not a log level" "a bad value is named"
        expect_contains "$out" "ok" "and ignored"
        out=$("$CORRAL" --log-level=loud true 2>&1)
        expect_contains "$out" "--log-level=loud: not a log level" "a bad option is refused"
        expect_eq "$("$CORRAL" --log-level=help | tr '\n' ' ')" "error warning info debug " "--log-level=help"
}

# nspawn's environment knobs, beside nspawn where it can run them here.
test_nspawn_environment_knobs() {
        ensure_bb
        local runner want out
        # $SYSTEMD_NSPAWN_TMPFS_TMP=0: the tree's own /tmp; =..._API_VFS_WRITABLE=yes: /sys
        # writable, /proc/sys not made read-only, nothing of /proc masked.
        want=
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                out=$(SYSTEMD_NSPAWN_TMPFS_TMP=0 $runner -D "$BB" -M knobs /bin/sh -c 'grep -c " /tmp " /proc/self/mountinfo'
                      SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes $runner -D "$BB" -M knobs /bin/sh -c \
                        'grep -E " /sys | /proc/sys | /proc/kcore | /proc/sysrq-trigger | /proc/bus " /proc/self/mountinfo | cut -d" " -f5,6')
                [ -z "$want" ] && want=$out
                expect_eq "$out" "$want" "$runner: TMPFS_TMP=0 and API_VFS_WRITABLE=yes as nspawn"
        done
        expect_eq "$(echo $want)" "0 /sys rw,nosuid,nodev,noexec,relatime" "no /tmp tmpfs; /sys writable, nothing else mounted over /proc"
        # =network: /proc/sys/net writable on a network the container shares (the test's own).
        make_test_netns
        out=$(SYSTEMD_NSPAWN_API_VFS_WRITABLE=network $N "$CORRAL" -q -P -D "$BB" -M knobs /bin/sh -c 'grep " /proc/sys/net " /proc/self/mountinfo | cut -d" " -f6' </dev/null)
        expect_contains "$out" "rw," "API_VFS_WRITABLE=network: /proc/sys/net writable"
        umount "$TESTTMP/netns"
        # nspawn's refusals with -U.
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                out=$(SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes $runner -D "$BB" -U true 2>&1 || true)
                [ $runner = ns ] && out=$(SYSTEMD_NSPAWN_API_VFS_WRITABLE=yes $NSPAWN -q -P -D "$BB" -U true </dev/null 2>&1)
                expect_contains "$out" "Cannot combine --private-users with read-write mounts." "$runner: API_VFS_WRITABLE=yes with -U"
                out=$(SYSTEMD_NSPAWN_API_VFS_WRITABLE=network $runner -D "$BB" -U true 2>&1 || true)
                [ $runner = ns ] && out=$(SYSTEMD_NSPAWN_API_VFS_WRITABLE=network $NSPAWN -q -P -D "$BB" -U true </dev/null 2>&1)
                expect_contains "$out" "Mounting sysfs with --private-users requires --private-network." "$runner: API_VFS_WRITABLE=network with -U"
        done
        out=$(SYSTEMD_NSPAWN_API_VFS_WRITABLE=maybe "$CORRAL" -P -D "$BB" true 2>&1 </dev/null)
        expect_contains "$out" "SYSTEMD_NSPAWN_API_VFS_WRITABLE=maybe: expected a boolean or \"network\"" "a bad value is named"
        # =_UNIFIED_HIERARCHY: corral has the unified hierarchy only, and says so for 0.
        expect_contains "$(SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=1 cr -D "$BB" /bin/sh -c 'grep " /sys/fs/cgroup " /proc/self/mountinfo')" " - cgroup2 " "UNIFIED_HIERARCHY=1"
        out=$(SYSTEMD_NSPAWN_UNIFIED_HIERARCHY=0 "$CORRAL" -P -D "$BB" true 2>&1 </dev/null)
        expect_contains "$out" "corral gives containers the unified cgroup hierarchy only" "UNIFIED_HIERARCHY=0 is refused by name"
        # =_USE_CGNS=0: no cgroup namespace: the whole hierarchy, read-only, but the container's
        # own cgroup (nspawn 252 fails here on a hybrid host; the real-host lane boots with it).
        out=$(SYSTEMD_NSPAWN_USE_CGNS=0 cr -D "$BB" -M nocgns /bin/sh -c 'grep "^0::" /proc/self/cgroup
                grep -E " /sys/fs/cgroup(/[^ ]*)? " /proc/self/mountinfo | cut -d" " -f5,6 | cut -d, -f1')
        expect_contains "$out" "0::/" "USE_CGNS=0: its cgroup's path in the host's hierarchy"
        expect_contains "$out" "corral-nocgns.scope" "the scope named"
        expect_contains "$out" "/sys/fs/cgroup ro" "the hierarchy read-only"
        expect_contains "$out" "corral-nocgns.scope rw" "its own cgroup writable"
        expect_eq "$(cr -D "$BB" /bin/sh -c 'grep "^0::" /proc/self/cgroup')" "0::/" "by default a cgroup namespace"
        # =_LOCK=0: the tree is not locked, so a second writable run may start.
        mkdir -p "$TESTTMP/x"
        "$CORRAL" -q -P -D "$BB" -M lock1 --bind="$TESTTMP/x:/x" /bin/sh -c 'touch /x/up; sleep 30' </dev/null >/dev/null 2>&1 &
        local pid=$!
        wait_for_file "$TESTTMP/x/up" 15 || fail "the first container did not start"
        out=$("$CORRAL" -q -P -D "$BB" -M lock2 true 2>&1 </dev/null)
        expect_contains "$out" "is currently busy" "a second writable run of one tree is refused"
        expect_eq "$(SYSTEMD_NSPAWN_LOCK=0 cr -D "$BB" -M lock2 /bin/sh -c 'echo ran')" "ran" "with LOCK=0 it runs"
        kill $pid; wait $pid || true
}

test_as_pid2_stub_init() {
        ensure_bb
        expect_eq "$(cr -D "$BB" -a /bin/sh -c 'echo $$; cat /proc/1/comm')" "2
(sd-stubinit)" "--as-pid2"
        expect_rc 7 cr -D "$BB" -a /bin/sh -c 'exit 7'
        expect_rc 255 cr -D "$BB" -a /bin/sh -c 'kill -9 $$'
        # The stub reaps orphans: a zombie never lingers.
        out=$(cr -D "$BB" -a /bin/sh -c '(sleep 0.1 &) ; sleep 0.5; ps -o stat,comm | grep -c "^Z"')
        expect_eq "$out" "0" "zombies reaped"
        # Signals to PID 1 go to the payload, the first real-time one (34) too.
        expect_eq "$(cr -D "$BB" -a /bin/sh -c 'trap "echo got-34; exit 0" 34; kill -34 1; sleep 3; echo lost')" "got-34" "signal 34 forwarded"
        expect_eq "$(cr -D "$BB" -a /bin/sh -c 'trap "echo got-USR1; exit 0" USR1; kill -USR1 1; sleep 3; echo lost')" "got-USR1" "SIGUSR1 forwarded"
}

test_boot_finds_init_and_passes_arguments() {
        ensure_bb
        printf '#!/bin/sh\necho init:$0:$*:$$\n' > "$BB/sbin/init"; chmod +x "$BB/sbin/init"
        expect_eq "$(cr -D "$BB" -b one two)" "init:/sbin/init:one two:1" "--boot"
        rm "$BB/usr/lib/os-release"
        out=$("$CORRAL" -P -D "$BB" -b 2>&1 </dev/null) && fail "boot without os-release accepted"
        expect_contains "$out" "os-release file is missing" "message"
}

test_personality_x86() {
        ensure_bb
        expect_eq "$(cr -D "$BB" --personality=x86 uname -m)" "i686" "--personality=x86"
}

test_capabilities_default_set() {
        ensure_bb
        # Every capability set, and the ids, as the probe reports them from inside.
        got=$(cr -D "$BB" corral-probe status | grep -E '^(cap_|uid|gid|groups|no_new_privs)')
        expect_contains "$got" "cap_bnd=$(host_caps fdecafff)" "nspawn's default bounding set"
        expect_contains "$got" "cap_amb=0000000000000000" "no ambient capabilities"
        got_alice=$(cr -D "$BB" -u alice corral-probe status | grep -E '^(cap_eff|uid|gid|groups)=')
        expect_eq "$got_alice" "uid=1000
gid=1000
groups=10,1000
cap_eff=0000000000000000" "-u alice drops every effective capability and takes her groups as initgroups(3)"
        have_nspawn || skip "no nspawn to compare with; corral side checked"
        want=$(ns -D "$BB" corral-probe status | grep -E '^(cap_|uid|gid|groups|no_new_privs)')
        expect_eq "$got" "$want" "capabilities differ from nspawn's"
        # (nspawn resolves -u with getent inside the tree; busybox has none, so no comparison.)
}

test_credentials() {
        ensure_bb
        echo -n secret > "$TESTTMP/cred"
        out=$(cr -D "$BB" --set-credential=greeting:hello\\nworld --load-credential=pw:"$TESTTMP/cred" \
                /bin/sh -c 'echo $CREDENTIALS_DIRECTORY; cat $CREDENTIALS_DIRECTORY/greeting; echo; cat $CREDENTIALS_DIRECTORY/pw; echo; stat -c %a $CREDENTIALS_DIRECTORY/pw; touch $CREDENTIALS_DIRECTORY/x 2>/dev/null || echo ro')
        expect_eq "$out" "/run/host/credentials
hello
world
secret
400
ro" "credentials"
}

test_not_yet_options_are_refused() {
        ensure_bb
        for o in --verity-data=/x.verity --root-hash-sig=/x.sig; do
                out=$("$CORRAL" -P -D "$BB" $o true 2>&1 </dev/null) && fail "$o accepted"
                expect_contains "$out" "not supported" "$o"
        done
}

# A start that fails on a bind's source leaves the tree as it was: nothing written, no mount
# point made (the sources are checked before anything, as nspawn checks them).
test_failed_start_leaves_the_tree_alone() {
        ensure_bb
        cp -a "$BB" "$TESTTMP/t"
        rm -f "$TESTTMP/t/etc/resolv.conf" "$TESTTMP/t/etc/localtime"
        local before
        before=$(cd "$TESTTMP/t" && find . | sort)
        for opt in --bind=/nonexistent:/newdir --bind-ro=/nonexistent:/etc/newdir/x; do
                out=$("$CORRAL" -q -P -D "$TESTTMP/t" "$opt" true 2>&1 </dev/null) && fail "$opt accepted"
                expect_contains "$out" "source /nonexistent: No such file or directory" "$opt: says why"
                expect_eq "$(cd "$TESTTMP/t" && find . | sort)" "$before" "$opt: the tree is as it was"
        done
        # tmpfs options the kernel refuses, and "+" sources (in the tree) that are not there: also
        # known before the tree is touched.  The kernel's reason is passed on.
        local want
        while IFS='|' read -r opt want; do
                out=$("$CORRAL" -q -P -D "$TESTTMP/t" --tmpfs=/newdir/a "$opt" true 2>&1 </dev/null) && fail "$opt accepted"
                expect_contains "$out" "$want" "$opt: says why"
                expect_eq "$(cd "$TESTTMP/t" && find . | sort)" "$before" "$opt: the tree is as it was"
        done <<'CASES'
--tmpfs=/newdir/b:size=lots|--tmpfs=/newdir/b:size=lots: tmpfs refuses size=lots: tmpfs: Bad value for 'size': Invalid argument
--tmpfs=/newdir/b:nosuid,colour=blue|--tmpfs=/newdir/b:nosuid,colour=blue: tmpfs refuses colour=blue: tmpfs: Unknown parameter 'colour'
--bind=+/nonexistent:/newdir/b|--bind=+/nonexistent:/newdir/b: source /nonexistent in the container's tree: No such file or directory
--bind-ro=+/etc/nosuch:/newdir/b|--bind-ro=+/etc/nosuch:/newdir/b: source /etc/nosuch in the container's tree: No such file or directory
--overlay=+/nosuch:/tmp:/newdir/b|--overlay: the lower directory +/nosuch in the container's tree cannot be used: No such file or directory
--overlay-ro=/tmp:+/nosuch:/newdir/b|--overlay-ro: the top layer +/nosuch in the container's tree cannot be used: No such file or directory
--overlay-ro=+/nosuch:/tmp:/newdir/b|--overlay-ro: the lower directory +/nosuch in the container's tree cannot be used: No such file or directory
CASES
        # What is there is taken: a "+" source through a link that stays in the tree, tmpfs
        # options tmpfs knows.
        ln -s /etc "$TESTTMP/t/etc-link"
        out=$("$CORRAL" -q -P -D "$TESTTMP/t" --bind-ro=+/etc-link/passwd:/p --tmpfs=/var/x:size=1M,mode=0700,nosuid /bin/sh -c 'head -1 /p; stat -c %a /var/x' 2>&1 </dev/null) ||
                fail "good options refused: $out"
        expect_eq "$out" "root:x:0:0:root:/root:/bin/sh
700" "a + source via a link in the tree, tmpfs options"
        rm -f "$TESTTMP/t/etc-link"
}

test_errors_name_the_problem() {
        out=$("$CORRAL" -P -D /nonexistent/tree true 2>&1 </dev/null) && fail "missing tree accepted"
        expect_contains "$out" "/nonexistent/tree does not exist" "missing directory"
        mkdir -p "$TESTTMP/empty"
        out=$("$CORRAL" -P -D "$TESTTMP/empty" true 2>&1 </dev/null) && fail "empty tree accepted"
        expect_contains "$out" "/usr/ directory is missing" "not an OS tree"
        out=$("$CORRAL" -P -D / true 2>&1 </dev/null) && fail "host root accepted"
        expect_contains "$out" "--ephemeral" "root directory"
        ensure_bb
        out=$("$CORRAL" -P -D "$BB" --read-only --volatile=yes true 2>&1 </dev/null) && fail "conflict accepted"
        expect_contains "$out" "cannot combine --read-only with --volatile" "conflict"
}

test_same_name_twice_is_refused() {
        ensure_bb
        cp -a "$BB" "$TESTTMP/other"
        "$CORRAL" -q -P -D "$BB" -M twin sleep 30 </dev/null & pid=$!
        for i in $(seq 50); do [ -e /run/corral/locks/machine-twin ] && break; sleep 0.1; done
        out=$("$CORRAL" -P -D "$TESTTMP/other" -M twin true 2>&1 </dev/null); rc=$?
        out2=$("$CORRAL" -P -D "$BB" -M third true 2>&1 </dev/null); rc2=$?
        kill -TERM $pid; wait $pid
        expect_eq "$rc" 1 "second container of the same name"
        expect_contains "$out" 'a container named "twin" is already running' "name clash message"
        expect_eq "$rc2" 1 "second writable container on the same tree"
        expect_contains "$out2" "is currently busy" "busy tree message"
}

# Capability options, compared set by set with systemd-nspawn.
caps_of() { grep -E '^(uid|cap_|no_new_privs)' | tr '\n' ' '; }
test_capability_options_like_nspawn() {
        ensure_bb
        # nspawn resolves -u with getent inside; give the busybox tree one for this comparison.
        printf '#!/bin/sh\ncase $1 in passwd) grep "^$2:" /etc/passwd;; group) grep "^$2:" /etc/group;; initgroups) echo "$2 1000 10";; esac\n' > "$BB/bin/getent"
        chmod +x "$BB/bin/getent"
        local cases=(
                "--capability=CAP_NET_ADMIN,cap_sys_module"
                "--capability=all"
                "--drop-capability=all"
                "--capability=12"
                "--drop-capability=CAP_SYS_ADMIN --capability=CAP_SYS_ADMIN"
                "--ambient-capability=cap_net_raw"
                "--no-new-privileges=yes"
                "-u alice --ambient-capability=cap_net_raw,cap_kill"
                "-u alice"
        )
        local got want
        for a in "${cases[@]}"; do
                # shellcheck disable=SC2086
                got=$(cr -D "$BB" $a corral-probe status | caps_of)
                expect_contains "$got" "cap_bnd=" "corral $a"
                have_nspawn || continue
                # shellcheck disable=SC2086
                want=$(ns -D "$BB" $a corral-probe status | caps_of)
                expect_eq "$got" "$want" "capabilities with $a differ from nspawn's"
        done
        got=$(cr -D "$BB" -u alice --ambient-capability=cap_net_raw corral-probe status | caps_of)
        expect_contains "$got" "cap_eff=0000000000002000" "alice has CAP_NET_RAW effective through the ambient set"
        got=$(cr -D "$BB" --drop-capability=CAP_SYS_ADMIN /bin/sh -c 'mount -t tmpfs t /tmp 2>&1 || echo denied')
        expect_contains "$got" "denied" "without CAP_SYS_ADMIN mount fails"
        have_nspawn || skip "no nspawn to compare with; corral side checked"
}

test_capability_errors() {
        ensure_bb
        out=$("$CORRAL" -D "$BB" --capability=CAP_BOGUS true 2>&1); rc=$?
        expect_eq "$rc" 1 "exit status for a bad capability"
        expect_contains "$out" 'unknown capability "CAP_BOGUS"' "bad name is named"
        out=$("$CORRAL" -D "$BB" --ambient-capability=cap_net_admin true 2>&1)
        expect_contains "$out" "does not keep" "ambient must be kept"
        out=$("$CORRAL" -D "$BB" --ambient-capability=all true 2>&1)
        expect_contains "$out" '"all"' "ambient all refused"
        out=$("$CORRAL" -D "$BB" -b --ambient-capability=cap_net_raw 2>&1)
        expect_contains "$out" "not useful with --boot" "ambient with --boot refused"
        out=$("$CORRAL" -D "$BB" --no-new-privileges=maybe true 2>&1)
        expect_contains "$out" "--no-new-privileges=maybe: expected a boolean" "bad boolean"
        printf '[Exec]\nCapability=CAP_NET_ADMIN CAP_NOPE\n' > /etc/systemd/nspawn/bb.nspawn
        out=$("$CORRAL" -D "$BB" true 2>&1)
        expect_contains "$out" "bb.nspawn:2: Capability=" "file and line of a bad Capability="
}

test_capability_settings_file_trust() {
        ensure_bb
        printf '[Exec]\nCapability=CAP_NET_ADMIN\nDropCapability=CAP_KILL\nNoNewPrivileges=yes\n' > "$TESTTMP/bb.nspawn"
        # Beside the image: untrusted -- the drop and NoNewPrivileges apply, the add does not.
        out=$(cr -D "$BB" corral-probe status 2>&1)
        expect_contains "$out" "cap_bnd=$(host_caps fdecafdf)" "untrusted: CAP_KILL dropped, CAP_NET_ADMIN not added"
        expect_contains "$out" "no_new_privs=1" "untrusted: NoNewPrivileges= applies"
        out=$("$CORRAL" -D "$BB" -P true 2>&1 </dev/null)
        expect_contains "$out" "ignoring Capability=" "the ignored key is named"
        # In /etc/systemd/nspawn: trusted.
        mv "$TESTTMP/bb.nspawn" /etc/systemd/nspawn/bb.nspawn
        out=$(cr -D "$BB" corral-probe status 2>&1)
        expect_contains "$out" "cap_bnd=$(host_caps fdecbfdf)" "trusted: CAP_NET_ADMIN added, CAP_KILL dropped"
        # A capability option on the command line shadows the file's three keys.
        out=$(cr -D "$BB" --capability=CAP_MKNOD corral-probe status 2>&1)
        expect_contains "$out" "cap_bnd=$(host_caps fdecafff)" "command line shadows Capability=/DropCapability="
        have_nspawn || skip "no nspawn to compare with; corral side checked"
        want=$(ns -D "$BB" corral-probe status | caps_of)
        got=$(cr -D "$BB" corral-probe status | caps_of)
        expect_eq "$got" "$want" "trusted file's capabilities differ from nspawn's"
}

# Resource limits, OOM score and CPU affinity, compared with systemd-nspawn.
test_limits_like_nspawn() {
        ensure_bb
        local cmd='cat /proc/self/limits /proc/self/oom_score_adj; grep Cpus_allowed_list /proc/self/status'
        local cases=("" "--rlimit=NOFILE=100:200" "--rlimit=RLIMIT_NOFILE=300" "--rlimit=CPU=1h" "--rlimit=AS=1G:infinity"
                "--rlimit=NICE=-5" "--rlimit=RTTIME=1s" "--rlimit=MEMLOCK=64K" "--rlimit=LimitNPROC=50"
                "--rlimit=FSIZE=1.5M:2G" "--oom-score-adjust=500" "--cpu-affinity=0")
        got=$(cr -D "$BB" --rlimit=NOFILE=100:200 --oom-score-adjust=500 --cpu-affinity=0 /bin/sh -c "$cmd")
        expect_contains "$got" "Max open files            100                  200" "--rlimit=NOFILE"
        expect_contains "$got" "500" "--oom-score-adjust"
        expect_contains "$got" "Cpus_allowed_list:	0" "--cpu-affinity"
        expect_contains "$(cr -D "$BB" /bin/sh -c 'ulimit -n')" "1024" "the default soft NOFILE limit is nspawn's 1024"
        have_nspawn || skip "no nspawn to compare with; corral side checked"
        for a in "${cases[@]}"; do
                # shellcheck disable=SC2086
                got=$(cr -D "$BB" $a /bin/sh -c "$cmd" 2>&1)
                # shellcheck disable=SC2086
                want=$(ns -D "$BB" $a /bin/sh -c "$cmd" 2>&1)
                expect_eq "$got" "$want" "limits with '$a' differ from nspawn's"
        done
}

test_limits_errors_and_trust() {
        ensure_bb
        out=$("$CORRAL" -D "$BB" --rlimit=nofile=5 true 2>&1)
        expect_contains "$out" 'unknown resource limit "nofile"' "unknown limit named"
        out=$("$CORRAL" -D "$BB" --rlimit=NOFILE=20:10 true 2>&1)
        expect_contains "$out" "soft not above hard" "soft above hard"
        out=$("$CORRAL" -D "$BB" --oom-score-adjust=2000 true 2>&1)
        expect_contains "$out" "from -1000 to 1000" "oom range"
        out=$("$CORRAL" -D "$BB" --cpu-affinity=1000 true 2>&1)
        expect_contains "$out" "none of these CPUs is available" "CPU not there"
        out=$("$CORRAL" -D "$BB" --cpu-affinity=x true 2>&1)
        expect_contains "$out" '"x" is not a CPU number' "bad CPU list"
        # Untrusted file beside the image: limits ignored with a warning; trusted: applied.
        printf '[Exec]\nLimitNOFILE=77\nOOMScoreAdjust=100\nCPUAffinity=0\n' > "$TESTTMP/bb.nspawn"
        out=$("$CORRAL" -q -D "$BB" -P /bin/sh -c 'ulimit -n; cat /proc/self/oom_score_adj' 2>&1 </dev/null)
        expect_contains "$out" "ignoring LimitNOFILE=" "untrusted LimitNOFILE= named"
        expect_contains "$out" "ignoring OOMScoreAdjust=" "untrusted OOMScoreAdjust= named"
        expect_contains "$out" "1024" "untrusted limit not applied"
        mv "$TESTTMP/bb.nspawn" /etc/systemd/nspawn/bb.nspawn
        out=$(cr -D "$BB" /bin/sh -c 'ulimit -n; cat /proc/self/oom_score_adj; grep Cpus_allowed_list /proc/self/status')
        expect_eq "$out" "77
100
Cpus_allowed_list:	0" "trusted file's limits"
        # An empty --cpu-affinity= is no affinity, and the file's is not taken (as nspawn).
        out=$(cr -D "$BB" --cpu-affinity= /bin/sh -c 'grep Cpus_allowed_list /proc/self/status')
        expect_eq "$out" "$(grep Cpus_allowed_list /proc/self/status)" "an empty --cpu-affinity= over the file's"
        printf '[Exec]\nLimitNOFILE=9:8\n' > /etc/systemd/nspawn/bb.nspawn
        out=$("$CORRAL" -D "$BB" true 2>&1)
        expect_contains "$out" "bb.nspawn:2: LimitNOFILE=9:8" "bad Limit value with file and line"
}

# A start that fails after its cgroup was made and handed to the user namespace (here: more
# device nodes bound than the device policy takes) removes the cgroup, frees the UID range
# and the locks, and the name starts again.  (run_once() frees each of its resources in one
# place; this reaches the late failure path that once freed an uninitialised device list.)
test_late_failure_removes_what_the_start_made() {
        ensure_bb
        local binds=() i out
        for i in $(seq 65); do binds+=("--bind-ro=/dev/null:/dev/n$i"); done
        out=$("$CORRAL" -q -P -D "$BB" -M late -U "${binds[@]}" true 2>&1 </dev/null) && fail "65 device nodes accepted"
        expect_contains "$out" "too many device nodes bound into the container (at most 64)" "says why"
        expect_eq "$(find /sys/fs/cgroup -name 'corral-late*' 2>/dev/null)" "" "no cgroup of it is left"
        expect_eq "$(ls /run/corral/locks | grep '^uid-' || true)" "" "no UID range stays locked"
        out=$("$CORRAL" -q -P -D "$BB" -M late -U /bin/true 2>&1 </dev/null) || fail "the name does not start again: $out"
}
