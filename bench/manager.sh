#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# 200 idle busybox machines started detached with corralctl start (nspawn's service defaults:
# -U, a veth pair, --boot), in a network namespace of the bench's own: the time to start them
# all, corralctl list's time with all of them running, and each supervisor's proportional set
# size.  Goals: all started within 10 s, list within 50 ms, PSS at most 1 MiB each.
export BENCH_NETNS=1
. "$(dirname "$0")/lib.sh"
N=${N:-200}
CORRALCTL=$(dirname "$(dirname "$CORRAL")")/corralctl/corralctl
ip link set lo up
base=/var/lib/machines/.base
busybox_tree "$base" sh sleep true cat
mkdir -p "$base/sbin"
ln -s ../bin/busybox "$base/sbin/init"
printf '::respawn:/bin/sleep 1000000\n' > "$base/etc/inittab"
names=()
for i in $(seq "$N"); do
        cp -al "$base" "/var/lib/machines/m$i"
        names+=("m$i")
done
t0=$(date +%s%N)
"$CORRALCTL" start "${names[@]}" || { echo "start failed"; "$CORRALCTL" logs m1 | tail; }
t1=$(date +%s%N)
running=$("$CORRALCTL" list --no-legend | wc -l)
echo "with the service's defaults: $(ip -o link show | grep -c ': ve-') veth pairs; m1's UID map: $("$CORRALCTL" shell m1 cat /proc/self/uid_map | tr -s ' ')"
list_us=$(medians 21 "$CORRALCTL list")
pss_total=0; pss_max=0
for s in $("$CORRALCTL" show "${names[@]}" -p Supervisor --value); do
        p=$(awk '/^Pss:/ {s+=$2} END {print s}' /proc/$s/smaps_rollup)
        pss_total=$((pss_total + p)); [ "$p" -gt "$pss_max" ] && pss_max=$p
done
start_ms=$(( (t1 - t0) / 1000000 ))
echo "$running of $N machines running; started in $start_ms ms (goal: 10000 ms): $([ "$start_ms" -le 10000 ] && echo met || echo NOT met)"
echo "corralctl list with $running machines: $(ms "$list_us") (goal: 50 ms): $(awk -v u="$list_us" 'BEGIN {print (u <= 50000) ? "met" : "NOT met"}')"
echo "supervisor PSS: mean $((pss_total / running)) KiB, max $pss_max KiB (goal: 1024 KiB): $([ "$pss_max" -le 1024 ] && echo met || echo NOT met)"
sups=$("$CORRALCTL" show "${names[@]}" -p Supervisor --value)
"$CORRALCTL" terminate "${names[@]}"
for s in $sups; do while [ -e /proc/$s ] && [ "$(awk '{print $3}' /proc/$s/stat 2>/dev/null)" != Z ]; do sleep 0.05; done; done
