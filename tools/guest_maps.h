/* Finding a running vmras's guest RAM from outside, through /proc/PID/maps:
 * each region is a memfd named "vmras:<region>@0x<gpa>". Pure parsing, so
 * the injector's address arithmetic is unit-tested. */
#ifndef VMRAS_TOOLS_GUEST_MAPS_H
#define VMRAS_TOOLS_GUEST_MAPS_H

#include <stdbool.h>
#include <stdint.h>

struct guest_mapping {
	uint64_t start, end;     /* host virtual range in the vmras process */
	uint64_t file_offset;    /* of start within the memfd */
	uint64_t region_gpa;     /* guest address of the memfd's first byte */
	char region[64];
};

/* Parses one /proc/PID/maps line; false if it is not a vmras guest-RAM mapping. */
bool guest_maps_parse_line(const char *line, struct guest_mapping *m);
/* Parses a guest-RAM range given by hand, "GPA:HVA:SIZE" (numbers as strtoull
 * base 0 reads them: 0x... hex), for a VMM whose RAM is no vmras memfd (QEMU's
 * is one anonymous mapping: on arm64 virt GPA 0x40000000 at its start); the
 * region is named "ram". False if malformed, SIZE is 0 or a range wraps. */
bool guest_maps_parse_ram_spec(const char *spec, struct guest_mapping *m);
/* Host virtual address of gpa inside m; false if m does not hold it. */
bool guest_maps_gpa_to_hva(const struct guest_mapping *m, uint64_t gpa, uint64_t *hva);

#endif
