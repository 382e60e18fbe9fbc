#!/bin/sh
# The Debian arm64 guest boots through UEFI (edk2, --firmware) with ACPI
# under the aarch64 vmras, in the arm64 lab (tests/lab/test-arm64-uefi.sh):
# 1 and 2 vCPUs see all their CPUs and memory and find vmras's ACPI tables
# (the HEST among them), power-off ends vmras with 0, a reboot runs the
# firmware again and boots again, and system_powerdown reaches the guest
# through the ACPI power button behind the GED.
dir=$(cd "$(dirname "$0")" && pwd -P)
. "$dir/lib.sh"
. "$dir/mce-lib.sh"
. "$dir/qmp-lib.sh"

fw=${VMRAS_GUEST_FIRMWARE:?no VMRAS_GUEST_FIRMWARE in this lab}
[ "$fw" = /usr/share/qemu-efi-aarch64/QEMU_EFI.fd ] || { fail "" "the lab's firmware is at $fw, not Debian's path"; finish; }
# Booted through ACPI, not the DT: the tables are in sysfs, the HEST was
# parsed, and Linux says it found no DT to boot from.
facts="$GUEST_FACTS"'
echo "ACPI_TABLES=$(ls /sys/firmware/acpi/tables | grep -E "^(APIC|DSDT|FACP|GTDT|HEST|SPCR)$" | tr "\n" " ")"
echo "EFI=$([ -d /sys/firmware/efi ] && echo yes)"
echo "DT=$([ -d /proc/device-tree ] && echo yes)"
echo "HEST_INIT=$(dmesg | grep -c "HEST: Table parsing has been initialized")"
'

check_uefi() { # NAME CPUS MEM_MIB RC
	check_guest "$@" || return 1
	is "$1" "ACPI tables" "$(value "$1" ACPI_TABLES)" "APIC DSDT FACP GTDT HEST SPCR "
	is "$1" "booted through EFI" "$(value "$1" EFI)" yes
	is "$1" "no device tree" "$(value "$1" DT)" ""
	is "$1" "HEST parsed" "$(value "$1" HEST_INIT)" 1
	[ -n "$MEMTOTAL_PCT" ] && say "  $1: $MEMTOTAL_PCT"
	return 0
}

# Without --firmware: the arm64 vmras boots through Debian's edk2 where it
# is installed (the lab's test host has it where qemu-efi-aarch64 puts it).
guest uefi-one-cpu "$facts" --cpus 1 --memory 512M
if ! check_uefi uefi-one-cpu 1 512 $?; then
	say "the first guest did not boot through UEFI: not trying the others"
	finish
fi
guest uefi-two-cpus "$facts" --firmware "$fw" --cpus 2 --memory 512M
check_uefi uefi-two-cpus 2 512 $?

# A reboot from the guest (PSCI SYSTEM_RESET) and QMP's system_reset: the
# firmware runs again each time and boots the kernel again; then
# system_powerdown presses the ACPI power button (GED event, PNP0C0C), the
# guest's acpid powers off and vmras exits 0.
n=uefi-reset
SOCK=$LOGS/uefi.sock
script=$(printf '%s\n' '[ -e /sys/firmware/acpi/tables/HEST ] && echo "vmras-test: acpi"
echo "vmras-test: up"; while :; do sleep 1; done' | base64 | tr -d '\n')
vm_start $n --firmware "$fw" --kernel "$VMRAS_GUEST_KERNEL" --initrd "$VMRAS_GUEST_INITRD" --cpus 2 --memory 512M \
	--append "console=ttyAMA0 quiet vmras.run=$script" --qmp "unix:$SOCK"
qmp_follow "$LOGS/uefi.events"
vm_wait_line $n 'vmras-test: up' 1 180 || fail $n "$n: the guest did not boot through UEFI"
is $n "system_reset" "$(ctl system_reset)" '{"return":{}}'
vm_wait_line $n 'vmras-test: up' 2 180 || fail $n "$n: the guest did not boot again after system_reset"
has $n '^vmras: guest reset' "vmras logged the guest's reset"
is $n "booted through the firmware with ACPI both times" "$(lines $n 'vmras-test: acpi')" 2
is $n "system_powerdown" "$(ctl system_powerdown)" '{"return":{}}'
vm_wait_exit $n 90
is_exit $n 0
wait "$FOLLOWER"
has $n '^vmras-guest: power button pressed, powering off' "the guest's acpid acted on the ACPI power button"
order=$(sed -n 's/.*"event":"\([A-Z_]*\)".*/\1/p' "$LOGS/uefi.events" | tr '\n' ' ')
is $n "events seen by the QMP client" "$order" "RESET POWERDOWN SHUTDOWN "
finish
