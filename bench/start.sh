#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Start-to-exit of /bin/true in a busybox tree: corral vs unshare vs systemd-nspawn, one run,
# medians and ratios.  Not a test: nothing asserts on time.
set -euo pipefail
cd "$(dirname "$0")/.."
CORRAL=${CORRAL:-$PWD/build/src/corral/corral}
N=${N:-30}
t=$(mktemp -d)
trap 'umount "$t" 2>/dev/null; rm -rf "$t"' EXIT
mkdir -p "$t/bb"/{bin,usr/lib,proc,sys,dev,tmp,run,etc}
cp /bin/busybox "$t/bb/bin/"; ln -s busybox "$t/bb/bin/true"; ln -s busybox "$t/bb/bin/sh"
echo ID=busybox > "$t/bb/usr/lib/os-release"
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
measure() { # command...
        for i in $(seq "$N"); do
                s=$(date +%s%N); "$@" >/dev/null 2>&1 </dev/null; e=$(date +%s%N)
                echo $(( (e - s) / 1000 ))
        done | median
}
c=$(measure "$CORRAL" -q -P -D "$t/bb" --resolv-conf=off --timezone=off /bin/true)
u=$(measure unshare -m -u -i -p -f --mount-proc chroot "$t/bb" /bin/true)
n=$(measure systemd-nspawn --register=no --keep-unit -q -P -D "$t/bb" /bin/true)
rm -rf /run/systemd/nspawn/propagate/bb 2>/dev/null || true
echo "median start-to-exit over $N runs (microseconds):"
printf '  corral          %8d\n  unshare         %8d\n  systemd-nspawn  %8d\n' "$c" "$u" "$n"
awk -v c="$c" -v u="$u" -v n="$n" 'BEGIN { printf "corral / unshare = %.2f (goal <= 1.5)\nsystemd-nspawn / corral = %.1f (goal >= 15)\n", c/u, n/c }'
