#!/bin/sh
# Issue 3, scenario 4: the exact machine-check registers and the recursion
# cases, with the mcetest guest and real poison (vmras-poison), inside one lab
# run (tests/lab/test-mce-registers.sh). For each guest CPU vendor (AMD and
# Intel with --cpu-vendor, else the host's):
#   ar        action required: MCi_STATUS, MCG_STATUS, MCi_ADDR, MCi_MISC exact,
#             and the event's machine-check member equal to what the guest read
#   over      bank=leave, the page touched twice: the second record has OVER
#   over2     bank=leave, the touched page, then another (action optional)
#             while the first error is still in the bank: Intel raises it
#             with OVER; AMD's deferred record only sets OVER in the bank
#             (delivery "overflowed")
#   ao-mcip   mcip=leave, the touched page, then another (action optional):
#             {guest, ignore, recursive}, nothing reaches the guest
#   recursive mcip=leave, touched twice: {guest, reset, recursive}, the VM
#             resets, the page is replaced, the guest boots and reads it
#   nomce     CR4.MCE clear: {guest, reset} and the VM resets
#   ao        action optional (a dirty page): AMD logs a deferred error
#             (no #MC), Intel raises a #MC
#   disabled  MCG_CTL = 0 / MC9_CTL = 0: {guest, ignore} with the reason
#             (Intel: action optional; AMD: action required, since KVM checks
#             only uncorrected records and AMD's action-optional one is deferred)
#   synthetic vmras-poison --method signal / signal-ar: the same path, no poison
#   smp       2 vCPUs: AMD does not broadcast; Intel broadcasts bank 1 to the
#             other vCPU (and LMCE, where MCG_CAP has LMCE_P, does not)
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"
need_hwpoison

TOUCH=0x800000          # mcetest's default touch page: never written, so clean
DIRTY=0xe0000           # vmras's ACPI tables: written by vmras, unused by mcetest

vendors() {
	if [ -n "${MCE_VENDORS:-}" ]; then
		echo "$MCE_VENDORS"
		return
	fi
	if has_cpu_vendor; then
		echo "amd intel"
		return
	fi
	case $(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1) in
	GenuineIntel) echo intel ;;
	*) echo amd ;;
	esac
}

# Expected registers: a memory error in bank 9 (see src/x86/mce.h).
expect_regs() { # VENDOR
	if [ "$1" = amd ]; then
		AR_STATUS=0xbc00080000000000     # VAL UC EN MISCV ADDRV POISON
		AR_OVER=0xfc00080000000000       # ... OVER
		AO_STATUS=0x9c00180000000000     # VAL EN MISCV ADDRV DEFERRED POISON
		AO_OVER=                         # never raised over an uncorrected error
	else
		AR_STATUS=0xbd80000000000134     # VAL UC EN MISCV ADDRV S AR, MCACOD 0x134
		AR_OVER=0xfd80000000000134
		AO_STATUS=0xbd000000000000c0     # VAL UC EN MISCV ADDRV S, MCACOD 0xc0
		AO_OVER=0xfd000000000000c0
	fi
	AR_MCG=0x7                           # MCIP RIPV EIPV
	AO_MCG=0x5                           # MCIP RIPV
	MISC=0x8c                            # physical address mode, LSB 12
}

# Starts mcetest and poisons PAGE once it is ready.
start_poison() { # NAME APPEND PAGE [vmras options...]
	_pn=$1 _pa=$2 _pp=$3
	shift 3
	mt_start "$_pn" "$_pa" $VOPT "$@"
	if ! vm_wait_line "$_pn" 'mcetest: ready'; then
		fail "$_pn" "$_pn: the guest never got to 'ready'"
		vm_stop "$_pn"
		return 1
	fi
	vm_poison "$_pn" "$_pp"
}

# The same, then lets the guest go (to touch the page).
poison_and_go() { # NAME APPEND PAGE [vmras options...]
	start_poison "$@" || return
	vm_send x
}


