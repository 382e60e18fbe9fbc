#!/usr/bin/env bash
# Cross-checks the x86 ACPI tables with ACPICA's disassembler: every table
# must decode without a warning, error or checksum complaint (iasl exits 0
# even then, so its text is what counts), show the field values vmras meant,
# and the DSDT must recompile. iasl cannot load an RSDP from a file, so that
# one is checked here byte by byte. The HEST, whose every field is a value
# the guest's GHES driver acts on, is compared field for field.
# Usage: acpi_iasl.sh ACPI_DUMP
set -euo pipefail

dump=${1:?usage: acpi_iasl.sh ACPI_DUMP}
NAME=acpi_iasl
# shellcheck source=iasl_lib.sh
. "$(dirname "$0")/iasl_lib.sh"

# The lines of the Generic Address Structure that follows a field label.
gas() {
	local t=$1 label=$2 addr=$3 block
	block=$(norm "$t" | grep -F -A5 -- "] $label : [Generic Address Structure]" || true)
	for want in "Space ID : 01 [SystemIO]" "Bit Width : 08" "Bit Offset : 00" \
		"Encoded Access Width : 01" "Address : $addr"; do
		grep -Fq -- "$want" <<<"$block" || fail "$t $label lacks '$want'"
	done
}

# The x86 sources: AR notified by NMI (a vCPU stuck on the error may have
# interrupts off), AO by the GED's interrupt; each acknowledged through a
# 32-bit I/O port so the acknowledge traps.
x86_sources() {
	local io="01 [SystemIO]" bits=20 access="03 [DWord Access:32]"
	hest_source 0000 "$GHES_STATUS_AR" "04 [NMI]" 00000000 "$io" $bits "$access" "$GHES_ACK_AR"
	hest_source 0001 "$GHES_STATUS_AO" "0A [GSIV]" "$GED_GSI" "$io" $bits "$access" "$GHES_ACK_AO"
}

