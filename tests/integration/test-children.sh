# SPDX-License-Identifier: LGPL-2.1-or-later
# Overlay child images: create-child, corral -M CHILD and corralctl start CHILD, the base locked
# while a child runs, a base update, list-shadowed and drop-shadowed, and the image verbs on
# children and bases.

M=/var/lib/machines
ctl() { "$CORRALCTL" "$@"; }

# The STATE and PATH columns of list-shadowed.
shadowed() { # child [path...]
        ctl list-shadowed --no-legend "$@" | awk '{print $1, $NF}'
}

test_child_holds_only_its_changes() {
        make_busybox_tree $M/base
        printf '[Exec]\nEnvironment=FROM=base\n' > /etc/systemd/nspawn/base.nspawn
        expect_rc 0 ctl create-child base web
        expect_eq "$(cat /etc/systemd/nspawn/web.nspawn)" "$(printf '[Exec]\nEnvironment=FROM=base')" "the base's settings file is copied"
        expect_contains "$(ctl list-images --no-legend | awk '{print $1}' | tr '\n' ' ')" "base web" "the child is an image"
        out=$(ctl image-status web)
        expect_contains "$out" "    Base: base ($M/base)" "image-status names the base"
        expect_contains "$out" "      OS: BusyBox test tree" "and reads the OS through the child"
        expect_contains "$(ctl image-status base)" "Children: web" "the base's image-status names its children"

        expect_eq "$(cr -M web /bin/sh -c 'echo $FROM; echo child > /etc/motd; echo extra:x:5:5::/:/bin/sh >> /etc/passwd; rm /bin/dd; mkdir /srv; echo own > /srv/own; touch /usr/lib/os-release')" \
                base "the child runs with its settings"
        [ -e $M/base/etc/motd ] || [ -e $M/base/srv ] && fail "the child wrote into its base"
        [ -e $M/base/bin/dd ] || fail "a deletion in the child reached the base"
        grep -q extra $M/base/etc/passwd && fail "a change in the child reached the base"
        # Five changes, and what corral itself writes into a tree (/etc/localtime, resolv.conf)
        n=$(find $M/web -not -type d | wc -l)
        [ "$n" -le 7 ] || fail "the child holds more than its changes ($n files)"
        expect_eq "$(cr -M web /bin/sh -c 'cat /etc/motd; grep -c extra /etc/passwd; [ -e /bin/dd ] || echo no-dd')" "$(printf 'child\n1\nno-dd')" \
                "a later run sees the child's changes"

        expect_eq "$(shadowed web | tr '\n' ',')" "deleted /bin/dd,changed /etc/passwd,same /usr/lib/os-release," \
                "list-shadowed: a deletion, a change and an unchanged copy; the child's own files are not listed"
        expect_eq "$(shadowed web /etc/ /srv)" "changed /etc/passwd" "list-shadowed below paths"
        expect_contains "$(ctl list-shadowed web --json=short)" '{"state":"changed","type":"file","child":' "JSON"
        expect_contains "$(ctl list-shadowed web)" "3 shadowed files listed." "the footer"

        # The base is updated: a change to a file the child has a copy of, one it has not,
        # and a new file.  The child follows the base except where it has its own copy.
        sleep 0.02
        echo "base-admin:x:7:7::/:/bin/sh" >> $M/base/etc/passwd
        echo "newgroup:x:77:" >> $M/base/etc/group
        echo new > $M/base/etc/new-in-base
        expect_eq "$(cr -M web /bin/sh -c 'cat /etc/new-in-base; grep -c newgroup /etc/group; grep -c base-admin /etc/passwd')" "$(printf 'new\n1\n0')" \
                "the child sees the base's update but where its copy hides it"
        expect_eq "$(shadowed web /etc/passwd)" "base-newer /etc/passwd" "a copy older than the base's file is base-newer"

        out=$(ctl drop-shadowed web /srv/own 2>&1) && fail "drop-shadowed of the child's own file succeeded"
        expect_contains "$out" "the child hides nothing of its base at /srv/own" "the child's own files are never dropped"
        [ -e $M/web/srv/own ] || fail "a refused drop removed something"
        out=$(ctl drop-shadowed web /etc/passwd /srv/own 2>&1) && fail "a drop with one bad path succeeded"
        grep -q extra $M/web/etc/passwd || fail "a refused drop of several paths removed one"
        out=$(ctl drop-shadowed web etc/passwd 2>&1) && fail "a relative path was taken"
        expect_contains "$out" "not an absolute path in the image" "a relative path is refused"
        out=$(ctl drop-shadowed base /etc/passwd 2>&1) && fail "drop-shadowed of a base succeeded"
        expect_contains "$out" "Image 'base' is not an overlay child image" "a base is not a child"
        out=$(ctl drop-shadowed web /etc/passwd)
        expect_eq "$out" "/etc/passwd: dropped the child's copy (base-newer); the base's shows through." "drop-shadowed says what it dropped"
        expect_eq "$(cr -M web /bin/sh -c 'grep -c base-admin /etc/passwd; grep -c extra /etc/passwd')" "$(printf '1\n0')" \
                "after the drop the base's file shows through"
        expect_rc 0 ctl drop-shadowed -q web /bin
        expect_eq "$(cr -M web /bin/sh -c '[ -e /bin/dd ] && echo has-dd')" "has-dd" "dropping a deletion brings the base's file back"
        expect_eq "$(shadowed web | tr '\n' ',')" "same /usr/lib/os-release," "what was not dropped stays"

        # A directory replaced as a whole: only as a whole.
        cr -M web /bin/sh -c 'rm -r /home; mkdir -p /home/bob; echo b > /home/bob/f'
        expect_eq "$(shadowed web /home/bob)" "replaced /home" "a replaced directory is listed for a path below it"
        out=$(ctl drop-shadowed web /home/bob 2>&1) && fail "a drop below a replaced directory succeeded"
        expect_contains "$out" "/home/bob is below /home, which the child replaced as a whole: drop /home instead" "and says what to drop"
        expect_rc 0 ctl drop-shadowed -q web /home
        expect_eq "$(cr -M web ls /home)" "alice" "the base's directory is back"
        expect_eq "$(shadowed web)" "same /usr/lib/os-release" "nothing else changed"
        expect_eq "$(cr -M web cat /etc/motd /srv/own)" "$(printf 'child\nown')" "and the child's own files are kept"

        # The child's machine ID is its own: never dropped, by name or with /etc.
        echo 11111111111111111111111111111111 > $M/base/etc/machine-id
        echo 22222222222222222222222222222222 > $M/web/etc/machine-id
        echo x >> $M/web/etc/group
        out=$(ctl drop-shadowed web /etc/machine-id 2>&1) && fail "drop-shadowed of /etc/machine-id succeeded"
        expect_contains "$out" "/etc/machine-id is the child's own machine ID" "and says why"
        out=$(ctl drop-shadowed web /etc)
        expect_contains "$out" "/etc/machine-id: kept the child's own" "a directory holding it keeps it"
        expect_contains "$out" "/etc/group: dropped the child's copy" "and drops the rest"
        expect_eq "$(cat $M/web/etc/machine-id)" 22222222222222222222222222222222 "the child keeps its machine ID"
}

