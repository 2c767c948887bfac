#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Proportional set size of the supervisor while a container runs, corral beside systemd-nspawn.
set -euo pipefail
cd "$(dirname "$0")/.."
CORRAL=${CORRAL:-$PWD/build/src/corral/corral}
t=$(mktemp -d); trap 'rm -rf "$t"' EXIT
mkdir -p "$t/bb"/{bin,usr/lib,proc,sys,dev,tmp,run,etc}
cp /bin/busybox "$t/bb/bin/"; ln -s busybox "$t/bb/bin/sleep"
echo ID=busybox > "$t/bb/usr/lib/os-release"
pss() { awk '/^Pss:/ {s+=$2} END {print s}' /proc/$1/smaps_rollup; }
"$CORRAL" -q -P -D "$t/bb" /bin/sleep 3 </dev/null & c=$!; sleep 1; pc=$(pss $c); wait $c
systemd-nspawn --register=no --keep-unit -q -P -D "$t/bb" /bin/sleep 3 </dev/null >/dev/null 2>&1 & n=$!; sleep 1; pn=$(pss $n); wait $n || true
rm -rf /run/systemd/nspawn/propagate/bb 2>/dev/null || true
echo "supervisor PSS: corral ${pc} KiB, systemd-nspawn ${pn} KiB (goal: corral <= 1024 KiB)"
