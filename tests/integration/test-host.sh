# SPDX-License-Identifier: LGPL-2.1-or-later
# What only a host with systemd as PID 1 has (the real-host lane, tests/vm): machined's view of
# corral's machines, and systemd-networkd on the host.  Each runs corral beside nspawn.

# What "machinectl login NAME" shows on a terminal until the guest's login prompt (at most 60 s),
# then it leaves with machinectl's escape (^] three times).
login_prompt() { # name
        python3 - "$1" <<'PY'
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execvp("machinectl", ["machinectl", "login", sys.argv[1]])
seen, end = b"", time.time() + 60
while time.time() < end and b"login:" not in seen:
    if select.select([fd], [], [], 1)[0]:
        try:
            seen += os.read(fd, 4096)
        except OSError:
            break
os.write(fd, b"\x1d\x1d\x1d")
time.sleep(0.5)
try:
    os.kill(pid, 15)
except ProcessLookupError:
    pass
os.waitpid(pid, 0)
print(seen.decode(errors="replace").replace("\r", ""))
PY
}

# machinectl's verbs on machines corral started, as on one nspawn started: a booted Debian (an
# overlay child of the cached tree, with -U as corralctl start gives it).
test_machinectl_verbs_on_corral_machines() {
        debian_tree
        [ -d /run/systemd/system ] && command -v machinectl >/dev/null || skip "no systemd as PID 1 with machinectl here"
        busctl status org.freedesktop.machine1 >/dev/null 2>&1 || skip "systemd-machined does not answer on the system bus"
        ln -s "$CORRAL_DEBIAN" /var/lib/machines/debbase
        "$CORRALCTL" create-child debbase mcdeb >/dev/null || fail "create-child failed"
        "$CORRALCTL" start mcdeb || fail "corralctl start failed"
        # nspawn beside it, as machinectl start would run it (registered, its own scope).
        $NSPAWN -q -D "$CORRAL_DEBIAN" -x -M nsdeb -b --console=read-only </dev/null >"$TESTTMP/ns.log" 2>&1 &
        local nspid=$! m
        for m in mcdeb nsdeb; do
                for _ in $(seq 180); do
                        [ "$(machinectl -q shell "$m" /bin/systemctl is-system-running 2>/dev/null | tr -d '\r')" = running ] && break
                        sleep 1
                done
        done
        out=$(machinectl list --no-legend)
        expect_contains "$out" "mcdeb container corral" "machinectl list: corral's machine, its class and service"
        expect_contains "$out" "nsdeb container systemd-nspawn" "and nspawn's"
        for m in mcdeb nsdeb; do
                expect_eq "$(machinectl -q shell "$m" /bin/echo hello 2>&1 | tr -d '\r')" "hello" "machinectl shell $m"
                expect_eq "$(machinectl -q shell "$m" /bin/systemctl is-system-running 2>&1 | tr -d '\r')" "running" "$m booted with no failed unit"
                # login: machined asks the guest's systemd for a getty on a pty it made inside.
                expect_contains "$(login_prompt "$m")" "$m login:" "machinectl login $m: the guest's login prompt"
                st=$(machinectl status "$m")
                expect_contains "$st" "Leader:" "machinectl status $m: the leader"
                expect_contains "$st" "OS: Debian GNU/Linux 12" "machinectl status $m: the guest's OS"
        done
        expect_eq "$(machinectl show mcdeb -p Leader --value)" "$("$CORRALCTL" show mcdeb -p Leader --value)" "machined's leader is corral's"
        # -o json: the same keys and values as machinectl's for the machine (machinectl 252
        # writes "-" for an empty one where corral writes null, and its footer after the JSON
        # unless --no-legend).
        local mj cj
        mj=$(machinectl -o json list)
        cj=$("$CORRALCTL" -o json list)
        echo "machinectl -o json list: $mj"
        echo "corralctl -o json list: $cj"
        pick='import json,sys; d=[m for m in json.loads(sys.argv[1]) if m["machine"]=="mcdeb"][0]; print(sorted(d), [d[k] for k in ("machine","class","service","os","version")])'
        expect_eq "$(python3 -c "$pick" "$("$CORRALCTL" -o json list)")" "$(python3 -c "$pick" "$(machinectl -o json --no-legend list)")" "-o json list: machinectl's keys and values"
        expect_eq "$(machinectl show mcdeb -p Unit --value)" "corral-mcdeb.scope" "in corral's scope"
        # poweroff through machined: the guest shuts down and both registries forget it.
        machinectl poweroff mcdeb nsdeb || fail "machinectl poweroff failed"
        for _ in $(seq 120); do
                [ -z "$(machinectl list --no-legend)" ] && [ -z "$("$CORRALCTL" list --no-legend)" ] && break
                sleep 1
        done
        expect_eq "$(machinectl list --no-legend)" "" "machinectl poweroff: the machines are gone"
        expect_eq "$("$CORRALCTL" list --no-legend)" "" "corralctl forgets it too"
        wait $nspid
        expect_eq "$?" 0 "nspawn's machine powered off cleanly"
        # terminate of a running one.
        "$CORRALCTL" start mcdeb || fail "the second corralctl start failed"
        for _ in $(seq 100); do machinectl -q show mcdeb >/dev/null 2>&1 && break; sleep 0.2; done
        machinectl terminate mcdeb || fail "machinectl terminate failed"
        # (A booted Debian shuts down first: under emulation that takes a while.)
        for _ in $(seq 600); do [ -z "$("$CORRALCTL" list --no-legend)" ] && break; sleep 0.2; done
        expect_eq "$("$CORRALCTL" list --no-legend)" "" "machinectl terminate ends corral's machine"
        for _ in $(seq 50); do pgrep -x corral >/dev/null || break; sleep 0.2; done
        true
}

