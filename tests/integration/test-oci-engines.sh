# SPDX-License-Identifier: LGPL-2.1-or-later
# Container engines with corral-oci as their runtime, each private to the test: its own storage,
# state and temporary directories, no network of the host's (--network none, or Docker's inside
# a network namespace of the test's), images made here from the host's busybox, cgroups below
# corral-it-ENGINE (removed at the end).

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
        # The shim keeps its runtime's state in /run/containerd/runc: /run is a tmpfs of the test's.
        mount -t tmpfs -o mode=0755 tmpfs /run || fail "tmpfs over /run"
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

# A dockerd of the test's own: data, exec root, pid file, socket and config in the test's
# directory, its managed containerd with them; started inside a network namespace the test
# made (unshare --net), with no default bridge, no iptables and no forwarding, so nothing of
# the host's network is touched.  /etc/docker (its key.json) and /run are the test's tmpfs.
# Containers' cgroups go below corral-it-docker.
docker_setup() {
        command -v dockerd >/dev/null && [ -x /usr/bin/docker ] || skip "docker.io is not installed (scripts/setup.sh installs it)"
        local d=$TESTTMP/dk dir
        mkdir -p "$d/img/bin" "$d/img/etc" "$d/img/tmp" "$d/data" "$d/exec"
        cp /bin/busybox "$d/img/bin/"
        for a in sh echo id cat sleep ls hostname true tty ps ip ping nc httpd wget; do ln -s busybox "$d/img/bin/$a"; done
        printf 'root:x:0:0:root:/root:/bin/sh\n' > "$d/img/etc/passwd"
        tar -C "$d/img" -cf "$d/img.tar" .
        # (dockerd makes /run/docker/plugins whatever its exec root: a tmpfs over all of /run.)
        for dir in /etc/docker /run; do
                [ -d "$dir" ] || continue
                mount -t tmpfs -o mode=0755 tmpfs "$dir" || fail "tmpfs over $dir"
        done
        echo '{}' > "$d/daemon.json"
        unshare --net --fork --kill-child dockerd --config-file "$d/daemon.json" --data-root "$d/data" --exec-root "$d/exec" \
                --pidfile "$d/docker.pid" -H "unix://$d/docker.sock" --containerd-namespace corral-it-docker \
                --containerd-plugins-namespace corral-it-docker-plugins --storage-driver vfs \
                --bridge none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false --userland-proxy=false \
                --cgroup-parent /corral-it-docker --exec-opt native.cgroupdriver=cgroupfs \
                --add-runtime corral="$CORRAL_OCI" --default-runtime corral > "$d/dockerd.log" 2>&1 &
        DOCKERD=$!
        trap 'docker_cleanup' EXIT
        DK=(/usr/bin/docker -H "unix://$d/docker.sock")
        for _ in $(seq 300); do "${DK[@]}" version >/dev/null 2>&1 && break; sleep 0.1; done
        "${DK[@]}" version >/dev/null 2>&1 || fail "dockerd did not start: $(tail -5 "$d/dockerd.log")"
        "${DK[@]}" import "$d/img.tar" bb >/dev/null || fail "docker import"
}

docker_cleanup() {
        "${DK[@]}" rm -f $("${DK[@]}" ps -aq) >/dev/null 2>&1
        "${DK[@]}" network rm n1 >/dev/null 2>&1
        # (unshare ignores SIGTERM while it waits: the signal goes to dockerd, which stops its
        # containerd.)
        kill "$(cat "$TESTTMP/dk/docker.pid" 2>/dev/null)" 2>/dev/null
        for _ in $(seq 100); do kill -0 "$DOCKERD" 2>/dev/null || break; sleep 0.1; done
        kill -KILL "$DOCKERD" 2>/dev/null; wait "$DOCKERD" 2>/dev/null
        find /sys/fs/cgroup -depth -type d -path '*corral-it-docker*' -exec rmdir {} \; 2>/dev/null
        return 0
}

dk() { "${DK[@]}" "$@"; }

