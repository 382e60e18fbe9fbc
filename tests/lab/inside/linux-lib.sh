# Helpers for the Linux-guest memory-failure tests (issue 3, scenarios 1-3),
# on top of lib.sh; POSIX sh, run inside the lab (lab/run) by linux-*.sh.
#
#   linux_setup CPIO          the guest initramfs: the default one ($VMRAS_GUEST_INITRD)
#                             with CPIO appended (pageholder, linux-guest-*.sh)
#   linux_vendors             the guest CPU vendors to test: the host's, and
#                             intel when vmras has --cpu-vendor and the host is
#                             not Intel ($VMRAS_TEST_VENDORS overrides)
#   check_facts NAME VENDOR   check what the guest reported seeing (vendor, SUCCOR,
#                             PV hypercalls)
#   vm_start NAME GUEST-SCRIPT VENDOR [vmras options...]
#                             vmras in the background booting the guest, which
#                             runs /vmras/GUEST-SCRIPT; stdin from a FIFO (vm_send),
#                             console and vmras's messages in $LOGS/NAME.log,
#                             events in $LOGS/NAME.events
#   vm_wait_for PATTERN [S]   wait until the console has a line matching the ERE
#   vm_wait_events N [S]      wait until the event log holds N events
#   vm_send LINE              a line on the guest's console input
#   vm_end                    wait for vmras to exit; returns its status (124: killed
#                             by the watchdog); NAME.txt is the console as text
#   vm_finish S [N [R]]       wait (S seconds at most, and no longer than the R+1-th
#                             reset) for the guest script's end, its N-th with N, then
#                             for vmras's exit (stopped if need be); returns vm_end's
#                             status
#   vm_kill                   stop vmras; returns vm_end's status
#   holder NAME HOLDER FIELD  a field (pid, va, pfn, gpa) of pageholder HOLDER's line
#   poison NAME GPA           vmras-poison the running vmras's guest page GPA
#   event_expect NAME I WHAT FRAGMENT...
#                             fail unless event I (1-based) contains every FRAGMENT
#   show_events NAME          print the event log
#
# Knobs (environment, passed on by lab/run): VMRAS_TEST_VENDORS (e.g. "intel"),
# VMRAS_TEST_CPUS (vCPUs, default 2), VMRAS_TEST_APPEND (more guest command
# line, e.g. loglevel=7), VMRAS_TEST_MONARCH_US (see linux_setup),
# GUEST_TIMEOUT (seconds a vmras may run, lib.sh).

# The console of NAME as text: vmras.log with the interleaving undone. The guest
# kernel's console messages ("[    1.234567] ...") and vmras's own lines
# ("\rvmras: ...\r\n") can land in the middle of a line a guest program writes;
# each such message becomes a line of its own, the cut line is joined again,
# and the \r are dropped, as are terminal control sequences (edk2 clears the
# screen, and the guest's first line shares its line; see lib.sh).
console_text() { # NAME
	awk '
	{
		s = carry $0
		carry = ""
		for (;;) {
			p = 0
			if (match(s, /\r\r*vmras: /) && RSTART > 1)
				p = RSTART
			if (match(s, /\[ *[0-9]+\.[0-9]+\] /) && RSTART > 1 && (p == 0 || RSTART < p))
				p = RSTART
			if (p == 0)
				break
			pre = substr(s, 1, p - 1)
			# A prefix that is only a line end is no cut line.
			if (pre ~ /^\r*$/) {
				s = substr(s, p)
				continue
			}
			carry = pre
			s = substr(s, p)
			break
		}
		gsub(/\r/, "", s)
		print s
	}
	END {
		if (carry != "") {
			gsub(/\r/, "", carry)
			print carry
		}
	}' "$LOGS/$1.log" | sed "s/$ESC\[[0-9;=?]*[A-Za-z]//g"
}

linux_setup() {
	INITRD=$LOGS/guest-initrd
	# $VMRAS_TEST_APPEND: more guest command line. $VMRAS_TEST_MONARCH_US:
	# the Intel guest's broadcast rendezvous timeout (monarch_timeout, Linux's
	# default 1 s, kept when unset): an experiment knob for how much skew the
	# guest tolerates between vmras's injections on its vCPUs.
	VM_APPEND=${VMRAS_TEST_APPEND:-}
	_m=${VMRAS_TEST_MONARCH_US:-0}
	[ "$_m" = 0 ] || VM_APPEND="vmras.monarch=$_m $VM_APPEND"
	CPUS=${VMRAS_TEST_CPUS:-2}
	cat "$VMRAS_GUEST_INITRD" "$1" >"$INITRD" || { echo "cannot build the guest initramfs"; exit 1; }
	# Lines the test reports, for the record (issue 3's closing note).
	REPORT=$LOGS/report
	: >"$REPORT"
}

