/* x86_boot_load: everything placed in guest memory before the first
 * instruction, checked in a fake guest RAM backed by anonymous memory.
 * Addresses are those of x86/layout.h's comments and the Linux 64-bit boot
 * protocol, spelled as numbers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "vmm/guest_ram.h"
#include "x86/boot.h"
#include "x86/bzimage.h"
#include "x86/ram_layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }
static void w16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void w32(uint8_t *p, uint32_t v) { w16(p, (uint16_t)v); w16(p + 2, (uint16_t)(v >> 16)); }

struct vm {
	struct guest_ram ram;
	uint8_t *mem;           /* region 0 */
	size_t mem_size;
	uint8_t *image;
	size_t image_size;
	struct bzimage bz;
};

static uint8_t kbyte(size_t i) { return (uint8_t)(i * 13 + 5); }

static void make_kernel(struct vm *vm, size_t kernel_size, uint32_t init_size, uint32_t initrd_addr_max)
{
	const size_t setup = 4 * 512;    /* setup_sects = 3 */
	const char *why = NULL;

	vm->image_size = setup + kernel_size;
	vm->image = calloc(1, vm->image_size);
	assert_non_null(vm->image);
	vm->image[0x1f1] = 3;
	w16(vm->image + 0x1fe, 0xaa55);
	vm->image[0x200] = 0xeb;
	vm->image[0x201] = 0x6a;
	memcpy(vm->image + 0x202, "HdrS", 4);
	w16(vm->image + 0x206, 0x020f);
	vm->image[0x211] = 0x01;
	w32(vm->image + 0x22c, initrd_addr_max);
	w16(vm->image + 0x236, 0x0001);
	w32(vm->image + 0x238, 2047);
	w32(vm->image + 0x260, init_size);
	for (size_t i = 0; i < kernel_size; i++)
		vm->image[setup + i] = kbyte(i);
	if (bzimage_parse(vm->image, vm->image_size, &vm->bz, &why))
		fail_msg("synthetic kernel refused: %s", why);
}

