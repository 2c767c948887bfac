# SPDX-License-Identifier: LGPL-2.1-or-later
# Booting a Debian bookworm tree with systemd as PID 1 (made once by scripts/debian-image.sh).

write_check_unit() {
        cat > "$TESTTMP/corral-check.service" <<'UNIT'
[Unit]
Description=corral test report
[Service]
Type=simple
StandardOutput=tty
TTYPath=/dev/console
ExecStart=/bin/sh -c 'for i in $(seq 90); do s=$(systemctl is-system-running); [ "$s" = starting ] || break; sleep 1; done; echo "CHECK state=$s failed=$(systemctl --failed --no-legend --plain | wc -l) pid1=$(cat /proc/1/comm) cgerr=$(journalctl -b --no-pager 2>/dev/null | grep -ciE "cgroup.*(fail|error|cannot|unable)")" > /dev/console; journalctl -b --no-pager 2>/dev/null | grep -iE "cgroup.*(fail|error|cannot|unable)" > /dev/console; systemctl --failed --no-legend --plain > /dev/console'
UNIT
}

test_boot_debian_to_login_and_poweroff() {
        debian_tree
        write_check_unit
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN" -x -M deb
        report=$(cat "$TESTTMP/report")
        expect_contains "$report" "state=running" "systemd reports a running system (no failed unit): $(grep -A5 CHECK "$TESTTMP/console.out.clean")"
        expect_contains "$report" "failed=0" "no failed units"
        expect_contains "$report" "pid1=systemd" "systemd is PID 1"
        expect_eq "$(cat "$TESTTMP/rc")" 0 "exit status after SIGTERM"
        expect_contains "$(cat "$TESTTMP/console.out.clean")" "Container deb has been shut down." "clean poweroff"
        grep -qiE 'cgroup.*(fail|error)' "$TESTTMP/console.out.clean" && fail "cgroup errors in the boot log"
        expect_contains "$report" "cgerr=0" "no cgroup errors in the guest's journal"
        true
}

test_boot_debian_nspawn_agrees() {
        debian_tree
        have_nspawn_boot || skip "systemd-nspawn cannot boot here"
        write_check_unit
        # nspawn's --ephemeral copies the tree on ext4; a copy of our own keeps its run comparable.
        cp -a "$CORRAL_DEBIAN" "$TESTTMP/deb"
        boot_and_check $NSPAWN -D "$TESTTMP/deb" -M deb
        want=$(cut -d' ' -f2-4 "$TESTTMP/report")
        write_check_unit
        boot_and_check "$CORRAL" -D "$TESTTMP/deb" -M deb
        got=$(cut -d' ' -f2-4 "$TESTTMP/report")
        expect_eq "$got" "$want" "the booted guest's report differs from systemd-nspawn's"
}

# --volatile=yes on a merged-/usr tree: the tmpfs root gets the links to /usr that nspawn
# makes (bin, sbin, lib, lib64), so programs and their loader are found and the tree boots.
test_volatile_yes_on_a_merged_usr_tree() {
        debian_tree
        local runner want=
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                out=$($runner -D "$CORRAL_DEBIAN" -M vol --volatile=yes /bin/bash -c 'for l in /bin /sbin /lib /lib64; do echo "$l -> $(readlink $l)"; done; ls -d /etc /var /root' 2>&1)
                expect_contains "$out" "/lib64 -> usr/lib64" "$runner --volatile=yes: bash runs and the root has the links"
                [ -z "$want" ] && want=$out
        done
        expect_eq "$out" "$want" "the same links and directories as nspawn's"
        # (/etc starts empty: systemd-firstboot would ask on the console; /dev/null masks it.)
        write_check_unit
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN" -M vol --volatile=yes --bind-ro=/dev/null:/etc/systemd/system/systemd-firstboot.service
        expect_contains "$(cat "$TESTTMP/report")" "pid1=systemd" "--volatile=yes -b boots the tree"
}

