#include "devices/pvpanic.h"
#include "acpi/aml.h"
#include "devices/dt.h"

enum pvpanic_event pvpanic_decode(uint8_t value)
{
	if (value & PVPANIC_PANICKED)
		return PVPANIC_EVENT_PANICKED;
	if (value & PVPANIC_CRASH_LOADED)
		return PVPANIC_EVENT_CRASH_LOADED;
	if (value & PVPANIC_SHUTDOWN)
		return PVPANIC_EVENT_SHUTDOWN;
	return PVPANIC_EVENT_NONE;
}

static void pvpanic_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct pvpanic *p = opaque;
	enum pvpanic_event ev;
	(void)off; (void)size;

	/* The device is one byte wide: in a wider access only the low byte is
	 * its own (the bus leaves the others floating high on reads). */
	if (!is_write) {
		data[0] = PVPANIC_FEATURES;
		return;
	}
	ev = pvpanic_decode(data[0]);
	if (ev != PVPANIC_EVENT_NONE && p->event)
		p->event(p->opaque, ev);
}

int pvpanic_register(struct pvpanic *p, struct bus *bus, enum bus_space space, uint64_t base)
{
	return bus_register(bus, space, base, 1, pvpanic_access, p);
}

void pvpanic_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size)
{
	dt_begin(w, node);
	dt_prop_str(w, "compatible", "qemu,pvpanic-mmio");
	dt_prop_reg2(w, base, size, 0, 0, 1);
	dt_end(w);
}
/* Linux's pvpanic driver binds to _HID QEMU0001 and takes its port from
 * _CRS. _STA says present, enabled, shown and working, as a device with no
 * way to be switched off should. */
void pvpanic_aml(struct aml *a, enum bus_space space, uint64_t base)
{
	aml_device_begin(a, "PEVT");
	aml_name(a, "_HID");
	aml_string(a, "QEMU0001");
	aml_name(a, "_STA");
	aml_integer(a, 0x0f);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	if (space == BUS_IO)
		aml_res_io(a, 1, (uint16_t)base, (uint16_t)base, 1, 1);
	else
		aml_res_memory32_fixed(a, 1, (uint32_t)base, PVPANIC_MMIO_SIZE);
	aml_end(a);
	aml_end(a);
}
