#include "acpi/aml.h"
#include "x86/acpi_tables.h"
#include "devices/pvpanic.h"
#include "devices/uart16550.h"

#include <errno.h>

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

/* A hardware-reduced machine has no fixed-feature power button (no PM1
 * event block, no SCI), so the power button is a control-method button
 * device (PNP0C0C, ACPI 6.x 4.8.2.2.1) and its presses arrive through the
 * Generic Event Device (ACPI0013, 5.6.9): the GED's interrupt makes the OS
 * run _EVT, which reads the event register (the read clears it) and sends
 * the button's Notify(0x80), "power button pressed". */
static void add_power_button(struct aml *a, const struct x86_acpi_config *cfg)
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
	/* Edge-triggered, active-high: vmras pulses the line once per batch
	 * of events, and the register, not the line level, says what is
	 * pending, so nothing waits for an EOI to lower it. */
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_interrupt(a, 1, 0, 0, cfg->ged_gsi);
	aml_end(a);
	aml_operation_region(a, "EREG", AML_REGION_SYSTEM_IO, cfg->ged_port, 1);
	aml_field_begin(a, "EREG", AML_FIELD_BYTE_ACC | AML_FIELD_NO_LOCK | AML_FIELD_PRESERVE);
	aml_field_named(a, "EVTS", 8);
	aml_end(a);
	/* _EVT(Arg0 = the interrupt): one interrupt, so the register says
	 * which events are pending. Reading it clears it, so it is read once:
	 *   Local0 = EVTS
	 *   If (Local0 & 1) { Notify(PWRB, 0x80) }
	 *   If (Local0 & 2) { Notify(HED0, 0x80) }     (with GHES) */
	aml_method_begin(a, "_EVT", 1, 0);
	aml_store(a);
	aml_name_ref(a, "EVTS");
	aml_local(a, 0);
	notify_if(a, ACPI_GED_EVENT_POWER_BUTTON, "PWRB");
	if (cfg->ghes_pointers_gpa)
		notify_if(a, ACPI_GED_EVENT_HW_ERROR, "HED0");
	aml_end(a);
	aml_end(a);
}

/* The Hardware Error Device (PNP0C33, ACPI 6.x 18.3.2.7.2): a GHES source
 * notified by "GSIV" on a hardware-reduced machine reaches the OS as
 * Notify(HED0, 0x80) from the GED's _EVT, and the OS then reads every such
 * source. Linux's x86 GHES driver cannot take an external interrupt here:
 * without a legacy PIC it has no IRQ for an ISA line nobody declared. */
static void add_hed(struct aml *a)
{
	aml_device_begin(a, "HED0");
	aml_name(a, "_HID");
	aml_eisaid(a, "PNP0C33");
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_end(a);
}

size_t x86_acpi_add_dsdt(struct acpi_builder *b, const struct x86_acpi_config *cfg)
{
	struct aml a;
	aml_init(&a);

	aml_scope_begin(&a, "\\_SB");
	uart16550_aml(&a, "COM1", cfg->uart_port, cfg->uart_irq);
	if (cfg->pvpanic_port)
		pvpanic_aml(&a, cfg->pvpanic_port);
	if (cfg->ghes_pointers_gpa)
		add_hed(&a);
	if (cfg->ged_port)
		add_power_button(&a, cfg);
	aml_end(&a);

	/* Hardware-reduced sleep writes only SLP_TYPa, the first element, to
	 * SLEEP_CONTROL_REG; the rest are there for the package's shape. */
	aml_name(&a, "\\_S5");
	aml_package_begin(&a);
	aml_integer(&a, cfg->s5_slp_typ);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_integer(&a, 0);
	aml_end(&a);

	size_t t = acpi_table_begin(b, "DSDT", ACPI_DSDT_REVISION);
	if (aml_finish(&a))
		acpi_builder_fail(b, errno);
	else
		acpi_put(b, a.buf, a.len);
	acpi_table_end(b, t);
	aml_free(&a);
	return t;
}
