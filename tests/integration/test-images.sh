# SPDX-License-Identifier: LGPL-2.1-or-later
# The image store and corralctl's image verbs: list-images, image-status, show-image, clone,
# rename, read-only, remove, set-limit, clean, cat, edit.

M=/var/lib/machines
ctl() { "$CORRALCTL" "$@"; }

test_list_images_and_status() {
        make_busybox_tree $M/web
        echo web-host > $M/web/etc/hostname
        make_busybox_tree $M/.base
        truncate -s 64M $M/disk.raw
        mkdir $M/.#tmp-not-an-image
        touch $M/notes.txt
        out=$(ctl list-images)
        expect_contains "$out" "NAME TYPE      RO USAGE CREATED" "machinectl's header"
        expect_contains "$(grep '^web ' <<<"$out" | tr -s ' ')" "directory no n/a" "a directory: writable, no usage known"
        expect_contains "$(grep '^disk ' <<<"$out" | tr -s ' ')" "raw no 0B" "a raw image: its blocks in use (sparse)"
        expect_contains "$out" "2 images listed." "hidden images, temporary files and other files are not listed"
        expect_eq "$(ctl list-images -a --no-legend | awk '{print $1}' | tr '\n' ' ')" ".base disk web " "--all shows hidden images, sorted"
        json=$(ctl list-images --json=short)
        expect_contains "$json" '{"name":"disk","type":"raw","ro":false,"usage":0,"created":' "JSON, typed as machinectl's"
        expect_contains "$json" '{"name":"web","type":"directory","ro":false,"usage":null,' "an unknown usage is null"
        expect_eq "$(ctl list-images -o json | python3 -c 'import json,sys; d={i["name"]: i for i in json.load(sys.stdin)}; print(type(d["web"]["modified"]).__name__, d["web"]["modified"] > 10**15)')" \
                "int True" "-o json: times in µs since the epoch"
        expect_eq "$(ctl show-image web -o json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["Name"], d["ReadOnly"], d["Usage"], type(d["ModificationTimestamp"]).__name__)')" \
                "web False None int" "show-image -o json: typed properties"
        out=$(ctl image-status web)
        expect_contains "$out" "    Type: directory" "image-status: type"
        expect_contains "$out" "    Path: $M/web" "path"
        expect_contains "$out" "Hostname: web-host" "the tree's hostname"
        expect_contains "$out" "      OS: BusyBox test tree" "the tree's OS"
        expect_contains "$out" "      RO: writable" "writable"
        expect_eq "$(ctl show-image web -p Type -p ReadOnly --value | tr '\n' ' ')" "directory no " "show-image -p --value"
        expect_eq "$(ctl show-image -p PoolPath)" "PoolPath=$M" "show-image without a name: the pool"
        out=$(ctl image-status nope 2>&1); rc=$?
        expect_eq "$rc" 1 "an unknown image fails"
        expect_contains "$out" "No image 'nope' known" "and says so"
        rm -r $M/web $M/.base $M/disk.raw
        expect_eq "$(ctl list-images)" "No images." "none"
}

# What an OS tree holds, made in dir: owners, setuid, hard links, xattrs, an ACL, a file
# capability, device nodes, a FIFO, links and times.
fill_tree() {
        local d=$1
        echo data > "$d/usr/bin/tool"
        chown 1000:10 "$d/usr/bin/tool"
        chmod 4750 "$d/usr/bin/tool"
        ln "$d/usr/bin/tool" "$d/usr/bin/tool-link"
        setfattr -n user.note -v hello "$d/usr/bin/tool"
        setfattr -n trusted.overlay.opaque -v y "$d/usr/lib"
        setfacl -m u:1000:rwx "$d/home/alice"
        echo ping > "$d/usr/bin/ping"
        chmod 755 "$d/usr/bin/ping"
        setcap cap_net_raw+ep "$d/usr/bin/ping"
        mknod "$d/dev/null" c 1 3
        mknod "$d/dev/sda" b 8 0
        mkfifo "$d/run/fifo"
        ln -s /etc/passwd "$d/etc/abs-link"
        ln -s ../../../.. "$d/usr/lib/up"
        touch -h -d '2001-02-03 04:05:06' "$d/etc/abs-link" "$d/etc/passwd"
        touch -d '2001-02-03 04:05:06' "$d/usr/lib"
}

tree_listing() { # dir: every entry with its type, mode, owner, links, size, times, xattrs, ACL, capability
        (cd "$1" && find . -printf '%p\n' | sort | while read -r f; do
                printf '%s %s %s\n' "$(stat -c '%n %F %A %u:%g %h %s %t:%T %Y.%y' "$f")" \
                        "$(getfattr -h -d -m - --absolute-names "$f" 2>/dev/null | tail -n +2 | tr '\n' ' ')" \
                        "$([ -L "$f" ] && readlink "$f")"
        done)
}

