/* ACPI for an arm64 vmras guest booted through UEFI (edk2's ArmVirtQemu).
 *
 * The firmware, not vmras, places the tables: it reads them from fw_cfg
 * and runs the table-loader script (acpi/loader.h), which allocates each
 * blob in RAM, links pointers and fills checksums. So this builds four
 * blobs, each a fw_cfg file, with every address left as an offset for the
 * loader:
 *   etc/acpi/tables      DSDT, FACP, APIC, GTDT, SPCR, [HEST], XSDT
 *   etc/acpi/rsdp        the RSDP (revision 2), pointing at the XSDT
 *   etc/table-loader     the script
 *   etc/vmras/boot-errors  with errors of a previous boot: the Boot Error
 *                        Region (ras/bert.h), which the BERT in
 *                        etc/acpi/tables points at
 *   etc/hardware_errors  with GHES: a page of 64-bit error status
 *                        pointers (one per source), then one
 *                        ARM64_GHES_BLOCK_SIZE error status block per
 *                        source, ARM64_GHES_MEM_SIZE bytes in all
 * and the script's WRITE_POINTER stores the guest-physical address of
 * etc/hardware_errors into the 8-byte fw_cfg file
 * etc/hardware_errors_addr, which the VMM provides writable: from then on
 * the VMM writes error records at that address + ARM64_GHES_BLOCK_OFF(i).
 *
 * Device addresses and interrupts are the machine's (arm64/layout.h).
 * Pure: no KVM, tested on any host. */
#ifndef VMRAS_ARM64_ACPI_H
#define VMRAS_ARM64_ACPI_H

#include <stddef.h>
#include <stdint.h>

#include "acpi/acpi.h"
#include "arm64/layout.h"

struct arm64_acpi_config {
	unsigned ncpus;            /* 1..ARM64_MAX_VCPUS; MPIDRs as arm64/mpidr.h */
	int ged;                   /* the GED (ARM64_GED_GPA, SPI ARM64_GED_SPI) with a power button */
	int pvpanic;               /* pvpanic-mmio at ARM64_PVPANIC_GPA (QEMU0001) */
	/* GHESv2 sources, 0..2: 0 is no HEST; 1 is the action-required
	 * source (ACPI_GHES_SOURCE_AR) notified by SEA; 2 adds the
	 * action-optional source (ACPI_GHES_SOURCE_AO) notified by the GED's
	 * interrupt (GSIV), whose _EVT notifies the Hardware Error Device: it
	 * needs ged. */
	unsigned ghes_sources;
	unsigned nvirtio;          /* virtio-mmio devices at ARM64_VIRTIO_* */
	/* A BERT and its region (copied): errors of a previous boot; none
	 * when boot_errors_len is 0. At most ARM64_BERT_REGION_MAX bytes. */
	const uint8_t *boot_errors;
	size_t boot_errors_len;
};

/* The fw_cfg file of the Boot Error Region. */
#define ARM64_BOOT_ERRORS_FILE "etc/vmras/boot-errors"
#define ARM64_BERT_REGION_MAX 0x8000

#define ARM64_ACPI_MAX_SOURCES 2
/* Bound on etc/acpi/tables: 256 vCPUs' MADT and DSDT entries fit easily. */
#define ARM64_ACPI_TABLES_MAX (256 * 1024)

/* Within etc/hardware_errors: source i's error status pointer, and the
 * block it points at. */
#define ARM64_GHES_POINTER_OFF(i) ((uint64_t)(i) * 8)
#define ARM64_GHES_BLOCK_OFF(i) (0x1000ULL + (uint64_t)(i) * ARM64_GHES_BLOCK_SIZE)
/* The size of etc/hardware_errors_addr: one little-endian 64-bit address. */
#define ARM64_HW_ERRORS_ADDR_LEN 8

struct arm64_acpi_blobs {
	struct acpi_blob tables;   /* etc/acpi/tables; tables[] lists each table's offset */
	struct acpi_blob rsdp;     /* etc/acpi/rsdp */
	uint8_t *loader;           /* etc/table-loader */
	size_t loader_len;
	uint8_t *hw_errors;        /* etc/hardware_errors; NULL without GHES */
	size_t hw_errors_len;
	uint8_t *boot_errors;      /* etc/vmras/boot-errors; NULL without a BERT */
	size_t boot_errors_len;
};

/* Returns 0, or -1 with errno (EINVAL for a bad config, ENOMEM, E2BIG)
 * and out emptied. Free with arm64_acpi_free. */
int arm64_acpi_build(const struct arm64_acpi_config *cfg, struct arm64_acpi_blobs *out);
void arm64_acpi_free(struct arm64_acpi_blobs *out);

/* Table contents the tests and the DSDT share. */
#define ARM64_FADT_LEN 276
#define ARM64_FADT_REVISION 6
#define ARM64_FADT_MINOR 0             /* ACPI 6.0, as QEMU's virt */
#define ARM64_FADT_XDSDT_OFF 140
#define ARM64_FADT_ARM_BOOT_ARCH_OFF 129
#define ARM64_BOOT_PSCI_COMPLIANT (1u << 0)
#define ARM64_BOOT_PSCI_USE_HVC (1u << 1)
#define ARM64_MADT_REVISION 4
#define ARM64_MADT_GICC_LEN 80
#define ARM64_GTDT_REVISION 2
#define ARM64_SPCR_REVISION 2
#define ARM64_DSDT_REVISION 2

struct acpi_builder;
/* The DSDT (arm64/acpi_dsdt.c); returns its offset. */
size_t arm64_acpi_add_dsdt(struct acpi_builder *b, const struct arm64_acpi_config *cfg);

#endif
