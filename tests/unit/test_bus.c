/* The device bus: registration rules and dispatch, in I/O space (ports)
 * and MMIO space (64-bit addresses), and that the two never meet. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/bus.h"

struct call {
	void *opaque;
	uint64_t offset;
	bool is_write;
	uint8_t first;
	unsigned size;
};

static struct call calls[64];
static unsigned ncalls;

static void handler(void *opaque, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
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
	struct bus bus = { 0 };
	int a, b;
	(void)state;

	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f8, 8, handler, &a), 0);
	assert_int_equal(bus.space[BUS_IO].count, 1);
	/* Touching on either side is fine. */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f0, 8, handler, &b), 0);
	assert_int_equal(bus_register(&bus, BUS_IO, 0x400, 1, handler, &b), 0);
	assert_int_equal(bus.space[BUS_IO].count, 3);
	/* Any shared port is not. */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3ff, 1, handler, &b), -1);
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f8, 1, handler, &b), -1);
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3fa, 2, handler, &b), -1);   /* inside */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x300, 0x200, handler, &b), -1); /* around */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3e0, 0x11, handler, &b), -1); /* over the start of 0x3f0 */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3ff, 2, handler, &b), -1);    /* over 0x3ff and 0x400 */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f8, 8, handler, &b), -1);    /* the same again */
	assert_int_equal(bus.space[BUS_IO].count, 3);
	assert_int_equal(bus.space[BUS_IO].range[0].base, 0x3f8);
	assert_int_equal(bus.space[BUS_IO].range[0].len, 8);
	assert_ptr_equal(bus.space[BUS_IO].range[0].opaque, &a);
}

static void test_register_bounds(void **state)
{
	struct bus bus = { 0 };
	(void)state;

	assert_int_equal(bus_register(&bus, BUS_IO, 0x100, 0, handler, NULL), -1);
	assert_int_equal(bus_register(&bus, BUS_IO, 0xffff, 2, handler, NULL), -1);
	assert_int_equal(bus_register(&bus, BUS_IO, 0xff00, 0x101, handler, NULL), -1);
	assert_int_equal(bus_register(&bus, BUS_IO, 0x0002, 0xffff, handler, NULL), -1);
	assert_int_equal(bus.space[BUS_IO].count, 0);
	assert_int_equal(bus_register(&bus, BUS_IO, 0xffff, 1, handler, NULL), 0);
	assert_int_equal(bus_register(&bus, BUS_IO, 0xff00, 0xff, handler, NULL), 0);
	assert_int_equal(bus_register(&bus, BUS_IO, 0, 1, handler, NULL), 0);
	assert_int_equal(bus.space[BUS_IO].count, 3);

	struct bus all = { 0 };
	assert_int_equal(bus_register(&all, BUS_IO, 0, 0xffff, handler, NULL), 0);
	assert_int_equal(bus_register(&all, BUS_IO, 0xffff, 1, handler, NULL), 0);
	assert_int_equal(bus_register(&all, BUS_IO, 0x80, 1, handler, NULL), -1);
}

static void test_full_bus(void **state)
{
	struct bus bus = { 0 };
	(void)state;

	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(bus_register(&bus, BUS_IO, (uint16_t)(0x1000 + 0x10 * i), 4, handler, NULL), 0);
	assert_int_equal(bus.space[BUS_IO].count, 32);
	assert_int_equal(bus_register(&bus, BUS_IO, 0x8000, 1, handler, NULL), -1);
	assert_int_equal(bus.space[BUS_IO].count, 32);
	/* All 32 still dispatch, each to its own offset 3. */
	uint8_t v = 0;
	for (unsigned i = 0; i < 32; i++)
		assert_true(bus_dispatch(&bus, BUS_IO, (uint16_t)(0x1000 + 0x10 * i + 3), true, &v, 1));
	assert_int_equal(ncalls, 32);
	for (unsigned i = 0; i < 32; i++)
		assert_int_equal(calls[i].offset, 3);
	assert_false(bus_dispatch(&bus, BUS_IO, 0x1004, true, &v, 1));
}

static void test_dispatch(void **state)
{
	struct bus bus = { 0 };
	int a, b;
	uint8_t data[4];
	(void)state;

	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f8, 8, handler, &a), 0);
	assert_int_equal(bus_register(&bus, BUS_IO, 0x64, 1, handler, &b), 0);

	data[0] = 0x41;
	assert_true(bus_dispatch(&bus, BUS_IO, 0x3f8, true, data, 1));
	assert_int_equal(ncalls, 1);
	assert_ptr_equal(calls[0].opaque, &a);
	assert_int_equal(calls[0].offset, 0);
	assert_true(calls[0].is_write);
	assert_int_equal(calls[0].first, 0x41);
	assert_int_equal(calls[0].size, 1);

	memset(data, 0, sizeof(data));
	assert_true(bus_dispatch(&bus, BUS_IO, 0x3ff, false, data, 1));
	assert_int_equal(ncalls, 2);
	assert_ptr_equal(calls[1].opaque, &a);
	assert_int_equal(calls[1].offset, 7);
	assert_false(calls[1].is_write);
	assert_int_equal(data[0], 0x70);

	assert_true(bus_dispatch(&bus, BUS_IO, 0x3fd, false, data, 2));
	assert_int_equal(calls[2].offset, 5);
	assert_int_equal(calls[2].size, 2);
	assert_int_equal(data[0], 0x50);
	assert_int_equal(data[1], 0x51);

	assert_true(bus_dispatch(&bus, BUS_IO, 0x64, true, data, 1));
	assert_ptr_equal(calls[3].opaque, &b);
	assert_int_equal(calls[3].offset, 0);
	assert_int_equal(ncalls, 4);
}

