/* CPUID shaping: vendor detection, lookup with and without significant
 * indices, and the per-vCPU topology and machine-check bits (Intel SDM vol. 2
 * CPUID; AMD APM vol. 3 appendix E). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "x86/cpuid.h"

static struct kvm_cpuid_entry2 vendor_leaf(const char *v12)
{
	struct kvm_cpuid_entry2 e = { .function = 0, .eax = 0x1f };
	/* The 12-byte string is EBX, EDX, ECX in that order. */
	memcpy(&e.ebx, v12, 4);
	memcpy(&e.edx, v12 + 4, 4);
	memcpy(&e.ecx, v12 + 8, 4);
	return e;
}

static void test_vendor(void **state)
{
	struct kvm_cpuid_entry2 e[3] = { { .function = 1 }, { .function = 0x80000000 } };
	(void)state;

	e[2] = vendor_leaf("GenuineIntel");
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_INTEL);
	e[2] = vendor_leaf("AuthenticAMD");
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_AMD);
	e[2] = vendor_leaf("HygonGenuine");       /* Zen-based: AMD's MCA */
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_AMD);
	e[2] = vendor_leaf("CentaurHauls");
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_OTHER);
	e[2] = vendor_leaf("  Shanghai  ");
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_OTHER);
	/* Register order matters: EBX, ECX, EDX would be "GenuntelineI". */
	e[2] = vendor_leaf("GenuntelineI");
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_OTHER);
	e[2] = vendor_leaf("GenuineIntem");
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_OTHER);
	/* No leaf 0, or an empty table. */
	assert_int_equal(x86_cpuid_vendor(e, 2), X86_VENDOR_OTHER);
	assert_int_equal(x86_cpuid_vendor(e, 0), X86_VENDOR_OTHER);
	/* Leaf 0 first in the table. */
	struct kvm_cpuid_entry2 f[2] = { vendor_leaf("AuthenticAMD"), { .function = 1 } };
	assert_int_equal(x86_cpuid_vendor(f, 2), X86_VENDOR_AMD);
	/* Only function 0 counts, even if another leaf spells a vendor. */
	struct kvm_cpuid_entry2 g[2] = { vendor_leaf("GenuineIntel"), vendor_leaf("AuthenticAMD") };
	g[0].function = 0x40000000;
	assert_int_equal(x86_cpuid_vendor(g, 2), X86_VENDOR_AMD);
}

static void test_find(void **state)
{
	struct kvm_cpuid_entry2 e[] = {
		{ .function = 0 },
		{ .function = 1, .index = 0 },
		{ .function = 4, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 40 },
		{ .function = 4, .index = 1, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 41 },
		{ .function = 4, .index = 2, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 42 },
		{ .function = 7, .index = 0, .flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 70 },
		{ .function = 0x80000008, .eax = 0x3030 },
	};
	const unsigned n = sizeof(e) / sizeof(e[0]);
	(void)state;

	assert_ptr_equal(x86_cpuid_find(e, n, 0, 0), &e[0]);
	assert_ptr_equal(x86_cpuid_find(e, n, 1, 0), &e[1]);
	/* No significant index: any index finds the leaf. */
	assert_ptr_equal(x86_cpuid_find(e, n, 1, 5), &e[1]);
	assert_ptr_equal(x86_cpuid_find(e, n, 0x80000008, 0xffffffff), &e[6]);
	/* Significant index: only the exact sub-leaf. */
	assert_ptr_equal(x86_cpuid_find(e, n, 4, 0), &e[2]);
	assert_ptr_equal(x86_cpuid_find(e, n, 4, 1), &e[3]);
	assert_ptr_equal(x86_cpuid_find(e, n, 4, 2), &e[4]);
	assert_null(x86_cpuid_find(e, n, 4, 3));
	assert_ptr_equal(x86_cpuid_find(e, n, 7, 0), &e[5]);
	assert_null(x86_cpuid_find(e, n, 7, 1));
	/* Absent leaves. */
	assert_null(x86_cpuid_find(e, n, 2, 0));
	assert_null(x86_cpuid_find(e, n, 0x80000001, 0));
	assert_null(x86_cpuid_find(e, 0, 0, 0));
	/* n limits the search. */
	assert_null(x86_cpuid_find(e, 6, 0x80000008, 0));
}

/* A table shaped like KVM_GET_SUPPORTED_CPUID's, with host topology in it. */
enum { L0, L1, L4, LB0, LB1, L1F0, L1F1, LX1, LX8, NLEAVES };

