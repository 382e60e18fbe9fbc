#include "vmm/guest_ram.h"

#include <errno.h>
#include <string.h>

#include "x86/layout.h"

int guest_ram_layout_x86(struct guest_ram *ram, uint64_t size)
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

const struct ram_region *guest_ram_find_gpa(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < ram->count; i++) {
		const struct ram_region *r = &ram->region[i];
		/* Written so that no sum can overflow, whatever gpa and len are. */
		if (gpa >= r->gpa && gpa - r->gpa < r->size && len <= r->size - (gpa - r->gpa))
			return r;
	}
	return NULL;
}

void *guest_ram_gpa_to_hva(const struct guest_ram *ram, uint64_t gpa, uint64_t len)
{
	const struct ram_region *r = guest_ram_find_gpa(ram, gpa, len);

	if (!r || !r->hva)
		return NULL;
	return r->hva + (gpa - r->gpa);
}

bool guest_ram_hva_to_gpa(const struct guest_ram *ram, const void *hva, uint64_t *gpa,
			  const struct ram_region **region)
{
	uintptr_t a = (uintptr_t)hva;

	for (unsigned i = 0; i < ram->count; i++) {
		const struct ram_region *r = &ram->region[i];
		uintptr_t base = (uintptr_t)r->hva;
		if (r->hva && a >= base && a - base < r->size) {
			*gpa = r->gpa + (a - base);
			if (region)
				*region = r;
			return true;
		}
	}
	return false;
}

bool guest_ram_write(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len)
{
	void *dst = guest_ram_gpa_to_hva(ram, gpa, len);

	if (!dst)
		return false;
	memcpy(dst, src, len);
	return true;
}
