/* The e820 map: e820_set's splitting, trimming, merging and removal, the
 * full-map and invalid-range errors, and the PC map handed to Linux. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <string.h>

#include "vmm/guest_ram.h"
#include "x86/e820.h"
#include "x86/ram_layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

struct ex { uint64_t addr, end; uint32_t type; };

#define EXPECT(map, ...) do {                                                  \
		const struct ex expected_[] = { __VA_ARGS__ };                 \
		expect_map(map, expected_, sizeof(expected_) / sizeof(expected_[0])); \
	} while (0)

static void dump(const struct e820_map *m)
{
	for (unsigned i = 0; i < m->count; i++)
		print_message("  [%u] %#llx-%#llx type %u\n", i, (unsigned long long)m->entry[i].addr,
			      (unsigned long long)(m->entry[i].addr + m->entry[i].size), m->entry[i].type);
}

static void expect_map(const struct e820_map *m, const struct ex *ex, unsigned n)
{
	int bad = m->count != n;

	for (unsigned i = 0; !bad && i < n; i++)
		bad = m->entry[i].addr != ex[i].addr || m->entry[i].size != ex[i].end - ex[i].addr ||
		      m->entry[i].type != ex[i].type;
	if (bad) {
		print_message("expected:\n");
		for (unsigned i = 0; i < n; i++)
			print_message("  [%u] %#llx-%#llx type %u\n", i, (unsigned long long)ex[i].addr,
				      (unsigned long long)ex[i].end, ex[i].type);
		print_message("got:\n");
		dump(m);
		fail();
	}
}

static void set(struct e820_map *m, uint64_t addr, uint64_t end, uint32_t type)
{
	if (e820_set(m, addr, end - addr, type))
		fail_msg("e820_set(%#llx-%#llx, %u) failed", (unsigned long long)addr,
			 (unsigned long long)end, type);
}

static void test_empty_and_first(void **state)
{
	struct e820_map m;
	(void)state;

	memset(&m, 0, sizeof(m));
	set(&m, 0x1000, 0x2000, E820_RAM);
	EXPECT(&m, { 0x1000, 0x2000, E820_RAM });
	memset(&m, 0, sizeof(m));
	assert_int_equal(e820_set(&m, 0, 0x1000, E820_NONE), 0);
	assert_int_equal(m.count, 0);
}

static void test_sorted_insert(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	set(&m, 0x5000, 0x6000, E820_RAM);
	set(&m, 0x1000, 0x2000, E820_RAM);
	set(&m, 0x9000, 0xa000, E820_RAM);
	set(&m, 0x3000, 0x4000, E820_ACPI);
	EXPECT(&m, { 0x1000, 0x2000, E820_RAM }, { 0x3000, 0x4000, E820_ACPI },
	       { 0x5000, 0x6000, E820_RAM }, { 0x9000, 0xa000, E820_RAM });
}

static void test_merge_touching_same_type(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	set(&m, 0x1000, 0x2000, E820_RAM);
	set(&m, 0x3000, 0x4000, E820_RAM);
	EXPECT(&m, { 0x1000, 0x2000, E820_RAM }, { 0x3000, 0x4000, E820_RAM });
	/* Filling the gap joins all three. */
	set(&m, 0x2000, 0x3000, E820_RAM);
	EXPECT(&m, { 0x1000, 0x4000, E820_RAM });
	/* Touching at the end and at the start. */
	set(&m, 0x4000, 0x5000, E820_RAM);
	set(&m, 0x0, 0x1000, E820_RAM);
	EXPECT(&m, { 0x0, 0x5000, E820_RAM });
	/* Touching but of another type: kept apart. */
	set(&m, 0x5000, 0x6000, E820_RESERVED);
	EXPECT(&m, { 0x0, 0x5000, E820_RAM }, { 0x5000, 0x6000, E820_RESERVED });
	/* Same type with a gap: kept apart. */
	set(&m, 0x7000, 0x8000, E820_RESERVED);
	EXPECT(&m, { 0x0, 0x5000, E820_RAM }, { 0x5000, 0x6000, E820_RESERVED },
	       { 0x7000, 0x8000, E820_RESERVED });
}

