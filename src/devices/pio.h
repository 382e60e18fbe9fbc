/* The x86 port-I/O bus: a small table of ranges, each with a handler. Reads
 * of ports nobody owns return all ones, as on a PC with nothing decoding them. */
#ifndef VMRAS_DEVICES_PIO_H
#define VMRAS_DEVICES_PIO_H

#include <stdbool.h>
#include <stdint.h>

#define PIO_MAX_RANGES 32

/* data holds size bytes; for reads the handler fills it. */
typedef void (*pio_handler)(void *opaque, uint16_t offset, bool is_write, uint8_t *data, unsigned size);

struct pio_range {
	uint16_t base;
	uint16_t len;
	pio_handler fn;
	void *opaque;
};

struct pio_bus {
	struct pio_range range[PIO_MAX_RANGES];
	unsigned count;
};

/* Returns 0, or -1 if the range overlaps another or the bus is full. */
int pio_register(struct pio_bus *bus, uint16_t base, uint16_t len, pio_handler fn, void *opaque);
/* Returns false when no device owns the port (reads then see 0xff bytes). */
bool pio_dispatch(const struct pio_bus *bus, uint16_t port, bool is_write, uint8_t *data, unsigned size);

#endif
