/* An ARM PrimeCell PL031 real-time clock: a 32-bit count of seconds the
 * guest loads and reads, and a match register that raises an interrupt,
 * as edk2's PL031RealTimeClockLib and Linux's rtc-pl031 use it. It counts
 * the host's wall clock (a callback, so the model stays pure and tests own
 * time): the guest's time is the host's plus what the guest loaded.
 *
 * The match interrupt is evaluated when the guest touches the device or
 * the caller polls (pl031_poll): nothing here owns a timer. The caller
 * serialises access and supplies the level-triggered interrupt line
 * (called only on changes). */
#ifndef VMRAS_DEVICES_PL031_H
#define VMRAS_DEVICES_PL031_H

#include <stdbool.h>
#include <stdint.h>

#define PL031_DR   0x00   /* data: the count, read-only */
#define PL031_MR   0x04   /* match */
#define PL031_LR   0x08   /* load: sets the count */
#define PL031_CR   0x0c   /* control: bit 0 start, reads 1 */
#define PL031_IMSC 0x10   /* interrupt mask: bit 0 */
#define PL031_RIS  0x14
#define PL031_MIS  0x18
#define PL031_ICR  0x1c   /* write 1: clear */
#define PL031_MMIO_SIZE 0x1000

struct pl031 {
	uint64_t (*clock)(void *opaque);   /* seconds since the epoch */
	void (*set_irq)(void *opaque, int level);
	void *opaque;
	/* The count is (clock - offset) mod 2^32. */
	uint64_t offset;
	uint32_t lr, mr;
	uint32_t last;                /* the count when the match was last checked */
	bool match_armed;             /* MR written since its match fired */
	uint8_t imsc, ris;
	int irq_level;
};

void pl031_init(struct pl031 *r, uint64_t (*clock)(void *), void (*set_irq)(void *, int), void *opaque);
/* Power-on: counting the host's time, no match, interrupt masked and clear. */
void pl031_reset(struct pl031 *r);
/* One guest access at offset in the 4 KiB window, 1 to 4 bytes,
 * little-endian; registers are 32-bit words. */
void pl031_access(struct pl031 *r, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* Checks the match now; the line rises if it fired and is unmasked. */
void pl031_poll(struct pl031 *r);

struct dt_writer;
/* "arm,pl031", "arm,primecell", its SPI, the apb_pclk clock's phandle. */
void pl031_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size, uint32_t spi, uint32_t clock);

#endif
