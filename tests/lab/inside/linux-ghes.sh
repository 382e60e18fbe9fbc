#!/bin/sh
# Issue 5 inside the lab (tests/lab/test-linux-ghes.sh): a Linux guest told of
# real memory failures through APEI (vmras --ras ghes): a HEST with GHESv2
# sources, CPER records in guest memory, the guest's GHES driver decoding
# them and isolating the pages.
#   1. one page: the guest decodes the record (source 1, recoverable, memory
#      error, the poisoned address) and recovers the pfn; the early-kill owner
#      gets BUS_MCEERR_AO; the guest lives on.
#   2. ten pages poisoned back to back: an event each (a page whose signal
#      merged with the next one's is found by vmras's scan, so in any order),
#      packed into blocks acknowledged before the next is written, every pfn
#      recovered.
#   3. QMP inject-ghes-v2-error with a raw record (vmras-cper) for a page
#      nothing poisoned: the guest decodes it and isolates that page too.
#   4. action required, --early-kill off: the victim reads its poisoned page;
#      the record goes to source 0 with an NMI to that vCPU; the guest decodes
#      it, isolates the page and kills the reader; no machine check at all.
#   5. ghes.disable=1: the guest never acknowledges; vmras keeps running, the
#      queue stays bounded (1 in the block + 16 waiting), the rest are
#      dropped and the events say so.
#   linux-ghes.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"
v=$(host_vendor)

holders_ready() { # N
	vm_wait_for '^vmras-test: waiting for go' 240 && vm_wait_for "pageholder: b$1 pid=" 20
}

# The guest-physical addresses of holders b1..bN, one per line.
gpas() { # NAME N
	_i=1
	while [ "$_i" -le "$2" ]; do
		holder "$1" "b$_i" gpa
		_i=$((_i + 1))
	done
}

# The guest's own decoding (Linux's cper_estatus_print) of a record from
# SOURCE for the page at GPA, of memory error type TYPE ("3, multi-bit ECC").
record_decoded() { # NAME SOURCE GPA TYPE
	_hex=$(printf '0x%016x' $(($3)))
	expect "$1" "\[Hardware Error\]: Hardware error from APEI Generic Hardware Error Source: $2$" \
		"the guest did not report a record from source $2"
	expect "$1" "\[Hardware Error\]: event severity: recoverable" "no record of severity recoverable"
	expect "$1" "\[Hardware Error\]:   section_type: memory error" "no record with a memory error section"
	expect "$1" "\[Hardware Error\]:   physical_address: $_hex$" "no record decoded for the page at $_hex"
	expect "$1" "\[Hardware Error\]:   error_type: $4" "no record of error type $4"
}

# With --ras ghes no event may name a machine check.
no_machine_check() { # NAME
	grep '"event":"MEMORY_FAILURE"' "$LOGS/$1.events" | grep -q '"machine-check"' &&
		fail "$1" "$1: an event names a machine check, with --ras ghes"
}

# Poisons every page of the list as fast as vmras-poison goes.
poison_all() { # NAME GPA...
	_n=$1
	shift
	for _g in "$@"; do
		poison "$_n" "$_g" || return 1
	done
}

