#!/bin/sh
# Issue 14 inside the lab (tests/lab/test-linux-reset-burst.sh): a reset must
# find every poisoned page of guest RAM, not only those vmras heard of, and
# replace them before it reloads the kernel, initrd and tables; vmras must
# never hang, whatever the guest did in between.
#   unreported  --early-kill off: pages of the initrd vmras loaded (the guest
#               keeps it, retain_initrd, and never touches it again) are
#               poisoned, and no report reaches vmras. The guest reboots; the
#               reload writes the initrd over those pages. Before the fix the
#               main thread took an action-required SIGBUS in that copy, parked
#               in the handler, and the RAS thread waited for a VM the main
#               thread would never build: vmras hung. Now the reset's scan finds
#               them (an event each, action reset), replaces them, and the
#               second boot uses all its memory.
#   burst       the issue's scenario: a guest process holds 516 pages and reads
#               them all the time; 500 of them are poisoned back to back (one
#               vmras-poison, every frame found first). Reports are lost (a
#               pending SIGBUS is not queued twice), the guest may lose the
#               process or panic (panic=1 reboots it, --on-panic run); then it
#               reboots. Every one of the 500 pages is replaced by the time the
#               second boot runs, that boot uses all its memory, and vmras
#               exits 0 on its power-off.
#   linux-reset-burst.sh GUEST-CPIO
# Knobs: VMRAS_TEST_MEMORY (burst guest RAM, default 256M), VMRAS_TEST_BURST
# (pages poisoned, default 500), VMRAS_TEST_SCENARIOS (default "unreported burst").
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/linux-lib.sh"
linux_setup "$1"
v=$(host_vendor)
base_append=$VM_APPEND

hex() { printf '0x%x' "$1"; }

# Distinct guest pages named by MEMORY_FAILURE events.
event_pages() { # NAME
	grep '"event":"MEMORY_FAILURE"' "$LOGS/$1.events" 2>/dev/null |
		sed -n 's/.*"guest-physical-address":\([0-9]*\).*/\1/p' | sort -u | wc -l
}

# Pages replaced over all resets.
replaced_pages() { # NAME
	sed -n 's/^vmras: guest reset: replaced \([0-9]*\) poisoned page.*/\1/p' "$LOGS/$1.txt" |
		awk '{ s += $1 } END { print s + 0 }'
}

# The second boot's end: memory used, nothing learned of poison, power-off.
second_boot_fine() { # NAME
	expect "$1" "^vmras-test: second boot" "the guest did not boot again after the reset"
	expect "$1" "^vmras-test: wrote and read back [0-9]+ MiB" "the second boot could not use its memory"
	expect "$1" "^vmras-test: alive corrupted_kb=0$" "the second boot met poison (HardwareCorrupted is not 0)"
	expect "$1" "^vmras-guest: exit 0" "the second boot's script did not finish"
}

