#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Sets everything up and runs the whole test suite: unit tests, the fuzz corpus, the static
# checks (tests/static: format, warnings, analyzer, sanitizers), the integration tests
# (busybox and Debian trees, beside systemd-nspawn) on this host and, for those that depend on
# the kind of host, in real-host guests (tests/vm), with the build under ASan+UBSan when
# SANITIZE=1.  The last line is "N passed, N failed, N skipped".
# (In braces: bash reads all of it before it runs any, so an edit meanwhile cannot
# change a run under way.)
{
set -uo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null || { echo "setup failed"; echo "0 passed, 1 failed"; exit 1; }
builddir=build
if [ "${SANITIZE:-0}" = 1 ]; then
        builddir=build-asan
        [ -d $builddir ] || meson setup $builddir -Db_sanitize=address,undefined -Db_lundef=false >/dev/null
        ninja -C $builddir >/dev/null || { echo "0 passed, 1 failed"; exit 1; }
        export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
fi
# The cached Debian tree for the boot tests (debootstrap from Debian's archive, once).
if ! CORRAL_DEBIAN=$(scripts/debian-image.sh 2>/tmp/corral-debootstrap.log); then
        echo "note: could not make the Debian tree (see /tmp/corral-debootstrap.log); its tests will skip"
        CORRAL_DEBIAN=
fi
# The same with podman, for the Docker-style nesting test.
if ! CORRAL_DEBIAN_PODMAN=$(scripts/debian-image.sh podman 2>>/tmp/corral-debootstrap.log); then
        echo "note: could not make the Debian tree with podman (see /tmp/corral-debootstrap.log); its test will skip"
        CORRAL_DEBIAN_PODMAN=
fi
export CORRAL_DEBIAN CORRAL_DEBIAN_PODMAN

# The real-host lane: the same tests, those that depend on the kind of host, in Debian guests
# with systemd as PID 1, unified cgroup v2 and the distribution's kernel, and one with sysvinit
# (tests/vm/README.md).  LANE=0 leaves it out; LANE="bookworm trixie sysvinit" (the default)
# names the guest kinds.  Their images are made (once, then cached) meanwhile: debootstrap
# waits on the network and dpkg more than on the CPU.
lanes=()
for kind in ${LANE-bookworm trixie sysvinit}; do
        [ "$kind" = 0 ] && break
        lanes+=("$kind")
done
images_pid=
if [ ${#lanes[@]} -gt 0 ]; then
        (for kind in "${lanes[@]}"; do tests/vm/image.sh "$kind" > /tmp/corral-vm-image-$kind.log 2>&1; done) &
        images_pid=$!
fi

pass=0; fail=0; skip=0
# meson's own tests (unit + fuzz corpus), counted per test program.
meson test -C $builddir --print-errorlogs > /tmp/corral-meson-test.log 2>&1
grep -E '^ *[0-9]+/[0-9]+ ' /tmp/corral-meson-test.log
p=$(grep -cE '^ *[0-9]+/[0-9]+ .* OK ' /tmp/corral-meson-test.log)
# (meson lists a failure twice: as it happens and in its summary)
f=$(grep -E '^ *[0-9]+/[0-9]+ .* (FAIL|ERROR|TIMEOUT) ' /tmp/corral-meson-test.log | sort -u | wc -l)
pass=$((pass + p)); fail=$((fail + f))
[ "$f" = 0 ] || grep -A30 -E 'FAIL|ERROR' /tmp/corral-meson-test.log | head -60

# The checks that read the code: format, warnings as errors, clang's analyzer, and (unless the
# whole run is under the sanitizers already) the unit and fuzz tests under ASan+UBSan.
SKIP_ASAN=${SANITIZE:-0} bash tests/static/run.sh > /tmp/corral-static.log 2>&1
cat /tmp/corral-static.log
pass=$((pass + $(grep -c '^PASS static:' /tmp/corral-static.log)))
fail=$((fail + $(grep -c '^FAIL static:' /tmp/corral-static.log)))

results=$(mktemp)
CORRAL=$PWD/$builddir/src/corral/corral RESULTS=$results bash tests/integration/run.sh
# The OCI benchmarks, beside runc, crun, skopeo and podman where they run (figures only, never
# asserted on; a bench that cannot run at all fails).  Not under the sanitizers.
if [ "${SANITIZE:-0}" != 1 ]; then
        for b in oci.sh oci-engines.sh oci-pull.sh; do
                # (a pull takes seconds: fewer runs of it)
                if out=$(N=$([ $b = oci-pull.sh ] && echo 3 || echo 20) bash bench/$b 2>&1); then
                        echo "PASS bench/$b"
                        pass=$((pass + 1))
                else
                        echo "FAIL bench/$b"
                        fail=$((fail + 1))
                fi
                echo "$out" | grep -vE '^(Copying|Getting|Writing|Storing)' | sed 's/^/    /'
        done
fi
# The lanes: under TCG a guest keeps one host CPU busy, so LANE_JOBS (default: this host's CPUs)
# guests run at once; each one's output is printed when all are done, in order.
[ -n "$images_pid" ] && wait "$images_pid"
lane_out=$(mktemp -d)
running=0
for kind in "${lanes[@]}"; do
        if [ "$running" -ge "${LANE_JOBS:-$(nproc)}" ]; then
                wait -n
                running=$((running - 1))
        fi
        CORRAL=$PWD/$builddir/src/corral/corral RESULTS=$lane_out/$kind.results bash tests/vm/run.sh "$kind" \
                $(awk -v k="$kind" '!/^#/ && NF { for (i = 2; i <= NF && $i != "#"; i++) if ($i == k) print $1 }' tests/vm/lane-tests) \
                > "$lane_out/$kind.log" 2>&1 &
        running=$((running + 1))
done
wait
for kind in "${lanes[@]}"; do
        cat "$lane_out/$kind.log"
        cat "$lane_out/$kind.results" >> "$results" 2>/dev/null
done
rm -rf "$lane_out"
pass=$((pass + $(grep -c '^0 ' "$results")))
skip=$((skip + $(grep -c '^77 ' "$results")))
fail=$((fail + $(grep -vcE '^(0|77) ' "$results")))
rm -f "$results"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
exit
}
