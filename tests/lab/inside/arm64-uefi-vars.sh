#!/bin/sh
# Bring-up: edk2's shell under vmras --firmware sets a non-volatile
# variable (flash bank 1: erase and program), resets (PSCI SYSTEM_RESET:
# the firmware runs again from bank 0) and reads the variable back.
fw=${VMRAS_GUEST_FIRMWARE:?no VMRAS_GUEST_FIRMWARE in this lab}
g=5e0c1a8b-7d1f-4c55-9a36-2f0f4b1e7a11
keys() {
	sleep 20; printf '\r'; sleep 3
	printf 'setvar VmrasTest -guid %s -nv -bs =C0FFEE\r' $g; sleep 4
	printf 'setvar VmrasTest -guid %s\r' $g; sleep 3
	printf 'reset\r'; sleep 30; printf '\r'; sleep 3
	printf 'setvar VmrasTest -guid %s\r' $g; sleep 4
	printf 'reset -s\r'; sleep 10
}
t0=$(cut -d' ' -f1 /proc/uptime)
echo "uefi-vars: start at $t0"
keys | vmras --firmware "$fw" --memory 1G 2>&1 | tr '\r' '\n' | while IFS= read -r line; do
	case $line in *VmrasTest* | *UEFI\ firmware* | *Shell\>* | *vmras:* | *Synchronous* | *BdsDxe:\ start* | *C0* | *c0*)
		printf '[%s] %s\n' "$(cut -d' ' -f1 /proc/uptime)" "$line" ;;
	esac
done
echo "uefi-vars: vmras exit at $(cut -d' ' -f1 /proc/uptime)"
