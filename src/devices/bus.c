#include "devices/bus.h"

#include <string.h>

static uint64_t last_address(enum bus_space space)
{
	return space == BUS_IO ? 0xffff : UINT64_MAX;
}

int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len, bus_handler fn,
		 void *opaque)
{
	struct bus_ranges *s;
	uint64_t last;

	if ((unsigned)space >= BUS_SPACES || !len)
		return -1;
	s = &bus->space[space];
	/* Inclusive ends: a range may reach the very last address of MMIO,
	 * whose exclusive end would not fit in 64 bits. */
	if (base > last_address(space) || len - 1 > last_address(space) - base || s->count == BUS_MAX_RANGES)
		return -1;
	last = base + (len - 1);
	for (unsigned i = 0; i < s->count; i++) {
		const struct bus_range *r = &s->range[i];
		if (base <= r->base + (r->len - 1) && r->base <= last)
			return -1;
	}
	s->range[s->count++] = (struct bus_range){ base, len, fn, opaque };
	return 0;
}

bool bus_dispatch(const struct bus *bus, enum bus_space space, uint64_t addr, bool is_write, uint8_t *data,
		  unsigned size)
{
	const struct bus_ranges *s = &bus->space[space];

	/* Bytes a device does not drive float high, also in a wide read of a byte-wide device. */
	if (!is_write)
		memset(data, 0xff, size);
	for (unsigned i = 0; i < s->count; i++) {
		const struct bus_range *r = &s->range[i];
		if (addr >= r->base && addr - r->base < r->len) {
			r->fn(r->opaque, addr - r->base, is_write, data, size);
			return true;
		}
	}
	return false;
}
