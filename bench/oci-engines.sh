#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The engines' own start with each runtime: `podman run --rm` and `ctr run --rm` of /bin/true
# in a busybox image, with corral-oci beside runc and crun, one run, medians, ratios.  Each
# engine is private to the bench (storage, state, sockets in its directory; /run a tmpfs of
# the bench's mount namespace; no network).  crun cannot create a container on a hybrid cgroup
# host: n/a there.  runc cannot run podman's containers on a host whose bounding set lacks
# CAP_SYS_RESOURCE, as the development host's does (setting the init's rlimits fails with
# EPERM even at the hard limits; corral-oci lowers a limit it cannot raise).  Not a test:
# nothing asserts on time.
. "$(dirname "$0")/lib.sh"
N=${N:-20}
OCI=${CORRAL_OCI:-$root/build/src/oci/corral-oci}
[ -x "$OCI" ] || { echo "build corral-oci first: scripts/setup.sh" >&2; exit 1; }
mount -t tmpfs -o mode=0755 tmpfs /run
img=$BENCH_TMP/img
busybox_tree "$img" true sh
printf 'root:x:0:0:root:/root:/bin/sh\n' > "$img/etc/passwd"
runtimes=(corral-oci runc crun)
path_of() { [ "$1" = corral-oci ] && echo "$OCI" || command -v "$1"; }

report() { # title names... -- medians...
        local title=$1 i n; shift
        local names=() t=()
        while [ "$1" != -- ]; do names+=("$1"); shift; done
        shift; t=("$@")
        echo "$title, median of $N runs:"
        for i in "${!names[@]}"; do printf '  %-11s %9s\n' "${names[$i]}" "$(ms "${t[$i]}")"; done
        for ((n = 1; n < ${#names[@]}; n++)); do echo "  ${names[$n]} / corral-oci = $(ratio "${t[$n]}" "${t[0]}")"; done
}

if command -v podman >/dev/null; then
        tar -C "$img" -cf "$BENCH_TMP/img.tar" .
        pm="podman --root $BENCH_TMP/pm/storage --runroot $BENCH_TMP/pm/run --tmpdir $BENCH_TMP/pm/tmp --storage-driver vfs --cgroup-manager cgroupfs --events-backend file"
        $pm import "$BENCH_TMP/img.tar" localhost/bb >/dev/null
        cmds=() names=()
        for rt in "${runtimes[@]}"; do
                p=$(path_of "$rt") || continue
                c="$pm --runtime $p run --rm --network none --cgroup-parent /corral-bench-podman localhost/bb /bin/true"
                if $c >/dev/null 2>&1 </dev/null; then cmds+=("$c"); names+=("$rt"); else echo "($rt cannot run podman's container here)"; fi
        done
        mapfile -t t < <(medians "$N" "${cmds[@]}")
        report "podman run --rm of /bin/true" "${names[@]}" -- "${t[@]}"
        $pm rm -a -f >/dev/null 2>&1 || true
        find /sys/fs/cgroup -depth -type d -path '*corral-bench-podman*' -exec rmdir {} \; 2>/dev/null || true
else
        echo "(podman is not installed)"
fi

if command -v containerd >/dev/null && command -v ctr >/dev/null; then
        d=$BENCH_TMP/ct
        mkdir -p "$d"
        python3 "$root/tests/tools/oci-image.py" "$img" "$d/bb.tar" docker.io/library/bb:latest
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
EOC
        containerd --config "$d/config.toml" > "$d/log" 2>&1 &
        ctd=$!
        for _ in $(seq 100); do [ -S "$d/containerd.sock" ] && break; sleep 0.1; done
        ctr="ctr --address $d/containerd.sock -n corral-bench"
        $ctr image import "$d/bb.tar" >/dev/null
        cmds=() names=()
        for rt in "${runtimes[@]}"; do
                p=$(path_of "$rt") || continue
                c="$ctr run --rm --runc-binary $p docker.io/library/bb:latest b-$rt /bin/true"
                if $c >/dev/null 2>&1 </dev/null; then cmds+=("$c"); names+=("$rt"); else echo "($rt cannot run containerd's task here)"; fi
        done
        mapfile -t t < <(medians "$N" "${cmds[@]}")
        report "ctr run --rm of /bin/true" "${names[@]}" -- "${t[@]}"
        kill "$ctd"; wait "$ctd" 2>/dev/null || true
        find /sys/fs/cgroup -depth -type d -path '*/corral-bench*' -exec rmdir {} \; 2>/dev/null || true
else
        echo "(containerd is not installed)"
fi
echo "(goal: each engine no slower with corral-oci than with crun, where crun runs; runc shown beside)"
