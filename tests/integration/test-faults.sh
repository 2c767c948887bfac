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

# Processes in another PID namespace than the test's: a container's, whatever its payload.
# (Not zombies: a container's PID 1 that this host's init has not reaped yet holds nothing.)
fault_foreign() {
        ps -e -o stat=,pidns= | awk -v own="$(stat -L -c %i /proc/self/ns/pid)" '$1 !~ /^Z/ && $2 != own' | wc -l
}

# What a trial may leave behind, for the check after each one: processes (the container's,
# supervisors, watchdogs), cgroups in every hierarchy, the registry, mounts, links and nftables
# of the test's network namespace, loop devices.
fault_snapshot() {
        {
                echo "## processes"; fault_foreign; fault_left; ps -e -o stat=,comm= | awk '$1 !~ /^Z/ && $2 ~ /^corral/ {print $2}' | sort
                echo "## cgroups"
                for m in $(awk '$9=="cgroup2" || $9=="cgroup" {print $5}' /proc/self/mountinfo | sort -u); do
                        find "$m" -mindepth 1 -type d -name '*fault*' | sort
                done
                echo "## registry"; ls /run/corral/machines
                echo "## mounts"; grep -cE ' /(run/corral|var/lib/machines|tmp)' /proc/self/mountinfo
                echo "## links"; $N ip -o link | awk -F': ' '{print $2}' | sort
                echo "## nftables"; $N nft list ruleset 2>/dev/null | md5sum
                echo "## loop"; losetup -a 2>/dev/null | wc -l
        } 2>/dev/null
}

# Waits up to 5 s for the host to be as before the trials (a link goes with its namespace, a
# little after its last process); 1 and the difference if it is not.
fault_leak_check() { # baseline
        local now
        for _ in $(seq 50); do
                now=$(fault_snapshot)
                [ "$now" = "$1" ] && return 0
                sleep 0.1
        done
        diff <(echo "$1") <(echo "$now") | grep '^[<>]' | head -5
        return 1
}

# SIGKILL of the supervisor at a random moment from fork to steady state, in every variant
# (with and without -U, -x, a user change, limits, -n, and a booted Debian where there is a
# tree), then a start of the same name: nothing of the container may outlive its supervisor,
# the name must start again, and after each trial the host is as before the first.
test_supervisor_killed_at_random_moments() {
        ensure_bb
        make_test_netns
        ln -sf busybox "$BB/bin/su"
        local variants=("" "-U" "-x" "-U -x" "-U --user=alice" "--user=alice" "--property=MemoryMax=64M --property=TasksMax=50" "-n" "-U -n -x")
        # A booted Debian: systemd as PID 1, killed anywhere in its first 1.5 s.
        [ -n "${CORRAL_DEBIAN:-}" ] && [ -x "$CORRAL_DEBIAN/usr/lib/systemd/systemd" ] && variants+=("-b -x" "-b -U -n -x")
        # (In a guest under emulation, where a start takes ten times as long, each variant once.)
        local trials=${FAULT_TRIALS:-$([ -n "${CORRAL_LANE:-}" ] && echo ${#variants[@]} || echo 110)} i opts tree pid left=0 restart_failed=0 leaked=0 killed_early=0 outcome diffs
        local boots=0 baseline
        baseline=$(fault_snapshot)
        for ((i = 0; i < trials; i++)); do
                opts=${variants[i % ${#variants[@]}]}
                tree=$BB window=400
                case $opts in -b*) tree=$CORRAL_DEBIAN window=1500 boots=$((boots + 1)) ;; esac
                local foreign0
                foreign0=$(fault_foreign)
                if [ "$tree" = "$BB" ]; then
                        $N "$CORRAL" -q -P -D "$tree" -M fault $opts /bin/sh -c "exec sleep $FAULT_MARK" </dev/null >/dev/null 2>"$TESTTMP/fault.err" &
                else
                        $N "$CORRAL" -q -P -D "$tree" -M fault $opts </dev/null >/dev/null 2>"$TESTTMP/fault.err" &
                fi
                pid=$!
                sleep "$(printf '%d.%03d' $((RANDOM % window / 1000)) $((RANDOM % window % 1000)))"
                kill -0 $pid 2>/dev/null || killed_early=$((killed_early + 1))
                kill -9 $pid 2>/dev/null
                wait $pid 2>/dev/null
                if [ "$(fault_wait_gone)" != 0 ] || ! fault_foreign_back "$foreign0"; then
                        left=$((left + 1))
                        echo "trial $i ($opts): the container outlived its supervisor"
                fi
                outcome=$($N "$CORRAL" -q -P -D "$tree" -M fault ${opts//-b/} /bin/true </dev/null 2>&1) || {
                        restart_failed=$((restart_failed + 1))
                        echo "trial $i ($opts): the name did not start again: $outcome"
                }
                if ! diffs=$(fault_leak_check "$baseline"); then
                        leaked=$((leaked + 1))
                        echo "trial $i ($opts): left behind: $diffs"
                fi
                # (Each trial on its own: what corral failed to end, the test ends.)
                [ "$(fault_left)" = 0 ] || { pkill -9 -f "^sleep $FAULT_MARK\$"; fault_wait_gone >/dev/null; }
        done
        echo "$trials kills ($boots of a booting Debian): $left containers outlived their supervisor, $restart_failed restarts failed, $leaked trials left something behind ($killed_early supervisors had ended before the kill: $(head -c 300 "$TESTTMP/fault.err"))"
        expect_eq "$left" 0 "no container outlives its supervisor"
        expect_eq "$restart_failed" 0 "every name starts again"
        expect_eq "$leaked" 0 "no trial leaves anything behind"
        expect_eq "$(ls /run/corral/machines)" "" "no record is left"
}

# Waits up to 3 s for the processes of other PID namespaces to be as many as before.
fault_foreign_back() { # count before
        for _ in $(seq 30); do
                [ "$(fault_foreign)" -le "$1" ] && return 0
                sleep 0.1
        done
        return 1
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
