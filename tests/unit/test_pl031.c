/* The PL031 RTC as edk2's PL031RealTimeClockLib and Linux's rtc-pl031
 * drive it, on a clock the test owns. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <libfdt.h>

#include "devices/dt.h"
#include "devices/pl031.h"

static uint64_t now;
static int irq_level, irq_calls;

static uint64_t clock_fn(void *opaque)
{
	(void)opaque;
	return now;
}

static void set_irq(void *opaque, int level)
{
	(void)opaque;
	irq_level = level;
	irq_calls++;
}

static uint32_t rd(struct pl031 *r, uint64_t off, unsigned size)
{
	uint8_t d[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	uint32_t v = 0;

	pl031_access(r, off, false, d, size);
	for (unsigned i = 0; i < size; i++)
		v |= (uint32_t)d[i] << (8 * i);
	return v;
}

static void wr(struct pl031 *r, uint64_t off, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	pl031_access(r, off, true, d, 4);
}

static void setup(struct pl031 *r)
{
	now = 1700000000;
	irq_level = irq_calls = 0;
	pl031_init(r, clock_fn, set_irq, NULL);
}

/* edk2's IdentifyPL031 reads each ID byte with an 8-bit load. */
static void test_ids_bytewise(void **state)
{
	static const uint8_t id[8] = { 0x31, 0x10, 0x14, 0x00, 0x0d, 0xf0, 0x05, 0xb1 };
	struct pl031 r;
	(void)state;

	setup(&r);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(&r, 0xfe0 + 4 * i, 1), id[i]);
		assert_int_equal(rd(&r, 0xfe0 + 4 * i, 4), id[i]);
	}
}

static void test_counts_host_time(void **state)
{
	struct pl031 r;
	(void)state;

	setup(&r);
	assert_int_equal(rd(&r, PL031_DR, 4), 1700000000);
	assert_int_equal(rd(&r, PL031_CR, 4), 1);
	now += 5;
	assert_int_equal(rd(&r, PL031_DR, 4), 1700000005);
	/* The data register is read-only. */
	wr(&r, PL031_DR, 7);
	assert_int_equal(rd(&r, PL031_DR, 4), 1700000005);
	/* Writing 0 to CR does not stop it (edk2 sets bit 0 if it reads 0). */
	wr(&r, PL031_CR, 0);
	assert_int_equal(rd(&r, PL031_CR, 4), 1);
}

/* edk2's SetTime loads LR; the count runs on from there. */
static void test_load(void **state)
{
	struct pl031 r;
	(void)state;

	setup(&r);
	wr(&r, PL031_LR, 1000);
	assert_int_equal(rd(&r, PL031_DR, 4), 1000);
	assert_int_equal(rd(&r, PL031_LR, 4), 1000);
	now += 3;
	assert_int_equal(rd(&r, PL031_DR, 4), 1003);
	/* Wraps at 32 bits. */
	wr(&r, PL031_LR, 0xffffffff);
	now += 2;
	assert_int_equal(rd(&r, PL031_DR, 4), 1);
	/* A reset returns to the host's time. */
	pl031_reset(&r);
	assert_int_equal(rd(&r, PL031_DR, 4), (uint32_t)now);
}

static void test_match_interrupt(void **state)
{
	struct pl031 r;
	(void)state;

	setup(&r);
	wr(&r, PL031_LR, 100);
	wr(&r, PL031_MR, 110);
	wr(&r, PL031_IMSC, 1);
	now += 9;
	pl031_poll(&r);
	assert_int_equal(rd(&r, PL031_RIS, 4), 0);
	assert_int_equal(irq_level, 0);
	now += 5;           /* passed 110 between two looks */
	pl031_poll(&r);
	assert_int_equal(rd(&r, PL031_RIS, 4), 1);
	assert_int_equal(rd(&r, PL031_MIS, 4), 1);
	assert_int_equal(irq_level, 1);
	/* Once: a later look does not fire it again after a clear. */
	wr(&r, PL031_ICR, 1);
	assert_int_equal(irq_level, 0);
	now += 100;
	pl031_poll(&r);
	assert_int_equal(rd(&r, PL031_RIS, 4), 0);
	/* Masked, it is raw status only. */
	wr(&r, PL031_IMSC, 0);
	wr(&r, PL031_MR, rd(&r, PL031_DR, 4));
	assert_int_equal(rd(&r, PL031_RIS, 4), 1);
	assert_int_equal(rd(&r, PL031_MIS, 4), 0);
	assert_int_equal(irq_level, 0);
	wr(&r, PL031_IMSC, 1);
	assert_int_equal(irq_level, 1);
	assert_int_equal(irq_calls, 3);
	pl031_reset(&r);
	assert_int_equal(irq_level, 0);
}

static void test_bad_accesses(void **state)
{
	struct pl031 r;
	uint8_t d[8] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
	(void)state;

	setup(&r);
	assert_int_equal(rd(&r, PL031_DR + 1, 1), 0);
	assert_int_equal(rd(&r, 0x20, 4), 0);
	assert_int_equal(rd(&r, 0x1000, 4), 0);
	assert_int_equal(rd(&r, UINT64_MAX - 3, 4), 0);
	pl031_access(&r, PL031_DR, false, d, 8);
	assert_int_equal(d[0], 0);
	pl031_access(&r, PL031_DR, false, d, 0);
	wr(&r, PL031_LR + 2, 5);
	wr(&r, 0x2000, 5);
	assert_int_equal(rd(&r, PL031_DR, 4), (uint32_t)now);
}

static void test_dt(void **state)
{
	static uint8_t buf[1024];
	struct dt_writer w = { .fdt = buf };
	const fdt32_t *irq;
	const char *compat;
	int node, len;
	(void)state;

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	dt_begin(&w, "");
	pl031_dt(&w, "pl031@9010000", 0x09010000, 0x1000, 2, 2);
	dt_end(&w);
	assert_int_equal(w.err, 0);
	assert_int_equal(fdt_finish(buf), 0);
	node = fdt_path_offset(buf, "/pl031@9010000");
	assert_true(node >= 0);
	compat = fdt_getprop(buf, node, "compatible", &len);
	assert_int_equal(len, (int)sizeof("arm,pl031") + (int)sizeof("arm,primecell"));
	assert_string_equal(compat, "arm,pl031");
	irq = fdt_getprop(buf, node, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(irq[1]), 2);
	assert_string_equal(fdt_getprop(buf, node, "clock-names", NULL), "apb_pclk");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ids_bytewise),
		cmocka_unit_test(test_counts_host_time),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_match_interrupt),
		cmocka_unit_test(test_bad_accesses),
		cmocka_unit_test(test_dt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
