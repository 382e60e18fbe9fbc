# Guest side of the device-poison test (linux-disk-poison.sh): "victim" and
# "reader" hold a dirty page each. Once the test host has poisoned the
# victim's, the victim writes its page to /dev/vda with O_DIRECT (vmras's
# virtio-blk device reads the poisoned page itself); once it has poisoned
# the reader's (after the first event: vmras scans guest RAM after each
# report and would find a page poisoned earlier, and the guest would isolate
# it before the device ever saw it), the reader reads a block of the disk
# into its page (the device writes into it). Then the guest goes on using
# the disk.
. /vmras/linux-guest-common.sh
guest_facts
md5() { md5sum | cut -d' ' -f1; }
pageholder late victim 1 write=/dev/vda &
victim=$!
pageholder late reader 1 readfrom=/dev/vda &
reader=$!
sleep 1
wait_go "poison the victim's page"
kill -USR2 "$victim"
wait_go "poison the reader's page"
kill -USR2 "$reader"
sleep 3
dd if=/dev/urandom of=/tmp/data bs=64k count=16 2>/dev/null
dd if=/tmp/data of=/dev/vda bs=64k seek=64 oflag=direct conv=fsync,notrunc 2>/dev/null
echo "vmras-test: after write status $?"
echo "vmras-test: after md5=$(md5 </tmp/data) readback=$(dd if=/dev/vda bs=64k skip=64 count=16 iflag=direct 2>/dev/null | md5)"
kill -TERM "$victim" "$reader"
reap victim "$victim"
reap reader "$reader"
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb)"
dmesg | grep -E 'I/O error, dev vda' | head -n 3 | sed 's/^\[ *\([0-9.]*\)\] /klog: \1 /'
guest_klog
