#include "devices/ged.h"

#include "acpi/aml.h"

static void ged_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct ged *g = opaque;

	(void)off;
	if (is_write)
		return;
	/* Read-to-clear in one step, so that an event raised between the read
	 * and the clear can never be lost: it is either in this value or left
	 * for the next _EVT, whose interrupt its own pulse brings. Only the low
	 * byte of a wider read is the register's. */
	data[0] = __atomic_exchange_n(&g->pending, 0, __ATOMIC_ACQ_REL);
	for (unsigned i = 1; i < size; i++)
		data[i] = 0;
}

int ged_register(struct ged *g, struct bus *bus, enum bus_space space, uint64_t base)
{
	return bus_register(bus, space, base, 1, ged_access, g);
}

void ged_event(struct ged *g, uint8_t events)
{
	/* The bit before the edge: the _EVT the edge starts must find it. */
	__atomic_fetch_or(&g->pending, events, __ATOMIC_ACQ_REL);
	if (g->set_irq) {
		g->set_irq(g->opaque, 1);
		g->set_irq(g->opaque, 0);
	}
}

void ged_reset(struct ged *g)
{
	__atomic_store_n(&g->pending, 0, __ATOMIC_RELEASE);
}

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

static void add_device(struct aml *a, const char *name, const char *eisaid)
{
	aml_device_begin(a, name);
	aml_name(a, "_HID");
	aml_eisaid(a, eisaid);
	aml_name(a, "_UID");
	aml_integer(a, 0);
	aml_end(a);
}

/* A hardware-reduced machine has no fixed-feature power button (no PM1
 * event block, no SCI), so the power button is a control-method button
 * device (PNP0C0C, ACPI 6.x 4.8.2.2.1) and its presses arrive through the
 * GED (ACPI0013, 5.6.9): the GED's interrupt makes the OS run _EVT, which
 * reads the event register (the read clears it) and sends the button's
 * Notify(0x80), "power button pressed".
 *
 * The Hardware Error Device (PNP0C33, 18.3.2.7.2): a GHES source notified
 * by "GSIV" on a hardware-reduced machine reaches the OS as Notify(HED0,
 * 0x80) from the GED's _EVT, and the OS then reads every such source.
 * Linux's x86 GHES driver cannot take an external interrupt instead:
 * without a legacy PIC it has no IRQ for an ISA line nobody declared. */
void ged_aml(struct aml *a, enum bus_space space, uint64_t base, uint32_t gsi, uint8_t events)
{
	if (events & GED_EVENT_HW_ERROR)
		add_device(a, "HED0", "PNP0C33");
	if (events & GED_EVENT_POWER_BUTTON)
		add_device(a, "PWRB", "PNP0C0C");

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
	aml_res_interrupt(a, 1, 0, 0, gsi);
	aml_end(a);
	aml_operation_region(a, "EREG", space == BUS_IO ? AML_REGION_SYSTEM_IO : AML_REGION_SYSTEM_MEMORY,
			     base, 1);
	aml_field_begin(a, "EREG", AML_FIELD_BYTE_ACC | AML_FIELD_NO_LOCK | AML_FIELD_PRESERVE);
	aml_field_named(a, "EVTS", 8);
	aml_end(a);
	/* _EVT(Arg0 = the interrupt): one interrupt, so the register says
	 * which events are pending. Reading it clears it, so it is read once:
	 *   Local0 = EVTS
	 *   If (Local0 & 1) { Notify(PWRB, 0x80) }
	 *   If (Local0 & 2) { Notify(HED0, 0x80) } */
	aml_method_begin(a, "_EVT", 1, 0);
	aml_store(a);
	aml_name_ref(a, "EVTS");
	aml_local(a, 0);
	if (events & GED_EVENT_POWER_BUTTON)
		notify_if(a, GED_EVENT_POWER_BUTTON, "PWRB");
	if (events & GED_EVENT_HW_ERROR)
		notify_if(a, GED_EVENT_HW_ERROR, "HED0");
	aml_end(a);
	aml_end(a);
}
