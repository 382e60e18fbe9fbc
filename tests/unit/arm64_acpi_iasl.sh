#!/usr/bin/env bash
# Cross-checks the arm64 ACPI tables with ACPICA's disassembler, as the
# guest gets them: arm64_acpi_dump runs the table-loader script through a
# simulated firmware (pointers linked, checksums filled) and writes each
# table. Every table must decode without a warning, error or checksum
# complaint (iasl exits 0 even then, so its text is what counts), show the
# values vmras meant, and the DSDT must recompile; the HEST is compared
# field for field. The RSDP, which iasl cannot load from a file, is
# checked here byte by byte.
# Usage: arm64_acpi_iasl.sh ARM64_ACPI_DUMP
set -euo pipefail

dump=${1:?usage: arm64_acpi_iasl.sh ARM64_ACPI_DUMP}
NAME=arm64_acpi_iasl
# shellcheck source=iasl_lib.sh
. "$(dirname "$0")/iasl_lib.sh"

# vmras's two arm64 sources: AR notified by SEA, AO by the GED's SPI 9
# (GSIV 41); each acknowledged through a 64-bit MMIO register.
arm64_sources() {
	local mem="00 [SystemMemory]" bits=40 access="04 [QWord Access:64]"
	hest_source 0000 "$GHES_STATUS_AR" "08 [SEA]" 00000000 "$mem" $bits "$access" "$GHES_ACK_AR"
	hest_source 0001 "$GHES_STATUS_AO" "0A [GSIV]" 00000029 "$mem" $bits "$access" "$GHES_ACK_AO"
}

# With 17 vCPUs, two virtio devices (--disk); with 256, the most there are.
for ncpus in 1 2 17 256; do
	dir=$work/$ncpus
	case $ncpus in 17) nvirtio=2 ;; 256) nvirtio=8 ;; *) nvirtio=0 ;; esac
	mkdir -p "$dir"
	$wrap "$dump" "$dir" "$ncpus" "$nvirtio"
	# shellcheck source=/dev/null
	. "$dir/config.sh"

	check_rsdp
	for t in XSDT FACP APIC GTDT SPCR HEST; do
		run_iasl "$t" -d "$t.dat"
		dsl_quiet "$t"
	done
	run_iasl DSDT -d DSDT.dat
	run_iasl recompile -p recompiled DSDT.dsl
	grep -Fq 'Compilation successful. 0 Errors, 0 Warnings' "$dir/recompile.log" ||
		fail "DSDT.dsl does not recompile cleanly"

	has XSDT "ACPI Table Address 0 : $GPA_FACP" "ACPI Table Address 1 : $GPA_APIC" \
		"ACPI Table Address 2 : $GPA_GTDT" "ACPI Table Address 3 : $GPA_SPCR" \
		"ACPI Table Address 4 : $GPA_HEST"
	count XSDT "ACPI Table Address" 5
	check_hest arm64_sources

	has FACP "Table Length : 00000114" "Revision : 06" "FADT Minor Revision : 00" \
		"Hardware Reduced (V5) : 1" "PSCI Compliant : 1" "Must use HVC for PSCI : 1" \
		"FACS Address : 00000000" "DSDT Address : 00000000" "DSDT Address : $GPA_DSDT"

	has APIC "Revision : 04" "Subtable Type : 0C [Generic Interrupt Distributor]" \
		"Base Address : 0000000008000000" "Version : 03" \
		"Subtable Type : 0E [Generic Interrupt Redistributor]" \
		"Base Address : 000000000C000000" \
		"Length : $(printf '%08X' $((ncpus * 0x20000)))"
	count APIC "[Generic Interrupt Controller]" "$ncpus"
	count APIC "Virtual GIC Interrupt : 00000019" "$ncpus"
	last=$(printf '%08X' $((ncpus - 1)))
	has APIC "Processor UID : $last"

	has GTDT "Revision : 02" "Secure EL1 Interrupt : 0000001D" \
		"Non-Secure EL1 Interrupt : 0000001E" \
		"Virtual Timer Interrupt : 0000001B" "Non-Secure EL2 Interrupt : 0000001A" \
		"Timer Count : 00000000"

	# Level-triggered, active-high; only the non-secure EL1 timer always on.
	count GTDT "Trigger Mode : 0" 4
	count GTDT "Polarity : 0" 4
	count GTDT "Always On : 1" 1

	has SPCR "Revision : 02" "Interface Type : 03" "Address : 0000000009000000" \
		"Interrupt Type : 08" "Interrupt : 00000021" "Baud Rate : 07" "Flow Control : 00"

	count DSDT 'Name (_HID, "ACPI0007"' "$ncpus"
	has DSDT 'Device (COM0) { Name (_HID, "ARMH0011")' \
		'Memory32Fixed (ReadWrite, 0x09000000, // Address Base 0x00001000, // Address Length )' \
		'Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, ) { 0x00000021, }' \
		'Device (PEVT) { Name (_HID, "QEMU0001")' \
		'Memory32Fixed (ReadWrite, 0x09060000, // Address Base 0x00000002, // Address Length )' \
		'Device (HED0) { Name (_HID, EisaId ("PNP0C33")' \
		'Device (PWRB) { Name (_HID, EisaId ("PNP0C0C")' \
		'Device (GED0) { Name (_HID, "ACPI0013"' \
		'Interrupt (ResourceConsumer, Edge, ActiveHigh, Exclusive, ,, ) { 0x00000029, }' \
		'OperationRegion (EREG, SystemMemory, 0x09080000, One)' \
		'Field (EREG, ByteAcc, NoLock, Preserve) { EVTS, 8 }' \
		'Method (_EVT, 1, NotSerialized) // _EVT: Event { Local0 = EVTS /* \_SB_.GED0.EVTS */ If ((Local0 & One)) { Notify (PWRB, 0x80) // Status Change } If ((Local0 & 0x02)) { Notify (HED0, 0x80) // Status Change } }'
	# virtio-mmio where virt has it: 0x0a000000 up, SPIs 16 up (INTIDs 48 up).
	count DSDT 'Name (_HID, "LNRO0005")' "$nvirtio"
	for ((i = 0; i < nvirtio; i++)); do
		has DSDT "Device (VR0$i) { Name (_HID, \"LNRO0005\")" \
			"Memory32Fixed (ReadWrite, 0x$(printf '%08X' $((0x0a000000 + i * 0x200))), // Address Base 0x00000200, // Address Length )" \
			"Interrupt (ResourceConsumer, Level, ActiveHigh, Exclusive, ,, ) { 0x$(printf '%08X' $((48 + i))), }"
	done
done

if [ "$failed" -ne 0 ]; then
	echo "arm64_acpi_iasl: disassemblies kept in $work" >&2
	exit 1
fi
rm -rf "$work"
echo "arm64_acpi_iasl: RSDP, XSDT, FACP, APIC, GTDT, SPCR, HEST and DSDT check out for 1, 2, 17 and 256 cpus"
