#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Start to exit of /bin/true in a busybox tree with default options: corral beside
# `unshare -m -u -i -p -f --mount-proc /bin/true` and systemd-nspawn.  One run, medians, ratios.
# Not a test: nothing asserts on time.
. "$(dirname "$0")/lib.sh"
N=${N:-50}
busybox_tree "$BENCH_TMP/bb" true
read -r -d '' c u n < <(medians "$N" \
        "$CORRAL -q -P -D $BENCH_TMP/bb /bin/true" \
        "unshare -m -u -i -p -f --mount-proc /bin/true" \
        "$NSPAWN -q -P -D $BENCH_TMP/bb /bin/true"; printf '\0') || true
echo "start to exit of /bin/true, median of $N runs:"
printf '  corral          %s\n  unshare         %s\n  systemd-nspawn  %s\n' "$(ms "$c")" "$(ms "$u")" "$(ms "$n")"
echo "corral / unshare         = $(ratio "$c" "$u") (goal <= 1.5)"
echo "systemd-nspawn / corral  = $(ratio "$n" "$c") (goal >= 15)"
