#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Proportional set size of the supervisor while a container runs, corral beside systemd-nspawn.
. "$(dirname "$0")/lib.sh"
busybox_tree "$BENCH_TMP/bb" sleep
pss() { awk '/^Pss:/ {s+=$2} END {print s}' /proc/$1/smaps_rollup; }
"$CORRAL" -q -P -D "$BENCH_TMP/bb" /bin/sleep 3 </dev/null & c=$!; sleep 1; pc=$(pss $c); wait $c
$NSPAWN -q -P -D "$BENCH_TMP/bb" /bin/sleep 3 </dev/null >/dev/null 2>&1 & n=$!; sleep 1; pn=$(pss $n); wait $n || true
echo "supervisor PSS while a container runs: corral ${pc} KiB, systemd-nspawn ${pn} KiB"
echo "systemd-nspawn / corral = $(ratio "$pn" "$pc"); corral <= 1024 KiB: $([ "$pc" -le 1024 ] && echo yes || echo NO)"
