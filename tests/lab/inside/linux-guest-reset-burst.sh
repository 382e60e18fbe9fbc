# Guest side of the reset tests with poison vmras was never told of (issue
# 14). First boot: mark the EBDA (kept across vmras's reset, as RAM is), say
# where the initrd is (retain_initrd keeps it out of the allocator, so only
# vmras's reload touches it again), start a holder of vmras.pages=N pages
# that reads them all the time (none for 0), wait for "go", reboot. Second
# boot: write and read back nearly all free memory, then power off.
. /vmras/linux-guest-common.sh
marker=0x9fc80 magic=0x72737462
if [ $(($(devmem $marker 32))) -eq $((magic)) ]; then
	devmem $marker 32 0
	echo "vmras-test: second boot"
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
fi
devmem $marker 32 $magic
[ $(($(devmem $marker 32))) -eq $((magic)) ] || { echo "vmras-test: devmem write did not stick"; exit 1; }
echo "vmras-test: first boot"
dmesg | sed -n "s/.*RAMDISK: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/vmras-test: initrd \1 \2/p"
n=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.pages=//p')
[ "${n:-0}" -gt 0 ] && pageholder late hold "$n" read &
sleep 1
wait_go "poison, then reboot"
echo "vmras-test: rebooting"
reboot -f
