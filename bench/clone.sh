#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# corralctl clone of the Debian tree beside cp -a of it on ext4, 3 interleaved rounds each,
# medians; then on btrfs (a loop file system of the bench's
# own) the clone of the Debian tree beside the clone of a 3-file tree, to show it is a snapshot
# whose time does not grow with the tree.  Goals: faster than cp -a; constant-time on btrfs.
. "$(dirname "$0")/lib.sh"
CORRALCTL=$(dirname "$(dirname "$CORRAL")")/corralctl/corralctl
debian_copy
img=$BENCH_TMP/fs.img
# Each run on a new ext4 (a loop device over a file in the bench's tmpfs) holding a fresh copy
# of the tree: on one file system reused, ext4's inode allocator slows down by a varying amount
# after the previous round's copy was removed (recently_deleted() in perf).
fresh_fs() {
        rm -f "$img"; truncate -s 3G "$img"
        mkfs.ext4 -q -F -E lazy_itable_init=0 "$img"
        mount -o loop "$img" /var/lib/machines
        cp -a "$DEB" /var/lib/machines/deb
        sync
}
now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=() p=()
for round in 1 2 3; do
        fresh_fs
        t0=$(now); "$CORRALCTL" clone deb c; t1=$(now)
        umount /var/lib/machines
        fresh_fs
        t2=$(now); cp -a /var/lib/machines/deb /var/lib/machines/.cp; t3=$(now)
        umount /var/lib/machines
        c+=($(( (t1 - t0) / 1000 ))); p+=($(( (t3 - t2) / 1000 )))
done
cm=$(median "${c[@]}"); pm=$(median "${p[@]}")
echo "clone of the Debian tree ($(du -sh "$DEB" | cut -f1), a new ext4 each run): corralctl clone $(ms "$cm"), cp -a $(ms "$pm"); ratio cp/clone $(ratio "$pm" "$cm") (goal: > 1): $(awk -v a="$cm" -v b="$pm" 'BEGIN {print (a < b) ? "met" : "NOT met"}')"
pool=$DEB_COPY/pool
mkdir -p "$pool"
mv "$DEB" "$pool/deb"

if command -v mkfs.btrfs >/dev/null && grep -qw btrfs /proc/filesystems; then
        truncate -s 1G "$DEB_COPY/btrfs.img"
        mkfs.btrfs -q "$DEB_COPY/btrfs.img" >/dev/null
        mount -o loop "$DEB_COPY/btrfs.img" /var/lib/machines
        btrfs -q subvolume create /var/lib/machines/deb >/dev/null
        cp -a "$pool/deb/." /var/lib/machines/deb/
        btrfs -q subvolume create /var/lib/machines/tiny >/dev/null
        echo x > /var/lib/machines/tiny/a; echo y > /var/lib/machines/tiny/b; echo z > /var/lib/machines/tiny/c
        d=() s=()
        for round in 1 2 3; do
                t0=$(now); "$CORRALCTL" clone deb d$round; t1=$(now)
                t2=$(now); "$CORRALCTL" clone tiny s$round; t3=$(now)
                d+=($(( (t1 - t0) / 1000 ))); s+=($(( (t3 - t2) / 1000 )))
        done
        dm=$(median "${d[@]}"); sm=$(median "${s[@]}")
        echo "on btrfs: clone of the Debian tree $(ms "$dm"), of a 3-file tree $(ms "$sm"); ratio $(ratio "$dm" "$sm") (constant time: close to 1)"
        umount /var/lib/machines
fi
