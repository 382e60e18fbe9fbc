#!/bin/sh
# Issue 13, inside the lab (tests/lab/test-linux-disk-poison.sh): a device
# meets poisoned guest memory. A guest process's page is poisoned in the host
# (--early-kill off: vmras hears nothing yet); the process then writes that
# page to the virtio disk with O_DIRECT, so vmras's virtio-blk thread is the
# first to touch it. The guest's write fails with EIO, vmras records the
# page, tells the guest (action optional), and the event names the device;
# the guest isolates the page, and it and vmras go on: a later write and
# read of the disk succeed and the guest powers off normally.
#   linux-disk-poison.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"

IMG=$LOGS/disk.img
dd if=/dev/zero of="$IMG" bs=1M count=16 2>/dev/null

n=disk-poison
vm_start "$n" linux-guest-disk-poison.sh host --memory 256M --early-kill off --disk "$IMG"
if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for 'pageholder: victim pid=' 10; then
	vm_kill
	fail "$n" "$n: the guest did not get its page holder ready"
	linux_finish
fi
gpa=$(holder "$n" victim gpa) pfn=$(holder "$n" victim pfn)
if ! poison "$n" "$gpa"; then
	vm_kill
	linux_finish
fi
sleep 2
[ "$(vm_events)" = 0 ] || fail "$n" "$n: an event before the device touched the page (--early-kill off)"
vm_send go
vm_wait_events 1 60 || fail "$n" "$n: no event after the guest wrote the poisoned page to the disk"
vm_finish 180
rc=$?

[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
event_expect "$n" 1 "the device's read of the poisoned page" '"recipient":"guest","action":"inject"' \
	'"flags":{"action-required":false,"recursive":false}' "\"guest-physical-address\":$((gpa))," \
	'"device":"virtio-blk0"'
[ "$(vm_events)" = 1 ] || { fail "$n" "$n: $(vm_events) events, expected 1"; show_events "$n"; }
expect "$n" "pageholder: victim direct write failed: errno=5 " "the guest's O_DIRECT write did not fail with EIO"
expect "$n" "Memory failure: $pfn: .*Recovered" "the guest did not isolate pfn $pfn"
expect "$n" "^vmras-test: after write status 0" "the guest could not write the disk afterwards"
sum=$(sed -n 's/^vmras-test: after md5=\([0-9a-f]*\) .*/\1/p' "$LOGS/$n.txt")
expect "$n" "^vmras-test: after md5=$sum readback=$sum" "the guest did not read back what it wrote afterwards"
expect "$n" "^vmras-test: victim status 0" "the victim did not exit normally"
expect "$n" "^vmras-test: alive corrupted_kb=4$" "the guest does not count 4 kB HardwareCorrupted"
grep -q "fatal" "$LOGS/$n.txt" && fail "$n" "$n: vmras called something fatal"
guest_lived_on "$n"
report_lines "$n" "I/O error, dev vda"
linux_finish
