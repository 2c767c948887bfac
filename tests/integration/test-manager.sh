# SPDX-License-Identifier: LGPL-2.1-or-later
# The machine registry and corralctl's machine verbs.

# Starts a busybox container NAME in the background that runs until $TESTTMP/NAME.done exists.
start_bb() { # name [corral options...]
        local name=$1; shift
        "$CORRAL" -q -P -D "$BB" -M "$name" "$@" /bin/sh -c "touch /x/$name.up; while [ ! -e /x/$name.done ]; do sleep 0.1; done" \
                </dev/null > "$TESTTMP/$name.out" 2>&1 &
        eval "pid_$name=\$!"
        wait_for_file "$TESTTMP/x/$name.up" 15 || fail "$name did not start: $(cat "$TESTTMP/$name.out")"
}

setup_bb_x() {
        ensure_bb
        mkdir -p "$TESTTMP/x"
        printf 'ID=busybox\nVERSION_ID=1.35\n' > "$BB/etc/os-release"
}

# Registration, list (table, --no-legend, --json), show (-p, --value), status.
test_registry_and_list() {
        setup_bb_x
        expect_eq "$("$CORRALCTL")" "No machines." "nothing registered yet"
        start_bb alpha --bind="$TESTTMP/x:/x" -x
        start_bb beta --bind="$TESTTMP/x:/x" -x -n
        [ -f /run/corral/machines/alpha/state ] || fail "no state file for alpha"
        out=$("$CORRALCTL" list)
        expect_eq "$(echo "$out" | head -1)" "MACHINE CLASS     SERVICE OS      VERSION ADDRESSES" "machinectl's header: $out"
        expect_eq "$(echo "$out" | sed -n 2p)" "alpha   container corral  busybox 1.35    " "alpha's row"
        expect_contains "$(echo "$out" | sed -n 3p)" "beta    container corral  busybox 1.35" "beta's row"
        expect_eq "$(echo "$out" | tail -1)" "2 machines listed." "the footer"
        out=$("$CORRALCTL" --no-legend)
        expect_eq "$(echo "$out" | wc -l)" 2 "--no-legend: the rows only (list is the default verb)"
        json=$("$CORRALCTL" list --json=short)
        expect_eq "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(" ".join(m["machine"]+":"+m["class"]+":"+m["os"]+":"+m["version"] for m in d))')" \
                "alpha:container:busybox:1.35 beta:container:busybox:1.35" "--json=short parses: $json"
        expect_eq "$("$CORRALCTL" list --json=pretty | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 2 "--json=pretty parses"
        leader=$("$CORRALCTL" show alpha -p Leader --value)
        expect_eq "$(cat /proc/"$leader"/comm)" "sh" "show -p Leader --value: the container's PID 1"
        out=$("$CORRALCTL" show alpha)
        expect_contains "$out" "Name=alpha" "show: Name="
        expect_contains "$out" "RootDirectory=$BB" "show: RootDirectory="
        expect_contains "$out" "Class=container" "show: Class="
        expect_eq "$("$CORRALCTL" show -p Name,Class alpha)" "$(printf 'Name=alpha\nClass=container')" "-p takes a list"
        out=$("$CORRALCTL" status alpha)
        expect_contains "$out" "Leader: $leader (sh)" "status: the leader"
        expect_contains "$out" "Root: $BB" "status: the root"
        expect_contains "$out" "OS: busybox 1.35" "status: the OS"
        out=$("$CORRALCTL" status nosuch 2>&1); rc=$?
        expect_eq "$rc" 1 "an unknown machine: exit status 1, as machinectl"
        expect_contains "$out" "No machine 'nosuch' known" "and machinectl's message"
        touch "$TESTTMP/x/alpha.done" "$TESTTMP/x/beta.done"
        wait $pid_alpha $pid_beta
        expect_eq "$("$CORRALCTL" --no-legend)" "" "gone from the list when they end"
        expect_eq "$(ls /run/corral/machines)" "" "and their records removed"
        "$CORRAL" -q -P -D "$BB" -M gamma --register=no /bin/sh -c '[ -e /run/corral ] || true; sleep 0.5' </dev/null &
        local p=$!
        sleep 0.3
        expect_eq "$("$CORRALCTL" --no-legend)" "" "--register=no: not listed"
        wait $p
}