# Members every guest event here has.
check_guest_event() { # NAME N GPA COUNT
	is "$1" "event $2 guest-physical-address" "$(ev "$1" "$2" guest-physical-address)" "$(($3))"
	is "$1" "event $2 size, ram-region, cpu-index, count" \
		"$(ev "$1" "$2" size) $(ev "$1" "$2" ram-region) $(ev "$1" "$2" cpu-index) $(ev "$1" "$2" count)" \
		"4096 ram-below-4g 0 $4"
}

case_ar() {
	n=$V-ar
	# A QMP client follows events the whole time: it must get the same
	# MEMORY_FAILURE as the event log.
	qmp=$LOGS/$n.qmp
	rm -f "$qmp"
	mt_start "$n" "mcetest.linger=100" $VOPT --qmp "unix:$qmp"
	if ! vm_wait_line "$n" 'mcetest: ready'; then
		fail "$n" "$n: the guest never got to 'ready'"
		vm_stop "$n"
		return 1
	fi
	vmras-ctl --socket "$qmp" events >"$LOGS/$n.qmpev" 2>&1 &
	ctl=$!
	sleep 0.5
	vm_poison "$n" $TOUCH
	vm_send x
	vm_wait_exit "$n"
	wait "$ctl"
	is_exit "$n" 0
	is "$n" "the QMP client's MEMORY_FAILURE = the event log's" \
		"$(grep -m1 MEMORY_FAILURE "$LOGS/$n.qmpev")" "$(ev_line "$n" 1)"
	has "$n" 'mcetest: mc-begin cpu=0 state=touch depth=1 ' "#MC taken in the touch load"
	has "$n" "mcetest: touched $TOUCH aborted-by-mc" "the load was aborted by the #MC"
	has "$n" 'mcetest: done' "the guest finished"
	no_events_after "$n" 1
	check_event "$n" 1 guest inject true false
	check_guest_event "$n" 1 $TOUCH 1
	check_mc "$n" 1 1 $AR_MCG $AR_STATUS $TOUCH $MISC
	is "$n" "event 1 delivery, broadcast" "$(ev "$n" 1 delivery) $(ev "$n" 1 broadcast)" "raised false"
	REPORT="$REPORT
$n: $(grep -m1 'mcetest: mc cpu=0' "$LOGS/$n.txt" | sed 's/.*mcetest: /mcetest: /')
$n: $(ev_line "$n" 1)"
}

case_over() {
	n=$V-over
	poison_and_go "$n" "mcetest.bank=leave mcetest.touches=2" $TOUCH || return
	vm_wait_exit "$n"
	is_exit "$n" 0
	is "$n" "touches aborted by a #MC" "$(lines "$n" "mcetest: touched $TOUCH aborted-by-mc")" 2
	no_events_after "$n" 2
	check_event "$n" 1 guest inject true false
	check_event "$n" 2 guest inject true false
	is "$n" "event 2 count (the same page again)" "$(ev "$n" 2 count)" 2
	check_mc "$n" 1 1 $AR_MCG $AR_STATUS $TOUCH $MISC
	check_mc "$n" 2 2 $AR_MCG $AR_OVER $TOUCH $MISC
	is "$n" "event 2 delivery" "$(ev "$n" 2 delivery)" raised
	REPORT="$REPORT
$n: $(grep 'mcetest: mc cpu=0' "$LOGS/$n.txt" | sed -n 2p | sed 's/.*mcetest: /mcetest: /')"
}

