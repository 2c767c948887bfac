# SPDX-License-Identifier: LGPL-2.1-or-later
# Resource control: --property/[Resources] limits on this host's cgroups (v1, hybrid or unified:
# each check looks where this host keeps the controller), the cgroup API (usage, live changes,
# freeze), device policy.
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CGTOOL=$(cd "$(dirname "$CORRAL")/../.." && pwd)/tests/tools/cgroup-tool
CG2=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)

# Whether this host has controller c on cgroup2 (else on a v1 hierarchy).
on_v2() { [ -n "$CG2" ] && grep -qw "$1" "$CG2/cgroup.controllers" 2>/dev/null; }

# The directory of running machine NAME's cgroup of controller c ("unified": cgroup2), read
# from its leader's /proc/PID/cgroup: under systemd that is its scope's "payload".
cgdir() { # controller name
        local leader line m
        leader=$("$CORRALCTL" show "$2" -p Leader --value) || return 1
        if [ "$1" = unified ] || on_v2 "$1"; then
                line=$(grep '^0::' "/proc/$leader/cgroup")
                m=$CG2
        else
                line=$(grep -E "^[0-9]+:([^:]*,)?$1(,[^:]*)?:" "/proc/$leader/cgroup")
                m=$(awk -v c="$1" '$9=="cgroup" && ("," $NF ",") ~ ("," c ",") {print $5; exit}' /proc/self/mountinfo)
        fi
        echo "$m${line#*:*:}"
}

# The file and value a property lands in on this host: "FILE VALUE" (systemd's translation).
limit() { # MemoryMax=BYTES | TasksMax=N | CPUWeight=N | CPUQuota=N%
        local k=${1%%=*} v=${1#*=}
        case $k in
        MemoryMax) if on_v2 memory; then echo "memory.max $v"; else echo "memory.limit_in_bytes $v"; fi ;;
        TasksMax) echo "pids.max $v" ;;
        CPUWeight) if on_v2 cpu; then echo "cpu.weight $v"; else echo "cpu.shares $((v * 1024 / 100))"; fi ;;
        CPUQuota) if on_v2 cpu; then echo "cpu.max $((${v%\%} * 1000)) 100000"; else echo "cpu.cfs_quota_us $((${v%\%} * 1000))"; fi ;;
        esac
}
controller_of() { case $1 in memory.*) echo memory ;; pids.*) echo pids ;; cpu.*) echo cpu ;; esac; }

