# Guest side of the device-poison test (linux-disk-poison.sh): "victim" holds
# a dirty page; once the test host has poisoned it, the victim writes that
# page to /dev/vda with O_DIRECT, so vmras's virtio-blk device reads the
# poisoned page itself. Then the guest goes on using the disk.
. /vmras/linux-guest-common.sh
guest_facts
md5() { md5sum | cut -d' ' -f1; }
pageholder late victim 1 write=/dev/vda &
victim=$!
sleep 1
wait_go "poison the victim's page"
kill -USR2 "$victim"
sleep 3
dd if=/dev/urandom of=/tmp/data bs=64k count=16 2>/dev/null
dd if=/tmp/data of=/dev/vda bs=64k seek=64 oflag=direct conv=fsync,notrunc 2>/dev/null
echo "vmras-test: after write status $?"
echo "vmras-test: after md5=$(md5 </tmp/data) readback=$(dd if=/dev/vda bs=64k skip=64 count=16 iflag=direct 2>/dev/null | md5)"
kill -TERM "$victim"
reap victim "$victim"
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
dmesg | grep -E 'I/O error, dev vda' | head -n 3 | sed 's/^\[ *\([0-9.]*\)\] /klog: \1 /'
guest_klog
