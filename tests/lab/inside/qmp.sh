#!/bin/sh
# Issue 4 in the lab (tests/lab/test-qmp.sh): a QMP client drives a real vmras
# with the mcetest guest: --paused (prelaunch, the guest has not run), cont,
# stop, cont, system_reset (the guest starts again), then real poison that the
# guest touches: query-memory-failures lists it while the guest lingers, and
# a client following events sees RESUME, STOP, RESUME, RESET,
# MEMORY_FAILURE, SHUTDOWN (guest-shutdown) in that order.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"
need_hwpoison

TOUCH=0x800000
SOCK=$LOGS/qmp.sock
n=qmp

ctl() { vmras-ctl --socket "$SOCK" "$@" 2>&1; }
status() { ctl query-status | sed -n 's/.*"status":"\([a-z-]*\)".*/\1/p'; }

mt_start $n "mcetest.linger=3000" --qmp "unix:$SOCK" --paused
t=50
while [ ! -S "$SOCK" ] && [ $t -gt 0 ]; do sleep 0.1; t=$((t - 1)); done
vmras-ctl --socket "$SOCK" events >"$LOGS/qmp.events" 2>&1 &
follower=$!
sleep 1
is $n "query-status with --paused" "$(status)" prelaunch
is $n "guest lines before cont" "$(lines $n 'mcetest: start')" 0
is $n "cont" "$(ctl cont)" '{"return":{}}'
vm_wait_line $n 'mcetest: ready' || fail $n "$n: the guest did not start after cont"
is $n "query-status after cont" "$(status)" running
is $n "stop" "$(ctl stop)" '{"return":{}}'
is $n "query-status after stop" "$(status)" paused
is $n "cont" "$(ctl cont)" '{"return":{}}'
is $n "system_reset" "$(ctl system_reset)" '{"return":{}}'
vm_wait_line $n 'mcetest: ready' 2 || fail $n "$n: the guest did not start again after system_reset"
is $n "guest starts" "$(lines $n 'mcetest: start cpu=0')" 2
is $n "query-memory-failures before any" "$(ctl query-memory-failures)" '{"return":[]}'
vm_poison $n $TOUCH
vm_send x
vm_wait_line $n "mcetest: touched $TOUCH aborted-by-mc" || fail $n "$n: the guest did not take the #MC"
mf=$(ctl query-memory-failures)
case $mf in
*'"guest-physical-address":8388608'*'"count":1'*) pass "$n: query-memory-failures lists the page: $mf" ;;
*) fail $n "$n: query-memory-failures: $mf" ;;
esac
vm_wait_exit $n 30
is_exit $n 0
wait "$follower"
order=$(sed -n 's/.*"event":"\([A-Z_]*\)".*/\1/p' "$LOGS/qmp.events" | tr '\n' ' ')
is $n "events seen by the QMP client, in order" "$order" "RESUME STOP RESUME RESET MEMORY_FAILURE SHUTDOWN "
is $n "RESET data" "$(sed -n 's/.*"event":"RESET","data":\({[^}]*}\).*/\1/p' "$LOGS/qmp.events")" \
	'{"guest":false,"reason":"host-qmp-system-reset"}'
is $n "SHUTDOWN data" "$(sed -n 's/.*"event":"SHUTDOWN","data":\({[^}]*}\).*/\1/p' "$LOGS/qmp.events")" \
	'{"guest":true,"reason":"guest-shutdown"}'
echo "---- events seen by the QMP client ----"
cat "$LOGS/qmp.events"
finish
