# shellcheck shell=sh
# Guest side of bench/disk-io (staged into the guest initramfs as
# /vmras/disk-io-guest.sh, run by init as ". /vmras/disk-io-guest.sh"; busybox
# sh), under vmras and under QEMU alike. The test host reads the "vmras-test:"
# and "diskio:" lines on the console.
#
# Loads the virtio drivers the default initramfs may lack (bench modules in
# /bench/modules, listed in load order in /bench/modules.order; one already
# loaded is left alone), waits for /dev/vda, says how the guest's block layer
# sees it, and runs tests/guest/diskio on it. The kernel command line gives
# vmras.dio=MS,MIB: each phase runs MS milliseconds over the first MIB MiB.
echo "vmras-test: vendor=$(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1) cpus=$(nproc)"
if [ -f /bench/modules.order ]; then
	while read -r ko; do
		m=$(basename "$ko" .ko)
		[ -d "/sys/module/$m" ] || insmod "$ko" || echo "vmras-test: insmod $m failed"
	done </bench/modules.order
fi
dio=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^vmras.dio=//p')
ms=${dio%%,*}
mib=${dio#*,}
k=0
while [ ! -b /dev/vda ] && [ $k -lt 100 ]; do
	sleep 0.1
	k=$((k + 1))
done
if [ ! -b /dev/vda ]; then
	echo "vmras-test: no /dev/vda after 10 s"
	dmesg | grep -iE 'virtio|vda|LNRO' | tail -n 10 | sed 's/^/vmras-test: klog: /'
	exit 1
fi
q=/sys/block/vda/queue
# The transport is the bus the device sits on: virtio-mmio (a platform
# device) or PCI.
case $(readlink -f /sys/block/vda/device) in
*/pci*) transport=virtio-pci ;;
*) transport=virtio-mmio ;;
esac
# The device's node (LNRO0005:NN: found through ACPI) and the virtio
# features the driver accepted (sysfs: a string of bits, bit 0 first), named.
vdev=$(readlink -f /sys/block/vda/device)
features=$(cat "$vdev/features" 2>/dev/null | awk '{
	split("1 SIZE_MAX 2 SEG_MAX 4 GEOMETRY 5 RO 6 BLK_SIZE 9 FLUSH 10 TOPOLOGY 11 CONFIG_WCE 12 MQ 13 DISCARD " \
		"14 WRITE_ZEROES 28 INDIRECT_DESC 29 EVENT_IDX 32 VERSION_1 33 ACCESS_PLATFORM 34 RING_PACKED 35 IN_ORDER", w, " ")
	for (i = 1; i < 34; i += 2) name[w[i]] = w[i + 1]
	for (b = 0; b < length($0); b++)
		if (substr($0, b + 1, 1) == "1")
			out = out (out == "" ? "" : ",") (b in name ? name[b] : "bit" b)
	print out
}')
echo "vmras-test: vda transport=$transport node=$(basename "$(dirname "$vdev")")" \
	"features=$features size_mib=$(($(cat /sys/block/vda/size) / 2048))" \
	"hw_queues=$(ls /sys/block/vda/mq | wc -l) nr_requests=$(cat $q/nr_requests)" \
	"max_segments=$(cat $q/max_segments) max_segment_kb=$(($(cat $q/max_segment_size) / 1024))" \
	"max_hw_sectors_kb=$(cat $q/max_hw_sectors_kb) max_sectors_kb=$(cat $q/max_sectors_kb)" \
	"write_cache=$(cat $q/write_cache 2>/dev/null | tr ' ' _) scheduler=$(sed 's/.*\[\(.*\)\].*/\1/' $q/scheduler)" \
	"ro=$(cat /sys/block/vda/ro)"
# One phase at a time, with the device's request counts around it (fields 1
# and 5 of the disk's stat: reads and writes completed): how many requests a
# guest I/O became (a 1 MiB I/O is one request only if the queue limits and
# the buffer's physical layout allow).
# The device's interrupts too (its /proc/interrupts line, virtio0 on one vCPU).
irqs() { awk '$NF == "virtio0" { n += $2 } END { print n + 0 }' /proc/interrupts; }
rc=0
for ph in seq-write seq-read rand-write rand-read; do
	# shellcheck disable=SC2046 # one word per field
	set -- $(cat /sys/block/vda/stat)
	r0=$1 w0=$5 i0=$(irqs)
	line=$(diskio -t "${ms:-3000}" -s "${mib:-64}" /dev/vda $ph) || rc=1
	echo "$line"
	i1=$(irqs)
	# shellcheck disable=SC2046 # one word per field
	set -- $(cat /sys/block/vda/stat)
	ios=$(echo "$line" | sed -n 's/.* ios=\([0-9]*\) .*/\1/p')
	echo "vmras-test: requests $ph ios=${ios:-0} reads=$(($1 - r0)) writes=$(($5 - w0)) irqs=$((i1 - i0))"
done
grep virtio /proc/interrupts | sed 's/^/vmras-test: interrupts /'
echo "vmras-test: diskio status $rc"
exit $rc
