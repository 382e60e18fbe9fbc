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
# On arm64 (tests/lab/test-arm64-reset-poison.sh; issue 11) the guest boots
# through UEFI, so the firmware runs again in guest RAM at every reset:
#   unreported  2 vCPUs, 256 MiB, --early-kill off: the pages poisoned are
#               those of ACPI tables the firmware wrote (APIC, GTDT, SPCR: read
#               by the kernel at boot; edk2 packs them, so 2 pages that also
#               hold FACP, DSDT and HEST, which the kernel touches again only
#               on an ACPI event, and none comes), and the firmware writes them
#               again at the reset. The scan must replace them before the firmware runs
#               (else edk2 would take the error, and it has no way to survive
#               it); the second boot finds its tables at the same addresses,
#               in the replaced pages, and reads them.
#   burst       as on x86, but the reset is QMP system_reset.
#   After each reset, before the second boot goes on, query-memory-failures
#   must list every poisoned page as replaced; the second boot must see its 2
#   (1) CPUs and as much memory as the first, and write and read back nearly
#   all of it.
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

# arm64: the guest asks at every boot which one it is (see
# linux-guest-reset-burst.sh); the first question is answered "first", every
# later one "second".
ARM=0
[ "$(uname -m)" = aarch64 ] && ARM=1
questions() { console_text "$VM" | grep -c '^vmras-test: waiting for go (which boot)'; }
answer_boots() {
	_q=$(questions)
	while [ "$ANSWERED" -lt "$_q" ]; do
		ANSWERED=$((ANSWERED + 1))
		if [ "$ANSWERED" = 1 ]; then vm_send first; else vm_send second; fi
	done
}
# Waits until the guest has asked N times (S seconds at most).
wait_question() { # N S
	_k=$(($2 * 2))
	while [ "$(questions)" -lt "$1" ]; do
		[ $_k -gt 0 ] && vm_alive || return 1
		sleep 0.5
		_k=$((_k - 1))
	done
}
# Answers whatever the guest asks until its script has finished (S seconds at most).
answer_until_exit() { # S
	_k=$(($1 * 2))
	while [ $_k -gt 0 ] && vm_alive; do
		answer_boots
		console_text "$VM" | grep -q '^vmras-guest: exit' && return 0
		sleep 0.5
		_k=$((_k - 1))
	done
}

# The first boot, up to its "go" (arm64: after the answer "first").
first_boot_ready() {
	ANSWERED=0
	if [ $ARM = 1 ]; then
		wait_question 1 300 || return 1
		answer_boots
	fi
	vm_wait_for '^vmras-test: waiting for go \(poison' 120
}

# arm64: at the second boot's question, RAM has been replaced and the firmware
# has run again: query-memory-failures must list each page of GPA-FILE (one
# address a line) as replaced. Then the answer "second".
second_boot_query() { # NAME GPA-FILE
	if ! wait_question 2 300; then
		fail "$1" "$1: the guest did not boot again after the reset"
		return 1
	fi
	vmras-ctl --socket "$LOGS/$1.qmp" query-memory-failures >"$LOGS/$1.query" 2>&1 ||
		fail "$1" "$1: query-memory-failures failed: $(cat "$LOGS/$1.query")"
	# One entry a line (the reply is one line; each entry starts {"recipient").
	awk '{ gsub(/\{"recipient"/, "\n&"); print }' "$LOGS/$1.query" | grep '"guest-physical-address"' >"$LOGS/$1.entries"
	_missing=0
	while read -r _g; do
		grep "\"guest-physical-address\":$((_g))," "$LOGS/$1.entries" | grep -q '"replaced":true' ||
			_missing=$((_missing + 1))
	done <"$2"
	[ "$_missing" = 0 ] || fail "$1" "$1: query-memory-failures lists $_missing of the $(wc -l <"$2") poisoned pages not as replaced"
	echo "$1: query-memory-failures after the reset: $(wc -l <"$LOGS/$1.entries") entries," \
		"$(grep -c '"replaced":true' "$LOGS/$1.entries") replaced; the first: $(head -n1 "$LOGS/$1.entries")" >>"$REPORT"
	answer_boots
}

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
	if [ $ARM = 1 ]; then
		unreported_arm64
		return
	fi
	n=unreported
	VM_APPEND="retain_initrd vmras.pages=0 $base_append"
	vm_start "$n" linux-guest-reset-burst.sh "$v" --cpus 1 --memory 128M --early-kill off
	if ! first_boot_ready; then
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
	reset_events "$n" 3
	second_boot_fine "$n"
	report_lines "$n" "^vmras: |^vmras-test: (first|second|wrote|alive)"
}

