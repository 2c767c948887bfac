#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes (once) a Debian bookworm tree with systemd, cached for the demo and the tests.
set -euo pipefail
cache=${CORRAL_IMAGE_CACHE:-/var/cache/corral-tests}
dest=$cache/bookworm
if [ ! -x "$dest/usr/lib/systemd/systemd" ]; then
        mkdir -p "$cache"
        rm -rf "$dest.tmp"
        debootstrap --variant=minbase --include=systemd,systemd-sysv,dbus bookworm "$dest.tmp" \
                http://deb.debian.org/debian >&2
        mv "$dest.tmp" "$dest"
fi
echo "$dest"
