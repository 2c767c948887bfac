# SPDX-License-Identifier: LGPL-2.1-or-later
# Raw disk images with -i/--image and -M NAME.raw: a plain file system, an MBR disk and a GPT
# disk of the Discoverable Partitions Specification, made in the test with sfdisk and mkfs
# (mkfs.ext4 -d fills a file system from a directory, so nothing is mounted to make them).

M=/var/lib/machines
ctl() { "$CORRALCTL" "$@"; }

loops() { losetup -a 2>/dev/null | sort; }

# An ext4 file system image of size $2 holding directory $3, at $1.
fs_image() { truncate -s "$2" "$1" && mkfs.ext4 -q -F -d "$3" "$1"; }

# Writes file system image $2 into disk $1 at sector $3.
put_at() { dd if="$2" of="$1" bs=512 seek="$3" conv=notrunc,sparse status=none; }

test_raw_image_plain_file_system() {
        local before; before=$(loops)
        make_busybox_tree "$TESTTMP/tree"
        echo from-image > "$TESTTMP/tree/etc/marker"
        fs_image "$TESTTMP/plain.raw" 64M "$TESTTMP/tree"
        expect_eq "$(cr -i "$TESTTMP/plain.raw" /bin/sh -c 'cat /etc/marker; hostname')" "$(printf 'from-image\nplain')" \
                "-i: the image's file system is the root, and the machine is named after the file"
        expect_eq "$(loops)" "$before" "its loop device is gone with the container"
        # -M finds NAME.raw in the store; its settings file is beside it
        mv "$TESTTMP/plain.raw" $M/disk.raw
        out=$(ctl image-status disk)
        expect_contains "$out" "      OS: BusyBox test tree" "image-status reads the OS of a raw image"
        expect_contains "$out" "    Type: raw" "its type"
        expect_eq "$(loops)" "$before" "image-status leaves no loop device"
        printf '[Exec]\nEnvironment=FROM=settings\n' > $M/disk.nspawn
        expect_eq "$(cr -M disk --settings=trusted /bin/sh -c 'echo $FROM; echo x > /written && cat /written')" "$(printf 'settings\nx')" \
                "-M disk runs disk.raw, writable, with disk.nspawn"
        expect_eq "$(cr -M disk --read-only /bin/sh -c 'cat /written; touch /y 2>&1 | grep -c Read-only')" "$(printf 'x\n1')" \
                "what was written stays in the image; --read-only mounts it read-only"
        # A running container's image cannot be removed
        "$CORRAL" -q -P -M disk /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        local pid=$!
        for _ in $(seq 100); do ctl list --no-legend | grep -q '^disk ' && break; sleep 0.1; done
        expect_contains "$(ctl status disk)" "Root: $M/disk.raw" "status names the image"
        out=$(ctl remove disk 2>&1); expect_contains "$out" "cannot remove image 'disk': a container runs on it" "the image is locked while it runs"
        ctl terminate disk
        wait $pid
        expect_eq "$(loops)" "$before" "no loop device is left"
        # Errors
        out=$("$CORRAL" -q -D "$TESTTMP/tree" -i $M/disk.raw true 2>&1); expect_contains "$out" "--directory=, --template= and --image= may not be combined" "-D and -i"
        out=$("$CORRAL" -q -i "$TESTTMP/none.raw" true 2>&1); expect_contains "$out" "-i: cannot open the disk image $TESTTMP/none.raw: No such file or directory" "a missing image"
        head -c 8M /dev/zero > "$TESTTMP/zero.raw"
        out=$("$CORRAL" -q -i "$TESTTMP/zero.raw" true 2>&1)
        expect_contains "$out" "-i: $TESTTMP/zero.raw: the image has no file system this kernel can mount (tried ext4, btrfs, xfs, erofs, squashfs, vfat)" "an empty image"
        out=$("$CORRAL" -q -i $M/disk.raw --root-hash=$(printf 'ab%.0s' $(seq 32)) true 2>&1)
        if [ -e /dev/mapper/control ] || [ -e /sys/module/dm_verity ]; then
                expect_contains "$out" "--root-hash=: corral cannot set up dm-verity yet" "--root-hash= with device-mapper"
        else
                expect_contains "$out" "--root-hash=: the kernel has no device-mapper (CONFIG_BLK_DEV_DM, CONFIG_DM_VERITY), so $M/disk.raw cannot be verified" \
                        "--root-hash= on a kernel without dm-verity"
        fi
        out=$("$CORRAL" -q -i $M/disk.raw --root-hash=xyz true 2>&1); expect_contains "$out" "--root-hash=xyz: not a root hash" "a malformed root hash"
        expect_eq "$(loops)" "$before" "failures leave no loop device"
}

test_raw_image_mbr_disk() {
        local before; before=$(loops)
        make_busybox_tree "$TESTTMP/tree"
        echo mbr > "$TESTTMP/tree/etc/marker"
        fs_image "$TESTTMP/root.img" 60M "$TESTTMP/tree"
        truncate -s 64M "$TESTTMP/mbr.raw"
        printf 'label: dos\nstart=2048, type=83\n' | sfdisk -q "$TESTTMP/mbr.raw" >/dev/null || fail "sfdisk"
        put_at "$TESTTMP/mbr.raw" "$TESTTMP/root.img" 2048
        expect_eq "$(cr -i "$TESTTMP/mbr.raw" /bin/cat /etc/marker)" mbr "an MBR disk's Linux partition is the root"
        expect_eq "$(loops)" "$before" "no loop device is left"
}

