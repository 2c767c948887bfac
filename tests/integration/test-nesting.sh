# SPDX-License-Identifier: LGPL-2.1-or-later
# Containers in containers: FUSE inside, corral's --nesting profile, corral inside corral, and
# the host check that names missing kernel modules.

test_fuse_with_device_allow() {
        ensure_bb
        out=$(cr -D "$BB" /bin/sh -c 'mkdir -p /tmp/m; corral-probe fuse /tmp/m' 2>&1)
        expect_contains "$out" "cannot open /dev/fuse" "no FUSE without a grant"
        [ -c /dev/fuse ] || skip "the host has no /dev/fuse"
        out=$(cr -D "$BB" '--property=DeviceAllow=/dev/fuse rwm' /bin/sh -c 'mkdir -p /tmp/m; corral-probe fuse /tmp/m' 2>&1)
        expect_contains "$out" "fuse: mounted, root mode 40755" "DeviceAllow=/dev/fuse makes the node and FUSE mounts"
        printf '[Resources]\nDeviceAllow=/dev/fuse rwm\n' > /etc/systemd/nspawn/bb.nspawn
        out=$(cr -D "$BB" /bin/sh -c 'mkdir -p /tmp/m; corral-probe fuse /tmp/m' 2>&1)
        expect_contains "$out" "fuse: mounted" "DeviceAllow= from a trusted .nspawn file"
}

test_nesting_profile() {
        ensure_bb
        [ -c /dev/fuse ] || skip "the host has no /dev/fuse"
        out=$(cr -D "$BB" --nesting /bin/sh -c 'mkdir -p /tmp/m; corral-probe fuse /tmp/m; ls /dev/kmsg; grep CapBnd /proc/self/status; corral-probe escape bpf keyctl' 2>&1)
        expect_contains "$out" "fuse: mounted" "FUSE with --nesting"
        expect_contains "$out" "/dev/kmsg" "/dev/kmsg bound in"
        host_bnd=$(grep CapBnd /proc/self/status)
        expect_contains "$out" "$host_bnd" "every capability (of the host's bounding set)"
        expect_contains "$out" "bpf allowed" "bpf allowed"
        expect_contains "$out" "keyctl allowed" "keyctl allowed"
        # What runs inside tunes the network namespaces it makes through this /proc (crun writes
        # podman's net.ipv4.ping_group_range): /proc/sys/net is writable, the rest of /proc/sys not.
        out=$(cr -D "$BB" --nesting /bin/sh -c 'grep -E " /proc/sys(/net)? " /proc/self/mountinfo | cut -d" " -f5,6 | cut -d, -f1')
        expect_eq "$out" "/proc/sys ro
/proc/sys/net rw" "--nesting: /proc/sys/net writable"
        out=$(cr -D "$BB" /bin/sh -c 'grep -cE " /proc/sys/net " /proc/self/mountinfo')
        expect_eq "$out" 0 "without --nesting or a network namespace /proc/sys/net is as /proc/sys"
        # Nesting= is a grant: a trusted file's only.
        printf '[Exec]\nNesting=yes\n' > "$TESTTMP/bb.nspawn"
        out=$("$CORRAL" -q -P -D "$BB" /bin/grep CapBnd /proc/self/status </dev/null 2>&1)
        expect_contains "$out" "ignoring Nesting=" "an untrusted file's Nesting= is named"
        expect_not_contains "$out" "$host_bnd" "and not applied"
        rm "$TESTTMP/bb.nspawn"
        printf '[Exec]\nNesting=yes\n' > /etc/systemd/nspawn/bb.nspawn
        out=$(cr -D "$BB" /bin/grep CapBnd /proc/self/status 2>&1)
        expect_contains "$out" "$host_bnd" "a trusted file's Nesting= applies"
}

test_nesting_host_check_names_missing_modules() {
        ensure_bb
        # This test's mount namespace sees a /proc/filesystems without overlay and fuse.
        grep -vwE 'overlay|fuse' /proc/filesystems > "$TESTTMP/filesystems"
        mount --bind "$TESTTMP/filesystems" /proc/filesystems
        out=$("$CORRAL" -q -P -D "$BB" --nesting true </dev/null 2>&1)
        expect_contains "$out" "no overlay module loaded" "a missing overlay is named"
        expect_contains "$out" 'modprobe fuse' "and how to load fuse"
        umount /proc/filesystems
        out=$("$CORRAL" -q -P -D "$BB" true </dev/null 2>&1)
        expect_not_contains "$out" "module" "no check without --nesting"
}