static void test_split_middle(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	set(&m, 0, 0x10000, E820_RAM);
	set(&m, 0x4000, 0x5000, E820_NVS);
	EXPECT(&m, { 0, 0x4000, E820_RAM }, { 0x4000, 0x5000, E820_NVS }, { 0x5000, 0x10000, E820_RAM });
	/* Setting it back to RAM merges the three again. */
	set(&m, 0x4000, 0x5000, E820_RAM);
	EXPECT(&m, { 0, 0x10000, E820_RAM });
	/* Same type inside: no change. */
	set(&m, 0x2000, 0x3000, E820_RAM);
	EXPECT(&m, { 0, 0x10000, E820_RAM });
}

static void test_trim(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	set(&m, 0x1000, 0x5000, E820_RAM);
	/* Over the head. */
	set(&m, 0x0, 0x2000, E820_RESERVED);
	EXPECT(&m, { 0x0, 0x2000, E820_RESERVED }, { 0x2000, 0x5000, E820_RAM });
	/* Over the tail. */
	set(&m, 0x4000, 0x8000, E820_ACPI);
	EXPECT(&m, { 0x0, 0x2000, E820_RESERVED }, { 0x2000, 0x4000, E820_RAM },
	       { 0x4000, 0x8000, E820_ACPI });
	/* Exactly the head of an entry. */
	set(&m, 0x2000, 0x3000, E820_NVS);
	EXPECT(&m, { 0x0, 0x2000, E820_RESERVED }, { 0x2000, 0x3000, E820_NVS },
	       { 0x3000, 0x4000, E820_RAM }, { 0x4000, 0x8000, E820_ACPI });
	/* Exactly the tail of an entry. */
	set(&m, 0x7000, 0x8000, E820_RAM);
	EXPECT(&m, { 0x0, 0x2000, E820_RESERVED }, { 0x2000, 0x3000, E820_NVS },
	       { 0x3000, 0x4000, E820_RAM }, { 0x4000, 0x7000, E820_ACPI },
	       { 0x7000, 0x8000, E820_RAM });
}

static void test_replace_exact_and_span(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	set(&m, 0x1000, 0x2000, E820_RAM);
	set(&m, 0x3000, 0x4000, E820_ACPI);
	set(&m, 0x5000, 0x6000, E820_NVS);
	set(&m, 0x8000, 0x9000, E820_RAM);
	/* Exactly one entry changes type. */
	set(&m, 0x3000, 0x4000, E820_RESERVED);
	EXPECT(&m, { 0x1000, 0x2000, E820_RAM }, { 0x3000, 0x4000, E820_RESERVED },
	       { 0x5000, 0x6000, E820_NVS }, { 0x8000, 0x9000, E820_RAM });
	/* One range swallowing several entries and trimming two more. */
	set(&m, 0x1800, 0x8800, E820_RAM);
	EXPECT(&m, { 0x1000, 0x9000, E820_RAM });
	/* And a range covering everything. */
	set(&m, 0, 0x100000, E820_RESERVED);
	EXPECT(&m, { 0, 0x100000, E820_RESERVED });
}

static void test_remove(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	set(&m, 0, 0x10000, E820_RAM);
	set(&m, 0x20000, 0x30000, E820_RESERVED);
	/* Punch a hole. */
	assert_int_equal(e820_set(&m, 0x4000, 0x1000, E820_NONE), 0);
	EXPECT(&m, { 0, 0x4000, E820_RAM }, { 0x5000, 0x10000, E820_RAM },
	       { 0x20000, 0x30000, E820_RESERVED });
	/* Trim a head and a tail across the gap. */
	assert_int_equal(e820_set(&m, 0xf000, 0x12000, E820_NONE), 0);
	EXPECT(&m, { 0, 0x4000, E820_RAM }, { 0x5000, 0xf000, E820_RAM },
	       { 0x21000, 0x30000, E820_RESERVED });
	/* Remove whole entries. */
	assert_int_equal(e820_set(&m, 0x21000, 0xf000, E820_NONE), 0);
	EXPECT(&m, { 0, 0x4000, E820_RAM }, { 0x5000, 0xf000, E820_RAM });
	assert_int_equal(e820_set(&m, 0, 0x100000, E820_NONE), 0);
	assert_int_equal(m.count, 0);
	/* Removing what is not there is fine. */
	assert_int_equal(e820_set(&m, 0x1000, 0x1000, E820_NONE), 0);
	assert_int_equal(m.count, 0);
}