# systemd-networkd on the host: its 80-container-ve.network addresses the ve- link and answers
# DHCP, as for nspawn; corral's own DHCP server steps aside.  The links are made in the host's
# namespace (networkd manages only those), so only where the host is the lane's guest.
test_networkd_on_the_host_addresses_ve_links() {
        ensure_bb
        [ -n "${CORRAL_LANE:-}" ] || skip "starts systemd-networkd on the host: only in the real-host lane's guest"
        [ -f /usr/lib/systemd/network/80-container-ve.network ] || skip "no systemd-networkd here"
        for a in ip udhcpc; do ln -sf busybox "$BB/bin/$a"; done
        mkdir -p "$TESTTMP/x"
        printf '#!/bin/sh\n[ "$1" = bound ] && echo "bound $ip/$subnet via $router" >> /x/lease\nexit 0\n' > "$TESTTMP/x/script"
        chmod +x "$TESTTMP/x/script"
        # networkd's IPMasquerade= turns on forwarding and adds its nftables tables, which stay
        # after it stops: the test puts the host back as it was (the leak check compares).
        # (Globals: the EXIT trap runs after this function has returned.)
        NWD_FWD4=$(cat /proc/sys/net/ipv4/ip_forward) NWD_FWD6=$(cat /proc/sys/net/ipv6/conf/all/forwarding)
        NWD_TABLES=$(nft list tables 2>/dev/null)
        restore_host_network() {
                systemctl stop 'systemd-networkd*'
                local t
                for t in "ip io.systemd.nat" "ip6 io.systemd.nat"; do
                        grep -qx "table $t" <<<"$NWD_TABLES" || nft delete table $t 2>/dev/null
                done
                echo "$NWD_FWD4" > /proc/sys/net/ipv4/ip_forward
                echo "$NWD_FWD6" > /proc/sys/net/ipv6/conf/all/forwarding
        }
        systemctl start systemd-networkd || fail "cannot start systemd-networkd"
        trap restore_host_network EXIT
        local runner leases=()
        for runner in "$CORRAL" "$NSPAWN"; do
                rm -f "$TESTTMP/x/lease" "$TESTTMP/x/asked" "$TESTTMP/x/done"
                # (It waits until networkd's view of the link is read: networkctl is slow under
                # emulation.)
                $runner -q -P -D "$BB" -M nwd -n --bind="$TESTTMP/x:/x" /bin/sh -c '
                        ip link set host0 up
                        udhcpc -i host0 -n -q -f -t 20 -T 1 -s /x/script >/dev/null 2>&1 || echo no-lease >> /x/lease
                        touch /x/asked
                        for i in $(seq 600); do [ -e /x/done ] && break; sleep 0.1; done' </dev/null > "$TESTTMP/run.log" 2>&1 &
                local pid=$!
                wait_for_file "$TESTTMP/x/asked" 60 || fail "$runner: the container did not run: $(cat "$TESTTMP/run.log")"
                st=$(networkctl status ve-nwd 2>&1)
                # corral's pool would give the link the first free /28 of 192.168.0.0/16, here
                # 192.168.0.1/28; networkd picks its subnets at random from its pools (and, slow
                # under emulation, networkd 252 may reconfigure the link and take a second one).
                addrs=$(ip -4 -o addr show ve-nwd)
                touch "$TESTTMP/x/done"
                wait $pid
                expect_contains "$st" "80-container-ve.network" "$runner: networkd manages ve-nwd"
                # Corral's run comes first: networkd 252 gives a second link of the same name a
                # second pool address, whoever made it.
                if [ "$runner" = "$CORRAL" ]; then
                        expect_contains "$addrs" "/28 " "networkd gives ve-nwd an address of its pool"
                        expect_not_contains "$addrs" " 192.168.0.1/28 " "corral's own pool stays out"
                fi
                expect_contains "$(cat "$TESTTMP/x/lease")" "bound " "$runner: the container's DHCP client got networkd's lease"
                leases+=("$(sed 's/ via.*//; s/.*\///' "$TESTTMP/x/lease")")
        done
        expect_eq "${leases[0]}" "${leases[1]}" "corral's container gets a subnet of the same size as nspawn's"
        # Stopped, networkd leaves its state file behind: corral addresses the link itself again.
        systemctl stop 'systemd-networkd*' || fail "cannot stop systemd-networkd"
        [ -e /run/systemd/netif/state ] || echo "(no state file left here)"
        rm -f "$TESTTMP/x/lease" "$TESTTMP/x/asked"
        "$CORRAL" -q -P -D "$BB" -M nwd -n --bind="$TESTTMP/x:/x" /bin/sh -c '
                ip link set host0 up
                udhcpc -i host0 -n -q -f -t 10 -T 1 -s /x/script >/dev/null 2>&1 || echo no-lease >> /x/lease' </dev/null
        expect_contains "$(cat "$TESTTMP/x/lease")" "/255.255.255.240 via 192.168." "without networkd, corral's DHCP server answers"
}
