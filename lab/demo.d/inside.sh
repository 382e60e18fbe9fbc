# Test-host side of `make demo` (lab/demo runs it with lab/run): boots the
# Linux guest under vmras on this terminal and, once the guest's page holder
# says where its page is, poisons that guest page for real (vmras-poison,
# hwpoison), then shows the MEMORY_FAILURE event vmras wrote.
#   inside.sh GUEST-CPIO
dir=$(cd "$(dirname "$0")" && pwd -P)
work=$(mktemp -d)
cat "$VMRAS_GUEST_INITRD" "$1" >"$work/initrd" || exit 1
: >"$work/console"

# vmras keeps the terminal raw: end lines with CR LF.
say() { printf '\033[1mvmras demo (host): %s\033[0m\r\n' "$*" >/dev/tty 2>/dev/null || printf '%s\n' "$*" >&2; }

poison_when_ready() {
	gpa=
	while [ -z "$gpa" ]; do
		sleep 0.5
		gpa=$(tr -d '\r' <"$work/console" | sed -n 's/.*pageholder: demo pid=.* gpa=\(0x[0-9a-f]*\).*/\1/p' | head -n1)
		pidof vmras >/dev/null || return
	done
	say "poisoning guest page $gpa for real (hwpoison in the host kernel)"
	say "$(vmras-poison "$(pidof vmras)" "$gpa" 2>&1 | tail -n1)"
	t=0
	while [ ! -s "$work/events" ] && [ $t -lt 100 ]; do sleep 0.1; t=$((t + 1)); done
	if [ -s "$work/events" ]; then
		say "vmras's event (--event-log, QMP's MEMORY_FAILURE shape):"
		say "$(head -n1 "$work/events")"
	else
		say "no MEMORY_FAILURE event within 10 s"
	fi
}

poison_when_ready &
vmras --event-log "$work/events" --kernel "$VMRAS_GUEST_KERNEL" --initrd "$work/initrd" \
	--cpus 2 --memory 1G --append "console=ttyS0" | tee "$work/console"
rc=$?
wait
exit $rc
