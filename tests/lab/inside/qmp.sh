#!/bin/sh
# Issue 4 in the lab (tests/lab/test-qmp.sh): a QMP client drives a real vmras
# with the mcetest guest: --paused (prelaunch, the guest has not run), cont,
# stop, cont, system_reset (the guest starts again), then real poison that the
# guest touches: query-memory-failures lists it while the guest lingers, and
# a client following events sees RESUME, STOP, RESUME, RESET,
# MEMORY_FAILURE, SHUTDOWN (guest-shutdown) in that order. Then the injection
# commands and query-cpus-fast on a 2-vCPU Intel guest.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"
. "$dir/qmp-lib.sh"
need_hwpoison

TOUCH=0x800000
SOCK=$LOGS/qmp.sock
n=qmp


mt_start $n "mcetest.linger=3000" --qmp "unix:$SOCK" --paused
qmp_follow "$LOGS/qmp.events"
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
wait "$FOLLOWER"
order=$(sed -n 's/.*"event":"\([A-Z_]*\)".*/\1/p' "$LOGS/qmp.events" | tr '\n' ' ')
is $n "events seen by the QMP client, in order" "$order" "RESUME STOP RESUME RESET MEMORY_FAILURE SHUTDOWN "
is $n "RESET data" "$(sed -n 's/.*"event":"RESET","data":\({[^}]*}\).*/\1/p' "$LOGS/qmp.events")" \
	'{"guest":false,"reason":"host-qmp-system-reset"}'
is $n "SHUTDOWN data" "$(sed -n 's/.*"event":"SHUTDOWN","data":\({[^}]*}\).*/\1/p' "$LOGS/qmp.events")" \
	'{"guest":true,"reason":"guest-shutdown"}'
echo "---- events seen by the QMP client ----"
cat "$LOGS/qmp.events"

# The injection commands and query-cpus-fast on a 2-vCPU Intel guest:
# inject-memory-failure poison (real MADV_HWPOISON on a dirty page: early
# kill, action optional, a #MC on Intel), inject-memory-failure signal
# (synthetic, action required), inject-mce on vCPU 1 with a broadcast.
n=qmp-inject
SOCK=$LOGS/qmp-inject.sock
DIRTY=0xe0000
mt_start $n "mcetest.touches=0 mcetest.cpus=2 mcetest.linger=100" --cpus 2 --cpu-vendor intel --qmp "unix:$SOCK"
vm_wait_line $n 'mcetest: ready touch=[0-9a-fx]* cpus=2' || fail $n "$n: the guest did not get both CPUs ready"
cpus=$(ctl query-cpus-fast)
tids=$(echo "$cpus" | sed 's/"thread-id":\([0-9]*\),"props"/\n\1\n/g' | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')
vtids=$(for t in /proc/"$VM"/task/*; do case $(cat "$t/comm") in vcpu*) basename "$t" ;; esac; done | sort -n | tr '\n' ' ')
is $n "query-cpus-fast thread ids = vmras's vCPU threads ($cpus)" "$tids" "$vtids"
is $n "inject-memory-failure poison" \
	"$(ctl inject-memory-failure '{"guest-physical-address": 917504, "mode": "poison"}')" '{"return":{}}'
wait_events $n 1 || fail $n "$n: no event after inject-memory-failure poison"
check_event $n 1 guest inject false false
is $n "event 1 guest-physical-address" "$(ev $n 1 guest-physical-address)" 917504
vm_wait_line $n 'mcetest: mc-end' 2 10   # the broadcast: both CPUs
is $n "inject-memory-failure signal, action required" \
	"$(ctl inject-memory-failure '{"guest-physical-address": 8388608, "mode": "signal", "action-required": true}')" \
	'{"return":{}}'
wait_events $n 2 || fail $n "$n: no event after inject-memory-failure signal"
check_event $n 2 guest inject true false
is $n "event 2 status" "$(ev $n 2 status)" 0xbd80000000000134
vm_wait_line $n 'mcetest: mc-end' 4 10
is $n "inject-mce on vCPU 1, broadcast" \
	"$(ctl inject-mce '{"cpu-index": 1, "bank": 9, "status": 13654914070187344180, "mcg-status": 7, "addr": 8388608, "misc": 140, "broadcast": true}')" \
	'{"return":{}}'

vm_wait_line $n 'mcetest: mc cpu=1 mcg_status=0x7 bank=9 status=0xbd80000000000134 addr=0x800000 misc=0x8c' 1 10 ||
	fail $n "$n: vCPU 1 did not read the injected bank 9"
vm_wait_line $n 'mcetest: mc cpu=0 mcg_status=0x5 bank=1 status=0xa000000000000000' 1 10 ||
	fail $n "$n: vCPU 0 did not get the broadcast bank 1"
case $(ctl inject-mce '{"cpu-index": 5, "bank": 9, "status": 9223372036854775808, "mcg-status": 5, "addr": 0, "misc": 0}') in
*'"class":"GenericError"'*) pass "$n: inject-mce on a vCPU that does not exist is refused" ;;
*) fail $n "$n: inject-mce cpu-index 5 was not refused" ;;
esac
vm_send x
vm_wait_exit $n 30
is_exit $n 0
has $n 'mcetest: done' "the guest finished"
echo "---- $n: the guest's machine-check lines ----"
grep 'mcetest: mc ' "$LOGS/$n.txt"
finish
