/* Backing guest RAM for real: memfds, the hugetlb pool's answer on this
 * host, and a backing file (created, sized, refused at the wrong size,
 * reused with its contents, regions at their offsets). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vmm/ram_backing.h"
#include "vmm/ram_poison.h"

#define MiB (UINT64_C(1) << 20)

static char why[512], dir[64], path[96];

static struct guest_ram two_regions(uint64_t low, uint64_t high)
{
	struct guest_ram ram = { .count = 2, .total = low + high };

	ram.region[0] = (struct ram_region){ .name = "low", .gpa = 0, .size = low, .fd = -1 };
	ram.region[1] = (struct ram_region){ .name = "high", .gpa = UINT64_C(1) << 32, .size = high, .fd = -1 };
	return ram;
}

static int make_dir(void **state)
{
	(void)state;
	/* tmpfs where there is one: the backing files are whole guest RAMs. */
	snprintf(dir, sizeof(dir), "%s/vmras-backing-XXXXXX", access("/dev/shm", W_OK) ? "/tmp" : "/dev/shm");
	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/ram", dir);
	return 0;
}

static int remove_dir(void **state)
{
	(void)state;
	unlink(path);
	return rmdir(dir);
}

static void test_memfd_default(void **state)
{
	struct guest_ram ram = two_regions(4 * MiB, 2 * MiB);
	bool usage = true;
	(void)state;

	assert_int_equal(ram_backing_map(&ram, NULL, why, sizeof(why), &usage), 0);
	assert_false(usage);
	for (unsigned i = 0; i < 2; i++) {
		assert_non_null(ram.region[i].hva);
		assert_true(ram.region[i].fd >= 0);
		assert_int_equal(ram.region[i].offset, 0);
		assert_int_equal(ram.region[i].page_shift, 12);
		assert_int_equal(ram.region[i].backing, RAM_BACKING_MEMFD);
	}
	assert_int_not_equal(ram.region[0].fd, ram.region[1].fd);
	ram_backing_unmap(&ram);
	assert_null(ram.region[0].hva);
	assert_int_equal(ram.region[1].fd, -1);
}

static void test_file_created_then_reused(void **state)
{
	struct ram_backend b = { .kind = RAM_BACKEND_FILE, .path = path };
	struct guest_ram ram = two_regions(4 * MiB, 2 * MiB);
	bool usage = true;
	struct stat st;
	char byte = 0;
	int fd;
	(void)state;

	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 6 * MiB);
	assert_int_equal(ram.region[0].offset, 0);
	assert_int_equal(ram.region[1].offset, 4 * MiB);
	assert_int_equal(ram.region[1].page_shift, 12);
	assert_int_equal(ram.region[1].backing, RAM_BACKING_FILE);
	assert_int_not_equal(ram.region[0].fd, ram.region[1].fd);

	/* The high region's first byte is the file's byte at 4 MiB, and the
	 * probe reads it there, not at the region's own offset 0. */
	ram.region[1].hva[0x1000] = 0x5a;
	ram.region[0].hva[0x1000] = 0x11;
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, &byte, 1, 4 * MiB + 0x1000), 1);
	assert_int_equal(byte, 0x5a);
	close(fd);
	assert_int_equal(ram_poison_probe(&ram.region[1], (UINT64_C(1) << 32) + 0x1000), 0);
	ram_backing_unmap(&ram);

	/* Again: the same file, its contents kept. */
	ram = two_regions(4 * MiB, 2 * MiB);
	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), 0);
	assert_int_equal(ram.region[1].hva[0x1000], 0x5a);
	assert_int_equal(ram.region[0].hva[0x1000], 0x11);
	ram_backing_unmap(&ram);
}

static void test_file_wrong_size(void **state)
{
	struct ram_backend b = { .kind = RAM_BACKEND_FILE, .path = path };
	struct guest_ram ram = two_regions(4 * MiB, 4 * MiB);
	bool usage = false;
	struct stat st;
	(void)state;

	/* The file from the test before holds 6 MiB. */
	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), -1);
	assert_true(usage);
	if (!strstr(why, "is 6291456 bytes, but guest RAM (--memory) is 8388608 bytes"))
		fail_msg("%s", why);
	assert_null(ram.region[0].hva);
	assert_int_equal(ram.region[0].fd, -1);
	/* Left as it was: it is someone's guest RAM. */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_size, 6 * MiB);
}

static void test_file_not_regular(void **state)
{
	struct ram_backend b = { .kind = RAM_BACKEND_FILE, .path = "/dev/null" };
	struct guest_ram ram = two_regions(4 * MiB, 2 * MiB);
	bool usage = false;
	(void)state;

	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), -1);
	assert_true(usage);
	assert_non_null(strstr(why, "file:/dev/null is not a regular file"));

	b.path = "/nonexistent-dir/ram";
	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), -1);
	assert_true(usage);
	assert_non_null(strstr(why, "cannot open --memory-backend file:/nonexistent-dir/ram"));
}

static void test_file_removed_when_refused(void **state)
{
	char fresh[128];
	struct ram_backend b = { .kind = RAM_BACKEND_FILE, .path = fresh };
	struct guest_ram ram = two_regions(4 * MiB, 2 * MiB);
	bool usage = false;
	(void)state;

	snprintf(fresh, sizeof(fresh), "%s/fresh", dir);
	/* A region edge off every page: refused after the file was made. */
	ram.region[1].size = 2 * MiB + 100;
	ram.total = 6 * MiB + 100;
	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), -1);
	assert_true(usage);
	assert_non_null(strstr(why, "is not a multiple of 4 KiB"));
	assert_int_equal(access(fresh, F_OK), -1);
}

/* This host's pool decides; every outcome has its own exact message. */
static void test_hugetlb(void **state)
{
	struct ram_backend b = { .kind = RAM_BACKEND_HUGETLB, .page_shift = 21 };
	struct guest_ram ram = two_regions(8 * MiB, 4 * MiB);
	bool usage = true;
	int rc;
	(void)state;

	rc = ram_backing_map(&ram, &b, why, sizeof(why), &usage);
	if (rc == 0) {
		assert_int_equal(ram.region[0].page_shift, 21);
		assert_int_equal(ram.region[1].backing, RAM_BACKING_HUGETLB);
		ram.region[1].hva[4 * MiB - 1] = 1;
		ram_backing_unmap(&ram);
	} else {
		assert_false(usage);
		if (access("/sys/kernel/mm/hugepages/hugepages-2048kB", F_OK))
			assert_non_null(strstr(why, "this host has no 2 MiB hugepages "
						    "(/sys/kernel/mm/hugepages/hugepages-2048kB is missing)"));
		else if (!strstr(why, "guest RAM needs 6 2 MiB hugepages, ") ||
			 !strstr(why, " free (see /proc/sys/vm/nr_hugepages)"))
			fail_msg("%s", why);
		assert_null(ram.region[0].hva);
	}

	/* Half a hugepage is the user's mistake, whatever the host has. */
	ram = two_regions(8 * MiB, 1 * MiB);
	assert_int_equal(ram_backing_map(&ram, &b, why, sizeof(why), &usage), -1);
	assert_true(usage);
	assert_non_null(strstr(why, "--memory 9M is not a multiple of 2 MiB, the page size of --memory-backend "
				    "hugetlb:2M"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memfd_default),
		cmocka_unit_test(test_file_created_then_reused),
		cmocka_unit_test(test_file_wrong_size),
		cmocka_unit_test(test_file_not_regular),
		cmocka_unit_test(test_file_removed_when_refused),
		cmocka_unit_test(test_hugetlb),
	};
	return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