# Checks that the running machine has the property in its cgroup.
expect_limit() { # name Property=value
        local l f want
        l=$(limit "$2"); f=${l%% *}; want=${l#* }
        expect_eq "$(cat "$(cgdir "$(controller_of "$f")" "$1")/$f")" "$want" "$2 in $f"
}

# Starts a container in the background running CMD; waits until it wrote "up" to $TESTTMP/out/up.
start_bg() { # name cmd [options...]
        local name=$1 cmd=$2; shift 2
        mkdir -p "$TESTTMP/out"
        rm -f "$TESTTMP/out/up"
        "$CORRAL" -q -P -D "$BB" -M "$name" --bind="$TESTTMP/out:/out" "$@" /bin/sh -c "echo up > /out/up; $cmd" </dev/null >"$TESTTMP/$name.log" 2>&1 &
        BG=$!
        trap stop_bg EXIT
        wait_for "$TESTTMP/out/up" up 20 || fail "container $name did not start: $(cat "$TESTTMP/$name.log")"
}
stop_bg() { kill -TERM "$BG" 2>/dev/null; wait "$BG" 2>/dev/null; return 0; }

test_memory_max_oom_kill_is_reported() {
        ensure_bb
        out=$("$CORRAL" -q -P -D "$BB" -M hog --property=MemoryMax=32M --property=MemorySwapMax=0 /bin/dd if=/dev/zero of=/dev/null bs=96M count=1 </dev/null 2>&1)
        rc=$?
        [ "$rc" != 0 ] || fail "the memory hog was not stopped: $out"
        expect_contains "$out" "terminated by signal KILL: out of memory" "the OOM kill is reported"
        out=$(cr -D "$BB" --property=MemoryMax=64M /bin/dd if=/dev/zero of=/dev/null bs=16M count=1 2>&1)
        expect_contains "$out" "1+0 records out" "below the limit, the same program runs"
}

test_memory_limit_files() {
        ensure_bb
        start_bg lim "sleep 30" --property=MemoryMax=100M --property=TasksMax=33 --property=CPUWeight=200
        expect_limit lim MemoryMax=104857600
        expect_limit lim TasksMax=33
        expect_limit lim CPUWeight=200
        stop_bg
}

test_cpu_quota_throttles() {
        ensure_bb
        start_bg quota "while :; do :; done" --property=CPUQuota=20%
        f=$(cgdir cpu quota)/cpu.stat
        expect_limit quota CPUQuota=20%
        for i in $(seq 50); do
                n=$(awk '$1=="nr_throttled"{print $2}' "$f")
                [ "${n:-0}" -gt 2 ] && break
                sleep 0.1
        done
        [ "${n:-0}" -gt 2 ] || fail "the busy loop was not throttled: $(cat "$f")"
        stop_bg
}

test_allowed_cpus() {
        ensure_bb
        [ "$(nproc)" -ge 2 ] || skip "one CPU: no other to allow"
        out=$(cr -D "$BB" --property=AllowedCPUs=1 /bin/grep Cpus_allowed_list /proc/self/status)
        expect_eq "$(echo $out)" "Cpus_allowed_list: 1" "AllowedCPUs in Cpus_allowed_list"
        printf '[Resources]\nAllowedCPUs=0\n' > /etc/systemd/nspawn/bb.nspawn
        out=$(cr -D "$BB" /bin/grep Cpus_allowed_list /proc/self/status)
        expect_eq "$(echo $out)" "Cpus_allowed_list: 0" "AllowedCPUs= from the [Resources] section"
}

test_tasks_max_makes_fork_fail() {
        ensure_bb
        out=$(cr -D "$BB" --property=TasksMax=4 /bin/sh -c 'for i in 1 2 3 4 5 6; do sleep 5 & done 2>&1; echo done' 2>&1)
        expect_contains "$out" "can't fork" "fork fails past TasksMax"
        out=$(cr -D "$BB" /bin/sh -c 'for i in 1 2 3 4 5 6; do sleep 0.1 & done 2>&1; wait; echo done' 2>&1)
        expect_eq "$out" "done" "without the limit the same forks work"
}

test_io_read_bandwidth_limit() {
        ensure_bb
        command -v losetup >/dev/null || skip "no losetup"
        dd if=/dev/zero of="$TESTTMP/disk" bs=1M count=8 status=none
        # On tmpfs a loop device cannot do direct IO: keep the backing file on the host's disk.
        img=$(mktemp /var/tmp/corral-io.XXXXXX)
        cp "$TESTTMP/disk" "$img"
        loop=$(losetup -f --show "$img") || { rm -f "$img"; skip "cannot set up a loop device"; }
        trap 'losetup -d "$loop"; rm -f "$img"' EXIT
        start=$(date +%s%N)
        out=$(cr -D "$BB" --bind="$loop" --property="IOReadBandwidthMax=$loop 1M" /bin/dd if="$loop" of=/dev/null bs=64k count=32 iflag=direct 2>&1)
        end=$(date +%s%N)
        expect_contains "$out" "32+0 records out" "the read went through"
        ms=$(( (end - start) / 1000000 ))
        # 2 MiB at 1 MB/s cannot take less than ~2 s; allow the throttle's first-slice credit.
        [ "$ms" -ge 1500 ] || fail "2 MiB read in $ms ms: faster than IOReadBandwidthMax=1M allows"
}

test_device_policy() {
        ensure_bb
        command -v losetup >/dev/null || skip "no losetup"
        truncate -s 1M "$TESTTMP/d"
        loop=$(losetup -f --show "$TESTTMP/d") || skip "cannot set up a loop device"
        trap 'losetup -d "$loop"' EXIT
        out=$(cr -D "$BB" --bind="$loop" /bin/dd if="$loop" of=/dev/null bs=4k count=1 2>&1)
        expect_contains "$out" "1+0 records out" "a bound node is allowed by default (DevicePolicy=auto)"
        out=$(cr -D "$BB" --bind="$loop" --property=DevicePolicy=closed /bin/dd if="$loop" of=/dev/null bs=4k count=1 2>&1)
        expect_contains "$out" "Operation not permitted" "DevicePolicy=closed denies the bound node"
        out=$(cr -D "$BB" --bind="$loop" --property=DevicePolicy=closed --property="DeviceAllow=$loop r" /bin/dd if="$loop" of=/dev/null bs=4k count=1 2>&1)
        expect_contains "$out" "1+0 records out" "DeviceAllow= opens it again"
        out=$(cr -D "$BB" --property=DevicePolicy=closed /bin/sh -c 'echo x > /dev/null && echo null-ok; ls /dev/net/tun 2>&1' 2>&1)
        expect_contains "$out" "null-ok" "closed keeps the standard pseudo devices"
        # An untrusted file may not grant a device.
        printf '[Resources]\nDeviceAllow=%s rw\nDevicePolicy=closed\n' "$loop" > "$TESTTMP/bb.nspawn"
        out=$("$CORRAL" -q -P -D "$BB" --bind="$loop" /bin/dd if="$loop" of=/dev/null bs=4k count=1 </dev/null 2>&1)
        expect_contains "$out" "ignoring DeviceAllow=" "the untrusted grant is named"
        expect_contains "$out" "Operation not permitted" "the untrusted file's DevicePolicy=closed applies, its grant does not"
}

test_freeze_thaw_and_usage() {
        ensure_bb
        start_bg fr 'while :; do echo x >> /out/c; done' --property=MemoryAccounting=yes
        sleep 0.2
        "$CORRALCTL" freeze fr || fail "freeze failed"
        a=$(wc -l < "$TESTTMP/out/c"); sleep 0.5; b=$(wc -l < "$TESTTMP/out/c")
        expect_eq "$a" "$b" "the counter stops while frozen"
        "$CORRALCTL" thaw fr || fail "thaw failed"
        sleep 0.3
        c=$(wc -l < "$TESTTMP/out/c")
        [ "$c" -gt "$b" ] || fail "the counter did not resume after thaw ($b -> $c)"
        u=$("$CGTOOL" usage fr)
        cpu=$(echo "$u" | awk '$1=="cpu_usec"{print $2}')
        mem=$(echo "$u" | awk '$1=="memory_current"{print $2}')
        tasks=$(echo "$u" | awk '$1=="tasks"{print $2}')
        [ "${cpu:-0}" -gt 1000 ] 2>/dev/null || fail "no CPU time counted: $u"
        [ "${mem:-0}" -gt 0 ] 2>/dev/null || fail "no memory counted with MemoryAccounting=yes: $u"
        [ "${tasks:-0}" -ge 1 ] 2>/dev/null || fail "no tasks counted: $u"
        stop_bg
}

test_set_property_live() {
        ensure_bb
        start_bg live 'while [ ! -e /out/go ]; do sleep 0.1; done; for i in 1 2 3 4 5 6; do sleep 5 & done 2>/out/err; sleep 30' --property=TasksMax=100
        "$CORRALCTL" set-property live TasksMax=3 MemoryMax=200M || fail "set-property failed"
        expect_limit live TasksMax=3
        expect_limit live MemoryMax=209715200
        out=$("$CORRALCTL" set-property live MemoryHigh=1G 2>&1)
        if on_v2 memory; then
                expect_eq "$(cat "$(cgdir memory live)/memory.high")" 1073741824 "MemoryHigh= on cgroup2: $out"
        else
                expect_contains "$out" "MemoryHigh= needs the cgroup v2 memory controller" "a limit v1 cannot express is refused"
        fi
        out=$("$CORRALCTL" set-property nosuch TasksMax=3 2>&1)
        expect_contains "$out" "No machine 'nosuch' known" "an unknown machine is named"
        out=$("$CORRALCTL" set-property live Nonsense=3 2>&1)
        expect_contains "$out" "Nonsense" "an unknown property is named"
        touch "$TESTTMP/out/go"
        wait_for "$TESTTMP/out/err" "can't fork" 10 || fail "the new TasksMax does not apply to the running container: $(cat "$TESTTMP/out/err")"
        stop_bg
}

# A container started without any property joins v1 hierarchies when one is set live; they go
# with it (the leak check looks).
test_set_property_on_plain_container() {
        ensure_bb
        start_bg plain "sleep 30"
        "$CORRALCTL" set-property plain MemoryMax=50M CPUQuota=50% || fail "set-property on a plain container failed"
        expect_limit plain MemoryMax=52428800
        procs=$(cat "$(cgdir memory plain)/cgroup.procs" | wc -l)
        [ "$procs" -ge 1 ] || fail "no process moved into the memory cgroup"
        stop_bg
}

test_property_errors() {
        ensure_bb
        out=$("$CORRAL" -D "$BB" --property=MemoryMax=lots true 2>&1)
        expect_contains "$out" "--property: MemoryMax=lots: expected bytes" "bad value named"
        if ! on_v2 memory; then
                out=$("$CORRAL" -D "$BB" --property=MemoryHigh=1G true 2>&1)
                expect_contains "$out" "MemoryHigh= needs the cgroup v2 memory controller" "MemoryHigh on a v1 memory controller"
        fi
        out=$("$CORRAL" -D "$BB" --property="IOReadBandwidthMax=/dev/nonexistent 1M" true 2>&1)
        expect_contains "$out" "cannot find the block device of /dev/nonexistent" "unknown device named"
        out=$("$CORRAL" -D "$BB" --slice=web true 2>&1)
        expect_contains "$out" 'slice "web" is not a slice unit name' "bad slice named"
}

test_slice_places_the_cgroup() {
        ensure_bb
        start_bg sl "sleep 30" --slice=machine-web.slice --property=TasksMax=50
        d=$(cgdir pids sl)
        expect_contains "$d" "/machine.slice/machine-web.slice/corral-sl.scope" "the cgroup is in the nested slice"
        expect_limit sl TasksMax=50
        u=$(cgdir unified sl)
        expect_contains "$u" "/machine.slice/machine-web.slice/corral-sl.scope" "the cgroup2 cgroup is in the nested slice"
        stop_bg
        stop_systemd_slice machine-web.slice
}

# A host without cgroup2 (cgroup v1 only), made here by unmounting the unified hierarchy in
# this test's mount namespace: everything goes through v1, the freezer too.
test_v1_only_host() {
        ensure_bb
        u=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
        [ -n "$u" ] && [ "$u" != /sys/fs/cgroup ] || skip "cgroup2 is the only hierarchy here"
        [ -d /sys/fs/cgroup/freezer ] || skip "no v1 freezer"
        umount -l "$u"
        out=$(cr -D "$BB" --property=MemoryMax=32M /bin/dd if=/dev/zero of=/dev/null bs=96M count=1 2>&1)
        expect_contains "$out" "out of memory" "MemoryMax on a v1-only host"
        start_bg v1 'while :; do echo x >> /out/c; done'
        [ -d "$(cgdir freezer v1)" ] || fail "no v1 freezer cgroup for the container"
        expect_contains "$("$CORRALCTL" status v1)" "sh -c echo up" "corralctl status finds the processes in corral's own cgroup2 mount"
        "$CORRALCTL" freeze v1 || fail "v1 freeze failed"
        a=$(wc -l < "$TESTTMP/out/c"); sleep 0.4; b=$(wc -l < "$TESTTMP/out/c")
        expect_eq "$a" "$b" "the counter stops in the v1 freezer"
        "$CORRALCTL" thaw v1 || fail "v1 thaw failed"
        stop_bg
        out=$(cr -D "$BB" --bind=/dev/zero:/z /bin/sh -c 'cat /proc/self/cgroup | grep -c ":/$"')
        [ "$out" -ge 6 ] || fail "the container does not see its v1 cgroups as roots: $out"
}

# A host on which nothing mounts a cgroup hierarchy, as Debian with sysvinit leaves it (its
# initscripts mount none), made here by unmounting every cgroup file system in this test's mount
# namespace, on a host whose controllers are all cgroup2's: corral mounts cgroup2 for itself,
# seen by no one else, makes and delegates its cgroups there, and limits, counts and freezes
# as on any host; corralctl finds the machine's cgroup the same way.
test_host_without_cgroup_mounts() {
        ensure_bb
        [ -d /run/systemd/system ] && skip "systemd as PID 1 (it keeps cgroup2 mounted)"
        grep -qw memory "$CG2/cgroup.controllers" 2>/dev/null || skip "the memory controller is not cgroup2's here"
        awk '$9 == "cgroup2" || $9 == "cgroup" {print $5}' /proc/self/mountinfo | sort -r | while read -r m; do umount -l "$m"; done
        [ -z "$(awk '$9 == "cgroup2" || $9 == "cgroup"' /proc/self/mountinfo)" ] || fail "cannot unmount the cgroup hierarchies"
        out=$("$CORRAL" -q -P -D "$BB" -M hog --property=MemoryMax=32M --property=MemorySwapMax=0 /bin/dd if=/dev/zero of=/dev/null bs=96M count=1 </dev/null 2>&1)
        expect_contains "$out" "terminated by signal KILL: out of memory" "MemoryMax with no hierarchy mounted"
        out=$(cr -D "$BB" --property=TasksMax=50 /bin/sh -c 'cat /sys/fs/cgroup/pids.max /proc/self/cgroup')
        expect_eq "$(echo $out)" "50 0::/" "the container's own cgroup2 root, with its limit"
        start_bg nocg 'while :; do echo x >> /out/c; done' --property=MemoryMax=64M
        st=$("$CORRALCTL" status nocg)
        expect_contains "$st" "CGroup: cgroup2:/machine.slice/corral-nocg.scope" "corralctl status names the cgroup in the hierarchy"
        expect_contains "$st" "sh -c echo up" "and lists its processes"
        expect_contains "$("$CORRALCTL" tree nocg)" "sh -c echo up" "corralctl tree lists them"
        expect_eq "$("$CORRALCTL" top -n 1 2>&1 | awk '$1 == "nocg" {print ($2 > 0)}')" 1 "corralctl top counts its tasks"
        expect_eq "$("$CORRALCTL" shell nocg grep '^0::' /proc/self/cgroup)" "0::/" "corralctl shell joins the machine's cgroup"
        "$CORRALCTL" freeze nocg || fail "freeze failed"
        a=$(wc -l < "$TESTTMP/out/c"); sleep 0.4; b=$(wc -l < "$TESTTMP/out/c")
        expect_eq "$a" "$b" "the counter stops while frozen"
        "$CORRALCTL" thaw nocg || fail "thaw failed"
        "$CORRALCTL" set-property nocg MemoryMax=48M || fail "set-property failed"
        leader=$("$CORRALCTL" show nocg -p Leader --value)
        expect_eq "$(nsenter -t "$leader" -m cat /sys/fs/cgroup/memory.max)" 50331648 "set-property changes the limit live"
        stop_bg
        expect_eq "$(grep -c cgroup /proc/self/mountinfo)" 0 "corral's own cgroup2 mount is seen by no one else"
}
