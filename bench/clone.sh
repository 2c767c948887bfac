#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# corralctl clone of the Debian tree beside cp -a of it, on the cache's file system (ext4
# here), 3 interleaved rounds each, medians; then on btrfs (a loop file system of the bench's
# own) the clone of the Debian tree beside the clone of a 3-file tree, to show it is a snapshot
# whose time does not grow with the tree.  Goals: faster than cp -a; constant-time on btrfs.
. "$(dirname "$0")/lib.sh"
CORRALCTL=$(dirname "$(dirname "$CORRAL")")/corralctl/corralctl
debian_copy
pool=$DEB_COPY/pool
mkdir -p "$pool"
mount --bind "$pool" /var/lib/machines
mv "$DEB" /var/lib/machines/deb
now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=() p=()
for round in 1 2 3; do
        sync; t0=$(now); "$CORRALCTL" clone deb c$round; t1=$(now)
        sync; t2=$(now); cp -a /var/lib/machines/deb /var/lib/machines/.cp$round; t3=$(now)
        c+=($(( (t1 - t0) / 1000 ))); p+=($(( (t3 - t2) / 1000 )))
        "$CORRALCTL" remove c$round; rm -rf /var/lib/machines/.cp$round
done
cm=$(median "${c[@]}"); pm=$(median "${p[@]}")
fs=$(stat -f -c %T /var/lib/machines)
echo "clone of the Debian tree ($(du -sh /var/lib/machines/deb | cut -f1), $fs): corralctl clone $(ms "$cm"), cp -a $(ms "$pm"); ratio cp/clone $(ratio "$pm" "$cm") (goal: > 1): $(awk -v a="$cm" -v b="$pm" 'BEGIN {print (a < b) ? "met" : "NOT met"}')"
umount /var/lib/machines

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
