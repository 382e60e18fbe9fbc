#!/bin/sh
# QMP in the arm64 lab (tests/lab/test-arm64-qmp.sh): run state, stop/cont,
# query-cpus-fast, inject-mce's refusal, system_reset, synthetic memory errors
# (ignored, or a reset: a DT guest has no GHES) and quit against the Debian arm64
# guest, and the events a following client sees; then system_powerdown
# through the PL061 power key.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"
. "$dir/qmp-lib.sh"

SOCK=$LOGS/qmp.sock
n=arm64-qmp

script=$(printf '%s\n' 'echo "vmras-test: up"; while :; do sleep 1; done' | base64 | tr -d '\n')
vm_start $n --firmware none --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --cpus 2 --memory 512M \
	--append "console=ttyAMA0 quiet vmras.run=$script" --qmp "unix:$SOCK" --paused
qmp_follow "$LOGS/qmp.events"
is $n "query-status with --paused" "$(status)" prelaunch
is $n "guest lines before cont" "$(lines $n 'Linux version|init reached')" 0
is $n "cont" "$(ctl cont)" '{"return":{}}'
vm_wait_line $n 'vmras-test: up' 1 120 || fail $n "$n: the guest did not boot after cont"
is $n "query-status after cont" "$(status)" running
is $n "stop" "$(ctl stop)" '{"return":{}}'
is $n "query-status after stop" "$(status)" paused
is $n "cont" "$(ctl cont)" '{"return":{}}'

cpus=$(ctl query-cpus-fast | tr -d '\\')
case $cpus in
*'"props":{"core-id":1,"thread-id":0,"socket-id":0,"cluster-id":0},"qom-path":"/machine/unattached/device[1]","cpu-index":1,"target":"aarch64"}]}')
	pass "$n: query-cpus-fast in QEMU's arm shape: $cpus" ;;
*) fail $n "$n: query-cpus-fast: $cpus" ;;
esac
tids=$(echo "$cpus" | sed 's/"thread-id":\([0-9]*\),"props"/\n\1\n/g' | grep -E '^[0-9]+$' | sort -n | tr '\n' ' ')
vtids=$(for t in /proc/"$VM"/task/*; do case $(cat "$t/comm") in vcpu*) basename "$t" ;; esac; done | sort -n | tr '\n' ' ')
is $n "query-cpus-fast thread ids = vmras's vCPU threads" "$tids" "$vtids"
case $(ctl inject-mce '{"cpu-index": 0, "bank": 9, "status": 9223372036854775808, "mcg-status": 5, "addr": 0, "misc": 0}') in
*'"class":"GenericError"'*arm64*) pass "$n: inject-mce is refused on arm64" ;;
*) fail $n "$n: inject-mce was not refused with a reason naming arm64" ;;
esac
case $(ctl inject-ghes-v2-error "{\"cper\":\"$(vmras-cper 0x50000000)\"}") in
*'"class":"GenericError"'*'no GHES error sources (no ACPI'*) pass "$n: inject-ghes-v2-error is refused: a DT guest has no GHES" ;;
*) fail $n "$n: inject-ghes-v2-error was not refused as expected" ;;
esac

is $n "system_reset" "$(ctl system_reset)" '{"return":{}}'
vm_wait_line $n 'vmras-test: up' 2 120 || fail $n "$n: the guest did not boot again after system_reset"

# Memory errors: a guest booted with a device tree (--firmware none) has no
# ACPI and so no GHES sources, and cannot be told: an action-optional one is
# recorded and ignored, saying why, and an action-required one resets the
# guest, whose page is then replaced.
is $n "inject-memory-failure signal, action optional" \
	"$(ctl inject-memory-failure '{"guest-physical-address": 1342177280, "mode": "signal"}')" '{"return":{}}'
wait_events $n 1 || fail $n "$n: no event after inject-memory-failure AO"
check_event $n 1 guest ignore false false
is $n "event 1 reason" "$(ev $n 1 reason)" \
	"no ACPI (direct kernel boot with a device tree): memory errors reach an arm64 guest only through GHES (UEFI boot)"
is $n "inject-memory-failure signal, action required" \
	"$(ctl inject-memory-failure '{"guest-physical-address": 1342181376, "mode": "signal", "action-required": true}')" \
	'{"return":{}}'
wait_events $n 2 || fail $n "$n: no event after inject-memory-failure AR"
check_event $n 2 guest reset true false
vm_wait_line $n 'vmras-test: up' 3 120 || fail $n "$n: the guest did not boot again after the AR reset"
mf=$(ctl query-memory-failures)
case $mf in
*'"guest-physical-address":1342177280'*'"guest-physical-address":1342181376'*) pass "$n: query-memory-failures lists both pages" ;;
*) fail $n "$n: query-memory-failures: $mf" ;;
esac
is $n "quit" "$(ctl quit)" '{"return":{}}'
vm_wait_exit $n 30
is_exit $n 0
wait "$FOLLOWER"
order=$(sed -n 's/.*"event":"\([A-Z_]*\)".*/\1/p' "$LOGS/qmp.events" | tr '\n' ' ')
is $n "events seen by the QMP client, in order" "$order" \
	"RESUME STOP RESUME RESET MEMORY_FAILURE MEMORY_FAILURE RESET SHUTDOWN "
is $n "SHUTDOWN data" "$(sed -n 's/.*"event":"SHUTDOWN","data":\({[^}]*}\).*/\1/p' "$LOGS/qmp.events")" \
	'{"guest":false,"reason":"host-qmp-quit"}'
echo "---- events seen by the QMP client ----"
cat "$LOGS/qmp.events"

# system_powerdown presses the PL061's power key: gpio-keys reports
# KEY_POWER, the guest's acpid powers off, vmras exits 0.
n=arm64-powerdown
SOCK=$LOGS/powerdown.sock
script=$(printf '%s\n' 'grep -c "pl061.*GPIO Key Poweroff" /proc/interrupts | sed "s/^/KEY_IRQ=/"
echo "vmras-test: up"; while :; do sleep 1; done' | base64 | tr -d '\n')
vm_start $n --firmware none --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --memory 512M \
	--append "console=ttyAMA0 quiet vmras.run=$script" --qmp "unix:$SOCK"
qmp_follow "$LOGS/powerdown.events"
vm_wait_line $n 'vmras-test: up' 1 120 || fail $n "$n: the guest did not boot"
is $n "system_powerdown" "$(ctl system_powerdown)" '{"return":{}}'
vm_wait_exit $n 60
is_exit $n 0
wait "$FOLLOWER"
is $n "gpio-keys has the PL061's pin" "$(value $n KEY_IRQ)" 1
has $n '^vmras-guest: power button pressed, powering off' "the guest's acpid acted on the press"
order=$(sed -n 's/.*"event":"\([A-Z_]*\)".*/\1/p' "$LOGS/powerdown.events" | tr '\n' ' ')
is $n "events seen by the QMP client" "$order" "POWERDOWN SHUTDOWN "
is $n "SHUTDOWN data" "$(sed -n 's/.*"event":"SHUTDOWN","data":\({[^}]*}\).*/\1/p' "$LOGS/powerdown.events")" \
	'{"guest":true,"reason":"guest-shutdown"}'
finish