/* Guest RAM of size bytes; only the part below the hole is backed. */
static void make_ram(struct vm *vm, uint64_t size)
{
	assert_int_equal(x86_ram_layout(&vm->ram, size), 0);
	vm->mem_size = vm->ram.region[0].size;
	vm->mem = mmap(NULL, vm->mem_size, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_true(vm->mem != MAP_FAILED);
	vm->ram.region[0].hva = vm->mem;
}

static void vm_free(struct vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	free(vm->image);
	memset(vm, 0, sizeof(*vm));
}

static int load(struct vm *vm, const uint8_t *initrd, size_t initrd_size, const char *cmdline,
		unsigned ncpus, struct x86_boot_out *out, char *why, size_t whylen)
{
	struct x86_boot_in in = { .kernel = &vm->bz, .initrd = initrd, .initrd_size = initrd_size,
				  .cmdline = cmdline, .ncpus = ncpus };
	memset(out, 0xee, sizeof(*out));
	memset(why, 0, whylen);
	return x86_boot_load(&vm->ram, &in, out, why, whylen);
}

static void expect_load_ok(struct vm *vm, const uint8_t *initrd, size_t initrd_size, const char *cmdline,
			   unsigned ncpus, struct x86_boot_out *out)
{
	char why[256];
	if (load(vm, initrd, initrd_size, cmdline, ncpus, out, why, sizeof(why)))
		fail_msg("x86_boot_load: %s", why);
}

static void expect_load_error(struct vm *vm, const uint8_t *initrd, size_t initrd_size, const char *cmdline)
{
	struct x86_boot_out out;
	char why[256];

	assert_int_equal(load(vm, initrd, initrd_size, cmdline, 1, &out, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	assert_null(strchr(why, '\n'));
}

/* Walks the guest's 4-level page tables from CR3 = 0x9000. */
static bool translate(const uint8_t *mem, uint64_t va, uint64_t *pa)
{
	uint64_t pml4e = le64(mem + 0x9000 + 8 * ((va >> 39) & 511));
	if (!(pml4e & 1) || (pml4e & 0x80))
		return false;
	uint64_t pdpte = le64(mem + (pml4e & 0x000ffffffffff000ULL) + 8 * ((va >> 30) & 511));
	if (!(pdpte & 1) || (pdpte & 0x80))
		return false;
	uint64_t pde = le64(mem + (pdpte & 0x000ffffffffff000ULL) + 8 * ((va >> 21) & 511));
	if (!(pde & 1) || !(pde & 0x80))
		return false;
	*pa = (pde & 0x000fffffffe00000ULL) | (va & 0x1fffff);
	return true;
}

static void check_page_tables(const uint8_t *mem)
{
	/* PML4 at 0x9000: one entry, to the PDPT at 0xa000, present and writable. */
	assert_int_equal(le64(mem + 0x9000), 0xa000 | 0x3);
	for (unsigned i = 1; i < 512; i++)
		assert_int_equal(le64(mem + 0x9000 + 8 * i), 0);
	/* PDPT: four entries, to the page directories at 0xb000-0xe000. */
	for (unsigned g = 0; g < 4; g++)
		assert_int_equal(le64(mem + 0xa000 + 8 * g), (0xb000 + 0x1000 * g) | 0x3);
	for (unsigned i = 4; i < 512; i++)
		assert_int_equal(le64(mem + 0xa000 + 8 * i), 0);
	/* 2048 identity-mapped 2 MiB pages: present, writable, PS. */
	for (unsigned n = 0; n < 2048; n++)
		assert_int_equal(le64(mem + 0xb000 + 8 * n), ((uint64_t)n << 21) | 0x83);
	/* And the walk itself. */
	const uint64_t vas[] = { 0, 0x1000, 0x100200, 0x7000, 0x1fffff, 0x200000, 0x3fffffff,
				 0x40000000, 0xbfffffff, 0xfee00000, 0xffffffff };
	for (size_t i = 0; i < sizeof(vas) / sizeof(vas[0]); i++) {
		uint64_t pa = ~0ULL;
		assert_true(translate(mem, vas[i], &pa));
		assert_int_equal(pa, vas[i]);
	}
	uint64_t pa;
	assert_false(translate(mem, 0x100000000ULL, &pa));
}

static void check_gdt(const uint8_t *mem)
{
	uint64_t code = le64(mem + 0x500 + 0x10), data = le64(mem + 0x500 + 0x18);

	assert_int_equal(le64(mem + 0x500), 0);
	/* __BOOT_CS: present, DPL 0, code, L = 1, D = 0. */
	assert_true(code >> 47 & 1);
	assert_int_equal(code >> 45 & 3, 0);
	assert_true(code >> 44 & 1);
	assert_true(code >> 43 & 1);
	assert_true(code >> 53 & 1);
	assert_false(code >> 54 & 1);
	/* __BOOT_DS: present, DPL 0, data, writable, flat 4 GiB. */
	assert_true(data >> 47 & 1);
	assert_int_equal(data >> 45 & 3, 0);
	assert_true(data >> 44 & 1);
	assert_false(data >> 43 & 1);
	assert_true(data >> 41 & 1);
	assert_true(data >> 55 & 1);    /* G */
	assert_int_equal((data & 0xffff) | (data >> 32 & 0xf0000), 0xfffff);
	assert_int_equal((data >> 16 & 0xffffff) | (data >> 32 & 0xff000000), 0);
}

static void check_rsdp(const uint8_t *mem, uint64_t gpa)
{
	const uint8_t *p = mem + gpa;
	uint8_t sum = 0;

	assert_memory_equal(p, "RSD PTR ", 8);
	for (int i = 0; i < 20; i++)
		sum = (uint8_t)(sum + p[i]);
	assert_int_equal(sum, 0);
	assert_int_equal(p[15], 2);              /* ACPI 2.0+ RSDP */
	assert_int_equal(le32(p + 20), 36);
	for (int i = 20; i < 36; i++)
		sum = (uint8_t)(sum + p[i]);
	assert_int_equal(sum, 0);
	uint64_t xsdt = le64(p + 24);
	assert_true(xsdt >= 0xe0000 && xsdt < 0x100000);
	assert_memory_equal(mem + xsdt, "XSDT", 4);
}

static void check_e820(const uint8_t *zp, const uint64_t (*want)[3], unsigned n)
{
	assert_int_equal(zp[0x1e8], n);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = zp + 0x2d0 + 20 * i;
		assert_int_equal(le64(e), want[i][0]);
		assert_int_equal(le64(e + 8), want[i][1] - want[i][0]);
		assert_int_equal(le32(e + 16), want[i][2]);
	}
}

static void test_load_512m_with_initrd(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	const char *cmdline = "console=ttyS0 panic=-1 root=/dev/vda";
	const size_t initrd_size = 3 * MiB + 123;
	uint8_t *initrd = malloc(initrd_size);
	(void)state;

	assert_non_null(initrd);
	for (size_t i = 0; i < initrd_size; i++)
		initrd[i] = (uint8_t)(i * 31 + 1);
	make_kernel(&vm, 300 * 1024, 24 * MiB, 0x7fffffff);
	make_ram(&vm, 512 * MiB);
	expect_load_ok(&vm, initrd, initrd_size, cmdline, 2, &out);

	assert_int_equal(out.entry, 0x100200);
	assert_int_equal(out.boot_params, 0x7000);
	assert_int_equal(out.rsdp_gpa, 0xe0000);
	/* Highest page below 512 MiB that holds it. */
	assert_int_equal(out.initrd_gpa, (512 * MiB - initrd_size) & ~0xfffULL);

	/* Kernel at 1 MiB, byte for byte. */
	assert_memory_equal(vm.mem + 0x100000, vm.image + 2048, 300 * 1024);
	assert_int_equal(vm.mem[0x100000 + 300 * 1024], 0);
	/* Command line at 0x20000, NUL-terminated. */
	assert_string_equal((const char *)vm.mem + 0x20000, cmdline);
	/* initrd. */
	assert_memory_equal(vm.mem + out.initrd_gpa, initrd, initrd_size);
	/* ACPI. */
	check_rsdp(vm.mem, 0xe0000);
	check_gdt(vm.mem);
	check_page_tables(vm.mem);

	/* boot_params at 0x7000. */
	const uint8_t *zp = vm.mem + 0x7000;
	assert_int_equal(zp[0x210], 0xff);
	assert_int_equal(zp[0x211], 0x81);
	assert_int_equal(le16(zp + 0x1fa), 0xffff);
	assert_int_equal(le16(zp + 0x224), 0xfe00);
	assert_int_equal(le32(zp + 0x228), 0x20000);
	assert_int_equal(le32(zp + 0x218), out.initrd_gpa);
	assert_int_equal(le32(zp + 0x21c), initrd_size);
	assert_int_equal(le64(zp + 0x70), 0xe0000);
	assert_memory_equal(zp + 0x202, "HdrS", 4);
	assert_int_equal(le32(zp + 0x260), 24 * MiB);
	const uint64_t want[][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0xa0000, 2 }, { 0xe0000, 0x100000, 2 },
		{ 0x100000, 512 * MiB, 1 },
	};
	check_e820(zp, want, 4);

	vm_free(&vm);
	free(initrd);
}

static void test_load_without_initrd(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	(void)state;

	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 16 * MiB);
	expect_load_ok(&vm, NULL, 0, "", 1, &out);
	assert_int_equal(out.entry, 0x100200);
	assert_int_equal(out.boot_params, 0x7000);
	assert_int_equal(out.initrd_gpa, 0);
	assert_int_equal(vm.mem[0x20000], 0);
	const uint8_t *zp = vm.mem + 0x7000;
	assert_int_equal(le32(zp + 0x218), 0);
	assert_int_equal(le32(zp + 0x21c), 0);
	assert_int_equal(le32(zp + 0x228), 0x20000);
	const uint64_t want[][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0xa0000, 2 }, { 0xe0000, 0x100000, 2 },
		{ 0x100000, 16 * MiB, 1 },
	};
	check_e820(zp, want, 4);
	check_rsdp(vm.mem, out.rsdp_gpa);
	check_page_tables(vm.mem);
	vm_free(&vm);
}

