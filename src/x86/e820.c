#include "x86/e820.h"

#include <errno.h>
#include <string.h>

#include "x86/layout.h"

static int insert_at(struct e820_map *m, unsigned pos, struct e820_entry e)
{
	if (m->count == E820_MAX_ENTRIES) {
		errno = ENOSPC;
		return -1;
	}
	memmove(&m->entry[pos + 1], &m->entry[pos], (m->count - pos) * sizeof(e));
	m->entry[pos] = e;
	m->count++;
	return 0;
}

static void remove_at(struct e820_map *m, unsigned pos)
{
	memmove(&m->entry[pos], &m->entry[pos + 1], (m->count - pos - 1) * sizeof(m->entry[0]));
	m->count--;
}

int e820_set(struct e820_map *m, uint64_t addr, uint64_t size, uint32_t type)
{
	uint64_t end = addr + size;
	struct e820_map before = *m;
	unsigned i;

	if (size == 0 || end < addr) {
		errno = EINVAL;
		return -1;
	}
	/* Cut every overlapping entry back to the parts outside [addr, end). */
	for (i = 0; i < m->count; i++) {
		struct e820_entry *e = &m->entry[i];
		uint64_t e_end = e->addr + e->size;

		if (e_end <= addr || e->addr >= end)
			continue;
		if (e->addr < addr && e_end > end) {
			struct e820_entry tail = { end, e_end - end, e->type };
			e->size = addr - e->addr;
			if (insert_at(m, i + 1, tail))
				goto full;
			i++;
		} else if (e->addr < addr) {
			e->size = addr - e->addr;
		} else if (e_end > end) {
			e->size = e_end - end;
			e->addr = end;
		} else {
			remove_at(m, i);
			i--;
		}
	}
	if (type != E820_NONE) {
		for (i = 0; i < m->count && m->entry[i].addr < addr; i++)
			;
		if (insert_at(m, i, (struct e820_entry){ addr, size, type }))
			goto full;
	}
	/* Merge neighbours of the same type that now touch. */
	for (i = 0; i + 1 < m->count; ) {
		struct e820_entry *a = &m->entry[i], *b = &m->entry[i + 1];
		if (a->type == b->type && a->addr + a->size == b->addr) {
			a->size += b->size;
			remove_at(m, i + 1);
		} else {
			i++;
		}
	}
	return 0;
full:
	*m = before;
	errno = ENOSPC;
	return -1;
}

int e820_build_x86(struct e820_map *map, const struct guest_ram *ram)
{
	memset(map, 0, sizeof(*map));
	for (unsigned i = 0; i < ram->count; i++)
		if (e820_set(map, ram->region[i].gpa, ram->region[i].size, E820_RAM))
			return -1;
	/* The legacy PC holes: the EBDA, the VGA/option-ROM window (not in the map
	 * at all) and the BIOS area, which holds the ACPI tables. */
	if (e820_set(map, X86_EBDA_GPA, X86_LOW_RAM_END - X86_EBDA_GPA, E820_RESERVED) ||
	    e820_set(map, X86_LOW_RAM_END, X86_BIOS_GPA - X86_LOW_RAM_END, E820_NONE) ||
	    e820_set(map, X86_BIOS_GPA, X86_BIOS_END - X86_BIOS_GPA, E820_RESERVED))
		return -1;
	return 0;
}
