#!/bin/sh
# Issue 12, part 3, inside the lab (tests/lab/test-linux-burst.sh): a guest
# process holds 516 pages; 500 of them are poisoned back to back (one
# vmras-poison, every frame found first) while the guest runs. The kernel
# keeps one pending SIGBUS per thread, so reports merge and vmras hears of
# fewer than 500; its scans of guest RAM (after each drain of reports, then
# again after a quiet time) find the rest. Then:
#   - query-memory-failures lists 500 pages, MEMORY_FAILURE events name 500
#     distinct pages (one each), and query-ras-stats says nothing was dropped;
#   - the guest isolated every page (HardwareCorrupted 2000 kB, 500 "Memory
#     failure: ... recovery action" lines, no FIFO overflow), did not panic,
#     and ran a process afterwards.
# Reported: SIGBUS taken vs pages, pages the scans found, time from the
# first poison to the last event, the guest's lines.
#   linux-burst.sh GUEST-CPIO
# Knobs: VMRAS_TEST_BURST (pages, default 500), VMRAS_TEST_MEMORY (default
# 256M), VMRAS_TEST_RAS (--ras, default both).
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"
v=$(host_vendor)

# Distinct guest pages named by MEMORY_FAILURE events.
event_pages() { # NAME
	grep '"event":"MEMORY_FAILURE"' "$LOGS/$1.events" 2>/dev/null |
		sed -n 's/.*"guest-physical-address":\([0-9]*\).*/\1/p' | sort -u | wc -l
}

# A member of query-ras-stats' reply (one line of JSON).
stat() { # NAME MEMBER
	sed -n "s/.*\"$2\":\([0-9]*\).*/\1/p" "$LOGS/$1.stats"
}

