/* Guest RAM table: the x86 layout around the 3 GiB MMIO hole and the
 * gpa <-> hva lookups the memory-failure path depends on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest_ram.h"
#include "x86/ram_layout.h"

#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static void layout(struct guest_ram *ram, uint64_t size)
{
	memset(ram, 0xa5, sizeof(*ram));
	assert_int_equal(x86_ram_layout(ram, size), 0);
}

static void assert_region(const struct ram_region *r, uint64_t gpa, uint64_t size, uint32_t slot)
{
	assert_true(r->gpa == gpa);
	assert_true(r->size == size);
	assert_int_equal(r->slot, slot);
	assert_int_equal(r->fd, -1);
	assert_null(r->hva);
	assert_int_equal(r->backing, RAM_BACKING_ANON);
	assert_non_null(r->name);
	assert_true(strlen(r->name) > 0);
}

static void test_layout_below_hole(void **state)
{
	struct guest_ram ram;
	(void)state;

	layout(&ram, 512 * MiB);
	assert_int_equal(ram.count, 1);
	assert_true(ram.total == 512 * MiB);
	assert_region(&ram.region[0], 0, 512 * MiB, 0);

	layout(&ram, 16 * MiB);
	assert_int_equal(ram.count, 1);
	assert_region(&ram.region[0], 0, 16 * MiB, 0);

	layout(&ram, 4 * KiB);
	assert_int_equal(ram.count, 1);
	assert_region(&ram.region[0], 0, 4 * KiB, 0);

	layout(&ram, 3 * GiB - 4 * KiB);
	assert_int_equal(ram.count, 1);
	assert_region(&ram.region[0], 0, 3 * GiB - 4 * KiB, 0);
}

static void test_layout_exactly_hole(void **state)
{
	struct guest_ram ram;
	(void)state;

	layout(&ram, 3 * GiB);
	assert_int_equal(ram.count, 1);
	assert_true(ram.total == 3 * GiB);
	assert_region(&ram.region[0], 0, 3 * GiB, 0);
}

static void test_layout_above_hole(void **state)
{
	struct guest_ram ram;
	(void)state;

	layout(&ram, 3 * GiB + 4 * KiB);
	assert_int_equal(ram.count, 2);
	assert_true(ram.total == 3 * GiB + 4 * KiB);
	assert_region(&ram.region[0], 0, 3 * GiB, 0);
	assert_region(&ram.region[1], 4 * GiB, 4 * KiB, 1);

	layout(&ram, 4 * GiB);
	assert_int_equal(ram.count, 2);
	assert_true(ram.total == 4 * GiB);
	assert_region(&ram.region[0], 0, 3 * GiB, 0);
	assert_region(&ram.region[1], 4 * GiB, 1 * GiB, 1);
	assert_string_not_equal(ram.region[0].name, ram.region[1].name);

	layout(&ram, 1ULL << 40);
	assert_int_equal(ram.count, 2);
	assert_region(&ram.region[0], 0, 3 * GiB, 0);
	assert_region(&ram.region[1], 4 * GiB, (1ULL << 40) - 3 * GiB, 1);
	assert_true(ram.region[0].size + ram.region[1].size == ram.total);
}

static void test_layout_invalid(void **state)
{
	struct guest_ram ram;
	(void)state;

	errno = 0;
	assert_int_equal(x86_ram_layout(&ram, 0), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(x86_ram_layout(&ram, 4097), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(x86_ram_layout(&ram, 512 * MiB + 512), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(x86_ram_layout(&ram, 4 * GiB + 1), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_find_gpa_single_region(void **state)
{
	struct guest_ram ram;
	const uint64_t top = 512 * MiB;
	(void)state;

	layout(&ram, top);
	const struct ram_region *r0 = &ram.region[0];

	assert_ptr_equal(guest_ram_find_gpa(&ram, 0, 1), r0);
	assert_ptr_equal(guest_ram_find_gpa(&ram, 0, top), r0);
	assert_ptr_equal(guest_ram_find_gpa(&ram, top - 1, 1), r0);
	assert_ptr_equal(guest_ram_find_gpa(&ram, top - 4096, 4096), r0);
	assert_ptr_equal(guest_ram_find_gpa(&ram, 12345, 0), r0);
	assert_ptr_equal(guest_ram_find_gpa(&ram, top - 1, 0), r0);

	assert_null(guest_ram_find_gpa(&ram, top, 1));         /* one past the end */
	assert_null(guest_ram_find_gpa(&ram, top, 0));
	assert_null(guest_ram_find_gpa(&ram, top - 1, 2));     /* straddles the end */
	assert_null(guest_ram_find_gpa(&ram, 0, top + 1));
	assert_null(guest_ram_find_gpa(&ram, 1, top));
	assert_null(guest_ram_find_gpa(&ram, 4 * GiB, 1));
	/* Lengths and addresses whose sums overflow 64 bits. */
	assert_null(guest_ram_find_gpa(&ram, 0, UINT64_MAX));
	assert_null(guest_ram_find_gpa(&ram, 4096, UINT64_MAX));
	assert_null(guest_ram_find_gpa(&ram, 4096, UINT64_MAX - 4095));
	assert_null(guest_ram_find_gpa(&ram, UINT64_MAX, 1));
	assert_null(guest_ram_find_gpa(&ram, UINT64_MAX, 2));
	assert_null(guest_ram_find_gpa(&ram, UINT64_MAX - 10, 20));
}

