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
        make_test_netns
        $N ip link add d0 type veth peer name d1 || fail "cannot add a veth pair in it"
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
        # With --private-network, as nspawn 252 (its own tests assert it): the container joins the
        # namespace given, and it is the container's to administer (CAP_NET_ADMIN, /proc/sys/net).
        local runner want=
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                out=$($runner -D "$BB" -M nsp --private-network --network-namespace-path="$TESTTMP/netns" /bin/sh -c '
                        ls /sys/class/net | tr "\n" " "; grep CapBnd /proc/self/status | cut -f2
                        echo 1 > /proc/sys/net/ipv4/conf/d0/forwarding && echo net-writable' 2>&1)
                expect_contains "$(echo $out)" "d0 d1 lo " "$runner --private-network --network-namespace-path=: the namespace given"
                expect_contains "$out" "net-writable" "$runner: its /proc/sys/net is writable"
                [ -z "$want" ] && want=$out
        done
        expect_eq "$out" "$want" "corral and nspawn agree (links, bounding set, /proc/sys/net)"
        # The seven that nspawn refuses, each with the links it would make.
        local o
        for o in -n --network-veth-extra=a:b --network-bridge=br0 --network-zone=z --network-interface=d1 --network-macvlan=d1 --network-ipvlan=d1; do
                out=$(cr -D "$BB" --network-namespace-path="$TESTTMP/netns" "$o" true 2>&1)
                expect_contains "$out" "--network-namespace-path= cannot be combined with" "$o with --network-namespace-path=: refused"
        done
        umount "$TESTTMP/netns"
}

# A start that fails in the child while the supervisor sets up the links names the child's
# failure (a missing bind source), not what the child's end did to the links.
test_child_failure_named_during_network_setup() {
        ensure_bb
        make_test_netns
        $N ip link add br9 type bridge || fail "cannot add a bridge in the test's namespace"
        local o i
        for o in -n --network-bridge=br9; do
                for i in 1 2 3; do
                        out=$($N "$CORRAL" -q -P -D "$BB" -M failnet "$o" --bind=/etc/hostname:/bin true 2>&1 </dev/null)
                        # (A file over the tree's /bin: only the mount in the child fails; missing
                        # sources are found before anything starts.)
                        expect_eq "$out" "corral: cannot set up /bin (bind step): bind mount of /etc/hostname: Not a directory" \
                                "$o, run $i: the child's failure is the message"
                done
        done
        umount "$TESTTMP/netns"
}

