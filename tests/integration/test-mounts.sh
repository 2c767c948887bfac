# SPDX-License-Identifier: LGPL-2.1-or-later
# The file system layout and the mount options.

test_api_file_systems_layout() {
        ensure_bb
        out=$(cr -D "$BB" /bin/sh -c '
                echo x > /proc/sys/kernel/hostname 2>/dev/null && echo procsys-writable
                touch /sys/x 2>/dev/null && echo sys-writable
                cat /proc/kallsyms 2>/dev/null | head -c1 | grep -q . && echo kallsyms-readable
                cat /proc/keys 2>/dev/null | grep -q . && echo keys-readable
                ls /dev/sda /dev/vda /dev/mem /dev/kmsg 2>/dev/null
                ls /dev/pts/ptmx >/dev/null && echo pts-ok
                touch /tmp/x /run/x /dev/shm/x && echo tmp-ok
                grep -c . /run/host/os-release >/dev/null && echo host-os-release
                touch /run/host/x 2>/dev/null && echo run-host-writable
                stat -c %F /sys/fs/cgroup/cgroup.procs
                echo 1 > /proc/sysrq-trigger 2>/dev/null && echo sysrq')
        expect_eq "$out" "pts-ok
tmp-ok
host-os-release
regular empty file" "API file systems"
        have_nspawn || skip "no nspawn to compare /dev with"
        # (nspawn 254 and later add /dev/char and /dev/fuse; corral's /dev is 252's.)
        [ "$(nspawn_version)" = 252 ] || skip "nspawn $(nspawn_version) here, not 252: /dev not compared"
        expect_eq "$(cr -D "$BB" ls /dev)" "$(ns -D "$BB" ls /dev)" "/dev listing differs from nspawn's"
}

test_mounts_leave_nothing_in_the_image() {
        ensure_bb
        before=$(cd "$BB" && find . | sort)
        cr -D "$BB" --resolv-conf=off --timezone=off true
        after=$(cd "$BB" && find . | sort)
        expect_eq "$after" "$before" "the image gained files"
}

# systemd leaves a host's "/" shared: a container's mounts must stay in the container, while it
# runs and after a start that failed, with and without a user namespace (the idmapped copy of
# the tree is a clone of the host's mount and joined its peer group), as with nspawn.
test_shared_root_mounts_stay_inside() {
        ensure_bb
        mount --make-rshared / || fail "cannot make / shared"
        grep -q ' / / .*shared:' /proc/self/mountinfo || fail "/ is not shared"
        local runner seen rc t=$TESTTMP/shared
        mkdir -m 1777 "$t" # written by the container's root, also when it is mapped (-U)
        for runner in cr ns; do
                [ $runner = ns ] && { have_nspawn || continue; }
                for u in "" -U; do
                        rm -f "$t/started" "$t/stop"
                        $runner -D "$BB" $u --bind="$t":/mnt/t /bin/sh -c \
                                'touch /mnt/t/started; for i in $(seq 100); do [ -e /mnt/t/stop ] && break; sleep 0.1; done' &
                        wait_for_file "$t/started" 30 || fail "$runner $u: the container did not start"
                        seen=$(grep -c " $BB" /proc/self/mountinfo)
                        touch "$t/stop"
                        wait $! || fail "$runner $u: the container failed"
                        expect_eq "$seen" 0 "$runner $u: mounts below the tree seen from the host's namespace while it runs"
                        $runner -D "$BB" $u --bind=/nonexistent:/mnt/x true 2>/dev/null
                        rc=$?
                        [ $rc != 0 ] || fail "$runner $u: a bind of a missing source started"
                        expect_eq "$(grep -c " $BB" /proc/self/mountinfo)" 0 "$runner $u: mounts left below the tree after a failed start"
                done
        done
}

test_bind_mounts() {
        ensure_bb
        mkdir -p "$TESTTMP/data/sub" "$BB/srv/inside"; echo host > "$TESTTMP/data/f"; echo in > "$BB/srv/inside/g"
        mount -t tmpfs tmpfs "$TESTTMP/data/sub"; echo nested > "$TESTTMP/data/sub/n"
        out=$(cr -D "$BB" --bind="$TESTTMP/data":/mnt/d --bind-ro="$TESTTMP/data":/mnt/ro \
                --bind=+/srv/inside:/mnt/in --bind="$TESTTMP/data":/mnt/norec:norbind --bind=:/mnt/fresh /bin/sh -c '
                cat /mnt/d/f /mnt/ro/f /mnt/in/g /mnt/d/sub/n; echo w > /mnt/d/w && echo rw-ok
                touch /mnt/ro/x 2>/dev/null || echo ro-ok
                ls /mnt/norec/sub | wc -l; touch /mnt/fresh/x && echo fresh-ok')
        umount "$TESTTMP/data/sub"
        expect_eq "$out" "host
host
in
nested
rw-ok
ro-ok
0
fresh-ok" "binds"
        [ -f "$TESTTMP/data/w" ] || fail "write through --bind did not reach the host"
        echo x > "$TESTTMP/file"
        expect_eq "$(cr -D "$BB" --bind-ro="$TESTTMP/file":/etc/newfile cat /etc/newfile)" "x" "file bind"
}
# Seed 000's line, the child mount given first: custom mounts go parent before child whatever
# the order given, as nspawn sorts them, so nginx finds its certificates below its own tree.
test_custom_mounts_parent_before_child() {
        ensure_bb
        mkdir -p "$TESTTMP/opt/acme" "$TESTTMP/opt/nginx"
        echo cert > "$TESTTMP/opt/acme/site.pem"
        echo conf > "$TESTTMP/opt/nginx/nginx.conf"
        local runner
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                rm -f "$TESTTMP/opt/acme/x"
                out=$($runner -D "$BB" -M mountorder --bind-ro="$TESTTMP/opt/acme:/nginx/cert" --bind="$TESTTMP/opt/nginx:/nginx" \
                        --tmpfs=/nginx/cert/new --bind="$TESTTMP/opt/acme:/nginx/cert" /bin/sh -c '
                        cat /nginx/nginx.conf; ls /nginx/cert; cat /nginx/cert/site.pem 2>&1 | wc -c
                        touch /nginx/cert/x 2>/dev/null && echo cert-writable; touch /nginx/cert/new/x && echo new-writable' 2>&1)
                expect_eq "$(echo $out)" "conf new site.pem 5 cert-writable new-writable" \
                        "$runner: the children on top of their parent (two binds on one path in the order given)"
        done
}


test_bind_source_symlink_cannot_escape() {
        ensure_bb
        # A destination symlink inside the image must resolve inside the image, never on the host.
        ln -s /etc "$BB/escape"
        mkdir -p "$TESTTMP/d"; echo data > "$TESTTMP/d/f"
        cr -D "$BB" --bind="$TESTTMP/d":/escape/target true
        [ -e /etc/target ] && { rmdir /etc/target; fail "bind mount point created on the host's /etc"; }
        [ -d "$BB/etc/target" ] || fail "mount point not created inside the image"
}

# --tmpfs=PATH:OPTIONS: the generic mount options (rw, ro, nosuid, noexec, ...) are the mount's
# flags and the rest is tmpfs's, as nspawn splits them.
test_tmpfs_mount_options_split_like_nspawn() {
        ensure_bb
        local runner opts want=
        for opts in rw,nosuid,noexec,mode=0700,size=10M ro,nodev,noatime; do
                want=
                for runner in cr ns; do
                        [ $runner = ns ] && ! have_nspawn && continue
                        out=$($runner -D "$BB" -M tmpfsopts --tmpfs="/var:$opts" /bin/sh -c 'grep " /var " /proc/self/mountinfo' 2>&1 |
                                awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { print $6, $(i + 1), $(i + 3); exit } }')
                        expect_contains "$out" " tmpfs " "$runner --tmpfs=/var:$opts mounts"
                        [ -z "$want" ] && want=$out
                done
                expect_eq "$out" "$want" "--tmpfs=/var:$opts: the same flags and tmpfs options as nspawn"
        done
        expect_contains "$(cr -D "$BB" --tmpfs=/var:rw,nosuid,noexec,mode=0700,size=10M grep " /var " /proc/self/mountinfo)" "rw,nosuid,nodev,noexec" \
                "the flags reach the mount"
        out=$("$CORRAL" -D "$BB" --tmpfs=/var:ro,,size=1M true 2>&1)
        expect_contains "$out" "an empty mount option" "an empty option is named"
}

# --overlay layers with "+" are paths in the container's tree: "+/var::/var" overlays the tree's
# own /var with a throw-away upper; "+/var:+/up:/var" keeps the changes in the tree's /up.
test_overlay_layers_inside_the_container() {
        ensure_bb
        mkdir -p "$BB/var/data" && echo inside > "$BB/var/data/f"
        local runner
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                rm -rf "$BB/up" "$BB"/.#up* "$BB/var/data/g"
                out=$($runner -D "$BB" -M ovl --overlay=+/var::/var /bin/sh -c 'cat /var/data/f; echo new > /var/data/g && cat /var/data/g' 2>&1)
                expect_eq "$(echo $out)" "inside new" "$runner --overlay=+/var::/var: the tree's /var, writable"
                [ -e "$BB/var/data/g" ] && fail "$runner: the write reached the tree's /var"
                out=$($runner -D "$BB" -M ovl --overlay=+/var:+/up:/var /bin/sh -c 'echo new > /var/data/g && cat /var/data/f' 2>&1)
                expect_eq "$out" "inside" "$runner --overlay=+/var:+/up:/var"
                expect_eq "$(cat "$BB/up/data/g" 2>&1)" "new" "$runner: the change is in the tree's /up"
        done
        out=$(cr -D "$BB" -U -x --overlay=+/var::/var /bin/sh -c 'cat /var/data/f; touch /var/x && echo w' 2>&1)
        expect_eq "$(echo $out)" "inside w" "also with -U"
}

test_tmpfs_overlay_inaccessible() {
        ensure_bb
        mkdir -p "$TESTTMP"/{low1,low2,up}; echo 1 > "$TESTTMP/low1/a"; echo 2 > "$TESTTMP/low2/a"; echo b > "$TESTTMP/low1/b"
        out=$(cr -D "$BB" --tmpfs=/scratch:mode=0700 --overlay="$TESTTMP/low1:$TESTTMP/low2:$TESTTMP/up:/ov" \
                --overlay-ro="$TESTTMP/low1:$TESTTMP/low2:/ovro" --inaccessible=/etc/passwd /bin/sh -c '
                stat -c %a /scratch; cat /ov/a /ov/b; echo new > /ov/c; cat /ovro/a; touch /ovro/x 2>/dev/null || echo ro
                [ "$(wc -c < /etc/passwd)" = 0 ] && echo masked; echo x > /etc/passwd 2>/dev/null || echo mask-ro')
        expect_eq "$out" "700
2
b
2
ro
masked
mask-ro" "tmpfs, overlay and inaccessible"
        expect_eq "$(cat "$TESTTMP/up/c")" "new" "overlay writes land in the upper directory"
        [ -e "$TESTTMP/low2/c" ] && fail "overlay wrote into a lower directory"
        out=$("$CORRAL" -P -D "$BB" --inaccessible=/nonexistent true 2>&1 </dev/null) && fail "missing --inaccessible path accepted"
        expect_contains "$out" "--inaccessible=/nonexistent" "message"
        out=$("$CORRAL" -D "$BB" --overlay-ro="$TESTTMP/nowhere-low:/nowhere" true 2>&1) && fail "a missing overlay layer was accepted"
        expect_contains "$out" "does not exist (with two paths" "a missing two-path overlay layer is explained"
        [ -e /nowhere ] && fail "created a directory on the host"
        true
}

test_read_only_and_volatile() {
        ensure_bb
        out=$(cr -D "$BB" --read-only /bin/sh -c 'touch /x 2>/dev/null || echo ro; touch /tmp/x && echo tmp-rw')
        expect_eq "$out" "ro
tmp-rw" "--read-only"
        out=$(cr -D "$BB" --volatile=state /bin/sh -c 'touch /x 2>/dev/null || echo ro; touch /var/x && echo var-rw')
        expect_eq "$out" "ro
var-rw" "--volatile=state"
        mkdir -p "$BB/usr/bin"; cp /bin/busybox "$BB/usr/bin/busybox"
        out=$(cr -D "$BB" --volatile=yes /usr/bin/busybox sh -c 'ls / | /usr/bin/busybox tr "\n" " "; /usr/bin/busybox touch /new && echo root-rw')
        expect_contains "$out" "root-rw" "--volatile=yes writable root"
        expect_not_contains "$out" "home" "--volatile=yes root is empty but for /usr"
        cr -D "$BB" --volatile=overlay /bin/sh -c 'echo x > /etc/volatile-test'
        [ -e "$BB/etc/volatile-test" ] && fail "--volatile=overlay wrote into the image"
        true
}

test_ephemeral_leaves_image_untouched() {
        ensure_bb
        before=$(cd "$BB" && find . | sort)
        out=$(cr -D "$BB" -x --resolv-conf=copy-host /bin/sh -c 'echo hi > /etc/eph; rm /bin/ls; cat /etc/eph; hostname')
        expect_contains "$out" "hi" "ephemeral write visible inside"
        expect_contains "$out" "bb-" "ephemeral machine name gets a random suffix"
        expect_eq "$(cd "$BB" && find . | sort)" "$before" "ephemeral run changed the image"
        # Several at once, on one tree.
        cr -D "$BB" -x sleep 1 & a=$!; cr -D "$BB" -x sleep 1 & b=$!
        wait $a || fail "first concurrent ephemeral failed"; wait $b || fail "second concurrent ephemeral failed"
}

test_template_makes_an_overlay_child() {
        ensure_bb
        child=$TESTTMP/child
        expect_eq "$(cr -D "$child" --template="$BB" /bin/sh -c 'echo one > /etc/child-file; cat /etc/os-release 2>/dev/null || cat /usr/lib/os-release | head -1')" \
                "ID=busybox" "--template child sees the template"
        [ -f "$child/etc/child-file" ] || fail "the child's change is not in the child directory"
        [ -e "$BB/etc/child-file" ] && fail "the child wrote into the template"
        n=$(find "$child" -type f | wc -l)
        [ "$n" -le 3 ] || fail "the child holds copies of the template ($n files)"
        expect_eq "$(cr -D "$child" cat /etc/child-file)" "one" "a later run without --template keeps the child"
}

test_pivot_root() {
        ensure_bb
        mkdir -p "$BB/sysroot"; cp -a "$BB/bin" "$BB/usr" "$BB/etc" "$BB/sysroot/"; mkdir -p "$BB/sysroot/proc" "$BB/sysroot/oldroot"
        echo marker > "$BB/sysroot/marker"
        expect_eq "$(cr -D "$BB" --pivot-root=/sysroot cat /marker)" "marker" "--pivot-root=NEW"
        expect_eq "$(cr -D "$BB" --pivot-root=/sysroot:/oldroot ls /oldroot/sysroot/marker)" "/oldroot/sysroot/marker" "--pivot-root=NEW:OLD"
}

test_resolv_conf_and_timezone() {
        ensure_bb
        [ -e /etc/resolv.conf ] || skip "host has no /etc/resolv.conf"
        expect_eq "$(cr -D "$BB" --resolv-conf=copy-host cat /etc/resolv.conf)" "$(cat /etc/resolv.conf)" "copy-host"
        [ -f "$BB/etc/resolv.conf" ] || fail "copy-host did not write the image"
        expect_eq "$(cr -D "$BB" --resolv-conf=delete /bin/sh -c 'ls /etc/resolv.conf 2>/dev/null || echo gone')" "gone" "delete"
        out=$(cr -D "$BB" --resolv-conf=bind-host /bin/sh -c 'cat /etc/resolv.conf; echo x >> /etc/resolv.conf 2>/dev/null || echo ro')
        expect_eq "$out" "$(cat /etc/resolv.conf)
ro" "bind-host"
        rm -f "$BB/etc/resolv.conf"; ln -s /nowhere "$BB/etc/resolv.conf"
        cr -D "$BB" --resolv-conf=copy-host true
        [ -L "$BB/etc/resolv.conf" ] || fail "copy-host replaced a symlink the guest manages"
        cr -D "$BB" --resolv-conf=replace-host true
        [ -f "$BB/etc/resolv.conf" ] && [ ! -L "$BB/etc/resolv.conf" ] || fail "replace-host did not replace the symlink"
        # auto with a network of its own leaves the tree's file alone, as nspawn 252; without one
        # it copies the host's.
        local runner
        for runner in cr ns; do
                [ $runner = ns ] && ! have_nspawn && continue
                rm -f "$BB/etc/resolv.conf"; echo "nameserver 192.0.2.53" > "$BB/etc/resolv.conf"
                expect_eq "$($runner -D "$BB" -M rc --private-network cat /etc/resolv.conf)" "nameserver 192.0.2.53" \
                        "$runner --private-network: auto keeps the guest's own resolv.conf"
                expect_eq "$(cat "$BB/etc/resolv.conf")" "nameserver 192.0.2.53" "$runner: and the tree's file is not rewritten"
                expect_eq "$($runner -D "$BB" -M rc cat /etc/resolv.conf)" "$(cat /etc/resolv.conf)" "$runner: auto on the host's network copies the host's"
        done
        # Timezone: the busybox tree has no zoneinfo, so symlink mode falls back to a bind mount.
        expect_eq "$(cr -D "$BB" --timezone=copy cat /etc/localtime | md5sum)" "$(md5sum < /etc/localtime)" "--timezone=copy"
        mkdir -p "$BB/usr/share/zoneinfo/Etc"; cp /usr/share/zoneinfo/Etc/UTC "$BB/usr/share/zoneinfo/Etc/UTC"
        if [ -L /etc/localtime ]; then
                zone=$(readlink /etc/localtime | sed 's|.*zoneinfo/||')
                mkdir -p "$BB/usr/share/zoneinfo/$(dirname "$zone")"; cp /etc/localtime "$BB/usr/share/zoneinfo/$zone"
                cr -D "$BB" --timezone=symlink true
                expect_eq "$(readlink "$BB/etc/localtime")" "../usr/share/zoneinfo/$zone" "--timezone=symlink"
        fi
        expect_eq "$(cr -D "$BB" --timezone=delete /bin/sh -c 'ls /etc/localtime 2>/dev/null || echo gone')" "gone" "--timezone=delete"
}

test_link_journal() {
        ensure_bb
        id=99998888777766665555444433332222
        echo $id > "$BB/etc/machine-id"
        cr -D "$BB" --link-journal=host /bin/sh -c "touch /var/log/journal/$id/from-guest"
        [ -e /var/log/journal/$id/from-guest ] || fail "--link-journal=host: guest write not on the host"
        rm -rf /var/log/journal/$id
        cr -D "$BB" --link-journal=guest true
        expect_eq "$(readlink /var/log/journal/$id)" "$BB/var/log/journal/$id" "--link-journal=guest link"
        [ -d "$BB/var/log/journal/$id" ] || fail "--link-journal=guest directory in the guest"
        rm -f /var/log/journal/$id
        cr -D "$BB" -j true || fail "-j (try-guest) failed"
}
