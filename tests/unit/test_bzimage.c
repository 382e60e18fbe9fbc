/* bzImage parsing, initrd placement and boot_params, against synthetic
 * images built here from the Linux boot protocol (Documentation/arch/x86/
 * boot.rst and zero-page.rst). Offsets are spelled as numbers on purpose, so
 * a wrong constant in bzimage.h shows up as a failure. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <glob.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86/bzimage.h"
#include "x86/e820.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, (uint16_t)v); w16(p + 2, (uint16_t)(v >> 16)); }
static void w64(uint8_t *p, uint64_t v) { w32(p, (uint32_t)v); w32(p + 4, (uint32_t)(v >> 32)); }

struct img_spec {
	uint8_t setup_sects;        /* 0 means 4 */
	uint16_t version;
	uint8_t loadflags;
	uint16_t xloadflags;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint32_t init_size;
	uint8_t jump;               /* header ends at 0x202 + jump */
	size_t kernel_size;
	bool no_magic;
};

static struct img_spec default_spec(void)
{
	return (struct img_spec){
		.setup_sects = 3, .version = 0x020f, .loadflags = 0x01, .xloadflags = 0x0001,
		.initrd_addr_max = 0x7fffffff, .cmdline_size = 2047, .init_size = 0x800000,
		.jump = 0x66, .kernel_size = 8192,
	};
}

static uint8_t kernel_byte(size_t i) { return (uint8_t)(i * 7 + 3); }

/* A bzImage as the boot protocol describes it: boot sector and setup code
 * (setup_sects + 1 sectors), then the protected-mode kernel. Bytes that are
 * not header fields get a filler pattern, so verbatim copies can be told
 * from zeroes. */
static uint8_t *make_image(const struct img_spec *s, size_t *size)
{
	size_t setup = ((size_t)(s->setup_sects ? s->setup_sects : 4) + 1) * 512;
	uint8_t *img = malloc(setup + s->kernel_size);

	assert_non_null(img);
	for (size_t i = 0; i < setup; i++)
		img[i] = (uint8_t)(0x40 + i % 61);
	img[0x1f1] = s->setup_sects;
	w16(img + 0x1fe, 0xaa55);
	img[0x200] = 0xeb;
	img[0x201] = s->jump;
	if (!s->no_magic)
		memcpy(img + 0x202, "HdrS", 4);
	w16(img + 0x206, s->version);
	img[0x211] = s->loadflags;
	w32(img + 0x22c, s->initrd_addr_max);
	w16(img + 0x236, s->xloadflags);
	w32(img + 0x238, s->cmdline_size);
	w32(img + 0x260, s->init_size);
	for (size_t i = 0; i < s->kernel_size; i++)
		img[setup + i] = kernel_byte(i);
	*size = setup + s->kernel_size;
	return img;
}

static void expect_parse_error(const struct img_spec *s)
{
	struct bzimage bz;
	const char *why = NULL;
	size_t size;
	uint8_t *img = make_image(s, &size);

	assert_int_equal(bzimage_parse(img, size, &bz, &why), -1);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	assert_null(strchr(why, '\n'));
	free(img);
}

static void test_parse_valid(void **state)
{
	struct img_spec s = default_spec();
	struct bzimage bz;
	const char *why = NULL;
	size_t size;
	uint8_t *img = make_image(&s, &size);
	(void)state;

	assert_int_equal(size, 4 * 512 + 8192);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_ptr_equal(bz.image, img);
	assert_int_equal(bz.image_size, size);
	assert_int_equal(bz.version, 0x020f);
	assert_int_equal(bz.setup_size, 4 * 512);
	assert_int_equal(bz.header_end, 0x268);
	assert_ptr_equal(bz.kernel, img + 2048);
	assert_int_equal(bz.kernel_size, 8192);
	assert_int_equal(bz.initrd_addr_max, 0x7fffffff);
	assert_int_equal(bz.cmdline_size, 2047);
	assert_int_equal(bz.init_size, 0x800000);
	assert_int_equal(bz.kernel[0], kernel_byte(0));
	free(img);
}