# corral inside corral: the outer container has the --nesting profile, the inner one is a
# busybox tree inside it.
test_corral_in_corral() {
        ensure_bb
        local outer=$TESTTMP/outer
        make_busybox_tree "$outer"
        make_busybox_tree "$outer/inner"
        mkdir -p "$outer/usr/bin" "$outer/run/corral" "$outer/var/lib/machines"
        cp "$CORRAL" "$outer/usr/bin/corral"
        extra=()
        # A corral built with sanitizers is not static: give it the host's libraries.
        if ldd "$CORRAL" >/dev/null 2>&1; then
                ln -s usr/lib "$outer/lib"
                ln -s usr/lib64 "$outer/lib64"
                mkdir -p "$outer/usr/lib64"
                extra=(--bind-ro=/usr/lib --bind-ro=/usr/lib64)
        fi
        out=$(cr -D "$outer" --nesting "${extra[@]}" /usr/bin/corral -q -P -D /inner -M inner /bin/sh -c 'echo inner-ok $(hostname); cat /proc/1/cgroup' 2>&1)
        expect_contains "$out" "inner-ok inner" "the inner container runs"
        expect_contains "$out" "0::/" "the inner container has its own cgroup namespace"
        out=$(cr -D "$outer" "${extra[@]}" /usr/bin/corral -q -P -D /inner true 2>&1)
        expect_contains "$out" "start the outer one with --nesting" "without the profile, the failure says what to do"
}

# corralctl -M NAME (machinectl -M: the machined in the container): the machine's own
# corralctl acts on the machines inside it, as root or as USER@ of the machine.
test_corralctl_machine_option_on_nested_machines() {
        ensure_bb
        local outer=$TESTTMP/outer
        make_busybox_tree "$outer"
        make_busybox_tree "$outer/inner"
        mkdir -p "$outer/usr/bin" "$outer/run/corral" "$outer/var/lib/machines" "$outer/x" "$TESTTMP/x" "$outer/usr/lib64"
        cp "$CORRAL" "$outer/usr/bin/corral"
        cp "$CORRALCTL" "$outer/usr/bin/corralctl"
        ln -s usr/lib "$outer/lib"
        ln -s usr/lib64 "$outer/lib64"
        echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >> "$outer/etc/passwd"
        "$CORRAL" -q -P -D "$outer" -M outer --nesting --bind-ro=/usr/lib --bind-ro=/usr/lib64 --bind="$TESTTMP/x:/x" \
                /bin/sh -c 'corral -q -P -D /inner -M inner --bind=/x /bin/sh -c "touch /x/inner.up; sleep 1000"; touch /x/inner.end; sleep 1000' \
                </dev/null > "$TESTTMP/outer.out" 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/inner.up" 20 || fail "the inner machine did not start: $(cat "$TESTTMP/outer.out")"
        expect_eq "$("$CORRALCTL" --no-legend | awk '{print $1}')" outer "the host lists the outer machine"
        expect_eq "$("$CORRALCTL" -M outer --no-legend | awk '{print $1}')" inner "-M outer lists the machines in it"
        expect_eq "$("$CORRALCTL" -M outer -o json list | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["machine"])')" inner "with the options given"
        expect_eq "$("$CORRALCTL" --machine=root@outer show inner -p Name --value)" inner "--machine=root@outer show"
        out=$("$CORRALCTL" -M nobody@outer terminate inner 2>&1); rc=$?
        expect_eq "$rc" 1 "nobody@outer may not terminate: $out"
        expect_eq "$("$CORRALCTL" -qM outer --no-legend | awk '{print $1}')" inner "the inner machine still runs (-qM: -M in a cluster)"
        expect_rc 0 "$CORRALCTL" -M outer terminate inner
        wait_for_file "$TESTTMP/x/inner.end" 20 || fail "terminate in the outer machine did not end the inner one"
        expect_eq "$("$CORRALCTL" -M outer list)" "No machines." "and it is gone from the outer machine's list"
        "$CORRALCTL" terminate outer >/dev/null 2>&1
        wait $p || true
}