decoded() {
	n=ghes
	VM_APPEND="vmras.holders=11 ${VMRAS_TEST_APPEND:-}"
	qmp=$LOGS/$n.qmp
	vm_start $n linux-guest-ghes.sh "$v" --ras ghes --cpus 1 --memory 512M --qmp "unix:$qmp"
	if ! holders_ready 11; then
		vm_kill
		fail $n "$n: the guest did not get its page holders ready"
		return
	fi
	e_gpa=$(holder $n early gpa) e_pfn=$(holder $n early pfn) e_va=$(holder $n early va)
	e_pid=$(holder_pid $n early)

	# 1. One page.
	if ! poison $n "$e_gpa" || ! vm_wait_events 1 60; then
		vm_kill
		fail $n "$n: no event after poisoning the early holder's page"
		return
	fi
	if ! vm_wait_for "Memory failure: $e_pfn: recovery action" 60 || ! vm_wait_for "pageholder: early SIGBUS" 30; then
		vm_kill
		fail $n "$n: the guest did not isolate pfn $e_pfn or did not signal its early-kill owner"
		show_events $n
		return
	fi

	# 2. Ten pages, back to back.
	# shellcheck disable=SC2046
	if ! poison_all $n $(gpas $n 10) || ! vm_wait_events 11 90; then
		vm_kill
		fail $n "$n: $(vm_events) events after poisoning ten more pages, expected 11"
		show_events $n
		return
	fi
	last=$(holder $n b10 pfn)
	if ! vm_wait_for "Memory failure: $last: recovery action" 90; then
		vm_kill
		fail $n "$n: the guest did not recover the tenth page (pfn $last)"
		show_events $n
		return
	fi

	# 3. A raw record over QMP, for b11's page (healthy). Linux prints at
	# most two records per 5 s: wait for a fresh window.
	sleep 6
	q_gpa=$(holder $n b11 gpa) q_pfn=$(holder $n b11 pfn)
	cper=$(vmras-cper "$q_gpa")
	if ! vmras-ctl --socket "$qmp" inject-ghes-v2-error "{\"cper\":\"$cper\"}" >"$LOGS/$n.inject" 2>&1; then
		fail $n "$n: inject-ghes-v2-error failed: $(cat "$LOGS/$n.inject")"
	elif ! vm_wait_for "Memory failure: $q_pfn: recovery action" 60; then
		fail $n "$n: the guest did not isolate pfn $q_pfn after inject-ghes-v2-error"
	fi
	echo "$n inject-ghes-v2-error reply: $(cat "$LOGS/$n.inject")" >>"$REPORT"
	vm_send go
	vm_finish 120
	rc=$?
	[ "$rc" = 0 ] || fail $n "$n: vmras exited $rc, expected 0 (guest powered off)"
	expect $n "^klog: .*HEST: Table parsing has been initialized" "the guest did not parse the HEST"
	record_decoded $n 1 "$q_gpa" "3, multi-bit ECC"
	[ "$(vm_events)" = 11 ] || fail $n "$n: $(vm_events) events, expected 11 (an injected record is no memory failure)"

	event_expect $n 1 "early holder's page" '"recipient":"guest","action":"inject"' \
		'"flags":{"action-required":false,"recursive":false}' "\"guest-physical-address\":$((e_gpa))," \
		'"ghes":{"source":1,"delivery":"notified","waiting":0}'
	no_machine_check $n
	record_decoded $n 1 "$e_gpa" "14, scrub uncorrected error"
	expect $n "Memory failure: $e_pfn: Sending SIGBUS to pageholder:$e_pid due to hardware memory corruption" \
		"the guest did not signal the early-kill owner of pfn $e_pfn"
	expect $n "Memory failure: $e_pfn: recovery action for dirty LRU page: Recovered" \
		"the guest did not recover pfn $e_pfn"
	expect $n "pageholder: early SIGBUS code=5 \(BUS_MCEERR_AO\) addr=$e_va lsb=12" \
		"the early-kill holder did not get BUS_MCEERR_AO for its page"

	# Ten more events, one per page; none dropped; the guest recovered
	# every page. Signals of pages poisoned back to back can merge: the scan that
	# follows finds the page a merged signal named, after the next page's
	# report, so the order of events and of the guest's recoveries may
	# differ from the poisoning's; each page, once, is what must hold.
	for g in $(gpas $n 10); do
		k=$(grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | sed -n '2,11p' |
			grep "\"guest-physical-address\":$((g)),.*\"ghes\":{\"source\":1,\"delivery\":\"" |
			grep -c '"action":"inject"')
		[ "$k" = 1 ] || fail $n "$n: $k of events 2-11 name page $g (an inject through GHES source 1), expected 1"
	done
	grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | grep -q '"delivery":"dropped"' &&
		fail $n "$n: a record was dropped"
	want=$(for i in 1 2 3 4 5 6 7 8 9 10; do holder $n "b$i" pfn; done | sort | tr '\n' ' ')
	got=$(grep -v '^klog: ' "$LOGS/$n.txt" |
		sed -n 's/.*Memory failure: \(0x[0-9a-f]*\): recovery action.*/\1/p' |
		grep -vx -e "$e_pfn" -e "$q_pfn" | sort | tr '\n' ' ')
	[ "$got" = "$want" ] || fail $n "$n: pages recovered '$got', poisoned '$want' (sorted)"
	queued=$(grep -c '"delivery":"queued"' "$LOGS/$n.events")
	echo "$n: of the ten back-to-back records, $queued waited in the queue for an acknowledge" >>"$REPORT"
	expect $n "^vmras-test: alive corrupted_kb=48$" "the guest does not count 48 kB HardwareCorrupted"
	guest_lived_on $n
	report_lines $n "GHES|HEST|APEI"
}

