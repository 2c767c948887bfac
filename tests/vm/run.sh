#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The real-host lane: boots a Debian guest (tests/vm/image.sh) with systemd as PID 1, unified
# cgroup v2 and Debian's kernel, runs integration tests in it against the build the host made
# (the checkout is shared read-only over 9p at the same path), and prints their results as
# tests/integration/run.sh does, each name prefixed with the guest kind.  With RESULTS=FILE,
# appends "RC KIND:NAME" lines there for the summary of tests/run-all.sh.
#
#   tests/vm/run.sh KIND [TEST...]        KIND: bookworm or trixie; no TEST: all of them
#   LANE_SCRIPT=FILE tests/vm/run.sh KIND  a script of yours in the guest instead (output: job.log)
#
# Then (LANE_REBOOT=0 leaves it out) test_enable_starts_machines_at_host_boot: a machine enabled
# with corralctl and one enabled with machinectl run after a reboot of the guest.
#
# KVM is used where it can run Debian's kernel; this machine's KVM is a PVM variant
# (/sys/module/kvm_pvm) that runs only guests built for it, so the guest runs under TCG there,
# several times slower.  Everything runs under LANE_TIMEOUT seconds (default 1800).
# (In braces: bash reads all of it before it runs any, so an edit meanwhile cannot
# change a run under way.)
{
set -uo pipefail
kind=${1:?usage: $0 KIND [TEST...]}
shift
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
corral=${CORRAL:-$top/build/src/corral/corral}
results_file=${RESULTS:-/dev/null}

say_skip() { echo "SKIP lane-$kind: $*"; echo "77 $kind:lane" >> "$results_file"; exit 0; }
command -v qemu-system-x86_64 >/dev/null || say_skip "qemu-system-x86_64 is not installed"
[ -x "$corral" ] || say_skip "no corral build at $corral"
img=$("$here/image.sh" "$kind" 2> /tmp/corral-vm-image-$kind.log) || {
        echo "FAIL lane-$kind: cannot make the guest image (see /tmp/corral-vm-image-$kind.log)"
        tail -5 /tmp/corral-vm-image-$kind.log | sed 's/^/    /'
        echo "1 $kind:lane" >> "$results_file"
        exit 1
}

# Under TCG one host thread runs all the guest's CPUs (thread=single): with a thread per CPU
# (MTTCG) QEMU 7.2 gets the kernel's live code patching (int3, then the new instruction) wrong
# now and then, and Debian 13's 6.12 died at boot in sched_clock_cpu ("Oops: int3").
accel=${LANE_ACCEL:-tcg,thread=single}
if [ -z "${LANE_ACCEL:-}" ] && [ -w /dev/kvm ] && [ ! -d /sys/module/kvm_pvm ]; then accel=kvm; fi
out=$(mktemp -d /tmp/corral-lane.XXXXXX)
chmod 0777 "$out"
mkdir "$out/checkout"
cp -r "$top/tests" "$top/shell-completion" "$top/bench" "$out/checkout/"
# LANE_SCRIPT=FILE: that script runs in the guest instead of the tests (its output: job.log).
[ -n "${LANE_SCRIPT:-}" ] && cp "$LANE_SCRIPT" "$out/script"
# LANE_BENCH=NAME.sh: that benchmark runs in the guest after the tests (the guest has no
# compiler: its timer is built here).
if [ -n "${LANE_BENCH:-}" ]; then
        cc -O2 -static -o "$out/timeit" "$top/bench/timeit.c" || { echo "FAIL lane-$kind: cannot build bench/timeit.c"; exit 1; }
fi
printf '%s\n' "$@" > "$out/tests"
start=$(date +%s)
timeout -k 10 "${LANE_TIMEOUT:-1800}" qemu-system-x86_64 \
        -machine q35 -accel "$accel" -cpu max -smp "$(nproc)" -m "${LANE_MEMORY:-6G}" \
        -display none -monitor none -serial "file:$out/console.log" -nic none \
        -kernel "$img/vmlinuz" -initrd "$img/initrd.img" \
        -append "root=/dev/vda rw console=ttyS0 quiet panic=-1 systemd.unified_cgroup_hierarchy=1 corral.src=$top corral.corral=$corral corral.bench=${LANE_BENCH:-} corral.reboot=${LANE_REBOOT:-1}" \
        -drive "file=$img/root.img,if=virtio,format=raw,snapshot=on" \
        -virtfs "local,path=$top,mount_tag=src,security_model=none,readonly=on" \
        -virtfs "local,path=$out,mount_tag=results,security_model=none" \
        > "$out/qemu.log" 2>&1
rc=$?
took=$(( $(date +%s) - start ))
[ -n "${LANE_SCRIPT:-}" ] && cat "$out/job.log"
if [ -f "$out/host" ]; then
        echo "lane-$kind ($accel, ${took}s): $(tr '\n' ';' < "$out/host")"
fi
# The results the guest wrote, as run.sh prints them.
sed -n '/^\(PASS\|FAIL\|SKIP\) \|^    /p' "$out/job.log" 2>/dev/null | sed -E "s/^(PASS|FAIL|SKIP) /\1 $kind:/"
[ -n "${LANE_BENCH:-}" ] && sed -n '/^== bench/,/^== end/p' "$out/job.log" 2>/dev/null
if [ -f "$out/results" ]; then
        sed -E "s/^([0-9]+) /\1 $kind:/" "$out/results" >> "$results_file"
fi
if grep -q 'Kernel panic' "$out/console.log" 2>/dev/null; then
        echo "FAIL lane-$kind: the guest's kernel panicked"
        grep -m1 -B2 -A12 'Oops\|BUG:\|Kernel panic' "$out/console.log" | sed 's/^/    /'
fi
if [ ! -f "$out/done" ]; then
        echo "FAIL lane-$kind: the guest did not finish its job (qemu exit $rc after ${took}s)"
        tail -20 "$out/console.log" 2>/dev/null | sed 's/^/    /'
        tail -20 "$out/job.log" 2>/dev/null | sed 's/^/    /'
        echo "1 $kind:lane" >> "$results_file"
        [ -n "${KEEP_LOGS:-}" ] && echo "logs kept in $out" || rm -rf "$out"
        exit 1
fi
ok=0
grep -qvE '^(0|77) ' "$out/results" && ok=1
[ -n "${KEEP_LOGS:-}" ] && echo "logs kept in $out" || rm -rf "$out"
exit $ok
exit
}
