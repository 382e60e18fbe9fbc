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
#   guest_initrd OUT DIR                   write to OUT the default guest initramfs
#                                          plus the files of DIR (e.g. DIR/vmras/run.sh);
#                                          boot it with: guest NAME '' --initrd OUT ...
#   finish                                 exit 0 if nothing failed, else 1

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
	tr -d '\r' <"$LOGS/$_name.log" >"$LOGS/$_name.txt"
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