# --bind-ro= options that put this corral at /usr/local/bin/corral in the Debian tree, with the
# libraries a sanitizer build needs that the tree lacks.
corral_into_debian() {
        local net
        net=$(dirname "$(dirname "$CORRAL")")/corral-net/corral-net
        echo "--bind-ro=$CORRAL:/usr/local/bin/corral --bind-ro=$net:/usr/local/bin/corral-net"
        ldd "$CORRAL" "$net" 2>/dev/null | grep -oE '/[^ ]+\.so[^ ]*' | sort -u | while read -r lib; do
                [ -e "$CORRAL_DEBIAN$lib" ] || [ -e "$CORRAL_DEBIAN/usr$lib" ] || echo "--bind-ro=$lib"
        done
}

# Under systemd as PID 1 (here: a booted Debian guest), corral asks systemd for a delegated
# scope, corral-NAME.scope, and puts the container in its payload cgroup.
test_systemd_scope_in_booted_debian() {
        debian_tree
        ensure_bb
        make_busybox_tree "$TESTTMP/inner"
        cat > "$TESTTMP/check.sh" <<'SH'
for i in $(seq 90); do s=$(systemctl is-system-running); [ "$s" = starting ] || break; sleep 1; done
corral -q -P -D /inner -M inner /bin/sh -c 'echo INNER-CG $(cat /proc/self/cgroup); sleep 3' > /run/inner.out 2>&1 &
pid=$!
for i in $(seq 50); do systemctl -q is-active corral-inner.scope && break; sleep 0.1; done
sleep 1
echo "SCOPE $(systemctl show -p ActiveState -p Delegate -p Slice corral-inner.scope | sort | tr '\n' ' ')" > /dev/console
echo "PAYLOAD procs=$(wc -l < /sys/fs/cgroup/machine.slice/corral-inner.scope/payload/cgroup.procs) supervisor=$(cat /sys/fs/cgroup/machine.slice/corral-inner.scope/supervisor/cgroup.procs) corral=$pid" > /dev/console
wait $pid; echo "RC $? $(tr "\n" " " < /run/inner.out)" > /dev/console
tr '\n' ' ' < /run/inner.out > /dev/console; echo > /dev/console
for i in $(seq 50); do systemctl -q is-active corral-inner.scope || break; sleep 0.1; done
echo "AFTER $(systemctl is-active corral-inner.scope) $(ls /sys/fs/cgroup/machine.slice 2>&1 | grep -c corral-inner)" > /dev/console
# A unit of that name exists already (another corral's, in another mount namespace, say).
systemd-run -q --scope --unit=corral-twice.scope sleep 3 &
for i in $(seq 50); do systemctl -q is-active corral-twice.scope && break; sleep 0.1; done
echo "SECOND $(corral -q -P -D /inner -M twice true 2>&1)" > /dev/console
wait
# --keep-unit: the container goes into the unit corral runs in (delegated), as nspawn's does.
systemd-run -q --scope -p Delegate=yes --unit=kept.scope corral -q -P --keep-unit -D /inner -M kept sleep 2 &
for i in $(seq 50); do [ -n "$(find /sys/fs/cgroup -path '*/kept.scope/payload')" ] && break; sleep 0.1; done
echo "KEPT $(find /sys/fs/cgroup -path '*/kept.scope/*' -name cgroup.procs | sort | sed 's|/sys/fs/cgroup/||' | tr '\n' ' ') own=$(systemctl is-active corral-kept.scope)" > /dev/console
wait
echo "CHECK done" > /dev/console
SH
        printf '[Service]\nType=simple\nExecStart=/bin/sh /check.sh\n' > "$TESTTMP/corral-check.service"
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN" -x -M outer --nesting --bind="$TESTTMP/inner:/inner" \
                --bind-ro="$TESTTMP/check.sh:/check.sh" $(corral_into_debian)
        # (The report's lines only: a failure shows them, not the whole boot.)
        out=$(grep -aE -A1 'SCOPE|PAYLOAD|INNER|RC|AFTER|SECOND|KEPT|CHECK|machined' "$TESTTMP/console.out.clean")
        expect_contains "$out" "ActiveState=active" "systemd has the scope while the container runs"
        expect_contains "$out" "Delegate=yes" "the scope is delegated"
        expect_contains "$out" "Slice=machine.slice" "in machine.slice"
        expect_contains "$out" "PAYLOAD procs=1 " "the container is in the scope's payload cgroup"
        expect_contains "$(grep PAYLOAD <<<"$out")" "supervisor=" "the supervisor in the scope's supervisor cgroup"
        sup=$(grep -oE 'supervisor=[0-9]+' <<<"$out"); crl=$(grep -oE 'corral=[0-9]+' <<<"$out")
        expect_eq "${sup#*=}" "${crl#*=}" "the supervisor leaf holds corral itself"
        expect_contains "$(grep INNER-CG <<<"$out")" " 0::/ " "the container sees its cgroup as the root"
        expect_contains "$out" "RC 0" "the nested container's exit status"
        expect_not_contains "$out" "machined" "a system bus without systemd-machined: nothing to register with, and nothing said"
        expect_contains "$out" "AFTER inactive 0" "the scope and its cgroup are gone after the exit"
        expect_contains "$out" "SECOND " "a second start of the same name"
        expect_contains "$(grep SECOND <<<"$out")" "corral-twice.scope already" "is refused, naming the unit"
        expect_contains "$(grep KEPT <<<"$out")" "kept.scope/payload/cgroup.procs system.slice/kept.scope/supervisor/cgroup.procs" \
                "--keep-unit: payload and supervisor in corral's own unit"
        expect_contains "$(grep KEPT <<<"$out")" "own=inactive" "--keep-unit: no scope of its own"
}

