#include "devices/ged.h"

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
