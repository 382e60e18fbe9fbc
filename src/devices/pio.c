#include "devices/pio.h"

#include <string.h>

int pio_register(struct pio_bus *bus, uint16_t base, uint16_t len, pio_handler fn, void *opaque)
{
	uint32_t end = (uint32_t)base + len;

	if (!len || end > 0x10000 || bus->count == PIO_MAX_RANGES)
		return -1;
	for (unsigned i = 0; i < bus->count; i++) {
		const struct pio_range *r = &bus->range[i];
		if (base < (uint32_t)r->base + r->len && r->base < end)
			return -1;
	}
	bus->range[bus->count++] = (struct pio_range){ base, len, fn, opaque };
	return 0;
}

bool pio_dispatch(const struct pio_bus *bus, uint16_t port, bool is_write, uint8_t *data, unsigned size)
{
	/* Bytes a device does not drive float high, also in a wide read of a byte-wide device. */
	if (!is_write)
		memset(data, 0xff, size);
	for (unsigned i = 0; i < bus->count; i++) {
		const struct pio_range *r = &bus->range[i];
		if (port >= r->base && port - r->base < r->len) {
			r->fn(r->opaque, (uint16_t)(port - r->base), is_write, data, size);
			return true;
		}
	}
	return false;
}
