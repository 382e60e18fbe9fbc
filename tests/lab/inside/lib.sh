# Helpers for test scripts that run inside the lab (lab/run): POSIX sh, for busybox
# ash in the TCG test host and for /bin/sh on this machine in direct mode.
#
#   . "$dir/lib.sh"
#   guest NAME SCRIPT [vmras options...]   boot the default guest running SCRIPT (a
#                                          shell script, passed as vmras.run=, after
#                                          $GUEST_APPEND if set); its
#                                          console goes to $LOGS/NAME.log; returns
#                                          vmras's exit status (124: timed out)
#   expect NAME PATTERN [WHAT]             fail unless NAME.log has a line matching
#                                          the extended regexp PATTERN
#   value NAME KEY                         the value of the last "KEY=value" line
#   fail NAME MESSAGE                      record a failure (and show NAME's log once;
#                                          NAME may be empty)
#   check_guest NAME CPUS MEM_MIB RC       the checks of a boot whose script printed
#                                          $GUEST_FACTS: init reached, exit 0, its
#                                          CPUs, MemTotal 85-100% of its RAM
#                                          (MEMTOTAL_PCT then says how much); 1 when
#                                          it never reached init
#   reboot_script ADDR                     a guest script that leaves a marker at
#                                          guest address ADDR (RAM the guest kernel
#                                          leaves alone) and reboots, and on the
#                                          next boot finds it and powers off
#   check_reboot NAME RC                   the checks of a boot of reboot_script
#   guest_initrd OUT DIR                   write to OUT the default guest initramfs
#                                          plus the files of DIR (e.g. DIR/vmras/run.sh);
#                                          boot it with: guest NAME '' --initrd OUT ...
#   finish                                 exit 0 if nothing failed, else 1
#   hang_report PID WHY                    print what each thread of PID waits on
#                                          (state, wchan, kernel stack) and the
#                                          kernel's blocked tasks: for a vmras that
#                                          will not exit

LOGS=$(mktemp -d)
FAILS=0
SHOWN=" "
# A guest boot (Linux to its /init, the script, power-off) takes a few seconds
# on real KVM and tens of seconds nested under TCG.
if [ "${VMRAS_LAB_HOST:-}" = tcg ]; then
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-300}
else
	GUEST_TIMEOUT=${GUEST_TIMEOUT:-90}
fi

say() { echo "[$(date +%T)] $*"; }

# A vmras that outlives SIGKILL is stuck in the kernel; which call, and where,
# is the whole clue, and it is gone once the lab's time limit ends the run.
hang_report() { # PID WHY
	[ -d "/proc/$1" ] || return 0
	echo "---- vmras $1 will not exit ($2): its threads ----"
	for _t in /proc/"$1"/task/*; do
		echo "  task ${_t##*/} $(cat "$_t/comm" 2>/dev/null) $(sed -n 's/^State:[[:space:]]*//p' "$_t/status" 2>/dev/null) wchan=$(cat "$_t/wchan" 2>/dev/null)"
		sed 's/^/      /' "$_t/stack" 2>/dev/null
	done
	if [ -w /proc/sysrq-trigger ]; then
		echo w >/proc/sysrq-trigger
		echo "---- kernel: blocked tasks, last lines ----"
		dmesg 2>/dev/null | tail -n 80
	fi
	echo "---- end of hang report ----"
}

# A console log as lines to match: no carriage returns, and no terminal
# control sequences (edk2 clears the screen, ESC [ 2 J and the like, at the
# start of the line the kernel's first output then shares).
ESC=$(printf '\033')
console_lines() {
	tr -d '\r' | sed "s/$ESC\[[0-9;=?]*[A-Za-z]//g"
}

guest() {
	_name=$1 _script=$2
	shift 2
	# The guest's console: the 16550 on x86, the PL011 on arm64 (the test
	# host's arch is the guest's). GUEST_APPEND adds to the command line.
	case $(uname -m) in
	aarch64) _append="console=ttyAMA0 quiet" ;;
	*) _append="console=ttyS0 quiet" ;;
	esac
	[ -n "${GUEST_APPEND:-}" ] && _append="$_append $GUEST_APPEND"
	[ -n "$_script" ] && _append="$_append vmras.run=$(printf '%s\n' "$_script" | base64 | tr -d '\n')"
	say "boot $_name: vmras $*"
	timeout "$GUEST_TIMEOUT" vmras --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" \
		--append "$_append" "$@" </dev/null >"$LOGS/$_name.log" 2>&1
	_rc=$?
	console_lines <"$LOGS/$_name.log" >"$LOGS/$_name.txt"
	say "  $_name: vmras exit $_rc"
	return $_rc
}