# A second page, action optional, while the guest lingers after the first
# error (the touch): bank 9 still holds it (bank=leave) or MCIP is still set
# (mcip=leave).
second_page() { # NAME APPEND
	poison_and_go "$1" "$2 mcetest.linger=3000" $TOUCH || return
	if ! vm_wait_line "$1" "mcetest: touched $TOUCH aborted-by-mc"; then
		fail "$1" "$1: the first error did not reach the guest"
		vm_stop "$1"
		return 1
	fi
	vm_poison "$1" $DIRTY
	wait_events "$1" 2 || fail "$1" "$1: no event within 10 s of poisoning the second (dirty) page"
	vm_wait_exit "$1"
	is_exit "$1" 0
	has "$1" 'mcetest: done' "the guest finished"
	no_events_after "$1" 2
	check_event "$1" 1 guest inject true false
	check_mc "$1" 1 1 $AR_MCG $AR_STATUS $TOUCH $MISC
	is "$1" "event 2 guest-physical-address" "$(ev "$1" 2 guest-physical-address)" "$((DIRTY))"
}

case_over2() {
	n=$V-over2
	second_page "$n" "mcetest.bank=leave" || return
	check_event "$n" 2 guest inject false false
	if [ "$V" = amd ]; then
		is "$n" "event 2 delivery" "$(ev "$n" 2 delivery)" overflowed
		is "$n" "event 2 has no mcg-status (MCG_STATUS is left alone)" "$(ev "$n" 2 mcg-status)" ""
		is "$n" "event 2 reason" "$(ev "$n" 2 reason)" \
			"CPU 0: bank 9 still holds an unread uncorrected error; only its OVER bit was set, so this address is not reported"
		is "$n" "#MCs in the guest" "$(lines "$n" 'mcetest: mc-begin')" 1
	else
		is "$n" "event 2 delivery" "$(ev "$n" 2 delivery)" raised
		has "$n" 'mcetest: mc-begin cpu=0 state=linger ' "a second #MC, while the guest lingers"
		check_mc "$n" 2 2 $AO_MCG $AO_OVER $DIRTY $MISC
	fi
	REPORT="$REPORT
$n: $(ev_line "$n" 2)"
}

case_ao_mcip() {
	n=$V-ao-mcip
	second_page "$n" "mcetest.mcip=leave" || return
	check_event "$n" 2 guest ignore false true
	is "$n" "event 2 reason" "$(ev "$n" 2 reason)" \
		"CPU 0: Previous MCE still in progress, action-optional error not reported"
	is "$n" "#MCs in the guest" "$(lines "$n" 'mcetest: mc-begin')" 1
	REPORT="$REPORT
$n: $(ev_line "$n" 2)"
}

# After a reset the guest starts again and waits at "ready": the page was
# replaced, so this time the touches read it.
second_boot() { # NAME TOUCHES
	if ! vm_wait_line "$1" 'mcetest: ready' 2; then
		fail "$1" "$1: the guest did not start again after the reset"
		vm_stop "$1"
		return 1
	fi
	vm_send x
	vm_wait_exit "$1"
	is_exit "$1" 0
	is "$1" "guest starts" "$(lines "$1" 'mcetest: start cpu=0')" 2
	is "$1" "touches after the reset that read the (replaced) page" \
		"$(lines "$1" "mcetest: touched $TOUCH value=0x0")" "$2"
	has "$1" 'mcetest: done' "the guest finished after the reset"
	has "$1" 'vmras: guest reset: replaced 1 poisoned page in 1 hole punch' "vmras replaced the page"
}

case_recursive() {
	n=$V-recursive
	poison_and_go "$n" "mcetest.mcip=leave mcetest.touches=2" $TOUCH || return
	reason='CPU 0: Previous MCE still in progress, raising triple fault'
	second_boot "$n" 2 || return
	has "$n" 'mcetest: mc-end cpu=0 banks=1 mcg_status=0x7' "MCIP left set by the guest"
	has "$n" "vmras: guest reset \\($reason\\)" "vmras logs the guest reset"
	no_events_after "$n" 2 "none after the reset"
	check_event "$n" 1 guest inject true false
	check_mc "$n" 1 1 $AR_MCG $AR_STATUS $TOUCH $MISC
	check_event "$n" 2 guest reset true true
	check_guest_event "$n" 2 $TOUCH 2
	is "$n" "event 2 reason" "$(ev "$n" 2 reason)" "$reason"
	REPORT="$REPORT
$n: $(ev_line "$n" 2)"
}

