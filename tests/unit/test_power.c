/* Power-off and reset requests: the FADT's hardware-reduced sleep control,
 * sleep status and reset registers (ACPI 6.3, 4.8.3.7 and 4.8.3.6), the
 * i8042 reset pulse and the PCI reset control register at 0xcf9. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "devices/bus.h"
#include "x86/power.h"

static unsigned noff, nreset;
static const char *last_why;
static struct bus bus;
static struct power_ports ports;
static int token;

static void on_request(void *opaque, enum power_request req, const char *why)
{
	assert_ptr_equal(opaque, &token);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	last_why = why;
	if (req == POWER_REQUEST_OFF)
		noff++;
	else if (req == POWER_REQUEST_RESET)
		nreset++;
	else
		fail_msg("unknown request %d", req);
}

static int setup(void **state)
{
	(void)state;
	noff = nreset = 0;
	last_why = NULL;
	memset(&bus, 0, sizeof(bus));
	ports = (struct power_ports){ .request = on_request, .opaque = &token };
	assert_int_equal(power_ports_register(&ports, &bus), 0);
	return 0;
}

static void out8(uint16_t port, uint8_t v)
{
	assert_true(bus_dispatch(&bus, BUS_IO, port, true, &v, 1));
}

static uint8_t in8(uint16_t port)
{
	uint8_t v = 0xaa;
	bus_dispatch(&bus, BUS_IO, port, false, &v, 1);
	return v;
}

static void test_s5_powers_off(void **state)
{
	(void)state;
	/* SLP_TYP (bits 4:2) = 5 with SLP_EN (bit 5). */
	out8(0x600, 0x34);
	assert_int_equal(noff, 1);
	assert_int_equal(nreset, 0);
	assert_non_null(last_why);
	/* Reserved bits 7:6 and 1:0 don't matter. */
	out8(0x600, 0x34 | 0xc3);
	assert_int_equal(noff, 2);
}

static void test_other_sleep_writes_do_nothing(void **state)
{
	(void)state;
	for (unsigned typ = 0; typ < 8; typ++) {
		if (typ == 5)
			continue;
		out8(0x600, (uint8_t)(typ << 2 | 0x20));     /* S0-S4 etc. with SLP_EN */
	}
	out8(0x600, 0x14);                               /* S5 without SLP_EN */
	out8(0x600, 0x00);
	out8(0x600, 0x20);
	out8(0x600, 0xdf & ~0x20);
	/* The sleep status register: the OS clears WAK_STS before sleeping. */
	out8(0x601, 0x80);
	out8(0x601, 0x34);
	out8(0x601, 0xff);
	assert_int_equal(noff, 0);
	assert_int_equal(nreset, 0);
}

static void test_acpi_reset_register(void **state)
{
	(void)state;
	out8(0x602, 0x00);
	out8(0x602, 0x02);
	out8(0x602, 0x06);
	out8(0x602, 0xfe);
	out8(0x602, 0x34);
	assert_int_equal(nreset, 0);
	out8(0x602, 0x01);                               /* RESET_VALUE */
	assert_int_equal(nreset, 1);
	assert_int_equal(noff, 0);
}

static void test_acpi_registers_read_zero(void **state)
{
	(void)state;
	assert_int_equal(in8(0x600), 0);
	assert_int_equal(in8(0x601), 0);
	assert_int_equal(in8(0x602), 0);
	assert_int_equal(noff + nreset, 0);
}

static void test_i8042_reset(void **state)
{
	(void)state;
	/* Status reads say "input buffer empty" (bit 1 clear): 0. */
	assert_int_equal(in8(0x64), 0);
	out8(0x64, 0xd1);
	out8(0x64, 0xff);
	out8(0x64, 0xaa);
	out8(0x64, 0x00);
	assert_int_equal(nreset, 0);
	out8(0x64, 0xfe);                                /* pulse output line 0: CPU reset */
	assert_int_equal(nreset, 1);
	assert_int_equal(noff, 0);
	/* The data port is not emulated. */
	uint8_t v = 0;
	assert_false(bus_dispatch(&bus, BUS_IO, 0x60, false, &v, 1));
	assert_int_equal(v, 0xff);
}

static void test_cf9_reset(void **state)
{
	(void)state;
	assert_int_equal(in8(0xcf9), 0);
	out8(0xcf9, 0x02);                               /* SYS_RST alone: no reset yet */
	out8(0xcf9, 0x00);
	out8(0xcf9, 0x08);
	assert_int_equal(nreset, 0);
	out8(0xcf9, 0x06);                               /* SYS_RST | RST_CPU */
	assert_int_equal(nreset, 1);
	out8(0xcf9, 0x04);
	assert_int_equal(nreset, 2);
	out8(0xcf9, 0x0e);                               /* full reset */
	assert_int_equal(nreset, 3);
	assert_int_equal(noff, 0);
}

static void test_neighbours_unowned(void **state)
{
	uint8_t v;
	(void)state;

	const uint16_t free_ports[] = { 0x5ff, 0x603, 0x63, 0x65, 0xcf8, 0xcfa, 0xcfc };
	for (size_t i = 0; i < sizeof(free_ports) / sizeof(free_ports[0]); i++) {
		v = 0;
		assert_false(bus_dispatch(&bus, BUS_IO, free_ports[i], false, &v, 1));
		assert_int_equal(v, 0xff);
		v = 0x34;
		assert_false(bus_dispatch(&bus, BUS_IO, free_ports[i], true, &v, 1));
		v = 0xfe;
		assert_false(bus_dispatch(&bus, BUS_IO, free_ports[i], true, &v, 1));
	}
	assert_int_equal(noff + nreset, 0);
}

static void test_register_twice(void **state)
{
	(void)state;
	/* The ports are taken: a second set cannot be registered on the same bus. */
	assert_int_equal(power_ports_register(&ports, &bus), -1);
	/* A bus that already has a device on 0xcf9. */
	struct bus other = { 0 };
	assert_int_equal(bus_register(&other, BUS_IO, 0xcf8, 8, NULL, NULL), 0);
	assert_int_equal(power_ports_register(&ports, &other), -1);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_s5_powers_off),
		T(test_other_sleep_writes_do_nothing),
		T(test_acpi_reset_register),
		T(test_acpi_registers_read_zero),
		T(test_i8042_reset),
		T(test_cf9_reset),
		T(test_neighbours_unowned),
		T(test_register_twice),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