static void test_parse_setup_sects_zero_means_four(void **state)
{
	struct img_spec s = default_spec();
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img;
	(void)state;

	s.setup_sects = 0;
	img = make_image(&s, &size);
	assert_int_equal(size, 5 * 512 + 8192);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.setup_size, 5 * 512);
	assert_ptr_equal(bz.kernel, img + 2560);
	assert_int_equal(bz.kernel_size, 8192);
	free(img);

	s.setup_sects = 0x1b;    /* what a Debian 6.1 kernel has */
	img = make_image(&s, &size);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.setup_size, 28 * 512);
	assert_ptr_equal(bz.kernel, img + 28 * 512);
	free(img);
}

static void test_parse_header_end_from_jump(void **state)
{
	struct img_spec s = default_spec();
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img;
	(void)state;

	s.jump = 0x6a;    /* 2.15 headers end at 0x26c */
	img = make_image(&s, &size);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.header_end, 0x26c);
	free(img);
}

static void test_parse_versions(void **state)
{
	struct img_spec s = default_spec();
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img;
	(void)state;

	s.version = 0x020c;     /* 2.12: first with xloadflags */
	img = make_image(&s, &size);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.version, 0x020c);
	free(img);

	s.version = 0x020b;
	expect_parse_error(&s);
	s.version = 0x0206;
	expect_parse_error(&s);
	s.version = 0x0000;
	expect_parse_error(&s);
}

static void test_parse_errors(void **state)
{
	struct img_spec s;
	(void)state;

	s = default_spec();
	s.no_magic = true;
	expect_parse_error(&s);

	s = default_spec();
	s.xloadflags = 0x0002;   /* XLF_CAN_BE_LOADED_ABOVE_4G alone, no XLF_KERNEL_64 */
	expect_parse_error(&s);
	s.xloadflags = 0;
	expect_parse_error(&s);

	s = default_spec();
	s.loadflags = 0x80;      /* LOADED_HIGH clear: a zImage */
	expect_parse_error(&s);
	s.loadflags = 0;
	expect_parse_error(&s);
}

static void test_parse_truncated(void **state)
{
	struct img_spec s = default_spec();
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img = make_image(&s, &size);
	(void)state;

	/* Cut inside the kernel: still a (shorter) kernel. */
	assert_int_equal(bzimage_parse(img, 2048 + 1, &bz, &why), 0);
	assert_int_equal(bz.kernel_size, 1);
	/* No kernel at all, or a cut inside the setup code. */
	why = NULL;
	assert_int_equal(bzimage_parse(img, 2048, &bz, &why), -1);
	assert_non_null(why);
	assert_int_equal(bzimage_parse(img, 2047, &bz, &why), -1);
	assert_int_equal(bzimage_parse(img, 0x300, &bz, &why), -1);
	/* Too short to hold the header fields read (up to init_size at 0x260). */
	assert_int_equal(bzimage_parse(img, 0x264, &bz, &why), -1);
	assert_int_equal(bzimage_parse(img, 0x206, &bz, &why), -1);
	assert_int_equal(bzimage_parse(img, 0x200, &bz, &why), -1);
	assert_int_equal(bzimage_parse(img, 0, &bz, &why), -1);
	free(img);

	/* setup_sects claims more sectors than the file has. */
	s.setup_sects = 200;
	s.kernel_size = 0;
	img = make_image(&s, &size);
	why = NULL;
	assert_int_equal(bzimage_parse(img, 2048 + 8192, &bz, &why), -1);
	assert_non_null(why);
	free(img);
}

static void test_parse_init_size_at_least_kernel(void **state)
{
	struct img_spec s = default_spec();
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img;
	(void)state;

	/* The kernel needs at least its own size from the load address. */
	s.init_size = 4096;
	img = make_image(&s, &size);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.init_size, 8192);
	free(img);

	s.init_size = 0;
	img = make_image(&s, &size);
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.init_size, 8192);
	free(img);
}

