/* Host memory behind guest RAM regions. */
#ifndef VMRAS_VMM_RAM_BACKING_H
#define VMRAS_VMM_RAM_BACKING_H

#include "vmm/guest_ram.h"

/* Maps every region (anonymous, named "vmras:<region>" where the kernel
 * supports VMA names). Returns 0, or -1 with errno. */
int ram_backing_map(struct guest_ram *ram);
void ram_backing_unmap(struct guest_ram *ram);

#endif
