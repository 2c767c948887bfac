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
