/* arm64 Image header parsing and boot placement, against headers built here
 * from Documentation/arch/arm64/booting.rst. Offsets and flag bits are
 * spelled as numbers on purpose, so a wrong constant in image.h shows up
 * as a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "arm64/image.h"
#include "arm64/layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define RAM 0x40000000ULL

static void w32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void w64(uint8_t *p, uint64_t v)
{
	w32(p, (uint32_t)v);
	w32(p + 4, (uint32_t)(v >> 32));
}

/* A header as a 6.1 kernel's: code0/code1 (an MZ-ish branch), text_offset,
 * image_size, flags (LE, 4K pages, anywhere), reserved, magic, PE offset;
 * the rest of the file is a filler pattern. */
static uint8_t *make_image(size_t file_size, uint64_t text_offset, uint64_t image_size, uint64_t flags)
{
	uint8_t *img = malloc(file_size < 64 ? 64 : file_size);

	assert_non_null(img);
	for (size_t i = 0; i < (file_size < 64 ? 64 : file_size); i++)
		img[i] = (uint8_t)(i * 13 + 5);
	w32(img + 0, 0xfa405a4d);
	w32(img + 4, 0x14000000);
	w64(img + 8, text_offset);
	w64(img + 16, image_size);
	w64(img + 24, flags);
	w64(img + 32, 0);
	w64(img + 40, 0);
	w64(img + 48, 0);
	memcpy(img + 56, "ARM\x64", 4);
	w32(img + 60, 0x40);
	return img;
}

static void test_debian_like(void **state)
{
	/* Debian 6.1 arm64: ~33 MB file, image_size above it (BSS), flags 0xa. */
	size_t file = 33 * MiB + 12345;
	uint8_t *buf = make_image(file, 0, 35 * MiB + 0x10000, 0xa);
	struct arm64_image img;
	struct arm64_boot_plan plan;
	const char *why = NULL;
	(void)state;

	assert_int_equal(arm64_image_parse(buf, file, &img, &why), 0);
	assert_ptr_equal(img.data, buf);
	assert_int_equal(img.size, file);
	assert_int_equal(img.text_offset, 0);
	assert_int_equal(img.image_size, 35 * MiB + 0x10000);
	assert_int_equal(img.flags, 0xa);
	assert_int_equal(img.page_size, 4096);
	assert_true(img.phys_anywhere);

	assert_int_equal(arm64_image_place(&img, RAM, 512 * MiB, 20 * MiB + 7, &plan, &why), 0);
	assert_int_equal(plan.dtb_gpa, 0x40000000);
	assert_int_equal(plan.dtb_max, 2 * MiB);
	assert_int_equal(plan.kernel_gpa, 0x40200000);
	assert_int_equal(plan.kernel_end, 0x40200000 + 35 * MiB + 0x10000);
	/* Next 2 MiB boundary after the footprint. */
	assert_int_equal(plan.initrd_gpa, 0x40200000 + 36 * MiB);
	assert_int_equal(plan.initrd_end, plan.initrd_gpa + 20 * MiB + 7);
	free(buf);
}

static void test_text_offset_and_old_flags(void **state)
{
	uint8_t *buf = make_image(4096, 0x80000, 0x200000, 0x2);
	struct arm64_image img;
	struct arm64_boot_plan plan;
	const char *why;
	(void)state;

	assert_int_equal(arm64_image_parse(buf, 4096, &img, &why), 0);
	assert_int_equal(img.text_offset, 0x80000);
	assert_int_equal(img.page_size, 4096);
	assert_false(img.phys_anywhere);
	assert_int_equal(arm64_image_place(&img, RAM, 64 * MiB, 4096, &plan, &why), 0);
	/* text_offset bytes past the 2 MiB-aligned base. */
	assert_int_equal(plan.kernel_gpa, 0x40280000);
	assert_int_equal(plan.kernel_end, 0x40480000);
	assert_int_equal(plan.initrd_gpa, 0x40600000);
	assert_int_equal(plan.initrd_end, 0x40601000);
	free(buf);
}

