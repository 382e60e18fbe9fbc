# Guest side of the burst test (issue 12, part 3; tests/lab/test-linux-burst.sh):
# a late-kill holder of vmras.pages=N pages lists their addresses; the test
# host poisons vmras.burst=M of them back to back. After "go" the guest waits
# until its kernel counts all M pages as HardwareCorrupted (at most
# vmras.wait=S seconds), says what it counted, then runs a process that
# writes and reads back memory: the guest must live on.
. /vmras/linux-guest-common.sh
guest_facts
arg() { tr ' ' '\n' </proc/cmdline | sed -n "s/^vmras.$1=//p"; }
pages=$(arg pages) burst=$(arg burst) wait=$(arg wait)
pageholder late hold "${pages:-516}" &
holder=$!
sleep 1
wait_go "poison the pages"
want=$((${burst:-500} * 4))
k=$((${wait:-60} * 2))
while [ "$(guest_corrupted_kb)" -lt "$want" ] && [ $k -gt 0 ]; do
	sleep 0.5
	k=$((k - 1))
done
echo "vmras-test: alive corrupted_kb=$(guest_corrupted_kb) want_kb=$want"
echo "vmras-test: memory failure lines $(dmesg | grep -c 'Memory failure: 0x[0-9a-f]*: recovery action')"
echo "vmras-test: overflow lines $(dmesg | grep -c 'buffer overflow when queuing memory failure')"
# The holder's pages are gone: it is not asked to touch them again.
kill "$holder" 2>/dev/null
dd if=/dev/zero of=/dev/shm/after bs=1M count=32 2>/dev/null &&
	dd if=/dev/shm/after of=/dev/null bs=1M 2>/dev/null &&
	echo "vmras-test: a process ran after the burst: wrote and read back 32 MiB"
rm -f /dev/shm/after
guest_klog | grep -v 'Memory failure: 0x[0-9a-f]*: recovery action' | tail -n 20
