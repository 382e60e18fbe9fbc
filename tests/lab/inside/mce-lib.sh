# Helpers for the machine-check lab tests (issue 3, scenarios 4-6), on top of
# lib.sh: drive one vmras at a time through its console (a FIFO on its stdin),
# poison its memory, and check the guest's lines and the event log. POSIX sh
# (busybox ash in the TCG test host).
#
#   vm_start NAME VMRAS-ARGS...   start vmras in the background: stdin a FIFO,
#                                 console and log in $LOGS/NAME.log, events in
#                                 $LOGS/NAME.ev (--event-log); $VM is its pid;
#                                 $VM_ENV (NAME=VALUE words) is its extra environment
#   mt_start NAME APPEND [VMRAS-ARGS...]
#                                 vm_start with the mcetest guest
#   vm_wait_line NAME ERE [COUNT] [SECONDS]
#                                 wait until COUNT lines (default 1) match ERE;
#                                 1 if vmras exited first or time ran out
#   vm_send TEXT                  write TEXT to the guest's console
#   vm_poison NAME GPA...         vmras-poison each page (a failure is a FAIL)
#   vm_wait_exit NAME [SECONDS]   wait for vmras to exit (SIGTERM, then SIGKILL,
#                                 when it does not); $VM_RC is its status
#   vm_stop NAME                  SIGTERM, then wait
#   wait_events NAME N [SECONDS]  wait (default 10 s) until the log has N events
#   ev_count NAME                 number of MEMORY_FAILURE events (run-state events aside)
#   ev_line NAME N                MEMORY_FAILURE event N, the whole line
#   ev NAME N KEY                 member KEY of event N (1-based), "" if absent;
#                                 strings without quotes, numbers and booleans as written
#   lines NAME ERE                number of console lines matching ERE
#   pass MSG / fail NAME MSG      one PASS or FAIL line (fail shows NAME's console and events once)
#   is NAME WHAT GOT WANT         PASS if GOT = WANT, else FAIL
#   has NAME ERE WHAT / hasnt NAME ERE WHAT
#   no_events_after NAME N WHAT   PASS if the log has exactly N events
#   need_hwpoison                 exit 77 (skip) where real poison cannot be injected
# Lines are matched anywhere in a line: a #MC handler's lines may cut into a
# half-printed line, and vmras's own messages start with a carriage return.

MCETEST=$(command -v mcetest.bzimage)
VM=
VM_RC=
VM_ENV=

pass() { echo "PASS: $*"; }

show() {
	case $SHOWN in *" $1 "*) return 0 ;; esac
	SHOWN="$SHOWN$1 "
	echo "---- console of $1 (last 60 lines) ----"
	txt "$1"
	tail -n 60 "$LOGS/$1.txt" 2>/dev/null
	echo "---- events of $1 ----"
	cat "$LOGS/$1.ev" 2>/dev/null
	echo "---- end of $1 ----"
}

# The console without carriage returns.
txt() { console_lines <"$LOGS/$1.log" >"$LOGS/$1.txt" 2>/dev/null; }

vm_start() {
	_n=$1
	shift
	rm -f "$LOGS/$_n.in" "$LOGS/$_n.log" "$LOGS/$_n.ev" "$LOGS/$_n.txt"
	mkfifo "$LOGS/$_n.in" || { fail "" "cannot make a FIFO in $LOGS"; finish; }
	# shellcheck disable=SC2086
	env $VM_ENV vmras --event-log "$LOGS/$_n.ev" "$@" <"$LOGS/$_n.in" >"$LOGS/$_n.log" 2>&1 &
	VM=$!
	exec 3>"$LOGS/$_n.in"
	say "$_n: vmras $* (pid $VM)"
}

# mcetest reads machine-check registers and knows nothing of ACPI: it is
# told through machine checks only (--ras mce), not the default both.
mt_start() {
	_n=$1 _a=$2
	shift 2
	vm_start "$_n" --kernel "$MCETEST" --append "$_a" --ras mce "$@"
}

