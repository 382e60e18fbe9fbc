#!/bin/sh
# Issue 13, inside the lab (tests/lab/test-linux-net.sh): a Debian guest with
# a virtio network device on a TAP (--net tap:IFNAME). vmras creates the
# TAP; the test host gives its end an address, and the guest pings it and
# moves 1 MiB each way over TCP, checked byte for byte. A TAP that cannot be
# attached (a name that is not a TAP) is a one-line error and exit 2.
#   linux-net.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"

TAP=vmtap0
md5() { md5sum | cut -d' ' -f1; }

# An interface of that name that is no TAP (the loopback) cannot be taken.
vmras --kernel "$VMRAS_GUEST_KERNEL" --net tap:lo >"$LOGS/bad.out" 2>&1
rc=$?
if [ "$rc" != 2 ] || [ "$(wc -l <"$LOGS/bad.out")" != 1 ] || ! grep -q "tap:lo: cannot attach" "$LOGS/bad.out"; then
	fail "" "--net tap:lo: exit $rc, expected 2 and one line: $(head -c 300 "$LOGS/bad.out")"
else
	echo "--net tap:lo: exit 2: $(cat "$LOGS/bad.out")" >>"$REPORT"
fi

dd if=/dev/urandom of="$LOGS/to-guest" bs=64k count=16 2>/dev/null
n=net
vm_start "$n" linux-guest-net.sh host --memory 256M --net "tap:$TAP"
if ! vm_wait_for '^vmras-test: waiting for go' 240; then
	vm_kill
	fail "$n" "$n: the guest did not get to configure eth0"
	linux_finish
fi
ip link set "$TAP" up && ip addr add 10.99.0.1/24 dev "$TAP" || fail "$n" "$n: cannot configure $TAP"
# busybox nc gives up a connection when its own input ends: the receiver's
# input is a pipe that stays open and silent.
(sleep 120 | timeout 120 nc -l -p 5001 | head -c 1048576 >"$LOGS/from-guest") &
(timeout 120 nc -l -p 5002 <"$LOGS/to-guest") &
sleep 1
vm_send go
vm_finish 240
rc=$?
[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
expect "$n" "^vmras-test: eth0 mac=02:76:72:[0-9a-f:]* driver=virtio_net" "the guest has no virtio_net eth0"
expect "$n" "^vmras-test: ping status 0 3 packets transmitted, 3 packets received" "the guest could not ping the host"
sent=$(sed -n 's/^vmras-test: sent md5=\([0-9a-f]*\).*/\1/p' "$LOGS/$n.txt")
[ -n "$sent" ] && [ "$(md5 <"$LOGS/from-guest")" = "$sent" ] ||
	fail "$n" "$n: the host got $(wc -c <"$LOGS/from-guest") bytes, md5 $(md5 <"$LOGS/from-guest"); the guest sent md5 '$sent'"
expect "$n" "^vmras-test: got md5=$(md5 <"$LOGS/to-guest") bytes=1048576" "the guest did not get the host's 1 MiB intact"
grep -q "^vmras: virtio-net0: tap:$TAP, MAC 02:76:72:" "$LOGS/$n.txt" || fail "$n" "$n: vmras did not say where the network device is"
guest_lived_on "$n"
report_lines "$n" "^vmras-test: (eth0|ping|sent|got)"
linux_finish
