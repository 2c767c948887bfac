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
        start_bb beta --bind="$TESTTMP/x:/x" -x --private-network
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

        # Addresses, as machinectl lists them: the first, then "…" (--max-addresses=, -l for all,
        # 0 for no column); JSON has them all.  machinectl's --no-ask-password is taken.
        ln -sf busybox "$BB/bin/ip"
        "$CORRAL" -q -P -D "$BB" -M addr --private-network --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip addr add 10.11.0.1/24 dev lo; ip addr add 10.12.0.1/24 dev lo; ip addr add 10.13.0.1/24 dev lo
                touch /x/addr.up; while [ ! -e /x/addr.done ]; do sleep 0.1; done' </dev/null >/dev/null 2>&1 &
        p=$!
        wait_for_file "$TESTTMP/x/addr.up" 15 || fail "addr did not start"
        expect_eq "$("$CORRALCTL" --no-legend --no-ask-password | awk '{$1=$2=$3=$4=$5=""; print}' | xargs)" "10.11.0.1 …" "list: the first address"
        expect_eq "$("$CORRALCTL" --no-legend --max-addresses=2 | awk '{$1=$2=$3=$4=$5=""; print}' | xargs)" "10.11.0.1 10.12.0.1 …" "--max-addresses=2"
        expect_eq "$("$CORRALCTL" --no-legend -l | awk '{$1=$2=$3=$4=$5=""; print}' | xargs)" "10.11.0.1 10.12.0.1 10.13.0.1" "-l: all of them"
        expect_eq "$("$CORRALCTL" --max-addresses=0 | head -1 | xargs)" "MACHINE CLASS SERVICE OS VERSION" "--max-addresses=0: no column"
        expect_contains "$("$CORRALCTL" --json=short)" '"addresses":"10.11.0.1 10.12.0.1 10.13.0.1"' "JSON: all of them"
        touch "$TESTTMP/x/addr.done"
        wait $p
}

