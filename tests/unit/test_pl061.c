/* The PL061 GPIO model as Linux's gpio-pl061 and gpio-keys drive it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "devices/pl061.h"

static int irq_level, irq_calls;

static void set_irq(void *opaque, int level)
{
	(void)opaque;
	irq_level = level;
	irq_calls++;
}

static uint32_t rd(struct pl061 *g, uint64_t off, unsigned size)
{
	uint8_t d[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	uint32_t v = 0;

	pl061_access(g, off, false, d, size);
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d[i] << (8 * i);
	return v;
}

static void wr(struct pl061 *g, uint64_t off, uint8_t v)
{
	pl061_access(g, off, true, &v, 1);
}

static void setup(struct pl061 *g)
{
	irq_level = irq_calls = 0;
	pl061_init(g, set_irq, NULL);
}

static void test_ids(void **state)
{
	static const uint8_t id[8] = { 0x61, 0x10, 0x04, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	struct pl061 g;
	(void)state;

	setup(&g);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(rd(&g, 0xfe0 + 4 * i, 4), id[i]);
	assert_int_equal(rd(&g, 0xfe2, 1), 0);       /* not a word offset */
	assert_int_equal(rd(&g, 0x500, 4), 0);       /* reserved */
}

/* GPIODATA's address bits 9:2 choose the pins an access sees. */
static void test_data_mask(void **state)
{
	struct pl061 g;
	(void)state;

	setup(&g);
	wr(&g, PL061_DIR, 0x0f);                     /* pins 0-3 outputs */
	wr(&g, 0x3fc, 0xff);                          /* all pins: only outputs take it */
	assert_int_equal(rd(&g, 0x3fc, 1), 0x0f);
	wr(&g, 0x1 << 2, 0x00);                       /* pin 0 alone */
	assert_int_equal(rd(&g, 0x3fc, 1), 0x0e);
	pl061_set_input(&g, 5, 1);
	assert_int_equal(rd(&g, 0x3fc, 1), 0x2e);
	assert_int_equal(rd(&g, 0x20 << 2, 1), 0x20); /* pin 5 alone */
	assert_int_equal(rd(&g, 0x10 << 2, 1), 0x00);
	assert_int_equal(pl061_pin(&g, 5), 1);
	assert_int_equal(pl061_pin(&g, 0), 0);
	assert_int_equal(pl061_pin(&g, 9), 0);
}

/* gpio-keys asks for both edges: a press and a release each interrupt,
 * and the guest clears each through GPIOIC. */
static void test_both_edges(void **state)
{
	struct pl061 g;
	(void)state;

	setup(&g);
	wr(&g, PL061_IBE, 0x08);
	wr(&g, PL061_IE, 0x08);
	assert_int_equal(irq_calls, 0);
	pl061_set_input(&g, 3, 1);
	assert_int_equal(irq_level, 1);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0x08);
	assert_int_equal(rd(&g, PL061_MIS, 1), 0x08);
	assert_int_equal(rd(&g, 0x08 << 2, 1), 0x08);
	wr(&g, PL061_IC, 0x08);
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0);
	pl061_set_input(&g, 3, 1);                   /* no change, no edge */
	assert_int_equal(irq_level, 0);
	pl061_set_input(&g, 3, 0);
	assert_int_equal(irq_level, 1);
	assert_int_equal(irq_calls, 3);
}

static void test_single_edge_and_mask(void **state)
{
	struct pl061 g;
	(void)state;

	setup(&g);
	wr(&g, PL061_IEV, 0x01);                     /* rising only */
	pl061_set_input(&g, 0, 1);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0x01);
	assert_int_equal(irq_level, 0);              /* masked */
	wr(&g, PL061_IE, 0x01);                      /* unmasking a latched edge interrupts */
	assert_int_equal(irq_level, 1);
	wr(&g, PL061_IC, 0x01);
	pl061_set_input(&g, 0, 0);                   /* falling: not asked for */
	assert_int_equal(rd(&g, PL061_RIS, 1), 0);
	assert_int_equal(irq_level, 0);
	wr(&g, PL061_IEV, 0x00);                     /* falling only */
	pl061_set_input(&g, 0, 1);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0);
	pl061_set_input(&g, 0, 0);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0x01);
	/* Outputs do not interrupt when the outside drives them. */
	wr(&g, PL061_IC, 0x01);
	wr(&g, PL061_DIR, 0x02);
	wr(&g, PL061_IBE, 0x02);
	wr(&g, PL061_IE, 0x03);
	pl061_set_input(&g, 1, 1);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0);
}

static void test_level(void **state)
{
	struct pl061 g;
	(void)state;

	setup(&g);
	wr(&g, PL061_IS, 0x04);
	wr(&g, PL061_IEV, 0x04);                     /* high level */
	wr(&g, PL061_IE, 0x04);
	assert_int_equal(irq_level, 0);
	pl061_set_input(&g, 2, 1);
	assert_int_equal(irq_level, 1);
	wr(&g, PL061_IC, 0x04);                      /* a level cannot be cleared */
	assert_int_equal(irq_level, 1);
	pl061_set_input(&g, 2, 0);
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0);
	wr(&g, PL061_IEV, 0x00);                     /* low level: at it now */
	assert_int_equal(irq_level, 1);
}

static void test_reset(void **state)
{
	struct pl061 g;
	(void)state;

	setup(&g);
	wr(&g, PL061_IBE, 0x08);
	wr(&g, PL061_IE, 0x08);
	wr(&g, PL061_DIR, 0x01);
	pl061_set_input(&g, 3, 1);
	assert_int_equal(irq_level, 1);
	pl061_reset(&g);
	assert_int_equal(irq_level, 0);
	assert_int_equal(rd(&g, PL061_DIR, 1), 0);
	assert_int_equal(rd(&g, PL061_IE, 1), 0);
	assert_int_equal(rd(&g, PL061_RIS, 1), 0);
	assert_int_equal(pl061_pin(&g, 3), 1);       /* the outside still drives it */
	assert_int_equal(rd(&g, PL061_AFSEL, 4), 0);
	pl061_access(&g, PL061_DIR, true, (uint8_t[8]){ 1 }, 8);   /* no 8-byte registers */
	assert_int_equal(rd(&g, PL061_DIR, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_data_mask),
		cmocka_unit_test(test_both_edges),
		cmocka_unit_test(test_single_edge_and_mask),
		cmocka_unit_test(test_level),
		cmocka_unit_test(test_reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