static void host_table(struct kvm_cpuid_entry2 *e)
{
	memset(e, 0, sizeof(*e) * NLEAVES);
	e[L0] = vendor_leaf("GenuineIntel");
	e[L1] = (struct kvm_cpuid_entry2){ .function = 1, .eax = 0x000906ea,
		/* APIC id 0x17, 16 logical, CLFLUSH 8 (x8 bytes), brand 0x42 */
		.ebx = 0x17100842,
		.ecx = 0x7ffafbbf,
		.edx = 0xbfebfbff & ~(CPUID_1_EDX_MCE | CPUID_1_EDX_MCA | CPUID_1_EDX_HTT) };
	e[L4] = (struct kvm_cpuid_entry2){ .function = 4, .index = 0,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 0x1c004121, .ebx = 0x01c0003f };
	e[LB0] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 0,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 0x17 };
	e[LB1] = (struct kvm_cpuid_entry2){ .function = 0xb, .index = 1,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 4, .ebx = 16, .ecx = 0x201, .edx = 0x17 };
	e[L1F0] = (struct kvm_cpuid_entry2){ .function = 0x1f, .index = 0,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 1, .ebx = 2, .ecx = 0x100, .edx = 0x17 };
	e[L1F1] = (struct kvm_cpuid_entry2){ .function = 0x1f, .index = 1,
		.flags = KVM_CPUID_FLAG_SIGNIFCANT_INDEX, .eax = 4, .ebx = 16, .ecx = 0x201, .edx = 0x17 };
	e[LX1] = (struct kvm_cpuid_entry2){ .function = 0x80000001, .ecx = 0x121, .edx = 0x2c100800 };
	e[LX8] = (struct kvm_cpuid_entry2){ .function = 0x80000008, .eax = 0x3027, .ecx = 0x0000700f };
}

static void test_vcpu_leaf1(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES];
	(void)state;

	host_table(e);
	x86_cpuid_for_vcpu(e, NLEAVES, 3, 4);
	/* EBX[31:24] initial APIC id, [23:16] logical processors; [15:0] kept. */
	assert_int_equal(e[L1].ebx, 0x03040842);
	assert_int_equal(e[L1].eax, 0x000906ea);
	/* MCE (bit 7) and MCA (bit 14): the RAS path needs both. */
	assert_true(e[L1].edx & (1u << 7));
	assert_true(e[L1].edx & (1u << 14));
	/* HTT (bit 28) with more than one logical processor. */
	assert_true(e[L1].edx & (1u << 28));
	/* Hypervisor present (ECX bit 31). */
	assert_true(e[L1].ecx & (1u << 31));
	/* Nothing else in EDX or ECX changes. */
	assert_int_equal(e[L1].edx, 0xbfebfbff | (1u << 28));
	assert_int_equal(e[L1].ecx, 0xfffafbbf);
}

static void test_vcpu_leaf1_single_cpu(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES];
	(void)state;

	host_table(e);
	e[L1].edx |= CPUID_1_EDX_HTT;          /* the host had it */
	x86_cpuid_for_vcpu(e, NLEAVES, 0, 1);
	assert_int_equal(e[L1].ebx, 0x00010842);
	assert_false(e[L1].edx & (1u << 28));
	assert_true(e[L1].edx & (1u << 7));
	assert_true(e[L1].edx & (1u << 14));
	assert_true(e[L1].ecx & (1u << 31));
}

static void test_vcpu_max_cpus(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES];
	(void)state;

	host_table(e);
	x86_cpuid_for_vcpu(e, NLEAVES, 254, 255);
	assert_int_equal(e[L1].ebx, 0xfeff0842);
	assert_int_equal(e[LB0].edx, 254);
	assert_int_equal(e[LX8].ecx & 0xff, 254);
	assert_true(e[L1].edx & (1u << 28));
}

static void test_vcpu_extended_topology(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES];
	(void)state;

	host_table(e);
	x86_cpuid_for_vcpu(e, NLEAVES, 5, 8);
	/* EDX of every sub-leaf of 0xb and 0x1f is the x2APIC id. */
	assert_int_equal(e[LB0].edx, 5);
	assert_int_equal(e[LB1].edx, 5);
	assert_int_equal(e[L1F0].edx, 5);
	assert_int_equal(e[L1F1].edx, 5);
	/* Other registers of those leaves are left as they were. */
	assert_int_equal(e[LB1].ecx, 0x201);
	assert_int_equal(e[LB0].eax, 1);
}

