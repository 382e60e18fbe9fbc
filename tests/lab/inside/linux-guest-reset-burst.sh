# Guest side of the reset tests with poison vmras was never told of (issue
# 14; issue 11 on arm64). First boot: say where the pages are that the test
# host poisons (x86: the initrd vmras loaded, which retain_initrd keeps out of
# the allocator, so only vmras's reload touches it again; arm64: the ACPI
# tables the firmware wrote, which the kernel read at boot and leaves alone),
# start a holder of vmras.pages=N pages that reads them all the time (none for
# 0), wait for "go", reboot. Second boot: say what it sees (CPUs, memory, the
# ACPI tables again), write and read back nearly all free memory, power off.
#
# Which boot is this? x86: a mark in the EBDA, kept across vmras's reset as RAM
# is. arm64 has no such RAM: the firmware (edk2) runs again in guest RAM at
# every boot and may put anything anywhere, and the kernel's devmem refuses
# System RAM (STRICT_DEVMEM); so the guest asks the test host ("which boot"),
# which answers "first" to the first boot and "second" to every later one.
. /vmras/linux-guest-common.sh

# ACPI tables as the kernel found them: "vmras-test: WHAT SIG 0xADDRESS".
acpi_tables() { # WHAT
	dmesg | sed -n "s/.*ACPI: \([A-Z0-9]\{4\}\) 0x\([0-9A-F]*\) .*/vmras-test: $1 \1 0x\2/p"
}

second_boot() {
	echo "vmras-test: second boot"
	echo "NPROC=$(nproc)"
	echo "CPUINFO=$(grep -c ^processor /proc/cpuinfo)"
	echo "MEMTOTAL_KB=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"
	echo "ran: $(uname -sr)"
	if [ -d /sys/firmware/acpi/tables ]; then
		acpi_tables acpi-again
		# Read through the kernel's mapping of each table's address.
		for t in APIC GTDT SPCR; do
			[ -e /sys/firmware/acpi/tables/$t ] &&
				echo "vmras-test: read $t: $(head -c 4 /sys/firmware/acpi/tables/$t) $(wc -c </sys/firmware/acpi/tables/$t) bytes"
		done
	fi
	avail=$(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo)
	mb=$((avail / 1024 - 12))
	mount -o remount,size=$((mb + 1))m /dev/shm
	dd if=/dev/zero of=/dev/shm/fill bs=1M count=$mb 2>/dev/null || { echo "vmras-test: writing $mb MiB failed"; exit 1; }
	dd if=/dev/shm/fill of=/dev/null bs=1M 2>/dev/null || { echo "vmras-test: reading back failed"; exit 1; }
	rm -f /dev/shm/fill
	echo "vmras-test: wrote and read back $mb MiB"
	echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
	guest_klog
	exit 0
}

if [ "$(uname -m)" = aarch64 ]; then
	wait_go "which boot"
	[ "$_go" = second ] && second_boot
	echo "vmras-test: first boot"
	echo "FIRST_MEMTOTAL_KB=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"
	acpi_tables acpi
else
	marker=0x9fc80 magic=0x72737462
	if [ $(($(devmem $marker 32))) -eq $((magic)) ]; then
		devmem $marker 32 0
		second_boot
	fi
	devmem $marker 32 $magic
	[ $(($(devmem $marker 32))) -eq $((magic)) ] || { echo "vmras-test: devmem write did not stick"; exit 1; }
	echo "vmras-test: first boot"
	dmesg | sed -n "s/.*RAMDISK: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/vmras-test: initrd \1 \2/p"
fi
n=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.pages=//p')
[ "${n:-0}" -gt 0 ] && pageholder late hold "$n" read &
sleep 1
wait_go "poison, then reboot"
echo "vmras-test: rebooting"
reboot -f