# Boots the nesting tree (CORRAL_DEBIAN_PODMAN) with --nesting, the engine's storage on a tmpfs,
# $TESTTMP/bb.tar and check.sh bound in, and the options given; prints the console lines with tag.
boot_nesting_tree() { # name tag storage [option...]
        local name=$1 tag=$2 storage=$3
        shift 3
        printf '[Service]\nType=simple\nExecStart=/bin/sh /check.sh\n' > "$TESTTMP/corral-check.service"
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN_PODMAN" -x -M "$name" --nesting --tmpfs="$storage" "$@" \
                --bind-ro="$TESTTMP/bb.tar:/bb.tar" --bind-ro="$TESTTMP/check.sh:/check.sh"
        grep -a "$tag" "$TESTTMP/console.out.clean"
}

# Docker-style nesting: podman from Debian's packages inside a booted Debian container with the
# --nesting profile runs a container from an image imported from a tarball (no registry).  Its
# network is "none": the outer container shares the host's network, which a test never touches.
# Two things of this test host, not of corral, shape the podman command line:
# - crun raises RLIMIT_MEMLOCK to load its device program, which needs CAP_SYS_RESOURCE; this
#   host's bounding set lacks it (CapBnd 000001fffeffffff, for every process): runc it is.
# - on a hybrid host the controllers are bound to cgroup v1, so the guest's cgroup2 has none:
#   no pids.max to write podman's default limit of 2048 into (--pids-limit=-1).
test_podman_in_booted_debian() {
        [ -n "${CORRAL_DEBIAN_PODMAN:-}" ] && [ -x "$CORRAL_DEBIAN_PODMAN/usr/bin/podman" ] || skip "no Debian tree with podman (CORRAL_DEBIAN_PODMAN)"
        make_busybox_tree "$TESTTMP/bbimg"
        tar -C "$TESTTMP/bbimg" -cf "$TESTTMP/bb.tar" .
        local opts="" cg2
        capsh --has-b=cap_sys_resource 2>/dev/null || opts="$opts --runtime=runc"
        cg2=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
        grep -qw pids "$cg2/cgroup.controllers" 2>/dev/null || opts="$opts --pids-limit=-1"
        cat > "$TESTTMP/check.sh" <<SH
for i in \$(seq 90); do s=\$(systemctl is-system-running); [ "\$s" = starting ] || break; sleep 1; done
podman import -q /bb.tar localhost/bb > /run/podman.out 2>&1
podman run --rm --network=none $opts localhost/bb /bin/sh -c 'echo PODMAN-RUN \$(hostname) \$(cat /proc/1/cmdline | tr "\\0" " ")' >> /run/podman.out 2>&1
echo "PODMAN rc=\$?" >> /run/podman.out
echo "PODMAN-SCOPES \$(systemctl list-units --no-legend --plain 'libpod*' | wc -l)" >> /run/podman.out
tr '\n' ' ' < /run/podman.out > /dev/console; echo > /dev/console
echo "CHECK done" > /dev/console
SH
        out=$(boot_nesting_tree pod PODMAN /var/lib/containers)
        echo "$out"
        expect_contains "$out" "PODMAN rc=0" "podman runs a container inside corral"
        expect_contains "$out" "PODMAN-RUN " "with the payload's output"
        expect_contains "$out" "/bin/sh -c echo" "the payload is PID 1 of podman's container"
        expect_eq "$(cat "$TESTTMP/rc")" 0 "the outer container powers off cleanly"
}

