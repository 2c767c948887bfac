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
