#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes (once) a Debian bookworm tree with systemd, cached for the demo and the tests, and prints
# its path.  "podman" as the argument: the same with podman from Debian's packages, for the
# nesting test (Docker-style containers inside a booted Debian container).
set -euo pipefail
cache=${CORRAL_IMAGE_CACHE:-/var/cache/corral-tests}
packages=systemd,systemd-sysv,dbus
dest=$cache/bookworm
case ${1:-} in
"") ;;
podman)
        # podman needs a container network stack installed even when it runs with --network=none.
        packages=$packages,podman,crun,runc,containernetworking-plugins
        dest=$cache/bookworm-podman ;;
*) echo "usage: $0 [podman]" >&2; exit 2 ;;
esac
if [ ! -x "$dest/usr/lib/systemd/systemd" ]; then
        mkdir -p "$cache"
        rm -rf "$dest.tmp"
        debootstrap --variant=minbase --include=$packages bookworm "$dest.tmp" http://deb.debian.org/debian >&2
        mv "$dest.tmp" "$dest"
fi
echo "$dest"
