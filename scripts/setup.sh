#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Installs what corral needs to build and test on Debian 12, and builds it.  Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
pkgs=(build-essential meson ninja-build pkg-config clang clang-format debhelper busybox-static debootstrap systemd-container qemu-system-x86
      util-linux bsdextrautils python3 musl-tools acl libcap2-bin libmnl-dev libnftnl-dev iproute2 nftables iperf3 attr btrfs-progs fdisk dosfstools
      libarchive-dev libcurl4-openssl-dev libssl-dev gpgv gnupg xz-utils zstd bzip2
      libjson-c-dev runc crun golang-go time podman containerd docker.io docker-registry skopeo)
missing=()
for p in "${pkgs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
        apt-get update -q
        # The engines are for the tests, which start their own: their packages must not start
        # (or, for the next boot, enable) a daemon of the host's.  A policy-rc.d the machine
        # has already is left as it is.
        guard=
        if [ ! -e /usr/sbin/policy-rc.d ]; then
                printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d && guard=1
        fi
        rc=0
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" || rc=$?
        [ -z "$guard" ] || rm -f /usr/sbin/policy-rc.d
        [ "$rc" = 0 ] || exit "$rc"
        for p in "${missing[@]}"; do
                case $p in
                docker.io) units=(docker.service docker.socket) ;;
                containerd) units=(containerd.service) ;;
                docker-registry) units=(docker-registry.service) ;;
                *) continue ;;
                esac
                systemctl disable "${units[@]}" >/dev/null 2>&1 || update-rc.d "${units[0]%.service}" disable >/dev/null 2>&1 || true
        done
fi
[ -d build ] || meson setup build >/dev/null
ninja -C build
