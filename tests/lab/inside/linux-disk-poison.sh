#!/bin/sh
# Issue 13, inside the lab (tests/lab/test-linux-disk-poison.sh): a device
# meets poisoned guest memory, both ways. Two guest processes' pages are
# poisoned in the host (--early-kill off: vmras hears nothing yet); one
# process then writes its page to the virtio disk with O_DIRECT, the other
# reads a block of the disk into its page, so vmras's virtio-blk thread is
# the first to touch each (reading one, writing the other). Each I/O fails
# with EIO in the guest; vmras records the page, tells the guest (action
# optional), and the event names the device; the guest isolates both pages,
# and it and vmras go on: a later write and read of the disk succeed and the
# guest powers off normally.
#   linux-disk-poison.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"

IMG=$LOGS/disk.img
dd if=/dev/zero of="$IMG" bs=1M count=16 2>/dev/null

n=disk-poison
vm_start "$n" linux-guest-disk-poison.sh host --memory 256M --early-kill off --disk "$IMG"
if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for 'pageholder: victim pid=' 10 ||
	! vm_wait_for 'pageholder: reader pid=' 10; then
	vm_kill
	fail "$n" "$n: the guest did not get its page holders ready"
	linux_finish
fi
gpa=$(holder "$n" victim gpa) pfn=$(holder "$n" victim pfn)
r_gpa=$(holder "$n" reader gpa) r_pfn=$(holder "$n" reader pfn)
if ! poison "$n" "$gpa"; then
	vm_kill
	linux_finish
fi
sleep 2
[ "$(vm_events)" = 0 ] || fail "$n" "$n: an event before the device touched the page (--early-kill off)"
vm_send go
vm_wait_events 1 60 || fail "$n" "$n: no event after the guest wrote the poisoned page to the disk"
# The reader's page only now: a scan after the first report would find it.
vm_wait_for '^vmras-test: waiting for go \(poison the reader' 30
sleep 1
poison "$n" "$r_gpa" || { vm_kill; linux_finish; }
sleep 2
[ "$(vm_events)" = 1 ] || fail "$n" "$n: an event before the device touched the reader's page"
vm_send go
vm_wait_events 2 60 || fail "$n" "$n: no event after the guest read the disk into the poisoned page"
vm_finish 180
rc=$?

[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
event_expect "$n" 1 "the device's read of the poisoned page" '"recipient":"guest","action":"inject"' \
	'"flags":{"action-required":false,"recursive":false}' "\"guest-physical-address\":$((gpa))," \
	'"device":"virtio-blk0","reason":"virtio-blk0 met the page in a request of the guest'"'"'s'
event_expect "$n" 2 "the device's write into the poisoned page" '"recipient":"guest","action":"inject"' \
	'"flags":{"action-required":false,"recursive":false}' "\"guest-physical-address\":$((r_gpa))," \
	'"device":"virtio-blk0","reason":"virtio-blk0 met the page in a request of the guest'"'"'s'
[ "$(vm_events)" = 2 ] || { fail "$n" "$n: $(vm_events) events, expected 2"; show_events "$n"; }
expect "$n" "pageholder: victim direct write failed: errno=5 " "the guest's O_DIRECT write did not fail with EIO"
expect "$n" "pageholder: reader direct read failed: errno=5 " "the guest's O_DIRECT read did not fail with EIO"
expect "$n" "Memory failure: $pfn: .*Recovered" "the guest did not isolate pfn $pfn"
expect "$n" "Memory failure: $r_pfn: .*Recovered" "the guest did not isolate pfn $r_pfn"
grep -q "^vmras: virtio-blk0: [0-9]* requests, 2 I/O errors, 2 poisoned pages met, 0 ring failures" "$LOGS/$n.txt" ||
	fail "$n" "$n: virtio-blk0 did not count 2 I/O errors and 2 poisoned pages"
expect "$n" "^vmras-test: after write status 0" "the guest could not write the disk afterwards"
sum=$(sed -n 's/^vmras-test: after md5=\([0-9a-f]*\) .*/\1/p' "$LOGS/$n.txt")
expect "$n" "^vmras-test: after md5=$sum readback=$sum" "the guest did not read back what it wrote afterwards"
expect "$n" "^vmras-test: victim status 0" "the victim did not exit normally"
expect "$n" "^vmras-test: reader status 0" "the reader did not exit normally"
expect "$n" "^vmras-test: alive corrupted_kb=8$" "the guest does not count 8 kB HardwareCorrupted"
grep -q "fatal" "$LOGS/$n.txt" && fail "$n" "$n: vmras called something fatal"
guest_lived_on "$n"
report_lines "$n" "I/O error, dev vda|pageholder: .* direct|^vmras-test: (after|alive)"
linux_finish
