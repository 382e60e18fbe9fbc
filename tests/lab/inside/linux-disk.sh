#!/bin/sh
# Issue 13, inside the lab (tests/lab/test-linux-disk.sh): a Debian guest
# with a virtio disk (--disk). First boot: it writes 4 MiB to /dev/vda,
# flushes, reads them back and discards the first MiB; the test host then
# finds the same bytes in the image, and zeros where the discard was. A new
# boot with the image read-only reads the 4 MiB again and is refused a write.
# Bad --disk arguments get a one-line error and exit 2 before any guest runs.
#   linux-disk.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"

IMG=$LOGS/disk.img
md5() { md5sum | cut -d' ' -f1; }

bad_arg() { # WHAT EXPECTED-TEXT ARG...
	_what=$1 _want=$2
	shift 2
	vmras --kernel "$VMRAS_GUEST_KERNEL" "$@" >"$LOGS/bad.out" 2>&1
	_rc=$?
	if [ "$_rc" != 2 ] || [ "$(wc -l <"$LOGS/bad.out")" != 1 ] || ! grep -q -- "$_want" "$LOGS/bad.out"; then
		fail "" "--disk $_what: exit $_rc, expected 2 and one line with '$_want': $(head -c 300 "$LOGS/bad.out")"
	else
		echo "--disk $_what: exit 2: $(cat "$LOGS/bad.out")" >>"$REPORT"
	fi
}

dd if=/dev/zero of="$IMG" bs=1M count=64 2>/dev/null
# The first MiB: all ones, so that the guest's discard shows as zeros.
tr '\000' '\377' </dev/zero | dd of="$IMG" bs=1M count=1 conv=notrunc 2>/dev/null
mkdir -p "$LOGS/dir"
cp "$IMG" "$LOGS/ro.img"
chmod 0444 "$LOGS/ro.img"
bad_arg "missing image" "No such file or directory" --disk "$LOGS/none.img"
bad_arg "a directory" "Is a directory" --disk "$LOGS/dir"
bad_arg "read-only file" "add ,readonly" --disk "$LOGS/ro.img"
bad_arg "unknown option" "unknown option 'ro'" --disk "$IMG,ro"

APPEND0=$VM_APPEND
n=disk-write
VM_APPEND="$APPEND0 vmras.disk=write"
vm_start "$n" linux-guest-disk.sh host --memory 256M --disk "$IMG"
vm_finish 240
rc=$?
[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
expect "$n" "^vmras-test: vda sectors=131072 ro=0 serial=virtio-blk0" "the guest did not see a 64 MiB /dev/vda"
expect "$n" "^vmras-test: write status 0" "the guest's write to /dev/vda failed"
sum=$(sed -n 's/^vmras-test: wrote md5=\([0-9a-f]*\) .*/\1/p' "$LOGS/$n.txt")
back=$(sed -n 's/^vmras-test: wrote md5=.* readback=\([0-9a-f]*\).*/\1/p' "$LOGS/$n.txt")
[ -n "$sum" ] && [ "$sum" = "$back" ] || fail "$n" "$n: read back md5 '$back', wrote '$sum'"
img=$(dd if="$IMG" bs=1M skip=1 count=4 2>/dev/null | md5)
[ "$img" = "$sum" ] || fail "$n" "$n: the image holds md5 $img at 1 MiB, the guest wrote $sum"
expect "$n" "^vmras-test: discard status 0" "the guest's discard failed"
zeros=$(dd if=/dev/zero bs=1M count=1 2>/dev/null | md5)
[ "$(dd if="$IMG" bs=1M count=1 2>/dev/null | md5)" = "$zeros" ] ||
	fail "$n" "$n: the discarded first MiB of the image is not zeros"
guest_lived_on "$n"
report_lines "$n" "^vmras-test: (vda|write|wrote|discard|read)"
grep -q "^vmras: virtio-blk0: $IMG, 67108864 bytes, at 0x" "$LOGS/$n.txt" ||
	fail "$n" "$n: vmras did not say where it put the disk"

n=disk-read
VM_APPEND="$APPEND0 vmras.disk=read"
vm_start "$n" linux-guest-disk.sh host --memory 256M --disk "$IMG,readonly"
vm_finish 240
rc=$?
[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
expect "$n" "^vmras-test: vda sectors=131072 ro=1" "the guest did not see a read-only /dev/vda"
expect "$n" "^vmras-test: read md5=$sum" "a new boot did not read back what the first wrote"
expect "$n" "^vmras-test: read-only write refused" "the guest wrote to a read-only disk"
[ "$(dd if="$IMG" bs=1M skip=1 count=4 2>/dev/null | md5)" = "$sum" ] ||
	fail "$n" "$n: the image changed under a read-only disk"
guest_lived_on "$n"
report_lines "$n" "^vmras-test: (vda|write|wrote|discard|read)"
[ "$(vm_events)" = 0 ] || fail "$n" "$n: $(vm_events) memory-failure events, expected none"
linux_finish