static void test_load_above_4g(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	const size_t initrd_size = 8192;
	uint8_t initrd[8192];
	(void)state;

	memset(initrd, 0x5a, sizeof(initrd));
	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 6 * GiB);          /* 3 GiB low (lazily backed), 3 GiB high (not backed) */
	expect_load_ok(&vm, initrd, initrd_size, "quiet", 4, &out);
	/* Below the kernel's 2 GiB initrd limit, not at the top of low RAM. */
	assert_int_equal(out.initrd_gpa, 2 * GiB - 8192);
	assert_memory_equal(vm.mem + out.initrd_gpa, initrd, initrd_size);
	const uint64_t want[][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0xa0000, 2 }, { 0xe0000, 0x100000, 2 },
		{ 0x100000, 3 * GiB, 1 }, { 4 * GiB, 7 * GiB, 1 },
	};
	check_e820(vm.mem + 0x7000, want, 5);
	vm_free(&vm);
}

static void test_load_initrd_limit_4g(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	uint8_t initrd[4096] = { 1 };
	(void)state;

	make_kernel(&vm, 64 * 1024, 8 * MiB, 0xffffffff);
	make_ram(&vm, 4 * GiB);
	expect_load_ok(&vm, initrd, sizeof(initrd), "", 1, &out);
	/* Low RAM ends at the 3 GiB hole: that is the bound now. */
	assert_int_equal(out.initrd_gpa, 3 * GiB - 4096);
	assert_int_equal(vm.mem[3 * GiB - 4096], 1);
	vm_free(&vm);
}