static void test_page_sizes(void **state)
{
	static const struct { uint64_t flags; unsigned page; bool anywhere; } cases[] = {
		{ 0x0, 0, false }, { 0x2, 4096, false }, { 0x4, 16384, false }, { 0x6, 65536, false },
		{ 0x8, 0, true }, { 0xa, 4096, true }, { 0xc, 16384, true }, { 0xe, 65536, true },
		/* Reserved bits 4-63 are ignored. */
		{ 0xfffffffffffffff0ULL | 0xa, 4096, true },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *buf = make_image(64, 0, 1 * MiB, cases[i].flags);
		struct arm64_image img;
		const char *why;

		assert_int_equal(arm64_image_parse(buf, 64, &img, &why), 0);
		assert_int_equal(img.page_size, cases[i].page);
		assert_int_equal(img.phys_anywhere, cases[i].anywhere);
		free(buf);
	}
}

static void expect_parse_error(const uint8_t *buf, size_t size, const char *needle)
{
	struct arm64_image img;
	const char *why = NULL;

	memset(&img, 0x55, sizeof(img));
	assert_int_equal(arm64_image_parse(buf, size, &img, &why), -1);
	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("\"%s\" does not mention \"%s\"", why, needle);
	/* Nothing half-parsed is left behind. */
	assert_null(img.data);
	assert_int_equal(img.size, 0);
}

static void test_big_endian(void **state)
{
	uint8_t *buf = make_image(64, 0, 1 * MiB, 0xb);
	(void)state;
	expect_parse_error(buf, 64, "big-endian");
	free(buf);
}

static void test_no_image_size(void **state)
{
	/* Pre-3.17: image_size 0. */
	uint8_t *buf = make_image(64, 0x80000, 0, 0);
	(void)state;
	expect_parse_error(buf, 64, "3.17");
	free(buf);
}

static void test_bad_sizes(void **state)
{
	static const struct { uint64_t text_offset, image_size; const char *needle; } cases[] = {
		{ 0x200000, 1 * MiB, "text_offset" },
		{ 0x1000, 1 * MiB, NULL },              /* page-aligned below 2 MiB: fine */
		{ 0x1fffff000ULL, 1 * MiB, "text_offset" },
		{ 0x800, 1 * MiB, "text_offset" },
		{ ~0ULL, 1 * MiB, "text_offset" },
		{ 0, 63, "image_size" },
		{ 0, 64, NULL },
		{ 0, ~0ULL, "image_size" },
		{ 0, 1ULL << 41, "image_size" },
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t *buf = make_image(64, cases[i].text_offset, cases[i].image_size, 0xa);
		struct arm64_image img;
		const char *why;

		if (cases[i].needle)
			expect_parse_error(buf, 64, cases[i].needle);
		else
			assert_int_equal(arm64_image_parse(buf, 64, &img, &why), 0);
		free(buf);
	}
}