# Docker from Debian's packages (docker.io 20.10, containerd, runc) inside a booted Debian
# container with the --nesting profile, as the seeds' NAS users run it: dockerd started by the
# guest's systemd (the tree leaves it disabled: see scripts/debian-image.sh), a container from an image imported from a tarball (no registry) on
# Docker's default bridge network.  The outer container has a network namespace of its own
# (--private-network), so docker0, its veth links and its iptables rules are made in there and
# the host's network is never touched.  /var/lib/docker is a tmpfs: overlay2 cannot stack its
# layers on the overlay of -x.
test_docker_in_booted_debian() {
        [ -n "${CORRAL_DEBIAN_PODMAN:-}" ] && [ -x "$CORRAL_DEBIAN_PODMAN/usr/sbin/dockerd" ] || skip "no Debian tree with Docker (CORRAL_DEBIAN_PODMAN)"
        make_busybox_tree "$TESTTMP/bbimg"
        ln -sf busybox "$TESTTMP/bbimg/bin/ip"
        tar -C "$TESTTMP/bbimg" -cf "$TESTTMP/bb.tar" .
        cat > "$TESTTMP/check.sh" <<'SH'
for i in $(seq 90); do s=$(systemctl is-system-running); [ "$s" = starting ] || break; sleep 1; done
systemctl start docker.service
for i in $(seq 120); do docker info >/dev/null 2>&1 && break; sleep 1; done
{
docker import /bb.tar local/bb >/dev/null
docker run --rm --pull=never local/bb /bin/sh -c 'echo DOCKER-RUN $(hostname) pid1=$(cat /proc/1/cmdline | tr "\0" " ") $(ip -4 -o addr show eth0 | cut -d" " -f7)'
echo "DOCKER rc=$?"
echo "DOCKER-INFO $(docker info -f 'driver={{.Driver}} cgroup={{.CgroupDriver}}/{{.CgroupVersion}}')"
echo "DOCKER-UNITS $(systemctl is-active docker.service containerd.service | tr '\n' ' ')"
} > /run/docker.out 2>&1
[ -s /run/docker.out ] || echo "DOCKER none" > /run/docker.out
journalctl -b -u docker.service --no-pager 2>&1 | grep -i 'level=error\|failed' | tail -5 | sed 's/^/DOCKER-LOG /' >> /run/docker.out
tr '\n' ' ' < /run/docker.out > /dev/console; echo > /dev/console
echo "CHECK done" > /dev/console
SH
        out=$(boot_nesting_tree dock DOCKER /var/lib/docker --private-network)
        echo "$out"
        expect_contains "$out" "DOCKER rc=0" "docker runs a container inside corral"
        expect_contains "$out" "pid1=/bin/sh -c echo" "the payload is PID 1 of Docker's container"
        expect_contains "$out" " 172.17." "on Docker's default bridge network"
        expect_contains "$out" "DOCKER-UNITS active active" "dockerd and containerd run as the guest's services"
        expect_eq "$(cat "$TESTTMP/rc")" 0 "the outer container powers off cleanly"
}

