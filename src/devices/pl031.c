#include "devices/pl031.h"

#include <string.h>

#include "devices/dt.h"
#include "devices/primecell.h"

/* Part 0x031, designer ARM, revision 1. edk2 and Linux both check the
 * part and designer, and edk2 reads the IDs a byte at a time. */
static const uint8_t periph_id[4] = { 0x31, 0x10, 0x14, 0x00 };

void pl031_init(struct pl031 *r, uint64_t (*clock)(void *), void (*set_irq)(void *, int), void *opaque)
{
	memset(r, 0, sizeof(*r));
	r->clock = clock;
	r->set_irq = set_irq;
	r->opaque = opaque;
	pl031_reset(r);
}

static uint32_t count(const struct pl031 *r)
{
	return (uint32_t)(r->clock(r->opaque) - r->offset);
}

static void update_irq(struct pl031 *r)
{
	int level = (r->ris & r->imsc & 1) != 0;

	if (level != r->irq_level) {
		r->irq_level = level;
		if (r->set_irq)
			r->set_irq(r->opaque, level);
	}
}

void pl031_reset(struct pl031 *r)
{
	r->offset = 0;
	r->lr = r->mr = 0;
	r->match_armed = false;
	r->imsc = r->ris = 0;
	r->last = count(r);
	update_irq(r);
}

/* The match fires when the count reaches MR: checked between the last
 * look and now, since nothing watches the count in between. */
static void check_match(struct pl031 *r)
{
	uint32_t now = count(r);

	if (r->match_armed && now - r->last >= r->mr - r->last) {
		r->ris = 1;
		r->match_armed = false;
	}
	r->last = now;
	update_irq(r);
}

void pl031_poll(struct pl031 *r)
{
	check_match(r);
}

static uint32_t read_reg(struct pl031 *r, uint64_t off)
{
	uint32_t v = 0;

	switch (off) {
	case PL031_DR: return count(r);
	case PL031_MR: return r->mr;
	case PL031_LR: return r->lr;
	case PL031_CR: return 1;          /* counting since power-on; cannot stop */
	case PL031_IMSC: return r->imsc;
	case PL031_RIS: return r->ris;
	case PL031_MIS: return r->ris & r->imsc;
	}
	primecell_id(off, periph_id, &v);
	return v;
}

static void write_reg(struct pl031 *r, uint64_t off, uint32_t v)
{
	switch (off) {
	case PL031_MR:
		r->mr = v;
		r->match_armed = true;
		r->last = count(r);
		break;
	case PL031_LR:
		r->lr = v;
		r->offset = r->clock(r->opaque) - v;
		r->last = v;
		break;
	case PL031_IMSC:
		r->imsc = v & 1;
		break;
	case PL031_ICR:
		if (v & 1)
			r->ris = 0;
		break;
	}
}

void pl031_access(struct pl031 *r, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	uint32_t v = 0;

	if (size < 1 || size > 4) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	check_match(r);
	/* Unaligned or outside the registers: reads 0, writes nothing. */
	if (offset % 4 || offset >= PL031_MMIO_SIZE) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	if (is_write) {
		for (unsigned i = 0; i < size; i++)
			v |= (uint32_t)data[i] << (8 * i);
		write_reg(r, offset, v);
		check_match(r);
		return;
	}
	v = read_reg(r, offset);
	for (unsigned i = 0; i < size; i++)
		data[i] = (uint8_t)(v >> (8 * i));
}

void pl031_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size, uint32_t spi, uint32_t clock)
{
	uint32_t irq[3] = { DT_GIC_SPI, spi, DT_IRQ_LEVEL_HIGH };

	dt_begin(w, node);
	dt_prop_strs(w, "compatible", "arm,pl031", "arm,primecell");
	dt_prop_reg2(w, base, size, 0, 0, 1);
	dt_prop_cells(w, "interrupts", irq, 3);
	dt_prop_u32(w, "clocks", clock);
	dt_prop_str(w, "clock-names", "apb_pclk");
	dt_end(w);
}