test_clone_keeps_everything() {
        make_busybox_tree $M/web
        fill_tree $M/web
        printf '[Exec]\nEnvironment=FROM=web\n' > /etc/systemd/nspawn/web.nspawn
        expect_rc 0 ctl clone web web2
        expect_eq "$(tree_listing $M/web2)" "$(tree_listing $M/web)" "the clone has every file, type, owner, mode, link, time, xattr, ACL and capability"
        expect_eq "$(stat -c %i $M/web2/usr/bin/tool)" "$(stat -c %i $M/web2/usr/bin/tool-link)" "hard links stay links within the clone"
        [ "$(stat -c %i $M/web2/usr/bin/tool)" != "$(stat -c %i $M/web/usr/bin/tool)" ] || fail "the clone has its own files"
        expect_eq "$(cat /etc/systemd/nspawn/web2.nspawn)" "$(printf '[Exec]\nEnvironment=FROM=web')" "the settings file is cloned too"
        out=$(cr -M web2 /bin/sh -c 'echo $FROM; cat /usr/bin/tool')
        expect_eq "$out" "$(printf 'web\ndata')" "the clone runs, with its settings"
        echo changed > $M/web2/usr/bin/tool
        expect_eq "$(cat $M/web/usr/bin/tool)" "data" "changing the clone leaves the original"
        expect_rc 0 ctl clone --read-only web web3
        expect_contains "$(ctl list-images --no-legend | grep '^web3 ')" "directory yes" "--read-only"
        out=$(ctl clone web web2 2>&1); expect_contains "$out" "an image named 'web2' exists already" "a name in use is refused"
        out=$(ctl clone web 'a/b' 2>&1); expect_contains "$out" '"a/b" is not a valid image name' "a bad name is refused"
        out=$(ctl clone nope x 2>&1); expect_contains "$out" "No image 'nope' known" "an unknown image"
        printf 'x\n' > /etc/systemd/nspawn/web4.nspawn
        out=$(ctl clone web web4 2>&1)
        expect_contains "$out" "the settings file /etc/systemd/nspawn/web4.nspawn exists already" "a settings file of the new name is never overwritten"
        expect_eq "$(cat /etc/systemd/nspawn/web4.nspawn)" "x" "and stays as it was"
        [ ! -e $M/web4 ] || fail "nothing is made then"
        # A raw image stays sparse.
        truncate -s 1G $M/disk.raw
        printf 'boot' | dd of=$M/disk.raw bs=1 seek=1048576 conv=notrunc status=none
        expect_rc 0 ctl clone disk disk2
        expect_eq "$(stat -c %s $M/disk2.raw)" 1073741824 "the raw clone has the size"
        expect_eq "$(cmp $M/disk.raw $M/disk2.raw && echo same)" same "and the data"
        [ "$(stat -c %b $M/disk2.raw)" -lt 1024 ] || fail "and stays sparse: $(stat -c %b $M/disk2.raw) blocks"
}

# A clone that fails half-way (the file system fills up) leaves nothing behind.
test_clone_failure_leaves_nothing() {
        mount -t tmpfs -o size=4M tmpfs $M
        make_busybox_tree $M/big
        rm -f $M/big/bin/corral-probe
        dd if=/dev/urandom of=$M/big/usr/lib/blob bs=1M count=2 status=none
        out=$(ctl clone big big2 2>&1); rc=$?
        expect_eq "$rc" 1 "the clone fails"
        expect_contains "$out" "no space left" "and says why"
        expect_contains "$out" "the partial copy is removed" "and that nothing is left"
        expect_eq "$(ls -A $M)" "big" "nothing is left: no image, no temporary copy"
        umount $M
}

