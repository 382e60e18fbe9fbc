#!/usr/bin/env bash
# The lab itself: exit status, --share, /dev/kvm, guest image variables, batch
# output. Always in the TCG test host (the path of machines without /dev/kvm),
# and also directly when this machine's /dev/kvm is usable.
set -uo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)
run="$repo/lab/run"
fails=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

share=$(mktemp -d)
trap 'rm -rf "$share"' EXIT
mkdir -p "$share/a dir"
echo "shared-$$" >"$share/a dir/file.txt"

# One command checks everything it can from the inside and exits 42 when all is well.
check='
	ok=1
	no() { echo "inside: $*"; ok=0; }
	[ -c /dev/kvm ] || no "no /dev/kvm"
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || no "/dev/kvm not read-write"
	[ -f "$VMRAS_GUEST_KERNEL" ] || no "VMRAS_GUEST_KERNEL=$VMRAS_GUEST_KERNEL missing"
	[ -f "$VMRAS_GUEST_INITRD" ] || no "VMRAS_GUEST_INITRD=$VMRAS_GUEST_INITRD missing"
	[ "$(cat "$1/a dir/file.txt")" = "shared-$2" ] || no "shared file not readable"
	[ "$(pwd -P)" = "$3" ] || no "cwd is $(pwd -P), not $3"
	[ "$LAB_TEST_VAR" = "x y" ] || no "--env not passed"
	echo "host=$VMRAS_LAB_HOST"
	printf "line1\nline2\n"
	[ $ok = 1 ] && exit 42
	exit 1
'

modes=(tcg)
if VMRAS_LAB_MODE=direct "$run" --direct -- true 2>/dev/null; then
	modes+=(direct)
else
	echo "note: no usable /dev/kvm here, direct mode not tested"
fi

for mode in "${modes[@]}"; do
	out=$(cd "$share" && "$run" --"$mode" --share "$share" --env 'LAB_TEST_VAR=x y' -- \
		sh -c "$check" check "$share" "$$" "$(cd "$share" && pwd -P)" 2>/dev/null)
	rc=$?
	[ $rc = 42 ] || fail "$mode: exit status $rc, expected 42; output: $out"
	grep -qx "host=$mode" <<<"$out" || fail "$mode: VMRAS_LAB_HOST not $mode: $out"
	# Batch output: exactly the command's bytes (no \r, no marker line).
	case $out in *$'\r'*) fail "$mode: carriage returns in batch output" ;; esac
	grep -q 'vmras-lab:' <<<"$out" && fail "$mode: lab marker leaked into output: $out"
	[ "$(grep -c '^line[12]$' <<<"$out")" = 2 ] || fail "$mode: output lines missing: $out"

	# --timeout: exit 124 and say so.
	err=$("$run" --"$mode" --timeout 3 -- sleep 60 2>&1 >/dev/null)
	rc=$?
	[ $rc = 124 ] || fail "$mode: --timeout gave exit status $rc, expected 124"
	grep -q 'timed out' <<<"$err" || fail "$mode: no timeout message: $err"
done

# On a terminal (a pty from script(1)): the command has a terminal of a size,
# what is typed reaches it once it asks, and its exit status 0 comes back.
interactive() { # MODE
	local pid out= line rc
	coproc LAB { script -qfec "$run --$1 -- sh -c 'stty size; echo READY; read x; echo got:\$x; exit 0'" /dev/null; }
	pid=$LAB_PID
	while IFS= read -r -t 120 line <&"${LAB[0]}"; do
		line=${line//$'\r'/}
		out+="$line"$'\n'
		case $line in READY) printf 'hello\r' >&"${LAB[1]}" ;; esac
	done
	wait "$pid"
	rc=$?
	[ $rc = 0 ] || fail "$1 on a terminal: exit status $rc, expected 0; output: $out"
	grep -Eq '^[0-9]+ [0-9]+$' <<<"$out" || fail "$1 on a terminal: no terminal size: $out"
	grep -q '^got:hello$' <<<"$out" || fail "$1 on a terminal: typed line did not arrive: $out"
}
if command -v script >/dev/null; then
	for mode in "${modes[@]}"; do interactive "$mode"; done
else
	echo "note: no script(1) here, terminal use not tested"
	for mode in "${modes[@]}"; do
		"$run" --"$mode" -- true 2>/dev/null
		rc=$?
		[ $rc = 0 ] || fail "$mode: exit status $rc, expected 0"
	done
fi

# Usage errors exit 2 without booting anything.
"$run" --no-such-option -- true 2>/dev/null
[ $? = 2 ] || fail "bad option did not exit 2"
"$run" --timeout soon -- true 2>/dev/null
[ $? = 2 ] || fail "bad --timeout did not exit 2"

[ $fails = 0 ]
