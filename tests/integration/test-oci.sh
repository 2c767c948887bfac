# SPDX-License-Identifier: LGPL-2.1-or-later
# corral-oci, the OCI runtime command line: bundles made from the host's busybox, the verbs
# and their semantics as podman, containerd and Docker use them, beside runc where it is
# installed.  Container IDs start with "corral-" so the leak check sees their cgroups.

oci() { "$CORRAL_OCI" "$@"; }

# A bundle at $1 from `corral-oci spec`, its process made by the python expression $2 on the
# config c (json), without a terminal.
make_bundle() { # dir [python statements on c]
        mkdir -p "$1"
        make_busybox_tree "$1/rootfs"
        (cd "$1" && oci spec) || fail "corral-oci spec"
        python3 - "$1/config.json" "${2:-}" <<'EOF' || fail "cannot edit the config"
import json, sys
p = sys.argv[1]
c = json.load(open(p))
c['process']['terminal'] = False
c['process']['args'] = ['sh', '-c', 'echo hello']
exec(sys.argv[2])
json.dump(c, open(p, 'w'), indent=1)
EOF
}

# The status field of `state`.
status_of() { oci state "$1" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])' 2>/dev/null; }

# Deletes whatever a test left (a failed check exits early).
cleanup_oci() { for id in "$@"; do oci delete --force "$id" >/dev/null 2>&1; done; }

test_oci_run_prints_and_exits_with_the_status() {
        make_bundle b "c['process']['args'] = ['sh', '-c', 'echo out; echo err >&2; exit 3']"
        out=$(cd b && oci run corral-run1 2>"$TESTTMP/err"); rc=$?
        expect_eq "$out" "out" "stdout passes through"
        expect_eq "$(cat "$TESTTMP/err")" "err" "stderr passes through"
        expect_eq "$rc" 3 "run exits with the container's status"
        expect_eq "$(ls /run/corral-oci)" "" "run deletes the container"
        # Killed: 128 and the signal, as a shell reports it.
        make_bundle b2 "c['process']['args'] = ['sleep', '100']"
        "$CORRAL_OCI" run --bundle b2 corral-run2 & run=$!
        for _ in $(seq 50); do [ "$(status_of corral-run2)" = running ] && break; sleep 0.1; done
        oci kill corral-run2 KILL || fail "kill"
        wait $run; expect_eq "$?" 137 "killed by SIGKILL: 128+9"
        # Signals to run go to the container (sh as PID 1 has a handler here).
        make_bundle b3 "c['process']['args'] = ['sh', '-c', 'trap \"exit 7\" TERM; echo up; while :; do sleep 0.1; done']"
        "$CORRAL_OCI" run --bundle b3 corral-run3 > "$TESTTMP/run3" & run=$!
        wait_for "$TESTTMP/run3" up 10 || fail "the container runs"
        kill -TERM $run
        wait $run; expect_eq "$?" 7 "SIGTERM to run reaches the container"
}

test_oci_spec_matches_the_runtime_spec() {
        mkdir s && cd s || fail "mkdir"
        oci spec || fail "spec"
        python3 -c '
import json; c = json.load(open("config.json"))
assert c["root"]["path"] == "rootfs" and c["process"]["args"] == ["sh"], c
assert {"type": "pid"} in c["linux"]["namespaces"]
' || fail "the default config"
        out=$(oci spec 2>&1); rc=$?
        [ $rc != 0 ] || fail "spec over an existing config.json must fail"
        expect_contains "$out" "exists already" "and say why"
}

