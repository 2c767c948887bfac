#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs in the real-host guest, started by the image's corral-lane.service (tests/vm/image.sh) once
# the guest is up, from the results share it mounted: mounts the checkout the host shares over 9p at
# the path it has on the host (the build's paths are absolute), runs the integration tests the
# host chose, and leaves their results in the results share.  The unit powers the guest off.
#
# From the kernel command line: corral.src=PATH (the checkout on the host), corral.corral=PATH
# (the corral binary under test), corral.bench=NAME.sh (a benchmark to run after them), corral.reboot=1 (then the boot test:
# a machine enabled with corralctl, and one with machinectl, must run after a reboot of the
# guest; the job runs a second time after it).  Under sysvinit (the kind "sysvinit") there is
# no machinectl: only corral's machine is enabled, with its init script.
# The tests to run are the lines of tests in the results share (none: all); they run from the
# copy the host put there (checkout/) when it started the guest, so an edit on the host
# meanwhile does not reach a running lane.
set -u
arg() { tr ' ' '\n' < /proc/cmdline | sed -n "s/^corral\.$1=//p" | tail -1; }
src=$(arg src)
corral=$(arg corral)
out=$1 # the results share, mounted by the image's /usr/local/sbin/corral-lane
state=/var/lib/corral-lane # on the guest's disk: kept across its reboot
exec >> "$out/job.log" 2>&1
mkdir -p "$src" "$state"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144,ro src "$src" || { echo "cannot mount the checkout"; exit 1; }
export CORRAL=$corral CORRALCTL=$(dirname "$(dirname "$corral")")/corralctl/corralctl
export RESULTS=$out/results

# The end: the results are on the host already (9p writes through), and the disk is a throw-away
# snapshot, so no unit needs stopping.  (A clean poweroff would wait for the enabled machines'
# busybox inits, which ignore systemd's stop signal, 90 s each.)
systemd=0
[ -d /run/systemd/system ] && systemd=1
power_off() {
        sync
        if [ $systemd = 1 ]; then systemctl poweroff -ff; else /usr/sbin/poweroff -f; fi
        exit 0
}

# After the reboot: the machines enabled before it must run (bounded: 120 s under emulation).
if [ -e "$state/rebooted" ]; then
        CORRALCTL=/usr/local/bin/corralctl # as installed before the reboot
        for _ in $(seq 120); do
                "$CORRALCTL" list --no-legend 2>/dev/null | grep -q lane-boot &&
                        { [ $systemd = 0 ] || machinectl list --no-legend 2>/dev/null | grep -q lane-ns; } && break
                sleep 1
        done
        c=$("$CORRALCTL" list --no-legend 2>&1)
        rc=0
        if [ $systemd = 1 ]; then
                m=$(machinectl list --no-legend 2>&1)
                grep -q lane-boot <<<"$c" || { rc=1; echo "    corralctl list after the reboot: $c"; systemctl status --no-pager corral@lane-boot.service machines.target 2>&1 | sed 's/^/    /' | head -30; }
                grep -q lane-boot <<<"$m" || { rc=1; echo "    machinectl list does not show corral's machine: $m"; }
                grep -q lane-ns <<<"$m" || { rc=1; echo "    machinectl list does not show nspawn's machine (machinectl enable): $m"; }
        else
                grep -q lane-boot <<<"$c" || { rc=1; echo "    corralctl list after the reboot: $c"; ls -l /etc/rc2.d | grep -i corral | sed 's/^/    /'; cat /etc/corral/autostart 2>&1 | sed 's/^/    /'; }
        fi
        [ $rc = 0 ] && echo "PASS test_enable_starts_machines_at_host_boot" || echo "FAIL test_enable_starts_machines_at_host_boot (exit $rc)"
        echo "$rc test_enable_starts_machines_at_host_boot" >> "$RESULTS"
        echo "lane done"
        touch "$out/done"
        power_off
fi

# What kind of host this is, for the report.
{
        echo "kernel: $(uname -r)"
        echo "init: $(cat /proc/1/comm) $([ $systemd = 1 ] && systemctl --version | head -1)"
        echo "cgroup: $(stat -fc %T /sys/fs/cgroup) controllers: $(cat /sys/fs/cgroup/cgroup.controllers 2>/dev/null)"
        echo "os: $(. /etc/os-release && echo "$PRETTY_NAME")"
} > "$out/host"
cat "$out/host"
# (The lane's own unit is part of the boot: is-system-running says "starting" until it ends.)
[ $systemd = 1 ] && echo "failed units: $(systemctl --failed --no-legend --plain | tr '\n' ' ')"

export CORRAL_DEBIAN=/var/cache/corral-tests/bookworm CORRAL_DEBIAN_PODMAN=/var/cache/corral-tests/bookworm-podman
: > "$RESULTS"
# LANE_SCRIPT on the host: a script of the developer's instead of the tests (to look at
# something on this kind of host), its output in job.log.
if [ -f "$out/script" ]; then
        LANE_OUT=$out bash -x "$out/script" 2>&1
        echo "lane done"
        touch "$out/done"
        power_off
fi
# The tests' trees on the guest's disk (ext4), not tmpfs: Debian 12's 6.1 idmaps ext4 but not
# tmpfs (6.3), and users keep their machines on disk.
export TEST_DISK=/var/tmp/corral-tests
# Tests that change the host's own networking (systemd-networkd) run only here.
export CORRAL_LANE=1
mkdir -p "$TEST_DISK"
# The tests the host chose, a name (or part of one) a line; none: all.
mapfile -t tests < <(grep -v '^$' "$out/tests" 2>/dev/null)
bash "$out/checkout/tests/integration/run.sh" "${tests[@]}"

bench=$(arg bench)
if [ -n "$bench" ]; then
        echo "== bench/$bench in the guest ($(uname -r), $(cat /proc/1/comm))"
        TIMEIT=$out/timeit bash "$out/checkout/bench/$bench" 2>&1
        echo "== end"
fi

if [ "$(arg reboot)" = 1 ]; then
        # Two busybox machines in the guest's own /var/lib/machines, one enabled as corral's
        # users do, one as nspawn's (systemd-nspawn@.service; under systemd only), then a
        # reboot of the guest.
        export TESTTMP=/var/tmp/lane-boot
        mkdir -p "$TESTTMP"
        . "$out/checkout/tests/integration/lib.sh"
        make_bootable_image lane-boot
        make_bootable_image lane-ns
        # Installed as meson install lays it out: the unit names corral where it is, and the
        # checkout is not there at boot.
        build=$(dirname "$(dirname "$(dirname "$corral")")")
        install -D -m 0755 "$corral" /usr/local/bin/corral &&
                install -D -m 0755 "$build/src/corralctl/corralctl" /usr/local/bin/corralctl &&
                install -D -m 0755 "$build/src/corral-net/corral-net" /usr/local/libexec/corral/corral-net || echo "cannot install corral"
        if /usr/local/bin/corralctl enable lane-boot && { [ $systemd = 0 ] || machinectl enable lane-ns; }; then
                touch "$state/rebooted" "$state/reboot"
                echo "rebooting the guest"
                exit 0
        fi
        echo "FAIL test_enable_starts_machines_at_host_boot (exit 1)"
        echo "1 test_enable_starts_machines_at_host_boot" >> "$RESULTS"
fi
echo "lane done"
touch "$out/done"
power_off