# -n: ve-NAME on the host side (up), host0 in the container, connectivity both ways.  All in a
# network namespace the test made ($N runs a command in it).
test_network_veth() {
        ensure_bb
        for a in ip ping; do ln -sf busybox "$BB/bin/$a"; done
        make_test_netns
        # A LAN on 192.168.0.0/24 here: the pool must step around it.
        $N ip link add lan0 type veth peer name lan1 && $N ip addr add 192.168.0.1/24 dev lan0
        mkdir -p "$TESTTMP/x"
        $N "$CORRAL" -q -P -D "$BB" -M web -n --bind="$TESTTMP/x:/x" /bin/sh -c '
                ls /sys/class/net | tr "\n" " " > /x/links
                while [ ! -e /x/go ]; do sleep 0.1; done
                ip addr add 10.99.0.2/24 dev host0 && ip link set host0 up
                ping -c1 -W3 10.99.0.1 >/dev/null && echo ok > /x/to-host
                while [ ! -e /x/done ]; do sleep 0.1; done' </dev/null > "$TESTTMP/out" 2>&1 &
        local pid=$!
        for _ in $(seq 50); do $N ip link show ve-web >/dev/null 2>&1 && break; sleep 0.1; done
        state=$($N ip -o link show ve-web) || { kill $pid; fail "no ve-web link: $(cat "$TESTTMP/out")"; }
        expect_contains "$state" ",UP" "the host side is up"
        expect_contains "$($N ip -o -4 addr show ve-web)" "inet 192.168.1.1/28" "the host side's address: the first /28 of the pool clear of the LAN"
        $N ip addr add 10.99.0.1/24 dev ve-web
        touch "$TESTTMP/x/go"
        for _ in $(seq 50); do [ -e "$TESTTMP/x/to-host" ] && break; sleep 0.1; done
        $N busybox ping -c1 -W3 10.99.0.2 >/dev/null && back=ok
        touch "$TESTTMP/x/done"
        wait $pid
        expect_eq "$(cat "$TESTTMP/x/links")" "host0 lo " "the container has host0 and lo"
        expect_eq "$(cat "$TESTTMP/x/to-host" 2>/dev/null)" ok "the container reaches the host side"
        expect_eq "${back:-}" ok "the host side reaches the container"
        for _ in $(seq 50); do $N ip link show ve-web >/dev/null 2>&1 || break; sleep 0.1; done
        $N ip link show ve-web >/dev/null 2>&1 && fail "ve-web is left after the container ended"
        # nspawn's fixed MAC addresses (from the machine ID and the name), compared.
        if have_nspawn; then
                macs() { # runner...
                        # Container's side, then the host's, whichever is read first.
                        {
                                "$@" -q -P -D "$BB" -x -M macweb -n /bin/sh -c 'echo "1 $(cat /sys/class/net/host0/address)"; sleep 1' </dev/null 2>/dev/null &
                                local p=$!
                                for _ in $(seq 50); do $N ip link show ve-macweb >/dev/null 2>&1 && break; sleep 0.1; done
                                sleep 0.3
                                echo "2 $($N cat /sys/class/net/ve-macweb/address 2>/dev/null || $N ip -o link show ve-macweb | grep -o 'link/ether [0-9a-f:]*')"
                                wait $p
                        } | sort | cut -d' ' -f2-
                }
                want=$(macs $N $NSPAWN | tr '\n' ' ' | sed 's|link/ether ||')
                got=$(macs $N "$CORRAL" | tr '\n' ' ' | sed 's|link/ether ||')
                [ -n "$want" ] && [ "$(echo $want | wc -w)" = 2 ] || fail "could not read nspawn's MAC addresses: $want"
                echo "macs: $got"
                expect_eq "$got" "$want" "the MAC addresses of ve-macweb and host0, as nspawn's"
        fi
        # nspawn's rule for long names, and the clash of a name in use.
        $N "$CORRAL" -q -P -D "$BB" -x -M averyveryverylongname -n /bin/sh -c 'sleep 3' </dev/null &
        pid=$!
        for _ in $(seq 50); do $N ip link show ve-averyverUARo >/dev/null 2>&1 && break; sleep 0.1; done
        $N ip link show ve-averyverUARo >/dev/null 2>&1 || fail "a long name is not shortened as nspawn does (ve-averyverUARo)"
        expect_contains "$($N ip -o -4 addr show ve-averyverUARo)" "inet 192.168.1.1/28" "web is gone: its /28 is free again"
        $N "$CORRAL" -q -P -D "$BB" -x -M second -n /bin/sh -c 'sleep 1' </dev/null &
        local pid2=$!
        for _ in $(seq 50); do $N ip -o -4 addr show ve-second 2>/dev/null | grep -q inet && break; sleep 0.1; done
        expect_contains "$($N ip -o -4 addr show ve-second)" "inet 192.168.1.17/28" "a second container gets the next /28"
        wait $pid2
        $N ip link add ve-taken type veth peer name tk1
        out=$($N "$CORRAL" -q -P -D "$BB" -x -M taken -n true </dev/null 2>&1)
        expect_contains "$out" "a network link named ve-taken exists already" "a clash is named"
        $N ip link del ve-taken
        wait $pid
        out=$($N "$CORRAL" -q -P -D "$BB" -U -x -n /bin/sh -c 'ls /sys/class/net | tr "\n" " "' </dev/null 2>&1)
        expect_eq "$out" "host0 lo " "-n with a user namespace"
        # A supervisor killed with SIGKILL: the container dies with it, and the pair with its namespace.
        $N "$CORRAL" -q -P -D "$BB" -x -M killed -n sleep 30 </dev/null >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 50); do $N ip link show ve-killed >/dev/null 2>&1 && break; sleep 0.1; done
        $N ip link show ve-killed >/dev/null 2>&1 || fail "no ve-killed"
        kill -KILL $pid; wait $pid
        for _ in $(seq 50); do $N ip link show ve-killed >/dev/null 2>&1 || break; sleep 0.1; done
        $N ip link show ve-killed >/dev/null 2>&1 && fail "ve-killed is left after a SIGKILL of the supervisor"
        cr -D "$BB" -M killed true || fail "the next start of the name does not clean up" # (its stale cgroup)
        printf '[Network]\nVirtualEthernet=yes\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ls /sys/class/net | tr "\n" " "' </dev/null 2>&1)
        expect_eq "$out" "host0 lo " "VirtualEthernet=yes in a trusted file"
        rm /etc/systemd/nspawn/bb.nspawn
        $N ip link del lan0
        umount "$TESTTMP/netns"
}