unreported() {
	n=unreported
	VM_APPEND="retain_initrd vmras.pages=0 $base_append"
	vm_start "$n" linux-guest-reset-burst.sh "$v" --cpus 1 --memory 128M --early-kill off
	if ! vm_wait_for '^vmras-test: waiting for go' 240; then
		vm_kill
		fail "$n" "$n: the guest did not get to its script"
		return
	fi
	start=$(console_text "$n" | sed -n 's/^vmras-test: initrd \(0x[0-9a-f]*\) .*/\1/p')
	if [ -z "$start" ]; then
		vm_kill
		fail "$n" "$n: the guest did not say where its initrd is"
		return
	fi
	page=$((($start + 4095) / 4096 * 4096))
	p1=$(hex $((page + 0x10000))) p2=$(hex $((page + 0x11000))) p3=$(hex $((page + 0x40000)))
	poison "$n" "$p1" && poison "$n" "$p2" && poison "$n" "$p3" || { vm_kill; return; }
	sleep 2
	[ "$(vm_events)" = 0 ] || fail "$n" "$n: $(vm_events) events with early kill off before the reset, expected 0"
	vm_send go
	vm_finish 240 1 1
	rc=$?
	[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (before the fix: it hung in the reload)"
	expect "$n" "vmras: guest reset: found 3 poisoned pages no report had named" \
		"the reset did not find the 3 pages no report named"
	expect "$n" "vmras: guest reset: replaced 3 poisoned pages in 2 hole punches" \
		"the reset did not replace the 3 pages (2 runs)"
	for g in $p1 $p2 $p3; do
		grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | grep -q "\"guest-physical-address\":$((g))," ||
			fail "$n" "$n: no event for $g"
	done
	i=1
	while [ $i -le 3 ]; do
		event_expect "$n" $i "page found at the reset" '"recipient":"guest","action":"reset"' \
			'"flags":{"action-required":false,"recursive":false}' \
			"found poisoned at the guest's reset, though no report had named it"
		i=$((i + 1))
	done
	[ "$(vm_events)" = 3 ] || { fail "$n" "$n: $(vm_events) events, expected 3"; show_events "$n"; }
	second_boot_fine "$n"
	report_lines "$n" "^vmras: |^vmras-test: (first|second|wrote|alive)"
}

burst() {
	n=burst
	want=${VMRAS_TEST_BURST:-500}
	VM_APPEND="panic=1 retain_initrd vmras.pages=516 $base_append"
	vm_start "$n" linux-guest-reset-burst.sh "$v" --cpus 1 --memory "${VMRAS_TEST_MEMORY:-256M}" --on-panic run
	if ! vm_wait_for '^vmras-test: waiting for go' 240 || ! vm_wait_for '^pageholder: hold gpas' 30; then
		vm_kill
		fail "$n" "$n: the guest did not get its page holder ready"
		return
	fi
	sleep 2   # every gpas line printed
	console_text "$n" | sed -n 's/^pageholder: hold gpas //p' | tr ' ' '\n' | grep . | head -n "$want" >"$LOGS/$n.gpas"
	got=$(wc -l <"$LOGS/$n.gpas")
	if [ "$got" != "$want" ]; then
		vm_kill
		fail "$n" "$n: the holder listed $got pages, expected at least $want"
		return
	fi
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	vmras-poison "$VM_PID" $(cat "$LOGS/$n.gpas") >"$LOGS/$n.poison" 2>&1 ||
		fail "$n" "$n: vmras-poison failed: $(tail -n 1 "$LOGS/$n.poison")"
	t1=$(date +%s.%N)
	say "  $n: $(grep -c '^vmras-poison: poisoned' "$LOGS/$n.poison") pages poisoned in $(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }') s"
	sleep 3
	heard=$(event_pages "$n")
	vm_send go
	vm_finish 400 1 8
	rc=$?
	[ "$rc" = 0 ] || fail "$n" "$n: vmras exited $rc, expected 0 (no hang: it exits on the second boot's power-off)"
	resets=$(grep -c '^vmras: guest reset (' "$LOGS/$n.txt")
	[ "$resets" -ge 1 ] || fail "$n" "$n: the guest never reset"
	replaced=$(replaced_pages "$n")
	[ "$replaced" = "$want" ] || fail "$n" "$n: $replaced pages replaced over $resets resets, expected $want"
	found=$(sed -n 's/^vmras: guest reset: found \([0-9]*\) poisoned page.*/\1/p' "$LOGS/$n.txt" | awk '{ s += $1 } END { print s + 0 }')
	named=$(event_pages "$n")
	[ "$named" = "$want" ] || fail "$n" "$n: events name $named distinct pages, expected $want"
	second_boot_fine "$n"
	outcome="guest lived until the reboot"
	grep -q 'Kernel panic' "$LOGS/$n.txt" && outcome="guest panicked"
	grep -q 'pageholder: hold SIGBUS' "$LOGS/$n.txt" && outcome="$outcome, holder killed by SIGBUS"
	echo "$n: $outcome; $heard pages reported before the reboot, $found found by the resets' scans," \
		"$named named by events in all; $replaced replaced over $resets resets; vmras exit $rc" >>"$REPORT"
	report_lines "$n" "^vmras: guest reset|^vmras: .*(hung|exit)|^vmras-test: (second|wrote|alive)|Kernel panic|Fatal (local )?machine check"
}

for s in ${VMRAS_TEST_SCENARIOS:-unreported burst}; do
	$s
done
linux_finish
