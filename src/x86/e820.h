/* The BIOS e820 memory map handed to Linux in boot_params. */
#ifndef VMRAS_X86_E820_H
#define VMRAS_X86_E820_H

#include <stdint.h>

#include "vmm/guest_ram.h"

#define E820_MAX_ENTRIES 128   /* what boot_params.e820_table holds */

enum e820_type {
	E820_NONE = 0,       /* e820_set: leave the range out of the map */
	E820_RAM = 1,
	E820_RESERVED = 2,
	E820_ACPI = 3,
	E820_NVS = 4,
};

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
};

struct e820_map {
	struct e820_entry entry[E820_MAX_ENTRIES];
	unsigned count;
};

/* Sets [addr, addr+size) to type, splitting or trimming what it overlaps, and
 * keeps the map sorted with touching entries of one type merged. Later
 * issues carve ACPI/NVS areas (error status blocks) out of RAM with it.
 * Returns 0, or -1 (EINVAL empty/overflowing range, ENOSPC map full). */
int e820_set(struct e820_map *map, uint64_t addr, uint64_t size, uint32_t type);

/* The PC map for this guest RAM: RAM minus the EBDA and BIOS areas below 1 MiB. */
int e820_build_x86(struct e820_map *map, const struct guest_ram *ram);

#endif
