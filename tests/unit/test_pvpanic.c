/* The ISA pvpanic device (QEMU's docs/specs/pvpanic.rst): reads show the
 * recognised bits, each write reports one event, unknown bits are ignored. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/bus.h"
#include "devices/pvpanic.h"

#define PORT 0x505

static struct bus bus;
static struct pvpanic dev;
static int token;
static enum pvpanic_event seen[8];
static unsigned nseen;

static void on_event(void *opaque, enum pvpanic_event ev)
{
	assert_ptr_equal(opaque, &token);
	assert_true(nseen < 8);
	seen[nseen++] = ev;
}

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	nseen = 0;
	dev = (struct pvpanic){ .event = on_event, .opaque = &token };
	assert_int_equal(pvpanic_register(&dev, &bus, BUS_IO, PORT), 0);
	return 0;
}

static void outb(uint8_t v)
{
	assert_true(bus_dispatch(&bus, BUS_IO, PORT, true, &v, 1));
}

static void test_bits(void **state)
{
	(void)state;
	/* The spec's bit numbers, which the guest's driver hard-codes. */
	assert_int_equal(PVPANIC_PANICKED, 0x01);
	assert_int_equal(PVPANIC_CRASH_LOADED, 0x02);
	assert_int_equal(PVPANIC_SHUTDOWN, 0x04);
}

static void test_read_features(void **state)
{
	uint8_t b = 0;
	uint8_t w[2] = { 0, 0 };
	(void)state;
	assert_true(bus_dispatch(&bus, BUS_IO, PORT, false, &b, 1));
	assert_int_equal(b, 0x07);
	/* Only the low byte of a wider read is the device's. */
	assert_true(bus_dispatch(&bus, BUS_IO, PORT, false, w, 2));
	assert_int_equal(w[0], 0x07);
	assert_int_equal(w[1], 0xff);
	/* The neighbours are not decoded. */
	assert_false(bus_dispatch(&bus, BUS_IO, PORT - 1, false, &b, 1));
	assert_false(bus_dispatch(&bus, BUS_IO, PORT + 1, false, &b, 1));
	assert_int_equal(nseen, 0);
}

static void test_each_event(void **state)
{
	(void)state;
	outb(0x01);
	outb(0x02);
	outb(0x04);
	assert_int_equal(nseen, 3);
	assert_int_equal(seen[0], PVPANIC_EVENT_PANICKED);
	assert_int_equal(seen[1], PVPANIC_EVENT_CRASH_LOADED);
	assert_int_equal(seen[2], PVPANIC_EVENT_SHUTDOWN);
}

static void test_unknown_bits_ignored(void **state)
{
	(void)state;
	outb(0x00);
	outb(0xf8);
	assert_int_equal(nseen, 0);
	outb(0xf9);
	outb(0x80 | 0x02);
	assert_int_equal(nseen, 2);
	assert_int_equal(seen[0], PVPANIC_EVENT_PANICKED);
	assert_int_equal(seen[1], PVPANIC_EVENT_CRASH_LOADED);
}

static void test_precedence(void **state)
{
	(void)state;
	for (unsigned v = 0; v < 256; v++) {
		enum pvpanic_event want = (v & 1) ? PVPANIC_EVENT_PANICKED :
					  (v & 2) ? PVPANIC_EVENT_CRASH_LOADED :
					  (v & 4) ? PVPANIC_EVENT_SHUTDOWN : PVPANIC_EVENT_NONE;
		assert_int_equal(pvpanic_decode((uint8_t)v), want);
	}
}

static void test_no_callback(void **state)
{
	(void)state;
	dev.event = NULL;
	outb(0x01);
	assert_int_equal(nseen, 0);
}

static void test_overlap_refused(void **state)
{
	struct pvpanic other = { 0 };
	(void)state;
	assert_int_equal(pvpanic_register(&other, &bus, BUS_IO, PORT), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_bits, setup),
		cmocka_unit_test_setup(test_read_features, setup),
		cmocka_unit_test_setup(test_each_event, setup),
		cmocka_unit_test_setup(test_unknown_bits_ignored, setup),
		cmocka_unit_test_setup(test_precedence, setup),
		cmocka_unit_test_setup(test_no_callback, setup),
		cmocka_unit_test_setup(test_overlap_refused, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