test_oci_lifecycle_create_start_kill_delete() {
        make_bundle b "c['process']['args'] = ['sh', '-c', 'echo started > /dev/shm/m; cat /dev/shm/m; exec sleep 100']"
        trap 'cleanup_oci corral-life' EXIT
        oci create --bundle b --pid-file "$TESTTMP/pid" corral-life > "$TESTTMP/out" 2>&1 || fail "create: $(cat "$TESTTMP/out")"
        pid=$(cat "$TESTTMP/pid")
        expect_eq "$(wc -l < "$TESTTMP/pid")" 0 "the pid file has no newline"
        [ -d "/proc/$pid" ] || fail "the init runs after create"
        # Blocked before its exec: the payload has printed nothing.
        sleep 0.3
        expect_eq "$(cat "$TESTTMP/out")" "" "nothing of the payload before start"
        # No corral process stays between the caller and the init: its parent is the host's
        # init (or a subreaper), not corral-oci.
        ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
        expect_not_contains "$(cat "/proc/$ppid/comm")" "corral" "the init's parent after create"
        expect_eq "$(status_of corral-life)" "created" "state after create"
        state=$(oci state corral-life)
        for f in '"ociVersion"' '"id":"corral-life"' "\"pid\":$pid" '"bundle"' '"rootfs"' '"created"' '"owner"'; do
                expect_contains "$(echo "$state" | tr -d ' \n')" "$f" "state has $f"
        done
        out=$(oci delete corral-life 2>&1); rc=$?
        [ $rc = 0 ] || fail "a created container may be deleted? runc allows it; got: $out"
        [ -d /run/corral-oci/corral-life ] && fail "deleted"
        # Again, through start.
        oci create --bundle b --pid-file "$TESTTMP/pid" corral-life > "$TESTTMP/out" 2>&1 || fail "create again"
        oci start corral-life || fail "start"
        wait_for "$TESTTMP/out" started 10 || fail "the payload runs after start: $(cat "$TESTTMP/out")"
        expect_eq "$(status_of corral-life)" "running" "state after start"
        out=$(oci start corral-life 2>&1) && fail "a second start must fail"
        expect_contains "$out" "running, not created" "and say why"
        out=$(oci delete corral-life 2>&1) && fail "plain delete of a running container must fail"
        expect_contains "$out" "not stopped" "and say why"
        oci kill corral-life TERM || fail "kill TERM"
        # sleep as PID 1 ignores SIGTERM without a handler: still running.
        sleep 0.3
        expect_eq "$(status_of corral-life)" "running" "PID 1 without a handler ignores TERM"
        oci kill corral-life 9 || fail "kill by number"
        for _ in $(seq 50); do [ "$(status_of corral-life)" = stopped ] && break; sleep 0.1; done
        expect_eq "$(status_of corral-life)" "stopped" "state after kill"
        out=$(oci kill corral-life KILL 2>&1) && fail "kill of a stopped container must fail"
        oci delete corral-life || fail "delete"
        out=$(oci state corral-life 2>&1) && fail "state of a deleted container"
        expect_contains "$out" "does not exist" "callers look for this"
        out=$(oci kill corral-nope 2>&1) && fail "kill of a missing container"
        expect_contains "$out" "does not exist" "kill says so"
        oci delete --force corral-nope || fail "delete --force of a missing container succeeds, as runc"
        out=$(oci kill corral-life BOGUS 2>&1) && fail "a bad signal"
        expect_contains "$out" "not a signal" "a bad signal is named"
}

test_oci_kill_created_and_force_delete() {
        make_bundle b "c['process']['args'] = ['sleep', '100']"
        oci create --bundle b corral-kc </dev/null >/dev/null 2>&1 || fail "create"
        oci kill corral-kc KILL || fail "kill works on a created container"
        for _ in $(seq 50); do [ "$(status_of corral-kc)" = stopped ] && break; sleep 0.1; done
        expect_eq "$(status_of corral-kc)" "stopped" "killed while created"
        oci delete corral-kc || fail "delete"
        oci create --bundle b corral-kc </dev/null >/dev/null 2>&1 && oci start corral-kc || fail "create and start"
        oci delete --force corral-kc || fail "delete --force of a running container"
        [ -e /run/corral-oci/corral-kc ] && fail "gone"
        return 0
}

test_oci_console_socket_gets_the_pty() {
        make_bundle b "c['process']['terminal'] = True; c['process']['args'] = ['sh', '-c', 'tty; stty size; echo done']; c['process']['consoleSize'] = {'height': 30, 'width': 100}"
        trap 'cleanup_oci corral-tty' EXIT
        python3 - "$TESTTMP/console.sock" "$TESTTMP/tty.out" <<'EOF' &
import array, os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1]); s.listen(1)
c, _ = s.accept()
msg, fds, _, _ = socket.recv_fds(c, 64, 1)
out = b""
while True:
    try:
        b = os.read(fds[0], 1024)
    except OSError:
        break
    if not b:
        break
    out += b
    if b"done" in out:
        break