static void test_not_an_image(void **state)
{
	uint8_t buf[0x300];
	(void)state;

	memset(buf, 0, sizeof(buf));
	expect_parse_error(buf, sizeof(buf), "ARM\\x64");
	expect_parse_error(NULL, 0, "no kernel");
	expect_parse_error(buf, 0, "too short");
	/* The magic alone, in a file cut short: every length below 64. */
	for (size_t n = 0; n < 64; n++) {
		uint8_t *img = make_image(64, 0, 1 * MiB, 0xa);
		expect_parse_error(img, n, "");
		free(img);
	}
	/* gzip */
	buf[0] = 0x1f;
	buf[1] = 0x8b;
	expect_parse_error(buf, sizeof(buf), "Image.gz");
	expect_parse_error(buf, 2, "Image.gz");
	/* EFI zboot: MZ, then "zimg" at 4. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, "MZ\0\0zimg", 8);
	expect_parse_error(buf, sizeof(buf), "zboot");
	/* A plain PE (MZ without zimg) is just not an Image. */
	memcpy(buf, "MZ\0\0\0\0\0\0", 8);
	expect_parse_error(buf, sizeof(buf), "magic");
	/* ELF */
	memcpy(buf, "\x7f" "ELF", 4);
	expect_parse_error(buf, sizeof(buf), "ELF");
	/* x86 bzImage */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 0x202, "HdrS", 4);
	expect_parse_error(buf, sizeof(buf), "bzImage");
	expect_parse_error(buf, 0x205, "magic");
	/* The magic one byte off. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 0x39, "ARM\x64", 4);
	expect_parse_error(buf, sizeof(buf), "magic");
	/* Big-endian magic. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf + 0x38, "\x64MRA", 4);
	expect_parse_error(buf, sizeof(buf), "magic");
}

static void test_garbage_never_crashes(void **state)
{
	uint32_t seed = 12345;
	(void)state;

	/* Random bytes with and without the magic: parse either fails with a
	 * reason or yields a header whose placement is consistent. */
	for (int round = 0; round < 20000; round++) {
		size_t size = 0;
		uint8_t *buf;
		struct arm64_image img;
		struct arm64_boot_plan plan;
		const char *why = NULL;

		seed = seed * 1103515245 + 12345;
		size = (seed >> 8) % 200;
		buf = malloc(size ? size : 1);
		assert_non_null(buf);
		for (size_t i = 0; i < size; i++) {
			seed = seed * 1103515245 + 12345;
			buf[i] = (uint8_t)(seed >> 16);
		}
		if (size >= 64 && (round & 1)) {
			memcpy(buf + 56, "ARM\x64", 4);
			/* Keep some headers plausible so placement runs too. */
			if (round & 2) {
				buf[8 + 3] = buf[8 + 4] = buf[8 + 5] = buf[8 + 6] = buf[8 + 7] = 0;
				buf[8 + 2] &= 0x1f;
				buf[8 + 1] &= 0xf0;
				buf[8] = 0;
				buf[16 + 4] = buf[16 + 5] = buf[16 + 6] = buf[16 + 7] = 0;
				buf[24] &= 0xfe;
			}
		}
		if (arm64_image_parse(buf, size, &img, &why) == 0) {
			uint64_t ram = (uint64_t)((seed >> 4) % 4096) * MiB;
			uint64_t initrd = (uint64_t)(seed % 3) * ((seed >> 12) % 1024) * MiB;

			if (arm64_image_place(&img, RAM, ram, initrd, &plan, &why) == 0) {
				assert_true(plan.kernel_gpa >= plan.dtb_gpa + plan.dtb_max);
				assert_true(plan.kernel_end <= RAM + ram);
				if (initrd) {
					assert_true(plan.initrd_gpa >= plan.kernel_end);
					assert_true(plan.initrd_end <= RAM + ram);
				}
			} else {
				assert_non_null(why);
				assert_int_equal(plan.kernel_gpa, 0);
			}
		} else {
			assert_non_null(why);
		}
		free(buf);
	}
}

static void place(const struct arm64_image *img, uint64_t ram_gpa, uint64_t ram_size, uint64_t initrd,
		  struct arm64_boot_plan *plan, int expect, const char *needle)
{
	const char *why = NULL;
	int rc = arm64_image_place(img, ram_gpa, ram_size, initrd, plan, &why);

	assert_int_equal(rc, expect);
	if (expect) {
		assert_non_null(why);
		if (!strstr(why, needle))
			fail_msg("\"%s\" does not mention \"%s\"", why, needle);
		/* A failed plan is all zero, never half-filled. */
		assert_int_equal(plan->kernel_gpa | plan->kernel_end | plan->dtb_gpa | plan->initrd_gpa |
				 plan->initrd_end | plan->dtb_max, 0);
	}
}