# -n without systemd-networkd: the supervisor's DHCP server gives the container its address.
test_busybox_udhcpc_gets_a_lease() {
        ensure_bb
        for a in ip ping udhcpc; do ln -sf busybox "$BB/bin/$a"; done
        make_test_netns
        mkdir -p "$TESTTMP/x"
        printf '#!/bin/sh\necho "$1 ip=$ip subnet=$subnet router=$router" >> /x/lease\n[ "$1" = bound ] && ip addr add $ip/$subnet dev $interface && ip route add default via $router\nexit 0\n' > "$TESTTMP/x/script"
        chmod +x "$TESTTMP/x/script"
        out=$($N "$CORRAL" -q -P -D "$BB" -M dh -n --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip link set host0 up
                udhcpc -i host0 -n -q -f -t 5 -T 1 -s /x/script >/dev/null 2>&1 || echo no-lease
                ip -4 -o addr show host0
                ping -c1 -W3 $(ip route | awk "/default/{print \$3}") >/dev/null && echo gateway-ok' </dev/null 2>&1)
        expect_contains "$(cat "$TESTTMP/x/lease" 2>/dev/null)" "bound ip=192.168.0.2 subnet=255.255.255.240 router=192.168.0.1" "udhcpc gets the lease: $out"
        expect_contains "$out" "inet 192.168.0.2/28" "and the address is on host0"
        expect_contains "$out" "gateway-ok" "the host side answers as the router"
        umount "$TESTTMP/netns"
}

# --network-bridge: vb-NAME joins the bridge; two containers on it reach each other.
test_network_bridge() {
        ensure_bb
        for a in ip ping; do ln -sf busybox "$BB/bin/$a"; done
        make_test_netns
        $N ip link add br0 type bridge && $N ip link set br0 up || fail "cannot make the test's bridge"
        mkdir -p "$TESTTMP/x"
        $N "$CORRAL" -q -P -D "$BB" -x -M a --network-bridge=br0 --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip addr add 10.98.0.1/24 dev host0 && ip link set host0 up
                touch /x/a-up; while [ ! -e /x/done ]; do sleep 0.1; done' </dev/null > "$TESTTMP/a.out" 2>&1 &
        local pid=$!
        for _ in $(seq 50); do [ -e "$TESTTMP/x/a-up" ] && break; sleep 0.1; done
        expect_contains "$($N ip -o link show vb-a)" "master br0" "vb-a is in the bridge"
        expect_eq "$($N ip -o -4 addr show vb-a | wc -l)" 0 "a bridged host side gets no address of corral's"
        out=$($N "$CORRAL" -q -P -D "$BB" -x -M b --network-bridge=br0 /bin/sh -c '
                ip addr add 10.98.0.2/24 dev host0 && ip link set host0 up
                for i in 1 2 3 4 5; do ping -c1 -W1 10.98.0.1 >/dev/null && echo reached-a && break; done' </dev/null 2>&1)
        touch "$TESTTMP/x/done"
        wait $pid
        expect_contains "$out" "reached-a" "b reaches a over the bridge"
        out=$($N "$CORRAL" -q -P -D "$BB" -x -M c --network-bridge=nobr0 true </dev/null 2>&1)
        expect_contains "$out" "there is no bridge named nobr0" "a missing bridge is named"
        # The kernel removes a pair when the container's namespace goes, a moment after its end.
        for _ in $(seq 50); do $N ip -o link show | grep -q 'vb-' || break; sleep 0.1; done
        expect_eq "$($N ip -o link show | grep -c 'vb-')" 0 "no vb- link is left"
        $N ip link del br0
        umount "$TESTTMP/netns"
}

# --network-veth-extra (host side left down, as nspawn), --network-macvlan on a parent the test
# makes, and --network-ipvlan (an error naming the module where the kernel lacks it).
test_network_extra_links() {
        ensure_bb
        ln -sf busybox "$BB/bin/ip"
        make_test_netns
        $N ip link add par0 type veth peer name par1 && $N ip link set par0 up
        mkdir -p "$TESTTMP/x"
        $N "$CORRAL" -q -P -D "$BB" -M vx --network-veth-extra=xhost:xcont --network-veth-extra=yhost --network-macvlan=par0 \
                --bind="$TESTTMP/x:/x" /bin/sh -c 'ls /sys/class/net | tr "\n" " " > /x/links; touch /x/up; while [ ! -e /x/done ]; do sleep 0.1; done' \
                </dev/null > "$TESTTMP/out" 2>&1 &
        local pid=$!
        for _ in $(seq 50); do [ -e "$TESTTMP/x/up" ] && break; sleep 0.1; done
        expect_eq "$(cat "$TESTTMP/x/links" 2>/dev/null)" "lo mv-par0 xcont yhost " "the extra links inside: $(cat "$TESTTMP/out")"
        expect_contains "$($N ip -o link show xhost)" "state DOWN" "xhost here, down as nspawn leaves it"
        $N ip -o link show yhost >/dev/null || fail "no yhost here"
        touch "$TESTTMP/x/done"
        wait $pid
        for _ in $(seq 50); do $N ip -o link show xhost >/dev/null 2>&1 || break; sleep 0.1; done
        $N ip -o link show xhost >/dev/null 2>&1 && fail "xhost is left"
        if $N ip link add ivt link par0 type ipvlan 2>/dev/null; then
                $N ip link del ivt
                out=$($N "$CORRAL" -q -P -D "$BB" --network-ipvlan=par0 /bin/sh -c 'ls /sys/class/net | tr "\n" " "' </dev/null 2>&1)
                expect_eq "$out" "iv-par0 lo " "an ipvlan link inside"
        else
                out=$($N "$CORRAL" -q -P -D "$BB" --network-ipvlan=par0 true </dev/null 2>&1)
                expect_contains "$out" "no ipvlan support" "a kernel without ipvlan: the error says so"
        fi
        out=$($N "$CORRAL" -q -P -D "$BB" --network-macvlan=nope0 true </dev/null 2>&1)
        expect_contains "$out" "there is no network interface named nope0" "a missing parent is named"
        out=$("$CORRAL" -q -P -D "$BB" --network-veth-extra=a/b true </dev/null 2>&1)
        expect_contains "$out" "--network-veth-extra" "a bad name is refused by option"
        $N ip link del par0
        umount "$TESTTMP/netns"
}

# --network-interface: an interface of the test's namespace moves in, and back at the end (a
# veth end would be deleted with the container's namespace otherwise).
test_network_interface_moves_in_and_back() {
        ensure_bb
        ln -sf busybox "$BB/bin/ip"
        make_test_netns
        $N ip link add if0 type veth peer name if1
        out=$($N "$CORRAL" -q -P -D "$BB" --network-interface=if0 /bin/sh -c 'ls /sys/class/net | tr "\n" " "' </dev/null 2>&1)
        expect_eq "$out" "if0 lo " "if0 is in the container"
        $N ip -o link show if0 >/dev/null 2>&1 || fail "if0 did not come back"
        expect_contains "$($N ip -o link show if0)" "if0@if1" "and is still paired with if1"
        printf '[Network]\nInterface=if0\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ls /sys/class/net | tr "\n" " "' </dev/null 2>&1)
        expect_eq "$out" "if0 lo " "Interface= in a trusted file"
        rm /etc/systemd/nspawn/bb.nspawn
        $N ip -o link show if0 >/dev/null 2>&1 || fail "if0 did not come back the second time"
        out=$($N "$CORRAL" -q -P -D "$BB" --network-interface=if0 --network-interface=nope0 true </dev/null 2>&1)
        expect_contains "$out" "there is no network interface named nope0" "a missing interface is named"
        $N ip -o link show if0 >/dev/null 2>&1 || fail "if0 did not come back after the failed start"
        $N ip link del if0
        umount "$TESTTMP/netns"
}

# [Network] Address= and Gateway= (corral's): host0 configured from outside, for a guest with
# no DHCP client; the host side is the gateway.
test_static_address_from_outside() {
        ensure_bb
        make_test_netns
        for a in ip ping; do ln -sf busybox "$BB/bin/$a"; done
        printf '[Network]\nVirtualEthernet=yes\nAddress=10.5.0.2/24\nGateway=10.5.0.1\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ip -4 -o addr show host0; ip route | grep default; ping -c1 -W3 10.5.0.1 >/dev/null && echo gateway-ok' </dev/null 2>&1)
        expect_contains "$out" "inet 10.5.0.2/24" "host0 has the address"
        expect_contains "$out" "default via 10.5.0.1" "and the default route"
        expect_contains "$out" "gateway-ok" "the host side answers as the gateway"
        # On a bridge: host0's address, and a default route only with Gateway=.
        $N ip link add br7 type bridge && $N ip link set br7 up
        printf '[Network]\nBridge=br7\nAddress=10.6.0.2/24\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ip -4 -o addr show host0; ip route | grep default || echo no-default' </dev/null 2>&1)
        expect_contains "$out" "inet 10.6.0.2/24" "host0's address on a bridge"
        expect_contains "$out" "no-default" "no default route without Gateway="
        printf '[Network]\nBridge=br7\nAddress=10.6.0.2/24\nGateway=10.6.0.254\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ip route | grep default' </dev/null 2>&1)
        expect_contains "$out" "default via 10.6.0.254" "the default route via Gateway= on a bridge"
        $N ip link del br7
        printf '[Network]\nVirtualEthernet=yes\nAddress=10.5.0.2/24\nGateway=10.6.0.1\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" true </dev/null 2>&1)
        expect_contains "$out" "Gateway= another host in the same subnet" "a gateway outside the subnet is refused"
        printf '[Network]\nAddress=10.5.0.2/24\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" true </dev/null 2>&1)
        expect_contains "$out" "needs VirtualEthernet=yes" "Address= without a veth pair is refused"
        printf '[Network]\nAddress=10.5.0.2\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" true </dev/null 2>&1)
        expect_contains "$out" "bb.nspawn:2" "a bad Address= names the file and line"
        rm /etc/systemd/nspawn/bb.nspawn
        umount "$TESTTMP/netns"
}

