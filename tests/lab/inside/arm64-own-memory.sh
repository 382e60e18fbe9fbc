#!/bin/sh
# Issue 11 (issue 3's scenario 5 on arm64): poisoned memory of vmras's own,
# not guest RAM, under the aarch64 vmras, in one arm64 lab run
# (tests/lab/test-arm64-own-memory.sh). x86's hypervisor-memory.sh boots
# mcetest, which is x86-only; here the guest is the Debian arm64 guest.
# VMRAS_TEST_OWN_PAGE=1 makes vmras allocate one page (the memfd
# "vmras:own-test-page") and read it on SIGUSR2; vmras-poison --own-test-page
# poisons it for real.
#   early-kill  the UEFI guest (the default: ACPI, GHES) is up; the host
#               kernel reports the (dirty) page at once: action optional,
#               {hypervisor, ignore}, nothing reaches the guest (no GHES
#               record), vmras and the guest go on; then SIGUSR2: action
#               required, {hypervisor, fatal}, a clear message, exit status 1,
#               the event in the log first
#   late-kill   --early-kill off: nothing until vmras reads the page, then fatal
#   device-read a guest page read by a vmras thread that is not a vCPU (a DT
#               guest with mem=128M of 256 MiB, so its kernel never touches
#               the page): {guest, fatal}, no SEA, exit status 1
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"

f=/sys/kernel/debug/hwpoison/corrupt-pfn
[ -w "$f" ] || modprobe hwpoison_inject 2>/dev/null
if [ ! -w "$f" ] || ! command -v vmras-poison >/dev/null; then
	echo "needs vmras-poison, root and $f (CONFIG_MEMORY_FAILURE, hwpoison_inject, debugfs)"
	exit 77
fi

REPORT=

# The guest says it is up, then echoes each console line.
script=$(printf '%s\n' 'echo "vmras-test: ready"' \
	'while read -r l; do echo "vmras-test: got $l"; done' | base64 | tr -d '\n')

# Starts vmras with the own test page; 1 when it did not log it.
start() { # NAME [vmras options...]
	_sn=$1
	shift
	VM_ENV=VMRAS_TEST_OWN_PAGE=1
	vm_start "$_sn" --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --cpus 1 --memory 256M \
		--append "console=ttyAMA0 quiet vmras.run=$script" "$@"
	VM_ENV=
	vm_wait_line "$_sn" 'vmras: test hook: own page at' 1 20
	OWN=$(sed -n 's/.*vmras: test hook: own page at \(0x[0-9a-f]*\) (memfd vmras:own-test-page).*/\1/p' \
		"$LOGS/$_sn.txt" | head -n1)
	if [ -z "$OWN" ]; then
		fail "$_sn" "$_sn: vmras did not log its own test page (VMRAS_TEST_OWN_PAGE=1)"
		vm_stop "$_sn"
		return 1
	fi
	pass "$_sn: vmras's own test page is at $OWN"
}

poison_own() { # NAME
	if vmras-poison --own-test-page "$VM" >>"$LOGS/$1.poison" 2>&1; then
		pass "$1: $(tail -n 1 "$LOGS/$1.poison")"
	else
		fail "$1" "$1: vmras-poison --own-test-page failed: $(tail -n 1 "$LOGS/$1.poison")"
		return 1
	fi
}

# Members an event of vmras's own memory must not have.
no_guest_members() { # NAME N
	is "$1" "event $2 has no guest members (guest-physical-address, ram-region, cpu-index, arm)" \
		"$(ev "$1" "$2" guest-physical-address)$(ev "$1" "$2" ram-region)$(ev "$1" "$2" cpu-index)$(ev "$1" "$2" arm)" ""
}

# SIGUSR2 makes vmras read the poisoned page: that is fatal. READS: the reads
# of the page that completed before (when it was healthy).
touch_fatal() { # NAME EVENT-N READS
	kill -USR2 "$VM"
	vm_wait_exit "$1" 20
	is_exit "$1" 1
	no_events_after "$1" "$2"
	check_event "$1" "$2" hypervisor fatal true false
	is "$1" "event $2 host-virtual-address" "$(ev "$1" "$2" host-virtual-address)" "$((OWN))"
	is "$1" "event $2 size, count" "$(ev "$1" "$2" size) $(ev "$1" "$2" count)" "4096 $2"
	no_guest_members "$1" "$2"
	is "$1" "event $2 reason" "$(ev "$1" "$2" reason)" \
		"vmras touched poisoned memory of its own (4 KiB at host address $OWN), not guest RAM: it cannot continue"
	has "$1" "vmras: error: fatal memory failure at host address $OWN: vmras touched poisoned memory" \
		"vmras says why it stops"
	is "$1" "reads of the own page that completed (the poisoned one never does)" \
		"$(lines "$1" 'vmras: test hook: read own page')" "$3"
	hasnt "$1" 'Hardware Error' "the guest was told nothing (no GHES record)"
	REPORT="$REPORT
$1: $(grep -m1 'vmras: error: fatal memory failure' "$LOGS/$1.txt")
$1: $(ev_line "$1" "$2")"
}

