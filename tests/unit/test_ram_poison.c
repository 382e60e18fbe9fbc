/* Finding poisoned guest pages without a report: which pagemap/mincore
 * combinations make a candidate, and the probe and scan over real memfd
 * RAM (healthy here: the machines that run the unit tests cannot poison
 * memory; the lab's reset tests poison it for real). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm/ram_backing.h"
#include "vmm/ram_poison.h"

static void test_candidates(void **state)
{
	(void)state;
	/* Mapped here: whatever else, the page is readable. */
	assert_false(ram_poison_candidate(PAGEMAP_PRESENT, 1));
	assert_false(ram_poison_candidate(PAGEMAP_PRESENT | 0x1234, 0));
	/* A hwpoison entry (seen in the lab: 0x6080000002059490 | type 26). */
	assert_true(ram_poison_candidate(UINT64_C(0x608000000205949a), 0));
	assert_true(ram_poison_candidate(PAGEMAP_SWAPPED, 1));
	/* Not mapped but in the page cache: could be a page poisoned while unmapped. */
	assert_true(ram_poison_candidate(0, 1));
	assert_true(ram_poison_candidate(UINT64_C(1) << 55, 1));   /* soft-dirty only */
	/* Never touched, or dropped: a hole reads zeros. */
	assert_false(ram_poison_candidate(0, 0));
	assert_false(ram_poison_candidate(UINT64_C(1) << 55, 0));
	/* mincore uses bit 0 alone. */
	assert_false(ram_poison_candidate(0, 0xfe));
}

static struct guest_ram ram;

static int map_ram(void **state)
{
	(void)state;
	memset(&ram, 0, sizeof(ram));
	ram.region[0] = (struct ram_region){ .name = "low", .gpa = 0, .size = 8 << 20, .fd = -1 };
	ram.region[1] = (struct ram_region){ .name = "high", .gpa = UINT64_C(1) << 32, .size = 2 << 20, .fd = -1 };
	ram.count = 2;
	ram.total = 10 << 20;
	char why[256];
	bool usage;

	return ram_backing_map(&ram, NULL, why, sizeof(why), &usage);
}

static int unmap_ram(void **state)
{
	(void)state;
	ram_backing_unmap(&ram);
	return 0;
}

static void test_probe(void **state)
{
	struct ram_region anon = { .name = "anon", .gpa = 0, .size = 4096, .fd = -1 };
	(void)state;

	ram.region[0].hva[0x3000] = 0x5a;
	assert_int_equal(ram_poison_probe(&ram.region[0], 0x3000), 0);       /* written */
	assert_int_equal(ram_poison_probe(&ram.region[0], 0x5123), 0);       /* a hole */
	assert_int_equal(ram_poison_probe(&ram.region[1], (UINT64_C(1) << 32) + 0x1000), 0);
	/* Outside the region, or no memfd to ask: cannot tell. */
	assert_int_equal(ram_poison_probe(&ram.region[0], 8 << 20), -1);
	assert_int_equal(ram_poison_probe(&ram.region[1], 0x1000), -1);
	assert_int_equal(ram_poison_probe(&anon, 0), -1);
}

static void found(void *opaque, const struct ram_region *r, uint64_t gpa)
{
	(void)r;
	(void)gpa;
	(*(int *)opaque)++;
}

static void test_scan_healthy_ram(void **state)
{
	int n = 0;
	(void)state;

	/* Written, dropped from this mapping (still in the memfd), untouched:
	 * the dropped ones are candidates, and the probe clears them. */
	memset(ram.region[0].hva, 1, 4 << 20);
	assert_int_equal(madvise(ram.region[0].hva + (1 << 20), 1 << 20, MADV_DONTNEED), 0);
	memset(ram.region[1].hva, 2, 4096);
	assert_int_equal(ram_poison_scan(&ram, found, &n), 0);
	assert_int_equal(n, 0);
	/* The scan read nothing through the mapping it would fault on. */
	assert_int_equal(ram.region[0].hva[(1 << 20) + 5], 1);
}

/* The start-up scan of a backing file: only file-backed regions, only
 * their own part of the file (region 1 at an offset), holes skipped. The
 * EIO path needs real poison: the lab's test-linux-boot-poison has it. */
static void test_scan_backing_file(void **state)
{
	struct guest_ram f = { 0 };
	uint64_t scanned = 99;
	int n = 0, fd = memfd_create("backing", MFD_CLOEXEC);
	char page[4096];
	(void)state;

	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 12 << 20), 0);
	memset(page, 7, sizeof(page));
	/* Data: 3 pages of region 0, 1 page of region 1, 1 page past both. */
	assert_int_equal(pwrite(fd, page, 4096, 0x1000), 4096);
	assert_int_equal(pwrite(fd, page, 4096, 0x5000), 4096);
	assert_int_equal(pwrite(fd, page, 4096, 0x7ff000), 4096);
	assert_int_equal(pwrite(fd, page, 4096, (8 << 20) + 0x3000), 4096);
	assert_int_equal(pwrite(fd, page, 4096, (11 << 20) + 0x1000), 4096);
	f.region[0] = (struct ram_region){ .name = "low", .gpa = 0, .size = 8 << 20, .fd = fd,
					   .backing = RAM_BACKING_FILE };
	f.region[1] = (struct ram_region){ .name = "high", .gpa = UINT64_C(1) << 32, .size = 2 << 20, .fd = fd,
					   .offset = 8 << 20, .backing = RAM_BACKING_FILE };
	/* A memfd region is not read, whatever it holds. */
	f.region[2] = (struct ram_region){ .name = "memfd", .gpa = UINT64_C(2) << 32, .size = 12 << 20, .fd = fd,
					   .backing = RAM_BACKING_MEMFD };
	f.count = 3;
	assert_int_equal(ram_poison_scan_backing(&f, found, &n, &scanned), 0);
	assert_int_equal(n, 0);
	assert_int_equal(scanned, 4 * 4096);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_candidates),
		cmocka_unit_test_setup_teardown(test_probe, map_ram, unmap_ram),
		cmocka_unit_test_setup_teardown(test_scan_healthy_ram, map_ram, unmap_ram),
		cmocka_unit_test(test_scan_backing_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