test_base_locked_while_a_child_runs() {
        make_busybox_tree $M/base
        expect_rc 0 ctl create-child base web
        "$CORRAL" -q -P -M web /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        local pid=$!
        for _ in $(seq 100); do ctl list --no-legend | grep -q '^web ' && break; sleep 0.1; done
        out=$("$CORRAL" -q -P -M base true 2>&1) && fail "the base ran writable under a running child"
        expect_contains "$out" "$M/base is currently busy" "a writable run of the base is refused"
        expect_eq "$(cr -M base --read-only cat /usr/lib/os-release | head -1)" "ID=busybox" "a read-only run of the base works"
        out=$(ctl remove base 2>&1); expect_contains "$out" "cannot remove image 'base': a container runs on it" "remove of the base is refused"
        out=$(ctl rename base b2 2>&1); expect_contains "$out" "cannot rename image 'base': a container runs on it" "rename of the base is refused"
        out=$(ctl import-fs --force "$TESTTMP" base 2>&1); expect_contains "$out" "cannot replace image 'base': a container runs on it" "replacing the base is refused"
        out=$(ctl drop-shadowed web /etc 2>&1); expect_contains "$out" "cannot drop the shadowing files of image 'web': a container runs on it" "drop-shadowed is refused"
        ctl terminate web
        wait $pid

        # A base runs writable: no child may start then.
        "$CORRAL" -q -P -M base /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 100); do ctl list --no-legend | grep -q '^base ' && break; sleep 0.1; done
        out=$("$CORRAL" -q -P -M web true 2>&1) && fail "a child ran over a base in use"
        expect_contains "$out" "the base $M/base of the overlay child image $M/web is in use: a container runs on it writable" "a child waits for its base"
        ctl terminate base
        wait $pid
        out=$(ctl remove base 2>&1) && fail "a base with children was removed"
        expect_contains "$out" "it is the base of the overlay child image 'web', which hold only their changes to it; remove it first" "remove names the children"
        [ -d $M/base ] || fail "the refused remove removed the base"
}

