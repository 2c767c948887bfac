#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes (once) the disk image of a real-host guest for the lane in tests/vm/run.sh, and prints
# the directory that holds it: root.img (ext4, made with mkfs.ext4 -d: no loop mount on the
# host), vmlinuz and initrd.img (Debian's own kernel, booted with -kernel/-initrd).
#
# The guest is what corral's users run: Debian with systemd as PID 1 on the unified cgroup v2
# hierarchy, machined and a system bus, udev, and the distribution's kernel.  The kind
# "sysvinit" is Debian 12 without systemd as PID 1 (sysvinit-core, initscripts, sysv-rc), with
# cgroup2 alone mounted at /sys/fs/cgroup from its fstab, as such hosts are set up for
# containers: corral makes and delegates the hierarchy itself there.  It has no network,
# so it holds everything the integration tests need: the run-time libraries of the build that
# the host carries in over 9p, the tools the tests call, and the cached Debian test trees.
# A oneshot unit (corral-lane.service; under sysvinit a "once" line of inittab) runs the job the
# host hands in (tests/vm/guest-job.sh) and powers the guest off, whatever the job did (or
# reboots it, where the job asks).
#
#   tests/vm/image.sh [bookworm|trixie|sysvinit]
set -euo pipefail
kind=${1:-bookworm}
case $kind in
bookworm | trixie) suite=$kind ;;
sysvinit) suite=bookworm ;;
*) echo "usage: $0 [bookworm|trixie|sysvinit]" >&2; exit 2 ;;
esac
cache=${CORRAL_IMAGE_CACHE:-/var/cache/corral-tests}
dest=$cache/vm-$kind
here=$(cd "$(dirname "$0")" && pwd)
# Made again when what goes into it changes: raise this with any change to the packages, the
# settings or the job's unit below.
version=6
stamp="$version $kind"
if [ -f "$dest/root.img" ] && [ "$(cat "$dest/stamp" 2>/dev/null)" = "$stamp" ]; then
        echo "$dest"
        exit 0
fi

trees=$("$here/../../scripts/debian-image.sh") && podman_tree=$("$here/../../scripts/debian-image.sh" podman) || {
        echo "cannot make the Debian test trees" >&2
        exit 1
}

# What the guest needs: systemd and its container tools, the kernel, and what corral's build
# links and the tests call (the list in scripts/setup.sh, less the compilers).
pkgs=systemd,systemd-container,dbus,udev,kmod,linux-image-amd64,initramfs-tools
exclude=
case $kind in
sysvinit) pkgs=$pkgs,sysvinit-core,initscripts,sysv-rc exclude=--exclude=systemd-sysv ;;
*) pkgs=$pkgs,systemd-sysv,systemd-resolved ;;
esac
pkgs=$pkgs,busybox-static,iproute2,nftables,iperf3,python3,acl,attr,libcap2-bin,util-linux,bsdextrautils,procps,psmisc
pkgs=$pkgs,fdisk,dosfstools,btrfs-progs,e2fsprogs,gpgv,gnupg,xz-utils,zstd,bzip2,tar,curl,ca-certificates
pkgs=$pkgs,libmnl0,libnftnl11,libasan8,libubsan1,linux-libc-dev
pkgs=$pkgs,libjson-c5,openssl
case $suite in
# The registry and skopeo for the pull-oci tests, on Debian 12 (the lane that runs them)
bookworm) pkgs=$pkgs,libcurl4,libarchive13,libssl3,docker-registry,skopeo,containernetworking-plugins ;; # (debootstrap does not choose what provides container-network-stack)
trixie) pkgs=$pkgs,libcurl4t64,libarchive13t64,libssl3t64 ;;
esac

work=$dest.tmp
rm -rf "$work"
mkdir -p "$work"
root=$work/root
echo "making the $kind guest in $root (debootstrap, a few minutes)" >&2
# (The packages are kept for the next kind: two of them are Debian 12.)
mkdir -p "$cache/debs-$suite"
timeout 1800 debootstrap --variant=minbase --cache-dir="$cache/debs-$suite" $exclude --include="$pkgs" "$suite" "$root" http://deb.debian.org/debian >&2
# (systemd-sysv's /sbin/init is a link to systemd; sysvinit-core's is a program.)
if [ "$kind" = sysvinit ] && { [ -L "$root/usr/sbin/init" ] || [ ! -x "$root/usr/sbin/init" ]; }; then
        echo "debootstrap did not make sysvinit the init" >&2
        exit 1
fi

