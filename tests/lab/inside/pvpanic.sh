#!/bin/sh
# pvpanic checks, run inside the lab by tests/lab/test-pvpanic.sh.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"

# The guest shows that its driver bound and what it read from the port, then
# panics. The driver's capability is what both sides know: its own bits
# (panicked, crash loaded) of the device's 0x07. The console is drained
# first: the kernel's panic messages would cut into lines still queued.
crash='
drv=/sys/bus/platform/drivers/pvpanic-mmio
echo "PVPANIC_BOUND=$(ls $drv 2>/dev/null | grep -c "^QEMU0001:")"
echo "PVPANIC_CAPABILITY=$(cat /sys/bus/platform/devices/QEMU0001:00/capability 2>/dev/null)"
echo "vmras-test: crashing"
vmras_drain
echo c >/proc/sysrq-trigger
echo "vmras-test: survived the crash"
'

# vmras in the background (the paused guest never ends by itself); sets PID.
start_guest() { # NAME SCRIPT [vmras options]
	_name=$1
	_append="console=ttyS0 quiet vmras.run=$(printf '%s\n' "$2" | base64 | tr -d '\n')"
	shift 2
	say "start $_name: vmras $*"
	vmras --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" \
		--append "$_append" "$@" </dev/null >"$LOGS/$_name.log" 2>&1 &
	PID=$!
}

text() { tr -d '\r' <"$LOGS/$1.log" >"$LOGS/$1.txt"; }

# Waits (up to GUEST_TIMEOUT) until FILE has a line matching PATTERN or PID exits.
wait_for() { # FILE PATTERN
	_i=0
	while [ $_i -lt "$GUEST_TIMEOUT" ]; do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		kill -0 "$PID" 2>/dev/null || { grep -Eq "$2" "$1" 2>/dev/null; return; }
		sleep 1
		_i=$((_i + 1))
	done
	return 1
}