case_nomce() {
	n=$V-nomce
	poison_and_go "$n" "mcetest.cr4mce=0" $TOUCH || return
	reason='CPU 0: MCE capability is not enabled, raising triple fault'
	second_boot "$n" 1 || return
	cr4=$(sed -n 's/.*mcetest: cpu=0 online cr4=\(0x[0-9a-f]*\) .*/\1/p' "$LOGS/$n.txt" | head -n1)
	is "$n" "CR4.MCE in the guest (CR4 ${cr4:-?})" "$((${cr4:-0x40} >> 6 & 1))" 0
	hasnt "$n" 'mcetest: mc-begin' "no #MC"
	has "$n" "vmras: guest reset \\($reason\\)" "vmras logs the guest reset"
	no_events_after "$n" 1 "none after the reset"
	check_event "$n" 1 guest reset true false
	check_guest_event "$n" 1 $TOUCH 1
	is "$n" "event 1 reason" "$(ev "$n" 1 reason)" "$reason"
	REPORT="$REPORT
$n: $(ev_line "$n" 1)"
}

# Action optional: the page must be dirty for the host kernel to report it
# early (a clean one is dropped silently), hence vmras's ACPI page.
case_ao() {
	n=$V-ao
	start_poison "$n" "mcetest.touches=0 mcetest.touch=$DIRTY" $DIRTY || return
	wait_events "$n" 1 || fail "$n" "$n: no event within 10 s of poisoning a dirty page (early kill)"
	# Intel: let the #MC arrive while the guest waits
	[ "$V" = amd ] || vm_wait_line "$n" 'mcetest: mc-end' 1 10
	sleep 0.2
	vm_send x
	vm_wait_exit "$n"
	is_exit "$n" 0
	has "$n" 'mcetest: done' "the guest finished"
	no_events_after "$n" 1
	check_event "$n" 1 guest inject false false
	check_guest_event "$n" 1 $DIRTY 1
	# A logged (AMD deferred) record leaves MCG_STATUS alone: no mcg-status then.
	mcg=$(ev "$n" 1 mcg-status)
	is "$n" "event 1 machine-check {bank, status, mcg-status, address, misc}" \
		"$(ev "$n" 1 bank) $(ev "$n" 1 status) ${mcg:-none} $(ev "$n" 1 address) $(ev "$n" 1 misc)" \
		"9 $AO_STATUS $([ "$V" = amd ] && echo none || echo $AO_MCG) $DIRTY $MISC"
	if [ "$V" = amd ]; then
		is "$n" "event 1 delivery (a deferred error is logged, not raised)" "$(ev "$n" 1 delivery)" logged
		hasnt "$n" 'mcetest: mc-begin' "no #MC for a deferred error"
	else
		is "$n" "event 1 delivery" "$(ev "$n" 1 delivery)" raised
		has "$n" 'mcetest: mc-begin cpu=0 state=wait-go ' "#MC while the guest waited"
		check_mc "$n" 1 1 $AO_MCG $AO_STATUS $DIRTY $MISC
	fi
	REPORT="$REPORT
$n: $(ev_line "$n" 1)"
}

