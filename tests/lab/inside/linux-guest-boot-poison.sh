# Guest side of test-linux-boot-poison (issue 12, part 4). vmras.boot= on the
# command line says which run this is.
#   first   fill most free memory once (so the backing file is data, not
#           holes), hold 3 pages (pageholder "hold") for the test host to
#           poison, wait for "go", power off.
#   second  say what the kernel said of the BERT, whether any machine check
#           came, how much memory is corrupted; wait for "go"; power off.
. /vmras/linux-guest-common.sh

boot=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.boot=//p')
if [ "$boot" = first ]; then
	echo "vmras-test: first boot"
	avail=$(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo)
	mb=$((avail / 1024 - 24))
	mount -o remount,size=$((mb + 1))m /dev/shm
	dd if=/dev/zero of=/dev/shm/fill bs=1M count=$mb 2>/dev/null || echo "vmras-test: filling $mb MiB failed"
	rm -f /dev/shm/fill
	echo "vmras-test: filled $mb MiB"
	pageholder late hold 3 &
	sleep 1
	wait_go "poison, then power off"
	guest_klog
	echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
	exit 0
fi
echo "vmras-test: second boot"
# Not in the "[ SECONDS] " form, which the test host takes for console output.
dmesg | grep -E 'BERT|\[Hardware Error\]|APEI' | sed 's/^\[ *\([0-9.]*\)\] /bert: /'
guest_mce_counts
echo "vmras-test: mce_messages=$(dmesg | grep -ciE 'machine check|mce: \[hardware error\]|hardware error from APEI')"
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
wait_go "query, then power off"
exit 0
