#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The OCI runtime: `run` of a busybox bundle with runc's default config running /bin/true
# (create, start, wait, delete), corral-oci beside runc and crun, one run, medians, ratios; and
# the peak RSS of each runtime's run (its own processes and the container's).  crun cannot
# create a container on a hybrid cgroup host ("cgroups in hybrid mode not supported"): shown
# as n/a there.  Not a test: nothing asserts on time.
. "$(dirname "$0")/lib.sh"
N=${N:-50}
OCI=${CORRAL_OCI:-$root/build/src/oci/corral-oci}
[ -x "$OCI" ] || { echo "build corral-oci first: scripts/setup.sh" >&2; exit 1; }
b=$BENCH_TMP/bundle
busybox_tree "$b/rootfs" true
(cd "$b" && "$OCI" spec)
python3 - "$b/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["process"]["terminal"] = False
c["process"]["args"] = ["/bin/true"]
json.dump(c, open(sys.argv[1], "w"))
PY
for d in corral runc crun; do mkdir -p "$BENCH_TMP/state-$d"; done
cmds=("$OCI --root $BENCH_TMP/state-corral run --bundle $b bench")
names=(corral-oci)
for rt in runc crun; do
        if command -v $rt >/dev/null && $rt --root "$BENCH_TMP/state-$rt" run --bundle "$b" bench >/dev/null 2>&1 </dev/null; then
                cmds+=("$rt --root $BENCH_TMP/state-$rt run --bundle $b bench")
                names+=("$rt")
        else
                echo "($rt cannot run the bundle here: $($rt --root "$BENCH_TMP/state-$rt" run --bundle "$b" bench 2>&1 </dev/null | tail -1))"
                $rt --root "$BENCH_TMP/state-$rt" delete --force bench >/dev/null 2>&1 || true
        fi
done
mapfile -t t < <(medians "$N" "${cmds[@]}")
# Peak RSS: the largest of the runtime's processes and the container's, as GNU time reports it
# (wait4()'s rusage of the child, which takes in the descendants it waited for).
rss() { /usr/bin/time -f %M "$@" 2>&1 >/dev/null </dev/null | tail -1; }
echo "run of /bin/true in a busybox bundle (runc's default config), median of $N runs; peak RSS:"
for i in "${!cmds[@]}"; do
        # shellcheck disable=SC2086
        printf '  %-11s %9s  %6s KiB\n' "${names[$i]}" "$(ms "${t[$i]}")" "$(rss ${cmds[$i]})"
done
for i in "${!cmds[@]}"; do
        [ "$i" = 0 ] && continue
        echo "${names[$i]} / corral-oci = $(ratio "${t[$i]}" "${t[0]}")"
done
echo "(goals: at most half of crun's time, where crun runs: corral-oci <= 5.75 ms against crun's 11.5 ms measured on a unified host;"
echo " peak RSS below crun's 3.3 MiB)"