open(sys.argv[2], "wb").write(msg + b"\n" + out)
EOF
        py=$!
        for _ in $(seq 50); do [ -S "$TESTTMP/console.sock" ] && break; sleep 0.1; done
        out=$(oci create --bundle b --console-socket "$TESTTMP/console.sock" corral-tty 2>&1) || fail "create with a terminal: $out"
        oci start corral-tty || fail "start"
        wait $py
        got=$(tr -d '\r' < "$TESTTMP/tty.out")
        expect_contains "$got" "/dev/ptmx" "the fd is sent with runc's name"
        expect_contains "$got" "/dev/pts/0" "the payload's stdio is the pty"
        expect_contains "$got" "30 100" "consoleSize"
        out=$(cd b && oci create corral-tty2 2>&1) && fail "create with a terminal without --console-socket"
        expect_contains "$out" "--console-socket" "is refused by name"
        # run relays the terminal itself: the default spec (terminal: true) runs in ours.
        mkdir -p d && make_busybox_tree d/rootfs && (cd d && oci spec) || fail "spec"
        sed -i 's|"sh"|"sh", "-c", "tty; stty size; exit 4"|' d/config.json
        out=$(script -qec "stty rows 33 cols 77; cd d && $CORRAL_OCI run corral-tty3; echo rc=\$?" /dev/null | tr -d '\r')
        expect_contains "$out" "/dev/pts/0" "run relays the container's terminal"
        expect_contains "$out" "33 77" "with our terminal's size"
        expect_contains "$out" "rc=4" "and exits with its status"
}

test_oci_hooks_run_in_order_with_the_state() {
        make_bundle b "
log = '$TESTTMP/hooks.log'
def hook(name):
    return {'path': '/bin/sh', 'args': ['sh', '-c', 'read -r s; echo \"' + name + ' \$s\" >> ' + log]}
c['hooks'] = {k: [hook(k)] for k in ['prestart', 'createRuntime', 'poststart', 'poststop']}
c['hooks']['createContainer'] = [hook('createContainer')]
c['hooks']['startContainer'] = [{'path': '/bin/sh', 'args': ['sh', '-c', 'read -r s; echo startContainer > /dev/shm/sc']}]
c['process']['args'] = ['sh', '-c', 'cat /dev/shm/sc']
"
        out=$(oci run --bundle b corral-hooks 2>&1) || fail "run with hooks: $out"
        expect_eq "$out" "startContainer" "startContainer runs in the container before the payload"
        order=$(awk '{print $1}' "$TESTTMP/hooks.log" | tr '\n' ' ')
        expect_eq "$order" "prestart createRuntime createContainer poststart poststop " "the order runtime-spec 1.0.2 gives"
        expect_contains "$(grep ^prestart "$TESTTMP/hooks.log")" '"status":"creating"' "the state on stdin"
        expect_contains "$(grep ^prestart "$TESTTMP/hooks.log")" '"id":"corral-hooks"' "with the id"
        expect_contains "$(grep ^poststop "$TESTTMP/hooks.log")" '"status":"stopped"' "poststop sees stopped"
        # A failing hook fails the create and leaves nothing.
        make_bundle f "c['hooks'] = {'createRuntime': [{'path': '/bin/sh', 'args': ['sh', '-c', 'echo nope >&2; exit 4']}]}"
        out=$(oci create --bundle f corral-hookfail 2>&1) && fail "a failing hook must fail the create"
        expect_contains "$out" "createRuntime hook 0 (/bin/sh) failed with exit status 4: nope" "the hook and its output are named"
        [ -e /run/corral-oci/corral-hookfail ] && fail "nothing is left of it"
        # A hook past its timeout.
        make_bundle t "c['hooks'] = {'prestart': [{'path': '/bin/sleep', 'args': ['sleep', '10'], 'timeout': 1}]}"
        out=$(oci create --bundle t corral-hooktime 2>&1) && fail "a hook past its timeout must fail the create"
        expect_contains "$out" "timeout of 1 s" "the timeout is named"
        return 0
}

test_oci_config_errors_leave_nothing() {
        make_bundle b "c['linux']['namespaces'].append({'type': 'bogus'})"
        out=$(oci create --bundle b corral-bad 2>&1) && fail "a bad config must fail"
        expect_contains "$out" 'linux.namespaces[6].type: unknown namespace type "bogus"' "the field is named"
        [ -e /run/corral-oci/corral-bad ] && fail "nothing left"
        make_bundle m "c['process']['args'] = ['/no/such/program']"
        out=$(oci create --bundle m corral-bad 2>&1) && fail "a missing program must fail the create"
        expect_contains "$out" "/no/such/program: no such program in the container" "the program is named"
        [ -e /run/corral-oci/corral-bad ] && fail "nothing left"
        out=$(oci create --bundle /nonexistent corral-bad 2>&1) && fail "a missing bundle"
        expect_contains "$out" "/nonexistent" "named"
        out=$(cd b && oci create 'bad/id' 2>&1) && fail "an id with a slash"
        expect_contains "$out" "invalid container id" "refused"
        out=$(oci frobnicate 2>&1) && fail "an unknown verb"
        expect_contains "$out" 'unknown verb "frobnicate"' "named"
        out=$(oci checkpoint corral-x 2>&1) && fail "checkpoint"
        expect_contains "$out" "does not checkpoint or restore containers (CRIU) yet" "refused by name"
}