# The host's CPU vendor: amd, intel or host (another).
host_vendor() {
	case $(sed -n 's/^vendor_id[^:]*: //p' /proc/cpuinfo | head -n1) in
	GenuineIntel) echo intel ;;
	AuthenticAMD | HygonGenuine) echo amd ;;
	*) echo host ;;
	esac
}

linux_vendors() {
	if [ -n "${VMRAS_TEST_VENDORS:-}" ]; then
		echo "$VMRAS_TEST_VENDORS"
		return
	fi
	# An arm64 guest has no vendor to choose (--cpu-vendor is x86's).
	[ "$(uname -m)" = aarch64 ] && { echo arm; return; }
	_h=$(host_vendor)
	if vmras --help 2>&1 | grep -q -- '--cpu-vendor' && [ "$_h" != intel ]; then
		echo "$_h intel"
	else
		echo "$_h"
	fi
}

# The guest's own view (guest_facts in linux-guest-common.sh), first boot:
# the CPU vendor it was given; on AMD, SUCCOR on every CPU (without it Linux
# does not even try to recover); and, when that vendor is not the host's, no
# KVM PV feature that makes hypercalls (the guest would use its vendor's
# hypercall instruction, which faults on this host's; KVM's fix-up then oopses
# the guest once its text is read-only).
check_facts() { # NAME VENDOR
	_facts=$(console_text "$1" | grep '^vmras-test: vendor=' | head -n1)
	if [ -z "$_facts" ]; then
		fail "$1" "$1: the guest did not report what it sees"
		return
	fi
	_want=$(vendor_id "$2")
	case $_facts in
	*"vendor=$_want "*) ;;
	*) [ -z "$_want" ] || fail "$1" "$1: the guest's CPU vendor is not $_want: $_facts" ;;
	esac
	_cpus=$(echo "$_facts" | sed -n 's/.* cpus=\([0-9]*\).*/\1/p')
	_succor=$(echo "$_facts" | sed -n 's/.* succor=\([0-9]*\).*/\1/p')
	[ "$2" != amd ] || [ "$_succor" = "$_cpus" ] ||
		fail "$1" "$1: SUCCOR on $_succor of $_cpus CPUs of the AMD guest: $_facts"
	_pv=$(echo "$_facts" | sed -n 's/.* pv_hypercalls=\([0-9]*\).*/\1/p')
	[ "$2" = "$(host_vendor)" ] || [ "$_pv" = 0 ] ||
		fail "$1" "$1: a guest of another vendor than the host's set up $_pv KVM PV hypercall features: $_facts"
}

# The vmras options for VENDOR.
vendor_opts() {
	if vmras --help 2>&1 | grep -q -- '--cpu-vendor'; then
		case $1 in amd | intel) echo "--cpu-vendor $1" ;; esac
	fi
}

# The vendor string a guest of VENDOR must report.
vendor_id() {
	case $1 in amd) echo AuthenticAMD ;; intel) echo GenuineIntel ;; *) echo '' ;; esac
}

# The guest's console: the 16550 on x86, the PL011 on arm64 (the test
# host's arch is the guest's).
guest_console() {
	case $(uname -m) in aarch64) echo ttyAMA0 ;; *) echo ttyS0 ;; esac
}

# Kills the VM (VM_PID) after GUEST_TIMEOUT seconds, leaving $LOGS/$VM.timedout;
# sets VM_DOG. It ends by itself within a second of the VM. vm_start's, and
# the benchmarks' for their peer VMMs.
vm_watchdog() {
	(
		i=0
		while [ $i -lt "$GUEST_TIMEOUT" ]; do
			kill -0 $VM_PID 2>/dev/null || exit 0
			sleep 1
			i=$((i + 1))
		done
		: >"$LOGS/$VM.timedout"
		kill $VM_PID 2>/dev/null
		sleep 5
		kill -KILL $VM_PID 2>/dev/null
		sleep 5
		hang_report $VM_PID "SIGKILL 5 s ago, after the guest's time limit"
	) &
	VM_DOG=$!
}

