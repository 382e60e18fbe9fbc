#!/bin/sh
# Issue 3, scenario 1, inside the lab (tests/lab/test-linux-ao.sh): a real
# poisoned page that a Linux guest process holds, action-optional. vmras (early
# kill on, the default) hears of it as soon as the host kernel poisons the
# page, and tells the guest; the guest isolates the page and deals with its
# owner; the guest keeps running. Per guest CPU vendor.
#   linux-ao.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"

# The bank-9 record vmras logs (AMD: a deferred error, no #MC) or raises (Intel:
# SRAO, memory scrubbing) for an action-optional memory error.
ao_mc() { # VENDOR
	case $1 in
	amd) echo '"status":"0x9c00180000000000"' '"delivery":"logged"' ;;
	intel) echo '"status":"0xbd000000000000c0"' '"delivery":"raised"' ;;
	esac
}

ao() { # VENDOR
	v=$1 n=ao-$1
	# Machine checks alone (--ras mce): with a GHES record too (the default),
	# an AMD guest isolates the first page from the record before it polls
	# bank 9, so the second deferred error lands on an unread one (OVER):
	# right, but not what this test checks. test-linux-ghes covers records.
	vm_start "$n" linux-guest-ao.sh "$v" --cpus "$CPUS" --memory 512M --ras mce
	if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for 'pageholder: late pid=' 10 ||
		! vm_wait_for 'pageholder: early pid=' 10; then
		vm_kill
		fail "$n" "$n: the guest did not get its page holders ready"
		return
	fi
	check_facts "$n" "$v"
	e_gpa=$(holder "$n" early gpa) e_pfn=$(holder "$n" early pfn) e_va=$(holder "$n" early va) e_pid=$(holder_pid "$n" early)
	l_gpa=$(holder "$n" late gpa) l_pfn=$(holder "$n" late pfn) l_va=$(holder "$n" late va) l_pid=$(holder_pid "$n" late)

	# One page at a time: on AMD a second deferred error logged in bank 9
	# before the guest polled would overwrite the first.
	if ! poison "$n" "$e_gpa"; then
		vm_kill
		return
	fi
	if ! vm_wait_events 1 60; then
		vm_kill
		fail "$n" "$n: no event after poisoning the early holder's page"
		return
	fi
	if ! vm_wait_for "Memory failure: $e_pfn: recovery action" 60 || ! vm_wait_for "pageholder: early SIGBUS" 30; then
		vm_kill
		fail "$n" "$n: the guest did not isolate pfn $e_pfn or did not signal its early-kill owner"
		show_events "$n"
		return
	fi
	if ! poison "$n" "$l_gpa"; then
		vm_kill
		return
	fi
	if ! vm_wait_events 2 60 || ! vm_wait_for "Memory failure: $l_pfn: recovery action" 60; then
		vm_kill
		fail "$n" "$n: no event, or the guest did not isolate pfn $l_pfn"
		show_events "$n"
		return
	fi
	vm_send go
	vm_finish 120
	rc=$?

	[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (guest powered off)"
	# The events: the QMP members first, then vmras's own.
	# shellcheck disable=SC2046
	event_expect "$n" 1 "early holder's page" '"recipient":"guest","action":"inject"' \
		'"flags":{"action-required":false,"recursive":false}' \
		"\"guest-physical-address\":$((e_gpa))," $(ao_mc "$v")
	# shellcheck disable=SC2046
	event_expect "$n" 2 "late holder's page" '"recipient":"guest","action":"inject"' \
		'"flags":{"action-required":false,"recursive":false}' \
		"\"guest-physical-address\":$((l_gpa))," $(ao_mc "$v")
	[ "$(vm_events)" = 2 ] || { fail "$n" "$n: $(vm_events) events, expected 2"; show_events "$n"; }

	# The guest's own log. Early kill: the owner is signalled when the page is
	# isolated, with BUS_MCEERR_AO.
	expect "$n" "Memory failure: $e_pfn: Sending SIGBUS to pageholder:$e_pid due to hardware memory corruption" \
		"the guest did not signal the early-kill owner of pfn $e_pfn"
	expect "$n" "Memory failure: $e_pfn: recovery action for dirty LRU page: Recovered" \
		"the guest did not recover pfn $e_pfn"
	expect "$n" "pageholder: early SIGBUS code=5 \(BUS_MCEERR_AO\) addr=$e_va lsb=12" \
		"the early-kill holder did not get BUS_MCEERR_AO for its page"
	expect "$n" "^vmras-test: early status 135" "the early-kill holder did not die of SIGBUS"
	# Late kill (the default): the page is unmapped at once, the owner is
	# killed only when it touches it.
	expect "$n" "Memory failure: $l_pfn: recovery action for dirty LRU page: Recovered" \
		"the guest did not recover pfn $l_pfn"
	grep -q "Sending SIGBUS to pageholder:$l_pid " "$LOGS/$n.txt" &&
		fail "$n" "$n: the late-kill holder was signalled before it touched its page"
	expect "$n" "MCE: Killing pageholder:$l_pid due to hardware memory corruption fault at ${l_va#0x}" \
		"the guest did not kill the late-kill holder when it touched its page"
	expect "$n" "pageholder: late SIGBUS code=4 \(BUS_MCEERR_AR\) addr=$l_va lsb=12" \
		"the late-kill holder did not get BUS_MCEERR_AR"
	expect "$n" "^vmras-test: late status 135" "the late-kill holder did not die of SIGBUS"
	# The guest lives on, with both pages out of use.
	expect "$n" "^vmras-test: alive corrupted_kb=8$" "the guest does not count 8 kB HardwareCorrupted"
	guest_lived_on "$n"
}

for v in $(linux_vendors); do
	ao "$v"
done
linux_finish