# $SYSTEMD_NSPAWN_USE_CGNS=0 (seed 001 sets it to run Docker inside): no cgroup namespace; the
# booted systemd finds its cgroup in the host's hierarchy, writable there, and runs.
test_boot_debian_without_cgroup_namespace() {
        debian_tree
        write_check_unit
        SYSTEMD_NSPAWN_USE_CGNS=0 boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN" -x -M nocgns
        report=$(cat "$TESTTMP/report")
        expect_contains "$report" "state=running" "systemd runs without a cgroup namespace: $(grep -A5 CHECK "$TESTTMP/console.out.clean")"
        expect_contains "$report" "failed=0" "no failed unit"
        expect_eq "$(cat "$TESTTMP/rc")" 0 "exit status after SIGTERM"
}

have_nspawn_boot() {
        command -v systemd-nspawn >/dev/null
}

test_boot_debian_with_user_namespace() {
        debian_tree
        write_check_unit
        cp -a "$CORRAL_DEBIAN" "$TESTTMP/deb"
        boot_and_check "$CORRAL" -D "$TESTTMP/deb" -M debu -U
        report=$(cat "$TESTTMP/report")
        expect_contains "$report" "state=running" "systemd runs with -U: $(grep -A5 CHECK "$TESTTMP/console.out.clean")"
        expect_contains "$report" "failed=0" "no failed units with -U"
        expect_eq "$(cat "$TESTTMP/rc")" 0 "exit status after SIGTERM"
        expect_contains "$(cat "$TESTTMP/console.out.clean")" "Container debu has been shut down." "clean poweroff"
        if can_idmap "$TESTTMP"; then
                expect_eq "$(stat -c %u "$TESTTMP/deb")" 0 "the tree's ownership is unchanged (idmapped)"
        else # e.g. tmpfs before Linux 6.3: chowned to the container's range, as nspawn's auto
                [ "$(stat -c %u "$TESTTMP/deb")" -ge 65536 ] || fail "the tree was neither idmapped nor chowned to the range"
        fi
}

test_boot_debian_ephemeral_with_user_namespace() {
        debian_tree
        write_check_unit
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN" -M debux -U -x
        report=$(cat "$TESTTMP/report")
        expect_contains "$report" "state=running" "systemd runs with -U -x: $(grep -A5 CHECK "$TESTTMP/console.out.clean")"
        expect_contains "$report" "failed=0" "no failed units with -U -x"
        expect_contains "$(cat "$TESTTMP/console.out.clean")" "Container debux has been shut down." "clean poweroff"
}

# The seed's flow: a Debian base in the store, a child of it booted with -U (as corralctl start
# would), twice; the base is never written.
test_boot_debian_overlay_child() {
        debian_tree
        write_check_unit
        ln -s "$CORRAL_DEBIAN" /var/lib/machines/debbase
        touch "$TESTTMP/stamp"
        "$CORRALCTL" create-child debbase debc || fail "create-child failed"
        for run in 1 2; do
                write_check_unit
                boot_and_check "$CORRAL" -M debc -U
                report=$(cat "$TESTTMP/report")
                expect_contains "$report" "state=running" "a Debian child boots with -U (run $run): $(grep -A5 CHECK "$TESTTMP/console.out.clean")"
                expect_contains "$report" "failed=0" "no failed units in the child (run $run)"
                expect_contains "$(cat "$TESTTMP/console.out.clean")" "Container debc has been shut down." "clean poweroff (run $run)"
                id[$run]=$(cat /var/lib/machines/debc/etc/machine-id)
        done
        [ -n "${id[1]}" ] && [ "${id[1]}" != "$(cat "$CORRAL_DEBIAN/etc/machine-id")" ] || fail "the child has no machine ID of its own: '${id[1]}'"
        expect_eq "${id[2]}" "${id[1]}" "the child keeps its machine ID" 
        expect_eq "$(find "$CORRAL_DEBIAN" -newer "$TESTTMP/stamp" | head -3)" "" "the base was not written"
        expect_eq "$(stat -c %u /var/lib/machines/debc/etc 2>/dev/null || echo 0)" 0 "the child's files are root's on disk (idmapped)"
}