vm_start() {
	VM=$1 _script=$2 _vendor=$3
	shift 3
	_b64=$(printf '. /vmras/%s\n' "$_script" | base64 | tr -d '\n')
	rm -f "$LOGS/$VM.in" "$LOGS/$VM.events" "$LOGS/$VM.timedout" "$LOGS/$VM.poison"
	mkfifo "$LOGS/$VM.in"
	say "boot $VM: vmras $(vendor_opts "$_vendor") $*"
	# shellcheck disable=SC2046
	vmras --kernel "$VMRAS_GUEST_KERNEL" --initrd "$INITRD" --event-log "$LOGS/$VM.events" \
		--append "console=$(guest_console) quiet vmras.run=$_b64 $VM_APPEND" $(vendor_opts "$_vendor") "$@" \
		<"$LOGS/$VM.in" >"$LOGS/$VM.log" 2>&1 &
	VM_PID=$!
	exec 3>"$LOGS/$VM.in"
	VM_START=$(date +%s)
	vm_watchdog
}

vm_alive() { kill -0 "$VM_PID" 2>/dev/null; }

vm_wait_for() { # PATTERN [SECONDS]
	_n=$((${2:-120} * 5))
	while [ $_n -gt 0 ]; do
		console_text "$VM" | grep -Eq "$1" && return 0
		vm_alive || { console_text "$VM" | grep -Eq "$1"; return; }
		sleep 0.2
		_n=$((_n - 1))
	done
	return 1
}

vm_events() {
	# memory failures only: the log also has run-state events (RESET, SHUTDOWN)
	if [ -f "$LOGS/$VM.events" ]; then grep -c '"event":"MEMORY_FAILURE"' "$LOGS/$VM.events"; else echo 0; fi
}

vm_wait_events() { # N [SECONDS]
	_n=$((${2:-60} * 5))
	while [ "$(vm_events)" -lt "$1" ]; do
		[ $_n -gt 0 ] && vm_alive || return 1
		sleep 0.2
		_n=$((_n - 1))
	done
	return 0
}

vm_send() {
	printf '%s\n' "$1" >&3
}

vm_end() {
	wait "$VM_PID"
	_rc=$?
	exec 3>&-
	wait "$VM_DOG" 2>/dev/null
	[ -f "$LOGS/$VM.timedout" ] && _rc=124
	console_text "$VM" >"$LOGS/$VM.txt"
	say "  $VM: vmras exit $_rc after $(($(date +%s) - VM_START))s"
	return $_rc
}

# Stops vmras: SIGTERM, and SIGKILL 5 s later (a vmras stuck on poison of its
# own does not get to act on SIGTERM).
vm_stop() {
	kill "$VM_PID" 2>/dev/null
	_k=0
	while [ $_k -lt 25 ] && vm_alive; do
		sleep 0.2
		_k=$((_k + 1))
	done
	kill -KILL "$VM_PID" 2>/dev/null
	_k=0
	while [ $_k -lt 25 ] && vm_alive; do
		sleep 0.2
		_k=$((_k + 1))
	done
	hang_report "$VM_PID" "SIGKILL 5 s ago"
}

# Stops a VM that went wrong.
vm_kill() {
	vm_stop
	vm_end
}

# Waits until the guest's script has finished ("vmras-guest: exit"; the
# N-th time with N) or vmras has exited, but no longer than SECONDS, nor once
# the VM has reset more than RESETS times (default 0: a guest that panicked
# and rebooted would run its script again). Then stops vmras if need be, and
# returns vm_end's status.
vm_finish() { # SECONDS [N [RESETS]]
	_k=0
	while [ $_k -lt $((${1} * 5)) ] && vm_alive; do
		console_text "$VM" >"$LOGS/$VM.now"
		[ "$(grep -c '^vmras-guest: exit' "$LOGS/$VM.now")" -ge "${2:-1}" ] && break
		[ "$(grep -c '^vmras: guest reset (' "$LOGS/$VM.now")" -gt "${3:-0}" ] && break
		sleep 0.2
		_k=$((_k + 1))
	done
	# A guest that finished powers off at once.
	_k=0
	while [ $_k -lt 50 ] && vm_alive; do
		sleep 0.2
		_k=$((_k + 1))
	done
	vm_alive && vm_stop
	vm_end
}

holder() { # NAME HOLDER FIELD
	console_text "$1" | sed -n "s/.*pageholder: $2 pid=.* $3=\([^ ]*\).*/\1/p" | head -n1
}
# pid= is the first field: the pattern above would skip it.
holder_pid() { # NAME HOLDER
	console_text "$1" | sed -n "s/.*pageholder: $2 pid=\([0-9]*\) .*/\1/p" | head -n1
}