# A booted Debian with systemd-networkd (its 80-container-host0.network asks for DHCP on host0)
# gets its address from the supervisor's DHCP server, with no networkd on the host.
test_booted_debian_networkd_gets_dhcp_lease() {
        debian_tree
        make_test_netns
        cat > "$TESTTMP/check.sh" <<'SH'
for i in $(seq 90); do s=$(systemctl is-system-running); [ "$s" = starting ] || break; sleep 1; done
systemctl start systemd-networkd
for i in $(seq 100); do a=$(networkctl status host0 2>/dev/null | grep -oE 'Address: [0-9]+\.[0-9]+\.[0-9]+\.[0-9]+' | head -1); [ -n "$a" ] && break; sleep 0.2; done
echo "NET $a $(networkctl status host0 2>/dev/null | grep -oE 'Gateway: [0-9.]+')" > /dev/console
echo "CHECK done" > /dev/console
SH
        printf '[Service]\nType=simple\nExecStart=/bin/sh /check.sh\n' > "$TESTTMP/corral-check.service"
        boot_and_check $N "$CORRAL" -D "$CORRAL_DEBIAN" -x -M netdeb -n --bind-ro="$TESTTMP/check.sh:/check.sh"
        out=$(grep -a "NET " "$TESTTMP/console.out.clean")
        expect_contains "$out" "Address: 192.168.0.2" "networkd in the guest got the lease: $out"
        expect_contains "$out" "192.168.0.1" "with the host side as the gateway"
        expect_eq "$(cat "$TESTTMP/rc")" 0 "clean poweroff"
        umount "$TESTTMP/netns"
}

