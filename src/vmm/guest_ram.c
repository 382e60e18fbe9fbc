#include "vmm/guest_ram.h"

#include <string.h>

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
