#!/bin/sh
# Issue 3, scenario 2, inside the lab (tests/lab/test-linux-ar.sh): a Linux
# guest process reads its page after the host poisoned it, action-required.
# vmras runs with --early-kill off, so it hears of the poison only when the
# guest touches the page; it raises a machine check, the guest kills the
# process that read the page, and the guest and its other processes go on.
# Per guest CPU vendor.
#   linux-ar.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"

# The bank-9 record vmras raises for an action-required memory error.
ar_mc() { # VENDOR
	case $1 in
	amd) echo '"status":"0xbc00080000000000"' '"delivery":"raised"' ;;
	intel) echo '"status":"0xbd80000000000134"' '"delivery":"raised","broadcast":true' ;;
	esac
}

ar() { # VENDOR
	v=$1 n=ar-$1
	vm_start "$n" linux-guest-ar.sh "$v" --cpus "$CPUS" --memory 512M --early-kill off
	if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for 'pageholder: victim pid=' 10 ||
		! vm_wait_for 'pageholder: bystander pid=' 10; then
		vm_kill
		fail "$n" "$n: the guest did not get its page holders ready"
		return
	fi
	check_facts "$n" "$v"
	gpa=$(holder "$n" victim gpa) pfn=$(holder "$n" victim pfn) va=$(holder "$n" victim va) pid=$(holder_pid "$n" victim)
	b_pid=$(holder_pid "$n" bystander)

	if ! poison "$n" "$gpa"; then
		vm_kill
		return
	fi
	# Early kill off: nothing reaches vmras until the guest touches the page.
	sleep 2
	if [ "$(vm_events)" != 0 ] || grep -q 'memory failure' "$LOGS/$n.log"; then
		fail "$n" "$n: vmras reported the poison before the guest touched the page (--early-kill off)"
	fi
	vm_send go
	vm_wait_events 1 60 || fail "$n" "$n: no event after the victim read its page"
	vm_finish 120
	rc=$?

	[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
	# shellcheck disable=SC2046
	event_expect "$n" 1 "victim's read" '"recipient":"guest","action":"inject"' \
		'"flags":{"action-required":true,"recursive":false}' \
		"\"guest-physical-address\":$((gpa))," '"cpu-index":' $(ar_mc "$v")
	[ "$(vm_events)" = 1 ] || { fail "$n" "$n: $(vm_events) events, expected 1"; show_events "$n"; }

	# The guest's own log: the machine check in user mode, then the page
	# isolated and its reader killed with BUS_MCEERR_AR.
	expect "$n" "mce: Uncorrected hardware memory error in user-access at ${gpa#0x}" \
		"the guest did not take the machine check as a user-access memory error at $gpa"
	expect "$n" "Memory failure: $pfn: Sending SIGBUS to pageholder:$pid due to hardware memory corruption" \
		"the guest did not signal the reader of pfn $pfn"
	expect "$n" "Memory failure: $pfn: recovery action for dirty LRU page: Recovered" \
		"the guest did not recover pfn $pfn"
	expect "$n" "pageholder: victim SIGBUS code=4 \(BUS_MCEERR_AR\) addr=$va lsb=12" \
		"the victim did not get BUS_MCEERR_AR for its page"
	expect "$n" "^vmras-test: victim status 135" "the victim did not die of SIGBUS"
	# Everything else goes on.
	expect "$n" "pageholder: bystander read ok" "the bystander could not read its page afterwards"
	expect "$n" "^vmras-test: bystander status 0" "the bystander did not exit normally"
	grep -q "pageholder:$b_pid " "$LOGS/$n.txt" && fail "$n" "$n: the guest signalled the bystander"
	expect "$n" "^vmras-test: alive corrupted_kb=4$" "the guest does not count 4 kB HardwareCorrupted"
	guest_lived_on "$n"
}

for v in $(linux_vendors); do
	ar "$v"
done
linux_finish