test_child_image_verbs() {
        make_busybox_tree $M/base
        make_busybox_tree $M/other
        truncate -s 1M $M/disk.raw
        out=$(ctl create-child nope web 2>&1); expect_contains "$out" "No image 'nope' known" "an unknown base"
        out=$(ctl create-child disk web 2>&1); expect_contains "$out" "image 'disk' is a raw image: the base of an overlay child must be a directory tree" "a raw base"
        out=$(ctl create-child base other 2>&1); expect_contains "$out" "an image named 'other' exists already" "a taken name"
        out=$(ctl create-child base .#x 2>&1); expect_contains "$out" "is not a valid image name" "a bad name"
        # A base with a machine ID: each child gets an empty one of its own, for its init to fill.
        echo 0123456789abcdef0123456789abcdef > $M/other/etc/machine-id
        chmod 444 $M/other/etc/machine-id
        expect_rc 0 ctl create-child other kid
        expect_eq "$(stat -c '%s %a %u' $M/kid/etc/machine-id) $(stat -c '%a %u %Y' $M/kid/etc)" "0 444 0 $(stat -c '%a %u %Y' $M/other/etc)" \
                "an empty machine ID file, and /etc as the base's"
        expect_eq "$(cr -M kid /bin/sh -c 'cat /etc/machine-id; ls /etc' | grep -vE '^(localtime|resolv.conf)$')" "$(ls $M/other/etc)" \
                "the child's /etc is the base's, but for its machine ID"
        expect_eq "$(ctl image-status kid | grep -c 'Machine ID')" 0 "the child has no machine ID until its init makes one"
        expect_rc 0 ctl remove kid
        rm $M/other/etc/machine-id
        expect_rc 0 ctl create-child base web
        out=$(ctl create-child web grandchild 2>&1); expect_contains "$out" "image 'web' is itself an overlay child (of $M/base)" "no child of a child"
        [ -e $M/grandchild ] && fail "a refused create-child left an image"
        cr -M web /bin/sh -c 'echo child > /etc/motd; rm /bin/dd'

        # rename: of the base, the children follow; of a child, its record goes along.
        expect_rc 0 ctl rename base base2
        expect_contains "$(ctl image-status web)" "Base: base2 ($M/base2)" "the child follows its renamed base"
        expect_rc 0 ctl rename web web2
        expect_eq "$(cr -M web2 cat /etc/motd)" child "a renamed child keeps its changes"
        expect_eq "$(ls -A $M | grep -c '^\.#web\.')" 0 "no record is left under the old name"

        # clone: another child of the same base, with a copy of the changes.
        expect_rc 0 ctl clone web2 web3
        expect_contains "$(ctl image-status web3)" "Base: base2 ($M/base2)" "a clone of a child is a child of the same base"
        expect_eq "$(cr -M web3 /bin/sh -c 'cat /etc/motd; [ -e /bin/dd ] || echo no-dd')" "$(printf 'child\nno-dd')" "with the child's changes and deletions"
        [ "$(find $M/web3 -not -type d | wc -l)" -le 4 ] || fail "the clone of a child copied its base"

        # export-tar of a child: the tree its containers see, base and child together.
        expect_rc 0 ctl export-tar web3 "$TESTTMP/web3.tar"
        list=$(tar -tf "$TESTTMP/web3.tar")
        expect_contains "$list" "./etc/motd" "the export holds the child's files"
        expect_contains "$list" "./usr/lib/os-release" "and the base's"
        expect_not_contains "$list" "./bin/dd" "but not what the child deleted"
        expect_rc 0 ctl import-tar "$TESTTMP/web3.tar" full
        expect_eq "$(ctl image-status full | grep -c Base:)" 0 "the import is a plain image"
        expect_eq "$(cr -M full cat /etc/motd)" child "and runs"

        # remove: a child takes its record and work directory along; then the base may go.
        out=$(ctl remove base2 2>&1); expect_contains "$out" "overlay child images 'web2', 'web3'" "the base of two children stays"
        expect_rc 0 ctl remove web2 web3
        expect_eq "$(ls -A $M | grep -c '^\.#')" 0 "no record or work directory is left"
        expect_rc 0 ctl remove base2
        # import --force over a child: the new image is no child.
        expect_rc 0 ctl create-child other web
        expect_rc 0 ctl import-tar --force "$TESTTMP/web3.tar" web
        expect_eq "$(ctl image-status web | grep -c Base:)" 0 "an image imported over a child is no child"
        expect_eq "$(cr -M web cat /etc/motd)" child "and runs as imported"
}

test_child_ephemeral_read_only_and_user_namespace() {
        make_busybox_tree $M/base
        expect_rc 0 ctl create-child base web
        cr -M web /bin/sh -c 'echo child > /etc/motd'
        expect_eq "$(cr -M web -x /bin/sh -c 'cat /etc/motd; echo gone > /etc/ephemeral; rm /etc/motd')" child "--ephemeral sees the child"
        [ -e $M/web/etc/ephemeral ] && fail "--ephemeral wrote into the child"
        [ -e $M/web/etc/motd ] || fail "--ephemeral deleted from the child"
        out=$(cr -M web --read-only /bin/sh -c 'cat /etc/motd; touch /etc/x 2>&1')
        expect_contains "$out" "child" "--read-only sees the child"
        expect_contains "$out" "Read-only file system" "and cannot write"
        out=$(cr -M web --volatile=yes true 2>&1) && fail "--volatile=yes ran a child"
        expect_contains "$out" "--volatile=yes cannot run $M/web: it is an overlay child image" "--volatile=yes is refused with a reason"

        # -U: the child and its base are idmapped; what the container writes is root's on disk.
        out=$(cr -M web -U /bin/sh -c 'cat /proc/self/uid_map; echo u > /etc/userns-file; chown 1000:1000 /etc/userns-file; rm /bin/dd; rm -r /home; mkdir /home; stat -c %u /etc/motd /usr/lib/os-release')
        expect_eq "$(echo "$out" | awk 'NR==1 {print $1, $3}')" "0 65536" "-U runs the child in a user namespace"
        expect_eq "$(echo "$out" | tail -2 | tr '\n' ' ')" "0 0 " "the child's and the base's files are root's inside"
        expect_eq "$(stat -c %u:%g $M/web/etc/userns-file)" "1000:1000" "a file the container made is owned on disk as inside"
        expect_eq "$(shadowed web | tr '\n' ',')" "deleted /bin/dd,replaced /home," "deletions and replaced directories made in a user namespace are seen"
        expect_eq "$(cr -M web /bin/sh -c 'cat /etc/userns-file; [ -e /bin/dd ] || echo no-dd; ls -A /home')" "$(printf 'u\nno-dd')" \
                "and a run without a user namespace sees them as well"
        expect_eq "$(cr -M web -U -x cat /etc/userns-file)" u "-U with --ephemeral"
        out=$(cr -M web -U --private-users-ownership=chown true 2>&1) && fail "chown of a child was done"
        expect_contains "$out" "--private-users-ownership=chown cannot shift $M/web: it is an overlay child image" "chown is refused with a reason"
        [ "$(stat -c %u $M/base/etc/passwd)" = 0 ] || fail "the base was chowned"
}

# corralctl start CHILD: nspawn's service defaults (-U, a veth pair, --boot) over a child.
test_start_child_as_service() {
        make_bootable_image base
        expect_rc 0 ctl create-child base web
        ctl start web || fail "start of a child failed: $(cat /var/log/corral/web.log)"
        wait_for /var/log/corral/web.log "booted-base" 10 || fail "the child did not boot (the base's inittab)"
        ctl shell web /bin/sh -c 'echo from-service > /etc/service-file' || fail "shell into the child failed"
        expect_eq "$(ctl show web -p RootDirectory --value)" "$M/web" "the machine runs on the child"
        stop_machine poweroff web || fail "the child did not power off (busybox init's signal, from the base)"
        expect_eq "$(cat $M/web/etc/service-file)" from-service "what the service wrote is in the child"
        [ -e $M/base/etc/service-file ] && fail "the service wrote into the base"
        return 0
}
