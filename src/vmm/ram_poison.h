/* Finding poisoned pages of guest RAM without being told.
 *
 * The kernel's reports (SIGBUS) can be lost: a standard signal already
 * pending is not queued twice, so a burst of action-optional reports reaches
 * vmras as fewer signals than pages. Before a reset reloads the kernel,
 * initrd and tables, vmras must know every poisoned page anyway, or the
 * reload (or the new guest's first touch) walks into one. The kernel leaves
 * two traces vmras can read without touching the page:
 *   - its page-table entry for the page becomes a hwpoison entry, which
 *     /proc/self/pagemap shows as "swapped" (bit 62), and a shared memfd
 *     mapping has no other swap entries than hwpoison and migration ones;
 *   - the memfd's page cache keeps the page, marked, and pread() of it fails
 *     with EIO instead of faulting (also when no page-table entry maps it).
 * So the candidates are pages whose entry is "swapped", or not present yet
 * resident (mincore), and each candidate is confirmed with a one-byte pread. */
#ifndef VMRAS_VMM_RAM_POISON_H
#define VMRAS_VMM_RAM_POISON_H

#include <stdbool.h>
#include <stdint.h>

#include "vmm/guest_ram.h"

#define PAGEMAP_PRESENT (UINT64_C(1) << 63)
#define PAGEMAP_SWAPPED (UINT64_C(1) << 62)

/* Whether a page could be poisoned, from its pagemap entry and its mincore
 * byte (bit 0: resident). Pure. */
static inline bool ram_poison_candidate(uint64_t pagemap, unsigned char mincore)
{
	if (pagemap & PAGEMAP_PRESENT)
		return false;
	return (pagemap & PAGEMAP_SWAPPED) || (mincore & 1);
}

/* Whether the 4 KiB page at gpa (inside r) is poisoned: 1 yes, 0 no, -1
 * cannot tell (no memfd behind the region, or pread failed otherwise). */
int ram_poison_probe(const struct ram_region *r, uint64_t gpa);

/* Calls found(opaque, r, gpa) for every poisoned 4 KiB page of guest RAM;
 * in a region of hugepages, for the first poisoned 4 KiB page of each
 * poisoned hugepage (the kernel loses it whole; a 1 GiB page may be named
 * once per 16 MiB of it).
 * Returns the number found, or -1 with errno when pagemap or mincore cannot
 * be read (then nothing was reported for the region that failed). */
typedef void ram_poison_found_fn(void *opaque, const struct ram_region *r, uint64_t gpa);
long ram_poison_scan(const struct guest_ram *ram, ram_poison_found_fn *found, void *opaque);

/* At start, before anything maps a page of it: calls found(opaque, r, gpa)
 * for every poisoned page (of the backing's page size, gpa its start) of
 * each region backed by a file (RAM_BACKING_FILE). A file outlives vmras
 * and keeps its poison, but nothing has mapped it yet, so pagemap knows
 * nothing: the file is read instead,
 * skipping holes (SEEK_DATA/SEEK_HOLE), 1 MiB at a time. A read stops
 * short before a poisoned page and the next one fails with EIO, so each
 * poisoned page costs one failed read. *scanned (may be NULL) gets the
 * bytes read. Returns the number found, or -1 with errno when a backing
 * cannot be read otherwise (what was found before that was reported). */
long ram_poison_scan_backing(const struct guest_ram *ram, ram_poison_found_fn *found, void *opaque,
			     uint64_t *scanned);

#endif
