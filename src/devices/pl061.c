#include "devices/pl061.h"

#include <string.h>

#include "devices/primecell.h"
#include "devices/dt.h"

/* PeriphID: part 0x061, designer ARM (0x41), revision 0. */
static const uint8_t periph_id[4] = { 0x61, 0x10, 0x04, 0x00 };

static uint8_t pins(const struct pl061 *g)
{
	return (uint8_t)((g->data & g->dir) | (g->in & ~g->dir));
}

/* Level-sensitive inputs interrupt while at their level, whatever was
 * cleared; edge ones keep what they latched until the guest clears it. */
static void update_levels(struct pl061 *g)
{
	uint8_t at_level = (uint8_t)~(pins(g) ^ g->iev);

	g->ris = (uint8_t)((g->ris & ~g->is) | (at_level & g->is & ~g->dir));
}

static void update_irq(struct pl061 *g)
{
	int level;

	update_levels(g);
	level = (g->ris & g->ie) != 0;
	if (level != g->irq_level) {
		g->irq_level = level;
		if (g->set_irq)
			g->set_irq(g->opaque, level);
	}
}

void pl061_init(struct pl061 *g, void (*set_irq)(void *, int), void *opaque)
{
	memset(g, 0, sizeof(*g));
	g->set_irq = set_irq;
	g->opaque = opaque;
}

void pl061_reset(struct pl061 *g)
{
	uint8_t in = g->in;

	g->data = g->dir = g->is = g->ibe = g->iev = g->ie = g->ris = g->afsel = 0;
	g->in = in;
	if (g->irq_level) {
		g->irq_level = 0;
		if (g->set_irq)
			g->set_irq(g->opaque, 0);
	}
}

static uint32_t read_reg(const struct pl061 *g, uint64_t off)
{
	uint32_t v;

	if (off < PL061_DIR)
		return pins(g) & (uint8_t)(off >> 2);
	switch (off) {
	case PL061_DIR: return g->dir;
	case PL061_IS: return g->is;
	case PL061_IBE: return g->ibe;
	case PL061_IEV: return g->iev;
	case PL061_IE: return g->ie;
	case PL061_RIS: return g->ris;
	case PL061_MIS: return g->ris & g->ie;
	case PL061_AFSEL: return g->afsel;
	}
	if (primecell_id(off, periph_id, &v))
		return v;
	return 0;
}

static void write_reg(struct pl061 *g, uint64_t off, uint8_t v)
{
	if (off < PL061_DIR) {
		uint8_t mask = (uint8_t)(off >> 2);
		g->data = (uint8_t)((g->data & ~mask) | (v & mask));
		return;
	}
	switch (off) {
	case PL061_DIR: g->dir = v; break;
	case PL061_IS: g->is = v; break;
	case PL061_IBE: g->ibe = v; break;
	case PL061_IEV: g->iev = v; break;
	case PL061_IE: g->ie = v; break;
	case PL061_IC: g->ris &= (uint8_t)~(v & ~g->is); break;
	case PL061_AFSEL: g->afsel = v; break;
	}
}

void pl061_access(struct pl061 *g, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	bool valid = offset % 4 == 0 && offset < PL061_MMIO_SIZE;
	uint32_t v = 0;

	if (size < 1 || size > 4)
		return;
	if (is_write) {
		if (valid)
			write_reg(g, offset, data[0]);
	} else {
		if (valid)
			v = read_reg(g, offset);
		for (unsigned i = 0; i < size; i++)
			data[i] = (uint8_t)(v >> (8 * i));
	}
	update_irq(g);
}

void pl061_set_input(struct pl061 *g, unsigned pin, int level)
{
	uint8_t bit, before = pins(g);

	if (pin >= PL061_PINS)
		return;
	bit = (uint8_t)(1u << pin);
	g->in = (uint8_t)(level ? g->in | bit : g->in & ~bit);
	if ((before ^ pins(g)) & bit & ~g->dir & ~g->is) {
		bool rising = level != 0;
		if ((g->ibe & bit) || rising == ((g->iev & bit) != 0))
			g->ris |= bit;
	}
	update_irq(g);
}

int pl061_pin(const struct pl061 *g, unsigned pin)
{
	return pin < PL061_PINS && (pins(g) >> pin) & 1;
}

void pl061_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size, uint32_t spi, uint32_t clock,
	      uint32_t phandle)
{
	uint32_t irq[3] = { DT_GIC_SPI, spi, DT_IRQ_LEVEL_HIGH };

	dt_begin(w, node);
	dt_prop_strs(w, "compatible", "arm,pl061", "arm,primecell");
	dt_prop_reg2(w, base, size, 0, 0, 1);
	dt_prop_cells(w, "interrupts", irq, 3);
	dt_prop_empty(w, "gpio-controller");
	dt_prop_u32(w, "#gpio-cells", 2);
	dt_prop_u32(w, "clocks", clock);
	dt_prop_str(w, "clock-names", "apb_pclk");
	dt_prop_u32(w, "phandle", phandle);
	dt_end(w);
}
