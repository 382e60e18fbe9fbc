/* Host memory behind guest RAM regions (--memory-backend; the rules it
 * follows are in ram_backend.h). */
#ifndef VMRAS_VMM_RAM_BACKING_H
#define VMRAS_VMM_RAM_BACKING_H

#include <stdbool.h>
#include <stddef.h>

#include "vmm/guest_ram.h"
#include "vmm/ram_backend.h"

/* Backs every region of ram as b says (NULL: memfd), shared-mapped, and
 * sets each region's fd, offset, page_shift and backing. Returns 0, or -1
 * with one line in why; *usage_error then says whether the user's choice is
 * at fault (a bad file, a size that is no multiple of the page) rather than
 * the host (too few hugepages, none of that size, out of memory). Nothing
 * stays mapped after a failure, and a backing file this call created is
 * removed again. */
int ram_backing_map(struct guest_ram *ram, const struct ram_backend *b, char *why, size_t whylen,
		    bool *usage_error);
void ram_backing_unmap(struct guest_ram *ram);

/* Hugepages of 2^shift bytes a new fault can get from the host's pool now
 * (free - reserved + overcommit headroom); false when the pool's counters
 * cannot be read (no pool of that size). */
bool ram_backing_hugepages_free(unsigned shift, uint64_t *available);

#endif
