#include "x86/acpi.h"

void x86_ghes_source(struct acpi_ghes_source *src, uint16_t source_id,
		     uint64_t error_status_address, uint16_t read_ack_port,
		     uint8_t notify_type, uint32_t gsi)
{
	acpi_ghes_source_init(src, source_id, error_status_address);
	/* In I/O space, the guest's acknowledge is a port write that exits to
	 * the VMM at once: the next queued record goes out without polling. */
	acpi_ghes_source_read_ack(src, ACPI_GAS_SYSTEM_IO, 32, read_ack_port);
	/* The choice per source is the machine's (acpi.c, docs/architecture.md):
	 * - NMI (type 4): the one x86 notification that interrupts a vCPU
	 *   with interrupts disabled, for errors a vCPU is stuck on;
	 * - GSIV (type 10): on a hardware-reduced machine an interrupt whose
	 *   event method notifies the Hardware Error Device (PNP0C33); Linux
	 *   treats SCI, GSIV and GPIO alike, through the HED;
	 * - external interrupt (type 1) would have Linux request the GSI
	 *   itself, which an x86 guest without a legacy PIC cannot map for an
	 *   ISA line no device declared ("Failed to map GSI to IRQ");
	 * - polled costs every idle guest a timer wakeup per source and adds
	 *   up to a poll interval of delay before the page is isolated. */
	src->notify_type = notify_type;
	src->notify_vector = notify_type == ACPI_HEST_NOTIFY_NMI ? 0 : gsi;
}
