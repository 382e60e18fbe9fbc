/* The device bus: two address spaces, port I/O (x86's 64 KiB of ports) and
 * MMIO (64-bit guest-physical addresses), each a small table of ranges with
 * a handler. One registry and one dispatch for both, so a device model says
 * which space it sits in and is otherwise the same on every arch. Reads of
 * addresses nobody owns return all ones, as on a bus with nothing decoding
 * them; writes there are dropped. */
#ifndef VMRAS_DEVICES_BUS_H
#define VMRAS_DEVICES_BUS_H

#include <stdbool.h>
#include <stdint.h>

enum bus_space {
	BUS_IO,      /* KVM_EXIT_IO: ports 0-0xffff */
	BUS_MMIO,    /* KVM_EXIT_MMIO: any guest-physical address that is not RAM */
};
#define BUS_SPACES 2
#define BUS_MAX_RANGES 32   /* per space */

/* offset is from the start of the range; data holds size bytes, and for
 * reads the handler fills it. */
typedef void (*bus_handler)(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size);

struct bus_range {
	uint64_t base;
	uint64_t len;
	bus_handler fn;
	void *opaque;
};

struct bus_ranges {
	struct bus_range range[BUS_MAX_RANGES];
	unsigned count;
};

struct bus {
	struct bus_ranges space[BUS_SPACES];
};

/* Returns 0, or -1 if the range is empty, leaves the space, overlaps
 * another range of that space, or the space is full. */
int bus_register(struct bus *bus, enum bus_space space, uint64_t base, uint64_t len, bus_handler fn,
		 void *opaque);
/* Returns false when no device owns addr (reads then see 0xff bytes). */
bool bus_dispatch(const struct bus *bus, enum bus_space space, uint64_t addr, bool is_write, uint8_t *data,
		  unsigned size);

#endif