# arm64: the second boot reached its /init and sees its CPUs, and as much
# memory as the first boot did (no page lost to the poison; lib.sh's 85%
# of RAM does not fit 256 MiB under UEFI, where MemTotal is ~84%).
second_boot_facts() { # NAME CPUS MEM_MIB
	_i=$(grep -c '^vmras-guest: init reached' "$LOGS/$1.txt")
	[ "$_i" -ge 2 ] || fail "$1" "$1: the guest reached its /init $_i times, expected 2 or more"
	for _k in NPROC CPUINFO; do
		[ "$(value "$1" $_k)" = "$2" ] || fail "$1" "$1: second boot: $_k is '$(value "$1" $_k)', expected $2"
	done
	_f=$(value "$1" FIRST_MEMTOTAL_KB) _s=$(value "$1" MEMTOTAL_KB) _ram=$(($3 * 1024))
	_d=$((${_f:-0} - ${_s:-0}))
	[ "$_d" -lt 0 ] && _d=$((-_d))
	if [ -z "$_f" ] || [ -z "$_s" ] || [ "$_s" -gt "$_ram" ] || [ "$_d" -gt $((_f / 200)) ]; then
		fail "$1" "$1: MemTotal ${_s:-?} kB at the second boot, ${_f:-?} kB at the first, of $_ram kB: expected the same (0.5%)"
	else
		echo "$1: MemTotal $_s kB at the second boot, $_f kB at the first, of $_ram kB ($((_s * 100 / _ram))%)" >>"$REPORT"
	fi
}

# Events 1..N: pages the reset's scan found, which no report had named.
reset_events() { # NAME N
	i=1
	while [ $i -le "$2" ]; do
		event_expect "$1" $i "page found at the reset" '"recipient":"guest","action":"reset"' \
			'"flags":{"action-required":false,"recursive":false}' \
			"found poisoned at the guest's reset, though no report had named it"
		i=$((i + 1))
	done
	[ "$(vm_events)" = "$2" ] || { fail "$1" "$1: $(vm_events) events, expected $2"; show_events "$1"; }
}

