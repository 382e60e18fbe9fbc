/* --memory-backend: the option's grammar, and the size rules that decide
 * whether a backing fits guest RAM, each error a line naming both sides. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "vmm/ram_backend.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static char err[512];

static void assert_line_has(const char *needle)
{
	assert_null(strchr(err, '\n'));
	if (!strstr(err, needle))
		fail_msg("\"%s\" does not mention \"%s\"", err, needle);
}

static void test_parse(void **state)
{
	struct ram_backend b;
	char name[64];
	(void)state;

	assert_int_equal(ram_backend_parse("memfd", &b, err, sizeof(err)), 0);
	assert_int_equal(b.kind, RAM_BACKEND_MEMFD);
	assert_int_equal(b.page_shift, 12);
	assert_string_equal(ram_backend_name(&b, name, sizeof(name)), "memfd");

	assert_int_equal(ram_backend_parse("hugetlb", &b, err, sizeof(err)), 0);
	assert_int_equal(b.kind, RAM_BACKEND_HUGETLB);
	assert_int_equal(b.page_shift, 21);
	assert_string_equal(ram_backend_name(&b, name, sizeof(name)), "hugetlb:2M");
	assert_int_equal(ram_backend_parse("hugetlb:2M", &b, err, sizeof(err)), 0);
	assert_int_equal(b.page_shift, 21);
	assert_int_equal(ram_backend_parse("hugetlb:1G", &b, err, sizeof(err)), 0);
	assert_int_equal(b.kind, RAM_BACKEND_HUGETLB);
	assert_int_equal(b.page_shift, 30);
	assert_string_equal(ram_backend_name(&b, name, sizeof(name)), "hugetlb:1G");

	assert_int_equal(ram_backend_parse("file:/dev/hugepages/vm0", &b, err, sizeof(err)), 0);
	assert_int_equal(b.kind, RAM_BACKEND_FILE);
	assert_string_equal(b.path, "/dev/hugepages/vm0");
	assert_int_equal(b.page_shift, 0);   /* its filesystem's, known once opened */
	assert_string_equal(ram_backend_name(&b, name, sizeof(name)), "file:/dev/hugepages/vm0");
	/* A path is taken as it is, colons included. */
	assert_int_equal(ram_backend_parse("file:a:b", &b, err, sizeof(err)), 0);
	assert_string_equal(b.path, "a:b");
}

static void test_parse_errors(void **state)
{
	static const char *const bad[] = { "", "memfd:", "Memfd", "hugetlb:", "hugetlb:4K", "hugetlb:2MB",
					   "hugetlb:1g", "hugetlb2M", "file", "file:", "anon", "memfd " };
	struct ram_backend b;
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(err, 0, sizeof(err));
		if (ram_backend_parse(bad[i], &b, err, sizeof(err)) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_line_has("--memory-backend");
	}
	assert_int_equal(ram_backend_parse("hugetlb:4K", &b, err, sizeof(err)), -1);
	assert_line_has("2M or 1G");
	assert_int_equal(ram_backend_parse("file:", &b, err, sizeof(err)), -1);
	assert_line_has("path is empty");
	/* A control character in the user's words does not break the line. */
	assert_int_equal(ram_backend_parse("x\ny", &b, err, sizeof(err)), -1);
	assert_line_has("x?y");
}

static void test_fs_page_shift(void **state)
{
	(void)state;
	assert_int_equal(ram_backend_fs_page_shift(RAM_HUGETLBFS_MAGIC, 2 * MiB), 21);
	assert_int_equal(ram_backend_fs_page_shift(RAM_HUGETLBFS_MAGIC, GiB), 30);
	assert_int_equal(ram_backend_fs_page_shift(RAM_HUGETLBFS_MAGIC, 64 * 1024), 16);
	/* tmpfs (0x01021994) and ext4 (0xef53) map 4 KiB pages whatever their block size. */
	assert_int_equal(ram_backend_fs_page_shift(0x01021994, 4096), 12);
	assert_int_equal(ram_backend_fs_page_shift(0xef53, 1024), 12);
	/* statfs's f_type is a signed long on some ABIs: only the low 32 bits count. */
	assert_int_equal(ram_backend_fs_page_shift(UINT64_C(0xffffffff958458f6), 2 * MiB), 21);
	/* A hugetlbfs block size vmras cannot use. */
	assert_int_equal(ram_backend_fs_page_shift(RAM_HUGETLBFS_MAGIC, 3 * MiB), 0);
	assert_int_equal(ram_backend_fs_page_shift(RAM_HUGETLBFS_MAGIC, 2 * GiB), 0);
	assert_int_equal(ram_backend_fs_page_shift(RAM_HUGETLBFS_MAGIC, 0), 0);
}

/* x86's layout: RAM up to 3 GiB below the hole, the rest from 4 GiB. */
static struct guest_ram x86_like(uint64_t size)
{
	struct guest_ram ram = { .total = size, .count = 1 };
	uint64_t low = size < 3 * GiB ? size : 3 * GiB;

	ram.region[0] = (struct ram_region){ .name = "ram-below-4g", .gpa = 0, .size = low };
	if (size > low) {
		ram.region[1] = (struct ram_region){ .name = "ram-above-4g", .gpa = 4 * GiB, .size = size - low };
		ram.count = 2;
	}
	return ram;
}