/* --- initrd placement --------------------------------------------------- */

static struct bzimage place_bz(uint32_t initrd_addr_max, uint32_t init_size)
{
	return (struct bzimage){ .version = 0x020f, .initrd_addr_max = initrd_addr_max,
				 .init_size = init_size };
}

static uint64_t place_ok(const struct bzimage *bz, uint64_t low_end, uint64_t size)
{
	uint64_t gpa = 0xdeadbeef;
	const char *why = NULL;

	if (bzimage_place_initrd(bz, 1 * MiB, low_end, size, &gpa, &why))
		fail_msg("placing %#llx bytes below %#llx failed: %s", (unsigned long long)size,
			 (unsigned long long)low_end, why);
	/* Whatever the inputs: page aligned, wholly below both limits, above the kernel. */
	assert_int_equal(gpa & 0xfff, 0);
	assert_true(gpa + size <= low_end);
	assert_true(gpa + size - 1 <= bz->initrd_addr_max);
	assert_true(gpa >= 1 * MiB + bz->init_size);
	return gpa;
}

static void place_fails(const struct bzimage *bz, uint64_t low_end, uint64_t size)
{
	uint64_t gpa = 0xdeadbeef;
	const char *why = NULL;

	assert_int_equal(bzimage_place_initrd(bz, 1 * MiB, low_end, size, &gpa, &why), -1);
	assert_non_null(why);
	assert_true(strlen(why) > 0);
	assert_true(gpa == 0xdeadbeef);
}

static void test_place_initrd_below_ram_end(void **state)
{
	struct bzimage bz = place_bz(0x7fffffff, 16 * MiB);
	(void)state;

	assert_true(place_ok(&bz, 512 * MiB, 4096) == 512 * MiB - 4096);
	assert_true(place_ok(&bz, 512 * MiB, 10 * MiB) == 502 * MiB);
	/* Not a page multiple: the start is rounded down. */
	assert_true(place_ok(&bz, 512 * MiB, 0x1800) == 512 * MiB - 0x2000);
	assert_true(place_ok(&bz, 512 * MiB, 1) == 512 * MiB - 0x1000);
	/* RAM that ends off a page boundary. */
	assert_true(place_ok(&bz, 512 * MiB + 0x800, 4096) == 512 * MiB - 4096);
}

static void test_place_initrd_below_addr_max(void **state)
{
	struct bzimage bz = place_bz(0x7fffffff, 16 * MiB);
	(void)state;

	/* 3 GiB of low RAM, but the kernel takes initrds only below 2 GiB. */
	assert_true(place_ok(&bz, 3 * GiB, 32 * MiB) == 2 * GiB - 32 * MiB);
	/* The old default limit. */
	bz.initrd_addr_max = 0x37ffffff;
	assert_true(place_ok(&bz, 3 * GiB, 4096) == 0x38000000 - 4096);
	/* A 4 GiB limit: RAM is the bound again. */
	bz.initrd_addr_max = 0xffffffff;
	assert_true(place_ok(&bz, 3 * GiB, 4096) == 3 * GiB - 4096);
	/* A limit that is not one below a page boundary. */
	bz.initrd_addr_max = 0x12345678;
	assert_true(place_ok(&bz, 3 * GiB, 0x2000) == 0x12343000);
	/* A limit on a page boundary: only the first byte of that page may be
	 * used, so the initrd ends just below it. */
	bz.initrd_addr_max = 0x20000000;
	assert_true(place_ok(&bz, 3 * GiB, 0x1000) == 0x1ffff000);
}

