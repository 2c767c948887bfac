#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The demo: sets everything up, copies the default Debian image to /var/lib/machines/corral-demo
# (once), boots it with systemd as PID 1, shows that it came up, and shuts it down.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
src=$(scripts/debian-image.sh)
demo=/var/lib/machines/corral-demo
if [ ! -d "$demo" ]; then
        mkdir -p /var/lib/machines
        cp -a "$src" "$demo"
fi
# A unit that reports from inside once the boot is complete, then powers the machine off.
cat > /tmp/corral-demo-report.service <<'UNIT'
[Unit]
Description=corral demo report
# console-getty hangs the console up when it starts: report after it, into a fresh open.
After=getty.target
[Service]
Type=simple
ExecStart=/bin/sh -c 'systemctl is-system-running --wait >/dev/null; . /etc/os-release; r="== inside the container ==\nhostname: $(hostname)\nos: $PRETTY_NAME\nPID 1: $(cat /proc/1/comm)\nsystem state: $(systemctl is-system-running)\nfailed units: $(systemctl --failed --no-legend --plain | wc -l)\n=========================="; printf "\n$r\n" > /dev/console; systemctl poweroff'
UNIT
echo "Booting $demo with corral (Debian, systemd as PID 1) ..."
start=$(date +%s%N)
build/src/corral/corral -b -D "$demo" --console=read-only \
        --bind-ro=/tmp/corral-demo-report.service:/etc/systemd/system/corral-demo-report.service \
        systemd.wants=corral-demo-report.service </dev/null
end=$(date +%s%N)
rm -f /tmp/corral-demo-report.service
ms=$(( (end - start) / 1000000 ))
printf 'Booted, reported and powered off in %d.%02d s.\n' $((ms / 1000)) $((ms % 1000 / 10))