static void test_layout(void **state)
{
	struct guest_ram ram;
	(void)state;

	ram = x86_like(512 * MiB);
	assert_int_equal(ram_backend_check_layout(&ram, 21, "hugetlb:2M", err, sizeof(err)), 0);
	assert_int_equal(ram_backend_check_layout(&ram, 30, "hugetlb:1G", err, sizeof(err)), -1);
	assert_line_has("--memory 512M is not a multiple of 1 GiB, the page size of --memory-backend hugetlb:1G");
	ram = x86_like(4 * GiB);
	assert_int_equal(ram_backend_check_layout(&ram, 30, "hugetlb:1G", err, sizeof(err)), 0);
	ram = x86_like(4 * GiB + 2 * MiB);
	assert_int_equal(ram_backend_check_layout(&ram, 21, "hugetlb:2M", err, sizeof(err)), 0);
	assert_int_equal(ram_backend_check_layout(&ram, 30, "hugetlb:1G", err, sizeof(err)), -1);
	assert_line_has("4098M is not a multiple of 1 GiB");
	ram = x86_like(1001 * MiB);
	assert_int_equal(ram_backend_check_layout(&ram, 21, "hugetlb:2M", err, sizeof(err)), -1);
	assert_line_has("--memory 1001M is not a multiple of 2 MiB");
	ram = x86_like(512 * MiB + 4096);
	assert_int_equal(ram_backend_check_layout(&ram, 21, "file:/x", err, sizeof(err)), -1);
	assert_line_has("--memory 524292K is not a multiple of 2 MiB, the page size of --memory-backend file:/x");
	assert_int_equal(ram_backend_check_layout(&ram, 12, "file:/x", err, sizeof(err)), 0);

	/* A total that is a multiple, split at an edge that is not: named. */
	ram = x86_like(4 * GiB);
	ram.region[0].size = 3 * GiB - 2 * MiB;
	ram.region[1].size = GiB + 2 * MiB;
	assert_int_equal(ram_backend_check_layout(&ram, 21, "hugetlb:2M", err, sizeof(err)), 0);
	assert_int_equal(ram_backend_check_layout(&ram, 30, "hugetlb:1G", err, sizeof(err)), -1);
	assert_line_has("region ram-below-4g (0x0-0xbfe00000) does not start and end on a 1 GiB page");
	ram.region[0].size = 3 * GiB;
	ram.region[1].gpa = 4 * GiB + 2 * MiB;
	ram.region[1].size = GiB;
	assert_int_equal(ram_backend_check_layout(&ram, 30, "hugetlb:1G", err, sizeof(err)), -1);
	assert_line_has("region ram-above-4g (0x100200000-0x140200000)");
}

static void test_hugepages(void **state)
{
	(void)state;
	assert_int_equal(ram_backend_hugepages_available(300, 0, 0, 0), 300);
	assert_int_equal(ram_backend_hugepages_available(300, 100, 0, 0), 200);
	assert_int_equal(ram_backend_hugepages_available(100, 300, 0, 0), 0);    /* never below 0 */
	assert_int_equal(ram_backend_hugepages_available(10, 0, 50, 20), 40);    /* 30 more may be made */
	assert_int_equal(ram_backend_hugepages_available(10, 0, 20, 50), 10);

	assert_int_equal(ram_backend_check_hugepages(256, 256, 21, err, sizeof(err)), 0);
	assert_int_equal(ram_backend_check_hugepages(0, 0, 21, err, sizeof(err)), 0);
	assert_int_equal(ram_backend_check_hugepages(256, 100, 21, err, sizeof(err)), -1);
	assert_line_has("needs 256 2 MiB hugepages, 100 free (see /proc/sys/vm/nr_hugepages)");
	assert_int_equal(ram_backend_check_hugepages(2, 1, 30, err, sizeof(err)), -1);
	assert_line_has("needs 2 1 GiB hugepages, 1 free "
			"(see /sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages)");

	char dir[64];
	assert_string_equal(ram_backend_sysfs_dir(21, dir, sizeof(dir)), "/sys/kernel/mm/hugepages/hugepages-2048kB");
	assert_string_equal(ram_backend_sysfs_dir(30, dir, sizeof(dir)),
			    "/sys/kernel/mm/hugepages/hugepages-1048576kB");
}

static void test_file_size(void **state)
{
	(void)state;
	assert_int_equal(ram_backend_check_file_size("/f", 512 * MiB, 512 * MiB, err, sizeof(err)), 0);
	assert_int_equal(ram_backend_check_file_size("/f", 0, 512 * MiB, err, sizeof(err)), 0);   /* new */
	assert_int_equal(ram_backend_check_file_size("/f", 256 * MiB, 512 * MiB, err, sizeof(err)), -1);
	assert_line_has("file:/f is 268435456 bytes, but guest RAM (--memory) is 536870912 bytes");
	assert_int_equal(ram_backend_check_file_size("/f", 1024 * MiB, 512 * MiB, err, sizeof(err)), -1);
	assert_line_has("is 1073741824 bytes");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_fs_page_shift),
		cmocka_unit_test(test_layout),
		cmocka_unit_test(test_hugepages),
		cmocka_unit_test(test_file_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
