#!/bin/sh
# Bring-up: vmras --firmware (edk2) in the arm64 lab; the console with the
# test host's uptime in front of each line, then vmras's exit status.
# Usage: arm64-uefi.sh [SECONDS] [vmras options...]
secs=${1:-150}
[ $# -gt 0 ] && shift
fw=${VMRAS_GUEST_FIRMWARE:?no VMRAS_GUEST_FIRMWARE in this lab}
t0=$(cut -d' ' -f1 /proc/uptime)
echo "uefi: start at $t0, firmware $fw ($(wc -c <"$fw") bytes)"
# stdin: a pipe that stays open, so the console never sees end of file.
(sleep "$secs"; kill $(pidof vmras) 2>/dev/null) &
sleep "$((secs + 5))" | vmras --firmware "$fw" --memory 1G "$@" 2>&1 |
	tr '\r' '\n' | while IFS= read -r line; do
		[ -n "$line" ] || continue
		printf '[%s] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$line"
	done
echo "uefi: vmras ended at $(cut -d' ' -f1 /proc/uptime)"
