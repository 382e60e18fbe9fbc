#include "arm64/acpi.h"

#include "acpi/bert.h"
#include "acpi/builder.h"
#include "acpi/hest.h"
#include "acpi/loader.h"
#include "arm64/mpidr.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* FADT Flags: HW_REDUCED_ACPI. */
#define FADT_HW_REDUCED_ACPI (1u << 20)
/* MADT structures (ACPI 6.0 5.2.12). */
#define MADT_GICC 0x0b
#define MADT_GICD 0x0c
#define MADT_GICR 0x0e
#define GIC_VERSION_3 3
/* GTDT timer flags: level-triggered, active-high is 0; always-on. */
#define GTDT_ALWAYS_ON (1u << 2)
/* SPCR. */
#define SPCR_ARM_PL011 3
#define SPCR_IRQ_ARM_GIC (1u << 3)
#define SPCR_BAUD_115200 7
#define GAS_ACCESS_DWORD 3

static int valid(const struct arm64_acpi_config *cfg)
{
	if (cfg->boot_errors_len && (!cfg->boot_errors || cfg->boot_errors_len > ARM64_BERT_REGION_MAX))
		return 0;
	if (cfg->ncpus == 0 || cfg->ncpus > ARM64_MAX_VCPUS)
		return 0;
	if (cfg->ghes_sources > ARM64_ACPI_MAX_SOURCES || cfg->ghes_sources > ARM64_GHES_SOURCES_MAX)
		return 0;
	/* The AO source is notified through the GED's interrupt. */
	if (cfg->ghes_sources >= 2 && !cfg->ged)
		return 0;
	return 1;
}

/* ACPI 6.0 FADT for a hardware-reduced machine, as QEMU's virt gives
 * ArmVirtQemu: no fixed hardware at all, PSCI through HVC (KVM's PSCI
 * conduit), the DSDT by its 64-bit pointer only. */
static size_t add_fadt(struct acpi_builder *b, size_t dsdt)
{
	size_t t = acpi_table_begin(b, "FACP", ARM64_FADT_REVISION);
	acpi_builder_reserve(b, ARM64_FADT_LEN - ACPI_HEADER_LEN);
	acpi_set32(b, t + 112, FADT_HW_REDUCED_ACPI);
	acpi_set16(b, t + ARM64_FADT_ARM_BOOT_ARCH_OFF,
		   ARM64_BOOT_PSCI_COMPLIANT | ARM64_BOOT_PSCI_USE_HVC);
	acpi_set8(b, t + 131, ARM64_FADT_MINOR);
	acpi_set64(b, t + ARM64_FADT_XDSDT_OFF, acpi_builder_gpa(b, dsdt));
	acpi_builder_pointer(b, t + ARM64_FADT_XDSDT_OFF, 8, NULL);
	acpi_table_end(b, t);
	return t;
}

/* MADT: the GICv3 distributor, a GIC CPU interface per vCPU (the GICv3
 * system-register interface, so no GICC/GICV/GICH MMIO bases), and the one
 * redistributor region KVM lays the vCPUs' frames into in vCPU order. */
static size_t add_madt(struct acpi_builder *b, const struct arm64_acpi_config *cfg)
{
	size_t t = acpi_table_begin(b, "APIC", ARM64_MADT_REVISION);
	acpi_put32(b, 0);                          /* no local interrupt controller address */
	acpi_put32(b, 0);                          /* flags: no PC-AT 8259s */

	acpi_put8(b, MADT_GICD);
	acpi_put8(b, 24);
	acpi_put16(b, 0);
	acpi_put32(b, 0);                          /* GIC ID */
	acpi_put64(b, ARM64_GICD_GPA);
	acpi_put32(b, 0);                          /* system vector base */
	acpi_put8(b, GIC_VERSION_3);
	acpi_put8(b, 0);
	acpi_put16(b, 0);

	for (unsigned i = 0; i < cfg->ncpus; i++) {
		acpi_put8(b, MADT_GICC);
		acpi_put8(b, ARM64_MADT_GICC_LEN);
		acpi_put16(b, 0);
		acpi_put32(b, i);                  /* CPU interface number */
		acpi_put32(b, i);                  /* ACPI processor UID: the DSDT's C%03X _UID */
		acpi_put32(b, 1);                  /* enabled; PMU and maintenance IRQs level */
		acpi_put32(b, 0);                  /* no parking protocol: PSCI */
		acpi_put32(b, 0);                  /* no PMU interrupt: vCPUs have no PMU */
		acpi_put64(b, 0);                  /* parked address */
		acpi_put64(b, 0);                  /* GICC base: system registers */
		acpi_put64(b, 0);                  /* GICV */
		acpi_put64(b, 0);                  /* GICH */
		acpi_put32(b, ARM64_PPI_INTID(ARM64_PPI_GIC_MAINT));
		acpi_put64(b, 0);                  /* GICR base: the GICR structure below */
		acpi_put64(b, arm64_mpidr(i));
		acpi_put8(b, 0);                   /* power efficiency class */
		acpi_put8(b, 0);
		acpi_put16(b, 0);
	}

	acpi_put8(b, MADT_GICR);
	acpi_put8(b, 16);
	acpi_put16(b, 0);
	acpi_put64(b, ARM64_GICR_GPA);
	acpi_put32(b, (uint32_t)ARM64_GICR_SIZE_FOR(cfg->ncpus));
	acpi_table_end(b, t);
	return t;
}

