# SPDX-License-Identifier: LGPL-2.1-or-later
# Helpers for integration tests.  Sourced inside the private mount namespace of one test.

: "${CORRAL:?}" "${TESTTMP:?}"
# nspawn as users run it: under systemd as PID 1 with its own scope and machined's registration
# (the real-host lane); elsewhere it needs --register=no --keep-unit.
if [ -d /run/systemd/system ]; then NSPAWN=systemd-nspawn; else NSPAWN="systemd-nspawn --register=no --keep-unit"; fi
# corralctl beside the corral under test.
CORRALCTL=${CORRALCTL:-$(dirname "$(dirname "$CORRAL")")/corralctl/corralctl}
# The OCI runtime beside it.
CORRAL_OCI=${CORRAL_OCI:-$(dirname "$(dirname "$CORRAL")")/oci/corral-oci}
# The static probe (tests/probe) beside the corral under test; make_busybox_tree copies it in.
PROBE=${PROBE:-$(cd "$(dirname "$CORRAL")/../.." && pwd)/tests/probe/corral-probe}

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }

expect_eq() { # got want what
        [ "$1" = "$2" ] || fail "$3: got '$1', want '$2'"
}
expect_contains() { # haystack needle what
        case "$1" in *"$2"*) ;; *) fail "$3: '$2' not found in: $1" ;; esac
}
expect_not_contains() {
        case "$1" in *"$2"*) fail "$3: '$2' unexpectedly found in: $1" ;; esac
}
expect_rc() { # want cmd...
        local want=$1; shift
        "$@"; local rc=$?
        [ "$rc" = "$want" ] || fail "exit status of '$*': got $rc, want $want"
}

# A busybox tree built from the host's busybox-static: /bin with the applets we use, an
# os-release, passwd and group with a plain user, and /usr.
make_busybox_tree() {
        local t=$1
        mkdir -p "$t"/{bin,sbin,etc,usr/lib,usr/bin,proc,sys,dev,tmp,run,root,var,home/alice}
        cp /bin/busybox "$t/bin/busybox"
        for a in sh ash cat echo env ls mkdir mount id hostname sleep true false ps kill touch rm grep \
                 head tail wc stat readlink uname pwd stty test printf sed ln chmod reboot poweroff halt sort tr cut dd; do
                ln -sf busybox "$t/bin/$a"
        done
        printf 'ID=busybox\nNAME=BusyBox\nPRETTY_NAME="BusyBox test tree"\n' > "$t/usr/lib/os-release"
        printf 'root:x:0:0:root:/root:/bin/sh\nalice:x:1000:1000:Alice:/home/alice:/bin/sh\n' > "$t/etc/passwd"
        printf 'root:x:0:\nalice:x:1000:\nwheel:x:10:alice\n' > "$t/etc/group"
        chown 1000:1000 "$t/home/alice"
        [ -x "$PROBE" ] && cp "$PROBE" "$t/bin/corral-probe"
        return 0
}

BB=$TESTTMP/bb
ensure_bb() { [ -d "$BB" ] || make_busybox_tree "$BB"; }

# corral in pipe mode, quiet: the output is the payload's.
cr() { "$CORRAL" -q -P "$@" </dev/null; }
ns() { $NSPAWN -q -P "$@" </dev/null 2>/dev/null; }

# The major version of this host's systemd-nspawn (252 is corral's reference: Debian 12's).
nspawn_version() { systemd-nspawn --version 2>/dev/null | awk 'NR==1 {print $2}'; }

have_nspawn() {
        command -v systemd-nspawn >/dev/null || return 1
        $NSPAWN -q -P -D "$BB" /bin/true </dev/null >/dev/null 2>&1
}

# A network namespace of the test's own at $TESTTMP/netns, lo up; $N runs a command in it.
make_test_netns() {
        command -v ip >/dev/null || skip "no ip command to set up the test's namespace"
        touch "$TESTTMP/netns"
        unshare --net="$TESTTMP/netns" ip link set lo up || fail "cannot make the test's network namespace"
        N="nsenter --net=$TESTTMP/netns"
}

# Waits until a file contains a string (bounded); returns non-zero on timeout.
wait_for() { # file needle seconds
        local i=0 n=$(( ${3:-30} * 10 ))
        while [ $i -lt $n ]; do
                grep -q -- "$2" "$1" 2>/dev/null && return 0
                sleep 0.1; i=$((i + 1))
        done
        return 1
}

