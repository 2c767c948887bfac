#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what corral needs to build and test on Debian 12, and builds it.  Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(build-essential meson ninja-build pkg-config clang clang-format debhelper busybox-static debootstrap systemd-container qemu-system-x86
      util-linux bsdextrautils python3 musl-tools acl libcap2-bin libmnl-dev libnftnl-dev iproute2 nftables iperf3 attr btrfs-progs fdisk dosfstools
      libarchive-dev libcurl4-openssl-dev libssl-dev gpgv gnupg xz-utils zstd bzip2
      libjson-c-dev runc crun golang-go time podman containerd)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -q
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}"
fi
[ -d build ] || meson setup build >/dev/null
ninja -C build
