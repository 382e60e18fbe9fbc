/* The tables x86_acpi_build() assembles, one builder call each. */
#ifndef VMRAS_X86_ACPI_TABLES_H
#define VMRAS_X86_ACPI_TABLES_H

#include "x86/acpi.h"
#include "acpi/builder.h"

/* FADT (ACPI 6.3: revision 6, minor 3, 276 bytes). */
#define ACPI_FADT_REVISION 6
#define ACPI_FADT_MINOR 3
#define ACPI_FADT_LEN 276
/* FADT Flags. */
#define ACPI_FADT_WBINVD (1u << 0)
#define ACPI_FADT_PWR_BUTTON (1u << 4)   /* set: no fixed-feature power button */
#define ACPI_FADT_SLP_BUTTON (1u << 5)   /* set: no fixed-feature sleep button */
#define ACPI_FADT_RESET_REG_SUP (1u << 10)
#define ACPI_FADT_HW_REDUCED_ACPI (1u << 20)
/* FADT IAPC_BOOT_ARCH. */
#define ACPI_IAPC_LEGACY_DEVICES (1u << 0)
#define ACPI_IAPC_8042 (1u << 1)
#define ACPI_IAPC_VGA_NOT_PRESENT (1u << 2)
#define ACPI_IAPC_MSI_NOT_SUPPORTED (1u << 3)
#define ACPI_IAPC_CMOS_RTC_NOT_PRESENT (1u << 5)

/* MADT (ACPI 6.3: revision 5). */
#define ACPI_MADT_REVISION 5
#define ACPI_MADT_PCAT_COMPAT (1u << 0)
#define ACPI_MADT_LOCAL_APIC 0
#define ACPI_MADT_IO_APIC 1
#define ACPI_MADT_LOCAL_APIC_NMI 4
#define ACPI_MADT_ALL_PROCESSORS 0xff

/* DSDT revision 2: 64-bit AML integers. */
#define ACPI_DSDT_REVISION 2

/* Each returns the table's offset; failures are left in the builder. */
size_t x86_acpi_add_dsdt(struct acpi_builder *b, const struct x86_acpi_config *cfg);
size_t x86_acpi_add_fadt(struct acpi_builder *b, const struct x86_acpi_config *cfg,
			 size_t dsdt);
size_t x86_acpi_add_madt(struct acpi_builder *b, const struct x86_acpi_config *cfg);

#endif
