#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs every test_* function of tests/integration/test-*.sh, each in its own mount namespace
# with tmpfs over corral's and nspawn's state, image and settings directories, so no test can
# touch the host's machines.  The namespace is cut off from the host's (private), then its
# mounts are made shared again among themselves, as systemd leaves a host's "/" (PROPAGATION=
# private keeps them private, as the host here has them).  Those directories are each a new
# tmpfs, or with TEST_DISK=DIR empty directories below DIR bound there: a kernel before 6.3
# cannot idmap tmpfs, and users keep their trees on disk.  After each test a leak check compares processes,
# cgroups, network links and mounts with what was there before.  Prints PASS/FAIL/SKIP lines.
# (In braces: bash reads all of it before it runs any, so an edit meanwhile cannot
# change a run under way.)
{
set -u
here=$(cd "$(dirname "$0")" && pwd)
export CORRAL=${CORRAL:-$here/../../build/src/corral/corral}
filters=("$@") # test names, or parts of them: a test runs if it matches one (none: all)
pass=0; failn=0; skipn=0
results=${RESULTS:-/dev/null}

live_corrals() { ps -e -o pid=,stat=,comm= | awk '$3 == "corral" && $2 !~ /^Z/ {print $1}' | sort; }
cg2=$(awk '$9=="cgroup2"{print $5; exit}' /proc/self/mountinfo)
snapshot() {
        {
                echo "## links"; ls /sys/class/net | sort
                # The host's firewall and forwarding: a container that shares the host's network
                # (an engine started inside, say) must not change them.
                echo "## net"; cat /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding; nft list tables 2>/dev/null | sort
                # Every hierarchy, v1 and v2: machine.slice and any other slice a test used.
                echo "## cgroups"
                for m in $(awk '$9=="cgroup2" || $9=="cgroup" {print $5}' /proc/self/mountinfo | sort -u); do
                        # (Under systemd, its services come and go: machined, started by
                        # the first registration, and the one running these tests.)
                        find "$m" -mindepth 1 -type d \( -path '*.slice*' -o -name 'corral-*' \) ! -path '*/system.slice/*.service*' | sort
                done
                # Zombies are finished: a detached supervisor (corralctl start) is an orphan that
                # the host's init reaps when it gets to it.
                echo "## processes"; live_corrals; pgrep -f 'systemd-nspawn|tests/tools/http-server|tests/tools/oci-registry|docker-registry serve' | sort
                echo "## mounts"; grep -cE ' /(run/corral|var/lib/machines|etc/systemd/nspawn)' /proc/self/mountinfo
                # The host's device nodes a container gets copies or binds of: a guest must
                # never change them.
                echo "## nodes"; stat -c '%a %u:%g %n' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty /dev/net/tun /dev/kmsg /dev/fuse /dev/ptmx
        } 2>/dev/null
}

# A test that failed or timed out may leave corral running (a container it started in the
# background): stop those supervisors, which takes their containers with them.
reap() { # pids of corral from before the test
        local left
        left=$(comm -13 <(echo "$1" | sort) <(live_corrals))
        [ -n "$left" ] || return 0
        kill -TERM $left 2>/dev/null
        for _ in $(seq 50); do kill -0 $left 2>/dev/null || return 0; sleep 0.2; done
        kill -KILL $left 2>/dev/null
}

run_one() { # file function
        local file=$1 fn=$2 tmp rc before after corrals t0=$SECONDS
        tmp=$(mktemp -d /tmp/corral-it.XXXXXX)
        before=$(snapshot)
        corrals=$(live_corrals)
        # Under systemd as PID 1, each test in a scope of its own, delegated as a service that
        # runs corral or nspawn would be: what --keep-unit puts in the caller's unit goes with it.
        local scope=()
        [ -d /run/systemd/system ] && scope=(systemd-run -q --scope -p Delegate=yes --unit="corral-it-$fn-$$")
        timeout -k 5 ${TEST_TIMEOUT:-300} "${scope[@]}" unshare -m --propagation private bash -c '
                set -u
                if [ "$5" = shared ]; then mount --make-rshared / || exit 99; fi
                disk=$6
                fresh() { # dir: an empty file system over it, or an empty directory of the disk
                        mkdir -p "$1" || return 1
                        if [ -n "$disk" ]; then
                                mkdir -p "$disk$1" && mount --bind "$disk$1" "$1" && chmod 0755 "$1"
                        else
                                mount -t tmpfs -o mode=0755 tmpfs "$1"
                        fi
                }
                for d in /run/corral /run/corral-oci /var/lib/machines /var/cache/corral /etc/systemd/nspawn /run/systemd/nspawn /var/log/journal /var/log/corral /etc/corral; do
                        fresh "$d" || exit 99
                done
                # As on a systemd host: only root may look into these two.
                chmod 0700 /run/corral /var/lib/machines
                export TESTTMP=$1
                fresh "$TESTTMP" || exit 99
                cd "$TESTTMP"
                . "$2/lib.sh"
                . "$3"
                "$4"
        ' _ "$tmp" "$here" "$file" "$fn" "${PROPAGATION:-shared}" "${TEST_DISK:+$TEST_DISK$tmp}" > "$tmp.log" 2>&1
        rc=$?
        [ -n "${TEST_DISK:-}" ] && rm -rf "${TEST_DISK:?}$tmp"
        after=$(snapshot)
        reap "$corrals"
        if [ "$rc" = 0 ] && [ "$before" != "$after" ]; then
                echo "leak check: the host is not as before" >> "$tmp.log"
                diff <(echo "$before") <(echo "$after") >> "$tmp.log"
                rc=1
        fi
        case $rc in
        0) pass=$((pass + 1)); echo "PASS $fn ($((SECONDS - t0)) s)"; grep '^NOTE: ' "$tmp.log" | sed 's/^NOTE: /    /' ;;
        77) skipn=$((skipn + 1)); echo "SKIP $fn: $(grep SKIP: "$tmp.log" | tail -1)" ;;
        *) failn=$((failn + 1)); echo "FAIL $fn (exit $rc, $((SECONDS - t0)) s)"; sed 's/^/    /' "$tmp.log" | tail -30 ;;
        esac
        echo "$rc $fn" >> "$results"
        [ -n "${KEEP_LOGS:-}" ] && cp "$tmp.log" /tmp/last-test.log; rm -rf "$tmp" "$tmp.log"
}

for file in "$here"/test-*.sh; do
        for fn in $(grep -oE '^test_[a-z0-9_]+' "$file"); do
                if [ ${#filters[@]} -gt 0 ]; then
                        hit=
                        for f in "${filters[@]}"; do [[ $fn == *$f* ]] && hit=1; done
                        [ -n "$hit" ] || continue
                fi
                run_one "$file" "$fn"
        done
done
echo "integration: $pass passed, $failn failed, $skipn skipped"
[ "$failn" = 0 ]
exit
}
