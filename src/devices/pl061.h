/* An ARM PrimeCell PL061 GPIO controller: eight pins, each an input or an
 * output, with edge or level interrupts, as Linux's gpio-pl061 driver runs
 * it. vmras wires an input pin to a button (arm64: the power key that
 * gpio-keys turns into KEY_POWER, docs/arm64.md). Pure state machine: the
 * caller serialises access and supplies the interrupt line (a
 * level-triggered SPI, called only on changes). */
#ifndef VMRAS_DEVICES_PL061_H
#define VMRAS_DEVICES_PL061_H

#include <stdbool.h>
#include <stdint.h>

#define PL061_PINS 8

/* Register offsets. GPIODATA is 256 words: address bits 9:2 mask the pins
 * an access reads or writes. */
#define PL061_DATA   0x000
#define PL061_DIR    0x400   /* 1: output */
#define PL061_IS     0x404   /* 1: level-sensitive, 0: edge */
#define PL061_IBE    0x408   /* 1: both edges */
#define PL061_IEV    0x40c   /* 1: rising edge or high level */
#define PL061_IE     0x410   /* 1: the pin may interrupt */
#define PL061_RIS    0x414
#define PL061_MIS    0x418
#define PL061_IC     0x41c   /* write 1: clear an edge interrupt */
#define PL061_AFSEL  0x420
#define PL061_MMIO_SIZE 0x1000

struct pl061 {
	uint8_t data;                  /* what the guest drove on its outputs */
	uint8_t in;                    /* the level outside drives on each pin */
	uint8_t dir, is, ibe, iev, ie, ris, afsel;
	int irq_level;
	void (*set_irq)(void *opaque, int level);
	void *opaque;
};

void pl061_init(struct pl061 *g, void (*set_irq)(void *, int), void *opaque);
/* Power-on state (all inputs, interrupts off, nothing pending); what the
 * outside drives is kept. The line is lowered. */
void pl061_reset(struct pl061 *g);
/* One guest access at offset in the 4 KiB window, 1 to 4 bytes,
 * little-endian; the registers are 8 bits wide, at word offsets. */
void pl061_access(struct pl061 *g, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* The outside drives pin to level (0 or 1): an input's edge or level may
 * interrupt. */
void pl061_set_input(struct pl061 *g, unsigned pin, int level);
/* What the guest reads on pin now (its output, or the outside's level). */
int pl061_pin(const struct pl061 *g, unsigned pin);

struct dt_writer;
/* The device's DT node: a GPIO controller, with the phandle its consumers name. */
void pl061_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size, uint32_t spi, uint32_t clock,
	      uint32_t phandle);

#endif
