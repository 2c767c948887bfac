# SPDX-License-Identifier: LGPL-2.1-or-later
# Console modes, signals, shutdown and reboot.

test_console_modes() {
        ensure_bb
        out=$("$CORRAL" -q -D "$BB" --console=read-only /bin/echo hi </dev/null | od -c | head -1)
        expect_contains "$out" 'h   i  \r  \n' "read-only forwards the pty (with CRLF, as nspawn)"
        out=$("$CORRAL" -q -D "$BB" --console=passive /bin/echo hi </dev/null)
        expect_eq "$out" "" "passive forwards nothing"
        expect_eq "$("$CORRAL" -q -D "$BB" --console=pipe /bin/echo hi </dev/null | od -c | head -1)" \
                "$(echo hi | od -c | head -1)" "pipe passes stdio straight through"
        expect_eq "$("$CORRAL" -q -D "$BB" --console=autopipe /bin/echo hi </dev/null)" "hi" "autopipe without a tty is pipe"
        expect_eq "$("$CORRAL" -q -D "$BB" --console=read-only readlink /proc/self/fd/0 </dev/null | tr -d '\r')" "/dev/pts/0" \
                "the payload's stdio is the console pty"
        expect_eq "$(echo data | "$CORRAL" -q -D "$BB" -P cat)" "data" "stdin reaches the payload in pipe mode"
}

test_status_messages() {
        ensure_bb
        err=$("$CORRAL" -D "$BB" --console=read-only /bin/sh -c 'exit 3' 2>&1 >/dev/null </dev/null)
        expect_contains "$err" "Spawning container bb on $BB." "start message"
        expect_contains "$err" "Container bb failed with error code 3." "end message"
        err=$("$CORRAL" -q -D "$BB" --console=read-only true 2>&1 >/dev/null </dev/null)
        expect_eq "$err" "" "-q silences"
}

test_interactive_console_and_escape() {
        ensure_bb
        command -v script >/dev/null || skip "script(1) not installed"
        # A real terminal: window size is forwarded and ^]^]^] kills the container.
        out=$(script -qec "stty cols 123 rows 45; $CORRAL -q -D $BB /bin/sh -c 'stty size; exit 4'" /dev/null </dev/null | tr -d '\r')
        expect_contains "$out" "45 123" "window size"
        out=$( (sleep 1; printf '\035\035\035') | script -qec "$CORRAL -D $BB sleep 20" /dev/null 2>&1 | tr -d '\r'); rc=$?
        expect_contains "$out" "Press ^] three times within 1s" "escape hint"
        expect_contains "$out" "terminated by signal SIGKILL" "escape kills the container"
}

test_sigterm_sends_the_kill_signal() {
        ensure_bb
        "$CORRAL" -q -P -D "$BB" --kill-signal=SIGTERM /bin/sh -c 'trap "echo got-term; exit 5" TERM; echo ready; while :; do sleep 0.1; done' > "$TESTTMP/out" </dev/null &
        pid=$!
        wait_for "$TESTTMP/out" ready 10 || fail "container did not start"
        kill -TERM $pid; wait $pid; rc=$?
        expect_eq "$rc" 5 "exit status after SIGTERM with --kill-signal=SIGTERM"
        expect_contains "$(cat "$TESTTMP/out")" "got-term" "PID 1 got SIGTERM"
        # Default without --boot: SIGKILL.
        "$CORRAL" -D "$BB" --console=read-only /bin/sh -c 'trap "" TERM; echo ready; while :; do sleep 0.1; done' > "$TESTTMP/out2" 2>&1 </dev/null &
        pid=$!
        wait_for "$TESTTMP/out2" ready 10 || fail "container did not start"
        kill -INT $pid; wait $pid; rc=$?
        expect_eq "$rc" 1 "exit status when killed"
        expect_contains "$(cat "$TESTTMP/out2")" "terminated by signal SIGKILL" "report"
}

