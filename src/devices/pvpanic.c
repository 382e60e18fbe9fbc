#include "devices/pvpanic.h"

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
