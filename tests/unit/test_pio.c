/* The port-I/O bus: registration rules and dispatch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/pio.h"

struct call {
	void *opaque;
	uint16_t offset;
	bool is_write;
	uint8_t first;
	unsigned size;
};

static struct call calls[64];
static unsigned ncalls;

static void handler(void *opaque, uint16_t offset, bool is_write, uint8_t *data, unsigned size)
{
	assert_true(ncalls < 64);
	calls[ncalls++] = (struct call){ opaque, offset, is_write, data[0], size };
	if (!is_write)
		for (unsigned i = 0; i < size; i++)
			data[i] = (uint8_t)(0x10 * (offset & 0xf) + i);
}

static int reset(void **state)
{
	(void)state;
	memset(calls, 0, sizeof(calls));
	ncalls = 0;
	return 0;
}

static void test_register_overlaps(void **state)
{
	struct pio_bus bus = { .count = 0 };
	int a, b;
	(void)state;

	assert_int_equal(pio_register(&bus, 0x3f8, 8, handler, &a), 0);
	assert_int_equal(bus.count, 1);
	/* Touching on either side is fine. */
	assert_int_equal(pio_register(&bus, 0x3f0, 8, handler, &b), 0);
	assert_int_equal(pio_register(&bus, 0x400, 1, handler, &b), 0);
	assert_int_equal(bus.count, 3);
	/* Any shared port is not. */
	assert_int_equal(pio_register(&bus, 0x3ff, 1, handler, &b), -1);
	assert_int_equal(pio_register(&bus, 0x3f8, 1, handler, &b), -1);
	assert_int_equal(pio_register(&bus, 0x3fa, 2, handler, &b), -1);   /* inside */
	assert_int_equal(pio_register(&bus, 0x300, 0x200, handler, &b), -1); /* around */
	assert_int_equal(pio_register(&bus, 0x3e0, 0x11, handler, &b), -1); /* over the start of 0x3f0 */
	assert_int_equal(pio_register(&bus, 0x3ff, 2, handler, &b), -1);    /* over 0x3ff and 0x400 */
	assert_int_equal(pio_register(&bus, 0x3f8, 8, handler, &b), -1);    /* the same again */
	assert_int_equal(bus.count, 3);
	assert_int_equal(bus.range[0].base, 0x3f8);
	assert_int_equal(bus.range[0].len, 8);
	assert_ptr_equal(bus.range[0].opaque, &a);
}

static void test_register_bounds(void **state)
{
	struct pio_bus bus = { .count = 0 };
	(void)state;

	assert_int_equal(pio_register(&bus, 0x100, 0, handler, NULL), -1);
	assert_int_equal(pio_register(&bus, 0xffff, 2, handler, NULL), -1);
	assert_int_equal(pio_register(&bus, 0xff00, 0x101, handler, NULL), -1);
	assert_int_equal(pio_register(&bus, 0x0002, 0xffff, handler, NULL), -1);
	assert_int_equal(bus.count, 0);
	assert_int_equal(pio_register(&bus, 0xffff, 1, handler, NULL), 0);
	assert_int_equal(pio_register(&bus, 0xff00, 0xff, handler, NULL), 0);
	assert_int_equal(pio_register(&bus, 0, 1, handler, NULL), 0);
	assert_int_equal(bus.count, 3);

	struct pio_bus all = { .count = 0 };
	assert_int_equal(pio_register(&all, 0, 0xffff, handler, NULL), 0);
	assert_int_equal(pio_register(&all, 0xffff, 1, handler, NULL), 0);
	assert_int_equal(pio_register(&all, 0x80, 1, handler, NULL), -1);
}