test_oci_log_file_in_json() {
        out=$(oci --log "$TESTTMP/log.json" --log-format json state corral-missing 2>&1) && fail "state of a missing container"
        expect_contains "$out" "does not exist" "the error on stderr"
        python3 -c '
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert lines[-1]["level"] == "error" and "does not exist" in lines[-1]["msg"] and lines[-1]["time"].endswith("Z"), lines
' "$TESTTMP/log.json" || fail "the log holds JSON lines with level, msg and time: $(cat "$TESTTMP/log.json")"
}

test_oci_cgroup_resources_update_pause() {
        local cg2; cg2=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
        make_bundle b "c['process']['args'] = ['sleep', '100']; c['linux']['cgroupsPath'] = '/corral-oci-it/corral-res'; c['linux']['resources']['pids'] = {'limit': 20}; c['linux']['resources']['memory'] = {'limit': 67108864}"
        trap 'cleanup_oci corral-res; rmdir /sys/fs/cgroup/*/corral-oci-it /sys/fs/cgroup/corral-oci-it 2>/dev/null' EXIT
        oci create --bundle b corral-res </dev/null >/dev/null 2>&1 || fail "create"
        oci start corral-res || fail "start"
        pid=$(oci state corral-res | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
        grep -q "corral-oci-it/corral-res" "/proc/$pid/cgroup" || fail "the init is in its cgroupsPath: $(cat /proc/$pid/cgroup)"
        pids_max=$(cat /sys/fs/cgroup/pids/corral-oci-it/corral-res/pids.max 2>/dev/null || cat /sys/fs/cgroup/corral-oci-it/corral-res/pids.max)
        expect_eq "$pids_max" 20 "pids.limit"
        mem=$(cat /sys/fs/cgroup/memory/corral-oci-it/corral-res/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/corral-oci-it/corral-res/memory.max)
        expect_eq "$mem" 67108864 "memory.limit"
        oci update --pids-limit 30 corral-res || fail "update --pids-limit"
        echo '{"memory": {"limit": 134217728}}' | oci update --resources - corral-res || fail "update --resources -"
        pids_max=$(cat /sys/fs/cgroup/pids/corral-oci-it/corral-res/pids.max 2>/dev/null || cat /sys/fs/cgroup/corral-oci-it/corral-res/pids.max)
        expect_eq "$pids_max" 30 "the limit changed"
        mem=$(cat /sys/fs/cgroup/memory/corral-oci-it/corral-res/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/corral-oci-it/corral-res/memory.max)
        expect_eq "$mem" 134217728 "the memory limit changed"
        expect_eq "$(oci ps --format json corral-res)" "[$pid]" "ps --format json"
        expect_contains "$(oci ps corral-res)" "sleep 100" "ps: ps(1)'s lines of the container"
        oci pause corral-res || fail "pause"
        expect_eq "$(status_of corral-res)" "paused" "state after pause"
        grep -q '^State:.*(stopped)\|^State:.*T' "/proc/$pid/status" || expect_contains "$(cat /proc/$pid/status)" "State:" "frozen"
        oci resume corral-res || fail "resume"
        expect_eq "$(status_of corral-res)" "running" "state after resume"
        out=$(oci resume corral-res 2>&1) && fail "resume of a running container"
        expect_contains "$out" "not paused" "says why"
        oci kill --all corral-res KILL || fail "kill --all"
        for _ in $(seq 50); do [ "$(status_of corral-res)" = stopped ] && break; sleep 0.1; done
        expect_eq "$(status_of corral-res)" "stopped" "kill --all"
        oci delete corral-res || fail "delete"
        [ -d /sys/fs/cgroup/pids/corral-oci-it/corral-res ] && fail "the cgroup goes with the container"
        [ -d "$cg2/corral-oci-it/corral-res" ] && fail "the cgroup2 cgroup goes with the container"
        return 0
}

test_oci_joins_a_sandbox_as_cri_lays_it_out() {
        # The pod sandbox (pause) with network, IPC and UTS namespaces of its own; an app
        # container joins them by path, as containerd's CRI plugin writes the config.
        make_bundle sb "c['process']['args'] = ['sleep', '100']; c['hostname'] = 'pod1'"
        trap 'cleanup_oci corral-sandbox corral-app' EXIT
        oci create --bundle sb corral-sandbox </dev/null >/dev/null 2>&1 && oci start corral-sandbox || fail "the sandbox"
        spid=$(oci state corral-sandbox | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
        make_bundle app "
c['process']['args'] = ['sh', '-c', 'hostname; for n in net ipc uts pid; do readlink /proc/self/ns/\$n; done']
c['hostname'] = ''
for ns in c['linux']['namespaces']:
    if ns['type'] in ('network', 'ipc', 'uts'):
        ns['path'] = '/proc/$spid/ns/' + {'network': 'net', 'ipc': 'ipc', 'uts': 'uts'}[ns['type']]
c['annotations'] = {'io.kubernetes.cri.container-type': 'container', 'io.kubernetes.cri.sandbox-id': 'corral-sandbox'}
"
        out=$(oci run --bundle app corral-app 2>&1) || fail "the app container: $out"
        expect_eq "$(echo "$out" | head -1)" "pod1" "the sandbox's UTS namespace"
        for ns in net ipc uts; do
                expect_contains "$out" "$(readlink /proc/$spid/ns/$ns)" "the sandbox's $ns namespace"
        done
        expect_not_contains "$out" "$(readlink /proc/$spid/ns/pid)" "a PID namespace of its own"
        oci delete --force corral-sandbox || fail "delete the sandbox"
}

test_oci_user_namespace_maps() {
        make_bundle b "
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 1000}, {'containerID': 1000, 'hostID': 300000, 'size': 10}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 2000}]
c['process']['args'] = ['sh', '-c', 'id -u; cat /proc/self/uid_map /proc/self/gid_map']
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']
"
        chmod 755 b b/rootfs
        out=$(oci run --bundle b corral-userns 2>&1) || fail "a user namespace: $out"
        expect_eq "$(echo "$out" | head -1)" 0 "root inside"
        expect_contains "$(echo "$out" | tr -s ' ')" " 0 200000 1000" "the first uid range"
        expect_contains "$(echo "$out" | tr -s ' ')" " 1000 300000 10" "the second uid range"
        expect_contains "$(echo "$out" | tr -s ' ')" " 0 200000 2000" "the gid range"
}