static void test_find_gpa_two_regions(void **state)
{
	struct guest_ram ram;
	(void)state;

	layout(&ram, 5 * GiB);    /* [0, 3G) and [4G, 6G) */
	const struct ram_region *lo = &ram.region[0], *hi = &ram.region[1];

	assert_ptr_equal(guest_ram_find_gpa(&ram, 3 * GiB - 1, 1), lo);
	assert_null(guest_ram_find_gpa(&ram, 3 * GiB, 1));             /* the hole */
	assert_null(guest_ram_find_gpa(&ram, 3 * GiB + 512 * MiB, 4096));
	assert_null(guest_ram_find_gpa(&ram, 4 * GiB - 1, 1));
	assert_ptr_equal(guest_ram_find_gpa(&ram, 4 * GiB, 1), hi);
	assert_ptr_equal(guest_ram_find_gpa(&ram, 4 * GiB, 2 * GiB), hi);
	assert_ptr_equal(guest_ram_find_gpa(&ram, 6 * GiB - 1, 1), hi);
	assert_null(guest_ram_find_gpa(&ram, 6 * GiB, 1));
	assert_null(guest_ram_find_gpa(&ram, 6 * GiB - 1, 2));
	/* Ranges across the hole are in neither region. */
	assert_null(guest_ram_find_gpa(&ram, 3 * GiB - 4096, 8192));
	assert_null(guest_ram_find_gpa(&ram, 3 * GiB - 1, GiB + 2));
	assert_null(guest_ram_find_gpa(&ram, 0, 6 * GiB));
	assert_null(guest_ram_find_gpa(&ram, 4 * GiB - 1, 2));
	assert_null(guest_ram_find_gpa(&ram, 4 * GiB, UINT64_MAX));
}

static void test_gpa_to_hva(void **state)
{
	struct guest_ram ram;
	uint8_t *lo = malloc(64 * KiB), *hi = malloc(32 * KiB);
	(void)state;

	assert_non_null(lo);
	assert_non_null(hi);
	layout(&ram, 5 * GiB);
	/* Not backed yet: no host address. */
	assert_null(guest_ram_gpa_to_hva(&ram, 0, 1));

	/* Fake, smaller regions backed by heap buffers. */
	ram.region[0].size = 64 * KiB;
	ram.region[0].hva = lo;
	ram.region[1].size = 32 * KiB;
	ram.region[1].hva = hi;

	assert_ptr_equal(guest_ram_gpa_to_hva(&ram, 0, 1), lo);
	assert_ptr_equal(guest_ram_gpa_to_hva(&ram, 0x1234, 16), lo + 0x1234);
	assert_ptr_equal(guest_ram_gpa_to_hva(&ram, 64 * KiB - 1, 1), lo + 64 * KiB - 1);
	assert_null(guest_ram_gpa_to_hva(&ram, 64 * KiB - 1, 2));
	assert_null(guest_ram_gpa_to_hva(&ram, 64 * KiB, 1));
	assert_ptr_equal(guest_ram_gpa_to_hva(&ram, 4 * GiB, 32 * KiB), hi);
	assert_ptr_equal(guest_ram_gpa_to_hva(&ram, 4 * GiB + 100, 1), hi + 100);
	assert_null(guest_ram_gpa_to_hva(&ram, 4 * GiB + 100, 32 * KiB));
	assert_null(guest_ram_gpa_to_hva(&ram, 4 * GiB - 1, 1));

	free(lo);
	free(hi);
}