# Waits until a file exists (bounded); returns non-zero on timeout.
wait_for_file() { # file seconds
        local i=0 n=$(( ${2:-30} * 10 ))
        while [ $i -lt $n ]; do
                [ -e "$1" ] && return 0
                sleep 0.1; i=$((i + 1))
        done
        return 1
}

# The Debian bookworm tree with systemd (scripts/debian-image.sh), for the boot tests.
debian_tree() {
        [ -n "${CORRAL_DEBIAN:-}" ] && [ -x "$CORRAL_DEBIAN/usr/lib/systemd/systemd" ] || skip "no Debian tree (CORRAL_DEBIAN)"
}

# boot_and_check RUNNER... : boots, waits for the login prompt and the report, sends SIGTERM.
boot_and_check() {
        local out=$TESTTMP/console.out
        "$@" -b --console=read-only --bind-ro="$TESTTMP/corral-check.service":/etc/systemd/system/corral-check.service \
                systemd.wants=corral-check.service > "$out" 2>&1 </dev/null &
        local pid=$!
        wait_for "$out" "CHECK " 120 || { kill -KILL $pid; cat "$out" | tail -20; fail "no report from the booted guest"; }
        wait_for "$out" "login:" 60 || { kill -KILL $pid; tail -20 "$out"; fail "no login prompt"; }
        kill -TERM $pid
        wait $pid; local rc=$?
        tr -d '\r' < "$out" > "$out.clean"
        # (The report may follow a login prompt on the same line.)
        grep -o 'CHECK .*' "$out.clean" | head -1 > "$TESTTMP/report"
        echo "$rc" > "$TESTTMP/rc"
}

make_bootable_image() { # name
        make_busybox_tree "/var/lib/machines/$1"
        ln -sf ../bin/busybox "/var/lib/machines/$1/sbin/init"
        printf '::sysinit:/bin/echo booted-%s\n::respawn:-/bin/sh\n' "$1" > "/var/lib/machines/$1/etc/inittab"
}

# Stops a machine with corralctl VERB and waits until its supervisor has cleaned up and ended.
stop_machine() { # verb name
        local sup
        sup=$("$CORRALCTL" show "$2" -p Supervisor --value) || return 1
        "$CORRALCTL" "$1" "$2" || return 1
        for _ in $(seq 100); do
                [ -e /proc/$sup ] && [ "$(awk '{print $3}' /proc/$sup/stat 2>/dev/null)" != Z ] || return 0
                sleep 0.1
        done
        return 1
}

# Whether the kernel can idmap a mount of the file system that holds dir (tmpfs only from 6.3;
# ext4, btrfs, xfs from 5.12): -U's "auto" ownership maps the tree there and chowns it
# elsewhere, as nspawn's does.  Asked of the kernel itself (open_tree, then mount_setattr with
# MOUNT_ATTR_IDMAP and a user namespace): Debian 12's mount(8) ignores X-mount.idmap.
can_idmap() { # dir
        local ns r
        unshare -U -r sleep 30 & ns=$!
        for _ in $(seq 100); do
                [ "$(readlink "/proc/$ns/ns/user")" != "$(readlink /proc/self/ns/user)" ] && break
                sleep 0.05
        done
        python3 - "$1" "/proc/$ns/ns/user" <<'PY'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
tree = libc.syscall(428, -100, sys.argv[1].encode(), 1 | 0o2000000)  # open_tree(OPEN_TREE_CLONE|CLOEXEC)
if tree < 0:
    sys.exit(2)
userns = os.open(sys.argv[2], os.O_RDONLY)
attr = (ctypes.c_uint64 * 4)(0x00100000, 0, 0, userns)  # attr_set=MOUNT_ATTR_IDMAP, userns_fd
sys.exit(0 if libc.syscall(442, tree, b"", 0x1000, attr, 32) == 0 else 1)  # AT_EMPTY_PATH
PY
        r=$?
        kill $ns; wait $ns 2>/dev/null
        return $r
}

# A capability set as the probe prints it (16 hex digits), less what this host's bounding set
# lacks: without a user namespace a container can keep no more (the development host's lacks
# CAP_SYS_RESOURCE, so nspawn's default fdecafff is fcecafff there).
host_caps() { # hex
        local bnd
        bnd=$(awk '$1=="CapBnd:" {print $2}' /proc/self/status)
        printf '%016x' $(( 0x$1 & 0x$bnd ))
}

# Under systemd a slice unit a scope was started in stays until it is stopped (so with nspawn's
# --slice= too): a test that used one stops it, so the leak check sees what corral left.
stop_systemd_slice() { # slice
        [ -d /run/systemd/system ] && systemctl stop "$1" 2>/dev/null
        return 0
}