# CPU time (ticks) the vCPU threads have used: the CPU that panicked spins
# in mdelay for ever (the others halt), so a guest left running keeps using
# it; held vCPUs sleep.
vcpu_ticks() {
	_sum=0
	for t in /proc/"$PID"/task/*; do
		case $(cat "$t/comm" 2>/dev/null) in vcpu*) ;; *) continue ;; esac
		# shellcheck disable=SC2046 # the fields of stat; comm has no blanks
		set -- $(cat "$t/stat")
		_sum=$((_sum + ${14} + ${15}))
	done
	echo "$_sum"
}

check_driver() { # NAME
	[ "$(value "$1" PVPANIC_BOUND)" = 1 ] ||
		fail "$1" "$1: the guest's pvpanic-mmio driver did not bind to QEMU0001"
	[ "$(value "$1" PVPANIC_CAPABILITY)" = 3 ] ||
		fail "$1" "$1: pvpanic capability '$(value "$1" PVPANIC_CAPABILITY)', expected 3"
	expect "$1" '^vmras-test: crashing' "the guest did not get to its crash"
	expect "$1" 'Kernel panic - not syncing' "no guest panic"
}

# The one GUEST_PANICKED line of the event log, exactly QEMU's shape.
check_event() { # NAME ACTION
	n=$(grep -c '"event":"GUEST_PANICKED"' "$LOGS/$1.events" 2>/dev/null)
	[ "$n" = 1 ] || fail "$1" "$1: $n GUEST_PANICKED events, expected 1"
	grep -Eq '^\{"event":"GUEST_PANICKED","data":\{"action":"'"$2"'"\},"timestamp":\{"seconds":[0-9]+,"microseconds":[0-9]+\}\}$' \
		"$LOGS/$1.events" || fail "$1" "$1: no GUEST_PANICKED {action: $2} line in the event log"
	say "  $1 event: $(grep GUEST_PANICKED "$LOGS/$1.events")"
}

# Waits for the panic, then watches the vCPUs for 3 s; sets DELTA.
watch_panicked() { # NAME
	if ! wait_for "$LOGS/$1.events" GUEST_PANICKED; then
		text "$1"
		fail "$1" "$1: no GUEST_PANICKED event within ${GUEST_TIMEOUT}s"
		kill "$PID" 2>/dev/null
		wait "$PID"
		return 1
	fi
	sleep 1
	t0=$(vcpu_ticks)
	sleep 3
	t1=$(vcpu_ticks)
	DELTA=$((t1 - t0))
	kill -0 "$PID" 2>/dev/null || fail "$1" "$1: vmras exited after the panic; it should keep running"
	return 0
}

stop_guest() { # NAME
	kill -TERM "$PID" 2>/dev/null
	wait "$PID"
	rc=$?
	text "$1"
	say "  $1: vmras exit $rc after SIGTERM"
	[ "$rc" = 0 ] || fail "$1" "$1: vmras exited $rc on SIGTERM, expected 0"
}

# pause: the event, then every vCPU held; vmras waits (for QMP cont, later).
# A QMP client sees the run state: guest-panicked, and cont refused (the
# guest needs a reset, as with QEMU).
start_guest pause "$crash" --cpus 2 --on-panic pause --event-log "$LOGS/pause.events" \
	--qmp "unix:$LOGS/pause.qmp"
if watch_panicked pause; then
	say "  pause: the vCPUs used $DELTA ticks in 3 s after the panic"
	if [ "$DELTA" -gt 10 ]; then
		fail pause "pause: the vCPUs used $DELTA ticks in 3 s after the panic; held vCPUs use none"
	fi
	st=$(vmras-ctl --socket "$LOGS/pause.qmp" query-status 2>&1)
	case $st in
	*'"status":"guest-panicked"'*'"running":false'*) say "  pause: query-status $st" ;;
	*) fail pause "pause: query-status after the panic: $st" ;;
	esac
	st=$(vmras-ctl --socket "$LOGS/pause.qmp" cont 2>&1)
	case $st in
	*'"error"'*) say "  pause: cont refused: $st" ;;
	*) fail pause "pause: cont after a panic: $st (expected an error: a reset is needed)" ;;
	esac
	stop_guest pause
	check_driver pause
	check_event pause pause
	expect pause '^vmras: guest panicked: paused' "vmras did not say it paused the guest"
	# Held at the port write, before the kernel's last panic message.
	grep -q 'end Kernel panic' "$LOGS/pause.txt" &&
		fail pause "pause: the guest kept running after its pvpanic write"
fi

# run: the event, and the guest goes on (spinning in its panic loop).
start_guest run "$crash" --on-panic run --event-log "$LOGS/run.events"
if watch_panicked run; then
	say "  run: the vCPUs used $DELTA ticks in 3 s after the panic"
	[ "$DELTA" -ge 100 ] ||
		fail run "run: the vCPUs used $DELTA ticks in 3 s after the panic; a panicked guest left running spins"
	stop_guest run
	check_driver run
	check_event run run
	expect run '^vmras: guest panicked: left running' "vmras did not say it left the guest running"
	expect run 'end Kernel panic' "the guest did not go on after its pvpanic write"
fi

# poweroff: the event, then vmras exits 0 as after a guest power-off.
guest poweroff "$crash" --on-panic poweroff --event-log "$LOGS/poweroff.events"
rc=$?
[ "$rc" = 0 ] || fail poweroff "poweroff: vmras exited $rc, expected 0 after the panic"
check_driver poweroff
check_event poweroff poweroff
expect poweroff '^vmras: guest panicked: powering off' "vmras did not say it powered off"

for n in pause run poweroff; do
	grep -E 'pvpanic|QEMU0001|Kernel panic|vmras:|WARNING|PVPANIC' "$LOGS/$n.txt" 2>/dev/null | sed "s/^/  $n| /" | head -n 12
done
finish