# Reporting disabled by the guest: KVM would drop the record, so vmras says
# ignore, and why.
case_disabled() { # WHAT (mcgctl|mc9ctl)
	n=$V-$1
	if [ "$1" = mcgctl ]; then
		reason='CPU 0: guest disabled machine-check reporting (MCG_CTL=0x0)'
	else
		reason='CPU 0: bank 9 reporting disabled by the guest (MC9_CTL=0x0)'
	fi
	if [ "$V" = amd ]; then
		# AMD's action-optional record is deferred, not uncorrected, and KVM
		# checks neither MCG_CTL nor MCi_CTL for it; the action-required one
		# is uncorrected. The guest cannot get past the poisoned load then:
		# each retry faults again, so stop vmras after the first event.
		poison_and_go "$n" "mcetest.$1=0" $TOUCH || return
		wait_events "$n" 1 || fail "$n" "$n: no event within 10 s"
		sleep 1
		kill -0 "$VM" 2>/dev/null && pass "$n: vmras still running after the ignored error"
		vm_stop "$n"
		check_event "$n" 1 guest ignore true false
		# The vCPU re-executes the poisoned load, which faults again, many
		# times a second: the repeats are announced at counts 1, 2, 4, ...
		_k=$(ev_count "$n")
		_c=$(ev "$n" "$_k" count)
		is "$n" "repeats announced at counts 1, 2, 4, ... (last count ${_c:-?}, $_k events)" \
			"$([ "$_k" -ge 2 ] && [ "$_c" = $((1 << (_k - 1))) ] && echo yes)" yes
		say "  NOTE $n: $_k events for ${_c:-?} identical reports in about a second"
	else
		start_poison "$n" "mcetest.$1=0 mcetest.touches=0 mcetest.touch=$DIRTY" $DIRTY || return
		wait_events "$n" 1 || fail "$n" "$n: no event within 10 s of poisoning a dirty page (early kill)"
		sleep 0.5
		vm_send x
		vm_wait_exit "$n"
		is_exit "$n" 0
		has "$n" 'mcetest: done' "the guest finished"
		no_events_after "$n" 1
		check_event "$n" 1 guest ignore false false
	fi
	hasnt "$n" 'mcetest: mc-begin' "no #MC"
	is "$n" "event 1 reason" "$(ev "$n" 1 reason)" "$reason"
	is "$n" "event 1 has no machine-check member" "$(ev "$n" 1 delivery)" ""
	REPORT="$REPORT
$n: $(ev_line "$n" 1)"
}

# Synthetic reports (vmras-poison --method signal / signal-ar): nothing is
# poisoned, vmras queues the SIGBUS to itself and takes its usual path. The
# page stays readable, so the guest goes on and finishes.
case_synthetic() {
	n=$V-synthetic
	mt_start "$n" "mcetest.touches=0 mcetest.linger=500" $VOPT
	if ! vm_wait_line "$n" 'mcetest: ready'; then
		fail "$n" "$n: the guest never got to 'ready'"
		vm_stop "$n"
		return 1
	fi
	vmras-poison --method signal "$VM" $TOUCH >>"$LOGS/$n.poison" 2>&1 ||
		fail "$n" "$n: vmras-poison --method signal failed: $(tail -n 1 "$LOGS/$n.poison")"
	wait_events "$n" 1 || fail "$n" "$n: no event within 10 s of a synthetic action-optional report"
	[ "$V" = amd ] || vm_wait_line "$n" 'mcetest: mc-end' 1 10
	vmras-poison --method signal-ar "$VM" $TOUCH >>"$LOGS/$n.poison" 2>&1 ||
		fail "$n" "$n: vmras-poison --method signal-ar failed: $(tail -n 1 "$LOGS/$n.poison")"
	wait_events "$n" 2 || fail "$n" "$n: no event within 10 s of a synthetic action-required report"
	vm_wait_line "$n" 'mcetest: mc-end' "$([ "$V" = amd ] && echo 1 || echo 2)" 10
	vm_send x
	vm_wait_exit "$n"
	is_exit "$n" 0
	has "$n" 'mcetest: done' "the guest finished (the page was never really poisoned)"
	has "$n" "vmras: synthetic action-optional memory error queued for guest page $TOUCH" "vmras logs the synthetic report"
	no_events_after "$n" 2
	check_event "$n" 1 guest inject false false
	check_guest_event "$n" 1 $TOUCH 1
	is "$n" "event 1 status" "$(ev "$n" 1 status)" "$AO_STATUS"
	check_event "$n" 2 guest inject true false
	check_guest_event "$n" 2 $TOUCH 2
	# AMD's action-optional record is deferred: it stays logged in bank 9
	# (mcetest does not poll), so the action-required one overflows it.
	is "$n" "event 2 status, delivery" "$(ev "$n" 2 status) $(ev "$n" 2 delivery)" \
		"$([ "$V" = amd ] && echo "$AR_OVER" || echo "$AR_STATUS") raised"
	has "$n" 'mcetest: mc-begin cpu=0 state=wait-go ' "the guest took the #MC while it waited"
	REPORT="$REPORT
$n: $(ev_line "$n" 2)"
}

