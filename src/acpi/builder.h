/* Lays ACPI tables out in one buffer destined for a fixed guest-physical
 * address, and keeps the list of tables for the XSDT and for callers.
 *
 * Or, relocatable (acpi_builder_init_relocatable), for firmware that
 * places the tables itself through the table loader (acpi/loader.h): the
 * buffer starts at offset 0 of a fw_cfg file, every pointer field holds an
 * offset into its target file and is recorded as a relocation, every
 * checksum is left 0 and recorded, and acpi_builder_finish_loader() turns
 * both into ADD_POINTER and ADD_CHECKSUM commands. The same table code
 * serves both: it writes pointers with acpi_put_table_pointer() or marks
 * them with acpi_builder_pointer().
 *
 * Errors are sticky: once an append fails, later calls do nothing and
 * acpi_builder_finish() reports the first errno, so tables are written as
 * straight-line code. Offsets stay valid as the buffer grows; pointers into
 * it do not, hence the acpi_set* patch helpers. */
#ifndef VMRAS_ACPI_BUILDER_H
#define VMRAS_ACPI_BUILDER_H

#include "acpi/acpi.h"
#include "acpi/loader.h"

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

/* Relocations and checksums a relocatable builder keeps. */
#define ACPI_MAX_RELOCS 64
#define ACPI_MAX_CHECKSUMS (ACPI_MAX_TABLES + 2)

struct acpi_reloc {
	size_t offset;             /* the pointer field, within buf */
	uint8_t size;              /* its width: 1, 2, 4 or 8 bytes */
	char file[ACPI_LOADER_NAME_LEN];  /* the pointee's file; "" for this blob */
};

struct acpi_checksum_ref {
	size_t start, length;      /* the range that must sum to zero */
	size_t result;             /* the checksum byte, inside the range */
};

struct acpi_builder {
	uint8_t *buf;
	size_t len, cap, max;
	uint64_t base_gpa;
	int err;
	struct acpi_table_ref tables[ACPI_MAX_TABLES];
	unsigned ntables;
	int relocatable;
	struct acpi_reloc relocs[ACPI_MAX_RELOCS];
	unsigned nrelocs;
	struct acpi_checksum_ref checksums[ACPI_MAX_CHECKSUMS];
	unsigned nchecksums;
};

void acpi_builder_init(struct acpi_builder *b, uint64_t base_gpa, size_t max);
/* Hands the buffer and table list to out (0), or frees them and returns -1
 * with errno (ENOMEM; E2BIG past max or ACPI_MAX_TABLES; EINVAL misuse). */
int acpi_builder_finish(struct acpi_builder *b, struct acpi_blob *out);

/* A relocatable builder: offsets are relative to the start of the blob. */
void acpi_builder_init_relocatable(struct acpi_builder *b, size_t max);
/* Relocatable builders only: emits into l an ALLOCATE of file (b->len
 * bytes at align in zone), an ADD_POINTER per relocation (each checked to
 * hold an offset inside its pointee, whose file l must know, or
 * this one), then an ADD_CHECKSUM per checksum, and finishes as
 * acpi_builder_finish() does. A loader error (left in l as well) fails it. */
int acpi_builder_finish_loader(struct acpi_builder *b, struct acpi_loader *l, const char *file,
			       uint32_t align, enum acpi_loader_zone zone, struct acpi_blob *out);

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

/* Marks the size-byte field at off as a pointer. With file NULL it points
 * into this blob: a fixed builder has already written the address, a
 * relocatable one records it. With a file name it holds an offset into
 * that fw_cfg file: relocatable builders only (EINVAL otherwise). */
void acpi_builder_pointer(struct acpi_builder *b, size_t off, unsigned size, const char *file);
/* Appends a size-byte pointer to offset target of this blob. */
void acpi_put_table_pointer(struct acpi_builder *b, unsigned size, size_t target);

/* Starts a table with the common 36-byte header (8-byte aligned) and
 * returns its offset; acpi_table_end() fills length and checksum and adds it
 * to the table list. */
size_t acpi_table_begin(struct acpi_builder *b, const char sig[4], uint8_t revision);
void acpi_table_end(struct acpi_builder *b, size_t off);
/* A definition block (DSDT, SSDT) holding a's AML, which it finishes and
 * frees; returns the table's offset. An encoder error stays in b. */
struct aml;
size_t acpi_add_aml_table(struct acpi_builder *b, const char sig[4], uint8_t revision, struct aml *a);
/* Offset of a finished table by signature, or SIZE_MAX. */
size_t acpi_table_find(const struct acpi_builder *b, const char *sig);

/* The RSDP goes first so it lands on a 16-byte boundary at base_gpa, where
 * the legacy scan looks; it is filled in once the XSDT exists. */
size_t acpi_rsdp_reserve(struct acpi_builder *b);
void acpi_rsdp_fill(struct acpi_builder *b, size_t rsdp, size_t xsdt);
/* Relocatable: an RSDP (revision 2) in its own builder, for a file of its
 * own (the loader's etc/acpi/rsdp), pointing at offset xsdt of
 * tables_file; both its checksums are left to the loader. */
void acpi_rsdp_put_linked(struct acpi_builder *b, size_t xsdt, const char *tables_file);
/* XSDT listing every table so far except those reached another way (the
 * DSDT and FACS through the FADT, the RSDP). */
size_t acpi_add_xsdt(struct acpi_builder *b);

#endif