# A pod with a user namespace (Kubernetes' hostUsers: false): the app container joins the
# sandbox's user namespace by path with the others, and gets a mount namespace owned by it, so
# its root may mount there, as with runc.
test_oci_joins_a_user_namespace_by_path() {
        make_bundle sb "
c['process']['args'] = ['sleep', '100']
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']
"
        chmod 755 sb sb/rootfs
        trap 'cleanup_oci corral-usb corral-uapp' EXIT
        oci create --bundle sb corral-usb </dev/null >/dev/null 2>&1 && oci start corral-usb || fail "the sandbox"
        spid=$(oci state corral-usb | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
        make_bundle app "
c['process']['args'] = ['sh', '-c', 'id -u; cat /proc/self/uid_map; for n in user net mnt; do readlink /proc/self/ns/\$n; done; mount -t tmpfs t /tmp && echo mounted']
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']
for k in ('bounding', 'effective', 'permitted'):
    c['process']['capabilities'][k].append('CAP_SYS_ADMIN')
c['linux']['namespaces'].append({'type': 'user'})
for ns in c['linux']['namespaces']:
    if ns['type'] in ('user', 'network'):
        ns['path'] = '/proc/$spid/ns/' + {'user': 'user', 'network': 'net'}[ns['type']]
"
        chmod 755 app app/rootfs
        out=$(oci run --bundle app corral-uapp 2>&1) || fail "the app container: $out"
        expect_eq "$(echo "$out" | head -1)" 0 "root inside"
        expect_eq "$(echo "$out" | sed -n 2p | tr -s ' ')" " 0 200000 65536" "the sandbox's map"
        expect_eq "$(echo "$out" | sed -n 3p)" "$(readlink /proc/$spid/ns/user)" "the sandbox's user namespace"
        expect_eq "$(echo "$out" | sed -n 4p)" "$(readlink /proc/$spid/ns/net)" "and its network namespace"
        expect_not_contains "$(echo "$out" | sed -n 5p)" "$(readlink /proc/$spid/ns/mnt)" "a mount namespace of its own"
        expect_eq "$(echo "$out" | sed -n 6p)" "mounted" "which its root may mount in"
        oci delete --force corral-usb || fail "delete the sandbox"
}

# Idmapped binds (runtime-spec 1.1, runc 1.2): the mount's own mappings (a file on disk owned
# by a containerID appears as its hostID), or the container's user namespace's.
test_oci_idmapped_mounts() {
        mkdir -p data && echo x > data/f && chown 0:0 data/f
        make_bundle b "
c['process']['args'] = ['stat', '-c', '%u:%g', '/data/f']
c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': '$TESTTMP/data', 'options': ['rbind', 'idmap'],
                    'uidMappings': [{'containerID': 0, 'hostID': 5000, 'size': 1}], 'gidMappings': [{'containerID': 0, 'hostID': 6000, 'size': 1}]})