test_rename_read_only_remove() {
        make_busybox_tree $M/web
        printf '[Exec]\nBoot=no\n' > /etc/systemd/nspawn/web.nspawn
        printf '[Files]\n' > $M/web.nspawn
        expect_rc 0 ctl rename web site
        expect_eq "$(ls $M | tr '\n' ' ')" "site site.nspawn " "the image and the settings file beside it are renamed"
        expect_eq "$(ls /etc/systemd/nspawn)" "site.nspawn" "and the one in /etc"
        make_busybox_tree $M/other
        out=$(ctl rename site other 2>&1); expect_contains "$out" "an image named 'other' exists already" "rename onto an image is refused"
        printf 'keep\n' > /etc/systemd/nspawn/taken.nspawn
        out=$(ctl rename site taken 2>&1)
        expect_contains "$out" "the settings file /etc/systemd/nspawn/taken.nspawn exists already" "rename onto a settings file is refused"
        expect_eq "$(ls $M | tr '\n' ' ')" "other site site.nspawn " "and nothing moved"
        # read-only: the immutable flag on the top, as machined sets it
        expect_rc 0 ctl read-only site
        expect_contains "$(ctl list-images --no-legend | grep '^site ')" "directory yes" "read-only"
        lsattr -d $M/site | grep -q -- '-i-' || fail "the immutable flag is set: $(lsattr -d $M/site)"
        touch $M/site/new 2>/dev/null && fail "nothing can be added at the top"
        expect_rc 0 ctl rename site ro-site
        expect_contains "$(ctl list-images --no-legend | grep '^ro-site ')" "directory yes" "a read-only image is renamed and stays read-only"
        expect_rc 0 ctl read-only ro-site no
        expect_contains "$(ctl list-images --no-legend | grep '^ro-site ')" "directory no" "read-only no"
        expect_rc 0 ctl read-only ro-site yes
        out=$(ctl read-only ro-site maybe 2>&1); expect_contains "$out" "Failed to parse read-only boolean: maybe" "a bad boolean"
        # remove: a read-only image too, as machined does, and its settings files
        expect_rc 0 ctl remove ro-site
        expect_eq "$(ls $M | tr '\n' ' ')" "other " "remove takes the image and the settings file beside it"
        expect_eq "$(ls /etc/systemd/nspawn)" "taken.nspawn" "and the one in /etc"
        truncate -s 1M $M/disk.raw
        expect_rc 0 ctl read-only disk
        expect_eq "$(stat -c %A $M/disk.raw)" "-r--r--r--" "a raw image is read-only by its mode"
        expect_rc 0 ctl remove disk other
        expect_eq "$(ls -A $M)" "" "remove takes several"
        out=$(ctl remove nope 2>&1); expect_contains "$out" "No image 'nope' known" "an unknown image"
}

# A container running on an image keeps it from being renamed or removed (and from a clone
# while it may write).
test_image_busy_while_running() {
        make_busybox_tree $M/web
        "$CORRAL" -q -P -M web /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        local pid=$!
        for _ in $(seq 100); do ctl list --no-legend | grep -q '^web ' && break; sleep 0.1; done
        out=$(ctl remove web 2>&1); expect_contains "$out" "cannot remove image 'web': a container runs on it" "remove is refused"
        out=$(ctl rename web web2 2>&1); expect_contains "$out" "cannot rename image 'web': a container runs on it" "rename is refused"
        out=$(ctl clone web web2 2>&1); expect_contains "$out" "cannot clone image 'web': a container runs on it writable" "clone of a changing tree is refused"
        [ -d $M/web ] && [ ! -e $M/web2 ] || fail "nothing changed"
        ctl terminate web
        wait $pid
        expect_rc 0 ctl clone web web2
        # A read-only run leaves the tree alone: clone it while it runs.
        "$CORRAL" -q -P -M web --read-only /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        pid=$!
        for _ in $(seq 100); do ctl list --no-legend | grep -q '^web ' && break; sleep 0.1; done
        expect_rc 0 ctl clone web web3
        ctl terminate web
        wait $pid
        expect_rc 0 ctl remove web web2 web3
}

test_clean_hidden_or_all() {
        make_busybox_tree $M/web
        make_busybox_tree $M/.cache1
        truncate -s 1M $M/.cache2.raw
        out=$(ctl clean)
        expect_eq "$out" "$(printf "Removed image '.cache1'.\nRemoved image '.cache2'.")" "clean removes hidden images"
        expect_eq "$(ls -A $M)" "web" "and only those"
        expect_rc 0 ctl clean --all -q
        expect_eq "$(ls -A $M)" "" "--all removes every image"
        # An image a container runs on is kept, as machined keeps it, and clean succeeds; a base
        # goes with its children (whatever the order they are listed in).
        make_busybox_tree $M/busy
        make_busybox_tree $M/abase
        ctl create-child abase zkid >/dev/null || fail "create-child failed"
        "$CORRAL" -q -P -M busy /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        local pid=$!
        for _ in $(seq 100); do ctl list --no-legend | grep -q '^busy ' && break; sleep 0.1; done
        out=$(ctl clean --all 2>&1); rc=$?
        expect_eq "$rc" 0 "clean --all succeeds with an image in use"
        expect_contains "$out" "Kept image 'busy', which is in use: cannot remove image 'busy': a container runs on it" "and says why it kept it"
        expect_contains "$out" "Removed image 'abase'." "the base goes after its child"
        expect_eq "$(ls -A $M | grep -v '^\.#')" "busy" "only the busy image is left"
        ctl terminate busy
        wait $pid || true
}

