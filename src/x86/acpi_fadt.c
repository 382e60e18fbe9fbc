#include "x86/acpi_tables.h"

/* Field offsets in the ACPI 6.x FADT. */
enum {
	FADT_DSDT = 40,
	FADT_PM_PROFILE = 45,
	FADT_IAPC_BOOT_ARCH = 109,
	FADT_FLAGS = 112,
	FADT_RESET_REG = 116,
	FADT_RESET_VALUE = 128,
	FADT_MINOR_VERSION = 131,
	FADT_X_DSDT = 140,
	FADT_SLEEP_CONTROL_REG = 244,
	FADT_SLEEP_STATUS_REG = 256,
	FADT_HYPERVISOR_VENDOR = 268,
};

/* An 8-bit port register, accessed a byte at a time. */
static void set_port_gas(struct acpi_builder *b, size_t at, uint16_t port)
{
	acpi_set8(b, at, ACPI_GAS_SYSTEM_IO);
	acpi_set8(b, at + 1, 8);
	acpi_set8(b, at + 2, 0);
	acpi_set8(b, at + 3, ACPI_GAS_ACCESS_BYTE);
	acpi_set64(b, at + 4, port);
}

size_t x86_acpi_add_fadt(struct acpi_builder *b, const struct x86_acpi_config *cfg,
			 size_t dsdt)
{
	/* Hardware-reduced ACPI: no PM1/GPE blocks, no SCI, SMI or FACS, so
	 * everything left zero is deliberately absent. Sleep and reset go
	 * through the three ports below, which the VMM owns. */
	size_t t = acpi_table_begin(b, "FACP", ACPI_FADT_REVISION);
	acpi_builder_reserve(b, ACPI_FADT_LEN - ACPI_HEADER_LEN);

	uint64_t dsdt_gpa = acpi_builder_gpa(b, dsdt);
	/* Both DSDT fields agree, which keeps ACPICA from warning about a
	 * 32/64-bit mismatch; the builder rejects a base above 4 GiB. */
	acpi_set32(b, t + FADT_DSDT, (uint32_t)dsdt_gpa);
	acpi_set64(b, t + FADT_X_DSDT, dsdt_gpa);
	acpi_set8(b, t + FADT_PM_PROFILE, 0);  /* unspecified */
	/* No 8042 and no legacy devices: Linux then skips i8042 probing. */
	acpi_set16(b, t + FADT_IAPC_BOOT_ARCH,
		   ACPI_IAPC_VGA_NOT_PRESENT | ACPI_IAPC_MSI_NOT_SUPPORTED |
		   ACPI_IAPC_CMOS_RTC_NOT_PRESENT);
	acpi_set32(b, t + FADT_FLAGS,
		   ACPI_FADT_WBINVD | ACPI_FADT_PWR_BUTTON | ACPI_FADT_SLP_BUTTON |
		   ACPI_FADT_RESET_REG_SUP | ACPI_FADT_HW_REDUCED_ACPI);
	set_port_gas(b, t + FADT_RESET_REG, cfg->reset_port);
	acpi_set8(b, t + FADT_RESET_VALUE, cfg->reset_value);
	acpi_set8(b, t + FADT_MINOR_VERSION, ACPI_FADT_MINOR);
	set_port_gas(b, t + FADT_SLEEP_CONTROL_REG, cfg->sleep_ctl_port);
	set_port_gas(b, t + FADT_SLEEP_STATUS_REG, cfg->sleep_sts_port);
	/* Spec'd as an opaque 64-bit id; ASCII reads well in a dump. */
	static const char vendor[8] = "VMRAS";
	for (unsigned i = 0; i < 8; i++)
		acpi_set8(b, t + FADT_HYPERVISOR_VENDOR + i, (uint8_t)vendor[i]);

	acpi_table_end(b, t);
	return t;
}
