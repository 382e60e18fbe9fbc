/* ACPI tables for an x86 vmras guest.
 *
 * The builder is pure: it lays tables out in a buffer as they will appear at
 * a given guest-physical address, so the bytes (and checksums) can be tested
 * without a VM and dumped for iasl. Later issues add tables (HEST) through
 * the same builder. */
#ifndef VMRAS_ACPI_ACPI_H
#define VMRAS_ACPI_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_MAX_TABLES 16

struct acpi_x86_config {
	unsigned ncpus;            /* LAPIC ids 0..ncpus-1 */
	uint64_t base_gpa;         /* where buf[0] lands in the guest */
	uint32_t lapic_addr;
	uint32_t ioapic_addr;
	uint16_t uart_port;        /* described in the DSDT as PNP0501 */
	uint8_t uart_irq;
	uint16_t sleep_ctl_port;   /* FADT SLEEP_CONTROL_REG (hardware-reduced) */
	uint16_t sleep_sts_port;   /* FADT SLEEP_STATUS_REG */
	uint16_t reset_port;       /* FADT RESET_REG */
	uint8_t reset_value;
	uint8_t s5_slp_typ;        /* \_S5 package value */
	uint16_t pvpanic_port;     /* described as QEMU0001 (ISA pvpanic); 0: no device */
	uint16_t ged_port;         /* Generic Event Device's event register; 0: no GED, no power button */
	uint8_t ged_gsi;           /* the GED's interrupt */
	/* APEI: a HEST with two GHESv2 sources (ACPI_GHES_SOURCE_AR, then _AO)
	 * when ghes_pointers_gpa is not 0; needs the GED (ged_port), whose
	 * interrupt notifies the AO source through a Hardware Error Device. */
	uint64_t ghes_pointers_gpa; /* two 64-bit block pointers, AR's then AO's */
	uint16_t ghes_ack_port[2];  /* their read-ack registers (32-bit I/O) */
};

/* Bits of the GED event register (ged_port): which events are pending. The
 * guest's _EVT reads the register, which clears it, and acts on each bit. */
#define ACPI_GED_EVENT_POWER_BUTTON 0x01
/* A GHES block holds a new record: Notify(HED, 0x80) (see hest.c). */
#define ACPI_GED_EVENT_HW_ERROR 0x02

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

/* Returns 0, or -1 with errno set (EINVAL for a bad config, ENOMEM, E2BIG
 * when the tables would not fit in X86_ACPI_MAX). On success out->buf holds
 * out->len bytes to copy to cfg->base_gpa; out->tables[] lists every table
 * (the RSDP included) and out->rsdp_gpa is where the RSDP lands. */
int acpi_build_x86(const struct acpi_x86_config *cfg, struct acpi_blob *out);
void acpi_blob_free(struct acpi_blob *blob);

/* The ACPI checksum rule: all bytes of a table sum to zero modulo 256. */
uint8_t acpi_checksum(const void *data, size_t len);

#endif
