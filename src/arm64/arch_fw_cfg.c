/* fw_cfg under KVM: the device model (devices/fw_cfg.h) behind a lock, its
 * DMA reaching guest RAM, and the files of an ACPI boot (arm64/acpi.h).
 * The kernel and initrd are lent from the mapped files, which live as long
 * as the machine. */
#include "arm64/arch_fw_cfg.h"

#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/loader.h"
#include "arm64/acpi.h"
#include "arm64/arch_ras.h"
#include "vmm/machine.h"
#include "vmm/ras.h"

static int ram_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
	const struct machine *m = opaque;
	const void *p = guest_ram_gpa_to_hva(&m->ram, gpa, len);

	if (!p)
		return -1;
	memcpy(buf, p, len);
	return 0;
}

static int ram_write(void *opaque, uint64_t gpa, const void *buf, uint64_t len)
{
	const struct machine *m = opaque;
	void *p = guest_ram_gpa_to_hva(&m->ram, gpa, len);

	if (!p)
		return -1;
	memcpy(p, buf, len);
	return 0;
}

static void bus_access(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	struct machine *m = opaque;

	pthread_mutex_lock(&m->arch.fw_cfg_lock);
	fw_cfg_access(&m->arch.fw_cfg, offset, is_write, data, size);
	pthread_mutex_unlock(&m->arch.fw_cfg_lock);
}

/* The firmware ran the loader script's WRITE_POINTER: etc/hardware_errors
 * is at this guest address now (0 if the script failed). */
static void hw_errors_written(void *opaque, const uint8_t *data, uint32_t len, uint32_t offset, uint32_t count)
{
	struct machine *m = opaque;
	uint64_t gpa;

	(void)offset;
	(void)count;
	if (len != sizeof(gpa))
		return;
	memcpy(&gpa, data, sizeof(gpa));
	gpa = le64toh(gpa);
	/* 0: the firmware's script failed; the blocks stay unplaced. */
	if (gpa && (m->channels & RAS_MODE_GHES))
		arm64_ghes_placed_at(m, gpa);
}

int arm64_fw_cfg_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;
	const struct fw_cfg_mem mem = { .opaque = m, .read = ram_read, .write = ram_write };
	struct arm64_acpi_config acpi = {
		.ncpus = m->ncpus, .ged = 1, .pvpanic = 1,
		.ghes_sources = (m->opts->ras & RAS_MODE_GHES) ? 2 : 0, .nvirtio = m->nvirtio,
	};
	uint8_t *region;

	pthread_mutex_init(&a->fw_cfg_lock, NULL);
	fw_cfg_init(&a->fw_cfg, &mem);
	if (arm64_acpi_build(&acpi, &a->acpi)) {
		snprintf(why, whylen, "internal error: the ACPI tables: %s", strerror(errno));
		return -1;
	}
	/* Errors of a previous boot are the first boot's news; a reset is a
	 * boot of the same machine, whose errors it was told live. */
	region = malloc(ARM64_BERT_REGION_MAX);
	if (!region) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	acpi.boot_errors = region;
	acpi.boot_errors_len = ras_boot_error_region(m, region, ARM64_BERT_REGION_MAX);
	if (acpi.boot_errors_len && arm64_acpi_build(&acpi, &a->acpi_first)) {
		snprintf(why, whylen, "internal error: the ACPI tables with a BERT: %s", strerror(errno));
		free(region);
		return -1;
	}
	free(region);
	if (bus_register(&m->bus, BUS_MMIO, ARM64_FW_CFG_GPA, ARM64_FW_CFG_SIZE, bus_access, m)) {
		snprintf(why, whylen, "internal error: overlapping MMIO devices (fw_cfg)");
		return -1;
	}
	return 0;
}

int arm64_fw_cfg_boot(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;
	const struct arm64_acpi_blobs *t = m->boots == 1 && a->acpi_first.loader ? &a->acpi_first : &a->acpi;
	const uint8_t zero[ARM64_HW_ERRORS_ADDR_LEN] = { 0 };
	int err = 0;

	pthread_mutex_lock(&a->fw_cfg_lock);
	fw_cfg_clear(&a->fw_cfg);
	if (m->opts->kernel)
		err |= fw_cfg_set_kernel(&a->fw_cfg, m->kernel_file.data, (uint32_t)m->kernel_file.size,
					 m->initrd_file.size ? m->initrd_file.data : NULL,
					 (uint32_t)m->initrd_file.size, a->cmdline);
	err |= fw_cfg_add_file(&a->fw_cfg, ACPI_TABLES_FILE, t->tables.buf, (uint32_t)t->tables.len);
	err |= fw_cfg_add_file(&a->fw_cfg, ACPI_RSDP_FILE, t->rsdp.buf, (uint32_t)t->rsdp.len);
	err |= fw_cfg_add_file(&a->fw_cfg, ACPI_LOADER_FILE, t->loader, (uint32_t)t->loader_len);
	if (t->boot_errors)
		err |= fw_cfg_add_file(&a->fw_cfg, ARM64_BOOT_ERRORS_FILE, t->boot_errors,
				       (uint32_t)t->boot_errors_len);
	if (t->hw_errors) {
		err |= fw_cfg_add_file(&a->fw_cfg, ACPI_HW_ERRORS_FILE, t->hw_errors, (uint32_t)t->hw_errors_len);
		err |= fw_cfg_add_file_writable(&a->fw_cfg, ACPI_HW_ERRORS_ADDR_FILE, zero, sizeof(zero),
						hw_errors_written, m);
	}
	pthread_mutex_unlock(&a->fw_cfg_lock);
	if (err) {
		snprintf(why, whylen, "internal error: filling fw_cfg");
		return -1;
	}
	return 0;
}

void arm64_fw_cfg_destroy(struct machine *m)
{
	fw_cfg_destroy(&m->arch.fw_cfg);
	arm64_acpi_free(&m->arch.acpi);
	arm64_acpi_free(&m->arch.acpi_first);
}