lines() {
	txt "$1"
	grep -Ec -- "$2" "$LOGS/$1.txt" 2>/dev/null
}

vm_wait_line() {
	_c=${3:-1}
	_t=$((${4:-30} * 10))
	while :; do
		[ "$(lines "$1" "$2")" -ge "$_c" ] && return 0
		kill -0 "$VM" 2>/dev/null || { [ "$(lines "$1" "$2")" -ge "$_c" ]; return; }
		[ "$_t" -gt 0 ] || return 1
		_t=$((_t - 1))
		sleep 0.1
	done
}

# (SIGPIPE is ignored, so that writing to a vmras that has gone is a FAIL, not
# the end of the script.)
trap '' PIPE
vm_send() {
	printf '%s' "$1" >&3 2>/dev/null || fail "" "cannot write to the guest's console: vmras (pid $VM) has exited"
}

vm_poison() {
	_n=$1
	shift
	for _g in "$@"; do
		vmras-poison "$VM" "$_g" >>"$LOGS/$_n.poison" 2>&1 ||
			fail "$_n" "$_n: vmras-poison $_g failed: $(tail -n 1 "$LOGS/$_n.poison")"
	done
}

vm_wait_exit() {
	_t=$((${2:-30} * 10))
	while kill -0 "$VM" 2>/dev/null && [ "$_t" -gt 0 ]; do
		sleep 0.1
		_t=$((_t - 1))
	done
	if kill -0 "$VM" 2>/dev/null; then
		kill "$VM" 2>/dev/null
		sleep 1
		kill -9 "$VM" 2>/dev/null
		_t=50
		while kill -0 "$VM" 2>/dev/null && [ "$_t" -gt 0 ]; do
			sleep 0.1
			_t=$((_t - 1))
		done
	fi
	# still there and not a zombie: stuck in the kernel, and wait would hang
	if [ -e "/proc/$VM/stat" ] && ! grep -q ') Z ' "/proc/$VM/stat"; then
		hang_report "$VM" "SIGKILL 5 s ago"
		VM_RC=124
	else
		wait "$VM"
		VM_RC=$?
	fi
	exec 3>&-
	txt "$1"
}

wait_events() { # NAME N [SECONDS]
	_t=$((${3:-10} * 10))
	while [ "$(ev_count "$1")" -lt "$2" ] && [ "$_t" -gt 0 ]; do
		sleep 0.1
		_t=$((_t - 1))
	done
	[ "$(ev_count "$1")" -ge "$2" ]
}

# MEMORY_FAILURE event N (1-based) of NAME's event log, whole. The log also
# has run-state events (RESET, SHUTDOWN): these helpers count only memory
# failures.
ev_line() { # NAME N
	grep '"event":"MEMORY_FAILURE"' "$LOGS/$1.ev" 2>/dev/null | sed -n "${2}p"
}

vm_stop() {
	kill "$VM" 2>/dev/null
	vm_wait_exit "$1" 5
}

ev_count() {
	if [ -f "$LOGS/$1.ev" ]; then
		grep -c '"event":"MEMORY_FAILURE"' "$LOGS/$1.ev"
	else
		echo 0
	fi
}

ev() {
	ev_line "$1" "$2" |
		sed -n -e "s/.*\"$3\":\"\([^\"]*\)\".*/\1/p" -e t -e "s/.*\"$3\":\([^,}\"]*\).*/\1/p"
}

is() {
	if [ "$3" = "$4" ]; then
		pass "$1: $2 = $4"
	else
		fail "$1" "$1: $2 is '$3', expected '$4'"
	fi
}

has() {
	if [ "$(lines "$1" "$2")" -gt 0 ]; then
		pass "$1: ${3:-a line matching '$2'}"
	else
		fail "$1" "$1: no line matching '$2'${3:+ ($3)}"
	fi
}

