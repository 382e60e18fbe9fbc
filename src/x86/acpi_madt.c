#include "x86/acpi_tables.h"

size_t x86_acpi_add_madt(struct acpi_builder *b, const struct x86_acpi_config *cfg)
{
	size_t t = acpi_table_begin(b, "APIC", ACPI_MADT_REVISION);
	acpi_put32(b, cfg->lapic_addr);
	/* KVM's in-kernel irqchip includes a pair of 8259s; the flag tells
	 * the OS they exist and need masking before it uses the I/O APIC. */
	acpi_put32(b, ACPI_MADT_PCAT_COMPAT);

	for (unsigned cpu = 0; cpu < cfg->ncpus; cpu++) {
		acpi_put8(b, ACPI_MADT_LOCAL_APIC);
		acpi_put8(b, 8);
		acpi_put8(b, (uint8_t)cpu);        /* ACPI processor UID */
		acpi_put8(b, (uint8_t)cpu);        /* APIC id */
		acpi_put32(b, 1);                  /* enabled */
	}

	/* An id past every LAPIC id; x86-64 Linux only needs it unique among
	 * I/O APICs, but distinct ids keep 32-bit guests from renumbering. */
	acpi_put8(b, ACPI_MADT_IO_APIC);
	acpi_put8(b, 12);
	acpi_put8(b, (uint8_t)cfg->ncpus);
	acpi_put8(b, 0);
	acpi_put32(b, cfg->ioapic_addr);
	acpi_put32(b, 0);                          /* GSI base */

	/* No Interrupt Source Overrides: KVM routes ISA IRQ n to I/O APIC pin
	 * n, which is what the OS assumes when none is given. An IRQ0->GSI2
	 * override, as on real chipsets, would point the timer at a pin KVM
	 * never raises for it. */

	acpi_put8(b, ACPI_MADT_LOCAL_APIC_NMI);
	acpi_put8(b, 6);
	acpi_put8(b, ACPI_MADT_ALL_PROCESSORS);
	acpi_put16(b, 0);                          /* polarity/trigger: bus default */
	acpi_put8(b, 1);                           /* LINT1 */

	acpi_table_end(b, t);
	return t;
}
