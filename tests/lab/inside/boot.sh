#!/bin/sh
# Guest boot checks, run inside the lab by tests/lab/test-boot.sh: one test-host
# boot serves all the guest boots.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"

# What every guest prints about itself: lib.sh's facts and the e820 map.
facts="$GUEST_FACTS"'
echo "RAM_ABOVE_4G=$(grep -c "^ *1[0-9a-f]\{8\}-.*: System RAM" /proc/iomem)"
ram=0
for e in /sys/firmware/memmap/*; do
	[ "$(cat $e/type)" = "System RAM" ] && ram=$((ram + $(cat $e/end) - $(cat $e/start) + 1))
done
echo "E820_RAM_KB=$((ram / 1024))"
'

# The e820 map must give the guest all its RAM but the legacy holes below 1 MiB
# (EBDA, VGA and BIOS areas: 385 KiB with vmras; allow 1 MiB).
check_boot() { # NAME CPUS MEM_MIB RC
	check_guest "$@" || return 1
	want=$(($3 * 1024))
	e820=$(value "$1" E820_RAM_KB)
	if [ -z "$e820" ] || [ "$e820" -gt "$want" ] || [ "$e820" -lt $((want - 1024)) ]; then
		fail "$1" "$1: e820 System RAM ${e820:-?} KiB, expected $want KiB less at most 1 MiB"
	fi
	[ -n "$MEMTOTAL_PCT" ] && say "  $1: e820 RAM $e820 KiB, $MEMTOTAL_PCT"
	return 0
}

guest one-cpu "$facts" --cpus 1 --memory 512M
if ! check_boot one-cpu 1 512 $?; then
	say "the first guest did not boot: not trying the others"
	finish
fi

guest two-cpus "$facts" --cpus 2 --memory 512M
check_boot two-cpus 2 512 $?

# RAM beyond the 32-bit MMIO hole (3 GiB and up) continues at 4 GiB.
guest high-memory "$facts" --cpus 1 --memory 3584M
check_boot high-memory 1 3584 $?
[ "$(value high-memory RAM_ABOVE_4G)" = 1 ] ||
	fail high-memory "high-memory: no System RAM above 4 GiB in /proc/iomem"

# Reboot: the first boot leaves a magic number in the EBDA (e820-reserved) and
# resets the VM; the second boot finds it and powers off.
guest reboot "$(reboot_script 0x9fc00)" --cpus 1 --memory 512M
check_reboot reboot $?

finish
