#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Booting the Debian tree (systemd as PID 1) to the login prompt, then shutting it down with
# SIGTERM, corral beside systemd-nspawn, alternating, N runs each.  Prints the medians of the
# boot (start to "login:" on the console) and of the whole cycle (start to exit).  Not a test.
. "$(dirname "$0")/lib.sh"
N=${N:-5}
debian_copy

now() { date +%s%N; }
# one RUNNER... : prints "boot_us total_us" for one boot to the login prompt and SIGTERM.
one() {
        local out=$BENCH_TMP/console s b pid
        : > "$out"
        s=$(now)
        "$@" -b -D "$DEB" -M deb --console=read-only > "$out" 2>&1 </dev/null &
        pid=$!
        until grep -q 'login:' "$out"; do
                kill -0 $pid 2>/dev/null || { echo "the container ended before the login prompt:" >&2; tail -5 "$out" >&2; return 1; }
                sleep 0.005
        done
        b=$(now)
        kill -TERM $pid
        wait $pid || true
        echo "$(( (b - s) / 1000 )) $(( ($(now) - s) / 1000 ))"
}
median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
: > "$BENCH_TMP/c"; : > "$BENCH_TMP/n"
one "$CORRAL" >/dev/null # warm the page cache for both
for i in $(seq "$N"); do
        one "$CORRAL" >> "$BENCH_TMP/c"
        one $NSPAWN >> "$BENCH_TMP/n"
done
cb=$(cut -d' ' -f1 "$BENCH_TMP/c" | median); ct=$(cut -d' ' -f2 "$BENCH_TMP/c" | median)
nb=$(cut -d' ' -f1 "$BENCH_TMP/n" | median); nt=$(cut -d' ' -f2 "$BENCH_TMP/n" | median)
echo "Debian bookworm, systemd as PID 1, median of $N runs each:"
printf '                  boot to login:   boot + shutdown:\n'
printf '  corral          %-16s %s\n' "$(ms "$cb")" "$(ms "$ct")"
printf '  systemd-nspawn  %-16s %s\n' "$(ms "$nb")" "$(ms "$nt")"
echo "corral / systemd-nspawn: boot $(ratio "$cb" "$nb"), boot + shutdown $(ratio "$ct" "$nt") (goal <= 1.0)"
