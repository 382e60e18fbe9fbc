/* CPU state for the 64-bit Linux entry point: segment, control and EFER
 * registers (Intel SDM vol. 3, 9.8.5 "Initializing IA-32e mode") and the
 * general registers of the 64-bit boot protocol (boot.rst). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/guest_ram.h"
#include "x86/longmode.h"
#include "x86/ram_layout.h"

#define CR0_PE (1ULL << 0)
#define CR0_NW (1ULL << 29)
#define CR0_CD (1ULL << 30)
#define CR0_PG (1ULL << 31)
#define CR4_PAE (1ULL << 5)
#define CR4_PCIDE (1ULL << 17)
#define CR4_LA57 (1ULL << 12)
#define EFER_LME (1ULL << 8)
#define EFER_LMA (1ULL << 10)

static void test_sregs(void **state)
{
	struct kvm_sregs s;
	(void)state;

	memset(&s, 0, sizeof(s));
	s.apic_base = 0xfee00900;          /* KVM's value: must survive */
	x86_long_mode_sregs(&s);

	/* __BOOT_CS = 0x10: 64-bit code, L = 1, D = 0, DPL 0, present, execute/read. */
	assert_int_equal(s.cs.selector, 0x10);
	assert_int_equal(s.cs.l, 1);
	assert_int_equal(s.cs.db, 0);
	assert_int_equal(s.cs.present, 1);
	assert_int_equal(s.cs.dpl, 0);
	assert_int_equal(s.cs.s, 1);
	assert_true(s.cs.type & 0x8);      /* code */
	assert_true(s.cs.type & 0x2);      /* readable */
	assert_int_equal(s.cs.base, 0);
	assert_int_equal(s.cs.unusable, 0);

	/* __BOOT_DS = 0x18 in every data segment register: flat read/write data. */
	const struct kvm_segment *data[] = { &s.ds, &s.es, &s.fs, &s.gs, &s.ss };
	for (size_t i = 0; i < 5; i++) {
		const struct kvm_segment *d = data[i];
		assert_int_equal(d->selector, 0x18);
		assert_int_equal(d->base, 0);
		assert_int_equal(d->limit, 0xffffffff);
		assert_int_equal(d->present, 1);
		assert_int_equal(d->dpl, 0);
		assert_int_equal(d->s, 1);
		assert_false(d->type & 0x8);   /* data */
		assert_true(d->type & 0x2);    /* writable */
		assert_int_equal(d->db, 1);
		assert_int_equal(d->g, 1);
		assert_int_equal(d->l, 0);
		assert_int_equal(d->unusable, 0);
	}

	/* A usable TR is required by VMX: a busy 32-bit TSS. */
	assert_int_equal(s.tr.present, 1);
	assert_int_equal(s.tr.type, 0xb);
	assert_int_equal(s.tr.s, 0);
	assert_int_equal(s.tr.unusable, 0);
	assert_int_equal(s.tr.selector, 0x20);

	/* GDT at 0x500 with at least null, null, CS, DS and the TSS. */
	assert_int_equal(s.gdt.base, 0x500);
	assert_true(s.gdt.limit >= 0x27);
	assert_true((s.gdt.limit + 1) % 8 == 0);

	assert_true((s.cr0 & (CR0_PE | CR0_PG)) == (CR0_PE | CR0_PG));
	assert_int_equal(s.cr0 & (CR0_CD | CR0_NW), 0);   /* caches on */
	assert_true(s.cr4 & CR4_PAE);
	assert_int_equal(s.cr4 & (CR4_LA57 | CR4_PCIDE), 0);   /* 4-level tables, plain CR3 */
	assert_true((s.efer & (EFER_LME | EFER_LMA)) == (EFER_LME | EFER_LMA));
	assert_int_equal(s.cr3, 0x9000);
	assert_int_equal(s.apic_base, 0xfee00900);
}

static void test_regs(void **state)
{
	struct kvm_regs r;
	(void)state;

	memset(&r, 0xff, sizeof(r));
	x86_boot_regs(&r, 0x100200, 0x7000);
	assert_int_equal(r.rip, 0x100200);
	assert_int_equal(r.rsi, 0x7000);       /* struct boot_params */
	assert_int_equal(r.rflags, 0x2);       /* reserved bit 1 only: IF clear */
	assert_int_equal(r.rax, 0);
	assert_int_equal(r.rdi, 0);
	assert_int_equal(r.rdx, 0);
	/* A stack inside low RAM, not on top of the page tables at 0x9000+. */
	assert_true(r.rsp > 0x8000 && r.rsp <= 0x9000);
	assert_int_equal(r.rsp % 16, 0);

	x86_boot_regs(&r, 0x200200, 0x12000);
	assert_int_equal(r.rip, 0x200200);
	assert_int_equal(r.rsi, 0x12000);
}

static void test_boot_tables(void **state)
{
	struct guest_ram ram;
	uint8_t *mem = calloc(1, 1 << 20);
	(void)state;

	assert_non_null(mem);
	assert_int_equal(x86_ram_layout(&ram, 1 << 20), 0);
	ram.region[0].hva = mem;
	assert_int_equal(x86_write_boot_tables(&ram), 0);

	uint64_t e;
	memcpy(&e, mem + 0x9000, 8);
	assert_int_equal(e, 0xa003);
	for (unsigned g = 0; g < 4; g++) {
		memcpy(&e, mem + 0xa000 + 8 * g, 8);
		assert_int_equal(e, 0xb003 + 0x1000 * g);
	}
	memcpy(&e, mem + 0xa000 + 8 * 4, 8);
	assert_int_equal(e, 0);
	for (unsigned n = 0; n < 2048; n++) {
		memcpy(&e, mem + 0xb000 + 8 * n, 8);
		assert_int_equal(e, ((uint64_t)n << 21) | 0x83);
	}
	memcpy(&e, mem + 0xf000, 8);
	assert_int_equal(e, 0);                /* nothing after the fourth directory */
	/* GDT: the 64-bit code descriptor at 0x510 and flat data at 0x518. */
	memcpy(&e, mem + 0x510, 8);
	assert_int_equal(e, 0x00af9b000000ffffULL);
	memcpy(&e, mem + 0x518, 8);
	assert_int_equal(e, 0x00cf93000000ffffULL);
	memcpy(&e, mem + 0x500, 8);
	assert_int_equal(e, 0);
	free(mem);
}

static void test_boot_tables_need_ram(void **state)
{
	struct guest_ram ram;
	uint8_t *mem = calloc(1, 0xc000);
	(void)state;

	/* Not backed at all. */
	assert_int_equal(x86_ram_layout(&ram, 1 << 20), 0);
	errno = 0;
	assert_int_equal(x86_write_boot_tables(&ram), -1);
	assert_int_equal(errno, EFAULT);
	/* Backed, but too small for the page directories. */
	assert_non_null(mem);
	ram.region[0].size = 0xc000;
	ram.region[0].hva = mem;
	errno = 0;
	assert_int_equal(x86_write_boot_tables(&ram), -1);
	assert_int_equal(errno, EFAULT);
	free(mem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sregs),
		cmocka_unit_test(test_regs),
		cmocka_unit_test(test_boot_tables),
		cmocka_unit_test(test_boot_tables_need_ram),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
