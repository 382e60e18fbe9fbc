# Guest side of the virtio disk test (linux-disk.sh). vmras.disk= on the
# command line says which boot this is:
#   write     4 MiB of random data to /dev/vda at 1 MiB (O_DIRECT, then
#             fsync: a flush), read back past the page cache; the first MiB
#             discarded
#   read      the same 4 MiB read back on a new boot, and a write to the
#             disk given read-only, which must be refused
. /vmras/linux-guest-common.sh
mode=$(sed -n 's/.*vmras\.disk=\([a-z]*\).*/\1/p' /proc/cmdline)
echo "vmras-test: vda sectors=$(cat /sys/block/vda/size 2>/dev/null) ro=$(cat /sys/block/vda/ro 2>/dev/null)" \
	"serial=$(cat /sys/block/vda/serial 2>/dev/null)"
md5() { md5sum | cut -d' ' -f1; }
case $mode in
write)
	dd if=/dev/urandom of=/tmp/data bs=1M count=4 2>/dev/null
	dd if=/tmp/data of=/dev/vda bs=1M seek=1 oflag=direct conv=fsync,notrunc 2>/tmp/dd.err
	echo "vmras-test: write status $? $(tail -n1 /tmp/dd.err)"
	echo "vmras-test: wrote md5=$(md5 </tmp/data)" \
		"readback=$(dd if=/dev/vda bs=1M skip=1 count=4 iflag=direct 2>/dev/null | md5)"
	blkdiscard -o 0 -l 1048576 /dev/vda 2>/tmp/discard.err
	echo "vmras-test: discard status $? $(tail -n1 /tmp/discard.err)"
	;;
read)
	echo "vmras-test: read md5=$(dd if=/dev/vda bs=1M skip=1 count=4 2>/dev/null | md5)"
	if dd if=/dev/zero of=/dev/vda bs=4096 count=1 oflag=direct 2>/dev/null; then
		echo "vmras-test: read-only write accepted"
	else
		echo "vmras-test: read-only write refused"
	fi
	;;
esac