static void test_high_addresses(void **state)
{
	struct e820_map m = { .count = 0 };
	(void)state;

	/* A range ending at the last byte below 2^64. */
	assert_int_equal(e820_set(&m, UINT64_MAX - 0xfff, 0xfff, E820_RESERVED), 0);
	EXPECT(&m, { UINT64_MAX - 0xfff, UINT64_MAX, E820_RESERVED });
	set(&m, 4 * GiB, 8 * GiB, E820_RAM);
	EXPECT(&m, { 4 * GiB, 8 * GiB, E820_RAM }, { UINT64_MAX - 0xfff, UINT64_MAX, E820_RESERVED });
}

static void test_invalid_ranges(void **state)
{
	struct e820_map m = { .count = 0 }, copy;
	(void)state;

	set(&m, 0, 0x10000, E820_RAM);
	copy = m;
	errno = 0;
	assert_int_equal(e820_set(&m, 0x1000, 0, E820_RAM), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(e820_set(&m, 0x1000, 0, E820_NONE), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(e820_set(&m, UINT64_MAX, 2, E820_RAM), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(e820_set(&m, 0x1000, UINT64_MAX, E820_RESERVED), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(e820_set(&m, 4096, UINT64_MAX - 4095 + 1, E820_RAM), -1);   /* ends at 2^64 */
	assert_int_equal(errno, EINVAL);
	assert_memory_equal(&m, &copy, sizeof(m));
}

/* 128 one-page entries of alternating type, no two touching the same type. */
static void fill(struct e820_map *m)
{
	memset(m, 0, sizeof(*m));
	for (unsigned i = 0; i < E820_MAX_ENTRIES; i++)
		set(m, i * 0x1000ULL, (i + 1) * 0x1000ULL, i % 2 ? E820_RESERVED : E820_RAM);
	assert_int_equal(m->count, E820_MAX_ENTRIES);
}

static void test_full_map(void **state)
{
	static struct e820_map m, copy;
	(void)state;

	fill(&m);
	copy = m;
	/* A new entry past the end. */
	errno = 0;
	assert_int_equal(e820_set(&m, 0x200000, 0x1000, E820_RAM), -1);
	assert_int_equal(errno, ENOSPC);
	assert_memory_equal(&m, &copy, sizeof(m));
	/* A split of entry 5 in two (with a third in the middle). */
	errno = 0;
	assert_int_equal(e820_set(&m, 0x5400, 0x400, E820_ACPI), -1);
	assert_int_equal(errno, ENOSPC);
	assert_memory_equal(&m, &copy, sizeof(m));
	/* A hole punched into the middle of an entry needs one more slot too. */
	errno = 0;
	assert_int_equal(e820_set(&m, 0x7400, 0x400, E820_NONE), -1);
	assert_int_equal(errno, ENOSPC);
	assert_memory_equal(&m, &copy, sizeof(m));
	/* Changes that need no extra slot still work on a full map. */
	assert_int_equal(e820_set(&m, 0x3000, 0x1000, E820_ACPI), 0);    /* retype one */
	assert_int_equal(m.count, E820_MAX_ENTRIES);
	assert_int_equal(m.entry[3].type, E820_ACPI);
	assert_int_equal(e820_set(&m, 0x10000, 0x3000, E820_RAM), 0);    /* 16..18 become one */
	assert_int_equal(m.count, E820_MAX_ENTRIES - 2);
	assert_true(m.entry[16].addr == 0x10000 && m.entry[16].size == 0x3000);
	/* Now there is room for a split. */
	assert_int_equal(e820_set(&m, 0x5400, 0x400, E820_ACPI), 0);
	assert_int_equal(m.count, E820_MAX_ENTRIES);
	assert_true(m.entry[5].addr == 0x5000 && m.entry[5].size == 0x400);
	assert_true(m.entry[6].addr == 0x5400 && m.entry[6].size == 0x400 && m.entry[6].type == E820_ACPI);
	assert_true(m.entry[7].addr == 0x5800 && m.entry[7].size == 0x800);
	assert_int_equal(m.entry[5].type, E820_RESERVED);
	assert_int_equal(m.entry[7].type, E820_RESERVED);
	/* Removing whole entries always works. */
	assert_int_equal(e820_set(&m, 0, 0x1000, E820_NONE), 0);
	assert_int_equal(m.count, E820_MAX_ENTRIES - 1);
	assert_true(m.entry[0].addr == 0x1000);
}

static void test_build_512m(void **state)
{
	struct guest_ram ram;
	struct e820_map m;
	(void)state;

	assert_int_equal(x86_ram_layout(&ram, 512 * MiB), 0);
	memset(&m, 0xa5, sizeof(m));
	assert_int_equal(e820_build_x86(&m, &ram), 0);
	EXPECT(&m, { 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0xa0000, E820_RESERVED },
	       { 0xe0000, 0x100000, E820_RESERVED }, { 0x100000, 512 * MiB, E820_RAM });
}

static void test_build_3g(void **state)
{
	struct guest_ram ram;
	struct e820_map m;
	(void)state;

	assert_int_equal(x86_ram_layout(&ram, 3 * GiB), 0);
	assert_int_equal(e820_build_x86(&m, &ram), 0);
	EXPECT(&m, { 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0xa0000, E820_RESERVED },
	       { 0xe0000, 0x100000, E820_RESERVED }, { 0x100000, 3 * GiB, E820_RAM });
}

static void test_build_above_4g(void **state)
{
	struct guest_ram ram;
	struct e820_map m;
	(void)state;

	assert_int_equal(x86_ram_layout(&ram, 4 * GiB), 0);
	assert_int_equal(e820_build_x86(&m, &ram), 0);
	EXPECT(&m, { 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0xa0000, E820_RESERVED },
	       { 0xe0000, 0x100000, E820_RESERVED }, { 0x100000, 3 * GiB, E820_RAM },
	       { 4 * GiB, 5 * GiB, E820_RAM });

	assert_int_equal(x86_ram_layout(&ram, 64 * GiB), 0);
	assert_int_equal(e820_build_x86(&m, &ram), 0);
	EXPECT(&m, { 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0xa0000, E820_RESERVED },
	       { 0xe0000, 0x100000, E820_RESERVED }, { 0x100000, 3 * GiB, E820_RAM },
	       { 4 * GiB, 65 * GiB, E820_RAM });
}

static void test_build_16m(void **state)
{
	struct guest_ram ram;
	struct e820_map m;
	(void)state;

	assert_int_equal(x86_ram_layout(&ram, 16 * MiB), 0);
	assert_int_equal(e820_build_x86(&m, &ram), 0);
	EXPECT(&m, { 0, 0x9fc00, E820_RAM }, { 0x9fc00, 0xa0000, E820_RESERVED },
	       { 0xe0000, 0x100000, E820_RESERVED }, { 0x100000, 16 * MiB, E820_RAM });
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty_and_first),
		cmocka_unit_test(test_sorted_insert),
		cmocka_unit_test(test_merge_touching_same_type),
		cmocka_unit_test(test_split_middle),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_replace_exact_and_span),
		cmocka_unit_test(test_remove),
		cmocka_unit_test(test_high_addresses),
		cmocka_unit_test(test_invalid_ranges),
		cmocka_unit_test(test_full_map),
		cmocka_unit_test(test_build_512m),
		cmocka_unit_test(test_build_3g),
		cmocka_unit_test(test_build_above_4g),
		cmocka_unit_test(test_build_16m),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
