# SPDX-License-Identifier: LGPL-2.1-or-later
# Fault injection: what a supervisor killed with SIGKILL leaves behind.

# The payload of the trials: a marker the test can find among the host's processes.
FAULT_MARK=1001

fault_left() { pgrep -f "^sleep $FAULT_MARK\$" | wc -l; }

# Waits up to 3 s for the trial's container to be gone; its count of processes left.
fault_wait_gone() {
        local i
        for i in $(seq 30); do
                [ "$(fault_left)" = 0 ] && break
                sleep 0.1
        done
        fault_left
}

# SIGKILL of the supervisor at a random moment from fork to steady state, in every variant
# (with and without -U, -x, a user change, limits, -n), then a start of the same name: nothing
# of the container may outlive its supervisor, and the name must start again.
test_supervisor_killed_at_random_moments() {
        ensure_bb
        make_test_netns
        ln -sf busybox "$BB/bin/su"
        local variants=("" "-U" "-x" "-U -x" "-U --user=alice" "--user=alice" "--property=MemoryMax=64M --property=TasksMax=50" "-n" "-U -n -x")
        # (Fewer in a guest under emulation, where a start takes ten times as long.)
        local trials=${FAULT_TRIALS:-$([ -n "${CORRAL_LANE:-}" ] && echo 18 || echo 90)} i opts pid left=0 restart_failed=0 killed_early=0 outcome
        for ((i = 0; i < trials; i++)); do
                opts=${variants[i % ${#variants[@]}]}
                $N "$CORRAL" -q -P -D "$BB" -M fault $opts /bin/sh -c "exec sleep $FAULT_MARK" </dev/null >/dev/null 2>"$TESTTMP/fault.err" &
                pid=$!
                sleep "$(printf '0.%03d' $((RANDOM % 400)))"
                kill -0 $pid 2>/dev/null || killed_early=$((killed_early + 1))
                kill -9 $pid 2>/dev/null
                wait $pid 2>/dev/null
                if [ "$(fault_wait_gone)" != 0 ]; then
                        left=$((left + 1))
                        echo "trial $i ($opts): the container outlived its supervisor"
                fi
                outcome=$($N "$CORRAL" -q -P -D "$BB" -M fault $opts /bin/true </dev/null 2>&1) || {
                        restart_failed=$((restart_failed + 1))
                        echo "trial $i ($opts): the name did not start again: $outcome"
                }
                # (Each trial on its own: what corral failed to end, the test ends.)
                [ "$(fault_left)" = 0 ] || { pkill -9 -f "^sleep $FAULT_MARK\$"; fault_wait_gone >/dev/null; }
        done
        echo "$trials kills: $left containers outlived their supervisor, $restart_failed restarts failed ($killed_early supervisors had ended before the kill: $(head -c 300 "$TESTTMP/fault.err"))"
        expect_eq "$left" 0 "no container outlives its supervisor"
        expect_eq "$restart_failed" 0 "every name starts again"
        expect_eq "$(ls /run/corral/machines)" "" "no record is left"
}

# The payload changes its own UID as PID 1 (the kernel then clears its parent-death signal):
# the supervisor's watchdog ends it with the supervisor; with the watchdog killed too (a
# signal to the whole group), corralctl gc, or the next start of the name, ends what is left,
# saying so.
test_payload_changing_its_uid_as_pid1() {
        ensure_bb
        ln -sf busybox "$BB/bin/su"
        local opts pid w out
        for opts in "" "-U"; do
                "$CORRAL" -q -P -D "$BB" -M uidchange $opts /bin/su alice -c "exec sleep $FAULT_MARK" </dev/null >/dev/null 2>&1 &
                pid=$!
                for _ in $(seq 50); do [ "$(fault_left)" = 1 ] && break; sleep 0.1; done
                [ "$(stat -c %u /proc/"$(pgrep -f "^sleep $FAULT_MARK\$")")" != 0 ] || fail "$opts: the payload did not change its UID"
                kill -9 $pid
                wait $pid 2>/dev/null
                expect_eq "$(fault_wait_gone)" 0 "$opts: the watchdog ends the container with its supervisor"

                "$CORRAL" -q -P -D "$BB" -M uidchange $opts /bin/su alice -c "exec sleep $FAULT_MARK" </dev/null >/dev/null 2>&1 &
                pid=$!
                for _ in $(seq 50); do [ "$(fault_left)" = 1 ] && break; sleep 0.1; done
                for _ in $(seq 50); do w=$(pgrep -P $pid -x corral-watchdog) && break; sleep 0.1; done
                [ -n "$w" ] || fail "$opts: no watchdog beside the supervisor"
                # (Stopped first: killed one after the other, it would see the supervisor go.)
                kill -STOP $w
                kill -9 $pid $w
                wait $pid 2>/dev/null
                sleep 0.5
                expect_eq "$(fault_left)" 1 "$opts: supervisor and watchdog killed at once: the container is left"
                if [ -z "$opts" ]; then
                        out=$("$CORRALCTL" gc 2>&1)
                        expect_contains "$out" "killing what a supervisor that died left running" "gc ends what was left: $out"
                        expect_contains "$out" "Removed 1 record of machines whose supervisor is gone." "and removes its record"
                        expect_eq "$(fault_left)" 0 "nothing of it runs after gc"
                else
                        out=$("$CORRAL" -q -P -D "$BB" -M uidchange $opts /bin/true </dev/null 2>&1)
                        expect_eq "$?" 0 "$opts: the name starts again: $out"
                        expect_contains "$out" "killing what a supervisor that died left running" "$opts: and says it ended what was left"
                        expect_eq "$(fault_left)" 0 "$opts: nothing of it runs after the next start"
                fi
                [ "$(fault_left)" = 0 ] || { pkill -9 -f "^sleep $FAULT_MARK\$"; fault_wait_gone >/dev/null; }
        done
}