case_smp() {
	n=$V-smp
	poison_and_go "$n" "mcetest.cpus=2 mcetest.linger=500" $TOUCH --cpus 2 || return
	vm_wait_exit "$n"
	is_exit "$n" 0
	has "$n" 'mcetest: ready touch=[0-9a-fx]* cpus=2' "both CPUs online"
	has "$n" 'mcetest: done' "the guest finished"
	no_events_after "$n" 1
	check_event "$n" 1 guest inject true false
	check_mc "$n" 1 1 $AR_MCG $AR_STATUS $TOUCH $MISC
	if [ "$V" = amd ]; then
		is "$n" "event 1 broadcast" "$(ev "$n" 1 broadcast)" false
		hasnt "$n" 'mcetest: mc-begin cpu=1' "no #MC on CPU 1 (AMD does not broadcast)"
	else
		is "$n" "event 1 broadcast" "$(ev "$n" 1 broadcast)" true
		has "$n" 'mcetest: mc-begin cpu=1 state=idle depth=1 mcg_status=0x5 ' "#MC on the idle CPU 1"
		is "$n" "CPU 1's bank 1 (MCG_STATUS STATUS ADDR MISC)" "$(mc_line "$n" 1 1)" \
			"0x5 0xa000000000000000 0x0 0x0"
		hasnt "$n" 'mcetest: mc cpu=1 .* bank=9 ' "CPU 1 has nothing in bank 9"
		REPORT="$REPORT
$n: $(grep -m1 'mcetest: mc cpu=1' "$LOGS/$n.txt" | sed 's/.*mcetest: /mcetest: /')"
		# LMCE needs MCG_CAP.LMCE_P (bit 27), which KVM offers on Intel hosts only.
		cap=$(sed -n 's/.*mcetest: start cpu=0 mcg_cap=\(0x[0-9a-f]*\) .*/\1/p' "$LOGS/$n.txt" | head -n1)
		if [ -n "$cap" ] && [ $((cap >> 27 & 1)) = 1 ]; then
			n=$V-lmce
			poison_and_go "$n" "mcetest.cpus=2 mcetest.linger=500 mcetest.lmce=1" $TOUCH --cpus 2 || return
			vm_wait_exit "$n"
			is_exit "$n" 0
			check_mc "$n" 1 1 0xf $AR_STATUS $TOUCH $MISC
			is "$n" "event 1 broadcast" "$(ev "$n" 1 broadcast)" false
			hasnt "$n" 'mcetest: mc-begin cpu=1' "no #MC on CPU 1 with LMCE"
		else
			say "  SKIP $V-lmce: MCG_CAP $cap has no LMCE_P (KVM on an AMD host)"
		fi
	fi
}

REPORT=
for V in $(vendors); do
	if has_cpu_vendor; then VOPT="--cpu-vendor $V"; else VOPT=; fi
	say "== guest CPU vendor: $V"
	expect_regs "$V"
	case_ar
	case_over
	case_over2
	case_ao_mcip
	case_recursive
	case_nomce
	case_ao
	case_disabled mcgctl
	case_disabled mc9ctl
	case_synthetic
	case_smp
done
echo "---- observed (for the record) ----$REPORT"
finish
