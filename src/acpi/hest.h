/* The Hardware Error Source Table with Generic Hardware Error Source v2
 * entries (ACPI 6.x §18.3.2.7–18.3.2.8): where a guest's GHES driver finds
 * the error status blocks the VMM fills and the register it acknowledges
 * them through. */
#ifndef VMRAS_ACPI_HEST_H
#define VMRAS_ACPI_HEST_H

#include "acpi/builder.h"

#include <stddef.h>
#include <stdint.h>

#define ACPI_HEST_REVISION 1
#define ACPI_HEST_HEADER_LEN (ACPI_HEADER_LEN + 4)   /* + Error Source Count */
#define ACPI_HEST_TYPE_GHES_V2 10
#define ACPI_GHES_V2_LEN 92
#define ACPI_HEST_NOTIFY_LEN 28

/* Notification Structure types (ACPI 6.x Table 18.14, partial). */
#define ACPI_HEST_NOTIFY_POLLED 0
#define ACPI_HEST_NOTIFY_EXTERNAL 1
#define ACPI_HEST_NOTIFY_SCI 3
#define ACPI_HEST_NOTIFY_NMI 4
#define ACPI_HEST_NOTIFY_SEA 8          /* arm64 Synchronous External Abort */
#define ACPI_HEST_NOTIFY_GSIV 10

/* Source ids of vmras's two sources: errors a vCPU consumed (action
 * required) and errors found before anyone touched them (action
 * optional). The one definition: the HEST, the GHES device and the RAS
 * core's choice of source (ras/apei.h) all use these. */
#define ACPI_GHES_SOURCE_AR 0
#define ACPI_GHES_SOURCE_AO 1

struct acpi_ghes_source {
	uint16_t source_id;
	uint32_t records_to_preallocate;
	uint32_t max_sections_per_record;
	uint32_t max_raw_data_length;
	/* GPA of a 64-bit register in guest memory that holds the GPA of the
	 * error status block: GHES adds this indirection, so the VMM could
	 * move the block without changing the table. */
	uint64_t error_status_address;
	uint32_t error_status_block_length;
	uint8_t read_ack_space;             /* ACPI_GAS_SYSTEM_MEMORY or ACPI_GAS_SYSTEM_IO */
	uint8_t read_ack_bits;              /* register width: 32 (I/O) or 64 (memory) */
	uint64_t read_ack_address;          /* GPA or I/O port of the read-ack register */
	uint64_t read_ack_preserve;
	uint64_t read_ack_write;
	uint8_t notify_type;                /* ACPI_HEST_NOTIFY_* */
	uint32_t poll_interval_ms;          /* polled only */
	uint32_t notify_vector;             /* external interrupt or GSIV: the GSI */
};

/* A source as vmras describes it on every arch: one record of one section
 * per block, a block of ACPI_GHES_BLOCK_LEN bytes whose pointer is at
 * error_status_address. Read-ack register and notification are zero: the
 * arch fills them (acpi_ghes_source_read_ack, notify_type/notify_vector). */
#define ACPI_GHES_BLOCK_LEN 4096
void acpi_ghes_source_init(struct acpi_ghes_source *src, uint16_t source_id,
			   uint64_t error_status_address);
/* The read-ack register: bits (32 or 64) wide at address in space
 * (ACPI_GAS_SYSTEM_IO or ACPI_GAS_SYSTEM_MEMORY); the guest acknowledges a
 * record by setting its bit 0. */
void acpi_ghes_source_read_ack(struct acpi_ghes_source *src, uint8_t space, uint8_t bits,
			       uint64_t address);

/* HEST with n GHESv2 entries; returns its offset. Failures (EINVAL for an
 * n of 0 or a block shorter than a status block header) stay in the
 * builder. */
size_t acpi_add_hest(struct acpi_builder *b, const struct acpi_ghes_source *src, unsigned n);
/* The same HEST for a relocatable builder: each source's
 * error_status_address is an offset into fw_cfg file status_file (the
 * loader's etc/hardware_errors), and its field is recorded as a pointer
 * there, which the firmware turns into the address. */
size_t acpi_add_hest_linked(struct acpi_builder *b, const struct acpi_ghes_source *src, unsigned n,
			    const char *status_file);
/* Where a GHESv2 entry's Error Status Address (the GAS's 64-bit address)
 * lies within the entry. */
#define ACPI_GHES_V2_STATUS_ADDR_OFF 24

#endif
