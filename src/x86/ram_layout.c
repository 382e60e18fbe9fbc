#include "x86/ram_layout.h"

#include <errno.h>
#include <string.h>

#include "x86/layout.h"

int x86_ram_layout(struct guest_ram *ram, uint64_t size)
{
	uint64_t low = size < X86_MMIO_HOLE_GPA ? size : X86_MMIO_HOLE_GPA;

	if (size == 0 || size & 0xfff) {
		errno = EINVAL;
		return -1;
	}
	memset(ram, 0, sizeof(*ram));
	ram->region[0] = (struct ram_region){ .name = "ram-below-4g", .gpa = 0, .size = low,
					      .fd = -1, .slot = 0 };
	ram->count = 1;
	if (size > low) {
		ram->region[1] = (struct ram_region){ .name = "ram-above-4g", .gpa = X86_MMIO_HOLE_END,
						      .size = size - low, .fd = -1, .slot = 1 };
		ram->count = 2;
	}
	ram->total = size;
	return 0;
}
