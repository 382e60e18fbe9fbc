#!/bin/sh
# system_powerdown checks, run inside the lab by tests/lab/test-powerdown.sh.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"

# The guest shows which drivers took the power button and the GED, then
# waits for the press (the guest's acpid powers it off); it never ends by
# itself.
script='
echo "GED_BOUND=$(ls /sys/bus/platform/drivers/acpi-ged 2>/dev/null | grep -c "^ACPI0013:")"
echo "BUTTON_BOUND=$(ls /sys/bus/acpi/drivers/button 2>/dev/null | grep -c "^PNP0C0C:")"
echo "ACPID=$(ps | grep -q "[a]cpid" && echo running || echo missing)"
echo "GED_IRQ=$(grep -i ged /proc/interrupts | tr -s " ")"
echo "vmras-test: waiting for the power button"
while :; do sleep 1; done
'
name=powerdown
append="console=ttyS0 quiet vmras.run=$(printf '%s\n' "$script" | base64 | tr -d '\n')"
say "boot $name: vmras --qmp --event-log"
vmras --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --append "$append" \
	--qmp "unix:$LOGS/qmp.sock" --event-log "$LOGS/$name.events" </dev/null >"$LOGS/$name.log" 2>&1 &
PID=$!

i=0
while [ $i -lt "$GUEST_TIMEOUT" ] && kill -0 "$PID" 2>/dev/null &&
	! grep -q '^vmras-test: waiting' "$LOGS/$name.log" 2>/dev/null; do
	sleep 1
	i=$((i + 1))
done
tr -d '\r' <"$LOGS/$name.log" >"$LOGS/$name.txt"
if ! grep -q '^vmras-test: waiting' "$LOGS/$name.txt"; then
	fail "$name" "$name: the guest never got ready for the press"
	kill "$PID" 2>/dev/null
	wait "$PID"
	finish
fi

# A second client follows the events while the first presses the button.
vmras-ctl --socket "$LOGS/qmp.sock" events >"$LOGS/client.events" 2>&1 &
CLIENT=$!
sleep 1
reply=$(vmras-ctl --socket "$LOGS/qmp.sock" system_powerdown 2>&1)
say "  system_powerdown: $reply"
case $reply in *'"return":{}'*) ;; *) fail "$name" "$name: system_powerdown replied '$reply'" ;; esac

i=0
while [ $i -lt "$GUEST_TIMEOUT" ] && kill -0 "$PID" 2>/dev/null; do
	sleep 1
	i=$((i + 1))
done
if kill -0 "$PID" 2>/dev/null; then
	fail "$name" "$name: vmras still runs ${GUEST_TIMEOUT}s after system_powerdown"
	kill "$PID" 2>/dev/null
fi
wait "$PID"
rc=$?
kill "$CLIENT" 2>/dev/null
wait "$CLIENT" 2>/dev/null
tr -d '\r' <"$LOGS/$name.log" >"$LOGS/$name.txt"
say "  $name: vmras exit $rc"
[ "$rc" = 0 ] || fail "$name" "$name: vmras exited $rc after the guest's power-off, expected 0"

for k in GED_BOUND BUTTON_BOUND; do
	[ "$(value "$name" "$k")" = 1 ] || fail "$name" "$name: $k=$(value "$name" "$k"), expected 1"
done
[ "$(value "$name" ACPID)" = running ] || fail "$name" "$name: acpid is not running in the guest"
# IOAPIC pin 9, edge-triggered, as the GED's _CRS says (Linux's own IRQ
# number for it is its business).
case $(value "$name" GED_IRQ) in
*'IO-APIC 9-edge ACPI:Ged'*) ;;
*) fail "$name" "$name: the GED's interrupt is '$(value "$name" GED_IRQ)', expected IO-APIC 9-edge" ;;
esac
expect "$name" '^vmras-guest: power button pressed, powering off' "the guest's acpid did not act on the press"
expect "$name" 'reboot: Power down' "the guest did not power down"

# The event log and the second client: POWERDOWN (no data, as QEMU's), then
# SHUTDOWN from the guest, in that order and nothing else.
for f in "$name.events" client.events; do
	events=$(sed -n 's/^{"event":"\([A-Z_]*\)".*/\1/p' "$LOGS/$f" | tr '\n' ' ')
	say "  $f: $events"
	[ "$events" = "POWERDOWN SHUTDOWN " ] || fail "$name" "$name: $f has '$events', expected POWERDOWN SHUTDOWN"
	grep -Eq '^\{"event":"POWERDOWN","timestamp":\{"seconds":[0-9]+,"microseconds":[0-9]+\}\}$' "$LOGS/$f" ||
		fail "$name" "$name: $f: POWERDOWN is not QEMU's shape"
	grep -Eq '^\{"event":"SHUTDOWN","data":\{"guest":true,"reason":"guest-shutdown"\},' "$LOGS/$f" ||
		fail "$name" "$name: $f: no SHUTDOWN {guest: true, reason: guest-shutdown}"
done
sed 's/^/  client| /' "$LOGS/client.events"
grep -E 'GED|BOUND|ACPID|acpid|power|Power|vmras' "$LOGS/$name.txt" | sed 's/^/  guest| /' | head -n 20
finish