static void test_vcpu_amd_core_count(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES];
	(void)state;

	host_table(e);
	x86_cpuid_for_vcpu(e, NLEAVES, 2, 6);
	/* 0x80000008 ECX[7:0] = NC, cores minus one; the rest of ECX kept. */
	assert_int_equal(e[LX8].ecx, 0x00007005);
	assert_int_equal(e[LX8].eax, 0x3027);
	host_table(e);
	x86_cpuid_for_vcpu(e, NLEAVES, 0, 1);
	assert_int_equal(e[LX8].ecx, 0x00007000);
}

static void test_vcpu_untouched_leaves(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES], before[NLEAVES];
	(void)state;

	host_table(e);
	memcpy(before, e, sizeof(e));
	x86_cpuid_for_vcpu(e, NLEAVES, 1, 2);
	assert_memory_equal(&e[L0], &before[L0], sizeof(e[0]));
	assert_memory_equal(&e[L4], &before[L4], sizeof(e[0]));
	assert_memory_equal(&e[LX1], &before[LX1], sizeof(e[0]));
	/* Patching is per vCPU: a fresh copy for each, the same result twice. */
	struct kvm_cpuid_entry2 again[NLEAVES];
	memcpy(again, before, sizeof(again));
	x86_cpuid_for_vcpu(again, NLEAVES, 1, 2);
	x86_cpuid_for_vcpu(again, NLEAVES, 1, 2);
	assert_memory_equal(again, e, sizeof(e));
}

static void test_vcpu_ids_differ(void **state)
{
	struct kvm_cpuid_entry2 e[NLEAVES];
	(void)state;

	for (unsigned id = 0; id < 16; id++) {
		host_table(e);
		x86_cpuid_for_vcpu(e, NLEAVES, id, 16);
		assert_int_equal(e[L1].ebx >> 24, id);
		assert_int_equal(e[L1].ebx >> 16 & 0xff, 16);
		assert_int_equal(e[LB0].edx, id);
		assert_int_equal(e[L1F1].edx, id);
	}
}

static void test_set_vendor(void **state)
{
	struct kvm_cpuid_entry2 e[3] = {
		{ .function = 0, .eax = 0xd, .ebx = 0x68747541, .edx = 0x69746e65, .ecx = 0x444d4163 }, /* AuthenticAMD */
		{ .function = 1, .eax = 0x00800f12, .ebx = 0x11, .ecx = 0x22, .edx = 0x33 },
		{ .function = 7, .ebx = 0x44 },
	};
	(void)state;

	x86_cpuid_set_vendor(e, 3, X86_VENDOR_INTEL);
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_INTEL);
	/* "Genu" "ineI" "ntel" in EBX, EDX, ECX, little-endian. */
	assert_int_equal(e[0].ebx, 0x756e6547);
	assert_int_equal(e[0].edx, 0x49656e69);
	assert_int_equal(e[0].ecx, 0x6c65746e);
	assert_int_equal(e[0].eax, 0xd);
	/* Family 6, model 0x55 (ext. model 5, model 5), stepping 4; other registers kept. */
	assert_int_equal(e[1].eax, 0x00050654);
	assert_int_equal(e[1].ebx, 0x11);
	assert_int_equal(e[1].edx, 0x33);
	assert_int_equal(e[2].ebx, 0x44);
	x86_cpuid_set_vendor(e, 3, X86_VENDOR_AMD);
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_AMD);
	assert_int_equal(e[1].eax, 0x00800f12);
	x86_cpuid_set_vendor(e, 3, X86_VENDOR_OTHER);
	assert_int_equal(x86_cpuid_vendor(e, 3), X86_VENDOR_AMD);
	assert_string_equal(x86_vendor_name(X86_VENDOR_INTEL), "intel");
	assert_string_equal(x86_vendor_name(X86_VENDOR_AMD), "amd");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vendor),
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_vcpu_leaf1),
		cmocka_unit_test(test_vcpu_leaf1_single_cpu),
		cmocka_unit_test(test_vcpu_max_cpus),
		cmocka_unit_test(test_vcpu_extended_topology),
		cmocka_unit_test(test_vcpu_amd_core_count),
		cmocka_unit_test(test_vcpu_untouched_leaves),
		cmocka_unit_test(test_vcpu_ids_differ),
		cmocka_unit_test(test_set_vendor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