# The guest's own settings: its name, root on the virtio disk, no network to wait for, a
# serial console that the host logs, and nothing started that would write to the disk for long.
echo corral-guest-$kind > "$root/etc/hostname"
printf '127.0.0.1 localhost\n127.0.1.1 corral-guest-%s\n' "$kind" > "$root/etc/hosts"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' > "$root/etc/fstab"
# Without systemd nothing mounts a cgroup hierarchy (Debian's initscripts do not): the admin of
# a container host mounts cgroup2 where systemd would.
[ "$kind" = sysvinit ] && printf 'cgroup2 /sys/fs/cgroup cgroup2 rw,nosuid,nodev,noexec,relatime 0 0\n' >> "$root/etc/fstab"
# systemd makes the machine ID at the first boot; without it, as on such a host, it is made once.
: > "$root/etc/machine-id"
[ "$kind" = sysvinit ] && chroot "$root" systemd-machine-id-setup >&2
chroot "$root" passwd -d root >/dev/null
rm -f "$root/etc/systemd/system/multi-user.target.wants/apt-daily"* "$root/etc/systemd/system/timers.target.wants/"*
ln -sf /dev/null "$root/etc/systemd/system/systemd-timesyncd.service"
# The tests start registries of their own; the package's service stays off
ln -sf /dev/null "$root/etc/systemd/system/docker-registry.service"
rm -f "$root"/etc/rc?.d/S*docker-registry
mkdir -p "$root/etc/systemd/journald.conf.d"
printf '[Journal]\nStorage=volatile\n' > "$root/etc/systemd/journald.conf.d/lane.conf"

# The modules for 9p and the virtio disk in the initrd too, so the root is found without udev
# guessing.
printf 'virtio_pci\nvirtio_blk\n9p\n9pnet_virtio\n' >> "$root/etc/initramfs-tools/modules"
chroot "$root" update-initramfs -u -k all >&2

# The job: the results share ("results", over 9p) holds the copy of tests/ the host made for
# this run, with the job itself (tests/vm/guest-job.sh), so a change to the job needs no new
# image; the checkout with the build comes in as "src".
# The job may ask for a reboot of the guest (to see machines enabled start at boot) by leaving
# /var/lib/corral-lane/reboot; it runs again after it.  Otherwise the guest powers off.
cat > "$root/usr/local/sbin/corral-lane" <<'JOB'
#!/bin/sh
out=/run/corral-lane
mkdir -p $out
if mount -t 9p -o trans=virtio,version=9p2000.L,msize=262144 results $out; then
        bash $out/checkout/tests/vm/guest-job.sh $out
else
        echo "corral-lane: no results share" > /dev/console
fi
if [ -e /var/lib/corral-lane/reboot ]; then
        rm -f /var/lib/corral-lane/reboot
        [ -d /run/systemd/system ] && exec systemctl reboot
        exec /usr/sbin/reboot
fi
[ -d /run/systemd/system ] && exec systemctl poweroff
exec /usr/sbin/poweroff
JOB
chmod 0755 "$root/usr/local/sbin/corral-lane"
# Under sysvinit: once the services of runlevel 2 have started (init waits for "rc 2").
[ "$kind" = sysvinit ] && printf 'cl:2345:once:/usr/local/sbin/corral-lane </dev/console >/dev/console 2>&1\n' >> "$root/etc/inittab"
cat > "$root/etc/systemd/system/corral-lane.service" <<'UNIT'
[Unit]
Description=corral's real-host test lane
After=multi-user.target systemd-machined.service
Wants=systemd-machined.service
[Service]
Type=oneshot
ExecStart=/usr/local/sbin/corral-lane
StandardOutput=journal+console
StandardError=journal+console
TimeoutStartSec=infinity
[Install]
WantedBy=multi-user.target
UNIT
ln -sf /etc/systemd/system/corral-lane.service "$root/etc/systemd/system/multi-user.target.wants/corral-lane.service"

# The Debian trees the boot and nesting tests use, as the host has them.
mkdir -p "$root/var/cache/corral-tests"
cp -a "$trees" "$root/var/cache/corral-tests/bookworm"
cp -a "$podman_tree" "$root/var/cache/corral-tests/bookworm-podman"

cp "$root"/boot/vmlinuz-* "$work/vmlinuz"
cp "$root"/boot/initrd.img-* "$work/initrd.img"
# A file system with room for the tests' trees and copies: 8 GiB, sparse.
size=$(( $(du -sm "$root" | cut -f1) + 6144 ))M
mkfs.ext4 -q -F -L corral-guest -d "$root" "$work/root.img" "$size" >&2
rm -rf "$root"
echo "$stamp" > "$work/stamp"
rm -rf "$dest"
mv "$work" "$dest"
echo "$dest"
