/* The arm64 DSDT: processors, the PL011, pvpanic and the Generic Event
 * Device with the power button and the Hardware Error Device. Each device
 * writes its own AML; this file says which the machine has and where. */
#include "arm64/acpi.h"

#include "acpi/aml.h"
#include "acpi/builder.h"
#include "devices/ged.h"
#include "devices/pl011.h"
#include "devices/pvpanic.h"
#include "devices/virtio_mmio.h"

#include <errno.h>
#include <stdio.h>

/* Processor devices, one per GICC entry (same _UID as its ACPI processor
 * UID), as virt has them: Linux finds the CPUs through the MADT and needs
 * these only for processor drivers, but a guest's tools expect them. */
static void add_cpus(struct aml *a, unsigned ncpus)
{
	for (unsigned i = 0; i < ncpus; i++) {
		char name[8];
		snprintf(name, sizeof(name), "C%03X", i & 0xfff);
		aml_device_begin(a, name);
		aml_name(a, "_HID");
		aml_string(a, "ACPI0007");
		aml_name(a, "_UID");
		aml_integer(a, i);
		aml_end(a);
	}
}

size_t arm64_acpi_add_dsdt(struct acpi_builder *b, const struct arm64_acpi_config *cfg)
{
	struct aml a;
	aml_init(&a);

	aml_scope_begin(&a, "\\_SB");
	add_cpus(&a, cfg->ncpus);
	pl011_aml(&a, "COM0", ARM64_UART_GPA, ARM64_UART_SIZE, ARM64_SPI_INTID(ARM64_UART_SPI));
	if (cfg->pvpanic)
		pvpanic_aml(&a, BUS_MMIO, ARM64_PVPANIC_GPA);
	/* The AO source's interrupt is the GED's (a GSIV), whose _EVT
	 * notifies the Hardware Error Device. */
	if (cfg->ged)
		ged_aml(&a, BUS_MMIO, ARM64_GED_GPA, ARM64_SPI_INTID(ARM64_GED_SPI),
			GED_EVENT_POWER_BUTTON | (cfg->ghes_sources >= 2 ? GED_EVENT_HW_ERROR : 0));
	for (unsigned i = 0; i < cfg->nvirtio && i < ARM64_VIRTIO_MAX; i++) {
		char name[5];

		snprintf(name, sizeof(name), "VR%02u", i);
		virtio_mmio_aml(&a, name, i, ARM64_VIRTIO_MMIO_GPA + i * ARM64_VIRTIO_MMIO_STRIDE,
				ARM64_SPI_INTID(ARM64_VIRTIO_SPI_BASE + i));
	}
	aml_end(&a);

	return acpi_add_aml_table(b, "DSDT", ARM64_DSDT_REVISION, &a);
}