static void test_place_limits(void **state)
{
	uint8_t *buf = make_image(8 * MiB, 0, 10 * MiB, 0xa);
	struct arm64_image img;
	struct arm64_boot_plan plan;
	const char *why;
	(void)state;

	assert_int_equal(arm64_image_parse(buf, 8 * MiB, &img, &why), 0);
	/* The kernel fits exactly: DTB block + 10 MiB. */
	place(&img, RAM, 12 * MiB, 0, &plan, 0, NULL);
	assert_int_equal(plan.kernel_end, RAM + 12 * MiB);
	assert_int_equal(plan.initrd_gpa, 0);
	assert_int_equal(plan.initrd_end, 0);
	place(&img, RAM, 12 * MiB - 1, 0, &plan, -1, "--memory");
	place(&img, RAM, 2 * MiB, 0, &plan, -1, "--memory");
	place(&img, RAM, 1 * MiB, 0, &plan, -1, "--memory");
	place(&img, RAM, 0, 0, &plan, -1, "--memory");
	/* ...but leaves no room for an initrd. */
	place(&img, RAM, 12 * MiB, 1, &plan, -1, "initrd");
	/* An initrd that fills the rest exactly. */
	place(&img, RAM, 16 * MiB, 4 * MiB, &plan, 0, NULL);
	assert_int_equal(plan.initrd_gpa, RAM + 12 * MiB);
	assert_int_equal(plan.initrd_end, RAM + 16 * MiB);
	place(&img, RAM, 16 * MiB, 4 * MiB + 1, &plan, -1, "initrd");
	place(&img, RAM, 16 * MiB, ~0ULL, &plan, -1, "initrd");
	/* RAM whose end is not 2 MiB aligned. */
	place(&img, RAM, 14 * MiB + 4096, 2 * MiB + 4096, &plan, 0, NULL);
	assert_int_equal(plan.initrd_gpa, RAM + 12 * MiB);
	place(&img, RAM, 14 * MiB + 4096, 2 * MiB + 4097, &plan, -1, "initrd");
	/* Misaligned or absurd RAM. */
	place(&img, RAM + 4096, 1 * GiB, 0, &plan, -1, "2 MiB");
	place(&img, RAM, ~0ULL, 0, &plan, -1, "address space");
	place(&img, ~0ULL & ~(2 * MiB - 1), 4 * GiB, 0, &plan, -1, "address space");
	free(buf);
}

static void test_file_longer_than_image_size(void **state)
{
	/* Padding or a signature past image_size is still copied, so the
	 * footprint is the larger of the two. */
	uint8_t *buf = make_image(5 * MiB, 0, 4 * MiB, 0xa);
	struct arm64_image img;
	struct arm64_boot_plan plan;
	const char *why;
	(void)state;

	assert_int_equal(arm64_image_parse(buf, 5 * MiB, &img, &why), 0);
	place(&img, RAM, 64 * MiB, 1 * MiB, &plan, 0, NULL);
	assert_int_equal(plan.kernel_end, RAM + 2 * MiB + 5 * MiB);
	assert_int_equal(plan.initrd_gpa, RAM + 8 * MiB);
	free(buf);
}

static void test_initrd_window(void **state)
{
	uint8_t *buf = make_image(64, 0, 30 * MiB, 0xa);
	struct arm64_image img;
	struct arm64_boot_plan plan;
	const char *why;
	(void)state;

	assert_int_equal(arm64_image_parse(buf, 64, &img, &why), 0);
	/* With 64 GiB of RAM, the initrd must still end by RAM + 32 GiB. */
	place(&img, RAM, 64 * GiB, 32 * GiB - 32 * MiB, &plan, 0, NULL);
	assert_int_equal(plan.initrd_gpa, RAM + 32 * MiB);
	assert_int_equal(plan.initrd_end, RAM + 32 * GiB);
	place(&img, RAM, 64 * GiB, 32 * GiB - 32 * MiB + 1, &plan, -1, "32 GiB");
	/* The window's base is the kernel's 1 GiB block, wherever RAM is. */
	place(&img, 0x80000000000ULL, 64 * GiB, 32 * GiB - 32 * MiB, &plan, 0, NULL);
	place(&img, 0x80000000000ULL, 64 * GiB, 32 * GiB, &plan, -1, "32 GiB");
	free(buf);
}