burst() {
	ras=${VMRAS_TEST_RAS:-both}
	n=burst-$ras
	want=${VMRAS_TEST_BURST:-500}
	qmp="$LOGS/$n.qmp"
	# A log buffer for every page's lines (the guest's own count is checked).
	VM_APPEND="log_buf_len=16M vmras.pages=516 vmras.burst=$want vmras.wait=90 ${VMRAS_TEST_APPEND:-}"
	vm_start "$n" linux-guest-burst.sh "$v" --cpus 2 --memory "${VMRAS_TEST_MEMORY:-256M}" --ras "$ras" \
		--qmp "unix:$qmp"
	if ! vm_wait_for '^vmras-test: waiting for go' 120 || ! vm_wait_for '^pageholder: hold gpas' 30; then
		vm_kill
		fail "$n" "$n: the guest did not get its page holder ready"
		return
	fi
	poison_held_pages "$n" "$want" || return
	poisoned=$(grep -c '^vmras-poison: poisoned' "$LOGS/$n.poison")
	say "  $n: $poisoned pages poisoned in $(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }') s"
	# Every page named by an event (60 s at most), then the time of the last.
	k=300
	while [ "$(event_pages "$n")" -lt "$want" ] && [ $k -gt 0 ] && vm_alive; do
		sleep 0.2
		k=$((k - 1))
	done
	named=$(event_pages "$n")
	last=$(grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | tail -n 1 |
		sed -n 's/.*"timestamp":{"seconds":\([0-9]*\),"microseconds":\([0-9]*\)}.*/\1 \2/p' |
		awk '{ printf "%.6f", $1 + $2 / 1e6 }')
	[ "$named" = "$want" ] || fail "$n" "$n: events name $named distinct pages of the $want poisoned"
	# One action-optional event a page; an action-required one is a report
	# of its own (a vCPU touched the page before the guest isolated it).
	ao=$(grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | grep -c '"action-required":false')
	ar=$(grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | grep -c '"action-required":true')
	[ "$ao" = "$named" ] || {
		fail "$n" "$n: $ao action-optional events for $named pages (one each expected)"
		grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | sed -n 's/.*"guest-physical-address":\([0-9]*\).*/\1/p' |
			sort | uniq -d | head -n 3 | while read -r g; do
				grep "\"guest-physical-address\":$g," "$LOGS/$n.events"
			done
	}
	# The last GHES blocks go out paced: until the stats say all were told
	# (60 s at most), and how long that took.
	k=300
	while :; do
		vmras-ctl --socket "$qmp" query-ras-stats >"$LOGS/$n.stats" 2>&1 ||
			fail "$n" "$n: query-ras-stats failed: $(cat "$LOGS/$n.stats")"
		[ "$ras" = mce ] || [ "$(stat "$n" told-ghes)" -lt "$want" ] || break
		[ $k -gt 0 ] && vm_alive || break
		sleep 0.2
		k=$((k - 1))
	done
	t2=$(date +%s.%N)
	vmras-ctl --socket "$qmp" query-memory-failures >"$LOGS/$n.query" 2>&1 ||
		fail "$n" "$n: query-memory-failures failed: $(cat "$LOGS/$n.query")"
	entries=$(grep -o '"recipient":"guest"' "$LOGS/$n.query" | wc -l)
	[ "$entries" = "$want" ] || fail "$n" "$n: query-memory-failures lists $entries guest pages, expected $want"
	missing=0
	for g in $(cat "$LOGS/$n.gpas"); do
		grep -q "\"guest-physical-address\":$((g))," "$LOGS/$n.query" || missing=$((missing + 1))
	done
	[ "$missing" = 0 ] || fail "$n" "$n: $missing poisoned pages are not in query-memory-failures"
	[ "$(stat "$n" pages)" = "$want" ] || fail "$n" "$n: query-ras-stats pages $(stat "$n" pages), expected $want"
	[ "$(stat "$n" dropped)" = 0 ] || fail "$n" "$n: query-ras-stats says $(stat "$n" dropped) pages dropped"
	if [ "$ras" != mce ]; then
		[ "$(stat "$n" told-ghes)" -ge "$want" ] ||
			fail "$n" "$n: $(stat "$n" told-ghes) pages told through GHES, expected $want"
	fi
	vm_send go
	vm_finish 150
	rc=$?
	[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (the guest powers off)"
	expect "$n" "^vmras-test: alive corrupted_kb=$((want * 4)) " "the guest did not isolate all $want pages"
	expect "$n" "^vmras-test: memory failure lines $want$" "the guest did not recover $want pages"
	expect "$n" "^vmras-test: overflow lines 0$" "the guest's memory-failure FIFO overflowed"
	expect "$n" "^vmras-test: a process ran after the burst" "the guest could not run a process after the burst"
	expect "$n" "^vmras-guest: exit 0" "the guest script did not finish"
	if grep -Eq "Kernel panic|Fatal (local )?machine check|Oops" "$LOGS/$n.txt"; then
		fail "$n" "$n: the guest kernel panicked or oopsed"
		grep -v '^klog: ' "$LOGS/$n.txt" | grep -E -B 30 -m 1 "Kernel panic|Fatal (local )?machine check|Oops" |
			grep -v 'Hardware Error' | sed "s/^/$n panic: /" >>"$REPORT"
	fi
	resets=$(grep -c '^vmras: guest reset (' "$LOGS/$n.txt")
	[ "$resets" = 0 ] || fail "$n" "$n: the guest reset $resets times"
	span=$(echo "$last $t0" | awk '{ printf "%.2f", $1 - $2 }')
	told=$(echo "$t2 $t0" | awk '{ printf "%.2f", $1 - $2 }')
	echo "$n: $poisoned poisoned; SIGBUS taken $(stat "$n" reports), found by scans $(stat "$n" scan-found);" \
		"$named pages named by $(vm_events) events ($ao action optional, $ar action required);" \
		"registry $entries; first poison to last event ${span} s, to all told (seen by a client) ${told} s" >>"$REPORT"
	echo "$n: query-ras-stats $(cat "$LOGS/$n.stats")" >>"$REPORT"
	report_lines "$n" "^vmras: scan|^vmras: .*(lost|dropped|panic)|^vmras-test: (vendor|alive|memory failure|overflow|a process)"
	grep -m 3 'Memory failure: 0x[0-9a-f]*: recovery action' "$LOGS/$n.txt" | sed "s/^/$n console: /" >>"$REPORT"
	# The numbers, for run-all's summary of a passing test too.
	grep -E "^$n: |^$n console: (vmras: scan|vmras-test: (alive|memory failure|overflow))" "$REPORT" |
		sed 's/^/report: /'
}

burst
linux_finish
