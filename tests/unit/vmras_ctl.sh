#!/usr/bin/env bash
# vmras-ctl against vmras --machine none: a command's reply and exit status,
# an error reply, clear errors without a server, events followed until the
# monitor goes (--timestamps: each with its arrival time), and SIGTERM ending vmras cleanly with its socket removed.
# Usage: vmras_ctl.sh VMRAS VMRAS_CTL
set -u
vmras=$1 ctl=$2
# A cross build's programs run through its emulator (meson's exe_wrapper,
# e.g. qemu-aarch64); empty for a native build.
wrap=${MESON_EXE_WRAPPER:-}
dir=$(mktemp -d /tmp/vmras-ctl-test.XXXXXX)
sock=$dir/qmp.sock
pid=
trap '[ -n "$pid" ] && kill -9 $pid 2>/dev/null; rm -rf "$dir"' EXIT
fail() { echo "FAIL: $*"; exit 1; }

# Waits until the monitor answers: a stale socket at the path exists before vmras replaces it.
start() {
	$wrap "$vmras" --machine none --qmp "unix:$sock" 2>"$dir/vmras.err" &
	pid=$!
	for _ in $(seq 250); do
		$wrap "$ctl" --socket "$sock" query-status >/dev/null 2>&1 && return
		sleep 0.02
	done
	fail "vmras does not answer on $sock"
}

# No server: exit 2 and a sentence that says so.
out=$($wrap "$ctl" --socket "$sock" query-version 2>&1); rc=$?
[ $rc -eq 2 ] || fail "no socket: exit $rc"
[[ $out == *"no socket at $sock"* ]] || fail "no socket: '$out'"

start
out=$($wrap "$ctl" --socket "$sock" query-version); rc=$?
[ $rc -eq 0 ] || fail "query-version: exit $rc"
[[ $out == '{"return":{"qemu":{"major":7,"minor":2,"micro":0},"package":"vmras '* ]] || fail "query-version: '$out'"
out=$($wrap "$ctl" --socket "$sock" --pretty query-status); rc=$?
[ $rc -eq 0 ] && [[ $out == *'"status": "running"'* ]] || fail "query-status --pretty: exit $rc, '$out'"
out=$($wrap "$ctl" --socket "$sock" nope); rc=$?
[ $rc -eq 1 ] || fail "unknown command: exit $rc"
[[ $out == *'"class":"CommandNotFound"'* ]] || fail "unknown command: '$out'"
out=$($wrap "$ctl" --socket "$sock" query-status '{"x":1}'); rc=$?
[ $rc -eq 1 ] && [[ $out == *"Parameter 'x' is unexpected"* ]] || fail "bad argument: exit $rc, '$out'"
$wrap "$ctl" --socket "$sock" query-status '[1]' 2>/dev/null; rc=$?
[ $rc -eq 2 ] || fail "JSON-ARGS not an object: exit $rc"

# No guest: the injections say so, and there are no CPUs, as QEMU's -machine none.
out=$($wrap "$ctl" --socket "$sock" inject-memory-failure '{"guest-physical-address":4096,"mode":"signal"}'); rc=$?
[ $rc -eq 1 ] && [[ $out == *'no guest (--machine none)'* ]] || fail "inject-memory-failure: exit $rc, '$out'"
out=$($wrap "$ctl" --socket "$sock" inject-memory-failure '{"guest-physical-address":4096,"mode":"poison"}'); rc=$?
[ $rc -eq 1 ] && [[ $out == *'no guest (--machine none)'* ]] || fail "inject-memory-failure poison: exit $rc, '$out'"
out=$($wrap "$ctl" --socket "$sock" inject-mce \
	'{"cpu-index":0,"bank":9,"status":9223372036854775808,"mcg-status":5,"addr":0,"misc":0}'); rc=$?
[ $rc -eq 1 ] && [[ $out == *'no guest (--machine none)'* ]] || fail "inject-mce: exit $rc, '$out'"
out=$($wrap "$ctl" --socket "$sock" query-cpus-fast); rc=$?
[ $rc -eq 0 ] && [ "$out" = '{"return":[]}' ] || fail "query-cpus-fast: exit $rc, '$out'"

# A follower ends, status 0, when the monitor goes away (quit from another client).
$wrap "$ctl" --socket "$sock" events >"$dir/events.out" 2>&1 &
follower=$!
$wrap "$ctl" --socket "$sock" --timestamps events >"$dir/events-ts.out" 2>&1 &
follower_ts=$!
sleep 0.2
before=$(date +%s.%N)
out=$($wrap "$ctl" --socket "$sock" quit); rc=$?
after=$(date +%s.%N)
[ $rc -eq 0 ] && [ "$out" = '{"return":{}}' ] || fail "quit: exit $rc, '$out'"
wait $follower; rc=$?
[ $rc -eq 0 ] || fail "events follower: exit $rc ($(cat "$dir/events.out"))"
[[ $(head -n1 "$dir/events.out") == '{"event":"SHUTDOWN"'* ]] || fail "events: '$(cat "$dir/events.out")'"
wait $follower_ts; rc=$?
[ $rc -eq 0 ] || fail "events --timestamps follower: exit $rc ($(cat "$dir/events-ts.out"))"
# The arrival time: CLOCK_REALTIME, between the quit's start and its reply.
[[ $(head -n1 "$dir/events-ts.out") =~ ^([0-9]+\.[0-9]{9})\ \{\"event\":\"SHUTDOWN\" ]] ||
	fail "events --timestamps: '$(cat "$dir/events-ts.out")'"
awk -v a="$before" -v t="${BASH_REMATCH[1]}" -v b="$after" 'BEGIN { exit !(a <= t && t <= b) }' ||
	fail "events --timestamps: arrival ${BASH_REMATCH[1]} not between $before and $after"
wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "vmras after quit: exit $rc"
[ ! -e "$sock" ] || fail "socket left behind after quit"

# A stale socket (vmras killed) is refused by the client and replaced by the next vmras.
start
kill -9 $pid; wait $pid 2>/dev/null; pid=
[ -S "$sock" ] || fail "expected a stale socket"
out=$($wrap "$ctl" --socket "$sock" query-version 2>&1); rc=$?
[ $rc -eq 2 ] && [[ $out == *"nobody is listening"* ]] || fail "stale socket: exit $rc, '$out'"
start
$wrap "$ctl" --socket "$sock" query-version >/dev/null || fail "stale socket not replaced"
kill -TERM $pid; wait $pid; rc=$?; pid=
[ $rc -eq 0 ] || fail "SIGTERM: exit $rc"
[ ! -e "$sock" ] || fail "socket left behind after SIGTERM"
grep -q "terminating on signal 15" "$dir/vmras.err" || fail "SIGTERM: $(cat "$dir/vmras.err")"
echo PASS