static void test_place_initrd_above_kernel(void **state)
{
	struct bzimage bz = place_bz(0x7fffffff, 16 * MiB);
	const uint64_t floor = 1 * MiB + 16 * MiB;
	(void)state;

	/* The initrd may start exactly where the kernel's footprint ends... */
	assert_true(place_ok(&bz, 64 * MiB, 64 * MiB - floor) == floor);
	/* ...and not one page lower. */
	place_fails(&bz, 64 * MiB, 64 * MiB - floor + 1);
	place_fails(&bz, 64 * MiB, 64 * MiB - floor + 4096);
	place_fails(&bz, 64 * MiB, 64 * MiB);
	place_fails(&bz, 64 * MiB, 1ULL << 40);
	place_fails(&bz, 64 * MiB, UINT64_MAX);
	/* RAM that ends inside the kernel's footprint. */
	place_fails(&bz, 8 * MiB, 4096);
	/* A kernel load address elsewhere moves the floor. */
	{
		uint64_t gpa;
		const char *why;
		assert_int_equal(bzimage_place_initrd(&bz, 32 * MiB, 64 * MiB, 16 * MiB, &gpa, &why), 0);
		assert_true(gpa == 48 * MiB);
		assert_int_equal(bzimage_place_initrd(&bz, 32 * MiB, 64 * MiB, 16 * MiB + 1, &gpa, &why), -1);
	}
}

/* --- boot_params --------------------------------------------------------- */

static struct e820_map sample_e820(void)
{
	struct e820_map m = { .count = 0 };
	assert_int_equal(e820_set(&m, 0, 0x9fc00, E820_RAM), 0);
	assert_int_equal(e820_set(&m, 0x9fc00, 0x400, E820_RESERVED), 0);
	assert_int_equal(e820_set(&m, 0xe0000, 0x20000, E820_RESERVED), 0);
	assert_int_equal(e820_set(&m, 0x100000, 3 * GiB - 0x100000, E820_RAM), 0);
	assert_int_equal(e820_set(&m, 4 * GiB, 2 * GiB, E820_RAM), 0);
	assert_int_equal(m.count, 5);
	return m;
}

/* The zero page as the protocol says a 64-bit boot loader builds it: zeroes,
 * the kernel's setup header copied from 0x1f1 up to 0x202 + image[0x201],
 * then the loader's own fields. */
static void expected_zero_page(uint8_t *zp, const uint8_t *img, const struct boot_params_in *in)
{
	size_t end = 0x202 + img[0x201];

	memset(zp, 0, 4096);
	memcpy(zp + 0x1f1, img + 0x1f1, end - 0x1f1);
	w16(zp + 0x1fa, 0xffff);                  /* vid_mode: normal */
	zp[0x210] = 0xff;                         /* type_of_loader: undefined */
	zp[0x211] |= 0x80;                        /* loadflags: CAN_USE_HEAP */
	w16(zp + 0x224, 0xfe00);                  /* heap_end_ptr */
	w32(zp + 0x228, (uint32_t)in->cmdline_gpa);
	if (in->initrd_size) {
		w32(zp + 0x218, (uint32_t)in->initrd_gpa);
		w32(zp + 0x21c, (uint32_t)in->initrd_size);
	}
	if (le16(img + 0x206) >= 0x020e)
		w64(zp + 0x070, in->rsdp_gpa);
	zp[0x1e8] = (uint8_t)in->e820->count;
	for (unsigned i = 0; i < in->e820->count; i++) {
		w64(zp + 0x2d0 + 20 * i, in->e820->entry[i].addr);
		w64(zp + 0x2d0 + 20 * i + 8, in->e820->entry[i].size);
		w32(zp + 0x2d0 + 20 * i + 16, in->e820->entry[i].type);
	}
}

static void check_boot_params(const struct img_spec *s, const struct boot_params_in *in)
{
	struct bzimage bz;
	const char *why = NULL;
	size_t size;
	uint8_t *img = make_image(s, &size);
	uint8_t zp[4096], want[4096];

	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	memset(zp, 0xcc, sizeof(zp));
	if (bzimage_boot_params(&bz, in, zp, &why))
		fail_msg("bzimage_boot_params: %s", why);
	expected_zero_page(want, img, in);
	for (size_t i = 0; i < sizeof(zp); i++)
		if (zp[i] != want[i])
			fail_msg("boot_params byte %#zx is %#x, expected %#x", i, zp[i], want[i]);
	free(img);
}

