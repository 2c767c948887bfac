# SPDX-License-Identifier: LGPL-2.1-or-later
# The opencontainers runtime-tools validation suite (58 programs) against corral-oci: built
# from the source in ../shared/oci when it is there (skipped with the reason when not), run
# here in the test's private mount namespace (linux_ns_itype mounts into the caller's), each
# program's checks counted; every failure must be one oci-conformance-expected.txt explains.

suite_source() {
        local d here
        here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
        for d in "${OCI_SUITE_SOURCE:-}" "$here/../../../shared/oci" /work/shared/oci; do
                [ -n "$d" ] && [ -f "$d/build-validation.sh" ] && { echo "$d"; return 0; }
        done
        return 1
}

test_oci_runtime_tools_validation() {
        local src out v p f tp=0 tf=0 bad=
        src=$(suite_source) || skip "the runtime-tools source (../shared/oci) is not on this machine"
        command -v go >/dev/null || skip "go is not installed (scripts/setup.sh installs golang-go)"
        v=$(bash "$src/build-validation.sh" /var/cache/corral-tests/oci-validation 2>"$TESTTMP/build.log") ||
                fail "cannot build the validation suite: $(tail -5 "$TESTTMP/build.log")"
        mkdir -p "$TESTTMP/run/tmp" && chmod 755 "$TESTTMP" "$TESTTMP/run" "$TESTTMP/run/tmp"
        cp "$v/runtimetest" "$v/rootfs-amd64.tar.gz" "$TESTTMP/run/"
        expected=$(grep -v '^#' "$(dirname "${BASH_SOURCE[0]}")/oci-conformance-expected.txt")
        for t in "$v"/*.t; do
                name=$(basename "$t" .t)
                # The v1 devices controller beside cgroup2's program, as runc has it on a hybrid
                # host (the devices programs read devices.list).
                (cd "$TESTTMP/run" && TMPDIR="$TESTTMP/run/tmp" RUNTIME="$CORRAL_OCI" CORRAL_DEVICE_POLICY_V1=1 timeout 120 "$t" > "$TESTTMP/$name.log" 2>&1)
                p=$(grep -c '^ok' "$TESTTMP/$name.log"); f=$(grep -c '^not ok' "$TESTTMP/$name.log")
                tp=$((tp + p)); tf=$((tf + f))
                allowed=$(echo "$expected" | awk -v n="$name" '$1 == n {print $2}')
                if [ "$f" -gt "${allowed:-0}" ]; then
                        bad="$bad $name($f>${allowed:-0})"
                        echo "== $name: $f failed, ${allowed:-0} expected"; grep -A6 '^not ok' "$TESTTMP/$name.log" | head -30
                fi
        done
        for h in /sys/fs/cgroup/*/ /sys/fs/cgroup/; do
                for d in testdir cgrouptest; do [ -d "$h$d" ] && find "$h$d" -depth -type d -exec rmdir {} \; 2>/dev/null; done
        done
        echo "NOTE: runtime-tools validation: $tp checks passed, $tf failed (runc 1.1.5 on this host: 3683 passed, 32 failed)"
        [ -z "$bad" ] || fail "failures beyond the explained ones:$bad"
        [ "$tp" -ge 4000 ] || fail "only $tp checks ran and passed (a program that stopped early?)"
}
