#!/bin/sh
# Guest boot checks, run inside the lab by tests/lab/test-boot.sh: one test-host
# boot serves all the guest boots.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"

# What every guest prints about itself.
facts='
echo "NPROC=$(nproc)"
echo "CPUINFO=$(grep -c ^processor /proc/cpuinfo)"
echo "MEMTOTAL_KB=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"
echo "RAM_ABOVE_4G=$(grep -c "^ *1[0-9a-f]\{8\}-.*: System RAM" /proc/iomem)"
ram=0
for e in /sys/firmware/memmap/*; do
	[ "$(cat $e/type)" = "System RAM" ] && ram=$((ram + $(cat $e/end) - $(cat $e/start) + 1))
done
echo "E820_RAM_KB=$((ram / 1024))"
echo "ran: $(uname -sr)"
'

# The e820 map must give the guest all its RAM but the legacy holes below 1 MiB
# (EBDA, VGA and BIOS areas: 385 KiB with vmras; allow 1 MiB). MemTotal is that
# less what the kernel keeps for itself (its image, struct pages, early
# allocations: ~55 MiB of 512 MiB for the Debian kernel), so accept down to 85%.
check_boot() { # NAME CPUS MEM_MIB RC
	name=$1 cpus=$2 mib=$3 rc=$4
	if ! grep -q '^vmras-guest: init reached' "$LOGS/$name.txt"; then
		fail "$name" "$name: guest did not reach its /init (vmras exit $rc)"
		return 1
	fi
	[ "$rc" = 0 ] || fail "$name" "$name: vmras exited $rc, expected 0 after the guest powered off"
	expect "$name" '^ran: Linux' "guest did not run the vmras.run= script"
	expect "$name" '^vmras-guest: exit 0' "script did not finish with exit 0"
	n=$(value "$name" NPROC)
	[ "$n" = "$cpus" ] || fail "$name" "$name: nproc is '$n', expected $cpus"
	n=$(value "$name" CPUINFO)
	[ "$n" = "$cpus" ] || fail "$name" "$name: /proc/cpuinfo lists '$n' CPUs, expected $cpus"
	want=$((mib * 1024))
	e820=$(value "$name" E820_RAM_KB)
	if [ -z "$e820" ] || [ "$e820" -gt "$want" ] || [ "$e820" -lt $((want - 1024)) ]; then
		fail "$name" "$name: e820 System RAM ${e820:-?} KiB, expected $want KiB less at most 1 MiB"
	fi
	kb=$(value "$name" MEMTOTAL_KB)
	if [ -z "$kb" ] || [ "$kb" -gt "$want" ] || [ "$kb" -lt $((want * 85 / 100)) ]; then
		fail "$name" "$name: MemTotal ${kb:-?} kB, expected between 85% and 100% of $want kB"
	else
		say "  $name: e820 RAM $e820 KiB, MemTotal $kb kB of $want kB ($((kb * 100 / want))%)"
	fi
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

# Reboot: the first boot leaves a magic number in the EBDA (e820-reserved, which
# vmras does not clear on reset, like real hardware keeps RAM) and resets the VM;
# the second boot finds it and powers off.
reboot_script='
addr=0x9fc00 magic=0x766d7261
v=$(devmem $addr 32)
if [ $((v)) -eq $((magic)) ]; then
	echo "vmras-test: second boot"
	devmem $addr 32 0
	exit 0
fi
echo "vmras-test: first boot (found $v)"
devmem $addr 32 $magic
v=$(devmem $addr 32)
[ $((v)) -eq $((magic)) ] || { echo "vmras-test: devmem write did not stick ($v)"; exit 1; }
echo "vmras-test: rebooting"
reboot -f
'
guest reboot "$reboot_script" --cpus 1 --memory 512M
rc=$?
[ "$rc" = 0 ] || fail reboot "reboot: vmras exited $rc, expected 0 after the second boot powered off"
expect reboot '^vmras-test: first boot' "first boot did not run its script"
expect reboot '^vmras-test: rebooting' "first boot did not get to reboot"
expect reboot '^vmras-test: second boot' "no second boot with RAM kept"
n=$(grep -c '^vmras-guest: init reached' "$LOGS/reboot.txt")
[ "$n" = 2 ] || fail reboot "reboot: guest reached /init $n times, expected 2"
expect reboot '^vmras-guest: exit 0' "second boot did not finish with exit 0"

finish