/* GTDT: the architected timer's PPIs as INTIDs, level-triggered and
 * active-high as KVM drives them; no memory-mapped timer. */
static size_t add_gtdt(struct acpi_builder *b)
{
	size_t t = acpi_table_begin(b, "GTDT", ARM64_GTDT_REVISION);
	acpi_put64(b, UINT64_MAX);                 /* no CNTControlBase */
	acpi_put32(b, 0);
	acpi_put32(b, ARM64_PPI_INTID(ARM64_PPI_TIMER_SEC_PHYS));
	acpi_put32(b, 0);
	acpi_put32(b, ARM64_PPI_INTID(ARM64_PPI_TIMER_PHYS));
	acpi_put32(b, GTDT_ALWAYS_ON);
	acpi_put32(b, ARM64_PPI_INTID(ARM64_PPI_TIMER_VIRT));
	acpi_put32(b, 0);
	acpi_put32(b, ARM64_PPI_INTID(ARM64_PPI_TIMER_HYP));
	acpi_put32(b, 0);
	acpi_put64(b, UINT64_MAX);                 /* no CNTReadBase */
	acpi_put32(b, 0);                          /* no platform timers */
	acpi_put32(b, 0);
	acpi_table_end(b, t);
	return t;
}

/* SPCR: the PL011 as the console, so a guest without console= on its
 * command line still talks on ttyAMA0. */
static size_t add_spcr(struct acpi_builder *b)
{
	size_t t = acpi_table_begin(b, "SPCR", ARM64_SPCR_REVISION);
	acpi_put8(b, SPCR_ARM_PL011);
	acpi_put8(b, 0);
	acpi_put16(b, 0);
	acpi_put_gas(b, ACPI_GAS_SYSTEM_MEMORY, 32, 0, GAS_ACCESS_DWORD, ARM64_UART_GPA);
	acpi_put8(b, SPCR_IRQ_ARM_GIC);
	acpi_put8(b, 0);                           /* no PC-AT IRQ */
	acpi_put32(b, ARM64_SPI_INTID(ARM64_UART_SPI));
	acpi_put8(b, SPCR_BAUD_115200);
	acpi_put8(b, 0);                           /* no parity */
	acpi_put8(b, 1);                           /* one stop bit */
	acpi_put8(b, 0);                           /* no flow control */
	acpi_put8(b, 0);                           /* VT100 */
	acpi_put8(b, 0);                           /* language */
	acpi_put16(b, 0xffff);                     /* not a PCI device */
	acpi_put16(b, 0xffff);
	acpi_put8(b, 0);
	acpi_put8(b, 0);
	acpi_put8(b, 0);
	acpi_put32(b, 0);
	acpi_put8(b, 0);
	acpi_put32(b, 0);
	acpi_table_end(b, t);
	return t;
}

/* A GHESv2 source as the arm64 machine describes it: its error status
 * pointer and block in etc/hardware_errors (firmware-allocated RAM the
 * guest maps as Normal memory, see layout.h), one record of a block's
 * size, acknowledged through a 64-bit MMIO register (preserve ~1, write
 * 1) whose write traps to vmras at once. */
static void ghes_source(struct acpi_ghes_source *s, unsigned i, uint8_t notify_type, uint32_t gsi)
{
	memset(s, 0, sizeof(*s));
	s->source_id = (uint16_t)i;
	s->records_to_preallocate = 1;
	s->max_sections_per_record = 1;
	s->max_raw_data_length = ARM64_GHES_BLOCK_SIZE;
	s->error_status_address = ARM64_GHES_POINTER_OFF(i);     /* linked by the loader */
	s->error_status_block_length = ARM64_GHES_BLOCK_SIZE;
	s->read_ack_space = ACPI_GAS_SYSTEM_MEMORY;
	s->read_ack_bits = 64;
	s->read_ack_address = ARM64_GHES_ACK_GPA + (uint64_t)i * ARM64_GHES_ACK_STRIDE;
	s->read_ack_preserve = ~1ull;
	s->read_ack_write = 1;
	s->notify_type = notify_type;
	s->notify_vector = gsi;
}

/* etc/hardware_errors and its loader commands: the firmware allocates it,
 * points each source's pointer at the source's block, and tells vmras the
 * blob's address through etc/hardware_errors_addr. */
