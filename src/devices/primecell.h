/* The ID registers every ARM PrimeCell has in the last 32 bytes of its 4 KiB
 * window: PeriphID0-3 (part, designer, revision) and PCellID0-3 (the
 * PrimeCell preamble), one byte per word. Linux's AMBA bus reads them to
 * match a driver before anything else. Pure. */
#ifndef VMRAS_DEVICES_PRIMECELL_H
#define VMRAS_DEVICES_PRIMECELL_H

#include <stdbool.h>
#include <stdint.h>

#define PRIMECELL_PERIPH_ID0 0xfe0
#define PRIMECELL_PCELL_ID0  0xff0

/* True with *v set when off is one of the eight ID words. */
static inline bool primecell_id(uint64_t off, const uint8_t periph_id[4], uint32_t *v)
{
	static const uint8_t pcell_id[4] = { 0x0d, 0xf0, 0x05, 0xb1 };

	if (off % 4 || off < PRIMECELL_PERIPH_ID0 || off >= PRIMECELL_PCELL_ID0 + 16)
		return false;
	*v = off < PRIMECELL_PCELL_ID0 ? periph_id[(off - PRIMECELL_PERIPH_ID0) / 4] :
					  pcell_id[(off - PRIMECELL_PCELL_ID0) / 4];
	return true;
}

#endif