static void test_full_bus(void **state)
{
	struct pio_bus bus = { .count = 0 };
	(void)state;

	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(pio_register(&bus, (uint16_t)(0x1000 + 0x10 * i), 4, handler, NULL), 0);
	assert_int_equal(bus.count, 32);
	assert_int_equal(pio_register(&bus, 0x8000, 1, handler, NULL), -1);
	assert_int_equal(bus.count, 32);
	/* All 32 still dispatch, each to its own offset 3. */
	uint8_t v = 0;
	for (unsigned i = 0; i < 32; i++)
		assert_true(pio_dispatch(&bus, (uint16_t)(0x1000 + 0x10 * i + 3), true, &v, 1));
	assert_int_equal(ncalls, 32);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(calls[i].offset, 3);
	assert_false(pio_dispatch(&bus, 0x1004, true, &v, 1));
}

static void test_dispatch(void **state)
{
	struct pio_bus bus = { .count = 0 };
	int a, b;
	uint8_t data[4];
	(void)state;

	assert_int_equal(pio_register(&bus, 0x3f8, 8, handler, &a), 0);
	assert_int_equal(pio_register(&bus, 0x64, 1, handler, &b), 0);

	data[0] = 0x41;
	assert_true(pio_dispatch(&bus, 0x3f8, true, data, 1));
	assert_int_equal(ncalls, 1);
	assert_ptr_equal(calls[0].opaque, &a);
	assert_int_equal(calls[0].offset, 0);
	assert_true(calls[0].is_write);
	assert_int_equal(calls[0].first, 0x41);
	assert_int_equal(calls[0].size, 1);

	memset(data, 0, sizeof(data));
	assert_true(pio_dispatch(&bus, 0x3ff, false, data, 1));
	assert_int_equal(ncalls, 2);
	assert_ptr_equal(calls[1].opaque, &a);
	assert_int_equal(calls[1].offset, 7);
	assert_false(calls[1].is_write);
	assert_int_equal(data[0], 0x70);

	assert_true(pio_dispatch(&bus, 0x3fd, false, data, 2));
	assert_int_equal(calls[2].offset, 5);
	assert_int_equal(calls[2].size, 2);
	assert_int_equal(data[0], 0x50);
	assert_int_equal(data[1], 0x51);

	assert_true(pio_dispatch(&bus, 0x64, true, data, 1));
	assert_ptr_equal(calls[3].opaque, &b);
	assert_int_equal(calls[3].offset, 0);
	assert_int_equal(ncalls, 4);
}

static void test_unowned(void **state)
{
	struct pio_bus bus = { .count = 0 };
	uint8_t data[4];
	(void)state;

	assert_int_equal(pio_register(&bus, 0x3f8, 8, handler, NULL), 0);
	/* Reads of nobody's ports see all ones, for every byte of the access. */
	memset(data, 0, sizeof(data));
	assert_false(pio_dispatch(&bus, 0x3f7, false, data, 1));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0x00);
	memset(data, 0, sizeof(data));
	assert_false(pio_dispatch(&bus, 0x400, false, data, 4));
	assert_memory_equal(data, "\xff\xff\xff\xff", 4);
	memset(data, 0, sizeof(data));
	assert_false(pio_dispatch(&bus, 0x80, false, data, 2));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0xff);
	assert_int_equal(data[2], 0x00);
	/* Writes go nowhere and leave the buffer alone. */
	data[0] = 0x12;
	assert_false(pio_dispatch(&bus, 0x80, true, data, 1));
	assert_int_equal(data[0], 0x12);
	assert_int_equal(ncalls, 0);
	/* An empty bus. */
	struct pio_bus empty = { .count = 0 };
	assert_false(pio_dispatch(&empty, 0, false, data, 1));
	assert_int_equal(data[0], 0xff);
	assert_false(pio_dispatch(&empty, 0xffff, false, data, 1));
	assert_int_equal(ncalls, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register_overlaps, reset),
		cmocka_unit_test_setup(test_register_bounds, reset),
		cmocka_unit_test_setup(test_full_bus, reset),
		cmocka_unit_test_setup(test_dispatch, reset),
		cmocka_unit_test_setup(test_unowned, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
