/* Lays ACPI tables out in one buffer destined for a fixed guest-physical
 * address, and keeps the list of tables for the XSDT and for callers.
 *
 * Errors are sticky: once an append fails, later calls do nothing and
 * acpi_builder_finish() reports the first errno, so tables are written as
 * straight-line code. Offsets stay valid as the buffer grows; pointers into
 * it do not, hence the acpi_set* patch helpers. */
#ifndef VMRAS_ACPI_BUILDER_H
#define VMRAS_ACPI_BUILDER_H

#include "acpi/acpi.h"

#include <stddef.h>
#include <stdint.h>

#define ACPI_HEADER_LEN 36
#define ACPI_RSDP_LEN 36
#define ACPI_OEM_ID "VMRAS "
#define ACPI_CREATOR_ID "VMRS"
#define ACPI_CREATOR_REVISION 1

/* Generic Address Structure address space ids. */
#define ACPI_GAS_SYSTEM_MEMORY 0
#define ACPI_GAS_SYSTEM_IO 1
/* GAS access sizes. */
#define ACPI_GAS_ACCESS_BYTE 1

struct acpi_builder {
	uint8_t *buf;
	size_t len, cap, max;
	uint64_t base_gpa;
	int err;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned ntables;
};

void acpi_builder_init(struct acpi_builder *b, uint64_t base_gpa, size_t max);
/* Hands the buffer and table list to out (0), or frees them and returns -1
 * with errno (ENOMEM; E2BIG past max or ACPI_MAX_TABLES; EINVAL misuse). */
int acpi_builder_finish(struct acpi_builder *b, struct acpi_blob *out);

/* Records an error from outside the builder (an AML encoder's). */
void acpi_builder_fail(struct acpi_builder *b, int err);
uint64_t acpi_builder_gpa(const struct acpi_builder *b, size_t off);
void acpi_builder_align(struct acpi_builder *b, size_t align);
/* Appends n zero bytes and returns their offset. */
size_t acpi_builder_reserve(struct acpi_builder *b, size_t n);

void acpi_put(struct acpi_builder *b, const void *data, size_t n);
void acpi_put8(struct acpi_builder *b, uint8_t v);
void acpi_put16(struct acpi_builder *b, uint16_t v);
void acpi_put32(struct acpi_builder *b, uint32_t v);
void acpi_put64(struct acpi_builder *b, uint64_t v);
/* Fixed-width ASCII id field, padded with spaces. */
void acpi_put_id(struct acpi_builder *b, const char *s, size_t width);
/* Generic Address Structure (12 bytes). */
void acpi_put_gas(struct acpi_builder *b, uint8_t space_id, uint8_t bit_width,
		  uint8_t bit_offset, uint8_t access_size, uint64_t addr);

void acpi_set8(struct acpi_builder *b, size_t off, uint8_t v);
void acpi_set16(struct acpi_builder *b, size_t off, uint16_t v);
void acpi_set32(struct acpi_builder *b, size_t off, uint32_t v);
void acpi_set64(struct acpi_builder *b, size_t off, uint64_t v);

/* Starts a table with the common 36-byte header (8-byte aligned) and
 * returns its offset; acpi_table_end() fills length and checksum and adds it
 * to the table list. */
size_t acpi_table_begin(struct acpi_builder *b, const char sig[4], uint8_t revision);
void acpi_table_end(struct acpi_builder *b, size_t off);
/* Offset of a finished table by signature, or SIZE_MAX. */
size_t acpi_table_find(const struct acpi_builder *b, const char *sig);

/* The RSDP goes first so it lands on a 16-byte boundary at base_gpa, where
 * the legacy scan looks; it is filled in once the XSDT exists. */
size_t acpi_rsdp_reserve(struct acpi_builder *b);
void acpi_rsdp_fill(struct acpi_builder *b, size_t rsdp, size_t xsdt);
/* XSDT listing every table so far except those reached another way (the
 * DSDT and FACS through the FADT, the RSDP). */
size_t acpi_add_xsdt(struct acpi_builder *b);

#endif
