#!/bin/sh
# arm64 guest boot checks, run inside the arm64 lab by tests/lab/test-arm64-boot.sh.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"

facts='
echo "NPROC=$(nproc)"
echo "CPUINFO=$(grep -c ^processor /proc/cpuinfo)"
echo "MEMTOTAL_KB=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"
echo "DT_MEMORY=$(od -An -tx1 /proc/device-tree/memory@40000000/reg | tr -d " \n")"
echo "ran: $(uname -sr)"
'

# The DT gives all of RAM (one range at 1 GiB); MemTotal is that less what the
# kernel keeps for itself (image, struct pages, early allocations), as on x86
# at least 85%.
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
	want_dt=$(printf '0000000040000000%016x' $((mib * 1024 * 1024)))
	[ "$(value "$name" DT_MEMORY)" = "$want_dt" ] ||
		fail "$name" "$name: DT memory reg is '$(value "$name" DT_MEMORY)', expected $want_dt"
	want=$((mib * 1024))
	kb=$(value "$name" MEMTOTAL_KB)
	if [ -z "$kb" ] || [ "$kb" -gt "$want" ] || [ "$kb" -lt $((want * 85 / 100)) ]; then
		fail "$name" "$name: MemTotal ${kb:-?} kB, expected between 85% and 100% of $want kB"
	else
		say "  $name: MemTotal $kb kB of $want kB ($((kb * 100 / want))%)"
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

# Reboot: the first boot leaves a magic number in RAM that mem=510M keeps the
# guest's kernel away from (vmras does not clear RAM on reset, as real
# hardware keeps it) and reboots (PSCI SYSTEM_RESET); the second boot finds it
# and powers off.
reboot_script='
addr=0x5ff00000 magic=0x766d7261
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
GUEST_APPEND=mem=510M
guest reboot "$reboot_script" --cpus 2 --memory 512M
rc=$?
GUEST_APPEND=
[ "$rc" = 0 ] || fail reboot "reboot: vmras exited $rc, expected 0 after the second boot powered off"
expect reboot '^vmras-test: first boot' "first boot did not run its script"
expect reboot '^vmras-test: rebooting' "first boot did not get to reboot"
expect reboot '^vmras: guest reset' "vmras did not log the guest's reset"
expect reboot '^vmras-test: second boot' "no second boot with RAM kept"
n=$(grep -c '^vmras-guest: init reached' "$LOGS/reboot.txt")
[ "$n" = 2 ] || fail reboot "reboot: guest reached /init $n times, expected 2"
expect reboot '^vmras-guest: exit 0' "second boot did not finish with exit 0"

finish