# With 8 vCPUs, two virtio devices (--disk); with 255, the most there are.
for ncpus in 1 2 8 255; do
	dir=$work/$ncpus
	case $ncpus in 8) nvirtio=2 ;; 255) nvirtio=8 ;; *) nvirtio=0 ;; esac
	mkdir -p "$dir"
	$wrap "$dump" "$dir" "$ncpus" "$nvirtio"
	# shellcheck source=/dev/null
	. "$dir/config.sh"

	check_rsdp
	for t in XSDT FACP APIC HEST; do
		run_iasl "$t" -d "$t.dat"
		dsl_quiet "$t"
	done
	# Later SSDTs resolve the DSDT's external references.
	ext=()
	for f in "$dir"/SSDT*.dat; do [ -e "$f" ] && ext+=(-e "$(basename "$f")"); done
	run_iasl DSDT "${ext[@]}" -d DSDT.dat
	run_iasl recompile -p recompiled DSDT.dsl
	grep -Fq 'Compilation successful. 0 Errors, 0 Warnings' "$dir/recompile.log" ||
		fail "DSDT.dsl does not recompile cleanly"

	has XSDT "ACPI Table Address 0 : $GPA_FACP" "ACPI Table Address 1 : $GPA_APIC" \
		"ACPI Table Address 2 : $GPA_HEST"
	count XSDT "ACPI Table Address" 3
	check_hest x86_sources

	has FACP "Table Length : 00000114" "Revision : 06" "FADT Minor Revision : 03" \
		"Hardware Reduced (V5) : 1" "Reset Register Supported (V2) : 1" \
		"Control Method Power Button (V1) : 1" "Control Method Sleep Button (V1) : 1" \
		"Legacy Devices Supported (V2) : 0" "8042 Present on ports 60/64 (V2) : 0" \
		"VGA Not Present (V4) : 1" "MSI Not Supported (V4) : 1" \
		"CMOS RTC Not Present (V5) : 1" "Low Power S0 Idle (V5) : 0" \
		"SCI Interrupt : 0000" "SMI Command Port : 00000000" \
		"PM1A Event Block Address : 00000000" "PM1A Control Block Address : 00000000" \
		"FACS Address : 00000000" "FACS Address : 0000000000000000" \
		"DSDT Address : ${GPA_DSDT:8}" "DSDT Address : $GPA_DSDT" \
		"Value to cause reset : $RESET_VALUE"
	gas FACP "Reset Register" "$RESET_REG"
	gas FACP "Sleep Control Register" "$SLEEP_CTL"
	gas FACP "Sleep Status Register" "$SLEEP_STS"

	has APIC "Revision : 05" "Local Apic Address : $LAPIC" "PC-AT Compatibility : 1" \
		"I/O Apic ID : $(printf '%02X' "$ncpus")" "Address : $IOAPIC" "Interrupt : 00000000" \
		"Processor ID : FF" "Interrupt Input LINT : 01"
	count APIC "[Processor Local APIC]" "$ncpus"
	count APIC "Processor Enabled : 1" "$ncpus"
	count APIC "[I/O APIC]" 1
	count APIC "[Local APIC NMI]" 1
	count APIC "[Interrupt Source Override]" 0
	last=$(printf '%02X' $((ncpus - 1)))
	has APIC "Processor ID : 00" "Local Apic ID : 00" "Processor ID : $last" "Local Apic ID : $last"

	has DSDT 'Scope (\_SB)' 'Device (COM1)' 'Name (_HID, EisaId ("PNP0501")' 'Name (_UID, Zero)' \
		'IO (Decode16, 0x'"$UART_PORT"', // Range Minimum 0x'"$UART_PORT"', // Range Maximum 0x00, // Alignment 0x08, // Length )' \
		"IRQNoFlags () {$UART_IRQ}" \
		'Device (PEVT)' 'Name (_HID, "QEMU0001")' 'Name (_STA, 0x0F)' \
		'IO (Decode16, 0x'"$PVPANIC_PORT"', // Range Minimum 0x'"$PVPANIC_PORT"', // Range Maximum 0x01, // Alignment 0x01, // Length )' \
		'Name (\_S5, Package (0x04) // _S5_: S5 System State { 0x'"$S5_SLP_TYP"', Zero, Zero, Zero })'
	# The power button: a PNP0C0C device and the Generic Event Device whose
	# _EVT notifies it when the event register's bit 0 is set, and the
	# Hardware Error Device it notifies for bit 1 (a GHES record). The
	# register clears when read, so _EVT reads it once.
	has DSDT 'Device (PWRB) { Name (_HID, EisaId ("PNP0C0C") /* Power Button Device */)' \
		'Device (GED0) { Name (_HID, "ACPI0013" /* Generic Event Device */)' \
		'Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x'"$GED_GSI"', }' \
		'OperationRegion (EREG, SystemIO, 0x'"$GED_PORT"', One)' \
		'Field (EREG, ByteAcc, NoLock, Preserve) { EVTS, 8 }' \
		'Method (_EVT, 1, NotSerialized) // _EVT: Event { Local0 = EVTS /* \_SB_.GED0.EVTS */ If ((Local0 & One)) { Notify (PWRB, 0x80) // Status Change } If ((Local0 & 0x02)) { Notify (HED0, 0x80) // Status Change } }' \
		'Device (HED0) { Name (_HID, EisaId ("PNP0C33") /* Error Device */)'
	# virtio-mmio: what Linux's virtio_mmio driver matches (LNRO0005), each
	# its own window and level-triggered GSI from 16 up.
	count DSDT 'Name (_HID, "LNRO0005")' "$nvirtio"
	for ((i = 0; i < nvirtio; i++)); do
		has DSDT "Device (VR0$i) { Name (_HID, \"LNRO0005\")" \
			"Memory32Fixed (ReadWrite, 0x$(printf '%08X' $((0xd0000000 + i * 0x200))), // Address Base 0x00000200, // Address Length )" \
			"Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, ) { 0x$(printf '%08X' $((16 + i))), }"
	done
done

if [ "$failed" -ne 0 ]; then
	echo "acpi_iasl: disassemblies kept in $work" >&2
	exit 1
fi
for f in "$work"/2/*.dsl; do
	echo "== $(basename "$f")"
	grep -Ev '^ \*|^/\*|^$' "$f" | grep -Ev '^ +[0-9A-F]{4}: ' || true
done
rm -rf "$work"
echo "acpi_iasl: RSDP, XSDT, FACP, APIC, HEST and DSDT check out for 1, 2, 8 and 255 cpus"