"
        out=$(oci run --bundle b corral-idmap 2>&1) || fail "an idmapped bind: $out"
        expect_eq "$out" "5000:6000" "root's file as the mount's mapping says"
        expect_eq "$(stat -c %u:%g data/f)" "0:0" "on disk unchanged"
        make_bundle b2 "
c['process']['args'] = ['sh', '-c', 'stat -c %u:%g /data/f; stat -c %u /bin/busybox']
c['linux']['namespaces'].append({'type': 'user'})
c['linux']['uidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]
c['linux']['gidMappings'] = [{'containerID': 0, 'hostID': 200000, 'size': 65536}]
c['mounts'] = [m for m in c['mounts'] if m['destination'] != '/sys/fs/cgroup']
c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': '$TESTTMP/data', 'options': ['bind', 'ridmap']})
"
        chmod 755 b2 b2/rootfs
        mkdir b2/rootfs/data # (the container's root cannot make it: the tree is the host's root's)
        out=$(oci run --bundle b2 corral-idmap2 2>&1) || fail "an idmapped bind in a user namespace: $out"
        expect_eq "$(echo "$out" | tr '\n' ' ')" "0:0 65534 " "with the container's map, root's file is its root's (the unmapped tree's is nobody's)"
        make_bundle b3 "c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': '$TESTTMP/data', 'options': ['bind', 'idmap']})"
        out=$(oci run --bundle b3 corral-idmap3 2>&1) && fail "an idmapped bind without mappings"
        expect_contains "$out" "mounts[" "names the mount"
        expect_contains "$out" "needs uidMappings and gidMappings" "and what it lacks"
        expect_eq "$(ls /run/corral-oci)" "" "and leaves nothing"
}

# SCMP_ACT_NOTIFY: the filter's listener goes to the agent at listenerPath with the container
# process state, for the container's process and for an exec's; the agent answers the calls.
test_oci_seccomp_notify_goes_to_the_agent() {
        python3 "$(dirname "$(dirname "${BASH_SOURCE[0]}")")/tools/seccomp-agent.py" "$TESTTMP/agent.sock" "$TESTTMP/agent.log" & agent=$!
        trap 'cleanup_oci corral-notify2; kill $agent' EXIT
        wait_for_file "$TESTTMP/agent.sock" 10 || fail "the agent"
        local sc="{'defaultAction': 'SCMP_ACT_ALLOW', 'listenerPath': '$TESTTMP/agent.sock', 'listenerMetadata': 'meta1',
                   'syscalls': [{'names': ['mkdir', 'mkdirat'], 'action': 'SCMP_ACT_NOTIFY'}]}"
        make_bundle b "c['linux']['seccomp'] = $sc; c['process']['args'] = ['sh', '-c', 'mkdir /tmp/x; echo rc=\$?']"
        out=$(oci run --bundle b corral-notify 2>&1) || fail "run: $out"
        expect_contains "$out" "No space left on device" "the agent answered the container's mkdir"
        expect_contains "$out" "rc=1" "as a failure"
        python3 - "$TESTTMP/agent.log" <<'PY' || fail "the process state the agent got: $(cat "$TESTTMP/agent.log")"
import json, sys
s = json.loads(open(sys.argv[1]).readline())
assert s["fds"] == ["seccompFd"] and s["metadata"] == "meta1" and s["pid"] > 0, s
assert s["state"]["id"] == "corral-notify" and s["state"]["status"] == "creating" and s["state"]["pid"] == s["pid"], s
PY
        make_bundle b2 "c['linux']['seccomp'] = $sc; c['process']['args'] = ['sleep', '100']"
        oci run --detach --bundle b2 corral-notify2 </dev/null >/dev/null 2>&1 || fail "run --detach"
        out=$(oci exec corral-notify2 mkdir /tmp/y 2>&1) && fail "an exec's mkdir"
        expect_contains "$out" "No space left on device" "the exec's listener went to the agent too"
        expect_eq "$(wc -l < "$TESTTMP/agent.log")" 3 "one state for each listener"
        oci delete --force corral-notify2
        # Errors that name what is wrong, and leave nothing.
        make_bundle b3 "c['linux']['seccomp'] = {'defaultAction': 'SCMP_ACT_ALLOW', 'syscalls': [{'names': ['mkdir'], 'action': 'SCMP_ACT_NOTIFY'}]}"
        out=$(oci run --bundle b3 corral-notify3 2>&1) && fail "NOTIFY without a listenerPath"
        expect_contains "$out" "needs linux.seccomp.listenerPath" "names the field"
        make_bundle b4 "c['linux']['seccomp'] = $sc; c['linux']['seccomp']['listenerPath'] = '$TESTTMP/nobody.sock'"
        out=$(oci run --bundle b4 corral-notify4 2>&1) && fail "no agent listening"
        expect_contains "$out" "cannot connect to the seccomp agent at $TESTTMP/nobody.sock" "says so"
        expect_eq "$(ls /run/corral-oci)" "" "and leaves nothing"
}

