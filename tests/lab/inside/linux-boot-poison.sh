#!/bin/sh
# Issue 12, part 4, inside the lab (tests/lab/test-linux-boot-poison.sh):
# poison already there at start.
#   1. vmras --memory-backend file:/dev/shm/guest.ram (tmpfs in the test
#      host): the guest fills its memory, holds 3 pages; the test host
#      poisons them for real (vmras-poison --ram, pfn method: the pages are
#      in a file, which has no vmras name in /proc/PID/maps); the guest is
#      told (action optional), lives, and powers off: vmras exits 0.
#   2. From the test host: reading those pages of the file fails with EIO:
#      the poison outlived vmras.
#   3. vmras again on the same file: it finds the 3 pages before the guest
#      runs ("start: ... 3 poisoned pages"), replaces them (hole punch),
#      announces each (MEMORY_FAILURE, action ignore, reason "found poisoned
#      at start"), lists them in query-memory-failures (replaced true), and
#      the guest boots with "BERT: Error records from previous boot" and a
#      CPER memory section naming each address, with no machine check, no
#      corrupted memory, and powers off.
# On arm64 (tests/lab/test-arm64-boot-poison.sh) the same, the guest booted
# through UEFI, the BERT's region a firmware-allocated fw_cfg file.
#   linux-boot-poison.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"
v=$(host_vendor)
base_append=$VM_APPEND
FILE=/dev/shm/guest.ram
MEM=256M
rm -f "$FILE"

n=poison-run
VM_APPEND="vmras.boot=first $base_append"
vm_start "$n" linux-guest-boot-poison.sh "$v" --cpus 1 --memory $MEM --memory-backend "file:$FILE"
if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for '^pageholder: hold gpas' 20; then
	vm_kill
	fail "$n" "$n: the guest did not get its page holder ready"
	finish
fi
gpas=$(console_text "$n" | sed -n 's/^pageholder: hold gpas //p' | head -n1)
# The region at offset 0 of the file: x86's below 4 GiB (guest address 0),
# arm64's only one (0x40000000).
ram=$(console_text "$n" | sed -n 's/^vmras: guest RAM [^:]*: \(0x[0-9a-f]*\)+\(0x[0-9a-f]*\) at host address \(0x[0-9a-f]*\), offset 0x0 .*/\1:\3:\2/p' | head -n1)
base=$((${ram%%:*}))
if [ -z "$ram" ] || [ "$(echo $gpas | wc -w)" != 3 ]; then
	vm_kill
	fail "$n" "$n: no guest RAM mapping line ('$ram') or not 3 pages ('$gpas')"
	finish
fi
# One page at a time, each told before the next: back to back, action-
# optional reports coalesce (a pending SIGBUS is not queued twice), which is
# the burst part of issue 12, not this test's.
i=0
for g in $gpas; do
	i=$((i + 1))
	if ! vmras-poison --ram "$ram" "$VM_PID" "$g" >>"$LOGS/$n.poison" 2>&1; then
		vm_kill
		fail "$n" "$n: vmras-poison --ram $ram $VM_PID $g failed: $(cat "$LOGS/$n.poison")"
		finish
	fi
	say "  $n: $(tail -n1 "$LOGS/$n.poison")"
	vm_wait_events $i 60 || fail "$n" "$n: $(vm_events) events after poisoning $i pages, expected $i"
