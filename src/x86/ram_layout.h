/* The PC's guest RAM: from 0 up to the 32-bit MMIO hole, the rest above
 * 4 GiB. Pure. */
#ifndef VMRAS_X86_RAM_LAYOUT_H
#define VMRAS_X86_RAM_LAYOUT_H

#include <stdint.h>

#include "vmm/guest_ram.h"

/* Fills ram for size bytes (a multiple of 4 KiB). Returns 0, or -1 with errno EINVAL. */
int x86_ram_layout(struct guest_ram *ram, uint64_t size);

#endif
