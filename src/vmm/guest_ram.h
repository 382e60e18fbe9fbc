/* Guest RAM as a list of regions: where each piece lives in the guest and in
 * vmras. The memory-failure path translates a poisoned host address through
 * this table, so lookups are pure and unit-tested. */
#ifndef VMRAS_VMM_GUEST_RAM_H
#define VMRAS_VMM_GUEST_RAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_RAM_MAX_REGIONS 8

enum ram_backing {
	RAM_BACKING_ANON,      /* private anonymous memory */
	RAM_BACKING_MEMFD,     /* memfd named "vmras:<region>@0x<gpa>"; other processes can map it */
	RAM_BACKING_HUGETLB,   /* the same memfd, of hugetlb pages (MFD_HUGETLB) */
	RAM_BACKING_FILE,      /* a file the user named (--memory-backend file:PATH), mapped shared */
};

struct ram_region {
	const char *name;      /* shown in logs, events and /proc/PID/maps */
	uint64_t gpa;
	uint64_t size;
	uint8_t *hva;          /* NULL until backed */
	enum ram_backing backing;
	int fd;                /* memfd or file (each region its own descriptor), or -1 */
	uint64_t offset;       /* where the region's first byte lives in fd */
	/* The backing's page: 2^page_shift bytes (12, 21 or 30; 0 reads as
	 * 12). The kernel loses and replaces memory a whole page at a time. */
	uint8_t page_shift;
	uint32_t slot;         /* KVM memory slot */
};

/* A stretch of guest-physical memory. */
struct gpa_range {
	uint64_t gpa;
	uint64_t size;
};

struct guest_ram {
	struct ram_region region[GUEST_RAM_MAX_REGIONS];
	unsigned count;
	uint64_t total;
};

/* Where gpa (inside r) lives in r's descriptor: for pread, fallocate. */
static inline uint64_t ram_region_offset(const struct ram_region *r, uint64_t gpa)
{
	return r->offset + (gpa - r->gpa);
}

static inline unsigned ram_region_page_shift(const struct ram_region *r)
{
	return r->page_shift ? r->page_shift : 12;
}

/* The region holding [gpa, gpa+len), or NULL if that range is not wholly inside one region. */
const struct ram_region *guest_ram_find_gpa(const struct guest_ram *ram, uint64_t gpa, uint64_t len);
void *guest_ram_gpa_to_hva(const struct guest_ram *ram, uint64_t gpa, uint64_t len);

/* Host address inside guest RAM → guest physical address; false for any other address. */
bool guest_ram_hva_to_gpa(const struct guest_ram *ram, const void *hva, uint64_t *gpa,
			  const struct ram_region **region);

/* Copies into guest memory; false if the range is not wholly guest RAM. */
bool guest_ram_write(const struct guest_ram *ram, uint64_t gpa, const void *src, uint64_t len);

#endif