# poweroff, kill (-s, --kill-whom), terminate; a SIGKILLed supervisor and gc.
test_machine_signals() {
        setup_bb_x
        # A PID 1 that reports the signals it gets (PID 1 hears only those it handles).
        cat > "$TESTTMP/x/trap.sh" <<'EOT'
#!/bin/sh
trap 'echo USR1 >> /x/$1.sig' USR1
trap 'echo TERM >> /x/$1.sig' TERM
sleep 1000 & touch /x/$1.up
while [ ! -e /x/$1.done ]; do sleep 0.1; done
EOT
        chmod +x "$TESTTMP/x/trap.sh"
        "$CORRAL" -q -P -D "$BB" -M sig --bind="$TESTTMP/x:/x" /x/trap.sh sig </dev/null >/dev/null 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/sig.up" 15 || fail "sig did not start"
        "$CORRALCTL" kill --kill-whom=leader -s USR1 sig || fail "kill -s USR1 failed"
        wait_for "$TESTTMP/x/sig.sig" USR1 5 || fail "the leader did not get SIGUSR1"
        sleeper=$(pgrep -f "sleep 1000" | head -1)
        "$CORRALCTL" kill sig || fail "kill failed"
        wait_for "$TESTTMP/x/sig.sig" TERM 5 || fail "the leader did not get SIGTERM"
        for _ in $(seq 30); do kill -0 "$sleeper" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$sleeper" 2>/dev/null && fail "--kill-whom=all (the default) did not reach the other processes"
        "$CORRALCTL" terminate sig || fail "terminate failed"
        wait $p
        expect_eq "$?" 1 "terminate kills the machine (its PID 1 by SIGKILL)"
        expect_eq "$("$CORRALCTL" --no-legend)" "" "and it is gone"

        # poweroff of a container without --boot: its kill signal.
        start_bb off --bind="$TESTTMP/x:/x"
        "$CORRALCTL" poweroff off || fail "poweroff failed"
        wait $pid_off
        out=$("$CORRALCTL" reboot nosuch 2>&1) && fail "reboot of an unknown machine succeeded"

        # A supervisor killed with SIGKILL: not listed, its record removed by gc.
        start_bb dead --bind="$TESTTMP/x:/x"
        kill -KILL $pid_dead; wait $pid_dead 2>/dev/null
        expect_eq "$("$CORRALCTL" --no-legend)" "" "a dead supervisor's machine is not listed"
        [ -d /run/corral/machines/dead ] || fail "the test expected a stale record"
        expect_eq "$("$CORRALCTL" gc)" "Removed 1 record of machines whose supervisor is gone." "gc removes it"
        [ -d /run/corral/machines/dead ] && fail "the stale record is left"
        "$CORRAL" -q -P -D "$BB" -M dead true </dev/null || fail "the next start of the name cleans up the rest"
}

# set-property finds a machine in a slice of its own (from its record).
test_set_property_in_a_slice() {
        setup_bb_x
        start_bb sl --bind="$TESTTMP/x:/x" --slice=machine-web.slice --property=TasksMax=100
        "$CORRALCTL" set-property sl TasksMax=7 || fail "set-property failed"
        pids=$(awk '$9=="cgroup" && ("," $NF ",") ~ /,pids,/ {print $5; exit}' /proc/self/mountinfo)
        expect_eq "$(cat "$pids/machine.slice/machine-web.slice/corral-sl.scope/pids.max")" 7 "TasksMax changed in machine-web.slice"
        "$CORRALCTL" freeze sl && "$CORRALCTL" thaw sl || fail "freeze and thaw in the slice failed"
        touch "$TESTTMP/x/sl.done"
        wait $pid_sl
}
