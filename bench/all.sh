#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Every benchmark, one after the other (the figures in docs/performance.md come from this).
cd "$(dirname "$0")"
for b in start.sh ephemeral.sh userns.sh boot.sh supervisor-pss.sh forward.sh manager.sh clone.sh import.sh oci.sh oci-engines.sh oci-pull.sh; do
        echo "== bench/$b"
        bash "$b" || echo "bench/$b failed"
        echo
done
