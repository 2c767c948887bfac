#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Start to exit of /bin/true in the Debian tree with a user namespace (-U: the tree idmapped,
# --private-users-ownership=map) beside a start without one, and the one-time cost of shifting
# the same tree with --private-users-ownership=chown.  One run, medians, ratios.  Not a test.
. "$(dirname "$0")/lib.sh"
N=${N:-30}
debian_copy
read -r -d '' p u < <(medians "$N" \
        "$CORRAL -q -P -D $DEB /bin/true" \
        "$CORRAL -q -P -D $DEB --private-users=1048576 --private-users-ownership=map /bin/true"; printf '\0') || true
s=$(date +%s%N)
"$CORRAL" -q -P -D "$DEB" --private-users=1048576 --private-users-ownership=chown /bin/true </dev/null
c=$(( ($(date +%s%N) - s) / 1000 ))
read -r -d '' pc < <(medians "$N" "$CORRAL -q -P -D $DEB --private-users=1048576 /bin/true"; printf '\0') || true
echo "start to exit of /bin/true in the Debian tree ($(du -sh "$DEB" | cut -f1), $(find "$DEB" | wc -l) files), median of $N runs:"
printf '  no user namespace              %s\n  -U, idmapped (map)             %s\n' "$(ms "$p")" "$(ms "$u")"
printf '  first start with chown         %s (once: the tree is rewritten)\n  later starts on the chowned tree %s\n' "$(ms "$c")" "$(ms "$pc")"
echo "map / no user namespace = $(ratio "$u" "$p") (goal <= 1.3)"