# arm64: pages of ACPI tables the firmware wrote, poisoned with early kill
# off (nobody is told), then the guest reboots: edk2 runs again and writes the
# tables into the same pages. The reset's scan must have replaced them first.
unreported_arm64() {
	n=unreported
	VM_APPEND="vmras.pages=0 $base_append"
	vm_start "$n" linux-guest-reset-burst.sh "$v" --cpus 2 --memory 256M --early-kill off --qmp "unix:$LOGS/$n.qmp"
	if ! first_boot_ready; then
		vm_kill
		fail "$n" "$n: the guest did not get to its script"
		return
	fi
	: >"$LOGS/$n.gpas"
	for t in APIC GTDT SPCR; do
		a=$(console_text "$n" | sed -n "s/^vmras-test: acpi $t \(0x[0-9A-F]*\)$/\1/p" | head -n1)
		if [ -z "$a" ]; then
			vm_kill
			fail "$n" "$n: the guest did not say where its $t table is"
			return
		fi
		eval "addr_$t=$a"
		hex $((a / 4096 * 4096)) >>"$LOGS/$n.gpas"
		echo >>"$LOGS/$n.gpas"
	done
	sort -u "$LOGS/$n.gpas" -o "$LOGS/$n.gpas"
	pages=$(wc -l <"$LOGS/$n.gpas")
	# Hole punches: one per run of contiguous pages (the addresses have as
	# many digits, so sort's order is theirs).
	runs=0 last=0
	for g in $(cat "$LOGS/$n.gpas"); do
		[ $((g)) = $((last + 4096)) ] || runs=$((runs + 1))
		last=$((g))
	done
	for g in $(cat "$LOGS/$n.gpas"); do
		poison "$n" "$g" || { vm_kill; return; }
	done
	sleep 2
	[ "$(vm_events)" = 0 ] || fail "$n" "$n: $(vm_events) events with early kill off before the reset, expected 0"
	vm_send go
	second_boot_query "$n" "$LOGS/$n.gpas"
	answer_until_exit 240
	vm_finish 240 1 1
	rc=$?
	pl=s; [ "$pages" = 1 ] && pl=
	es=es; [ "$runs" = 1 ] && es=
	expect "$n" "vmras: guest reset: found $pages poisoned page$pl no report had named" \
		"the reset did not find the $pages pages no report named"
	expect "$n" "vmras: guest reset: replaced $pages poisoned page$pl in $runs hole punch$es" \
		"the reset did not replace the $pages pages ($runs runs)"
	for g in $(cat "$LOGS/$n.gpas"); do
		grep '"event":"MEMORY_FAILURE"' "$LOGS/$n.events" | grep -q "\"guest-physical-address\":$((g))," ||
			fail "$n" "$n: no event for $g"
	done
	reset_events "$n" "$pages"
	# The firmware put each table where it was, in the replaced pages, and
	# the second boot read it from there.
	for t in APIC GTDT SPCR; do
		eval "a=\$addr_$t"
		again=$(sed -n "s/^vmras-test: acpi-again $t \(0x[0-9A-F]*\)$/\1/p" "$LOGS/$n.txt" | head -n1)
		[ "$again" = "$a" ] || fail "$n" "$n: the second boot's $t is at '$again', the first's at $a"
		expect "$n" "^vmras-test: read $t: $t [0-9]+ bytes" "the second boot could not read its $t table"
	done
	second_boot_facts "$n" 2 256
	second_boot_fine "$n"
	echo "$n: poisoned (early kill off) the pages of APIC $addr_APIC, GTDT $addr_GTDT, SPCR $addr_SPCR:" \
		"$(tr '\n' ' ' <"$LOGS/$n.gpas")" >>"$REPORT"
	report_lines "$n" "^vmras: |^vmras-test: (first|second|wrote|alive|acpi|read)"
}

burst() {
	n=burst
	want=${VMRAS_TEST_BURST:-500}
	VM_APPEND="panic=1 retain_initrd vmras.pages=516 $base_append"
	mem=${VMRAS_TEST_MEMORY:-256M}
	qmp=
	[ $ARM = 1 ] && qmp="--qmp unix:$LOGS/$n.qmp"
	# shellcheck disable=SC2086
	vm_start "$n" linux-guest-reset-burst.sh "$v" --cpus 1 --memory "$mem" --on-panic run $qmp
	if ! first_boot_ready || ! vm_wait_for '^pageholder: hold gpas' 30; then
		vm_kill
		fail "$n" "$n: the guest did not get its page holder ready"
		return
	fi
	poison_held_pages "$n" "$want" || return
	say "  $n: $(grep -c '^vmras-poison: poisoned' "$LOGS/$n.poison") pages poisoned in $(echo "$t1 $t0" | awk '{ printf "%.2f", $1 - $2 }') s"
	sleep 3
	heard=$(event_pages "$n")
	if [ $ARM = 1 ]; then
		# QMP's reset, unless the guest has rebooted already (a panic).
		if [ "$(questions)" -lt 2 ]; then
			r=$(vmras-ctl --socket "$LOGS/$n.qmp" system_reset 2>&1)
			[ "$r" = '{"return":{}}' ] || fail "$n" "$n: system_reset: $r"
			reset_by="QMP system_reset"
		else
			reset_by="the guest (it rebooted by itself)"
		fi
		second_boot_query "$n" "$LOGS/$n.gpas"
		answer_until_exit 300
	else
		vm_send go
	fi
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
	if [ $ARM = 1 ]; then
		second_boot_facts "$n" 1 "${mem%M}"
		echo "$n: reset by $reset_by" >>"$REPORT"
	fi
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
