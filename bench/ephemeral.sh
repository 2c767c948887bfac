#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# --ephemeral on the Debian tree beside a plain start of the same tree (start to exit of
# /bin/true), and systemd-nspawn's --ephemeral for reference (it copies the tree on ext4).
# One run, medians, ratios.  Not a test.
. "$(dirname "$0")/lib.sh"
N=${N:-30}
debian_copy
read -r -d '' p x < <(medians "$N" \
        "$CORRAL -q -P -D $DEB /bin/true" \
        "$CORRAL -q -P -D $DEB -x /bin/true"; printf '\0') || true
read -r -d '' nx < <(medians 3 "$NSPAWN -q -P -D $DEB -x /bin/true"; printf '\0') || true
fs=$(stat -f -c %T "$DEB")
echo "start to exit of /bin/true in the Debian tree ($(du -sh "$DEB" | cut -f1) on $fs), median of $N runs:"
printf '  corral              %s\n  corral -x           %s\n  systemd-nspawn -x   %s (3 runs)\n' "$(ms "$p")" "$(ms "$x")" "$(ms "$nx")"
echo "corral -x / corral         = $(ratio "$x" "$p") (goal <= 1.2)"
echo "systemd-nspawn -x / corral -x = $(ratio "$nx" "$x")"
