/* ACPI tables for an x86 vmras guest: a hardware-reduced PC (FADT, MADT,
 * DSDT, with APEI a HEST, with errors of a previous boot a BERT), built with the shared ACPI builder. */
#ifndef VMRAS_X86_ACPI_H
#define VMRAS_X86_ACPI_H

#include <stdint.h>

#include "acpi/acpi.h"
#include "acpi/hest.h"

struct x86_acpi_config {
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
	/* A BERT pointing at a Boot Error Region of bert_region_len bytes at
	 * bert_region_gpa; none when the length is 0. */
	uint64_t bert_region_gpa;
	uint32_t bert_region_len;
	/* virtio-mmio devices: virtio_count windows from virtio_base, one every
	 * virtio_stride bytes, on GSIs from virtio_gsi_base up. */
	unsigned virtio_count;
	uint64_t virtio_base;
	uint64_t virtio_stride;
	uint32_t virtio_gsi_base;
};

/* Returns 0, or -1 with errno set (EINVAL for a bad config, ENOMEM, E2BIG
 * when the tables would not fit in X86_ACPI_MAX). On success out->buf holds
 * out->len bytes to copy to cfg->base_gpa; out->tables[] lists every table
 * (the RSDP included) and out->rsdp_gpa is where the RSDP lands. */
int x86_acpi_build(const struct x86_acpi_config *cfg, struct acpi_blob *out);

/* An x86 GHESv2 source as vmras describes it (acpi_ghes_source_init's
 * block), acknowledged by the guest writing 1 to bit 0 of a 32-bit
 * read-ack register in I/O space, and notified by notify_type: a GSIV or
 * external interrupt on gsi, or an NMI (gsi unused). */
void x86_ghes_source(struct acpi_ghes_source *src, uint16_t source_id,
		     uint64_t error_status_address, uint16_t read_ack_port,
		     uint8_t notify_type, uint32_t gsi);

#endif