show() {
	case $SHOWN in *" $1 "*) return 0 ;; esac
	SHOWN="$SHOWN$1 "
	echo "---- console of $1 (last 60 lines) ----"
	tail -n 60 "$LOGS/$1.txt" 2>/dev/null
	echo "---- end of $1 ----"
}

fail() {
	echo "FAIL: $2"
	FAILS=$((FAILS + 1))
	[ -n "$1" ] && show "$1"
	return 0
}

expect() {
	grep -Eq "$2" "$LOGS/$1.txt" 2>/dev/null || fail "$1" "$1: ${3:-no line matching '$2'}"
}

value() {
	sed -n "s/^$2=//p" "$LOGS/$1.txt" 2>/dev/null | tail -n 1
}

# What a guest prints about its CPUs and memory for check_guest.
# shellcheck disable=SC2016,SC2034 # expanded in the guest; used by the tests
GUEST_FACTS='
echo "NPROC=$(nproc)"
echo "CPUINFO=$(grep -c ^processor /proc/cpuinfo)"
echo "MEMTOTAL_KB=$(sed -n "s/^MemTotal: *\([0-9]*\) kB/\1/p" /proc/meminfo)"
echo "ran: $(uname -sr)"
'

# MemTotal is the RAM less what the kernel keeps for itself (its image,
# struct pages, early allocations: ~55 MiB of 512 MiB for the Debian kernel),
# so accept down to 85%.
check_guest() { # NAME CPUS MEM_MIB RC
	_n=$1 _cpus=$2 _mib=$3 _rc=$4
	if ! grep -q '^vmras-guest: init reached' "$LOGS/$_n.txt"; then
		fail "$_n" "$_n: guest did not reach its /init (vmras exit $_rc)"
		return 1
	fi
	[ "$_rc" = 0 ] || fail "$_n" "$_n: vmras exited $_rc, expected 0 after the guest powered off"
	expect "$_n" '^ran: Linux' "guest did not run the vmras.run= script"
	expect "$_n" '^vmras-guest: exit 0' "script did not finish with exit 0"
	_v=$(value "$_n" NPROC)
	[ "$_v" = "$_cpus" ] || fail "$_n" "$_n: nproc is '$_v', expected $_cpus"
	_v=$(value "$_n" CPUINFO)
	[ "$_v" = "$_cpus" ] || fail "$_n" "$_n: /proc/cpuinfo lists '$_v' CPUs, expected $_cpus"
	_want=$((_mib * 1024))
	_kb=$(value "$_n" MEMTOTAL_KB)
	MEMTOTAL_PCT=
	if [ -z "$_kb" ] || [ "$_kb" -gt "$_want" ] || [ "$_kb" -lt $((_want * 85 / 100)) ]; then
		fail "$_n" "$_n: MemTotal ${_kb:-?} kB, expected between 85% and 100% of $_want kB"
	else
		# shellcheck disable=SC2034 # for the caller
		MEMTOTAL_PCT="MemTotal $_kb kB of $_want kB ($((_kb * 100 / _want))%)"
	fi
	return 0
}

# The marker stays because vmras does not clear RAM on reset, as real
# hardware keeps it.
reboot_script() { # ADDR
	cat <<EOF
addr=$1 magic=0x766d7261
v=\$(devmem \$addr 32)
if [ \$((v)) -eq \$((magic)) ]; then
	echo "vmras-test: second boot"
	devmem \$addr 32 0
	exit 0
fi
echo "vmras-test: first boot (found \$v)"
devmem \$addr 32 \$magic
v=\$(devmem \$addr 32)
[ \$((v)) -eq \$((magic)) ] || { echo "vmras-test: devmem write did not stick (\$v)"; exit 1; }
echo "vmras-test: rebooting"
reboot -f
EOF
}

check_reboot() { # NAME RC
	[ "$2" = 0 ] || fail "$1" "$1: vmras exited $2, expected 0 after the second boot powered off"
	expect "$1" '^vmras-test: first boot' "first boot did not run its script"
	expect "$1" '^vmras-test: rebooting' "first boot did not get to reboot"
	expect "$1" '^vmras-test: second boot' "no second boot with RAM kept"
	_v=$(grep -c '^vmras-guest: init reached' "$LOGS/$1.txt")
	[ "$_v" = 2 ] || fail "$1" "$1: guest reached /init $_v times, expected 2"
	expect "$1" '^vmras-guest: exit 0' "second boot did not finish with exit 0"
}

guest_initrd() {
	cp "$VMRAS_GUEST_INITRD" "$1" &&
		(cd "$2" && find . -mindepth 1 | sed 's|^\./||' | cpio -o -H newc -R 0:0 2>/dev/null) >>"$1"
}

finish() {
	rm -rf "$LOGS"
	if [ "$FAILS" = 0 ]; then
		say "all checks passed"
		exit 0
	fi
	say "$FAILS check(s) failed"
	exit 1
}