static void test_boot_params_fields(void **state)
{
	struct img_spec s = default_spec();
	struct e820_map m = sample_e820();
	struct boot_params_in in = {
		.cmdline_gpa = 0x20000, .cmdline_len = 13, .initrd_gpa = 0x7f000000,
		.initrd_size = 0x123456, .rsdp_gpa = 0xe0000, .e820 = &m,
	};
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img = make_image(&s, &size);
	uint8_t zp[4096];
	(void)state;

	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	memset(zp, 0xcc, sizeof(zp));
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), 0);

	/* Spot checks at the documented offsets. */
	assert_int_equal(le64(zp + 0x070), 0xe0000);            /* acpi_rsdp_addr */
	assert_int_equal(zp[0x1e8], 5);                         /* e820_entries */
	assert_int_equal(zp[0x1f1], 3);                         /* setup_sects */
	assert_int_equal(le16(zp + 0x1fa), 0xffff);             /* vid_mode */
	assert_int_equal(le16(zp + 0x1fe), 0xaa55);             /* boot_flag */
	assert_int_equal(zp[0x200], 0xeb);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(le16(zp + 0x206), 0x020f);
	assert_int_equal(zp[0x210], 0xff);                      /* type_of_loader */
	assert_int_equal(zp[0x211], 0x81);                      /* LOADED_HIGH | CAN_USE_HEAP */
	assert_int_equal(le32(zp + 0x218), 0x7f000000);         /* ramdisk_image */
	assert_int_equal(le32(zp + 0x21c), 0x123456);           /* ramdisk_size */
	assert_int_equal(le16(zp + 0x224), 0xfe00);             /* heap_end_ptr */
	assert_int_equal(le32(zp + 0x228), 0x20000);            /* cmd_line_ptr */
	assert_int_equal(le32(zp + 0x22c), 0x7fffffff);         /* initrd_addr_max, from the kernel */
	assert_int_equal(le16(zp + 0x236), 0x0001);             /* xloadflags */
	assert_int_equal(le32(zp + 0x238), 2047);               /* cmdline_size */
	assert_int_equal(le32(zp + 0x260), 0x800000);           /* init_size */
	assert_int_equal(le32(zp + 0x0c8), 0);                  /* ext_cmd_line_ptr */
	assert_int_equal(le32(zp + 0x0c0), 0);                  /* ext_ramdisk_image */
	assert_int_equal(le32(zp + 0x0c4), 0);                  /* ext_ramdisk_size */
	/* e820_table: 20-byte entries from 0x2d0. */
	assert_int_equal(le64(zp + 0x2d0), 0);
	assert_int_equal(le64(zp + 0x2d8), 0x9fc00);
	assert_int_equal(le32(zp + 0x2e0), 1);
	assert_int_equal(le64(zp + 0x2e4), 0x9fc00);
	assert_int_equal(le64(zp + 0x2ec), 0x400);
	assert_int_equal(le32(zp + 0x2f4), 2);
	assert_int_equal(le64(zp + 0x2d0 + 4 * 20), 4 * GiB);
	assert_int_equal(le64(zp + 0x2d0 + 4 * 20 + 8), 2 * GiB);
	assert_int_equal(le32(zp + 0x2d0 + 4 * 20 + 16), 1);
	assert_int_equal(le64(zp + 0x2d0 + 5 * 20), 0);          /* nothing after the last */
	/* Outside the header, the loader's fields and the map: zero. */
	assert_int_equal(zp[0x000], 0);
	assert_int_equal(zp[0x1ef], 0);                         /* sentinel */
	assert_int_equal(zp[0x268], 0);                         /* first byte past the header */
	assert_int_equal(zp[0xfff], 0);
	free(img);

	/* And every byte of the page. */
	check_boot_params(&s, &in);
}