test_raw_image_gpt_disk_boots() {
        local before; before=$(loops)
        make_busybox_tree "$TESTTMP/root"
        mkdir -p "$TESTTMP/home/bob" "$TESTTMP/srv/www" "$TESTTMP/x" "$TESTTMP/root/x"
        echo home > "$TESTTMP/home/bob/marker"
        echo srv > "$TESTTMP/srv/www/marker"
        ln -sf ../bin/busybox "$TESTTMP/root/sbin/init"
        printf '::sysinit:/bin/sh -c "cat /home/bob/marker /srv/www/marker > /x/seen; grep -c \\" /efi \\" /proc/self/mountinfo >> /x/seen; touch /x/up"\n::respawn:/bin/sleep 1000\n' \
                > "$TESTTMP/root/etc/inittab"
        fs_image "$TESTTMP/root.img" 64M "$TESTTMP/root"
        fs_image "$TESTTMP/home.img" 16M "$TESTTMP/home"
        fs_image "$TESTTMP/srv.img" 16M "$TESTTMP/srv"
        truncate -s 110M "$TESTTMP/gpt.raw"
        sfdisk -q "$TESTTMP/gpt.raw" >/dev/null <<'EOF' || fail "sfdisk"
label: gpt
start=2048, size=16384, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name=esp
start=18432, size=131072, type=4F68BCE3-E8CD-4DB1-96E7-FBCAF984B709, name=root-x86-64
start=149504, size=32768, type=933AC7E1-2EB4-4F13-B844-0E14E2AEF915, name=home
start=182272, size=32768, type=3B8F8425-20E0-4F3B-907F-1A25A76F98E8, name=srv
EOF
        put_at "$TESTTMP/gpt.raw" "$TESTTMP/root.img" 18432
        put_at "$TESTTMP/gpt.raw" "$TESTTMP/home.img" 149504
        put_at "$TESTTMP/gpt.raw" "$TESTTMP/srv.img" 182272
        truncate -s 8M "$TESTTMP/esp.img"; mkfs.vfat "$TESTTMP/esp.img" >/dev/null
        put_at "$TESTTMP/gpt.raw" "$TESTTMP/esp.img" 2048
        "$CORRAL" -q -i "$TESTTMP/gpt.raw" -M gpt -b --console=pipe --bind="$TESTTMP/x:/x" </dev/null >"$TESTTMP/gpt.out" 2>&1 &
        local p=$!
        wait_for_file "$TESTTMP/x/up" 15 || fail "busybox init did not come up from the GPT disk: $(cat "$TESTTMP/gpt.out")"
        local esp=1
        grep -qw vfat /proc/filesystems || esp=0
        expect_eq "$(cat "$TESTTMP/x/seen")" "$(printf 'home\nsrv\n%s' $esp)" "the root boots, with /home and /srv from their partitions, and the ESP at /efi where the kernel has vfat"
        if [ $esp = 0 ]; then
                expect_contains "$(cat "$TESTTMP/gpt.out")" "the esp partition (number 1) has no file system this kernel can mount" "a kernel without vfat: a warning"
                expect_contains "$(cat "$TESTTMP/gpt.out")" "(the container runs without it)" "and the container runs"
        fi
        ctl poweroff gpt || fail "poweroff"
        wait $p
        expect_eq "$?" 0 "it powers off cleanly"
        expect_eq "$(loops)" "$before" "no loop device is left"
        # A damaged table and a disk without a root are refused, saying why
        cp "$TESTTMP/gpt.raw" "$TESTTMP/bad.raw"
        # Both headers (a damaged primary alone is taken from the backup, as it should be)
        printf 'XXXX' | dd of="$TESTTMP/bad.raw" bs=1 seek=$((512 + 40)) conv=notrunc status=none
        printf 'XXXX' | dd of="$TESTTMP/bad.raw" bs=1 seek=$(( $(stat -c %s "$TESTTMP/bad.raw") - 512 + 40)) conv=notrunc status=none
        out=$("$CORRAL" -q -i "$TESTTMP/bad.raw" true 2>&1)
        expect_contains "$out" "-i: $TESTTMP/bad.raw: the partition table is damaged" "a damaged GPT"
        truncate -s 64M "$TESTTMP/noroot.raw"
        printf 'label: gpt\nstart=2048, type=933AC7E1-2EB4-4F13-B844-0E14E2AEF915\n' | sfdisk -q "$TESTTMP/noroot.raw" >/dev/null
        out=$("$CORRAL" -q -i "$TESTTMP/noroot.raw" true 2>&1)
        expect_contains "$out" "-i: $TESTTMP/noroot.raw: the disk has no root partition" "a disk without a root partition"
        expect_eq "$(loops)" "$before" "no loop device is left"
}
