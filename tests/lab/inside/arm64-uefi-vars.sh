#!/bin/sh
# The UEFI variable store survives a guest reset (tests/lab/test-arm64-uefi-vars.sh):
# edk2's shell under vmras --firmware (no kernel: the boot manager ends in the
# shell) finds no variable VmrasTest, sets it non-volatile (flash bank 1:
# erase and program through the CFI model), resets (PSCI SYSTEM_RESET: a new
# VM, the firmware runs again from bank 0 and reads its store from bank 1),
# reads the variable back, and shuts down (reset -s: PSCI SYSTEM_OFF, exit 0).
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"

fw=${VMRAS_GUEST_FIRMWARE:?no VMRAS_GUEST_FIRMWARE in this lab}
g=5e0c1a8b-7d1f-4c55-9a36-2f0f4b1e7a11
n=uefi-vars

# Sends a shell command once the COUNT-th prompt is there.
at_prompt() { # COUNT COMMAND
	if vm_wait_line $n 'Shell> ' "$1" 120; then
		vm_send "$2$(printf '\r')"
	else
		fail $n "$n: no shell prompt #$1 (for '$2')"
		return 1
	fi
}

vm_start $n --firmware "$fw" --cpus 1 --memory 256M
# Any key skips the startup.nsh countdown.
vm_wait_line $n 'startup.nsh' 1 120 && vm_send "$(printf '\r')"
at_prompt 1 "setvar VmrasTest -guid $g" &&
	at_prompt 2 "setvar VmrasTest -guid $g -nv -bs =C0FFEE" &&
	at_prompt 3 "setvar VmrasTest -guid $g" &&
	at_prompt 4 reset &&
	{ vm_wait_line $n 'startup.nsh' 2 120 && vm_send "$(printf '\r')"; } &&
	at_prompt 5 "setvar VmrasTest -guid $g" &&
	at_prompt 6 "reset -s"
vm_wait_exit $n 60
is_exit $n 0
has $n '^vmras: guest reset' "vmras reset the VM"
is $n "UEFI firmware banners (one per boot)" "$(lines $n 'UEFI firmware')" 2
# Before the set: not found; after it, and after the reset: the value.
is $n "variable shown with its 3 bytes (after the set, after the reset)" "$(lines $n 'VmrasTest - 0003 Bytes')" 2
is $n "values C0 FF EE read" "$(lines $n 'C0 FF EE')" 2
after=$(sed -n '/vmras: guest reset/,$p' "$LOGS/$n.txt" | grep -c 'C0 FF EE')
is $n "values read after the reset" "$after" 1
is $n "reads that found no variable (the one before the set)" "$(lines $n 'setvar: Unable to get - .* - VmrasTest')" 1
before=$(sed -n '1,/setvar VmrasTest -guid [0-9a-f-]* -nv/p' "$LOGS/$n.txt" | grep -c 'VmrasTest - 0003 Bytes')
is $n "variable present before it was set (a fresh store)" "$before" 0
grep -E 'VmrasTest|C0 FF EE|vmras:' "$LOGS/$n.txt" | sed 's/^/observed: /'
finish
