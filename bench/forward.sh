#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# TCP throughput through a forwarded port (-p) beside the same transfer over the veth pair
# directly: iperf3 from a client namespace to a container running the iperf3 server.  Both
# paths cross the same links (client -> host -> ve- -> container); only the forward's DNAT
# differs.  Everything runs in network namespaces made here.  Runs interleaved, medians.
# Not a test.
. "$(dirname "$0")/lib.sh"
RUNS=${RUNS:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-4}
command -v iperf3 >/dev/null || { echo "no iperf3: scripts/setup.sh installs it" >&2; exit 1; }
debian_copy

# iperf3 and the libraries the Debian tree lacks, bound in.
mkdir -p "$BENCH_TMP/lib"
for l in libiperf.so.0 libsctp.so.1; do cp -L "/usr/lib/x86_64-linux-gnu/$l" "$BENCH_TMP/lib/"; done

# host: the namespace corral runs in; client: a namespace routed to it.
touch "$BENCH_TMP/host" "$BENCH_TMP/client"
unshare --net="$BENCH_TMP/host" ip link set lo up
unshare --net="$BENCH_TMP/client" ip link set lo up
H="nsenter --net=$BENCH_TMP/host"
C="nsenter --net=$BENCH_TMP/client"
$H ip link add cl0 type veth peer name cl1 netns "$BENCH_TMP/client"
$H ip addr add 10.66.0.1/24 dev cl0 && $H ip link set cl0 up
$C ip addr add 10.66.0.2/24 dev cl1 && $C ip link set cl1 up
$C ip route add 10.200.0.0/24 via 10.66.0.1
printf '[Network]\nVirtualEthernet=yes\nAddress=10.200.0.2/24\nGateway=10.200.0.1\nPort=15201:5201\n' > /run/systemd/nspawn/perf.nspawn
cleanup_bench() {
        if [ -n "${cpid:-}" ]; then kill "$cpid" 2>/dev/null || true; wait "$cpid" 2>/dev/null || true; fi
        umount "$BENCH_TMP/host" "$BENCH_TMP/client" 2>/dev/null || true
}
trap 'cleanup_bench; rm -rf "$DEB_COPY"; umount -l "$BENCH_TMP"; rmdir "$BENCH_TMP"' EXIT
$H "$CORRAL" -q -P -D "$DEB" -x -M perf --bind-ro="$BENCH_TMP/lib:/opt/iperf-lib" --bind-ro=/usr/bin/iperf3:/opt/iperf3 \
        -E LD_LIBRARY_PATH=/opt/iperf-lib /opt/iperf3 -s </dev/null >"$BENCH_TMP/server.log" 2>&1 &
cpid=$!
for _ in $(seq 100); do $C bash -c 'echo > /dev/tcp/10.200.0.2/5201' 2>/dev/null && break; sleep 0.1; done

gbits() { # address port
        $C iperf3 -c "$1" -p "$2" -t "$SECONDS_PER_RUN" -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"] / 1e9)'
}
direct=() forward=()
for _ in $(seq "$RUNS"); do
        direct+=("$(gbits 10.200.0.2 5201)")
        forward+=("$(gbits 10.66.0.1 15201)")
done
median() { printf '%s\n' "$@" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'; }
d=$(median "${direct[@]}")
f=$(median "${forward[@]}")
echo "iperf3 TCP from a client namespace to a container, ${SECONDS_PER_RUN} s per run, median of $RUNS:"
printf '  over the veth pair directly        %.2f Gbit/s\n' "$d"
printf '  through the forwarded port (-p)    %.2f Gbit/s\n' "$f"
echo "forwarded / direct = $(awk -v a="$f" -v b="$d" 'BEGIN { printf "%.2f", a / b }') (goal >= 0.95)"