test_poweroff_and_reboot_from_inside() {
        ensure_bb
        err=$("$CORRAL" -D "$BB" --console=read-only /bin/sh -c 'poweroff -f' 2>&1 >/dev/null </dev/null); rc=$?
        expect_eq "$rc" 0 "poweroff exit status"
        expect_contains "$err" "Container bb has been shut down." "poweroff message"
        err=$("$CORRAL" -D "$BB" --keep-unit --console=read-only /bin/sh -c 'reboot -f' 2>&1 >/dev/null </dev/null); rc=$?
        expect_eq "$rc" 133 "reboot under --keep-unit exits 133 for the service manager"
        expect_contains "$err" "Container bb is being rebooted." "reboot message"
        # Without --keep-unit corral starts the container again, as nspawn does.
        mkdir -p "$TESTTMP/state"
        out=$(cr -D "$BB" --bind="$TESTTMP/state":/state /bin/sh -c 'if [ -e /state/booted ]; then echo second; else touch /state/booted; echo first; reboot -f; fi')
        expect_eq "$out" "first
second" "reboot restarts the container"
}

# Collects the sd_notify messages sent to socket $1 until STOPPING=1, one per line.
notify_listen() {
        python3 - "$1" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind(sys.argv[1]); s.settimeout(20)
while True:
    m = s.recv(4096).decode().strip().replace("\n", " ")
    print(m, flush=True)
    if "STOPPING=1" in m:
        break
PY
        for i in $(seq 50); do [ -S "$1" ] && return 0; sleep 0.1; done
        fail "the notify listener did not start"
}

test_notify_ready() {
        ensure_bb
        [ -x "$BB/bin/corral-probe" ] || fail "the probe was not built ($PROBE)"
        # --notify-ready=yes: READY=1 is passed on only when the container's PID 1 says it; a
        # message from any other process in the container is ignored, as nspawn does.
        notify_listen "$TESTTMP/n.sock" > "$TESTTMP/n.out"
        NOTIFY_SOCKET=$TESTTMP/n.sock cr -D "$BB" --notify-ready=yes /bin/sh -c \
                'corral-probe notify STATUS=child READY=1; sleep 0.3; exec corral-probe notify STATUS=hello READY=1 -- sleep 0.3' \
                || fail "the container failed"
        wait
        got=$(sed 's/X_NSPAWN_LEADER_PID=[0-9]*/X_NSPAWN_LEADER_PID=N/' "$TESTTMP/n.out")
        expect_eq "$got" "STATUS=Container running. X_NSPAWN_LEADER_PID=N
READY=1
STATUS=Container running: hello
STOPPING=1 STATUS=Terminating..." "messages with --notify-ready=yes"
        # Without it corral says READY=1 itself once the payload runs.
        notify_listen "$TESTTMP/m.sock" > "$TESTTMP/m.out"
        NOTIFY_SOCKET=$TESTTMP/m.sock cr -D "$BB" /bin/true || fail "the container failed"
        wait
        got=$(sed 's/X_NSPAWN_LEADER_PID=[0-9]*/X_NSPAWN_LEADER_PID=N/' "$TESTTMP/m.out")
        expect_eq "$got" "STATUS=Container running. X_NSPAWN_LEADER_PID=N
READY=1
STOPPING=1 STATUS=Terminating..." "messages without --notify-ready"
        have_nspawn || skip "no nspawn to compare with; corral side checked"
        notify_listen "$TESTTMP/o.sock" > "$TESTTMP/o.out"
        NOTIFY_SOCKET=$TESTTMP/o.sock ns -D "$BB" --notify-ready=yes /bin/sh -c \
                'corral-probe notify STATUS=child READY=1; sleep 0.3; exec corral-probe notify STATUS=hello READY=1 -- sleep 0.3'
        wait
        want=$(sed 's/X_NSPAWN_LEADER_PID=[0-9]*/X_NSPAWN_LEADER_PID=N/' "$TESTTMP/o.out")
        got=$(sed 's/X_NSPAWN_LEADER_PID=[0-9]*/X_NSPAWN_LEADER_PID=N/' "$TESTTMP/n.out")
        expect_eq "$got" "$want" "notify messages differ from systemd-nspawn's"
}