test_docker_runs_containers_with_corral_oci() {
        docker_setup
        expect_contains "$(dk info -f '{{.DefaultRuntime}} {{.Runtimes}}')" "corral" "corral is docker's runtime"
        out=$(dk run --rm --runtime corral --network none bb sh -c 'echo hello; id -u' 2>&1) || fail "docker run: $out"
        expect_eq "$out" "hello
0" "docker run --rm --runtime corral"
        dk run --rm --network none bb sh -c 'exit 6' >/dev/null 2>&1; expect_eq "$?" 6 "the exit code"
        out=$(dk run --rm -t --network none bb tty 2>&1 | tr -d '\r')
        expect_contains "$out" "/dev/pts/0" "run -t"
        expect_eq "$(echo piped | dk run --rm -i --network none bb cat 2>&1)" "piped" "run -i"
        dk run -d --name c1 --network none --memory 64m --pids-limit 40 bb sleep 1000 >/dev/null || fail "run -d"
        pid=$(dk inspect -f '{{.State.Pid}}' c1)
        ppid=$(awk '/^PPid:/ {print $2}' "/proc/$pid/status")
        expect_eq "$(cat "/proc/$ppid/comm")" "containerd-shim" "the shim is the init's parent"
        out=$(dk exec c1 sh -c 'echo in exec; exit 3' 2>&1); rc=$?
        expect_eq "$out" "in exec" "docker exec"
        expect_eq "$rc" 3 "its exit code"
        expect_contains "$(dk exec -t c1 tty | tr -d '\r')" "/dev/pts/" "exec -t"
        expect_contains "$(dk top c1)" "sleep 1000" "docker top"
        id=$(dk inspect -f '{{.Id}}' c1)
        mem=$(cat "/sys/fs/cgroup/memory/corral-it-docker/$id/memory.limit_in_bytes" 2>/dev/null || cat "/sys/fs/cgroup/corral-it-docker/$id/memory.max")
        expect_eq "$mem" 67108864 "--memory in /corral-it-docker/ID"
        pids=$(cat "/sys/fs/cgroup/pids/corral-it-docker/$id/pids.max" 2>/dev/null || cat "/sys/fs/cgroup/corral-it-docker/$id/pids.max")
        expect_eq "$pids" 40 "--pids-limit"
        dk update --memory 96m --memory-swap 96m c1 >/dev/null || fail "docker update"
        mem=$(cat "/sys/fs/cgroup/memory/corral-it-docker/$id/memory.limit_in_bytes" 2>/dev/null || cat "/sys/fs/cgroup/corral-it-docker/$id/memory.max")
        expect_eq "$mem" 100663296 "docker update --memory"
        dk pause c1 >/dev/null || fail "pause"
        expect_eq "$(dk inspect -f '{{.State.Status}}' c1)" "paused" "paused"
        dk unpause c1 >/dev/null || fail "unpause"
        expect_eq "$(dk inspect -f '{{.State.Status}}' c1)" "running" "running again"
        dk kill c1 >/dev/null || fail "kill"
        expect_eq "$(dk wait c1)" 137 "killed"
        dk rm c1 >/dev/null || fail "rm"
        dk run -d --name c2 --network none bb sleep 1000 >/dev/null || fail "run -d"
        dk stop -t 1 c2 >/dev/null || fail "stop"
        dk rm c2 >/dev/null || fail "rm"
        # A network of docker's own (a bridge in the test's namespace): libnetwork's prestart
        # hook, which gets the state on stdin, gives each container its address.
        dk network create --subnet 10.213.7.0/24 -o com.docker.network.bridge.enable_ip_masquerade=false n1 >/dev/null ||
                fail "docker network create"
        dk run -d --name web --network n1 --ip 10.213.7.10 bb sh -c 'echo served > /tmp/i; httpd -f -h /tmp' >/dev/null || fail "run web"
        out=$(dk run --rm --network n1 bb sh -c 'ip -4 -o addr show eth0; wget -q -O - http://10.213.7.10/i' 2>&1)
        expect_contains "$out" "inet 10.213.7." "the hook gave the container its address"
        expect_contains "$out" "served" "and it reaches another container"
        dk rm -f web >/dev/null
        expect_eq "$(ls "$TESTTMP/dk/exec/runtime-corral/moby" 2>/dev/null)" "" "nothing of corral-oci's is left"
}
