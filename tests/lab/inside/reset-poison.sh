#!/bin/sh
# Issue 3, scenario 6: a guest reset replaces poisoned pages, so the rebooted
# guest can use all its memory. One lab run (tests/lab/test-reset-poison.sh):
#   mcetest  scattered pages and a contiguous run, each reported (action
#            optional: dirty pages), then a reset (CR4.MCE clear + a touched
#            poisoned page): vmras logs how many pages it replaced in how many
#            hole punches, reloads its tables and the command line into
#            replaced pages, and the guest clears its .bss over replaced pages
#            and reads the touched page, with no new event
#   linux    pages of the initrd vmras loaded into a Linux guest (scattered
#            and a run; the guest keeps them, retain_initrd, so it never
#            touches them again) are poisoned, the guest reboots; vmras
#            reloads the initrd into the replaced pages, the new boot reads it,
#            and then writes and reads back nearly all its free memory (a tmpfs
#            file), with no new event
# $MCETEST_CPU_STACKS: the guest-physical address of mcetest's cpu_stacks (64
# stacks of 8 KiB in .bss; with one CPU only the first is used), from its ELF.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"
need_hwpoison

REPORT=

# AMD's action-optional record is only logged in the bank: the guest goes on
# undisturbed by the reports (an Intel one would get #MCs, and with CR4.MCE
# clear, an early reset).
VOPT=
has_cpu_vendor && VOPT="--cpu-vendor amd"


# Every event N1..N2 is an action-optional report, injected.
check_ao_events() { # NAME FIRST LAST
	_i=$2 _bad=
	while [ "$_i" -le "$3" ]; do
		_e="$(ev "$1" "$_i" recipient) $(ev "$1" "$_i" action) $(ev "$1" "$_i" action-required)"
		[ "$_e" = "guest inject false" ] || _bad="$_bad #$_i: $_e;"
		_i=$((_i + 1))
	done
	is "$1" "events $2-$3 are {guest, inject, action-required: false}" "${_bad:-yes}" yes
}

hex() { printf '0x%x' "$1"; }

# ------------------------------------------------------------------ mcetest
n=mcetest
if [ -z "${MCETEST_CPU_STACKS:-}" ]; then
	fail "" "mcetest: \$MCETEST_CPU_STACKS is not set"
else
	page=4096
	stacks=$((MCETEST_CPU_STACKS))
	# Page-aligned, inside the stacks of CPUs 40 and 48-49: never used with one CPU.
	s40=$(hex $(((stacks + 40 * 8192 + page - 1) / page * page)))
	r48=$(((stacks + 48 * 8192 + page - 1) / page * page))
	run="$(hex $r48) $(hex $((r48 + page))) $(hex $((r48 + 2 * page))) $(hex $((r48 + 3 * page)))"
	# The command line and the ACPI tables: written by vmras at every boot.
	scattered="0x20000 0xe0000 $s40"
	touch=0x800000
	append="mcetest.cr4mce=0 mcetest.touch=$touch"
	mt_start $n "$append" $VOPT
	if vm_wait_line $n 'mcetest: ready'; then
		# shellcheck disable=SC2086
		vm_poison $n $scattered $run
		if wait_events $n 7; then
			pass "$n: 7 pages poisoned (0x20000 0xe0000 $s40, and 4 from $(hex $r48)), 7 reports"
		else
			fail $n "$n: $(ev_count $n) events for 7 poisoned dirty pages (early kill)"
		fi
		check_ao_events $n 1 7
		# The guest touches a poisoned page with CR4.MCE clear: reset.
		vm_poison $n $touch
		vm_send x
		if vm_wait_line $n 'mcetest: ready' 2; then
			vm_send x
			vm_wait_exit $n
		else
			fail $n "$n: the guest did not start again after the reset"
			vm_stop $n
		fi
		is_exit $n 0
		no_events_after $n 8 "7 reports, the reset, none after it"
		is $n "event 8 {action, action-required, guest-physical-address}" \
			"$(ev $n 8 action) $(ev $n 8 action-required) $(ev $n 8 guest-physical-address)" "reset true $((touch))"
		has $n 'vmras: guest reset \(CPU 0: MCE capability is not enabled, raising triple fault\)' "the VM reset"
		has $n 'vmras: guest reset: replaced 8 poisoned pages in 5 hole punches' \
			"vmras replaced 8 pages in 5 runs (3 scattered, 4 contiguous, the touched one)"
		is $n "the command line the guest read after the reset (a replaced page vmras rewrote)" \
			"$(grep -c "mcetest: cmdline $append" "$LOGS/$n.txt")" 2
		is $n "touches of $touch after the reset that read it" "$(lines $n "mcetest: touched $touch value=0x0")" 1
		has $n 'mcetest: done' "the guest finished after the reset"
		REPORT="$REPORT
$n: $(grep -m1 'vmras: guest reset: replaced' "$LOGS/$n.txt")"
	else
		fail $n "$n: the guest never got to 'ready'"
		vm_stop $n
	fi
