# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for the benchmarks.  A benchmark re-executes itself in a private mount namespace with
# tmpfs over corral's and nspawn's state directories, so it leaves nothing on the host.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CORRAL=${CORRAL:-$root/build/src/corral/corral}
# nspawn as users run it: under systemd as PID 1 with its scope and machined's registration (the
# real-host guest of tests/vm); elsewhere it needs --register=no --keep-unit.
if [ -d /run/systemd/system ]; then NSPAWN=systemd-nspawn; else NSPAWN="systemd-nspawn --register=no --keep-unit"; fi

if [ -z "${CORRAL_BENCH_NS:-}" ]; then
        [ -x "$CORRAL" ] || { echo "build corral first: scripts/setup.sh" >&2; exit 1; }
        export CORRAL CORRAL_BENCH_NS=1
        # BENCH_NETNS=1: a network namespace of the bench's own too (for veth pairs).
        exec unshare -m ${BENCH_NETNS:+-n} --propagation private bash -c '
                for d in /run/corral /run/systemd/nspawn /var/lib/machines /etc/systemd/nspawn /var/log/corral /etc/corral; do
                        mkdir -p "$d" && mount -t tmpfs -o mode=0755 tmpfs "$d" || exit 1
                done
                exec bash "$@"' _ "$0" "$@"
fi
BENCH_TMP=$(mktemp -d /tmp/corral-bench.XXXXXX)
mount -t tmpfs -o mode=0755 tmpfs "$BENCH_TMP"
trap 'umount -l "$BENCH_TMP"; rmdir "$BENCH_TMP"' EXIT

# DEB: a private copy of the cached Debian tree on the cache's own file system (ext4 here), so
# a plain start's small edits (resolv.conf, localtime) do not touch the cache and nspawn's -x
# copies ext4 to ext4.  Removed at exit.
debian_copy() {
        local deb
        deb=$("$root/scripts/debian-image.sh")
        DEB_COPY=$(mktemp -d "$(dirname "$deb")/.bench.XXXXXX")
        trap 'rm -rf "$DEB_COPY"; umount -l "$BENCH_TMP"; rmdir "$BENCH_TMP"' EXIT
        cp -a "$deb" "$DEB_COPY/deb"
        DEB=$DEB_COPY/deb
}

# A busybox tree with the applets named.
busybox_tree() { # dir applet...
        local t=$1; shift
        mkdir -p "$t"/{bin,usr/lib,proc,sys,dev,tmp,run,etc}
        cp /bin/busybox "$t/bin/"
        for a in "$@"; do ln -s busybox "$t/bin/$a"; done
        echo ID=busybox > "$t/usr/lib/os-release"
}

# Median wall time in microseconds of each command, the commands run in turn so a drift in the
# machine's load does not favour one (bench/timeit.c).  Prints one number per command.
# TIMEIT: a build of it made elsewhere (the real-host guest has no compiler).
TIMEIT=${TIMEIT:-$BENCH_TMP/timeit}
[ -x "$TIMEIT" ] || cc -O2 -o "$TIMEIT" "$root/bench/timeit.c" || { echo "cannot build bench/timeit.c" >&2; exit 1; }
medians() { # runs cmd...
        "$TIMEIT" "$@"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
ms() { awk -v a="$1" 'BEGIN { printf "%.1f ms", a / 1000 }'; }