hasnt() {
	if [ "$(lines "$1" "$2")" = 0 ]; then
		pass "$1: ${3:-no line matching '$2'}"
	else
		fail "$1" "$1: unexpected line matching '$2'${3:+ ($3)}: $(grep -E -m1 -- "$2" "$LOGS/$1.txt")"
	fi
}

no_events_after() {
	is "$1" "number of events${3:+ ($3)}" "$(ev_count "$1")" "$2"
}

# The registers of the first (or Nth) "mc" line for BANK on CPU: "MCG STATUS ADDR MISC".
mc_line() { # NAME CPU BANK [N]
	txt "$1"
	sed -n "s/.*mcetest: mc cpu=$2 mcg_status=\(0x[0-9a-f]*\) bank=$3 status=\(0x[0-9a-f]*\) addr=\(0x[0-9a-f]*\) misc=\(0x[0-9a-f]*\).*/\1 \2 \3 \4/p" \
		"$LOGS/$1.txt" | sed -n "${4:-1}p"
}

# Checks event N against what the guest printed in its Nth "mc" line for bank 9
# on CPU 0, and both against the expected registers.
check_mc() { # NAME N MC-LINE-N MCG_STATUS STATUS ADDR MISC
	_n=$1 _e=$2
	set -- $(mc_line "$1" 0 9 "$3") "$4" "$5" "$6" "$7"
	if [ $# != 8 ]; then
		fail "$_n" "$_n: the guest printed no 'mc cpu=0 ... bank=9' line #$_e"
		return
	fi
	is "$_n" "guest MCG_STATUS (#MC $_e)" "$1" "$5"
	is "$_n" "guest MC9_STATUS (#MC $_e)" "$2" "$6"
	is "$_n" "guest MC9_ADDR (#MC $_e)" "$3" "$7"
	is "$_n" "guest MC9_MISC (#MC $_e)" "$4" "$8"
	is "$_n" "event $_e machine-check.bank" "$(ev "$_n" "$_e" bank)" 9
	is "$_n" "event $_e machine-check.mcg-status = what the guest read" "$(ev "$_n" "$_e" mcg-status)" "$1"
	is "$_n" "event $_e machine-check.status = what the guest read" "$(ev "$_n" "$_e" status)" "$2"
	is "$_n" "event $_e machine-check.address = what the guest read" "$(ev "$_n" "$_e" address)" "$3"
	is "$_n" "event $_e machine-check.misc = what the guest read" "$(ev "$_n" "$_e" misc)" "$4"
}

# The QEMU members of event N: recipient action action-required recursive.
check_event() { # NAME N RECIPIENT ACTION AR RECURSIVE
	is "$1" "event $2 {recipient, action, action-required, recursive}" \
		"$(ev "$1" "$2" recipient) $(ev "$1" "$2" action) $(ev "$1" "$2" action-required) $(ev "$1" "$2" recursive)" \
		"$3 $4 $5 $6"
}

is_exit() { # NAME WANT
	is "$1" "vmras exit status" "$VM_RC" "$2"
}

# Whether this vmras has --cpu-vendor (Intel guests on an AMD host).
has_cpu_vendor() { vmras --help 2>&1 | grep -q -- '--cpu-vendor'; }

# Real poison needs root and hwpoison_inject (the lab's test host has both);
# without them, skip (exit 77).
need_hwpoison() {
	_f=/sys/kernel/debug/hwpoison/corrupt-pfn
	[ -w "$_f" ] || modprobe hwpoison_inject 2>/dev/null
	if [ ! -w "$_f" ] || ! command -v vmras-poison >/dev/null; then
		echo "needs vmras-poison, root and $_f (CONFIG_MEMORY_FAILURE, hwpoison_inject, debugfs)"
		exit 77
	fi
	[ -n "$MCETEST" ] || { echo "mcetest.bzimage is not on PATH (make static)"; exit 77; }
}