done
sleep 2
vm_send go
vm_finish 120
rc=$?
[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
expect "$n" "^vmras-guest: exit 0" "the first run's guest did not finish its script"
report_lines "$n" "^vmras: |^vmras-test: (filled|alive)|Memory failure"

# The poison outlived vmras: each page of the file fails to read.
for g in $gpas; do
	if dd if="$FILE" of=/dev/null bs=4096 skip=$(((g - base) / 4096)) count=1 2>"$LOGS/dd.err"; then
		fail "" "reading page $g of $FILE after vmras exited succeeded: the poison did not outlive vmras"
	else
		echo "after the first run: reading page $g of $FILE: $(tail -n1 "$LOGS/dd.err")" >>"$REPORT"
	fi
done

n=restart
VM_APPEND="vmras.boot=second $base_append"
vm_start "$n" linux-guest-boot-poison.sh "$v" --cpus 1 --memory $MEM --memory-backend "file:$FILE" \
	--qmp "unix:$LOGS/$n.qmp"
if ! vm_wait_for '^vmras-test: waiting for go' 240; then
	vm_kill
	fail "$n" "$n: the guest did not boot on the poisoned backing"
	finish
fi
vmras-ctl --socket "$LOGS/$n.qmp" query-memory-failures >"$LOGS/$n.query" 2>&1 ||
	fail "$n" "$n: query-memory-failures failed: $(cat "$LOGS/$n.query")"
vm_send go
vm_finish 120
rc=$?
[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
expect "$n" "^vmras: start: read [0-9.]+ MiB of the guest RAM backing in [0-9.]+ ms: 3 poisoned pages" \
	"vmras did not find the 3 poisoned pages at start"
expect "$n" "^vmras: start: replaced 3 poisoned pages" "vmras did not replace the 3 pages"
expect "$n" "^vmras: start: 3 poisoned pages in the guest RAM backing: 3 replaced, 0 (kept from the guest|not replaced)$" \
	"the start-up summary is not 3 replaced"
expect "$n" "BERT: Error records from previous boot" "the guest did not report errors of a previous boot"
awk '{ gsub(/\{"recipient"/, "\n&"); print }' "$LOGS/$n.query" | grep '"guest-physical-address"' >"$LOGS/$n.entries"
i=1
for g in $gpas; do
	grep -Eq "physical_address: 0x0*$(printf '%x' $((g)))\$" "$LOGS/$n.txt" ||
		fail "$n" "$n: the guest's BERT lines do not name $g"
	grep "\"guest-physical-address\":$((g))," "$LOGS/$n.entries" | grep -q '"replaced":true' ||
		fail "$n" "$n: query-memory-failures does not list $g as replaced"
	grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | grep "\"guest-physical-address\":$((g))," |
		grep -q '"action":"ignore"' || fail "$n" "$n: no MEMORY_FAILURE event (action ignore) for $g"
	event_expect "$n" $i "page found at start" '"recipient":"guest","action":"ignore"' \
		'"flags":{"action-required":false,"recursive":false}' \
		"found poisoned at start in the guest RAM backing, before the guest ran: replaced"
	i=$((i + 1))
done
[ "$(wc -l <"$LOGS/$n.entries")" = 3 ] || fail "$n" "$n: query-memory-failures lists $(wc -l <"$LOGS/$n.entries") entries, expected 3"
[ "$(vm_events)" = 3 ] || { fail "$n" "$n: $(vm_events) events, expected 3"; show_events "$n"; }
expect "$n" "^vmras-test: mce_messages=0$" "the guest met a machine check or a live hardware error"
expect "$n" "^vmras-test: alive corrupted_kb=0$" "the guest has corrupted memory (it met the poison)"
expect "$n" "^vmras-guest: exit 0" "the second run's guest did not finish its script"
# x86 counts machine checks in /proc/interrupts; arm64 has no such line.
if grep -q '^vmras-test: interrupts MCE:' "$LOGS/$n.txt"; then
	grep -E '^vmras-test: interrupts MCE:' "$LOGS/$n.txt" | grep -Eq 'MCE: 0 ' ||
		fail "$n" "$n: machine-check exceptions counted in the guest"
fi
echo "$n: query-memory-failures: $(head -c 600 "$LOGS/$n.query")" >>"$REPORT"
report_lines "$n" "^vmras: |^bert: |^vmras-test: (interrupts|mce_|alive)"
rm -f "$FILE"
linux_finish