test_cat_and_edit_settings() {
        make_busybox_tree $M/web
        out=$(ctl cat web 2>&1); rc=$?
        expect_eq "$rc" 1 "cat without a settings file fails"
        expect_contains "$out" "No settings file found for machine 'web'" "and says so"
        printf '[Exec]\nBoot=yes\n' > $M/web.nspawn
        expect_eq "$(ctl cat web)" "$(printf '# %s\n[Exec]\nBoot=yes' $M/web.nspawn)" "cat shows the file beside the image"
        # edit works on a copy in /etc, which wins over the file beside the image.
        cat > "$TESTTMP/ed" <<'ED'
#!/bin/sh
sed -i 's/Boot=yes/Boot=no/' "$1"
ED
        chmod +x "$TESTTMP/ed"
        EDITOR="$TESTTMP/ed" ctl edit web || fail "edit"
        expect_eq "$(cat /etc/systemd/nspawn/web.nspawn)" "$(printf '[Exec]\nBoot=no')" "edit writes /etc/systemd/nspawn/NAME.nspawn"
        expect_eq "$(cat $M/web.nspawn)" "$(printf '[Exec]\nBoot=yes')" "and leaves the untrusted file beside the image"
        expect_contains "$(ctl cat web)" "# /etc/systemd/nspawn/web.nspawn" "cat then shows the one in /etc"
        # An editor that fails changes nothing and leaves no temporary file.
        EDITOR=false ctl edit web 2>/dev/null && fail "a failed editor fails edit"
        expect_eq "$(cat /etc/systemd/nspawn/web.nspawn)" "$(printf '[Exec]\nBoot=no')" "the file is as it was"
        expect_eq "$(ls -A /etc/systemd/nspawn)" "web.nspawn" "no temporary file is left"
        EDITOR="$TESTTMP/ed" ctl edit new || fail "edit of a name without a file"
        [ -e /etc/systemd/nspawn/new.nspawn ] || fail "creates it"
        # NAME.nspawn is NAME, for cat and edit alike.
        expect_eq "$(ctl cat web.nspawn)" "$(ctl cat web)" "cat NAME.nspawn"
        printf '#!/bin/sh\necho Boot=maybe >> "$1"\n' > "$TESTTMP/ed2"; chmod +x "$TESTTMP/ed2"
        EDITOR="$TESTTMP/ed2" ctl edit web.nspawn || fail "edit NAME.nspawn"
        expect_contains "$(cat /etc/systemd/nspawn/web.nspawn)" "Boot=maybe" "edit NAME.nspawn edits NAME's file"
        expect_eq "$(ls -A /etc/systemd/nspawn | sort | tr '\n' ' ')" "new.nspawn web.nspawn " "and makes no NAME.nspawn.nspawn"
        # image-status with no name shows nothing, as machinectl 252.
        expect_eq "$(ctl image-status 2>&1; echo rc=$?)" "rc=0" "image-status without a name"
}

# On btrfs: subvolumes, clones as snapshots, the subvolume's read-only flag, quotas.
test_btrfs_subvolumes_and_limits() {
        command -v mkfs.btrfs >/dev/null || skip "no mkfs.btrfs (btrfs-progs)"
        grep -qw btrfs /proc/filesystems || skip "the kernel has no btrfs"
        truncate -s 200M "$TESTTMP/pool.img"
        mkfs.btrfs -q "$TESTTMP/pool.img" || fail "mkfs.btrfs"
        mount -o loop "$TESTTMP/pool.img" $M || skip "cannot mount a loop device here"
        btrfs -q subvolume create $M/web >/dev/null
        make_busybox_tree $M/web
        make_busybox_tree $M/plain-dir
        expect_contains "$(ctl list-images --no-legend | grep '^web ')" "subvolume no" "a subvolume is listed as one"
        expect_rc 0 ctl clone web web2
        expect_eq "$(stat -c %i $M/web2)" 256 "the clone of a subvolume is a subvolume"
        expect_contains "$(btrfs subvolume show $M/web2)" "Parent UUID:" "a snapshot of it"
        expect_eq "$(cat $M/web2/usr/lib/os-release | head -1)" "ID=busybox" "with the tree"
        expect_rc 0 ctl read-only web2
        expect_eq "$(btrfs property get -ts $M/web2 ro)" "ro=true" "read-only sets the subvolume's flag"
        expect_rc 0 ctl read-only web2 no
        expect_eq "$(btrfs property get -ts $M/web2 ro)" "ro=false" "and clears it"
        expect_rc 0 ctl set-limit web2 64M
        expect_contains "$(btrfs qgroup show -r --raw $M 2>&1)" "67108864" "set-limit puts a quota on the subvolume"
        out=$(ctl set-limit plain-dir 1G 2>&1)
        expect_contains "$out" "quotas are only supported on btrfs subvolumes" "a plain directory gets a clear error"
        out=$(ctl set-limit web2 lots 2>&1)
        expect_contains "$out" "Failed to parse size: lots" "a bad size"
        expect_rc 0 ctl remove web web2 plain-dir
        expect_eq "$(ls -A $M)" "" "subvolumes are removed"
        umount $M
}