# [Network] Masquerade= (corral's): what the container sends out by another link leaves with
# the host's address.  "outside" is a namespace of the test's with no route back to the
# container's subnet: only masqueraded packets get an answer.
test_masquerade() {
        ensure_bb
        make_test_netns
        for a in ip ping; do ln -sf busybox "$BB/bin/$a"; done
        touch "$TESTTMP/outside"
        unshare --net="$TESTTMP/outside" ip link set lo up || fail "cannot make the outside namespace"
        $N ip link add out0 type veth peer name out1 netns "$TESTTMP/outside"
        $N ip addr add 10.77.0.1/24 dev out0 && $N ip link set out0 up
        nsenter --net="$TESTTMP/outside" ip addr add 10.77.0.2/24 dev out1 && nsenter --net="$TESTTMP/outside" ip link set out1 up
        printf '[Network]\nVirtualEthernet=yes\nAddress=10.5.0.2/24\nMasquerade=yes\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ping -c1 -W3 10.77.0.2 >/dev/null && echo outside-ok || echo outside-unreachable' </dev/null 2>&1)
        expect_contains "$out" "outside-ok" "masqueraded out to a namespace with no route back"
        # The rule went with the container: the same without Masquerade= gets no answer.
        printf '[Network]\nVirtualEthernet=yes\nAddress=10.5.0.2/24\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" /bin/sh -c 'ping -c1 -W2 10.77.0.2 >/dev/null && echo outside-ok || echo outside-unreachable' </dev/null 2>&1)
        expect_contains "$out" "outside-unreachable" "no masquerade left behind"
        printf '[Network]\nBridge=br9\nMasquerade=yes\n' > /etc/systemd/nspawn/bb.nspawn
        out=$($N "$CORRAL" -q -P -D "$BB" true </dev/null 2>&1)
        expect_contains "$out" "Masquerade= masquerades a veth pair's own subnet" "Masquerade= on a bridge is refused"
        rm /etc/systemd/nspawn/bb.nspawn
        $N ip link del out0
        umount "$TESTTMP/outside" "$TESTTMP/netns"
}