test_oci_process_user_env_cwd_caps_like_runc() {
        command -v runc >/dev/null || skip "runc is not installed"
        make_bundle b "
c['process']['user'] = {'uid': 1000, 'gid': 1000, 'additionalGids': [10], 'umask': 63}
c['process']['env'] = ['PATH=/bin', 'FOO=bar']
c['process']['cwd'] = '/home/alice'
c['process']['args'] = ['sh', '-c', 'id; umask; pwd; env | sort; grep -E \"^Cap|^NoNewPrivs\" /proc/self/status; ulimit -n; hostname']
"
        mine=$(oci run --bundle b corral-like 2>&1) || fail "corral-oci: $mine"
        theirs=$(runc --root "$TESTTMP/runc" run --bundle b corral-like-runc 2>&1) || fail "runc: $theirs"
        expect_eq "$mine" "$theirs" "the process as runc sets it up"
}

test_oci_exec_joins_the_container() {
        make_bundle b "c['process']['args'] = ['sleep', '100']; c['hostname'] = 'box1'"
        trap 'cleanup_oci corral-exec' EXIT
        oci run --detach --bundle b corral-exec </dev/null >/dev/null 2>&1 || fail "run --detach"
        pid=$(oci state corral-exec | python3 -c 'import json,sys; print(json.load(sys.stdin)["pid"])')
        out=$(oci exec corral-exec sh -c 'hostname; readlink /proc/self/ns/pid; readlink /proc/self/ns/mnt; echo $$; exit 5'); rc=$?
        expect_eq "$rc" 5 "exec exits with the process's status"
        expect_eq "$(echo "$out" | sed -n 1p)" "box1" "the container's UTS namespace"
        expect_eq "$(echo "$out" | sed -n 2p)" "$(readlink /proc/$pid/ns/pid)" "its PID namespace"
        expect_eq "$(echo "$out" | sed -n 3p)" "$(readlink /proc/$pid/ns/mnt)" "its mount namespace"
        [ "$(echo "$out" | sed -n 4p)" -gt 1 ] || fail "a PID of the container's namespace, not 1"
        out=$(oci exec --user 1000:1000 --env FOO=bar --cwd /home/alice --additional-gids 10 corral-exec sh -c 'id; pwd; echo $FOO')
        expect_eq "$(echo "$out" | tr '\n' ' ')" "uid=1000(alice) gid=1000(alice) groups=10(wheel) /home/alice bar " "user, groups, cwd and env"
        printf '{"args": ["sh", "-c", "echo from process.json; id -u"], "cwd": "/", "env": ["PATH=/bin"], "user": {"uid": 5, "gid": 5}}' > p.json
        out=$(oci exec --process p.json corral-exec)
        expect_eq "$(echo "$out" | tr '\n' ' ')" "from process.json 5 " "--process FILE"
        oci exec --detach --pid-file "$TESTTMP/epid" corral-exec sleep 30 || fail "exec --detach"
        epid=$(cat "$TESTTMP/epid")
        expect_eq "$(wc -l < "$TESTTMP/epid")" 0 "the pid file has no newline"
        grep -q "corral-exec" "/proc/$epid/cgroup" || grep -q "$(sed -n 1p "/proc/$pid/cgroup" | cut -d: -f3)" "/proc/$epid/cgroup" ||
                fail "the exec'd process is in the container's cgroup: $(cat /proc/$epid/cgroup)"
        expect_contains "$(oci ps --format json corral-exec)" "$epid" "ps lists it"
        out=$(oci exec corral-exec /no/such 2>&1) && fail "exec of a missing program"
        expect_contains "$out" "/no/such" "names it"
        oci kill corral-exec KILL
        for _ in $(seq 50); do [ "$(status_of corral-exec)" = stopped ] && break; sleep 0.1; done
        out=$(oci exec corral-exec true 2>&1) && fail "exec in a stopped container"
        expect_contains "$out" "it is stopped" "says why"
        oci delete corral-exec || fail "delete"
}

