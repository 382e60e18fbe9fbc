/* The fault injector's view of guest RAM from /proc/PID/maps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "guest_maps.h"

static const char below[] =
	"7fca34800000-7fcaf4800000 rw-s 00000000 00:01 1060                       /memfd:vmras:ram-below-4g@0x0 (deleted)\n";
static const char above[] =
	"7fc9f4800000-7fca34800000 rw-s 00000000 00:01 1061                       /memfd:vmras:ram-above-4g@0x100000000 (deleted)\n";

static void test_parse_regions(void **state)
{
	struct guest_mapping m;
	(void)state;

	assert_true(guest_maps_parse_line(below, &m));
	assert_string_equal(m.region, "ram-below-4g");
	assert_true(m.start == 0x7fca34800000ULL && m.end == 0x7fcaf4800000ULL);
	assert_true(m.region_gpa == 0 && m.file_offset == 0);
	assert_true(guest_maps_parse_line(above, &m));
	assert_string_equal(m.region, "ram-above-4g");
	assert_true(m.region_gpa == 0x100000000ULL);
}

static void test_not_guest_ram(void **state)
{
	struct guest_mapping m;
	(void)state;

	assert_false(guest_maps_parse_line("7f0000000000-7f0000001000 r-xp 00000000 08:01 42 /usr/lib/libc.so.6\n", &m));
	assert_false(guest_maps_parse_line("7f0000000000-7f0000001000 rw-s 00000000 00:01 7 /memfd:other (deleted)\n", &m));
	assert_false(guest_maps_parse_line("7f0000000000-7f0000001000 rw-s 00000000 00:01 7 /memfd:vmras:nogpa (deleted)\n", &m));
	assert_false(guest_maps_parse_line("7f0000000000-7f0000001000 rw-p 00000000 00:00 0\n", &m));
	assert_false(guest_maps_parse_line("garbage\n", &m));
}

static void test_gpa_to_hva(void **state)
{
	struct guest_mapping m;
	uint64_t hva;
	(void)state;

	assert_true(guest_maps_parse_line(below, &m));
	assert_true(guest_maps_gpa_to_hva(&m, 0, &hva) && hva == 0x7fca34800000ULL);
	assert_true(guest_maps_gpa_to_hva(&m, 0x12345678, &hva) && hva == 0x7fca34800000ULL + 0x12345678);
	assert_true(guest_maps_gpa_to_hva(&m, 0xbfffffff, &hva) && hva == 0x7fcaf47fffffULL);
	assert_false(guest_maps_gpa_to_hva(&m, 0xc0000000, &hva));
	assert_true(guest_maps_parse_line(above, &m));
	assert_false(guest_maps_gpa_to_hva(&m, 0xffffffff, &hva));
	assert_true(guest_maps_gpa_to_hva(&m, 0x100001000ULL, &hva) && hva == 0x7fc9f4801000ULL);
	assert_false(guest_maps_gpa_to_hva(&m, 0x200000000ULL, &hva));
}

static void test_partial_mapping_uses_file_offset(void **state)
{
	struct guest_mapping m;
	uint64_t hva;
	(void)state;

	/* A mapping of the memfd from 2 MiB in (as after a split VMA). */
	assert_true(guest_maps_parse_line(
		"7f0000000000-7f0000100000 rw-s 00200000 00:01 9 /memfd:vmras:ram-below-4g@0x0 (deleted)\n", &m));
	assert_false(guest_maps_gpa_to_hva(&m, 0x1ff000, &hva));
	assert_true(guest_maps_gpa_to_hva(&m, 0x200000, &hva) && hva == 0x7f0000000000ULL);
	assert_true(guest_maps_gpa_to_hva(&m, 0x2ff000, &hva) && hva == 0x7f00000ff000ULL);
	assert_false(guest_maps_gpa_to_hva(&m, 0x300000, &hva));
}

static void test_ram_spec(void **state)
{
	struct guest_mapping m;
	uint64_t hva;
	(void)state;

	/* QEMU's arm64 virt RAM: 512 MiB at GPA 0x40000000, one anonymous mapping. */
	assert_true(guest_maps_parse_ram_spec("0x40000000:0xffff6be00000:0x20000000", &m));
	assert_string_equal(m.region, "ram");
	assert_true(m.start == 0xffff6be00000ULL && m.end == 0xffff8be00000ULL);
	assert_true(m.region_gpa == 0x40000000ULL && m.file_offset == 0);
	assert_true(guest_maps_gpa_to_hva(&m, 0x40000000, &hva) && hva == 0xffff6be00000ULL);
	assert_true(guest_maps_gpa_to_hva(&m, 0x4abcd123, &hva) && hva == 0xffff6be00000ULL + 0xabcd123);
	assert_true(guest_maps_gpa_to_hva(&m, 0x5fffffff, &hva) && hva == 0xffff8bdfffffULL);
	assert_false(guest_maps_gpa_to_hva(&m, 0x3ffff000, &hva));
	assert_false(guest_maps_gpa_to_hva(&m, 0x60000000, &hva));
	/* Decimal works too. */
	assert_true(guest_maps_parse_ram_spec("0:4096:8192", &m));
	assert_true(m.start == 4096 && m.end == 12288 && m.region_gpa == 0);

	assert_false(guest_maps_parse_ram_spec("", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000:0x1000", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000:0x1000:0", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000:0x1000:0x1000:", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000::0x1000", &m));
	assert_false(guest_maps_parse_ram_spec("-1:0x1000:0x1000", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000:0x1000:0x1000x", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000:0xfffffffffffff000:0x2000", &m));
	assert_false(guest_maps_parse_ram_spec("0x40000000:0x1000:0xffffffffffffffff0", &m));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_regions),
		cmocka_unit_test(test_not_guest_ram),
		cmocka_unit_test(test_gpa_to_hva),
		cmocka_unit_test(test_partial_mapping_uses_file_offset),
		cmocka_unit_test(test_ram_spec),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