# A host with cgroup v1 alone (simulated: this test's mount namespace loses the cgroup2 mount of
# the hybrid host).  corral mounts cgroup2 for itself, so the guest still gets a cgroup2 tree of
# its own and boots with no cgroup error; the v1 hierarchies do the accounting.
test_boot_debian_on_a_v1_only_host() {
        debian_tree
        local u
        u=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
        [ -n "$u" ] && [ "$u" != /sys/fs/cgroup ] || skip "not a hybrid host"
        [ -d /sys/fs/cgroup/memory ] || skip "no v1 memory controller"
        umount -l "$u"
        awk '$9=="cgroup2"' /proc/self/mountinfo | grep -q . && fail "cgroup2 is still mounted"
        write_check_unit
        "$CORRAL" -D "$CORRAL_DEBIAN" -x -M debv1 -b --console=read-only \
                --bind-ro="$TESTTMP/corral-check.service":/etc/systemd/system/corral-check.service \
                systemd.wants=corral-check.service > "$TESTTMP/console.out" 2>&1 </dev/null &
        local pid=$!
        wait_for "$TESTTMP/console.out" "CHECK " 120 || { kill -KILL $pid; tail -20 "$TESTTMP/console.out"; fail "no report from the booted guest"; }
        wait_for "$TESTTMP/console.out" "login:" 60 || { kill -KILL $pid; fail "no login prompt"; }
        [ -n "$(cat /sys/fs/cgroup/memory/machine.slice/corral-debv1.scope/cgroup.procs 2>/dev/null)" ] ||
                { kill -TERM $pid; wait $pid; fail "the guest is not in its v1 memory cgroup"; }
        kill -TERM $pid
        wait $pid; local rc=$?
        report=$(tr -d '\r' < "$TESTTMP/console.out" | grep CHECK | head -1)
        expect_contains "$report" "state=running" "systemd runs on a v1 host: $(tr -d '\r' < "$TESTTMP/console.out" | grep -iE 'cgroup|fail' | head -5)"
        expect_contains "$report" "failed=0" "no failed units"
        expect_contains "$report" "cgerr=0" "no cgroup errors in the guest's journal"
        grep -qiE 'cgroup.*(fail|error)|Input/output error' "$TESTTMP/console.out" && fail "cgroup errors on the console"
        expect_eq "$rc" 0 "exit status after SIGTERM"
}

# corralctl start of a systemd guest returns once the guest said READY=1 (its boot is done, not
# "starting"), and a guest whose systemd gives up fails the start with its own words (the
# issue's case: the host's cgroup tree bound over the guest's, every capability given).
test_start_waits_for_a_systemd_guest() {
        local out state
        debian_tree
        ln -s "$CORRAL_DEBIAN" /var/lib/machines/debstart
        printf '[Exec]\nEphemeral=yes\n' > /etc/systemd/nspawn/debstart.nspawn
        "$CORRALCTL" start debstart || fail "start failed"
        state=$("$CORRALCTL" shell debstart /bin/systemctl is-system-running | tr -d '\r')
        case $state in running | degraded) ;; *) fail "start returned before the guest was ready: it is '$state'" ;; esac
        stop_machine poweroff debstart || fail "it did not power off"
        printf '[Exec]\nEphemeral=yes\nCapability=all\n[Files]\nBind=/sys/fs/cgroup\n' > /etc/systemd/nspawn/debstart.nspawn
        out=$("$CORRALCTL" start debstart 2>&1) && fail "start of a guest whose systemd exits succeeded: $out"
        expect_contains "$out" "Failed to start machine 'debstart': it ended before it was ready" "says it ended"
        expect_contains "$out" "Exiting PID 1" "with the guest's last words"
        expect_eq "$("$CORRALCTL" list --no-legend)" "" "nothing runs"
        rm /var/lib/machines/debstart /etc/systemd/nspawn/debstart.nspawn
}