static void test_load_kernel_needs_more_memory(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	char why[256];
	(void)state;

	/* init_size reaching exactly the end of RAM is fine... */
	make_kernel(&vm, 64 * 1024, 15 * MiB, 0x7fffffff);
	make_ram(&vm, 16 * MiB);
	expect_load_ok(&vm, NULL, 0, "", 1, &out);
	vm_free(&vm);
	/* ...one page more is not. */
	make_kernel(&vm, 64 * 1024, 15 * MiB + 4096, 0x7fffffff);
	make_ram(&vm, 16 * MiB);
	expect_load_error(&vm, NULL, 0, "");
	vm_free(&vm);
	make_kernel(&vm, 64 * 1024, 64 * MiB, 0x7fffffff);
	make_ram(&vm, 16 * MiB);
	assert_int_equal(load(&vm, NULL, 0, "", 1, &out, why, sizeof(why)), -1);
	assert_true(strlen(why) > 0);
	vm_free(&vm);
}

static void test_load_initrd_too_big(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	const size_t room = 32 * MiB - (1 * MiB + 8 * MiB);    /* between the kernel's footprint and the top */
	uint8_t *initrd = calloc(1, room + 4096);
	(void)state;

	assert_non_null(initrd);
	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 32 * MiB);
	expect_load_ok(&vm, initrd, room, "", 1, &out);
	assert_int_equal(out.initrd_gpa, 9 * MiB);
	expect_load_error(&vm, initrd, room + 1, "");
	expect_load_error(&vm, initrd, room + 4096, "");
	vm_free(&vm);
	free(initrd);
}

static void test_load_cmdline_limits(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	char *cmdline = malloc(2049);
	(void)state;

	assert_non_null(cmdline);
	memset(cmdline, 'x', 2048);
	cmdline[2048] = 0;
	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 32 * MiB);
	expect_load_error(&vm, NULL, 0, cmdline);    /* 2048 bytes */
	cmdline[2046] = 0;
	expect_load_ok(&vm, NULL, 0, cmdline, 1, &out);     /* 2046 bytes */
	assert_int_equal(strlen((const char *)vm.mem + 0x20000), 2046);
	free(cmdline);
	vm_free(&vm);
}

/* The CLI takes --append of up to 2047 bytes and x86 kernels declare
 * cmdline_size 2047 ("at most cmdline_size characters", boot.rst), so a
 * 2047-byte command line must boot. */
static void test_load_cmdline_of_2047_bytes(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	char cmdline[2048], why[256];
	int rc;
	(void)state;

	memset(cmdline, 'y', 2047);
	cmdline[2047] = 0;
	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 32 * MiB);
	rc = load(&vm, NULL, 0, cmdline, 1, &out, why, sizeof(why));
	if (!rc)
		assert_int_equal(strlen((const char *)vm.mem + 0x20000), 2047);
	vm_free(&vm);
	if (rc)
		fail_msg("a 2047-byte command line was refused: %s", why);
}

static void test_load_does_not_touch_ebda_and_vga(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	(void)state;

	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 16 * MiB);
	memset(vm.mem + 0x9fc00, 0x77, 0xe0000 - 0x9fc00);
	expect_load_ok(&vm, NULL, 0, "a", 8, &out);
	for (size_t a = 0x9fc00; a < 0xe0000; a++)
		if (vm.mem[a] != 0x77)
			fail_msg("byte %#zx written", a);
	/* The bytes below the GDT, the real-mode IVT and BDA, are left alone too. */
	for (size_t a = 0; a < 0x500; a++)
		assert_int_equal(vm.mem[a], 0);
	vm_free(&vm);
}

