#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes (once) a Debian bookworm tree with systemd, cached for the demo and the tests, and prints
# its path.  "podman" as the argument: the same with podman and Docker from Debian's packages,
# for the nesting tests (containers of an engine inside a booted Debian container), ISC dhclient for the
# DHCP test, systemd-container (systemd-machined, machinectl) for the registration test, and
# the libraries corral's Debian package depends on, for the package test.  A tree that lacks what it is for (an older cache) is made again.
set -euo pipefail
cache=${CORRAL_IMAGE_CACHE:-/var/cache/corral-tests}
packages=systemd,systemd-sysv,dbus
dest=$cache/bookworm
needs=usr/lib/systemd/systemd
case ${1:-} in
"") ;;
podman)
        # podman needs a container network stack installed even when it runs with --network=none.
        add="libarchive13 libcurl4 libmnl0 libnftnl11 libssl3"
        packages=$packages,podman,crun,runc,containernetworking-plugins,docker.io,isc-dhcp-client,iproute2,systemd-container,${add// /,}
        dest=$cache/bookworm-podman
        needs="$needs sbin/dhclient usr/lib/systemd/systemd-machined usr/sbin/dockerd" ;;
*) echo "usage: $0 [podman]" >&2; exit 2 ;;
esac
missing=
for f in $needs; do [ -x "$dest/$f" ] || missing=$f; done
if [ -n "$missing" ]; then
        mkdir -p "$cache"
        rm -rf "$dest.tmp"
        debootstrap --variant=minbase --include=$packages bookworm "$dest.tmp" http://deb.debian.org/debian >&2
        rm -rf "$dest"
        mv "$dest.tmp" "$dest"
fi
# Packages added since the tree was made are installed into it, not made again from scratch.
if [ -n "${add:-}" ] && ! chroot "$dest" dpkg -s $add >/dev/null 2>&1; then
        unshare -m --propagation private sh -c "mount -t proc proc '$dest/proc' && chroot '$dest' apt-get update -q &&
                DEBIAN_FRONTEND=noninteractive chroot '$dest' apt-get install -y -q --no-install-recommends $add" >&2
fi
# Docker is there for its test to start, in a container with a network namespace of its own:
# started at boot it would make docker0 and its firewall rules (and turn on IP forwarding) in
# whatever network namespace the container runs in, the host's where it shares the host's.
rm -f "$dest"/etc/systemd/system/*.wants/docker.service "$dest"/etc/systemd/system/*.wants/docker.socket \
        "$dest"/etc/systemd/system/*.wants/containerd.service
# debootstrap copies the build host's name into the tree; an image has none of its own (as those
# machinectl pull gets), so a container of it is called by its machine name.
rm -f "$dest/etc/hostname"
echo "$dest"
