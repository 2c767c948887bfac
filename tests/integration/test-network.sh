# SPDX-License-Identifier: LGPL-2.1-or-later
# Networking: a network namespace of the container's own, and one given by path.  Every
# namespace here is the test's own; no traffic leaves them.

net_report='ls /sys/class/net | tr "\n" " "; echo; cat /sys/class/net/lo/flags; grep CapBnd /proc/self/status; echo 1 > /proc/sys/net/ipv4/ip_forward && echo netsys-rw'

test_private_network() {
        ensure_bb
        out=$(cr -D "$BB" --private-network /bin/sh -c "$net_report" 2>&1)
        expect_eq "$(echo "$out" | head -1)" "lo " "only lo in the container: $out"
        expect_contains "$out" "0x9" "lo is up"
        expect_contains "$out" "netsys-rw" "/proc/sys/net is the container's to tune"
        if have_nspawn; then
                want=$(ns -D "$BB" --private-network /bin/sh -c "$net_report")
                expect_eq "$out" "$want" "the same as systemd-nspawn (links, lo, capabilities with CAP_NET_ADMIN)"
                want=$(ns -D "$BB" -U -x --private-network /bin/sh -c "$net_report")
                got=$(cr -D "$BB" -U -x --private-network /bin/sh -c "$net_report" 2>&1)
                expect_eq "$got" "$want" "with -U too (CAP_NET_BIND_SERVICE kept, as nspawn)"
        fi
        out=$(cr -D "$BB" /bin/sh -c 'echo 1 > /proc/sys/net/ipv4/ip_forward 2>&1 || echo netsys-ro')
        expect_contains "$out" "netsys-ro" "on the host's network /proc/sys/net stays read-only"
        # Private= from a trusted file; an untrusted one's is named and ignored.
        printf '[Network]\nPrivate=yes\n' > /etc/systemd/nspawn/bb.nspawn
        out=$(cr -D "$BB" /bin/sh -c 'ls /sys/class/net | tr "\n" " "')
        expect_eq "$out" "lo " "Private=yes in a trusted file"
        rm /etc/systemd/nspawn/bb.nspawn
        printf '[Network]\nPrivate=yes\n' > "$TESTTMP/bb.nspawn"
        out=$("$CORRAL" -q -P -D "$BB" /bin/sh -c 'ls /sys/class/net | wc -l' </dev/null 2>&1)
        expect_contains "$out" "ignoring the [Network] settings" "an untrusted file's [Network] is named"
        expect_eq "$(echo "$out" | tail -1)" "$(ls /sys/class/net | wc -l)" "and not applied"
        rm "$TESTTMP/bb.nspawn"
}

test_network_namespace_path() {
        ensure_bb
        command -v ip >/dev/null || skip "no ip command to set up the test's namespace"
        touch "$TESTTMP/netns"
        unshare --net="$TESTTMP/netns" true || fail "cannot make the test's network namespace"
        nsenter --net="$TESTTMP/netns" ip link add d0 type veth peer name d1 || fail "cannot add a veth pair in it"
        out=$(cr -D "$BB" --network-namespace-path="$TESTTMP/netns" /bin/sh -c 'ls /sys/class/net | tr "\n" " "' 2>&1)
        expect_eq "$out" "d0 d1 lo " "the container is in the given namespace"
        # From a user namespace (nspawn fails here: "Failed to join network namespace"); sysfs
        # cannot be mounted for a namespace it does not own, so /proc/net tells.
        out=$(cr -D "$BB" -U -x --network-namespace-path="$TESTTMP/netns" /bin/sh -c 'tail -n +3 /proc/net/dev | cut -d: -f1 | tr -d " " | sort | tr "\n" " "' 2>&1)
        expect_eq "$out" "d0 d1 lo " "also from a user namespace"
        out=$(cr -D "$BB" --network-namespace-path=/etc/hostname true 2>&1)
        expect_contains "$out" "is not a network namespace" "a file that is not one is named"
        out=$(cr -D "$BB" --network-namespace-path="$TESTTMP/none" true 2>&1)
        expect_contains "$out" "$TESTTMP/none: cannot open it" "a missing one is named"
        out=$(cr -D "$BB" --private-network --network-namespace-path="$TESTTMP/netns" true 2>&1)
        expect_contains "$out" "cannot be combined" "with --private-network: an error, as nspawn"
        umount "$TESTTMP/netns"
}
