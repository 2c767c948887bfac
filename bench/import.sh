#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# corralctl import-tar of the Debian tree as a tar.xz beside tar -xJf of the same file.  Each
# run gets a new ext4 file system (a loop device over a file in the bench's tmpfs): on one
# file system reused, ext4's inode allocator slows down by a varying amount after the previous
# round's tree was removed (recently_deleted() in perf), which swamped the difference.  3
# interleaved rounds each, medians.  Goal: import at least 0.9x the speed of tar -xJf (a ratio
# tar/import >= 0.9).
. "$(dirname "$0")/lib.sh"
CORRALCTL=$(dirname "$(dirname "$CORRAL")")/corralctl/corralctl
debian_copy
tar --xattrs --xattrs-include='*' --acls --numeric-owner -C "$DEB" -cJf "$BENCH_TMP/deb.tar.xz" .
rm -rf "$DEB"
img=$BENCH_TMP/fs.img
fresh_fs() { # a new ext4 on /var/lib/machines
        rm -f "$img"; truncate -s 3G "$img"
        mkfs.ext4 -q -F -E lazy_itable_init=0 "$img"
        mount -o loop "$img" /var/lib/machines
}
now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
c=() t=()
for round in 1 2 3; do
        fresh_fs
        sync; t0=$(now); "$CORRALCTL" -q import-tar "$BENCH_TMP/deb.tar.xz" deb; t1=$(now)
        umount /var/lib/machines
        fresh_fs
        mkdir /var/lib/machines/deb
        sync; t2=$(now); tar --xattrs --xattrs-include='*' --acls --numeric-owner -C /var/lib/machines/deb -xJf "$BENCH_TMP/deb.tar.xz"; t3=$(now)
        umount /var/lib/machines
        c+=($(( (t1 - t0) / 1000 ))); t+=($(( (t3 - t2) / 1000 )))
done
cm=$(median "${c[@]}"); tm=$(median "${t[@]}")
echo "import of the Debian tree as tar.xz ($(du -h "$BENCH_TMP/deb.tar.xz" | cut -f1), a new ext4 each run): corralctl import-tar $(ms "$cm"), tar -xJf $(ms "$tm"); ratio tar/import $(ratio "$tm" "$cm") (goal: >= 0.9): $(awk -v a="$cm" -v b="$tm" 'BEGIN {print (b / a >= 0.9) ? "met" : "NOT met"}')"