static void test_unowned(void **state)
{
	struct bus bus = { 0 };
	uint8_t data[4];
	(void)state;

	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f8, 8, handler, NULL), 0);
	/* Reads of nobody's ports see all ones, for every byte of the access. */
	memset(data, 0, sizeof(data));
	assert_false(bus_dispatch(&bus, BUS_IO, 0x3f7, false, data, 1));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0x00);
	memset(data, 0, sizeof(data));
	assert_false(bus_dispatch(&bus, BUS_IO, 0x400, false, data, 4));
	assert_memory_equal(data, "\xff\xff\xff\xff", 4);
	memset(data, 0, sizeof(data));
	assert_false(bus_dispatch(&bus, BUS_IO, 0x80, false, data, 2));
	assert_int_equal(data[0], 0xff);
	assert_int_equal(data[1], 0xff);
	assert_int_equal(data[2], 0x00);
	/* Writes go nowhere and leave the buffer alone. */
	data[0] = 0x12;
	assert_false(bus_dispatch(&bus, BUS_IO, 0x80, true, data, 1));
	assert_int_equal(data[0], 0x12);
	assert_int_equal(ncalls, 0);
	/* An empty bus. */
	struct bus empty = { 0 };
	assert_false(bus_dispatch(&empty, BUS_IO, 0, false, data, 1));
	assert_int_equal(data[0], 0xff);
	assert_false(bus_dispatch(&empty, BUS_IO, 0xffff, false, data, 1));
	assert_int_equal(ncalls, 0);
}

static void test_mmio_bounds(void **state)
{
	struct bus bus = { 0 };
	(void)state;

	/* 64-bit addresses: the very top of the space is a valid range. */
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0xfffffffffffff000ULL, 0x1000, handler, NULL), 0);
	assert_int_equal(bus_register(&bus, BUS_MMIO, UINT64_MAX, 1, handler, NULL), -1);   /* taken */
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0xffffffffffffe000ULL, 0x2001, handler, NULL), -1);
	/* A range that would wrap past the top is refused, not taken as low. */
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0xfffffffffffff000ULL, 0x2000, handler, NULL), -1);
	assert_int_equal(bus_register(&bus, BUS_MMIO, 2, UINT64_MAX, handler, NULL), -1);
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x1000, 0, handler, NULL), -1);
	/* Above 4 GiB and far past 16 bits. */
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x100000000ULL, 0x10000, handler, NULL), 0);
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x10000ffffULL, 2, handler, NULL), -1);
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0, 0x100000000ULL, handler, NULL), 0);
	assert_int_equal(bus.space[BUS_MMIO].count, 3);
	assert_int_equal(bus.space[BUS_IO].count, 0);
	/* No such space. */
	assert_int_equal(bus_register(&bus, (enum bus_space)BUS_SPACES, 0, 1, handler, NULL), -1);
}

static void test_spaces_apart(void **state)
{
	struct bus bus = { 0 };
	int io, mmio;
	uint8_t data[8];
	(void)state;

	/* The same number in both spaces is two different places. */
	assert_int_equal(bus_register(&bus, BUS_IO, 0x3f8, 8, handler, &io), 0);
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x3f8, 8, handler, &mmio), 0);
	data[0] = 1;
	assert_true(bus_dispatch(&bus, BUS_MMIO, 0x3f9, true, data, 1));
	assert_ptr_equal(calls[0].opaque, &mmio);
	assert_int_equal(calls[0].offset, 1);
	assert_true(bus_dispatch(&bus, BUS_IO, 0x3f9, true, data, 1));
	assert_ptr_equal(calls[1].opaque, &io);
	/* MMIO past the port range reaches only MMIO devices. */
	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x9000000ULL, 0x1000, handler, &mmio), 0);
	assert_false(bus_dispatch(&bus, BUS_IO, 0x9000, false, data, 1));
	assert_int_equal(ncalls, 2);
}

static void test_mmio_dispatch(void **state)
{
	struct bus bus = { 0 };
	int a;
	uint8_t data[8];
	(void)state;

	assert_int_equal(bus_register(&bus, BUS_MMIO, 0x4000000000ULL, 0x100000, handler, &a), 0);
	/* An 8-byte read at an offset wider than 16 bits. */
	memset(data, 0, sizeof(data));
	assert_true(bus_dispatch(&bus, BUS_MMIO, 0x4000012348ULL, false, data, 8));
	assert_int_equal(calls[0].offset, 0x12348);
	assert_int_equal(calls[0].size, 8);
	assert_int_equal(data[0], 0x80);
	assert_int_equal(data[7], 0x87);
	/* Unowned MMIO: all ones for every byte read, writes dropped. */
	memset(data, 0, sizeof(data));
	assert_false(bus_dispatch(&bus, BUS_MMIO, 0x3fffffffffULL, false, data, 8));
	assert_memory_equal(data, "\xff\xff\xff\xff\xff\xff\xff\xff", 8);
	data[0] = 0x12;
	assert_false(bus_dispatch(&bus, BUS_MMIO, 0x4000100000ULL, true, data, 4));
	assert_int_equal(data[0], 0x12);
	assert_int_equal(ncalls, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_register_overlaps, reset),
		cmocka_unit_test_setup(test_register_bounds, reset),
		cmocka_unit_test_setup(test_full_bus, reset),
		cmocka_unit_test_setup(test_dispatch, reset),
		cmocka_unit_test_setup(test_unowned, reset),
		cmocka_unit_test_setup(test_mmio_bounds, reset),
		cmocka_unit_test_setup(test_spaces_apart, reset),
		cmocka_unit_test_setup(test_mmio_dispatch, reset),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