# -o/--output= (machinectl's modes) with typed JSON values, -a for empty properties, and
# -M/--machine= with .host and USER@.
test_output_modes_and_machine_option() {
        setup_bb_x
        start_bb alpha --bind="$TESTTMP/x:/x" -x
        expect_eq "$("$CORRALCTL" -o help | tr '\n' ' ')" \
                "short short-full short-iso short-iso-precise short-precise short-monotonic short-delta short-unix verbose export json json-pretty json-sse json-seq cat with-unit " \
                "-o help: machinectl's list"
        out=$("$CORRALCTL" -o bogus list 2>&1); rc=$?
        expect_eq "$rc:$out" "1:Unknown output 'bogus'." "an unknown mode: machinectl's message"
        expect_eq "$("$CORRALCTL" -o json list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["machine"])')" alpha "-o json list"
        expect_eq "$("$CORRALCTL" -o json-pretty list | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1 "-o json-pretty list"
        expect_eq "$("$CORRALCTL" -o json-seq list | head -c 2 | od -An -c | xargs)" '036 [' "-o json-seq: RFC 7464's record separator"
        expect_eq "$("$CORRALCTL" -o json-sse list | head -c 7)" 'data: [' "-o json-sse: an event"
        expect_eq "$("$CORRALCTL" -o short list | head -1 | awk '{print $1}')" MACHINE "-o short: the table"
        leader=$("$CORRALCTL" show alpha -p Leader --value)
        json=$("$CORRALCTL" show alpha -o json)
        expect_eq "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["Name"], d["Leader"], type(d["Leader"]).__name__, type(d["Timestamp"]).__name__, d["Timestamp"] > 10**15, d["Addresses"], d["State"])' "$json")" \
                "alpha $leader int int True [] running" "show -o json: typed values: $json"
        expect_eq "$("$CORRALCTL" show alpha -o json -p Name,Leader)" "{\"Name\":\"alpha\",\"Leader\":$leader}" "-o json with -p: those only"
        expect_eq "$("$CORRALCTL" show alpha alpha -o json | wc -l)" 2 "an object per machine"
        expect_eq "$("$CORRALCTL" show alpha | grep -c "^Addresses=")" 0 "an empty property is left out"
        expect_eq "$("$CORRALCTL" show alpha -p Addresses)" "Addresses=" "and shown when named"
        expect_eq "$("$CORRALCTL" show alpha -a | grep -c '^Addresses=$')" 1 "-a alone: all of them"

        # -M: .host is here; USER@.host runs the verb as USER; NAME runs the machine's corralctl.
        expect_eq "$("$CORRALCTL" -M .host list --no-legend | awk '{print $1}')" alpha "-M .host: the host's machines"
        expect_eq "$("$CORRALCTL" --machine=root@.host show alpha -p Name --value)" alpha "--machine=root@.host"
        chmod 755 /run/corral /run/corral/machines 2>/dev/null || true
        out=$("$CORRALCTL" -M nobody@.host terminate alpha 2>&1); rc=$?
        expect_eq "$rc" 1 "-M nobody@.host: the verb runs as nobody, who may not terminate: $out"
        expect_eq "$("$CORRALCTL" --no-legend | awk '{print $1}')" alpha "and the machine still runs"
        expect_eq "$("$CORRALCTL" -M nobody@ -q show-image -p PoolPath --value)" /var/lib/machines "USER@ alone: USER on the host"
        out=$("$CORRALCTL" -M nosuchuser@.host list 2>&1); rc=$?
        expect_eq "$rc:$out" "1:No user 'nosuchuser' on the host." "an unknown user"
        out=$("$CORRALCTL" -M nosuch list 2>&1); rc=$?
        expect_eq "$rc:$out" "1:Could not get path to machine: No machine 'nosuch' known" "an unknown machine"
        out=$("$CORRALCTL" -M alpha list 2>&1); rc=$?
        expect_eq "$rc" 1 "a machine without corralctl"
        expect_contains "$out" "install corral in the machine" "says what -M needs: $out"
        touch "$TESTTMP/x/alpha.done"
        wait $pid_alpha
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
        local leader cg
        leader=$("$CORRALCTL" show sl -p Leader --value)
        # pids on a v1 hierarchy here, or on cgroup2 (under systemd, the scope's "payload").
        cg=$(grep -E '^[0-9]+:pids:' "/proc/$leader/cgroup" || grep '^0::' "/proc/$leader/cgroup")
        pids=$(awk '$9=="cgroup" && ("," $NF ",") ~ /,pids,/ {print $5; exit}' /proc/self/mountinfo)
        [[ $cg == 0::* ]] && pids=$(awk '$9=="cgroup2" {print $5; exit}' /proc/self/mountinfo)
        expect_contains "${cg#*:*:}" "/machine.slice/machine-web.slice/corral-sl.scope" "the machine is in machine-web.slice"
        expect_eq "$(cat "$pids${cg#*:*:}/pids.max")" 7 "TasksMax changed in machine-web.slice"
        "$CORRALCTL" freeze sl && "$CORRALCTL" thaw sl || fail "freeze and thaw in the slice failed"
        touch "$TESTTMP/x/sl.done"
        wait $pid_sl
        stop_systemd_slice machine-web.slice
}

PTY_DRIVE=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tools" && pwd)/pty-drive.py

# shell: the command's exit status, users, -E, stdin, and the payload's namespaces, cgroup
# and security context.
test_shell() {
        setup_bb_x
        start_bb sh1 --bind="$TESTTMP/x:/x" --drop-capability=CAP_NET_RAW --no-new-privileges=yes --hostname=inside
        expect_eq "$("$CORRALCTL" shell sh1 hostname)" "inside" "shell NAME COMMAND runs in the machine"
        "$CORRALCTL" shell sh1 /bin/sh -c 'exit 42'
        expect_eq "$?" 42 "the command's exit status is corralctl's"
        expect_eq "$("$CORRALCTL" shell sh1 id -un)" "root" "root by default"
        expect_eq "$("$CORRALCTL" shell alice@sh1 id)" "uid=1000(alice) gid=1000(alice) groups=10(wheel),1000(alice)" "USER@NAME: the user and groups of the machine's /etc/passwd and /etc/group"
        expect_eq "$("$CORRALCTL" shell --uid=alice sh1 /bin/sh -c 'echo $HOME $USER $LOGNAME $SHELL; pwd')" \
                "$(printf '/home/alice alice alice /bin/sh\n/home/alice')" "--uid: the user's environment and home"
        expect_eq "$("$CORRALCTL" shell -E FOO=bar --setenv=BAZ=qux sh1 /bin/sh -c 'echo $FOO $BAZ')" "bar qux" "-E/--setenv"
        # .host, or no name at all, is the host itself, as machinectl's: its PID namespace, users
        # and every capability.
        expect_eq "$("$CORRALCTL" shell .host /bin/sh -c 'cat /proc/1/comm; id -un')" "$(cat /proc/1/comm)
root" "shell .host runs on the host"
        expect_eq "$("$CORRALCTL" shell nobody@.host /usr/bin/id -un)" "nobody" "USER@.host: a user of the host"
        expect_eq "$("$CORRALCTL" shell "" /bin/sh -c 'grep CapBnd /proc/self/status')" "$(grep CapBnd /proc/self/status)" \
                "no name: the host, with the host's capabilities"
        # A name alone takes our value, or is left out where we have none; bad ones are refused,
        # as machinectl refuses them.
        expect_eq "$(FROMHERE=h "$CORRALCTL" shell -E FROMHERE -E UNSETHERE sh1 /bin/sh -c 'echo $FROMHERE ${UNSETHERE-unset}')" "h unset" "-E NAME"
        local v
        for v in -1 "''" "A B=1" =x 1A=2; do
                out=$("$CORRALCTL" shell --setenv="$v" sh1 true 2>&1)
                expect_eq "$?:$out" "1:Cannot assign environment variable $v: Invalid argument" "--setenv=$v is refused"
        done
        expect_eq "$(echo piped | "$CORRALCTL" shell sh1 cat)" "piped" "stdin passes through"
        expect_eq "$("$CORRALCTL" shell sh1 ls -d /x)" "/x" "the command's own options stay the command's"
        expect_eq "$("$CORRALCTL" shell sh1 cat /proc/1/cmdline | tr '\0' ' ')" "/bin/sh -c touch /x/sh1.up; while [ ! -e /x/sh1.done ]; do sleep 0.1; done " \
                "the machine's PID namespace: PID 1 is its payload"
        want=$("$CORRALCTL" shell sh1 grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/1/status)
        got=$("$CORRALCTL" shell sh1 grep -E '^(CapBnd|NoNewPrivs|Seccomp):' /proc/self/status)
        expect_eq "$got" "$want" "the payload's capability bounding set, no_new_privs and system call filter"
        expect_contains "$got" "Seccomp:	2" "a system call filter is in place"
        # In the machine's cgroup namespace a process outside the machine's cgroup sees "/..".
        expect_eq "$("$CORRALCTL" shell sh1 grep '^0::' /proc/self/cgroup)" "0::/" "the session is in the machine's cgroup"
        out=$("$CORRALCTL" shell bob@sh1 id 2>&1); rc=$?
        expect_eq "$rc" 1 "an unknown user fails"
        expect_contains "$out" "no user \"bob\" in the machine's /etc/passwd" "and says so"
        out=$("$CORRALCTL" shell sh1 /nosuch 2>&1)
        expect_contains "$out" "cannot execute /nosuch in the machine" "a missing command is named"
        out=$("$CORRALCTL" shell nosuch true 2>&1); rc=$?
        expect_eq "$rc" 1 "shell of an unknown machine"
        expect_contains "$out" "No machine 'nosuch' known" "machinectl's message"

        # On a terminal: a pty of the machine's own, machinectl's messages.
        out=$(python3 "$PTY_DRIVE" 20 '# ' 'tty; echo term=$TERM; exit 5\r' -- env TERM=xterm-test "$CORRALCTL" shell sh1)
        expect_contains "$out" "Connected to machine sh1. Press ^] three times within 1s to exit session." "the connect message"
        expect_contains "$out" "/dev/pts/" "a pty of the machine's devpts"
        expect_contains "$out" "term=xterm-test" "TERM is passed on"
        expect_contains "$out" "Connection to machine sh1 terminated." "the end message"
        expect_contains "$out" "STATUS 5" "the shell's exit status"
        # ^] three times leaves a session that does not end by itself.
        out=$(python3 "$PTY_DRIVE" 20 '# ' 'sleep 100\r' 'sleep 100' '\x1d\x1d\x1d' -- "$CORRALCTL" shell sh1)
        expect_contains "$out" "Connection to machine sh1 terminated." "^]^]^] ends the session"
        expect_contains "$out" "STATUS 0" "and corralctl returns"
        for _ in $(seq 30); do "$CORRALCTL" shell sh1 pgrep -x 'sleep' >/dev/null || break; sleep 0.1; done
        touch "$TESTTMP/x/sh1.done"
        wait $pid_sh1
}

# shell in a machine with a user namespace: root of the machine, files owned by its range.
test_shell_with_user_namespace() {
        setup_bb_x
        cp -a "$BB" "$TESTTMP/bbu"
        chmod 0777 "$TESTTMP/x"
        "$CORRAL" -q -P -D "$TESTTMP/bbu" -M shu -U --bind="$TESTTMP/x:/x" /bin/sh -c 'touch /x/shu.up; while [ ! -e /x/shu.done ]; do sleep 0.1; done' \
                </dev/null >"$TESTTMP/shu.out" 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/shu.up" 15 || fail "shu did not start: $(cat "$TESTTMP/shu.out")"
        expect_eq "$("$CORRALCTL" shell shu id -u)" 0 "root in the machine's user namespace"
        "$CORRALCTL" shell shu touch /root/made || fail "root of the machine cannot write its /root"
        want=$(stat -c %u "$TESTTMP/bbu/root")
        expect_eq "$(stat -c %u "$TESTTMP/bbu/root/made")" "$want" "a file made in the session belongs to the machine's root"
        expect_eq "$("$CORRALCTL" shell shu cat /proc/self/uid_map)" "$("$CORRALCTL" shell shu cat /proc/1/uid_map)" "the machine's UID map"
        touch "$TESTTMP/x/shu.done"
        wait $p
}

# login: a login prompt on a new pty, for an init that is not systemd (busybox getty and login).
test_login() {
        setup_bb_x
        ln -sf ../bin/busybox "$BB/sbin/getty"
        ln -sf busybox "$BB/bin/login"
        start_bb lg --bind="$TESTTMP/x:/x" --hostname=lgbox
        out=$(python3 "$PTY_DRIVE" 20 'lgbox login: ' 'alice\r' 'Password: ' '\x1d\x1d\x1d' -- "$CORRALCTL" login lg)
        expect_contains "$out" "Connected to machine lg." "login connects"
        expect_contains "$out" "<lgbox login: >alice" "a login prompt with the machine's host name"
        expect_contains "$out" "<Password: >" "login asks for the password"
        expect_contains "$out" "Connection to machine lg terminated." "^]^]^] leaves"
        rm "$BB/sbin/getty"
        out=$(python3 "$PTY_DRIVE" 20 'login: ' '\x1d\x1d\x1d' -- "$CORRALCTL" login lg)
        expect_contains "$out" "lgbox <login: >" "without getty: login's own prompt"
        touch "$TESTTMP/x/lg.done"
        wait $pid_lg
}

# The seed flow: Debian booted as demo, listed; shell, login, poweroff.
test_debian_demo_seed_flow() {
        debian_tree
        "$CORRAL" -D "$CORRAL_DEBIAN" -x -M demo -b --console=read-only >"$TESTTMP/demo.out" 2>&1 </dev/null &
        local p=$!
        wait_for "$TESTTMP/demo.out" "login:" 120 || { kill -KILL $p; fail "no login prompt: $(tail "$TESTTMP/demo.out")"; }
        row=$("$CORRALCTL" list --no-legend | grep '^demo ' | tr -s ' ')
        expect_eq "$row" "demo container corral debian 12 " "list shows the class, service, OS and version"
        expect_eq "$("$CORRALCTL" shell demo hostname)" demo "shell demo hostname"
        echo 'root:corral-test' | "$CORRALCTL" shell demo chpasswd || fail "chpasswd in the machine failed"
        out=$(python3 "$PTY_DRIVE" 60 'demo login: ' 'root\r' 'Password: ' 'corral-test\r' '# ' 'echo in=$(hostname) pid1=$(cat /proc/1/comm); exit\r' \
                'Connection to machine demo terminated.' '' -- "$CORRALCTL" login demo)
        expect_contains "$out" "<demo login: >" "login demo reaches Debian's login prompt"
        expect_contains "$out" "in=demo pid1=systemd" "and logs in, without D-Bus or machined"
        "$CORRALCTL" poweroff demo || fail "poweroff failed"
        wait $p
        expect_eq "$?" 0 "a clean poweroff"
        expect_contains "$(cat "$TESTTMP/demo.out")" "Container demo has been shut down." "nspawn's message"
}

# poweroff of a booted machine whose init is not systemd: busybox init's SIGUSR2 (found from the
# tree's /sbin/init), and --poweroff-signal= for any other.
test_poweroff_non_systemd_init() {
        setup_bb_x
        chmod 0777 "$TESTTMP/x"
        ln -sf ../bin/busybox "$BB/sbin/init"
        printf '::sysinit:/bin/touch /x/bi.up\n::respawn:/bin/sleep 1000\n::shutdown:/bin/touch /x/bi.shutdown\n' > "$BB/etc/inittab"
        "$CORRAL" -q -D "$BB" -M bi -b --console=pipe --bind="$TESTTMP/x:/x" </dev/null >"$TESTTMP/bi.out" 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/bi.up" 15 || fail "busybox init did not start: $(cat "$TESTTMP/bi.out")"
        "$CORRALCTL" poweroff bi || fail "poweroff failed"
        wait $p
        expect_eq "$?" 0 "busybox init powered off cleanly"
        [ -e "$TESTTMP/x/bi.shutdown" ] || fail "busybox init did not run its shutdown actions (wrong signal)"

        cat > "$TESTTMP/x/trap.sh" <<'EOT'
#!/bin/sh
trap 'echo PWR > /x/po.sig; exit 0' PWR
touch /x/po.up
while :; do sleep 0.1; done
EOT
        chmod +x "$TESTTMP/x/trap.sh"
        "$CORRAL" -q -P -D "$BB" -M po --poweroff-signal=SIGPWR --bind="$TESTTMP/x:/x" /x/trap.sh </dev/null >/dev/null 2>&1 &
        p=$!
        wait_for_file "$TESTTMP/x/po.up" 15 || fail "po did not start"
        "$CORRALCTL" poweroff po || fail "poweroff failed"
        wait $p
        expect_eq "$(cat "$TESTTMP/x/po.sig")" PWR "--poweroff-signal=SIGPWR is what poweroff sends"

        # An init corral does not know gets machined's SIGRTMIN+4 (38 with glibc's numbering).
        rm -f "$BB/sbin/init"
        cat > "$BB/sbin/init" <<'EOT'
#!/bin/sh
trap 'echo RTMIN4 > /x/unk.sig; exit 0' 38
touch /x/unk.up
while :; do sleep 0.1; done
EOT
        chmod +x "$BB/sbin/init"
        "$CORRAL" -q -D "$BB" -M unk -b --console=pipe --bind="$TESTTMP/x:/x" </dev/null >"$TESTTMP/unk.out" 2>&1 &
        p=$!
        wait_for_file "$TESTTMP/x/unk.up" 15 || fail "the unknown init did not start: $(cat "$TESTTMP/unk.out")"
        "$CORRALCTL" poweroff unk || fail "poweroff failed"
        wait_for_file "$TESTTMP/x/unk.sig" 15 || { "$CORRALCTL" terminate unk; wait $p; fail "the unknown init got no SIGRTMIN+4"; }
        wait $p
        expect_eq "$(cat "$TESTTMP/x/unk.sig" 2>&1)" RTMIN4 "poweroff of an unknown init sends SIGRTMIN+4, as machined"

        # terminate, as machined stopping the unit: the kill signal (SIGRTMIN+3 with --boot) to
        # an init that catches it, which may end cleanly; SIGKILL at once to one that does not.
        cat > "$BB/sbin/init" <<'EOT'
#!/bin/sh
trap 'echo RTMIN3 > /x/term.sig; exit 0' 37
touch /x/term.up
while :; do sleep 0.1; done
EOT
        "$CORRAL" -q -D "$BB" -M term -b --console=pipe --bind="$TESTTMP/x:/x" </dev/null >/dev/null 2>&1 &
        p=$!
        wait_for_file "$TESTTMP/x/term.up" 15 || fail "the trapping init did not start"
        "$CORRALCTL" terminate term || fail "terminate failed"
        wait $p
        expect_eq "$(cat "$TESTTMP/x/term.sig" 2>&1)" RTMIN3 "terminate sends the kill signal first"
        rm -f "$BB/sbin/init"; ln -s ../bin/busybox "$BB/sbin/init"
        "$CORRAL" -q -D "$BB" -M term -b --console=pipe --bind="$TESTTMP/x:/x" </dev/null >/dev/null 2>&1 &
        p=$!
        wait_for_file "$TESTTMP/x/bi.up" 15 || fail "busybox init did not start"
        for _ in $(seq 50); do "$CORRALCTL" list --no-legend | grep -q '^term ' && break; sleep 0.1; done
        "$CORRALCTL" terminate term || fail "terminate of busybox init failed"
        wait $p
        expect_eq "$("$CORRALCTL" list --no-legend)" "" "terminate ends an init that ignores the kill signal"
}

# copy-to and copy-from: trees with modes, owners, links and FIFOs; --force; links in the
# machine that point at host paths are never followed out of it.
test_copy_to_and_from() {
        setup_bb_x
        start_bb cp1 --bind="$TESTTMP/x:/x"
        local src=$TESTTMP/src
        mkdir -p "$src/sub" "$TESTTMP/hostdir"
        echo one > "$src/a"; chmod 0640 "$src/a"; chown 1000:1000 "$src/a"
        echo two > "$src/sub/b"
        ln -s /etc/passwd "$src/link"
        mkfifo "$src/fifo"
        out=$("$CORRALCTL" copy-to cp1 "$src" /srv/src 2>&1) && fail "copy-to below a missing directory succeeded"
        expect_contains "$out" "cannot open the directory /srv in the machine" "the missing directory is named"
        "$CORRALCTL" shell cp1 mkdir /srv
        "$CORRALCTL" copy-to cp1 "$src" /srv/src || fail "copy-to failed"
        expect_eq "$("$CORRALCTL" shell cp1 stat -c '%a %u:%g %F' /srv/src/a /srv/src/sub/b /srv/src/link /srv/src/fifo)" \
                "$(printf '640 1000:1000 regular file\n644 0:0 regular file\n777 0:0 symbolic link\n644 0:0 fifo')" "modes, owners and kinds"
        expect_eq "$("$CORRALCTL" shell cp1 cat /srv/src/a /srv/src/sub/b)" "$(printf 'one\ntwo')" "contents"
        expect_eq "$("$CORRALCTL" shell cp1 readlink /srv/src/link)" "/etc/passwd" "a link is copied as a link"
        out=$("$CORRALCTL" copy-to cp1 "$src/a" /srv/src/a 2>&1) && fail "copy-to over an existing file succeeded without --force"
        expect_contains "$out" "exists already in the machine (--force replaces it)" "and says why"
        echo three > "$src/a"
        "$CORRALCTL" copy-to --force cp1 "$src/a" /srv/src/a || fail "copy-to --force failed"
        expect_eq "$("$CORRALCTL" shell cp1 cat /srv/src/a)" "three" "--force replaces"
        out=$("$CORRALCTL" copy-to cp1 "$src/a" relative 2>&1) && fail "a relative path in the machine was taken"
        expect_contains "$out" "must be absolute" "relative path"

        # Traps: links the machine plants towards the host's paths.
        echo HOSTSECRET > "$TESTTMP/hostsecret"
        "$CORRALCTL" shell cp1 /bin/sh -c "mkdir -p /srv/t; ln -s $TESTTMP/hostdir /srv/t/escape; ln -s ../../../../../../$TESTTMP /srv/t/up; ln -s $TESTTMP/hostsecret /srv/t/secret" ||
                fail "setting up the traps failed"
        "$CORRALCTL" copy-to cp1 "$src/a" /srv/t/escape/pwned 2>/dev/null
        [ -e "$TESTTMP/hostdir/pwned" ] && fail "copy-to followed a link of the machine out to the host"
        "$CORRALCTL" copy-to cp1 "$src/a" /srv/t/up/hostdir/pwned2 2>/dev/null
        [ -e "$TESTTMP/hostdir/pwned2" ] && fail "copy-to followed ../ out of the machine"
        "$CORRALCTL" copy-from cp1 /srv/t/up/hostsecret "$TESTTMP/got" 2>/dev/null
        [ -e "$TESTTMP/got" ] && grep -q HOSTSECRET "$TESTTMP/got" && fail "copy-from read a host file through a link"
        "$CORRALCTL" copy-from cp1 /srv/t "$TESTTMP/t" || fail "copy-from of the trap directory failed"
        expect_eq "$(readlink "$TESTTMP/t/secret")" "$TESTTMP/hostsecret" "copy-from copies links as links"
        [ -L "$TESTTMP/t/secret" ] || fail "the link became a file"

        # copy-from keeps owners and modes (no user namespace).
        "$CORRALCTL" copy-from cp1 /srv/src "$TESTTMP/back" || fail "copy-from failed"
        expect_eq "$(stat -c '%a %u:%g' "$TESTTMP/back/a")" "640 1000:1000" "copy-from keeps mode and owner"
        expect_eq "$(cat "$TESTTMP/back/sub/b")" "two" "copy-from contents"
        out=$("$CORRALCTL" copy-from cp1 /srv/nosuch "$TESTTMP/n" 2>&1) && fail "copy-from of a missing file succeeded"
        expect_contains "$out" "/srv/nosuch" "the missing path is named"
        "$CORRALCTL" shell cp1 /bin/sh -c 'mknod /srv/dev c 1 3' 2>/dev/null &&
                { out=$("$CORRALCTL" copy-from cp1 /srv/dev "$TESTTMP/dev" 2>&1) && fail "a device node was copied"; expect_contains "$out" "device node"; }
        touch "$TESTTMP/x/cp1.done"
        wait $pid_cp1
}

# copy-to into a machine with a user namespace: the copy is the machine's root's.
test_copy_with_user_namespace() {
        setup_bb_x
        chmod 0777 "$TESTTMP/x"
        cp -a "$BB" "$TESTTMP/bbu"
        "$CORRAL" -q -P -D "$TESTTMP/bbu" -M cpu -U --bind="$TESTTMP/x:/x" /bin/sh -c 'touch /x/cpu.up; while [ ! -e /x/cpu.done ]; do sleep 0.1; done' \
                </dev/null >"$TESTTMP/cpu.out" 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/cpu.up" 15 || fail "cpu did not start: $(cat "$TESTTMP/cpu.out")"
        echo data > "$TESTTMP/f"; chown 1000:1000 "$TESTTMP/f"
        "$CORRALCTL" copy-to cpu "$TESTTMP/f" /root/f || fail "copy-to failed"
        expect_eq "$("$CORRALCTL" shell cpu stat -c '%u:%g' /root/f)" "0:0" "owned by the machine's root, as machinectl"
        "$CORRALCTL" shell cpu /bin/sh -c 'echo x > /root/g; chown 1000:1000 /root/g'
        "$CORRALCTL" copy-from cpu /root/g "$TESTTMP/g" || fail "copy-from failed"
        expect_eq "$(stat -c '%u:%g' "$TESTTMP/g")" "0:0" "owned by the host's root"
        touch "$TESTTMP/x/cpu.done"
        wait $p
}

# bind: into a running machine, --mkdir, --read-only, files, links in the machine, -U.
test_bind_into_running_machine() {
        setup_bb_x
        start_bb bd --bind="$TESTTMP/x:/x"
        mkdir -p "$TESTTMP/share" "$TESTTMP/hostdir"
        echo shared > "$TESTTMP/share/file"
        echo single > "$TESTTMP/single"
        out=$("$CORRALCTL" bind bd "$TESTTMP/share" /mnt/share 2>&1) && fail "bind to a missing target succeeded"
        expect_contains "$out" "does not exist in machine bd (--mkdir creates it)" "the missing target is named"
        "$CORRALCTL" bind --mkdir bd "$TESTTMP/share" /mnt/share || fail "bind --mkdir failed"
        expect_eq "$("$CORRALCTL" shell bd cat /mnt/share/file)" "shared" "the host's directory is in the machine"
        "$CORRALCTL" shell bd /bin/sh -c 'echo back > /mnt/share/new' || fail "a writable bind is not writable"
        expect_eq "$(cat "$TESTTMP/share/new")" "back" "writes reach the host"
        "$CORRALCTL" bind --read-only --mkdir bd "$TESTTMP/share" /ro || fail "bind --read-only failed"
        "$CORRALCTL" shell bd touch /ro/x 2>/dev/null && fail "--read-only: the machine could write"
        "$CORRALCTL" bind --mkdir bd "$TESTTMP/single" /etc/single.txt || fail "binding a file failed"
        expect_eq "$("$CORRALCTL" shell bd cat /etc/single.txt)" "single" "a file bound in"
        out=$("$CORRALCTL" bind bd "$TESTTMP/single" /mnt/share 2>&1) && fail "a file onto a directory succeeded"
        expect_contains "$out" "is a file and /mnt/share in machine bd is not" "file onto directory"
        grep -q " /mnt/share " /proc/self/mountinfo && fail "the bind appeared on the host"
        "$CORRALCTL" shell bd ln -s "$TESTTMP/hostdir" /trap
        "$CORRALCTL" bind --mkdir bd "$TESTTMP/share" /trap/sub 2>/dev/null
        [ -e "$TESTTMP/hostdir/sub" ] && fail "bind --mkdir followed a link of the machine out to the host"
        touch "$TESTTMP/x/bd.done"
        wait $pid_bd

        # A machine with a user namespace: the bind is idmapped into it.
        chmod 0777 "$TESTTMP/x"
        cp -a "$BB" "$TESTTMP/bbu"
        chown 1000:1000 "$TESTTMP/share/file"
        "$CORRAL" -q -P -D "$TESTTMP/bbu" -M bdu -U --bind="$TESTTMP/x:/x" /bin/sh -c 'touch /x/bdu.up; while [ ! -e /x/bdu.done ]; do sleep 0.1; done' \
                </dev/null >"$TESTTMP/bdu.out" 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/bdu.up" 15 || fail "bdu did not start: $(cat "$TESTTMP/bdu.out")"
        "$CORRALCTL" bind --mkdir bdu "$TESTTMP/share" /mnt/share || fail "bind into a -U machine failed"
        expect_eq "$("$CORRALCTL" shell bdu stat -c '%u %U' /mnt/share /mnt/share/file)" "$(printf '0 root\n1000 alice')" "host UIDs appear as the machine's own"
        touch "$TESTTMP/x/bdu.done"
        wait $p
}

# A busybox image in /var/lib/machines that boots busybox init with a shell on its console.
# start (nspawn's service defaults: -U, a veth pair, --boot), logs, console, poweroff.
test_start_logs_console() {
        make_bootable_image web
        "$CORRALCTL" start web || fail "start failed"
        row=$("$CORRALCTL" list --no-legend | tr -s ' ')
        expect_contains "$row" "web container corral busybox" "a started machine is listed at once"
        [ -d /sys/class/net/ve-web ] || fail "no veth pair: the service's --network-veth"
        expect_eq "$("$CORRALCTL" shell web cat /proc/self/uid_map | awk '{print $1, $3}')" "0 65536" "the service's -U"
        wait_for /var/log/corral/web.log "booted-web" 10 || fail "the console output is not in the log"
        expect_eq "$(head -1 /var/log/corral/web.log | cut -d' ' -f1-4)" "-- corralctl start web:" "the log marks the start"
        out=$(python3 "$PTY_DRIVE" 20 'disconnect.' 'echo hello-$((6*7))\r' 'hello-42' '\x1d\x1d\x1d' -- "$CORRALCTL" console web)
        expect_contains "$out" "Connected to the console of machine web." "console attaches"
        expect_contains "$out" "<hello-42>" "and the machine's console shell answers"
        expect_contains "$out" "Disconnected from the console." "^]^]^] detaches"
        "$CORRALCTL" status web >/dev/null || fail "detaching stopped the machine"
        expect_contains "$("$CORRALCTL" logs web)" "hello-42" "what happened on the console is in the log"
        expect_eq "$("$CORRALCTL" logs -n 1 web | tr -d '\r' | sed 's/\x1b\[6n//')" "/ # " "logs -n 1: the last line"
        "$CORRALCTL" logs -f web > "$TESTTMP/follow" 2>&1 &
        local f=$!
        "$CORRALCTL" shell web /bin/sh -c 'echo followed-line > /dev/console'
        wait_for "$TESTTMP/follow" "followed-line" 10 || fail "logs -f did not show new output"
        kill $f; wait $f 2>/dev/null
        "$CORRALCTL" start web || fail "start of a running machine is not a no-op"
        stop_machine poweroff web || fail "the machine did not power off"
        [ -d /sys/class/net/ve-web ] && fail "its veth pair is left"
        out=$("$CORRALCTL" logs web) || fail "the log went with the machine"
        out=$("$CORRALCTL" start nosuch 2>&1); rc=$?
        expect_eq "$rc" 1 "start of a machine without an image"
        expect_contains "$out" "Cannot start machine 'nosuch': no image of that name in /var/lib/machines" "says why"
        expect_contains "$out" "Give its path instead (corralctl start /path/to/nosuch)" "and what to do"
        # A failure of corral itself: its status and the end of its log.
        printf '[Exec]\nBoot=perhaps\n' > /etc/systemd/nspawn/web.nspawn
        out=$("$CORRALCTL" start web 2>&1); rc=$?
        expect_eq "$rc" 1 "a start that corral refuses"
        expect_contains "$out" "Failed to start machine 'web': corral exited with status 1." "says that it failed"
        expect_contains "$out" "web.nspawn:2: Boot=perhaps" "and shows why, from its log"
        rm /etc/systemd/nspawn/web.nspawn
        out=$("$CORRALCTL" logs nosuch2 2>&1) && fail "logs of a machine never started succeeded"
        expect_contains "$out" "only machines started with corralctl start have one" "logs without a log"

        # The settings file overrides the service's defaults.
        printf '[Exec]\nPrivateUsers=no\n[Network]\nVirtualEthernet=no\n' > /etc/systemd/nspawn/web.nspawn
        "$CORRALCTL" start web || fail "start with a settings file failed"
        [ -d /sys/class/net/ve-web ] && fail "VirtualEthernet=no did not override --network-veth"
        expect_eq "$("$CORRALCTL" shell web cat /proc/self/uid_map | awk '{print $1, $2}')" "0 0" "PrivateUsers=no overrides -U"
        stop_machine poweroff web || fail "the machine did not power off"

        # A log that grows past its limit keeps its newest part.
        CORRAL_CONSOLE_LOG_MAX=65536 "$CORRALCTL" start web || fail "start failed"
        "$CORRALCTL" shell web /bin/sh -c 'i=0; while [ $i -lt 3000 ]; do echo "line $i of the console flood"; i=$((i+1)); done > /dev/console; echo last-line > /dev/console'
        wait_for /var/log/corral/web.log "last-line" 10 || fail "the newest output is not in the trimmed log"
        size=$(stat -c %s /var/log/corral/web.log)
        [ "$size" -le 65536 ] || fail "the log is $size bytes, over its limit of 65536"
        stop_machine terminate web || fail "the machine did not stop"
}

# Two starts of one name at once: exactly one runs, the other says why.
test_two_starts_of_one_name() {
        setup_bb_x
        for i in 1 2; do
                "$CORRAL" -q -P -D "$BB" -M twin --bind="$TESTTMP/x:/x" /bin/sh -c "touch /x/twin$i.up; while [ ! -e /x/twin.done ]; do sleep 0.1; done" \
                        </dev/null >"$TESTTMP/twin$i.out" 2>&1 &
                eval "p$i=\$!"
        done
        for _ in $(seq 100); do
                n=$(ls "$TESTTMP/x" | grep -c 'twin.\.up')
                fails=$(grep -l 'is already running' "$TESTTMP"/twin?.out 2>/dev/null | wc -l)
                [ "$n" = 1 ] && [ "$fails" = 1 ] && break
                sleep 0.1
        done
        expect_eq "$n" 1 "exactly one of the two runs"
        expect_eq "$fails" 1 "the other fails"
        expect_contains "$(cat "$TESTTMP"/twin?.out)" "a container named \"twin\" is already running; pick another name with -M" "with a clear error"
        expect_eq "$("$CORRALCTL" list --no-legend | grep -c '^twin ')" 1 "one twin is listed"
        touch "$TESTTMP/x/twin.done"
        wait $p1 $p2 2>/dev/null

        make_bootable_image web
        "$CORRALCTL" start web & local s1=$!
        "$CORRALCTL" start web & local s2=$!
        wait $s1; r1=$?; wait $s2; r2=$?
        expect_eq "$("$CORRALCTL" list --no-legend | grep -c '^web ')" 1 "two corralctl start: one machine"
        # The loser either saw the winner registered (a no-op, as systemctl start) or lost the
        # name's lock and says so.
        [ "$r1" = 0 ] || [ "$r2" = 0 ] || fail "neither start succeeded"
        stop_machine terminate web || fail "the machine did not stop"
}

# enable and disable without systemd: corral's autostart list (order, delays), its init script,
# autostart and autostop.
# Without systemd as PID 1 (CORRAL_SYSTEMD=0 makes a systemd host look so): corral's own list
# and init script.  Under systemd the real-host lane enables a machine and reboots the host.
test_enable_disable_autostart() {
        export CORRAL_SYSTEMD=0
        export CORRAL_INITD_DIR=$TESTTMP/init.d
        mkdir -p "$CORRAL_INITD_DIR"
        make_bootable_image a1
        make_bootable_image b2
        printf '[Exec]\nPrivateUsers=no\n[Network]\nVirtualEthernet=no\n' | tee /etc/systemd/nspawn/a1.nspawn > /etc/systemd/nspawn/b2.nspawn
        out=$("$CORRALCTL" enable a1 b2) || fail "enable failed"
        expect_contains "$out" "Added a1 to the autostart list." "enable says what it did"
        expect_contains "$out" "Created the sysvinit init script $CORRAL_INITD_DIR/corral." "and writes the init script once"
        "$CORRALCTL" enable a1 >/dev/null || fail "enable of an enabled machine failed"
        expect_eq "$(grep -v '^#' /etc/corral/autostart)" "$(printf 'a1\nb2')" "the list, in order, once each"
        head -1 /etc/corral/autostart | grep -q '^# Machines started at boot' || fail "the list explains itself"
        [ -x "$CORRAL_INITD_DIR/corral" ] || fail "the init script is not executable"
        grep -q '^# Provides:          corral' "$CORRAL_INITD_DIR/corral" || fail "the init script has no LSB header"
        out=$("$CORRALCTL" enable bad:name 2>&1) && fail "an invalid name was enabled"
        expect_contains "$out" "Invalid machine name: bad:name" "an invalid name"

        sed -i 's/^a1$/a1 delay=1/' /etc/corral/autostart
        sh "$CORRAL_INITD_DIR/corral" start || fail "the init script's start failed"
        expect_eq "$("$CORRALCTL" list --no-legend | awk '{print $1}' | tr '\n' ' ')" "a1 b2 " "both enabled machines run"
        ta=$("$CORRALCTL" show a1 -p TimestampMonotonic --value); tb=$("$CORRALCTL" show b2 -p TimestampMonotonic --value)
        [ "$tb" -gt "$ta" ] || fail "b2 started before a1"
        sup_a=$("$CORRALCTL" show a1 -p Supervisor --value); sup_b=$("$CORRALCTL" show b2 -p Supervisor --value)
        sh "$CORRAL_INITD_DIR/corral" stop || fail "the init script's stop failed"
        expect_eq "$("$CORRALCTL" list --no-legend)" "" "stop powers them off"
        for s in $sup_a $sup_b; do
                for _ in $(seq 50); do [ -e /proc/$s ] && [ "$(awk '{print $3}' /proc/$s/stat)" != Z ] || break; sleep 0.1; done
        done

        "$CORRALCTL" disable a1 >/dev/null || fail "disable failed"
        expect_eq "$(grep -v '^#' /etc/corral/autostart)" "b2" "disable removes the line"
        head -1 /etc/corral/autostart | grep -q '^# Machines started at boot' || fail "disable keeps the comments"
        "$CORRALCTL" disable nosuch >/dev/null || fail "disable of a machine not enabled failed"
        rm -f /etc/systemd/nspawn/a1.nspawn /etc/systemd/nspawn/b2.nspawn
}

# poweroff right after start: the init has not set up its handler yet; the signal is held
# back until it has (not dropped), and the user is told.  autostop stops machines all at once.
test_poweroff_before_the_init_is_ready() {
        make_busybox_tree /var/lib/machines/slow
        # An init that takes 3 s to set up its SIGRTMIN+4 handler (38: glibc's SIGRTMIN+4).
        printf '#!/bin/sh\nsleep 3\ntrap "echo got-poweroff > /dev/console; exit 0" 38\necho init-ready > /dev/console\nwhile :; do sleep 0.2; done\n' > /var/lib/machines/slow/sbin/init
        chmod +x /var/lib/machines/slow/sbin/init
        "$CORRALCTL" start slow || fail "start failed"
        out=$("$CORRALCTL" poweroff slow 2>&1); rc=$?
        expect_eq "$rc" 0 "poweroff right after start: $out"
        expect_contains "$out" "Machine 'slow' is still starting: its init does not take SIGRTMIN+4 yet; the poweroff waits for it." "says it waits"
        expect_contains "$out" "Sent after" "and that it sent it"
        for _ in $(seq 50); do "$CORRALCTL" status slow >/dev/null 2>&1 || break; sleep 0.1; done
        "$CORRALCTL" status slow >/dev/null 2>&1 && fail "the machine still runs"
        expect_contains "$(cat /var/log/corral/slow.log)" "got-poweroff" "the init got it"
        # autostop: both at once; a machine that ignores the power-off is terminated after 60 s,
        # so two of them take 60 s, not 120 s, and autostop says so.
        make_busybox_tree /var/lib/machines/deaf1
        printf '#!/bin/sh\ntrap "" 38\nwhile :; do sleep 0.2; done\n' > /var/lib/machines/deaf1/sbin/init
        chmod +x /var/lib/machines/deaf1/sbin/init
        cp -a /var/lib/machines/deaf1 /var/lib/machines/deaf2
        mkdir -p /etc/corral
        printf 'deaf1\ndeaf2\n' > /etc/corral/autostart
        "$CORRALCTL" start deaf1 deaf2 || fail "start failed"
        local t0=$SECONDS
        out=$("$CORRALCTL" autostop 2>&1)
        expect_contains "$out" "Machine 'deaf1' did not power off within 60 s: terminating it." "autostop says it terminates one: $out"
        expect_contains "$out" "Machine 'deaf2' did not power off within 60 s: terminating it." "and the other"
        [ $((SECONDS - t0)) -lt 100 ] || fail "autostop took $((SECONDS - t0)) s for two machines: not at once"
        expect_eq "$("$CORRALCTL" list --no-legend)" "" "both are stopped"
        # (Their supervisors remove the records first, then the links go with the namespaces.)
        for _ in $(seq 100); do [ -e /sys/class/net/ve-deaf1 ] || [ -e /sys/class/net/ve-deaf2 ] || break; sleep 0.1; done
        rm -f /etc/corral/autostart
}

# corralctl start returns once the machine is ready and tells the truth when it is not: an init
# that ends right after the machine registered fails the start, with the end of the log, and
# status points at the log.  Concurrent starts of one name take turns: one launches it, the
# others find it running (0, as systemctl start joins a running job); a start that fails is
# reported by every caller with its real cause, never as "already running".
test_start_reports_the_truth() {
        local out i pids=()
        make_busybox_tree /var/lib/machines/brief
        printf '#!/bin/sh\necho brief-init-gives-up > /dev/console\nsleep 0.3\nexit 3\n' > /var/lib/machines/brief/sbin/init
        chmod +x /var/lib/machines/brief/sbin/init
        out=$("$CORRALCTL" start brief 2>&1) && fail "start of a machine whose init ends at once succeeded: $out"
        expect_contains "$out" "Failed to start machine 'brief': it ended before it was ready; corral exited with status 3." "says it ended, and how"
        expect_contains "$out" "brief-init-gives-up" "with the end of its log"
        out=$("$CORRALCTL" status brief 2>&1) && fail "status of a machine that ended succeeded"
        expect_contains "$out" "No machine 'brief' known (it does not run; how its last run ended: corralctl logs brief)" "status points at the log"

        make_busybox_tree /var/lib/machines/noinit
        for i in $(seq 8); do
                "$CORRALCTL" start noinit >"$TESTTMP/noinit$i.out" 2>&1 &
                pids+=($!)
        done
        for i in $(seq 8); do
                wait "${pids[i - 1]}" && fail "start $i of a machine without an init succeeded"
                out=$(cat "$TESTTMP/noinit$i.out")
                expect_contains "$out" "--boot: no init found in the container" "start $i says what stops it"
                expect_not_contains "$out" "already running" "start $i is not told it runs"
        done

        make_bootable_image many
        pids=()
        for i in $(seq 8); do
                "$CORRALCTL" start many >"$TESTTMP/many$i.out" 2>&1 &
                pids+=($!)
        done
        for i in $(seq 8); do
                wait "${pids[i - 1]}" || fail "concurrent start $i of a good machine failed: $(cat "$TESTTMP/many$i.out")"
        done
        expect_eq "$("$CORRALCTL" list --no-legend | awk '{print $1}')" "many" "one machine runs"
        expect_eq "$(grep -c '^-- corralctl start many: ' /var/log/corral/many.log)" 1 "one of the eight launched it"
        wait_for /var/log/corral/many.log "booted-many" 10 || fail "it did not boot"
        stop_machine poweroff many || fail "it did not power off"
}

# start PATH: a tree outside the image directories, named after it; enable wants a name it can
# find at boot, and says how to get one.
test_start_and_enable_take_paths_or_say_what_to_do() {
        make_bootable_image pathy
        mkdir -p "$TESTTMP/trees"
        mv /var/lib/machines/pathy "$TESTTMP/trees/pathy"
        "$CORRALCTL" start "$TESTTMP/trees/pathy" || fail "start PATH failed"
        expect_eq "$("$CORRALCTL" show pathy -p RootDirectory --value)" "$TESTTMP/trees/pathy" "start PATH: the machine is named after it"
        wait_for /var/log/corral/pathy.log "booted-pathy" 10 || fail "it did not boot"
        stop_machine poweroff pathy || fail "it did not power off"
        out=$("$CORRALCTL" start "$TESTTMP/trees/nosuch" 2>&1) && fail "start of a missing path succeeded"
        expect_contains "$out" "Cannot start $TESTTMP/trees/nosuch: No such file or directory" "a missing path"
        out=$("$CORRALCTL" enable "$TESTTMP/trees/pathy" 2>&1) && fail "enable PATH succeeded"
        expect_contains "$out" "ln -s $TESTTMP/trees/pathy /var/lib/machines/NAME" "enable PATH says how to make a name"
        out=$("$CORRALCTL" enable nosuch 2>&1) && fail "enable of an unknown machine succeeded"
        expect_contains "$out" "Cannot enable machine 'nosuch': no image of that name" "enable of an unknown name"
        ln -s "$TESTTMP/trees/pathy" /var/lib/machines/pathy
        expect_contains "$("$CORRALCTL" list-images --no-legend)" "pathy" "linked, it is an image"
        rm /var/lib/machines/pathy
        true
}

# status (with the cgroup tree and the log's last lines), tree and top.
test_status_tree_top() {
        make_bootable_image web
        "$CORRALCTL" start web || fail "start failed"
        wait_for /var/log/corral/web.log "booted-web" 10 || fail "no boot output in the log"
        "$CORRALCTL" shell web /bin/sh -c 'exec sleep 1000 </dev/null >/dev/null 2>&1 &'
        leader=$("$CORRALCTL" show web -p Leader --value)
        out=$("$CORRALCTL" status web)
        expect_contains "$out" "CGroup: /sys/fs/cgroup" "status: the cgroup"
        expect_contains "$out" "├─$leader init" "status: the leader in the cgroup tree"
        expect_contains "$out" "sleep 1000" "status: every process of the machine"
        expect_contains "$out" "booted-web" "status: the log's last lines"
        expect_eq "$("$CORRALCTL" status -n 1 web | tail -1)" "/ # " "status -n: that many log lines, without control sequences"
        out=$("$CORRALCTL" tree)
        expect_eq "$(echo "$out" | head -1)" "web ($("$CORRALCTL" show web -p ControlGroup --value)):" "tree: a machine per heading"
        expect_contains "$out" "$leader init" "tree: its processes"
        out=$("$CORRALCTL" top -n 1)
        expect_eq "$(echo "$out" | head -1 | tr -s ' ')" "MACHINE TASKS %CPU MEMORY INPUT/S OUTPUT/S" "top: systemd-cgtop's columns"
        row=$(echo "$out" | grep '^web ' | tr -s ' ')
        expect_eq "$(echo "$row" | cut -d' ' -f2)" 3 "top: the machine's tasks (init, its shell, sleep)"
        json=$("$CORRALCTL" top -n 1 --json=short)
        expect_eq "$(echo "$json" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d[0]["machine"], d[0]["tasks"], type(d[0]["memory"]).__name__)')" "web 3 int" "top --json parses, numbers as numbers"
        # -o: machinectl's journal modes for status's log lines
        expect_eq "$("$CORRALCTL" status -n 1 -o cat web | tail -1)" "/ # " "status -o cat: the line as logged"
        expect_eq "$("$CORRALCTL" status -n 1 -o export web | tail -2 | head -1)" "MESSAGE=/ # " "status -o export: a MESSAGE field"
        expect_eq "$("$CORRALCTL" status -n 1 -o json web | tail -1)" '{"MESSAGE":"/ # "}' "status -o json: an object per line"
        expect_eq "$("$CORRALCTL" status -n 2 -o json-seq web | tail -2 | od -An -c | head -1 | awk '{print $1}')" '036' "status -o json-seq: RFC 7464 records"
        stop_machine terminate web || fail "the machine did not stop"
}

# bash completion: verbs, options, running machines, images.
test_bash_completion() {
        setup_bb_x
        make_busybox_tree /var/lib/machines/img1
        start_bb comp --bind="$TESTTMP/x:/x"
        out=$(PATH=$(dirname "$CORRALCTL"):$PATH bash -c '
                . "$1"
                complete_words() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _corralctl; echo "${COMPREPLY[*]}"; }
                echo "verbs: $(complete_words corralctl sh)"
                echo "machines: $(complete_words corralctl shell co)"
                echo "images: $(complete_words corralctl start im)"
                echo "options: $(complete_words corralctl --js)"
                echo "json: $(complete_words corralctl --json "")"
                echo "after: $(complete_words corralctl status comp "")"
                echo "clone: $(complete_words corralctl clone im)"
                echo "ro: $(complete_words corralctl read-only img1 "")"
                echo "output: $(complete_words corralctl -o json-p)"
                echo "machine: $(complete_words corralctl -M "")"
                echo "after -M: $(complete_words corralctl -M comp sh)"
        ' _ "$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shell-completion/corralctl")
        expect_contains "$out" "verbs: show shell show-image" "the verbs"
        expect_contains "$out" "clone: img1" "images for the image verbs"
        expect_contains "$out" "ro: yes no" "read-only's boolean"
        expect_contains "$out" "machines: comp" "running machines"
        expect_contains "$out" "images: img1" "images for start"
        expect_contains "$out" "options: --json=" "options"
        expect_contains "$out" "json: short pretty off" "an option's values"
        expect_contains "$out" "output: json-pretty" "-o's modes"
        expect_contains "$out" "machine: .host comp" "-M: .host and the machines"
        expect_contains "$out" "after -M: show shell show-image" "an option's value is not the verb"
        touch "$TESTTMP/x/comp.done"
        wait $pid_comp
}
