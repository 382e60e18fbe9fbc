/* What an arch's ACPI table builder hands back: the tables laid out in one
 * buffer as they will appear at a given guest-physical address, so the
 * bytes (and checksums) can be tested without a VM and dumped for iasl.
 * Arch-neutral: each arch assembles its own tables (src/<arch>/acpi*.c)
 * with the builder (acpi/builder.h), the AML encoder (acpi/aml.h) and the
 * HEST (acpi/hest.h). */
#ifndef VMRAS_ACPI_ACPI_H
#define VMRAS_ACPI_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_TABLES 16

struct acpi_table_ref {
	char sig[5];               /* "RSDP", "XSDT", "FACP", "APIC", "DSDT", ... */
	size_t offset;             /* within buf */
	size_t length;
};

struct acpi_blob {
	uint8_t *buf;              /* malloc'd; caller frees with acpi_blob_free */
	size_t len;
	uint64_t rsdp_gpa;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned ntables;
};

void acpi_blob_free(struct acpi_blob *blob);

/* The ACPI checksum rule: all bytes of a table sum to zero modulo 256. */
uint8_t acpi_checksum(const void *data, size_t len);

#endif
