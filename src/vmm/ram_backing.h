/* Host memory behind guest RAM regions. */
#ifndef VMRAS_VMM_RAM_BACKING_H
#define VMRAS_VMM_RAM_BACKING_H

#include "vmm/guest_ram.h"

/* Backs every region with its own memfd, shared-mapped. Returns 0, or -1 with errno. */
int ram_backing_map(struct guest_ram *ram);
void ram_backing_unmap(struct guest_ram *ram);

#endif