# --network-zone: the zone's bridge vz-ZONE is made with the first container and removed with
# the last; the supervisors' DHCP servers give each container its own address in the zone's
# /24; the containers reach each other.
test_network_zone() {
        ensure_bb
        for a in ip ping udhcpc; do ln -sf busybox "$BB/bin/$a"; done
        make_test_netns
        mkdir -p "$TESTTMP/x"
        printf '#!/bin/sh\n[ "$1" = bound ] && ip addr add $ip/$subnet dev $interface && echo "$ip $subnet" > /x/lease-$(hostname)\nexit 0\n' > "$TESTTMP/x/script"
        chmod +x "$TESTTMP/x/script"
        $N "$CORRAL" -q -P -D "$BB" -x -M za --network-zone=lab --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip link set host0 up; udhcpc -i host0 -n -q -f -t 5 -T 1 -s /x/script >/dev/null 2>&1 || echo no-lease
                touch /x/a-up; while [ ! -e /x/done ]; do sleep 0.1; done' </dev/null > "$TESTTMP/a.out" 2>&1 &
        local pid=$!
        for _ in $(seq 100); do [ -e "$TESTTMP/x/a-up" ] && break; sleep 0.1; done
        expect_contains "$($N ip -o link show vz-lab)" ",UP" "the zone's bridge is made and up: $(cat "$TESTTMP/a.out")"
        expect_contains "$($N ip -o -4 addr show vz-lab)" "inet 192.168.0.1/24" "with .1 of the first free /24 of the pool"
        expect_contains "$($N ip -o link show vb-za)" "master vz-lab" "vb-za is in the zone"
        expect_eq "$(cat "$TESTTMP/x/lease-za" 2>/dev/null)" "192.168.0.2 255.255.255.0" "a gets .2 by DHCP: $(cat $TESTTMP/a.out; ls -la $TESTTMP/x)"
        out=$($N "$CORRAL" -q -P -D "$BB" -x -M zb --network-zone=lab --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip link set host0 up; udhcpc -i host0 -n -q -f -t 5 -T 1 -s /x/script >/dev/null 2>&1 || echo no-lease
                ping -c1 -W3 192.168.0.2 >/dev/null && echo reached-a
                ping -c1 -W3 192.168.0.1 >/dev/null && echo reached-host' </dev/null 2>&1)
        expect_eq "$(cat "$TESTTMP/x/lease-zb" 2>/dev/null)" "192.168.0.3 255.255.255.0" "b gets .3, not a's address: $out"
        expect_contains "$out" "reached-a" "b reaches a in the zone"
        expect_contains "$out" "reached-host" "and the host"
        expect_contains "$($N ip -o link show vz-lab)" "vz-lab" "the bridge stays while a runs"
        touch "$TESTTMP/x/done"
        wait $pid
        expect_eq "$($N ip -o link show | grep -c 'vz-\|vb-')" 0 "the bridge goes with the last container: $($N ip -o link show; cat $TESTTMP/a.out)"
        expect_eq "$(ls /run/corral/zones 2>/dev/null)" "" "no lease left"
        out=$($N "$CORRAL" -q -P -D "$BB" --network-zone=averyverylongz true </dev/null 2>&1)
        expect_contains "$out" "--network-zone=averyverylongz: expected a zone name" "a name too long for vz-NAME is refused"
        out=$($N "$CORRAL" -q -P -D "$BB" --network-zone=lab --network-bridge=br0 true </dev/null 2>&1)
        expect_contains "$out" "may not be combined" "a zone and a bridge: refused, as nspawn"
        umount "$TESTTMP/netns"
}

# A UDP datagram to ADDRESS:PORT from the namespace at $1; prints the answer.
udp_ask() { # netns address port text
        nsenter --net="$1" python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(3)
s.sendto(sys.argv[3].encode(), (sys.argv[1], int(sys.argv[2])))
try: print(s.recv(600).decode())
except OSError: print("no-answer")' "$2" "$3" "$4"
}

# An HTTP GET of URL from the namespace at $1 (the host's busybox wget is static and crashes
# resolving names); prints the body.
http_get() { # netns url
        nsenter --net="$1" python3 -c '
import sys, urllib.request
try: print(urllib.request.urlopen(sys.argv[1], timeout=3).read().decode(), end="")
except Exception as e: print("failed:", e)' "$2"
}

# -p/--port: TCP and UDP forwarded from the host's addresses, its loopback included, and from
# another namespace ("client", routed to the test's namespace); the loopback guard; nothing
# left after the end, also after SIGKILL of the supervisor.
test_port_forward() {
        ensure_bb
        for a in ip httpd udhcpc nc; do ln -sf busybox "$BB/bin/$a"; done
        make_test_netns
        touch "$TESTTMP/client"
        unshare --net="$TESTTMP/client" ip link set lo up || fail "cannot make the client namespace"
        $N ip link add cl0 type veth peer name cl1 netns "$TESTTMP/client"
        $N ip addr add 10.66.0.1/24 dev cl0 && $N ip link set cl0 up
        nsenter --net="$TESTTMP/client" ip addr add 10.66.0.2/24 dev cl1 && nsenter --net="$TESTTMP/client" ip link set cl1 up
        mkdir -p "$TESTTMP/x" "$BB/www" && echo "hello from the container" > "$BB/www/index.html"
        printf '#!/bin/sh\n[ "$1" = bound ] && ip addr add $ip/$subnet dev $interface && ip route add default via $router\nexit 0\n' > "$TESTTMP/x/script"
        chmod +x "$TESTTMP/x/script"
        $N "$CORRAL" -q -P -D "$BB" -M pf -n -p 8080:80 -p udp:5353:53 --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip link set host0 up; udhcpc -i host0 -n -q -f -t 5 -T 1 -s /x/script >/dev/null 2>&1 || echo no-lease
                httpd -p 80 -h /www; touch /x/up
                corral-probe udp-echo 53
                # the host loopback, reached by a route of the containers own: the guard drops it
                ip route del 127.0.0.0/8 dev lo table local 2>/dev/null; ip route add 127.0.0.1/32 via 192.168.0.1 dev host0
                echo hi | nc -w 2 127.0.0.1 9999 >/dev/null 2>&1 && echo host-loopback-reached > /x/guard || echo host-loopback-blocked > /x/guard
                while [ ! -e /x/done ]; do sleep 0.1; done' </dev/null > "$TESTTMP/pf.out" 2>&1 &
        local pid=$!
        wait_for_file "$TESTTMP/x/up" 15 || { kill $pid; fail "the container did not come up: $(cat "$TESTTMP/pf.out")"; }
        $N busybox nc -l -p 9999 -s 127.0.0.1 > "$TESTTMP/leak" 2>/dev/null &
        local listener=$!
        out=$(http_get "$TESTTMP/netns" http://127.0.0.1:8080/index.html)
        expect_eq "$out" "hello from the container" "TCP from the host's own loopback (nspawn's forwards do not do this)"
        out=$(http_get "$TESTTMP/netns" http://10.66.0.1:8080/index.html)
        expect_eq "$out" "hello from the container" "TCP to the host's own address"
        out=$(http_get "$TESTTMP/client" http://10.66.0.1:8080/index.html)
        expect_eq "$out" "hello from the container" "TCP from another namespace"
        expect_eq "$(udp_ask "$TESTTMP/client" 10.66.0.1 5353 ping)" "echo: ping" "UDP from another namespace"
        expect_contains "$($N nft list table ip corral-pf)" "dnat to 192.168.0.2:80" "the forwards are in the container's own table"
        expect_eq "$($N cat /proc/sys/net/ipv4/conf/ve-pf/route_localnet)" 1 "route_localnet is on for ve-pf (forwards from the loopback)"
        wait_for_file "$TESTTMP/x/guard" 10
        expect_eq "$(cat "$TESTTMP/x/guard")" "host-loopback-blocked" "yet the container cannot reach the host's loopback through it"
        kill $listener 2>/dev/null; wait $listener 2>/dev/null
        expect_eq "$(cat "$TESTTMP/leak")" "" "nothing arrived at the host's loopback listener"
        touch "$TESTTMP/x/done"
        wait $pid
        expect_eq "$($N nft list tables)" "" "the table goes with the container"
        rm -f "$TESTTMP/x/done" "$TESTTMP/x/up"

        # SIGKILL of the supervisor: the kernel removes the table (it belongs to the supervisor's
        # socket), the links go with the namespace, and the zone's bridge at the next start.  (-n
        # with --network-zone= and -p, as nspawn takes them: the zone's link and forward.)
        $N "$CORRAL" -q -P -D "$BB" -M pk -n --network-zone=kz -p 8081:80 --bind="$TESTTMP/x:/x" /bin/sh -c 'touch /x/up; exec sleep 60' </dev/null >/dev/null 2>&1 &
        pid=$!
        wait_for_file "$TESTTMP/x/up" 15 || fail "the second container did not come up"
        expect_contains "$($N nft list tables)" "corral-pk" "its table is there while it runs"
        kill -KILL $pid
        wait $pid 2>/dev/null
        for _ in $(seq 50); do $N ip -o link show | grep -q 'vb-pk' || break; sleep 0.1; done
        expect_eq "$($N nft list tables)" "" "no table left after SIGKILL"
        expect_eq "$($N ip -o link show | grep -c 'vb-')" 0 "no vb- link left after SIGKILL"
        expect_eq "$($N ip -o link show | grep -c 'vz-kz')" 1 "the zone's bridge is left"
        out=$($N "$CORRAL" -q -P -D "$BB" -M pk -n true </dev/null 2>&1) # also its stale cgroup
        expect_eq "$($N ip -o link show | grep -c 'vz-')" 0 "it is removed at the next start with a veth pair: $out"

        out=$($N "$CORRAL" -q -P -D "$BB" -p 80 true </dev/null 2>&1)
        expect_contains "$out" "needs -n, --network-zone= or --network-bridge=" "a forward without a veth pair is refused"
        out=$($N "$CORRAL" -q -P -D "$BB" --network-bridge=br0 -p 80 true </dev/null 2>&1)
        expect_contains "$out" "needs the container's address" "a forward on a bridge without Address= is refused"
        out=$($N "$CORRAL" -q -P -D "$BB" -n -p 80 -p tcp:80:81 true </dev/null 2>&1)
        expect_contains "$out" "forwarded already" "the same host port twice is refused, as nspawn"
        out=$($N "$CORRAL" -q -P -D "$BB" -n -p sctp:80 true </dev/null 2>&1)
        expect_contains "$out" "expected [tcp:|udp:]HOSTPORT[:CONTAINERPORT]" "a bad forward is named"
        umount "$TESTTMP/client" "$TESTTMP/netns"
}

# -n: ISC dhclient (from Debian's packages, in the podman tree) gets the lease from the
# supervisor's DHCP server, and sets the address and the default route.
test_isc_dhclient_gets_a_lease() {
        [ -n "${CORRAL_DEBIAN_PODMAN:-}" ] && [ -x "$CORRAL_DEBIAN_PODMAN/sbin/dhclient" ] || skip "no Debian tree with dhclient (CORRAL_DEBIAN_PODMAN)"
        make_test_netns
        out=$($N "$CORRAL" -q -P -D "$CORRAL_DEBIAN_PODMAN" -x -M dc -n /bin/sh -c '
                dhclient -1 -lf /tmp/leases -pf /tmp/dhclient.pid host0 >/dev/null 2>&1 || echo no-lease
                ip -4 -o addr show host0; ip route show default' </dev/null 2>&1)
        expect_contains "$out" "inet 192.168.0.2/28" "dhclient configures the address: $out"
        expect_contains "$out" "default via 192.168.0.1 dev host0" "and the default route via the host side"
        umount "$TESTTMP/netns"
}
