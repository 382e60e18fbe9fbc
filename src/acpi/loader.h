/* The firmware's ACPI table loader script ("etc/table-loader"): the command
 * list QEMU defines and edk2's OvmfPkg/ArmVirtQemu run to place fw_cfg
 * blobs in guest RAM and link them.
 *
 * Each command is 128 bytes, little-endian: a 32-bit command number, then
 * its fields, zero-padded:
 *   ALLOCATE       file[56], align u32, zone u8
 *   ADD_POINTER    dest_file[56], src_file[56], offset u32, size u8
 *   ADD_CHECKSUM   file[56], result_offset u32, start u32, length u32
 *   WRITE_POINTER  dest_file[56], src_file[56], dst_offset u32,
 *                  src_offset u32, size u8
 * ALLOCATE reads a fw_cfg file into newly allocated guest RAM. ADD_POINTER
 * adds the address of src_file's copy to the size-byte little-endian value
 * at dest_file+offset (which holds an offset into src_file). ADD_CHECKSUM
 * stores at result_offset the byte that makes [start, start+length) sum to
 * zero; the firmware sums the result byte too, so it must be 0 beforehand.
 * WRITE_POINTER writes the address of src_file+src_offset into the
 * VMM's fw_cfg file dest_file at dst_offset: how the VMM learns where
 * the firmware put a blob. Commands run in order, so a table's pointers
 * come before its checksum.
 *
 * The encoder checks every command against the files it was told about
 * (acpi_loader_allocate's size, acpi_loader_host_file): names and ranges
 * are validated here so the firmware never sees a script it would reject.
 * Errors are sticky, as in the builder: once a call fails the rest do
 * nothing and acpi_loader_finish() reports the first errno. */
#ifndef VMRAS_ACPI_LOADER_H
#define VMRAS_ACPI_LOADER_H

#include <stddef.h>
#include <stdint.h>

/* The fw_cfg files of the loader protocol. */
#define ACPI_LOADER_FILE "etc/table-loader"
#define ACPI_TABLES_FILE "etc/acpi/tables"
#define ACPI_RSDP_FILE "etc/acpi/rsdp"
#define ACPI_HW_ERRORS_FILE "etc/hardware_errors"
#define ACPI_HW_ERRORS_ADDR_FILE "etc/hardware_errors_addr"

#define ACPI_LOADER_CMD_LEN 128
/* A name field's size; the name and its NUL must fit (55 characters). */
#define ACPI_LOADER_NAME_LEN 56
/* edk2 refuses an ALLOCATE aligned to more than a page. */
#define ACPI_LOADER_ALIGN_MAX 4096
/* Files one script may name (allocated or host files). */
#define ACPI_LOADER_MAX_FILES 8
/* Commands in one script: far more than any table set needs. */
#define ACPI_LOADER_MAX_CMDS 1024

enum acpi_loader_cmd {
	ACPI_LOADER_ALLOCATE = 1,
	ACPI_LOADER_ADD_POINTER = 2,
	ACPI_LOADER_ADD_CHECKSUM = 3,
	ACPI_LOADER_WRITE_POINTER = 4,
};

/* ALLOCATE zones: anywhere (HIGH) or the legacy BIOS F segment, where an
 * x86 RSDP scan looks. UEFI firmware allocates both from ordinary RAM. */
enum acpi_loader_zone {
	ACPI_LOADER_ZONE_HIGH = 1,
	ACPI_LOADER_ZONE_FSEG = 2,
};

struct acpi_loader_file {
	char name[ACPI_LOADER_NAME_LEN];
	uint64_t size;
	int allocated;             /* ALLOCATEd (a blob) or a host file (WRITE_POINTER target) */
};

struct acpi_loader {
	uint8_t *buf;
	size_t len, cap;
	int err;
	struct acpi_loader_file files[ACPI_LOADER_MAX_FILES];
	unsigned nfiles;
};

void acpi_loader_init(struct acpi_loader *l);
/* Hands the script (len a multiple of ACPI_LOADER_CMD_LEN; malloc'd, NULL
 * when empty) to *buf and *len and returns 0; or frees it and returns -1
 * with errno: EINVAL (a bad name, size, alignment, zone or range),
 * ENAMETOOLONG (a name over 55 characters), ENOENT (a file never
 * declared), EEXIST (declared twice), E2BIG (past ACPI_LOADER_MAX_FILES or
 * _MAX_CMDS, or an offset past 32 bits), ENOMEM. Either way l is empty
 * again. */
int acpi_loader_finish(struct acpi_loader *l, uint8_t **buf, size_t *len);
void acpi_loader_free(struct acpi_loader *l);
/* Records an error from outside the encoder. */
void acpi_loader_fail(struct acpi_loader *l, int err);

/* ALLOCATE file (size bytes, the fw_cfg file's length; at least 1) at an
 * alignment that is a power of two up to ACPI_LOADER_ALIGN_MAX. */
void acpi_loader_allocate(struct acpi_loader *l, const char *file, uint64_t size,
			  uint32_t align, enum acpi_loader_zone zone);
/* Declares a fw_cfg file of size bytes that the firmware writes through
 * WRITE_POINTER (nothing is emitted). */
void acpi_loader_host_file(struct acpi_loader *l, const char *file, uint64_t size);
/* ADD_POINTER: the size-byte field (1, 2, 4 or 8) at dest_file+offset, an
 * offset into src_file, becomes its address. Both must be allocated and
 * the field inside dest_file. */
void acpi_loader_add_pointer(struct acpi_loader *l, const char *dest_file, uint64_t offset,
			     unsigned size, const char *src_file);
/* ADD_CHECKSUM over [start, start+length) of file into result_offset,
 * which must lie inside that range. */
void acpi_loader_add_checksum(struct acpi_loader *l, const char *file, uint64_t start,
			      uint64_t length, uint64_t result_offset);
/* WRITE_POINTER: the address of src_file+src_offset (allocated, inside it)
 * into host file dest_file at dst_offset, size bytes (1, 2, 4 or 8). */
void acpi_loader_write_pointer(struct acpi_loader *l, const char *dest_file, uint64_t dst_offset,
			       unsigned size, const char *src_file, uint64_t src_offset);

/* The size given for a declared file, or -1 (not declared). */
int64_t acpi_loader_file_size(const struct acpi_loader *l, const char *file, int allocated_only);

#endif