static void test_boot_params_no_initrd(void **state)
{
	struct img_spec s = default_spec();
	struct e820_map m = sample_e820();
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .cmdline_len = 0, .e820 = &m };
	(void)state;

	check_boot_params(&s, &in);
	/* initrd_gpa without a size still means no initrd. */
	in.initrd_gpa = 0x1000000;
	check_boot_params(&s, &in);
}

static void test_boot_params_header_copied_verbatim(void **state)
{
	struct img_spec s = default_spec();
	struct e820_map m = sample_e820();
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .cmdline_len = 5, .rsdp_gpa = 0xe0000,
				     .e820 = &m };
	(void)state;

	/* Longer and shorter headers: the copy follows the jump at 0x200. */
	s.jump = 0x6a;
	check_boot_params(&s, &in);
	s.jump = 0x62;
	s.version = 0x020c;
	check_boot_params(&s, &in);
	s.jump = 0xff;
	check_boot_params(&s, &in);
	/* Loader flags the kernel set are kept, CAN_USE_HEAP is added. */
	s = default_spec();
	s.loadflags = 0x01 | 0x20 | 0x40;    /* LOADED_HIGH | QUIET_FLAG | KEEP_SEGMENTS */
	check_boot_params(&s, &in);
}

static void test_boot_params_rsdp_by_version(void **state)
{
	struct img_spec s = default_spec();
	struct e820_map m = sample_e820();
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .rsdp_gpa = 0xe0000, .e820 = &m };
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img, zp[4096];
	(void)state;

	/* acpi_rsdp_addr exists from protocol 2.14 (0x020e). */
	for (uint16_t v = 0x020c; v <= 0x0210; v++) {
		s.version = v;
		img = make_image(&s, &size);
		assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
		assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), 0);
		assert_int_equal(le64(zp + 0x70), v >= 0x020e ? 0xe0000 : 0);
		free(img);
		check_boot_params(&s, &in);
	}
}

static void test_boot_params_full_e820(void **state)
{
	struct img_spec s = default_spec();
	static struct e820_map m;
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .e820 = &m };
	(void)state;

	memset(&m, 0, sizeof(m));
	for (unsigned i = 0; i < 128; i++)
		assert_int_equal(e820_set(&m, i * 0x2000ULL, 0x1000, i % 4 + 1), 0);
	assert_int_equal(m.count, 128);
	check_boot_params(&s, &in);
}

static void test_boot_params_errors(void **state)
{
	struct img_spec s = default_spec();
	static struct e820_map m;
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .e820 = &m };
	struct bzimage bz;
	const char *why;
	size_t size;
	uint8_t *img = make_image(&s, &size), zp[4096];
	(void)state;

	m = sample_e820();
	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);

	in.cmdline_len = 2048;       /* cmdline_size is 2047 */
	why = NULL;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), -1);
	assert_non_null(why);
	in.cmdline_len = 100000;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), -1);
	in.cmdline_len = 10;

	in.cmdline_gpa = 0x100000000ULL;
	why = NULL;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), -1);
	assert_non_null(why);
	in.cmdline_gpa = 0x20000;

	/* The initrd must end at or below 4 GiB. */
	in.initrd_gpa = 0xfffff000;
	in.initrd_size = 0x1000;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), 0);
	in.initrd_size = 0x1001;
	why = NULL;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), -1);
	assert_non_null(why);
	in.initrd_gpa = 4 * GiB;
	in.initrd_size = 1;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), -1);
	in.initrd_gpa = 0;
	in.initrd_size = 0;

	m.count = 129;
	why = NULL;
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), -1);
	assert_non_null(why);
	free(img);
}

/* boot.rst: cmdline_size is "the maximum size of the command line without
 * the terminating zero. This means that the command line can contain at most
 * cmdline_size characters." x86 kernels set it to COMMAND_LINE_SIZE - 1 =
 * 2047, and vmras's CLI accepts --append of up to 2047 bytes. */