poison() { # NAME GPA
	if vmras-poison "$VM_PID" "$2" >>"$LOGS/$1.poison" 2>&1; then
		say "  $1: $(tail -n1 "$LOGS/$1.poison")"
		return 0
	fi
	fail "$1" "$1: vmras-poison $VM_PID $2 failed: $(cat "$LOGS/$1.poison")"
	return 1
}

# The first WANT pages the guest's "hold" page holder listed, poisoned back
# to back (one vmras-poison, every frame found first): $LOGS/NAME.gpas and
# .poison, t0 and t1 around the poisoning. Returns 1 (the VM killed, a
# failure recorded) when the holder listed fewer (30 s at most: its lines
# take seconds on a slow console).
poison_held_pages() { # NAME WANT
	_k=60
	while :; do
		console_text "$1" | sed -n 's/^pageholder: hold gpas //p' | tr ' ' '\n' | grep . | head -n "$2" >"$LOGS/$1.gpas"
		_got=$(wc -l <"$LOGS/$1.gpas")
		[ "$_got" -lt "$2" ] && [ $_k -gt 0 ] || break
		sleep 0.5
		_k=$((_k - 1))
	done
	if [ "$_got" != "$2" ]; then
		vm_kill
		fail "$1" "$1: the holder listed $_got pages, expected at least $2"
		return 1
	fi
	t0=$(date +%s.%N)
	# shellcheck disable=SC2046
	vmras-poison "$VM_PID" $(cat "$LOGS/$1.gpas") >"$LOGS/$1.poison" 2>&1 ||
		fail "$1" "$1: vmras-poison failed: $(tail -n 1 "$LOGS/$1.poison")"
	t1=$(date +%s.%N)
}

event_expect() { # NAME I WHAT FRAGMENT...
	_name=$1 _i=$2 _what=$3
	shift 3
	_ev=$(grep '"event":"MEMORY_FAILURE"' "$LOGS/$_name.events" 2>/dev/null | sed -n "${_i}p")
	if [ -z "$_ev" ]; then
		fail "$_name" "$_name: no event $_i ($_what)"
		show_events "$_name"
		return 1
	fi
	for _f in "$@"; do
		case $_ev in
		*"$_f"*) ;;
		*)
			fail "$_name" "$_name: event $_i ($_what) lacks $_f: $_ev"
			return 1 ;;
		esac
	done
	echo "$_name event $_i: $_ev" >>"$REPORT"
	return 0
}

show_events() {
	echo "---- events of $1 ----"
	cat "$LOGS/$1.events" 2>/dev/null
	echo "---- end of events ----"
}

# The end every scenario whose guest lives on shares: its script finished,
# its kernel neither panicked nor oopsed, and the memory-failure lines go to
# the report.
guest_lived_on() { # NAME
	expect "$1" "^vmras-guest: exit 0" "the guest script did not finish"
	grep -Eq "Kernel panic|Fatal (local )?machine check|Oops" "$LOGS/$1.txt" &&
		fail "$1" "$1: the guest kernel panicked or oopsed"
	report_lines "$1" "^vmras: |^vmras-test: vendor|Memory failure|MCE|mce: |Hardware Error|pageholder: .*SIGBUS"
}

# Records the console lines matching the ERE in the report.
report_lines() { # NAME ERE
	grep -E "$2" "$LOGS/$1.txt" | grep -v '^klog: ' | sed "s/^/$1 console: /" >>"$REPORT"
}

# Prints the report (observed lines and events) before finishing.
linux_finish() {
	echo "---- observed ----"
	cat "$REPORT"
	echo "---- end ----"
	finish
}

# lib.sh's show, with the console brought up to date first (a check may fail
# while vmras still runs), and a longer tail ($VMRAS_SHOW_LINES lines, for
# debugging: 0 for the whole console).
show() {
	case $SHOWN in *" $1 "*) return 0 ;; esac
	SHOWN="$SHOWN$1 "
	[ -f "$LOGS/$1.log" ] && console_text "$1" >"$LOGS/$1.txt"
	_lines=${VMRAS_SHOW_LINES:-100}
	[ "$_lines" = 0 ] && _lines=+1
	echo "---- console of $1 (last ${VMRAS_SHOW_LINES:-100} lines) ----"
	tail -n "$_lines" "$LOGS/$1.txt" 2>/dev/null
	echo "---- end of $1 ----"
}
