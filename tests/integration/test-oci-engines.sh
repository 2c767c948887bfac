# SPDX-License-Identifier: LGPL-2.1-or-later
# Container engines with corral-oci as their runtime, each private to the test: its own storage,
# state and temporary directories, no network (--network none), images made here from the
# host's busybox, cgroups below corral-it-ENGINE (removed at the end).

# podman with a root, runroot and tmpdir of the test's, the cgroupfs manager.
podman_setup() {
        command -v podman >/dev/null || skip "podman is not installed (scripts/setup.sh installs it)"
        mkdir -p "$TESTTMP/pm/img/bin" "$TESTTMP/pm/img/etc" "$TESTTMP/pm/img/tmp"
        cp /bin/busybox "$TESTTMP/pm/img/bin/"
        for a in sh echo id cat sleep ls hostname true false ps tty test head; do ln -s busybox "$TESTTMP/pm/img/bin/$a"; done
        printf 'root:x:0:0:root:/root:/bin/sh\n' > "$TESTTMP/pm/img/etc/passwd"
        tar -C "$TESTTMP/pm/img" -cf "$TESTTMP/pm/img.tar" .
        cat > "$TESTTMP/pm/containers.conf" <<EOC
[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "corral"
[engine.runtimes]
corral = ["$CORRAL_OCI"]
EOC
        export CONTAINERS_CONF=$TESTTMP/pm/containers.conf
        PM=(podman --root "$TESTTMP/pm/storage" --runroot "$TESTTMP/pm/run" --tmpdir "$TESTTMP/pm/tmp" --storage-driver vfs
            --cgroup-manager cgroupfs --events-backend file --runtime "$CORRAL_OCI")
        trap 'podman_cleanup' EXIT
        "${PM[@]}" import "$TESTTMP/pm/img.tar" localhost/bb >/dev/null 2>&1 || fail "podman import"
}

podman_cleanup() {
        "${PM[@]}" rm -a -f >/dev/null 2>&1
        find /sys/fs/cgroup -depth -type d -path '*corral-it-podman*' -exec rmdir {} \; 2>/dev/null
        return 0
}

pm() { "${PM[@]}" "$@"; }
pmrun() { pm run --network none --cgroup-parent /corral-it-podman "$@"; }

test_podman_runs_containers_with_corral_oci() {
        podman_setup
        out=$(pmrun --rm localhost/bb sh -c 'echo hello; id -u; hostname' 2>&1) || fail "podman run: $out"
        expect_contains "$out" "hello" "podman run --rm"
        expect_eq "$(echo "$out" | sed -n 2p)" 0 "as root"
        pmrun --rm localhost/bb sh -c 'exit 7' >/dev/null 2>&1; expect_eq "$?" 7 "the exit code"
        out=$(pmrun --rm -t localhost/bb tty 2>&1 | tr -d '\r')
        expect_contains "$out" "/dev/pts/0" "run -t: a terminal through the console socket"
        out=$(echo piped | pmrun --rm -i localhost/bb cat 2>&1)
        expect_eq "$out" "piped" "run -i: stdin"
        out=$(pmrun --rm localhost/bb /no/such 2>&1) && fail "a missing program"
        expect_contains "$out" "/no/such" "is named"
        # A long-running one: exec, top, pause, update, kill, stop, rm.
        pmrun -d --name c1 --memory 64m --pids-limit 50 localhost/bb sleep 1000 >/dev/null 2>&1 || fail "run -d"
        out=$(pm exec c1 sh -c 'echo in-exec; exit 3' 2>&1); rc=$?
        expect_eq "$out" "in-exec" "exec"
        expect_eq "$rc" 3 "exec's exit code"
        expect_eq "$(echo hi | pm exec -i c1 cat 2>&1)" "hi" "exec -i"
        expect_contains "$(pm exec -t c1 tty 2>&1 | tr -d '\r')" "/dev/pts/" "exec -t"
        expect_contains "$(pm top c1 2>&1)" "sleep 1000" "podman top"
        cg=$(find /sys/fs/cgroup -type d -path '*corral-it-podman*' -name "libpod-*" | head -1)
        [ -n "$cg" ] || fail "the container's cgroup below the given parent"
        pids=$(cat /sys/fs/cgroup/pids/corral-it-podman/libpod-*/pids.max 2>/dev/null || cat /sys/fs/cgroup/unified/corral-it-podman/libpod-*/pids.max 2>/dev/null || cat /sys/fs/cgroup/corral-it-podman/libpod-*/pids.max)
        expect_eq "$pids" 50 "--pids-limit"
        mem=$(cat /sys/fs/cgroup/memory/corral-it-podman/libpod-*/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/corral-it-podman/libpod-*/memory.max)
        expect_eq "$mem" 67108864 "--memory"
        pm update --memory 128m c1 >/dev/null 2>&1 || fail "podman update"
        mem=$(cat /sys/fs/cgroup/memory/corral-it-podman/libpod-*/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/corral-it-podman/libpod-*/memory.max)
        expect_eq "$mem" 134217728 "podman update --memory"
        pm pause c1 >/dev/null || fail "pause"
        expect_contains "$(pm inspect -f '{{.State.Status}}' c1)" "paused" "paused"
        pm unpause c1 >/dev/null || fail "unpause"
        expect_contains "$(pm inspect -f '{{.State.Status}}' c1)" "running" "running again"
        pm kill -s KILL c1 >/dev/null || fail "kill"
        for _ in $(seq 50); do [ "$(pm inspect -f '{{.State.Status}}' c1)" = exited ] && break; sleep 0.1; done
        expect_eq "$(pm inspect -f '{{.State.ExitCode}}' c1)" 137 "killed"
        pm rm c1 >/dev/null || fail "rm"
        pmrun -d --name c2 localhost/bb sleep 1000 >/dev/null 2>&1 || fail "run -d"
        pm stop -t 1 c2 >/dev/null 2>&1 || fail "stop"
        pm rm c2 >/dev/null || fail "rm"
        expect_eq "$(ls /run/corral-oci)" "" "nothing of corral-oci's is left"
}

# A containerd of the test's own (root, state and sockets in the test's directory, the CRI
# plugin off), its runc v2 shim running corral-oci; containers in the namespace corral-it, so
# their cgroups are /corral-it/ID.
containerd_setup() {
        command -v containerd >/dev/null && command -v ctr >/dev/null || skip "containerd is not installed (scripts/setup.sh installs it)"
        local d=$TESTTMP/ct
        mkdir -p "$d/img/bin" "$d/img/etc" "$d/img/tmp"
        cp /bin/busybox "$d/img/bin/"
        for a in sh echo id cat sleep ls hostname true tty ps; do ln -s busybox "$d/img/bin/$a"; done
        python3 "$(dirname "$(dirname "${BASH_SOURCE[0]}")")/tools/oci-image.py" "$d/img" "$d/bb.tar" docker.io/library/bb:latest ||
                fail "cannot make the image"
        cat > "$d/config.toml" <<EOC
version = 2
root = "$d/root"
state = "$d/state"
disabled_plugins = ["io.containerd.grpc.v1.cri", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs",
                    "io.containerd.snapshotter.v1.devmapper", "io.containerd.snapshotter.v1.aufs"]
[grpc]
  address = "$d/containerd.sock"
[ttrpc]
  address = "$d/containerd-ttrpc.sock"
[plugins."io.containerd.internal.v1.opt"]
  path = "$d/opt"
[plugins."io.containerd.runtime.v2.task"]
  platforms = ["linux/amd64"]
EOC
        # The shim keeps its runtime's state in /run/containerd/runc: a tmpfs of the test's.
        mkdir -p /run/containerd && mount -t tmpfs tmpfs /run/containerd || fail "tmpfs over /run/containerd"
        containerd --config "$d/config.toml" > "$d/containerd.log" 2>&1 &
        CONTAINERD=$!
        trap 'containerd_cleanup' EXIT
        for _ in $(seq 100); do [ -S "$d/containerd.sock" ] && break; sleep 0.1; done
        CT=(ctr --address "$d/containerd.sock" -n corral-it)
        "${CT[@]}" image import "$d/bb.tar" >/dev/null || fail "ctr image import: $(tail -3 "$d/containerd.log")"
}

containerd_cleanup() {
        local t
        for t in $("${CT[@]}" task ls -q 2>/dev/null); do "${CT[@]}" task kill -s KILL "$t" >/dev/null 2>&1; done
        sleep 0.3
        for t in $("${CT[@]}" container ls -q 2>/dev/null); do
                "${CT[@]}" task delete -f "$t" >/dev/null 2>&1
                "${CT[@]}" container delete "$t" >/dev/null 2>&1
        done
        kill "$CONTAINERD" 2>/dev/null && wait "$CONTAINERD" 2>/dev/null
        find /sys/fs/cgroup -depth -type d -name 'corral-it' -exec rmdir {} \; 2>/dev/null
        return 0
}

test_containerd_runs_tasks_with_corral_oci() {
        containerd_setup
        local run=("${CT[@]}" run --runc-binary "$CORRAL_OCI")
        out=$("${run[@]}" --rm docker.io/library/bb:latest t1 sh -c 'echo hello from ctr; id -u' 2>&1) || fail "ctr run: $out"
        expect_eq "$out" "hello from ctr
0" "ctr run --rm"
        "${run[@]}" --rm docker.io/library/bb:latest t1 sh -c 'exit 5' >/dev/null 2>&1; expect_eq "$?" 5 "the exit code"
        out=$(script -qec "${run[*]} --rm -t docker.io/library/bb:latest t1 tty" /dev/null 2>&1 | tr -d '\r')
        expect_contains "$out" "/dev/pts/0" "ctr run -t: a terminal through the console socket"
        "${run[@]}" -d --memory-limit 67108864 docker.io/library/bb:latest t2 sleep 1000 >/dev/null 2>&1 || fail "ctr run -d"
        expect_contains "$("${CT[@]}" task ls)" "RUNNING" "the task runs"
        pid=$("${CT[@]}" task ls | awk '$1 == "t2" {print $2}')
        ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
        expect_eq "$(cat "/proc/$ppid/comm")" "containerd-shim" "the shim is the init's parent, no corral process between"
        mem=$(cat /sys/fs/cgroup/memory/corral-it/t2/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/corral-it/t2/memory.max)
        expect_eq "$mem" 67108864 "--memory-limit in /corral-it/t2"
        out=$("${CT[@]}" task exec --exec-id e1 t2 sh -c 'echo in exec; exit 4' 2>&1); rc=$?
        expect_eq "$out" "in exec" "task exec"
        expect_eq "$rc" 4 "its exit code"
        expect_contains "$("${CT[@]}" task ps t2)" "$pid" "task ps"
        "${CT[@]}" task pause t2 || fail "pause"
        expect_contains "$("${CT[@]}" task ls)" "PAUSED" "paused"
        "${CT[@]}" task resume t2 || fail "resume"
        expect_contains "$("${CT[@]}" task ls)" "RUNNING" "running again"
        "${CT[@]}" task kill -s KILL t2 || fail "kill"
        for _ in $(seq 50); do "${CT[@]}" task ls | grep -q STOPPED && break; sleep 0.1; done
        expect_contains "$("${CT[@]}" task ls)" "STOPPED" "stopped"
        "${CT[@]}" task delete t2 >/dev/null 2>&1 || fail "task delete"
        "${CT[@]}" container delete t2 || fail "container delete"
        expect_eq "$(ls /run/containerd/runc/corral-it 2>/dev/null)" "" "nothing of corral-oci's is left"
}