static void test_boot_params_cmdline_of_exactly_cmdline_size(void **state)
{
	struct img_spec s = default_spec();
	struct e820_map m = sample_e820();
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .cmdline_len = 2047, .e820 = &m };
	struct bzimage bz;
	const char *why = NULL;
	size_t size;
	uint8_t *img = make_image(&s, &size), zp[4096];
	(void)state;

	int rc;

	assert_int_equal(bzimage_parse(img, size, &bz, &why), 0);
	assert_int_equal(bz.cmdline_size, 2047);
	rc = bzimage_boot_params(&bz, &in, zp, &why);
	free(img);
	if (rc)
		fail_msg("a 2047-byte command line was refused by a kernel with cmdline_size 2047: %s", why);
	assert_int_equal(le32(zp + 0x228), 0x20000);
}

/* --- a real kernel, when the lab has downloaded one ---------------------- */

static void test_real_kernel(void **state)
{
	char pattern[512];
	const char *home = getenv("HOME");
	glob_t g;
	(void)state;

	snprintf(pattern, sizeof(pattern), "%s/.cache/vmras-lab/kernel/*/boot/vmlinuz-*", home ? home : "");
	if (!home || glob(pattern, 0, NULL, &g) || g.gl_pathc == 0) {
		skip();
		return;
	}
	FILE *f = fopen(g.gl_pathv[0], "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	assert_true(n > 0x10000);
	rewind(f);
	uint8_t *img = malloc((size_t)n);
	assert_non_null(img);
	assert_int_equal(fread(img, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	globfree(&g);

	struct bzimage bz;
	const char *why = NULL;
	size_t setup = ((size_t)(img[0x1f1] ? img[0x1f1] : 4) + 1) * 512;

	if (bzimage_parse(img, (size_t)n, &bz, &why))
		fail_msg("real kernel refused: %s", why);
	assert_int_equal(bz.version, le16(img + 0x206));
	assert_true(bz.version >= 0x020c);
	assert_int_equal(bz.setup_size, setup);
	assert_ptr_equal(bz.kernel, img + setup);
	assert_int_equal(bz.kernel_size, (size_t)n - setup);
	assert_int_equal(bz.header_end, 0x202 + img[0x201]);
	assert_int_equal(bz.initrd_addr_max, le32(img + 0x22c));
	assert_int_equal(bz.cmdline_size, le32(img + 0x238));
	assert_int_equal(bz.init_size, le32(img + 0x260));
	assert_true(bz.init_size >= bz.kernel_size);

	struct e820_map m = sample_e820();
	struct boot_params_in in = { .cmdline_gpa = 0x20000, .cmdline_len = 20, .rsdp_gpa = 0xe0000,
				     .e820 = &m };
	uint8_t zp[4096], want[4096];
	assert_int_equal(bzimage_boot_params(&bz, &in, zp, &why), 0);
	expected_zero_page(want, img, &in);
	assert_memory_equal(zp, want, sizeof(zp));
	free(img);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_setup_sects_zero_means_four),
		cmocka_unit_test(test_parse_header_end_from_jump),
		cmocka_unit_test(test_parse_versions),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_truncated),
		cmocka_unit_test(test_parse_init_size_at_least_kernel),
		cmocka_unit_test(test_place_initrd_below_ram_end),
		cmocka_unit_test(test_place_initrd_below_addr_max),
		cmocka_unit_test(test_place_initrd_above_kernel),
		cmocka_unit_test(test_boot_params_fields),
		cmocka_unit_test(test_boot_params_no_initrd),
		cmocka_unit_test(test_boot_params_header_copied_verbatim),
		cmocka_unit_test(test_boot_params_rsdp_by_version),
		cmocka_unit_test(test_boot_params_full_e820),
		cmocka_unit_test(test_boot_params_errors),
		cmocka_unit_test(test_boot_params_cmdline_of_exactly_cmdline_size),
		cmocka_unit_test(test_real_kernel),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
