/* The arm64 DSDT: processors, the PL011, pvpanic and the Generic Event
 * Device with the power button and the Hardware Error Device.
 *
 * The GED's AML mirrors the x86 DSDT's (acpi/dsdt.c) with a SystemMemory
 * event register instead of an I/O port. It is a local function so that,
 * once the GED describes itself in devices/ged.c (as the 16550 and
 * pvpanic do), arm64_ged_aml() below is replaced by that call and nothing
 * else here changes. */
#include "arm64/acpi.h"

#include "acpi/aml.h"
#include "acpi/builder.h"

#include <errno.h>
#include <stdio.h>

/* If (Local0 & bit) { Notify(device, 0x80) } */
static void notify_if(struct aml *a, uint8_t bit, const char *device)
{
	aml_if_begin(a);
	aml_and(a);
	aml_local(a, 0);
	aml_integer(a, bit);
	aml_null_target(a);
	aml_notify(a);
	aml_name_ref(a, device);
	aml_integer(a, 0x80);
	aml_end(a);
}

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

/* The PL011 as Linux's ACPI amba-pl011 binding wants it (ARMH0011): its
 * page and its SPI, level-triggered as the GIC sees a UART line. */
static void add_uart(struct aml *a)
{
	aml_device_begin(a, "COM0");
	aml_name(a, "_HID");
	aml_string(a, "ARMH0011");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_memory32_fixed(a, 1, (uint32_t)ARM64_UART_GPA, (uint32_t)ARM64_UART_SIZE);
	aml_res_interrupt(a, 0, 0, 0, ARM64_SPI_INTID(ARM64_UART_SPI));
	aml_end(a);
	aml_end(a);
}

/* pvpanic on MMIO: Linux's pvpanic-mmio driver binds QEMU0001 with a
 * memory resource (the x86 device is QEMU0001 with an I/O port). */
static void add_pvpanic(struct aml *a)
{
	aml_device_begin(a, "PEVT");
	aml_name(a, "_HID");
	aml_string(a, "QEMU0001");
	aml_name(a, "_STA");
	aml_integer(a, 0x0f);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_memory32_fixed(a, 1, (uint32_t)ARM64_PVPANIC_GPA, (uint32_t)ARM64_PVPANIC_SIZE);
	aml_end(a);
	aml_end(a);
}

/* The Hardware Error Device (PNP0C33): the GSIV-notified GHES source
 * reaches the guest as Notify(HED0, 0x80) from the GED's _EVT. */
static void add_hed(struct aml *a)
{
	aml_device_begin(a, "HED0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C33");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_end(a);
}

/* The power button (PNP0C0C) and the GED (ACPI0013) whose _EVT reads the
 * byte-wide event register (devices/ged.h: reading clears it) once and
 * notifies the button for bit 0 and, with hw_error, the HED for bit 1. */
static void arm64_ged_aml(struct aml *a, uint64_t base, uint32_t gsi, int hw_error)
{
	aml_device_begin(a, "PWRB");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C0C");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_end(a);

	aml_device_begin(a, "GED0");
	aml_name(a, "_HID");
	aml_string(a, "ACPI0013");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	/* Edge-triggered, active-high: one pulse per batch of events. */
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_interrupt(a, 1, 0, 0, gsi);
	aml_end(a);
	aml_operation_region(a, "EREG", AML_REGION_SYSTEM_MEMORY, base, 1);
	aml_field_begin(a, "EREG", AML_FIELD_BYTE_ACC | AML_FIELD_NO_LOCK | AML_FIELD_PRESERVE);
	aml_field_named(a, "EVTS", 8);
	aml_end(a);
	aml_method_begin(a, "_EVT", 1, 0);
	aml_store(a);
	aml_name_ref(a, "EVTS");
	aml_local(a, 0);
	notify_if(a, ACPI_GED_EVENT_POWER_BUTTON, "PWRB");
	if (hw_error)
		notify_if(a, ACPI_GED_EVENT_HW_ERROR, "HED0");
	aml_end(a);
	aml_end(a);
}

size_t arm64_acpi_add_dsdt(struct acpi_builder *b, const struct arm64_acpi_config *cfg)
{
	struct aml a;
	aml_init(&a);

	aml_scope_begin(&a, "\\_SB");
	add_cpus(&a, cfg->ncpus);
	add_uart(&a);
	if (cfg->pvpanic)
		add_pvpanic(&a);
	int hw_error = cfg->ghes_sources >= 2;
	if (hw_error)
		add_hed(&a);
	if (cfg->ged)
		arm64_ged_aml(&a, ARM64_GED_GPA, ARM64_SPI_INTID(ARM64_GED_SPI), hw_error);
	aml_end(&a);

	size_t t = acpi_table_begin(b, "DSDT", ARM64_DSDT_REVISION);
	if (aml_finish(&a))
		acpi_builder_fail(b, errno);
	else
		acpi_put(b, a.buf, a.len);
	acpi_table_end(b, t);
	aml_free(&a);
	return t;
}