# enable and disable with systemd as PID 1 (a booted Debian): corral@NAME.service, wanted by
# machines.target, and systemctl runs the machine with it.
test_enable_with_systemd_in_booted_debian() {
        debian_tree
        make_busybox_tree "$TESTTMP/inner"
        ln -sf ../bin/busybox "$TESTTMP/inner/sbin/init"
        printf '::respawn:/bin/sleep 1000000\n' > "$TESTTMP/inner/etc/inittab"
        cat > "$TESTTMP/check.sh" <<'SH'
for i in $(seq 90); do s=$(systemctl is-system-running); [ "$s" = starting ] || break; sleep 1; done
mkdir -p /var/lib/machines /etc/systemd/nspawn && cp -a /inner /var/lib/machines/inner
# busybox init powers off on SIGUSR2.
printf '[Exec]\nPrivateUsers=no\nKillSignal=SIGUSR2\n[Network]\nVirtualEthernet=no\n' > /etc/systemd/nspawn/inner.nspawn
echo "ENABLE $(corralctl enable inner 2>&1 | tr '\n' ' ')" > /dev/console
echo "ISENABLED $(systemctl is-enabled corral@inner.service 2>&1) $(systemctl is-enabled machines.target 2>&1)" > /dev/console
systemctl start corral@inner.service
echo "ACTIVE $(systemctl is-active corral@inner.service) LIST $(corralctl list --no-legend | awk '{print $1}')" > /dev/console
systemctl stop corral@inner.service
echo "STOPPED $(systemctl is-active corral@inner.service)" > /dev/console
echo "DISABLE $(corralctl disable inner 2>&1 | tr '\n' ' ') $(systemctl is-enabled corral@inner.service)" > /dev/console
echo "CHECK done" > /dev/console
SH
        printf '[Service]\nType=simple\nExecStart=/bin/sh /check.sh\n' > "$TESTTMP/corral-check.service"
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN" -x -M outer --nesting --bind="$TESTTMP/inner:/inner" \
                --bind-ro="$TESTTMP/check.sh:/check.sh" --bind-ro="$CORRALCTL:/usr/local/bin/corralctl" $(corral_into_debian)
        out=$(cat "$TESTTMP/console.out.clean")
        expect_contains "$out" "Created symlink /etc/systemd/system/machines.target.wants/corral@inner.service" "enable makes the unit wanted: $(grep -E 'ENABLE|ISENABLED|ACTIVE|STOPPED|DISABLE' <<<"$out")"
        expect_contains "$out" "ISENABLED enabled enabled" "systemd sees corral@inner.service and machines.target enabled"
        expect_contains "$out" "ACTIVE active LIST inner" "systemctl start runs the machine, registered"
        expect_contains "$out" "STOPPED inactive" "systemctl stop stops it"
        expect_contains "$out" "DISABLE Removed /etc/systemd/system/machines.target.wants/corral@inner.service." "disable removes the link"
        expect_contains "$(grep DISABLE <<<"$out")" " disabled" "and systemd sees it disabled"
}