# linux.sysctl is written in the container's namespaces while /proc/sys is writable; the
# default readonlyPaths then cover /proc/sys (Docker sets net.ipv4.ip_unprivileged_port_start
# on every container).
test_oci_sysctl_before_read_only_proc_sys() {
        make_bundle b "
c['linux']['sysctl'] = {'net.ipv4.ip_unprivileged_port_start': '0', 'kernel.msgmax': '4096'}
c['process']['args'] = ['sh', '-c', 'cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax; (echo 1 > /proc/sys/kernel/msgmni) 2>/dev/null || echo read-only']
"
        host=$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax)
        out=$(oci run --bundle b corral-sysctl 2>&1) || fail "run: $out"
        expect_eq "$(echo "$out" | tr '\n' ' ')" "0 4096 read-only " "the values, and /proc/sys read-only after them"
        expect_eq "$(cat /proc/sys/net/ipv4/ip_unprivileged_port_start /proc/sys/kernel/msgmax)" "$host" "the host's values untouched"
        make_bundle b2 "c['linux']['sysctl'] = {'net.ipv4.no_such_thing': '1'}"
        out=$(oci run --bundle b2 corral-sysctl2 2>&1) && fail "an unknown sysctl"
        expect_contains "$out" "sysctl net.ipv4.no_such_thing: cannot write /proc/sys/net/ipv4/no_such_thing" "names it"
        expect_eq "$(ls /run/corral-oci)" "" "and leaves nothing"
}

# corral --oci-bundle=DIR: the bundle the nspawn way (nspawn's own API file systems and
# policies, the config's process, hostname, mounts, limits), the command line over it.
test_oci_bundle_runs_the_nspawn_way() {
        make_bundle b "
c['process']['args'] = ['sh', '-c', 'echo in-bundle; hostname; id -un; grep CapBnd /proc/self/status; cat /data/f; stat -c %a /scratch; ls /sys/firmware | wc -l; exec sleep 30']
c['process']['user'] = {'uid': 1000, 'gid': 1000}
c['hostname'] = 'bundled'
c['mounts'].append({'destination': '/data', 'type': 'bind', 'source': 'data', 'options': ['rbind', 'ro']})
c['mounts'].append({'destination': '/scratch', 'type': 'tmpfs', 'source': 'tmpfs', 'options': ['nosuid', 'nodev', 'mode=1777', 'size=1m']})
c['linux']['resources'] = {'devices': [{'allow': False, 'access': 'rwm'}], 'pids': {'limit': 77}}
"
        mkdir -p b/data b/rootfs/data b/rootfs/scratch && echo from-the-bundle > b/data/f
        "$CORRAL" --oci-bundle=b -M obun > out 2>&1 & pid=$!
        wait_for out "^0$" 20 || { kill $pid; fail "the bundle's process: $(cat out)"; }
        expect_eq "$(head -4 out | tr '\n' ' ')" "in-bundle bundled alice CapBnd:	0000000020000420 " "process, hostname, user, bounding set"
        expect_eq "$(sed -n 5p out)" "from-the-bundle" "a bind of the bundle's, relative to it"
        expect_eq "$(sed -n 6p out)" "1777" "a tmpfs with its options"
        pids=$(cat $(find /sys/fs/cgroup -path '*corral-obun*' -name pids.max | head -1))
        expect_eq "$pids" 77 "linux.resources.pids as TasksMax="
        kill -TERM $pid; wait $pid
        # The command line wins over the bundle's process and hostname.
        out=$("$CORRAL" --oci-bundle=b --hostname=mine --user=root sh -c 'hostname; id -un' 2>&1) || fail "with a command: $out"
        expect_eq "$(echo "$out" | tr '\n' ' ')" "mine root " "the command line over the bundle"
        # What nspawn's options cannot say is refused by name, before anything runs.
        make_bundle b2 "c['linux']['sysctl'] = {'kernel.msgmax': '4096'}"
        out=$("$CORRAL" --oci-bundle=b2 2>&1) && fail "a bundle with sysctl"
        expect_contains "$out" "linux.sysctl: not supported by corral --oci-bundle yet" "names the field"
        expect_contains "$out" "corral-oci runs such a bundle" "and what runs it"
        out=$("$CORRAL" --oci-bundle=nowhere 2>&1) && fail "a missing bundle"
        expect_contains "$out" "nowhere" "names the bundle"
}