/* The table in the XSDT with signature sig, or NULL. */
static const uint8_t *xsdt_table(const uint8_t *mem, const char *sig)
{
	const uint8_t *xsdt = mem + le64(mem + 0xe0000 + 24);
	uint32_t len = le32(xsdt + 4);

	for (uint32_t off = 36; off + 8 <= len; off += 8) {
		const uint8_t *t = mem + le64(xsdt + off);
		if (!memcmp(t, sig, 4))
			return t;
	}
	return NULL;
}

/* Errors of a previous boot: the region lands at 0xf4000, the BERT points
 * at it, its pages are ACPI NVS in the e820 map; pages to avoid are
 * reserved. Without them, nothing of it. */
static void test_load_boot_errors(void **state)
{
	struct vm vm = { 0 };
	struct x86_boot_out out;
	uint8_t region[5000];
	/* 0x901234: the rest of the next page; 0x200000 bytes: a hugepage. */
	const struct gpa_range avoid[] = { { 0x900000, 0x1000 }, { 0x901234, 1 }, { 0xc00000, 0x200000 } };
	char why[256];
	(void)state;

	for (size_t i = 0; i < sizeof(region); i++)
		region[i] = (uint8_t)(i * 7 + 3);
	make_kernel(&vm, 64 * 1024, 8 * MiB, 0x7fffffff);
	make_ram(&vm, 16 * MiB);
	struct x86_boot_in in = { .kernel = &vm.bz, .cmdline = "", .ncpus = 1,
				  .boot_errors = region, .boot_errors_len = sizeof(region),
				  .avoid = avoid, .navoid = 3 };
	if (x86_boot_load(&vm.ram, &in, &out, why, sizeof(why)))
		fail_msg("x86_boot_load: %s", why);
	assert_memory_equal(vm.mem + 0xf4000, region, sizeof(region));
	const uint8_t *bert = xsdt_table(vm.mem, "BERT");
	assert_non_null(bert);
	assert_int_equal(le32(bert + 4), 48);
	assert_int_equal(le32(bert + 36), sizeof(region));
	assert_int_equal(le64(bert + 40), 0xf4000);
	/* Two pages of NVS for 5000 bytes; the avoided pages (0x901234 is in
	 * the page after 0x900000, merged with it) and the hugepage reserved. */
	const uint64_t want[][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0xa0000, 2 }, { 0xe0000, 0xf4000, 2 }, { 0xf4000, 0xf6000, 4 },
		{ 0xf6000, 0x100000, 2 }, { 0x100000, 0x900000, 1 }, { 0x900000, 0x902000, 2 },
		{ 0x902000, 0xc00000, 1 }, { 0xc00000, 0xe00000, 2 }, { 0xe00000, 16 * MiB, 1 },
	};
	check_e820(vm.mem + 0x7000, want, 10);

	/* Too big for its place: refused, in one line. */
	static uint8_t big[0x8001];
	in.boot_errors = big;
	in.boot_errors_len = sizeof(big);
	memset(why, 0, sizeof(why));
	assert_int_equal(x86_boot_load(&vm.ram, &in, &out, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "boot error region"));

	/* None: no BERT, the map as always. */
	memset(vm.mem, 0, vm.mem_size);
	expect_load_ok(&vm, NULL, 0, "", 1, &out);
	assert_null(xsdt_table(vm.mem, "BERT"));
	assert_non_null(xsdt_table(vm.mem, "FACP"));
	const uint64_t plain[][3] = {
		{ 0, 0x9fc00, 1 }, { 0x9fc00, 0xa0000, 2 }, { 0xe0000, 0x100000, 2 },
		{ 0x100000, 16 * MiB, 1 },
	};
	check_e820(vm.mem + 0x7000, plain, 4);
	vm_free(&vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_512m_with_initrd),
		cmocka_unit_test(test_load_without_initrd),
		cmocka_unit_test(test_load_boot_errors),
		cmocka_unit_test(test_load_above_4g),
		cmocka_unit_test(test_load_initrd_limit_4g),
		cmocka_unit_test(test_load_kernel_needs_more_memory),
		cmocka_unit_test(test_load_initrd_too_big),
		cmocka_unit_test(test_load_cmdline_limits),
		cmocka_unit_test(test_load_cmdline_of_2047_bytes),
		cmocka_unit_test(test_load_does_not_touch_ebda_and_vga),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
