/* The GED event register: an event sets its bit and pulses the interrupt
 * (an edge: high, then low), a read returns the pending bits and clears them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "acpi/aml.h"
#include "devices/ged.h"
#include "devices/bus.h"
#include "x86/layout.h"

static struct bus bus;
static struct ged dev;
static int token;
static int levels[8];
static unsigned nlevels;

static void set_irq(void *opaque, int level)
{
	assert_ptr_equal(opaque, &token);
	assert_true(nlevels < 8);
	/* The bit is visible before the line rises: _EVT must find it. */
	if (level)
		assert_int_not_equal(dev.pending, 0);
	levels[nlevels++] = level;
}

static int setup(void **state)
{
	(void)state;
	memset(&bus, 0, sizeof(bus));
	nlevels = 0;
	dev = (struct ged){ .set_irq = set_irq, .opaque = &token };
	assert_int_equal(ged_register(&dev, &bus, BUS_IO, X86_ACPI_GED_PORT), 0);
	return 0;
}

static uint8_t inb(void)
{
	uint8_t b = 0xaa;
	assert_true(bus_dispatch(&bus, BUS_IO, X86_ACPI_GED_PORT, false, &b, 1));
	return b;
}

static void test_press_then_read_clears(void **state)
{
	(void)state;
	assert_int_equal(inb(), 0);
	assert_int_equal(nlevels, 0);              /* reads never touch the line */
	ged_event(&dev, GED_EVENT_POWER_BUTTON);
	assert_int_equal(nlevels, 2);
	assert_int_equal(levels[0], 1);
	assert_int_equal(levels[1], 0);
	assert_int_equal(inb(), GED_EVENT_POWER_BUTTON);
	assert_int_equal(inb(), 0);
	assert_int_equal(nlevels, 2);
}

static void test_presses_accumulate(void **state)
{
	(void)state;
	/* Two presses before the guest looks: one bit, two edges. */
	ged_event(&dev, GED_EVENT_POWER_BUTTON);
	ged_event(&dev, GED_EVENT_POWER_BUTTON);
	assert_int_equal(nlevels, 4);
	ged_event(&dev, 0x80);
	assert_int_equal(inb(), 0x81);
	assert_int_equal(inb(), 0);
}

static void test_writes_ignored_and_wide_reads(void **state)
{
	uint8_t v = 0xff, w[4] = { 0xaa, 0xaa, 0xaa, 0xaa };
	(void)state;
	ged_event(&dev, GED_EVENT_POWER_BUTTON);
	/* A write does not clear (or set) anything: only the read acknowledges. */
	assert_true(bus_dispatch(&bus, BUS_IO, X86_ACPI_GED_PORT, true, &v, 1));
	assert_true(bus_dispatch(&bus, BUS_IO, X86_ACPI_GED_PORT, false, w, 4));
	assert_int_equal(w[0], GED_EVENT_POWER_BUTTON);
	assert_int_equal(w[1], 0);
	assert_int_equal(w[3], 0);
	assert_int_equal(inb(), 0);
}

static void test_reset_and_no_line(void **state)
{
	(void)state;
	ged_event(&dev, GED_EVENT_POWER_BUTTON);
	ged_reset(&dev);
	assert_int_equal(inb(), 0);
	/* Without a line (no VM yet) the bit is still kept for the guest. */
	dev.set_irq = NULL;
	ged_event(&dev, GED_EVENT_POWER_BUTTON);
	assert_int_equal(inb(), GED_EVENT_POWER_BUTTON);
	/* The port sits next to the ACPI registers without overlapping them. */
	assert_int_equal(X86_ACPI_GED_PORT, X86_ACPI_RESET_PORT + 1);
}

static bool has(const struct aml *a, const void *bytes, size_t n)
{
	for (size_t i = 0; i + n <= a->len; i++)
		if (!memcmp(a->buf + i, bytes, n))
			return true;
	return false;
}

/* An MMIO GED (as an arm64 machine would place it) notifying only the HED:
 * a SystemMemory region at the address, and no power button. The x86 I/O
 * GED's bytes are checked in the DSDT by test_acpi. */
static void test_aml_mmio_hw_error_only(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	ged_aml(&a, BUS_MMIO, 0x09080000, 40, GED_EVENT_HW_ERROR);
	assert_int_equal(aml_finish(&a), 0);
	/* OperationRegion(EREG, SystemMemory, 0x09080000, 1) */
	static const uint8_t region[] = { 0x5b, 0x80, 'E', 'R', 'E', 'G', 0x00,
					  0x0c, 0x00, 0x00, 0x08, 0x09, 0x01 };
	assert_true(has(&a, region, sizeof(region)));
	/* Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) { 40 } */
	static const uint8_t irq[] = { 0x89, 0x06, 0x00, 0x03, 0x01, 40, 0, 0, 0 };
	assert_true(has(&a, irq, sizeof(irq)));
	assert_true(has(&a, "HED0", 4));
	assert_false(has(&a, "PWRB", 4));
	aml_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_press_then_read_clears, setup),
		cmocka_unit_test_setup(test_presses_accumulate, setup),
		cmocka_unit_test_setup(test_writes_ignored_and_wide_reads, setup),
		cmocka_unit_test_setup(test_reset_and_no_line, setup),
		cmocka_unit_test(test_aml_mmio_hw_error_only),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