static void test_layout_consistency(void **state)
{
	(void)state;
	/* Devices below RAM, none overlapping, the GIC regions as KVM wants them. */
	assert_int_equal(ARM64_RAM_GPA, 0x40000000);
	assert_int_equal(ARM64_DTB_GPA, ARM64_RAM_GPA);
	assert_int_equal(ARM64_KERNEL_BASE_GPA % (2 * MiB), 0);
	assert_int_equal(ARM64_GICD_GPA % 0x10000, 0);
	assert_int_equal(ARM64_GICR_GPA % 0x10000, 0);
	assert_int_equal(ARM64_GICR_STRIDE, 0x20000);
	assert_true(ARM64_MAX_VCPUS >= 123);
	assert_int_equal(ARM64_GICR_SIZE, ARM64_MAX_VCPUS * 0x20000ULL);
	assert_int_equal(ARM64_GICR_SIZE_FOR(2), 0x40000);
	assert_true(ARM64_GICR_GPA + ARM64_GICR_SIZE <= ARM64_RAM_GPA);
	assert_int_equal(ARM64_SPI_INTID(ARM64_UART_SPI), 33);
	assert_int_equal(ARM64_PPI_INTID(ARM64_PPI_TIMER_VIRT), 27);
	assert_int_equal(ARM64_PPI_INTID(ARM64_PPI_TIMER_PHYS), 30);
	assert_int_equal(ARM64_PPI_INTID(ARM64_PPI_GIC_MAINT), 25);
	assert_int_equal(ARM64_GHES_MEM_SIZE, 0x1000 + ARM64_GHES_SOURCES_MAX * 0x1000);
	assert_true(ARM64_GHES_SOURCES_MAX * ARM64_GHES_ACK_STRIDE <= ARM64_GHES_ACK_SIZE);
	assert_int_equal(ARM64_RAM_MAX_DEFAULT_IPA, (1ULL << 40) - 0x40000000);

	/* Every region, sorted by address: each ends before the next starts. */
	static const struct { unsigned long long gpa, size; } map[] = {
		{ ARM64_FLASH_GPA, ARM64_FLASH_SIZE },
		{ ARM64_GICD_GPA, ARM64_GICD_SIZE },
		{ ARM64_UART_GPA, ARM64_UART_SIZE },
		{ ARM64_RTC_GPA, ARM64_RTC_SIZE },
		{ ARM64_FW_CFG_GPA, ARM64_FW_CFG_SIZE },
		{ ARM64_GPIO_GPA, ARM64_GPIO_SIZE },
		{ ARM64_PVPANIC_GPA, ARM64_PVPANIC_PAGE },
		{ ARM64_GED_GPA, ARM64_GED_SIZE },
		{ ARM64_GHES_ACK_GPA, ARM64_GHES_ACK_SIZE },
		{ ARM64_GICR_GPA, ARM64_GICR_SIZE },
		{ ARM64_RAM_GPA, 1 },
	};
	for (size_t i = 1; i < sizeof(map) / sizeof(map[0]); i++) {
		assert_true(map[i - 1].gpa + map[i - 1].size <= map[i].gpa);
		assert_int_equal(map[i].gpa % 0x1000, 0);
	}
	assert_true(ARM64_PVPANIC_SIZE <= ARM64_PVPANIC_PAGE);
	/* Distinct SPIs. */
	assert_int_not_equal(ARM64_UART_SPI, ARM64_GPIO_SPI);
	assert_int_not_equal(ARM64_UART_SPI, ARM64_RTC_SPI);
	assert_int_not_equal(ARM64_GPIO_SPI, ARM64_GED_SPI);
	assert_int_not_equal(ARM64_RTC_SPI, ARM64_GED_SPI);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_debian_like),
		cmocka_unit_test(test_text_offset_and_old_flags),
		cmocka_unit_test(test_page_sizes),
		cmocka_unit_test(test_big_endian),
		cmocka_unit_test(test_no_image_size),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_not_an_image),
		cmocka_unit_test(test_garbage_never_crashes),
		cmocka_unit_test(test_place_limits),
		cmocka_unit_test(test_file_longer_than_image_size),
		cmocka_unit_test(test_initrd_window),
		cmocka_unit_test(test_layout_consistency),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