n=early-kill
if start $n; then
	if vm_wait_line $n 'vmras-test: ready' 1 240; then
		has $n 'UEFI firmware' "the guest booted through the firmware"
		# The hook itself, on a healthy page: vmras reads it and goes on.
		kill -USR2 "$VM"
		vm_wait_line $n 'vmras: test hook: read own page: 0x5a' 1 10
		has $n 'vmras: test hook: read own page: 0x5a' "SIGUSR2 reads the healthy page"
		poison_own $n
		wait_events $n 1 || fail $n "$n: no event within 10 s of poisoning vmras's own (dirty) page"
		no_events_after $n 1
		check_event $n 1 hypervisor ignore false false
		is $n "event 1 host-virtual-address" "$(ev $n 1 host-virtual-address)" "$((OWN))"
		is $n "event 1 size, count" "$(ev $n 1 size) $(ev $n 1 count)" "4096 1"
		no_guest_members $n 1
		is $n "event 1 reason" "$(ev $n 1 reason)" \
			"memory of vmras's own (4 KiB at host address $OWN) is poisoned, not guest RAM; vmras has not touched it and continues"
		REPORT="$REPORT
$n: $(ev_line "$n" 1)"
		# vmras and its guest go on
		vm_send "ping
"
		if vm_wait_line $n 'vmras-test: got ping' 1 20; then
			pass "$n: the guest still runs after the action-optional report"
		else
			fail $n "$n: the guest did not answer after the action-optional report"
		fi
		if kill -0 "$VM" 2>/dev/null; then
			pass "$n: vmras still running"
			touch_fatal $n 2 1
			hasnt $n 'vmras-guest: exit' "the guest was still running when vmras stopped"
		else
			fail $n "$n: vmras stopped after an action-optional report of its own memory"
			vm_wait_exit $n
		fi
	else
		fail $n "$n: the guest did not boot"
		vm_stop $n
	fi
fi

# Poisoned while the firmware runs; nothing until vmras reads the page.
n=late-kill
if start $n --early-kill off; then
	vm_wait_line $n 'UEFI firmware' 1 60 || fail $n "$n: the firmware did not start"
	poison_own $n
	sleep 2
	no_events_after $n 0 "early kill off: nothing until vmras reads the page"
	kill -0 "$VM" 2>/dev/null && pass "$n: vmras still running" || fail $n "$n: vmras stopped before reading the page"
	touch_fatal $n 1 0
fi

# Guest memory read by a vmras thread that is not a vCPU (VMRAS_TEST_READ_GPA,
# as a device model would): no vCPU took it, the thread cannot go on, so
# {guest, fatal} with the reason, exit status 1, and no SEA. The page is
# above the guest kernel's mem=128M (a DT boot, where mem= is simple), so
# nothing else touches it and nothing is reported until it is read.
n=device-read
PAGE=0x4c800000
VM_ENV="VMRAS_TEST_READ_GPA=$PAGE"
vm_start $n --firmware none --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --cpus 1 --memory 256M \
	--append "console=ttyAMA0 quiet mem=128M vmras.run=$script"
VM_ENV=
if vm_wait_line $n "vmras: test hook: SIGUSR2 reads guest address $PAGE" 1 20; then
	kill -USR2 "$VM"
	vm_wait_line $n "vmras: test hook: read guest address $PAGE: 0x00" 1 10
	has $n "vmras: test hook: read guest address $PAGE: 0x00" "SIGUSR2 reads the healthy guest page"
	vm_poison $n $PAGE
	sleep 2
	no_events_after $n 0 "a clean page: nothing until it is read"
	kill -USR2 "$VM"
	vm_wait_exit $n 20
	is_exit $n 1
	no_events_after $n 1
	check_event $n 1 guest fatal true false
	is $n "event 1 guest-physical-address, ram-region" \
		"$(ev $n 1 guest-physical-address) $(ev $n 1 ram-region)" "$((PAGE)) ram"
	is $n "event 1 cpu-index, arm (none)" "$(ev $n 1 cpu-index)$(ev $n 1 arm)" ""
	is $n "event 1 reason" "$(ev $n 1 reason)" \
		"a vmras thread that is not a vCPU read poisoned guest memory (4 KiB at $PAGE): it cannot continue"
	REPORT="$REPORT
$n: $(grep -m1 'vmras: error: fatal memory failure' "$LOGS/$n.txt")
$n: $(ev_line "$n" 1)"
else
	fail $n "$n: vmras did not set up its guest-read hook"
	vm_stop $n
fi

echo "---- observed (for the record) ----$REPORT"
finish