# Registration with systemd-machined (a booted Debian with systemd-container): machinectl lists
# corral's machine with its leader, unit, root and veth link, and forgets it at its end.  The
# outer container has a network namespace of its own, where the inner veth pair is made.
test_machined_registration_in_booted_debian() {
        [ -n "${CORRAL_DEBIAN_PODMAN:-}" ] && [ -x "$CORRAL_DEBIAN_PODMAN/usr/lib/systemd/systemd-machined" ] ||
                skip "no Debian tree with systemd-machined (CORRAL_DEBIAN_PODMAN)"
        CORRAL_DEBIAN=$CORRAL_DEBIAN_PODMAN
        make_busybox_tree "$TESTTMP/inner"
        cat > "$TESTTMP/check.sh" <<'SH'
for i in $(seq 90); do s=$(systemctl is-system-running); [ "$s" = starting ] || break; sleep 1; done
corral -q -P -D /inner -M inner -n --register=yes sleep 30 > /run/inner.out 2>&1 &
pid=$!
for i in $(seq 100); do machinectl -q show inner >/dev/null 2>&1 && break; sleep 0.1; done
echo "LIST $(machinectl list --no-legend | tr -s ' ')" > /dev/console
echo "SHOW $(machinectl show inner -p Name -p Class -p Service -p Unit -p RootDirectory -p Id | sort | tr '\n' ' ')" > /dev/console
echo "LEADER $(machinectl show inner -p Leader --value) $(corralctl show inner -p Leader --value)" > /dev/console
echo "IFACES $(busctl get-property org.freedesktop.machine1 /org/freedesktop/machine1/machine/inner org.freedesktop.machine1.Machine NetworkInterfaces) $(cat /sys/class/net/ve-inner/ifindex)" > /dev/console
echo "STATUS $(machinectl status inner | grep -E 'Iface|Leader|Unit' | tr -s ' ' | tr '\n' ' ')" > /dev/console
echo "UUID $(corralctl show inner -p Id --value)" > /dev/console
machinectl terminate inner
wait $pid; echo "RC $? $(tr "\n" " " < /run/inner.out)" > /dev/console
for i in $(seq 50); do machinectl -q show inner >/dev/null 2>&1 || break; sleep 0.1; done
echo "AFTER $(machinectl list --no-legend | wc -l)" > /dev/console
# A name machined knows already: corral warns and runs (its own registry is the one it uses).
systemd-run -q --unit=taken.service sleep 20
busctl call org.freedesktop.machine1 /org/freedesktop/machine1 org.freedesktop.machine1.Manager RegisterMachine sayssus \
        taken 0 test container "$(systemctl show -p MainPID --value taken.service)" /
echo "TAKEN $(corral -q -P -D /inner -M taken /bin/echo ran 2>&1 | tr '\n' ' ')" > /dev/console
echo "NOREG $(corral -q -P -D /inner -M noreg --register=no /bin/sh -c 'machinectl list --no-legend 2>/dev/null | grep -c noreg; echo in' 2>&1 | tr '\n' ' ')" > /dev/console
systemctl stop taken.service
echo "CHECK done" > /dev/console
SH
        printf '[Service]\nType=simple\nExecStart=/bin/sh /check.sh\n' > "$TESTTMP/corral-check.service"
        boot_and_check "$CORRAL" -D "$CORRAL_DEBIAN_PODMAN" -x -M outer --nesting --private-network --bind="$TESTTMP/inner:/inner" \
                --bind-ro="$TESTTMP/check.sh:/check.sh" --bind-ro="$CORRALCTL:/usr/local/bin/corralctl" $(corral_into_debian)
        out=$(grep -aE 'LIST|SHOW|STATUS|LEADER|IFACES|UUID|RC|AFTER|TAKEN|NOREG' "$TESTTMP/console.out.clean")
        echo "$out"
        expect_contains "$(grep LIST <<<"$out")" "inner container corral" "machinectl list shows the machine, its class and service"
        expect_contains "$(grep SHOW <<<"$out")" "Unit=corral-inner.scope" "in corral's scope"
        expect_contains "$(grep SHOW <<<"$out")" "RootDirectory=/inner" "with its root"
        # (the guest's login prompt may share a line of the console with a report)
        read -r _ ml cl <<<"$(grep -o 'LEADER [0-9]* [0-9]*' <<<"$out")"
        [ -n "$ml" ] || fail "no leader in: $out"
        expect_eq "$ml" "$cl" "machined's leader is corral's"
        read -r _ sig n mi ci <<<"$(grep -o 'IFACES .*' <<<"$out")"
        expect_eq "$sig $n $mi" "ai 1 $ci" "machined has the host side of the veth pair"
        expect_contains "$(grep STATUS <<<"$out")" "Iface: ve-inner" "machinectl status names it"
        uuid=$(grep -o 'UUID [0-9a-f]*' <<<"$out" | awk '{print $2}')
        [ ${#uuid} = 32 ] || fail "no UUID in: $out"
        expect_contains "$(grep SHOW <<<"$out")" "Id=$uuid" "and the machine's UUID"
        expect_contains "$out" "RC 1 Container inner terminated by signal" "machinectl terminate ends the container (the scope's SIGTERM to corral, then its kill signal)"
        expect_contains "$out" "AFTER 0" "machined forgets the machine at its end"
        expect_contains "$(grep TAKEN <<<"$out")" 'systemd-machined has a machine named "taken" already' "a name machined has is named"
        expect_contains "$(grep TAKEN <<<"$out")" "ran" "and the container runs"
        expect_contains "$(grep NOREG <<<"$out")" "NOREG 0 in" "--register=no: machined does not hear of it"
}
