#!/bin/sh
# Issue 3, scenario 3, inside the lab (tests/lab/test-linux-nomce.sh): a Linux
# guest booted with mce=off never sets CR4.MCE, so a machine check cannot be
# delivered to it: KVM would make it a triple fault. When a guest process reads
# a poisoned page (action-required; --early-kill off), vmras reports
# {guest, reset} with the reason and resets the VM; the guest boots again
# (its poisoned page replaced) and vmras survives. Per guest CPU vendor.
#   linux-nomce.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"
VM_APPEND="mce=off $VM_APPEND"

nomce() { # VENDOR
	v=$1 n=nomce-$1
	vm_start "$n" linux-guest-nomce.sh "$v" --cpus "$CPUS" --memory 512M --early-kill off
	if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for 'pageholder: victim pid=' 10; then
		vm_kill
		fail "$n" "$n: the guest did not get its page holder ready"
		return
	fi
	check_facts "$n" "$v"
	gpa=$(holder "$n" victim gpa)

	if ! poison "$n" "$gpa"; then
		vm_kill
		return
	fi
	vm_send go
	vm_wait_events 1 60 || fail "$n" "$n: no event after the victim read its page"
	# The first boot's script must not finish; the second boot's does.
	vm_finish 240 1 1
	rc=$?

	[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (the second boot powered off)"
	event_expect "$n" 1 "victim's read" '"recipient":"guest","action":"reset"' \
		'"flags":{"action-required":true,"recursive":false}' \
		"\"guest-physical-address\":$((gpa))," '"cpu-index":' \
		'"reason":"CPU ' ': MCE capability is not enabled, raising triple fault"'
	cpu=$(grep -m1 MEMORY_FAILURE "$LOGS/$n.events" | sed -n 's/.*"cpu-index":\([0-9]*\).*/\1/p')
	grep -q "\"reason\":\"CPU $cpu: MCE" "$LOGS/$n.events" ||
		fail "$n" "$n: the reason names another CPU than cpu-index $cpu"
	[ "$(vm_events)" = 1 ] || { fail "$n" "$n: $(vm_events) events, expected 1"; show_events "$n"; }
	# vmras resets the VM, replacing the poisoned page, and the guest boots again.
	expect "$n" "vmras: guest reset \(CPU $cpu: MCE capability is not enabled, raising triple fault\)" \
		"vmras did not log the reset with its reason"
	expect "$n" "vmras: guest reset: replaced 1 poisoned page in 1 hole punch" \
		"vmras did not replace the poisoned page at the reset"
	n_init=$(grep -c '^vmras-guest: init reached' "$LOGS/$n.txt")
	[ "$n_init" = 2 ] || fail "$n" "$n: the guest reached /init $n_init times, expected 2"
	expect "$n" "^vmras-test: first boot" "no first boot"
	grep -q "^vmras-test: still running after" "$LOGS/$n.txt" &&
		fail "$n" "$n: the guest went on after reading its poisoned page"
	expect "$n" "^vmras-test: second boot" "no second boot"
	expect "$n" "^vmras-test: alive corrupted_kb=0$" "the second boot does not see 0 kB HardwareCorrupted"
	expect "$n" "^vmras-guest: exit 0" "the second boot's script did not finish"
	report_lines "$n" "^vmras: |^vmras-test: (vendor|first|second)|Memory failure|MCE|mce: |Hardware Error|pageholder: .*SIGBUS"
}

for v in $(linux_vendors); do
	nomce "$v"
done
linux_finish