fi

# ------------------------------------------------------------------ linux
# Boot 1 prints where vmras put the initrd, waits for a line, and reboots. Boot
# 2 finds the mark in the EBDA (kept over the reset, as in boot.sh) and writes
# and reads back a tmpfs file as large as its free memory allows. The initrd's
# pages are dirty (vmras wrote them), so the host kernel reports them at once,
# and retain_initrd keeps them out of the guest's allocator: a freed one could
# be handed out, and cleared by the guest kernel, before the reboot (a fatal
# #MC in kernel context).
script='
fill() {
	avail=$(sed -n "s/^MemAvailable: *\([0-9]*\) kB/\1/p" /proc/meminfo)
	mb=$((avail / 1024 - 12))
	mount -o remount,size=$((mb + 1))m /dev/shm
	dd if=/dev/zero of=/dev/shm/fill bs=1M count=$mb 2>/dev/null || { echo "vmras-test: writing $mb MiB failed"; exit 1; }
}
mark=0x9fc00 magic=0x766d7261
if [ $(($(devmem $mark 32))) -eq $((magic)) ]; then
	devmem $mark 32 0
	echo "vmras-test: second boot"
	fill
	dd if=/dev/shm/fill of=/dev/null bs=1M 2>/dev/null || { echo "vmras-test: reading back failed"; exit 1; }
	echo "vmras-test: wrote and read back $mb MiB, free $(sed -n "s/^MemFree: *//p" /proc/meminfo)"
	exit 0
fi
devmem $mark 32 $magic
echo "vmras-test: first boot"
dmesg | sed -n "s/.*RAMDISK: \[mem \(0x[0-9a-f]*\)-\(0x[0-9a-f]*\)\].*/vmras-test: initrd \1 \2/p"
dmesg | grep -q "Freeing initrd memory" && echo "vmras-test: the initrd was freed"
echo "vmras-test: waiting"
read -r line
echo "vmras-test: rebooting"
reboot -f
'
n=linux
b64=$(printf '%s\n' "$script" | base64 | tr -d '\n')
vm_start $n --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --memory 128M $VOPT \
	--append "console=ttyS0 quiet retain_initrd vmras.run=$b64"
if vm_wait_line $n 'vmras-test: waiting' 1 "$GUEST_TIMEOUT"; then
	start=$(sed -n 's/.*vmras-test: initrd \(0x[0-9a-f]*\) .*/\1/p' "$LOGS/$n.txt")
	end=$(sed -n 's/.*vmras-test: initrd 0x[0-9a-f]* \(0x[0-9a-f]*\).*/\1/p' "$LOGS/$n.txt")
	if [ -z "$start" ] || [ -z "$end" ] || [ $((end - start)) -lt $((0xc0000)) ]; then
		fail $n "$n: the guest did not say where its initrd is (or it is under 768 KiB: '$start'-'$end')"
		vm_stop $n
	else
		hasnt $n 'vmras-test: the initrd was freed' "the guest kept its initrd (retain_initrd)"
		page=4096
		base=$(((start + page - 1) / page * page))
		# 3 scattered pages and a run of 8
		pages="$(hex $((base + 0x10000))) $(hex $((base + 0x40000))) $(hex $((base + 0x70000)))"
		i=0
		while [ $i -lt 8 ]; do
			pages="$pages $(hex $((base + 0xa0000 + i * page)))"
			i=$((i + 1))
		done
		# shellcheck disable=SC2086
		vm_poison $n $pages
		if wait_events $n 11; then
			pass "$n: 11 pages of the initrd ($start-$end) poisoned, 11 reports"
		else
			fail $n "$n: $(ev_count $n) events for 11 poisoned pages of the initrd (dirty: vmras wrote them)"
		fi
		check_ao_events $n 1 11
		vm_send "reboot
"
		vm_wait_exit $n "$GUEST_TIMEOUT"
		is_exit $n 0
		has $n 'vmras-test: rebooting' "the first boot rebooted"
		has $n 'vmras: guest reset: replaced 11 poisoned pages in 4 hole punches' \
			"vmras replaced 11 pages in 4 runs (3 scattered, 8 contiguous)"
		has $n 'vmras-test: second boot' "the guest booted again (the initrd loaded into replaced pages)"
		has $n 'vmras-test: wrote and read back [0-9]+ MiB' "the second boot used its memory"
		has $n 'vmras-guest: exit 0' "the second boot's script succeeded"
		no_events_after $n 11 "none after the reset"
		REPORT="$REPORT
$n: $(grep -m1 'vmras: guest reset: replaced' "$LOGS/$n.txt")
$n: $(grep -m1 'vmras-test: wrote and read back' "$LOGS/$n.txt")"
	fi
else
	fail $n "$n: the first boot did not get to its script"
	vm_stop $n
fi

echo "---- observed (for the record) ----$REPORT"
finish