static void test_hva_to_gpa(void **state)
{
	struct guest_ram ram;
	uint8_t *lo = malloc(64 * KiB + 16), *hi = malloc(32 * KiB + 16);
	const struct ram_region *r;
	uint64_t gpa;
	(void)state;

	assert_non_null(lo);
	assert_non_null(hi);
	layout(&ram, 5 * GiB);
	ram.region[0].size = 64 * KiB;
	ram.region[0].hva = lo;
	ram.region[1].size = 32 * KiB;
	ram.region[1].hva = hi;

	gpa = 1;
	r = NULL;
	assert_true(guest_ram_hva_to_gpa(&ram, lo, &gpa, &r));
	assert_true(gpa == 0);
	assert_ptr_equal(r, &ram.region[0]);
	assert_true(guest_ram_hva_to_gpa(&ram, lo + 64 * KiB - 1, &gpa, &r));
	assert_true(gpa == 64 * KiB - 1);
	assert_ptr_equal(r, &ram.region[0]);
	assert_true(guest_ram_hva_to_gpa(&ram, hi, &gpa, &r));
	assert_true(gpa == 4 * GiB);
	assert_ptr_equal(r, &ram.region[1]);
	assert_true(guest_ram_hva_to_gpa(&ram, hi + 0x7abc, &gpa, NULL));   /* region optional */
	assert_true(gpa == 4 * GiB + 0x7abc);
	assert_true(guest_ram_hva_to_gpa(&ram, hi + 32 * KiB - 1, &gpa, &r));
	assert_true(gpa == 4 * GiB + 32 * KiB - 1);

	/* Addresses outside both regions. */
	gpa = 77;
	r = NULL;
	assert_false(guest_ram_hva_to_gpa(&ram, lo + 64 * KiB, &gpa, &r));
	assert_false(guest_ram_hva_to_gpa(&ram, hi + 32 * KiB, &gpa, &r));
	assert_false(guest_ram_hva_to_gpa(&ram, (const void *)((uintptr_t)lo - 1), &gpa, &r));
	assert_false(guest_ram_hva_to_gpa(&ram, (const void *)((uintptr_t)hi - 1), &gpa, &r));
	assert_false(guest_ram_hva_to_gpa(&ram, &ram, &gpa, &r));
	assert_false(guest_ram_hva_to_gpa(&ram, NULL, &gpa, &r));
	assert_true(gpa == 77);
	assert_null(r);

	/* Unbacked regions (hva NULL) match nothing, not even small addresses. */
	ram.region[0].hva = NULL;
	assert_false(guest_ram_hva_to_gpa(&ram, lo, &gpa, &r));
	assert_false(guest_ram_hva_to_gpa(&ram, (void *)(uintptr_t)0x1000, &gpa, &r));
	assert_true(guest_ram_hva_to_gpa(&ram, hi + 1, &gpa, &r));
	assert_true(gpa == 4 * GiB + 1);

	/* Round trip through every page of both regions. */
	ram.region[0].hva = lo;
	for (unsigned i = 0; i < ram.count; i++) {
		const struct ram_region *reg = &ram.region[i];
		for (uint64_t off = 0; off < reg->size; off += 4096 + 7) {
			assert_true(guest_ram_hva_to_gpa(&ram, reg->hva + off, &gpa, &r));
			assert_true(gpa == reg->gpa + off);
			assert_ptr_equal(r, reg);
			assert_ptr_equal(guest_ram_gpa_to_hva(&ram, gpa, 1), reg->hva + off);
		}
	}
	free(lo);
	free(hi);
}

static void test_write(void **state)
{
	struct guest_ram ram;
	uint8_t *lo = calloc(1, 16 * KiB), *hi = calloc(1, 8 * KiB);
	const uint8_t pattern[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9 };
	(void)state;

	assert_non_null(lo);
	assert_non_null(hi);
	layout(&ram, 4 * GiB);
	/* Unbacked: refused. */
	assert_false(guest_ram_write(&ram, 0, pattern, sizeof(pattern)));

	ram.region[0].size = 16 * KiB;
	ram.region[0].hva = lo;
	ram.region[1].size = 8 * KiB;
	ram.region[1].hva = hi;

	assert_true(guest_ram_write(&ram, 0x100, pattern, sizeof(pattern)));
	assert_memory_equal(lo + 0x100, pattern, sizeof(pattern));
	assert_int_equal(lo[0xff], 0);
	assert_int_equal(lo[0x100 + sizeof(pattern)], 0);

	/* Exactly up to the end of a region. */
	assert_true(guest_ram_write(&ram, 16 * KiB - sizeof(pattern), pattern, sizeof(pattern)));
	assert_memory_equal(lo + 16 * KiB - sizeof(pattern), pattern, sizeof(pattern));

	/* One byte over: nothing is written. */
	memset(lo, 0, 16 * KiB);
	assert_false(guest_ram_write(&ram, 16 * KiB - sizeof(pattern) + 1, pattern, sizeof(pattern)));
	for (size_t i = 0; i < 16 * KiB; i++)
		assert_int_equal(lo[i], 0);

	assert_true(guest_ram_write(&ram, 4 * GiB + 8 * KiB - 1, pattern, 1));
	assert_int_equal(hi[8 * KiB - 1], 1);
	assert_false(guest_ram_write(&ram, 4 * GiB - 1, pattern, 2));
	assert_false(guest_ram_write(&ram, 3 * GiB, pattern, 1));
	assert_false(guest_ram_write(&ram, 16 * KiB, pattern, 1));
	assert_true(guest_ram_write(&ram, 0, pattern, 0));
	free(lo);
	free(hi);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_below_hole),
		cmocka_unit_test(test_layout_exactly_hole),
		cmocka_unit_test(test_layout_above_hole),
		cmocka_unit_test(test_layout_invalid),
		cmocka_unit_test(test_find_gpa_single_region),
		cmocka_unit_test(test_find_gpa_two_regions),
		cmocka_unit_test(test_gpa_to_hva),
		cmocka_unit_test(test_hva_to_gpa),
		cmocka_unit_test(test_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
