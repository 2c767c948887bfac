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
        expect_eq "$(stat -c %u "$TESTTMP/deb")" 0 "the tree's ownership is unchanged (idmapped)"
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