never_acknowledged() {
	n=ghes-disabled
	VM_APPEND="vmras.holders=20 ghes.disable=1 ${VMRAS_TEST_APPEND:-}"
	vm_start $n linux-guest-ghes.sh "$v" --ras ghes --cpus 1 --memory 512M
	if ! holders_ready 20; then
		vm_kill
		fail $n "$n: the guest did not get its page holders ready"
		return
	fi
	# shellcheck disable=SC2046
	if ! poison_all $n $(gpas $n 20) || ! vm_wait_events 20 90; then
		vm_kill
		fail $n "$n: $(vm_events) events after poisoning 20 pages, expected 20"
		show_events $n
		return
	fi
	vm_send go
	vm_finish 120
	rc=$?
	[ "$rc" = 0 ] || fail $n "$n: vmras exited $rc, expected 0: it must keep running"
	expect $n "^klog: .*HEST: Table parsing has been initialized" "the guest did not parse the HEST"
	expect $n "^klog: .*GHES: GHES is not enabled" "the guest's GHES driver did not stay off"
	event_expect $n 1 "first page" '"action":"inject"' '"ghes":{"source":1,"delivery":"notified","waiting":0}'
	event_expect $n 2 "second page" '"action":"inject"' '"ghes":{"source":1,"delivery":"queued","waiting":1}'
	# Nothing is dropped: the pages wait in the source's backlog, which
	# only the guest's RAM bounds.
	event_expect $n 17 "17th page" '"action":"inject"' '"ghes":{"source":1,"delivery":"queued","waiting":16}'
	event_expect $n 20 "20th page" '"action":"inject"' '"ghes":{"source":1,"delivery":"queued","waiting":19}'
	[ "$(grep -c '"delivery":"dropped"' "$LOGS/$n.events")" = 0 ] ||
		fail $n "$n: $(grep -c '"delivery":"dropped"' "$LOGS/$n.events") pages dropped, expected none"
	grep -q "Hardware error from APEI" "$LOGS/$n.txt" &&
		fail $n "$n: a guest with GHES disabled decoded a record"
	expect $n "^vmras-test: alive corrupted_kb=0$" "the guest isolated pages it was never told of"
	guest_lived_on $n
}

consumed() {
	n=ghes-ar
	VM_APPEND=${VMRAS_TEST_APPEND:-}
	vm_start $n linux-guest-ar.sh "$v" --ras ghes --cpus 2 --memory 512M --early-kill off
	if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for 'pageholder: bystander pid=' 10; then
		vm_kill
		fail $n "$n: the guest did not get its page holders ready"
		return
	fi
	gpa=$(holder $n victim gpa) pfn=$(holder $n victim pfn) va=$(holder $n victim va)
	poison $n "$gpa" || { vm_kill; return; }
	vm_send go
	vm_wait_events 1 60 || fail $n "$n: no event after the victim read its page"
	vm_finish 120
	rc=$?
	[ "$rc" = 0 ] || fail $n "$n: vmras exited $rc, expected 0 (guest powered off)"
	event_expect $n 1 "victim's read" '"recipient":"guest","action":"inject"' \
		'"flags":{"action-required":true,"recursive":false}' "\"guest-physical-address\":$((gpa))," \
		'"ghes":{"source":0,"delivery":"notified","waiting":0}'
	no_machine_check $n
	record_decoded $n 0 "$gpa" "3, multi-bit ECC"
	expect $n "Memory failure: $pfn: recovery action for dirty LRU page: Recovered" \
		"the guest did not recover pfn $pfn"
	expect $n "pageholder: victim SIGBUS code=4 \(BUS_MCEERR_AR\) addr=$va lsb=12" \
		"the victim did not get BUS_MCEERR_AR for its page"
	expect $n "^vmras-test: victim status 135" "the victim did not die of SIGBUS"
	expect $n "pageholder: bystander read ok" "the bystander could not read its page afterwards"
	grep -q "Machine Check Exception" "$LOGS/$n.txt" && fail $n "$n: the guest took a machine check"
	expect $n "^vmras-test: alive corrupted_kb=4$" "the guest does not count 4 kB HardwareCorrupted"
	guest_lived_on $n
}

decoded
consumed
never_acknowledged
linux_finish