static int hw_errors_blob(const struct arm64_acpi_config *cfg, struct acpi_loader *l,
			  struct arm64_acpi_blobs *out)
{
	out->hw_errors = calloc(1, ARM64_GHES_MEM_SIZE);
	if (!out->hw_errors)
		return -1;
	out->hw_errors_len = ARM64_GHES_MEM_SIZE;
	acpi_loader_allocate(l, ACPI_HW_ERRORS_FILE, ARM64_GHES_MEM_SIZE, 4096, ACPI_LOADER_ZONE_HIGH);
	acpi_loader_host_file(l, ACPI_HW_ERRORS_ADDR_FILE, ARM64_HW_ERRORS_ADDR_LEN);
	for (unsigned i = 0; i < cfg->ghes_sources; i++) {
		uint64_t block = ARM64_GHES_BLOCK_OFF(i);
		uint8_t *p = out->hw_errors + ARM64_GHES_POINTER_OFF(i);
		for (unsigned k = 0; k < 8; k++)
			p[k] = (uint8_t)(block >> (8 * k));
		acpi_loader_add_pointer(l, ACPI_HW_ERRORS_FILE, ARM64_GHES_POINTER_OFF(i), 8,
					ACPI_HW_ERRORS_FILE);
	}
	acpi_loader_write_pointer(l, ACPI_HW_ERRORS_ADDR_FILE, 0, ARM64_HW_ERRORS_ADDR_LEN,
				  ACPI_HW_ERRORS_FILE, 0);
	return 0;
}

void arm64_acpi_free(struct arm64_acpi_blobs *out)
{
	if (!out)
		return;
	acpi_blob_free(&out->tables);
	acpi_blob_free(&out->rsdp);
	free(out->loader);
	free(out->hw_errors);
	free(out->boot_errors);
	memset(out, 0, sizeof(*out));
}

int arm64_acpi_build(const struct arm64_acpi_config *cfg, struct arm64_acpi_blobs *out)
{
	if (!out) {
		errno = EINVAL;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	if (!cfg || !valid(cfg)) {
		errno = EINVAL;
		return -1;
	}

	struct acpi_loader l;
	acpi_loader_init(&l);
	if (cfg->ghes_sources && hw_errors_blob(cfg, &l, out)) {
		acpi_loader_free(&l);
		errno = ENOMEM;
		return -1;
	}
	if (cfg->boot_errors_len) {
		/* Firmware-allocated like the GHES blocks: the guest keeps off it. */
		out->boot_errors = malloc(cfg->boot_errors_len);
		if (!out->boot_errors) {
			acpi_loader_free(&l);
			arm64_acpi_free(out);
			errno = ENOMEM;
			return -1;
		}
		memcpy(out->boot_errors, cfg->boot_errors, cfg->boot_errors_len);
		out->boot_errors_len = cfg->boot_errors_len;
		acpi_loader_allocate(&l, ARM64_BOOT_ERRORS_FILE, (uint32_t)cfg->boot_errors_len, 4096,
				     ACPI_LOADER_ZONE_HIGH);
	}

	/* The order virt uses: the DSDT first, reached through the FADT. */
	struct acpi_builder b;
	acpi_builder_init_relocatable(&b, ARM64_ACPI_TABLES_MAX);
	size_t dsdt = arm64_acpi_add_dsdt(&b, cfg);
	add_fadt(&b, dsdt);
	add_madt(&b, cfg);
	add_gtdt(&b);
	add_spcr(&b);
	if (cfg->ghes_sources) {
		struct acpi_ghes_source src[ARM64_ACPI_MAX_SOURCES];
		ghes_source(&src[0], ACPI_GHES_SOURCE_AR, ACPI_HEST_NOTIFY_SEA, 0);
		if (cfg->ghes_sources > 1)
			ghes_source(&src[1], ACPI_GHES_SOURCE_AO, ACPI_HEST_NOTIFY_GSIV,
				    ARM64_SPI_INTID(ARM64_GED_SPI));
		acpi_add_hest_linked(&b, src, cfg->ghes_sources, ACPI_HW_ERRORS_FILE);
	}
	if (cfg->boot_errors_len)
		acpi_add_bert(&b, (uint32_t)cfg->boot_errors_len, 0, ARM64_BOOT_ERRORS_FILE);
	size_t xsdt = acpi_add_xsdt(&b);

	struct acpi_builder rb;
	acpi_builder_init_relocatable(&rb, ACPI_RSDP_LEN);
	acpi_rsdp_put_linked(&rb, xsdt, ACPI_TABLES_FILE);

	/* Tables in any RAM, 64-aligned as QEMU asks; the RSDP in the F
	 * segment where an x86 BIOS would need it (UEFI ignores the zone). */
	int rc = acpi_builder_finish_loader(&b, &l, ACPI_TABLES_FILE, 64, ACPI_LOADER_ZONE_HIGH,
					    &out->tables);
	int err = rc ? errno : 0;
	if (rc)
		acpi_loader_fail(&l, err);
	int rc2 = acpi_builder_finish_loader(&rb, &l, ACPI_RSDP_FILE, 16, ACPI_LOADER_ZONE_FSEG,
					     &out->rsdp);
	if (rc2 && !err)
		err = errno;
	if (acpi_loader_finish(&l, &out->loader, &out->loader_len) && !err)
		err = errno;
	if (rc || rc2 || err) {
		arm64_acpi_free(out);
		errno = err ? err : EINVAL;
		return -1;
	}
	return 0;
}
