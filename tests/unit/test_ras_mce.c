/* x86 machine checks for memory failures: the exact encodings (constants
 * worked out by hand from the bit list in the SDM/APM), KVM_X86_SET_MCE's
 * behaviour, and the decision table over every combination of its inputs,
 * checked against an independent statement of the table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "x86/mca_cpuid.h"
#include "x86/mce.h"
#include "x86/mce_kvm.h"

/* Intel AR:  VAL(63) UC(61) EN(60) | MISCV(59) ADDRV(58) S(56) | AR(55) | 0x134
 *   bits 63-60: 8+2+1 = 0xB; 59-56: 8+4+1 = 0xD; 55-52: 8 -> 0xBD80000000000134 */
#define INTEL_AR 0xBD80000000000134ULL
/* Intel AO: the same without AR, MCACOD 0xC0 -> 0xBD000000000000C0 (QEMU 7.2's value) */
#define INTEL_AO 0xBD000000000000C0ULL
/* AMD AR: VAL UC EN | MISCV ADDRV | POISON(43)
 *   63-60: 0xB; 59-56: 0xC; 47-44: 0; 43-40: 8 -> 0xBC00080000000000 */
#define AMD_AR 0xBC00080000000000ULL
/* AMD AO: VAL EN (no UC) | MISCV ADDRV | DEFERRED(44) | POISON(43)
 *   63-60: 8+1 = 0x9; 59-56: 0xC; 47-44: 1; 43-40: 8 -> 0x9C00180000000000 */
#define AMD_AO 0x9C00180000000000ULL
#define OVER 0x4000000000000000ULL
/* MCG_STATUS: RIPV(0)=1 EIPV(1)=2 MCIP(2)=4 LMCE(3)=8 */
#define MCG_AR 0x7ULL
#define MCG_AO 0x5ULL
#define MCG_LMCE 0x8ULL
/* MCi_MISC: address mode physical (2) in bits 8:6, LSB 12 -> 0x80 | 0xc */
#define MISC_4K 0x8cULL
/* Broadcast to the other CPUs: VAL|UC = 0xA000000000000000, MCIP|RIPV = 5 */
#define BCAST_STATUS 0xA000000000000000ULL

#define CAP (10 | MCG_CTL_P | MCG_SER_P)
#define ONES (~0ULL)

static struct mce_vcpu_state healthy(void)
{
	struct mce_vcpu_state s = { .cr4_mce = true, .mcg_ctl = ONES };
	for (int i = 0; i < MCE_BANKS_MAX; i++)
		s.bank[i].ctl = ONES;
	return s;
}

static struct memory_failure guest_failure(bool ar, int vcpu)
{
	return (struct memory_failure){ .recipient = MF_RECIPIENT_GUEST, .action_required = ar,
					.gpa = 0x12345678, .hva = 0x7f0012345678, .lsb = 12,
					.vcpu = vcpu, .region = "ram-below-4g" };
}

/* ---- encodings ---- */

static void test_bits(void **state)
{
	(void)state;
	/* The same constants, from the named bits. */
	assert_int_equal(mce_memory_status(X86_VENDOR_INTEL, true),
			 MCE_STATUS_VAL | MCE_STATUS_UC | MCE_STATUS_EN | MCE_STATUS_MISCV |
			 MCE_STATUS_ADDRV | MCE_STATUS_S | MCE_STATUS_AR | 0x134);
	assert_int_equal(INTEL_AR, (1ULL << 63 | 1ULL << 61 | 1ULL << 60 | 1ULL << 59 | 1ULL << 58 |
				    1ULL << 56 | 1ULL << 55 | 0x134));
	assert_int_equal(AMD_AO, (1ULL << 63 | 1ULL << 60 | 1ULL << 59 | 1ULL << 58 | 1ULL << 44 |
				  1ULL << 43));
	assert_int_equal(OVER, MCE_STATUS_OVER);
	assert_int_equal(MSR_IA32_MCi_CTL(9), 0x424);
	assert_int_equal(MSR_IA32_MCi_STATUS(9), 0x425);
	assert_int_equal(MSR_IA32_MCi_ADDR(9), 0x426);
	assert_int_equal(MSR_IA32_MCi_MISC(9), 0x427);
	assert_int_equal(MSR_IA32_MCi_STATUS(1), 0x405);
}

static void test_status(void **state)
{
	(void)state;
	assert_int_equal(mce_memory_status(X86_VENDOR_INTEL, true), INTEL_AR);
	assert_int_equal(mce_memory_status(X86_VENDOR_INTEL, false), INTEL_AO);
	assert_int_equal(mce_memory_status(X86_VENDOR_OTHER, true), INTEL_AR);
	assert_int_equal(mce_memory_status(X86_VENDOR_OTHER, false), INTEL_AO);
	assert_int_equal(mce_memory_status(X86_VENDOR_AMD, true), AMD_AR);
	assert_int_equal(mce_memory_status(X86_VENDOR_AMD, false), AMD_AO);
	for (int v = X86_VENDOR_OTHER; v <= X86_VENDOR_AMD; v++) {
		assert_int_equal(mce_memory_mcg_status(v, true), MCG_AR);
		assert_int_equal(mce_memory_mcg_status(v, false), MCG_AO);
	}
}

static void test_misc_and_addr(void **state)
{
	(void)state;
	assert_int_equal(mce_misc(12), MISC_4K);
	/* Huge pages are reported to the guest as the 4 KiB page that failed. */
	assert_int_equal(mce_misc(21), MISC_4K);
	assert_int_equal(mce_misc(30), MISC_4K);
	assert_int_equal(mce_misc(63), MISC_4K);
	assert_int_equal(mce_misc(6), 0x86);      /* a cache line stays a cache line */
	assert_int_equal(mce_addr(0x12345678, 12), 0x12345000);
	assert_int_equal(mce_addr(0x12345678, 21), 0x12345000);
	assert_int_equal(mce_addr(0x12345678, 6), 0x12345640);
	assert_int_equal(mce_addr(0xfffffffffffff123ULL, 12), 0xfffffffffffff000ULL);
}

static void test_outcome_names(void **state)
{
	(void)state;
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_RAISED), "raised");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_LOGGED), "logged");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_OVERFLOWED), "overflowed");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_DROPPED_GLOBAL), "dropped-global");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_DROPPED_BANK), "dropped-bank");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_NO_MCE), "no-mce");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_IN_PROGRESS), "in-progress");
	assert_string_equal(mce_outcome_name(MCE_OUTCOME_INVALID), "invalid");
	assert_null(mce_outcome_name((enum mce_outcome)99));
	assert_null(mce_outcome_name((enum mce_outcome)-1));
}

static void test_record_to_kvm(void **state)
{
	struct mce_record r = { .bank = 9, .status = INTEL_AR, .mcg_status = MCG_AR,
				.addr = 0x12345000, .misc = MISC_4K };
	struct kvm_x86_mce k;
	(void)state;

	memset(&k, 0xa5, sizeof(k));
	mce_record_to_kvm(&r, &k);
	assert_int_equal(k.bank, 9);
	assert_int_equal(k.status, INTEL_AR);
	assert_int_equal(k.mcg_status, MCG_AR);
	assert_int_equal(k.addr, 0x12345000);
	assert_int_equal(k.misc, MISC_4K);
	for (unsigned i = 0; i < sizeof(k.pad1); i++)
		assert_int_equal(k.pad1[i], 0);
	for (unsigned i = 0; i < sizeof(k.pad2) / sizeof(k.pad2[0]); i++)
		assert_int_equal(k.pad2[i], 0);
}

/* ---- KVM_X86_SET_MCE model ---- */

static void test_kvm_outcome(void **state)
{
	struct mce_vcpu_state s = healthy();
	struct mce_record uc = { .bank = 9, .status = INTEL_AR, .mcg_status = MCG_AR };
	struct mce_record de = { .bank = 9, .status = AMD_AO, .mcg_status = MCG_AO };
	uint64_t bank;
	(void)state;

	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, &bank), MCE_OUTCOME_RAISED);
	assert_int_equal(bank, INTEL_AR);
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_RAISED);

	/* Bank number checked against MCG_CAP's count; VAL required. */
	assert_int_equal(mce_kvm_outcome(9 | MCG_SER_P, &s, &uc, &bank), MCE_OUTCOME_INVALID);
	struct mce_record big = uc;
	big.bank = 40;
	assert_int_equal(mce_kvm_outcome(0xff | MCG_SER_P, &s, &big, &bank), MCE_OUTCOME_INVALID);
	assert_int_equal(bank, 0);
	struct mce_record noval = uc;
	noval.status &= ~MCE_STATUS_VAL;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &noval, NULL), MCE_OUTCOME_INVALID);

	/* Uncorrected: MCG_CTL counts only with MCG_CTL_P. */
	s.mcg_ctl = 0;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_DROPPED_GLOBAL);
	assert_int_equal(mce_kvm_outcome(CAP & ~MCG_CTL_P, &s, &uc, NULL), MCE_OUTCOME_RAISED);
	s.mcg_ctl = ONES;
	s.bank[9].ctl = 0;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_DROPPED_BANK);
	/* Only all ones enables a bank. */
	s.bank[9].ctl = ONES & ~(1ULL << 10);
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_DROPPED_BANK);
	s.bank[9].ctl = ONES;
	/* Disabled wins over CR4.MCE clear and MCIP. */
	s.cr4_mce = false;
	s.mcg_status = MCE_MCG_MCIP;
	s.bank[9].ctl = 0;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_DROPPED_BANK);
	s.bank[9].ctl = ONES;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_NO_MCE);
	s.cr4_mce = true;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, NULL), MCE_OUTCOME_IN_PROGRESS);
	s.mcg_status = 0;

	/* OVER when the bank holds a valid error, whatever it is. */
	s.bank[9].status = MCE_STATUS_VAL;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, &bank), MCE_OUTCOME_RAISED);
	assert_int_equal(bank, INTEL_AR | OVER);
	s.bank[9].status = MCE_STATUS_UC;           /* not valid: no OVER */
	assert_int_equal(mce_kvm_outcome(CAP, &s, &uc, &bank), MCE_OUTCOME_RAISED);
	assert_int_equal(bank, INTEL_AR);

	/* Deferred (no UC): none of the uncorrected checks, never raised. */
	s = healthy();
	s.cr4_mce = false;
	s.mcg_status = MCE_MCG_MCIP;
	s.mcg_ctl = 0;
	s.bank[9].ctl = 0;
	assert_int_equal(mce_kvm_outcome(CAP, &s, &de, &bank), MCE_OUTCOME_LOGGED);
	assert_int_equal(bank, AMD_AO);
	s.bank[9].status = MCE_STATUS_VAL | 0x1234;  /* a corrected error: overwritten, OVER */
	assert_int_equal(mce_kvm_outcome(CAP, &s, &de, &bank), MCE_OUTCOME_LOGGED);
	assert_int_equal(bank, AMD_AO | OVER);
	s.bank[9].status = MCE_STATUS_VAL | MCE_STATUS_UC | 0x1234;  /* kept, OVER added */
	assert_int_equal(mce_kvm_outcome(CAP, &s, &de, &bank), MCE_OUTCOME_OVERFLOWED);
	assert_int_equal(bank, MCE_STATUS_VAL | MCE_STATUS_UC | OVER | 0x1234);
}

/* ---- decisions, one by one ---- */

static struct mce_decision decide(enum x86_vendor v, uint64_t cap, struct mce_vcpu_state *cpus,
				  unsigned n, const struct memory_failure *f)
{
	struct mce_machine m = { .vendor = v, .mcg_cap = cap, .vcpu = cpus, .nvcpus = n };
	struct mce_decision d;

	memset(&d, 0x5a, sizeof(d));
	assert_int_equal(mce_decide(&m, f, &d), 0);
	return d;
}

static void test_intel_ar(void **state)
{
	struct mce_vcpu_state c[2] = { healthy(), healthy() };
	struct memory_failure f = guest_failure(true, 1);
	(void)state;

	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 2, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_false(d.v.recursive);
	assert_int_equal(d.v.cpu, 1);
	assert_int_equal(d.mce.blocker, -1);
	assert_string_equal(d.v.reason, "");
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_RAISED);
	assert_int_equal(d.mce.rec.bank, 9);
	assert_int_equal(d.mce.rec.status, 0xBD80000000000134ULL);
	assert_int_equal(d.mce.rec.mcg_status, 0x7);
	assert_int_equal(d.mce.rec.addr, 0x12345000);
	assert_int_equal(d.mce.rec.misc, 0x8c);
	assert_true(d.mce.broadcast);
	assert_int_equal(d.mce.broadcast_rec.bank, 1);
	assert_int_equal(d.mce.broadcast_rec.status, 0xA000000000000000ULL);
	assert_int_equal(d.mce.broadcast_rec.mcg_status, 0x5);
	assert_int_equal(d.mce.broadcast_rec.addr, 0);
	assert_int_equal(d.mce.broadcast_rec.misc, 0);
}

static void test_intel_ao_vcpu0_and_over(void **state)
{
	struct mce_vcpu_state c[1] = { healthy() };
	struct memory_failure f = guest_failure(false, -1);
	(void)state;

	c[0].bank[9].status = INTEL_AO;   /* the guest has not cleared the last one */
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.v.cpu, 0);
	/* 0xBD000000000000C0 | OVER(62) = 0xFD000000000000C0 */
	assert_int_equal(d.mce.rec.status, 0xFD000000000000C0ULL);
	assert_int_equal(d.mce.rec.mcg_status, 0x5);
	/* Nobody else to broadcast to. */
	assert_false(d.mce.broadcast);
}

static void test_intel_lmce(void **state)
{
	struct mce_vcpu_state c[3] = { healthy(), healthy(), healthy() };
	struct memory_failure f = guest_failure(true, 2);
	(void)state;

	c[2].mcg_ext_ctl = MCE_EXT_CTL_LMCE_EN;
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP | MCG_LMCE_P, c, 3, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.mce.rec.mcg_status, 0xF);   /* MCIP|EIPV|RIPV|LMCE */
	assert_false(d.mce.broadcast);
	/* LMCE_EN without LMCE_P in MCG_CAP means nothing. */
	d = decide(X86_VENDOR_INTEL, CAP, c, 3, &f);
	assert_int_equal(d.mce.rec.mcg_status, 0x7);
	assert_true(d.mce.broadcast);
	/* Only the target's MCG_EXT_CTL counts. */
	c[2].mcg_ext_ctl = 0;
	c[0].mcg_ext_ctl = MCE_EXT_CTL_LMCE_EN;
	d = decide(X86_VENDOR_INTEL, CAP | MCG_LMCE_P, c, 3, &f);
	assert_int_equal(d.mce.rec.mcg_status, 0x7);
	assert_true(d.mce.broadcast);
	/* AO with LMCE: 0x5 | 0x8 = 0xD. */
	c[0].mcg_ext_ctl = MCE_EXT_CTL_LMCE_EN;
	f = guest_failure(false, -1);
	d = decide(X86_VENDOR_INTEL, CAP | MCG_LMCE_P, c, 3, &f);
	assert_int_equal(d.mce.rec.mcg_status, 0xD);
	/* AMD has no LMCE, whatever the registers say. */
	d = decide(X86_VENDOR_AMD, CAP | MCG_LMCE_P, c, 3, &f);
	assert_int_equal(d.mce.rec.mcg_status, 0x5);
}

static void test_amd(void **state)
{
	struct mce_vcpu_state c[2] = { healthy(), healthy() };
	struct memory_failure f = guest_failure(true, 0);
	(void)state;

	struct mce_decision d = decide(X86_VENDOR_AMD, CAP, c, 2, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.mce.rec.status, 0xBC00080000000000ULL);
	assert_int_equal(d.mce.rec.mcg_status, 0x7);
	assert_int_equal(d.mce.rec.misc, 0x8c);
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_RAISED);
	assert_false(d.mce.broadcast);

	f = guest_failure(false, -1);
	d = decide(X86_VENDOR_AMD, CAP, c, 2, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.mce.rec.status, 0x9C00180000000000ULL);
	assert_int_equal(d.mce.rec.mcg_status, 0x5);
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_LOGGED);
	assert_string_equal(d.v.reason, "");
	assert_false(d.mce.broadcast);

	/* Deferred into a bank holding an unread uncorrected error: the address is lost. */
	c[0].bank[9].status = AMD_AR;
	d = decide(X86_VENDOR_AMD, CAP, c, 2, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_OVERFLOWED);
	assert_string_equal(d.v.reason, "CPU 0: bank 9 still holds an unread uncorrected error; "
			    "only its OVER bit was set, so this address is not reported");
	/* ... into one holding a deferred error: overwritten with OVER. */
	c[0].bank[9].status = AMD_AO;
	d = decide(X86_VENDOR_AMD, CAP, c, 2, &f);
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_LOGGED);
	assert_int_equal(d.mce.rec.status, 0xDC00180000000000ULL);
}

static void test_reset_messages(void **state)
{
	struct mce_vcpu_state c[4] = { healthy(), healthy(), healthy(), healthy() };
	struct memory_failure f = guest_failure(true, 3);
	(void)state;

	c[3].cr4_mce = false;
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_RESET);
	assert_false(d.v.recursive);
	assert_string_equal(d.v.reason, "CPU 3: MCE capability is not enabled, raising triple fault");

	c[3].cr4_mce = true;
	c[3].mcg_status = MCE_MCG_MCIP | MCE_MCG_RIPV;
	d = decide(X86_VENDOR_AMD, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_RESET);
	assert_true(d.v.recursive);
	assert_string_equal(d.v.reason, "CPU 3: Previous MCE still in progress, raising triple fault");

	/* Both: CR4 is named, the flag still says recursive. */
	c[3].cr4_mce = false;
	d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_RESET);
	assert_true(d.v.recursive);
	assert_string_equal(d.v.reason, "CPU 3: MCE capability is not enabled, raising triple fault");

	/* AO while MCIP: ignored, on either vendor. */
	f = guest_failure(false, 3);
	d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_true(d.v.recursive);
	assert_string_equal(d.v.reason,
			    "CPU 3: Previous MCE still in progress, action-optional error not reported");
	d = decide(X86_VENDOR_AMD, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_true(d.v.recursive);
}

static void test_disabled_messages(void **state)
{
	struct mce_vcpu_state c[1] = { healthy() };
	struct memory_failure f = guest_failure(true, 0);
	(void)state;

	c[0].mcg_ctl = 0;
	c[0].cr4_mce = false;   /* never signalled, so no triple fault either */
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "CPU 0: guest disabled machine-check reporting (MCG_CTL=0x0)");
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_DROPPED_GLOBAL);

	c[0].mcg_ctl = ONES;
	c[0].bank[9].ctl = 0;
	d = decide(X86_VENDOR_AMD, CAP, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "CPU 0: bank 9 reporting disabled by the guest (MC9_CTL=0x0)");
	assert_int_equal(d.mce.outcome, MCE_OUTCOME_DROPPED_BANK);

	/* Without MCG_CTL_P there is no MCG_CTL to disable anything. */
	c[0] = healthy();
	c[0].mcg_ctl = 0;
	d = decide(X86_VENDOR_INTEL, CAP & ~MCG_CTL_P, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
}

static void test_broadcast_blockers(void **state)
{
	struct mce_vcpu_state c[4] = { healthy(), healthy(), healthy(), healthy() };
	struct memory_failure f = guest_failure(true, 1);
	(void)state;

	/* An AP still waiting for SIPI has CR4.MCE clear: a broadcast shuts the VM down. */
	c[2].cr4_mce = false;
	c[3].mcg_status = MCE_MCG_MCIP;
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_RESET);
	assert_int_equal(d.mce.blocker, 2);
	assert_false(d.v.recursive);
	assert_string_equal(d.v.reason, "CPU 2: MCE capability is not enabled, raising triple fault");
	assert_int_equal(d.v.cpu, 1);

	c[2].cr4_mce = true;
	d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_RESET);
	assert_int_equal(d.mce.blocker, 3);
	assert_true(d.v.recursive);
	assert_string_equal(d.v.reason, "CPU 3: Previous MCE still in progress, raising triple fault");

	/* A vCPU with bank 1 or MCG_CTL off simply misses the broadcast. */
	c[3].bank[1].ctl = 0;
	d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.mce.blocker, -1);
	assert_true(d.mce.broadcast);
	c[3] = healthy();
	c[3].mcg_ctl = 0;
	c[3].cr4_mce = false;
	d = decide(X86_VENDOR_INTEL, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);

	/* With LMCE, or on AMD, the others are not involved. */
	c[3] = healthy();
	c[3].cr4_mce = false;
	c[1].mcg_ext_ctl = MCE_EXT_CTL_LMCE_EN;
	d = decide(X86_VENDOR_INTEL, CAP | MCG_LMCE_P, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_false(d.mce.broadcast);
	d = decide(X86_VENDOR_AMD, CAP, c, 4, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_false(d.mce.broadcast);
}

static void test_hypervisor(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				    .hva = 0x5555deadb000, .lsb = 12, .vcpu = 2 };
	struct mce_machine m = { .vendor = X86_VENDOR_INTEL, .mcg_cap = CAP };
	struct mce_decision d;
	(void)state;

	/* No vCPU state needed at all. */
	assert_int_equal(mce_decide(&m, &f, &d), 0);
	assert_int_equal(d.v.action, MF_ACTION_FATAL);
	assert_false(d.v.recursive);
	assert_int_equal(d.v.cpu, 2);
	assert_string_equal(d.v.reason, "vmras touched poisoned memory of its own (4 KiB at host "
			    "address 0x5555deadb000), not guest RAM: it cannot continue");
	f.action_required = false;
	f.vcpu = -1;
	f.lsb = 21;
	assert_int_equal(mce_decide(&m, &f, &d), 0);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_int_equal(d.v.cpu, -1);
	assert_string_equal(d.v.reason, "memory of vmras's own (2 MiB at host address 0x5555deadb000) "
			    "is poisoned, not guest RAM; vmras has not touched it and continues");
	f.lsb = 30;
	assert_int_equal(mce_decide(&m, &f, &d), 0);
	assert_non_null(strstr(d.v.reason, "(1 GiB at"));
	f.lsb = 0;
	assert_int_equal(mce_decide(&m, &f, &d), 0);
	assert_non_null(strstr(d.v.reason, "(4 KiB at"));
	f.lsb = 40;
	assert_int_equal(mce_decide(&m, &f, &d), 0);
	assert_non_null(strstr(d.v.reason, "(1 TiB at"));
}

static void test_unreportable(void **state)
{
	struct mce_vcpu_state c[1] = { healthy() };
	struct memory_failure f = guest_failure(true, 0);
	(void)state;

	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP & ~MCG_SER_P, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_FATAL);
	assert_string_equal(d.v.reason, "CPU 0: the guest cannot be told of poisoned guest memory "
			    "(4 KiB at 0x12345678): MCG_CAP=0x10a lacks MCG_SER_P, and the vCPU "
			    "cannot resume without it");
	f.action_required = false;
	d = decide(X86_VENDOR_INTEL, CAP & ~MCG_SER_P, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	/* AMD has no SER_P (KVM keeps only MCG_CAP bits 0-8 there); it needs bank 9. */
	d = decide(X86_VENDOR_AMD, 10 | MCG_CTL_P, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	f.action_required = true;
	d = decide(X86_VENDOR_AMD, 10 | MCG_CTL_P, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_true(d.mce.rec.status == 0xBC00080000000000ULL);
	f.action_required = false;
	d = decide(X86_VENDOR_AMD, (CAP & ~0xffULL) | 9, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "CPU 0: the guest cannot be told of poisoned guest memory "
			    "(4 KiB at 0x12345678): MCG_CAP=0x1000109 has no bank 9");
}

static void test_bad_target(void **state)
{
	struct mce_vcpu_state c[2] = { healthy(), healthy() };
	struct mce_machine m = { .vendor = X86_VENDOR_INTEL, .mcg_cap = CAP, .vcpu = c, .nvcpus = 2 };
	struct memory_failure f = guest_failure(true, 2);
	struct mce_decision d;
	(void)state;

	assert_int_equal(mce_decide(&m, &f, &d), -1);
	m.nvcpus = 0;
	f.vcpu = -1;
	f.action_required = false;
	assert_int_equal(mce_decide(&m, &f, &d), -1);
	m.nvcpus = 2;
	m.vcpu = NULL;
	assert_int_equal(mce_decide(&m, &f, &d), -1);
}

/* Guest memory consumed by a vmras thread that is not a vCPU (a device, the
 * console): no vCPU can be told, the thread cannot go on, so fatal, on either
 * vendor and whatever the vCPUs' state. */
static void test_non_vcpu_consumer(void **state)
{
	struct mce_vcpu_state c[1] = { healthy() };
	struct memory_failure f = guest_failure(true, -1);
	(void)state;

	for (int v = 0; v < 2; v++) {
		enum x86_vendor vendor = v ? X86_VENDOR_AMD : X86_VENDOR_INTEL;
		struct mce_decision d = decide(vendor, CAP, c, 1, &f);
		assert_int_equal(d.v.action, MF_ACTION_FATAL);
		assert_int_equal(d.v.cpu, -1);
		assert_false(d.v.recursive);
		assert_string_equal(d.v.reason, "a vmras thread that is not a vCPU read poisoned guest "
				    "memory (4 KiB at 0x12345678): it cannot continue");
	}
	/* The same page reported early (action optional) still goes to vCPU 0. */
	f.action_required = false;
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 1, &f);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_int_equal(d.v.cpu, 0);
}

static void test_huge_page_gpa(void **state)
{
	struct mce_vcpu_state c[1] = { healthy() };
	struct memory_failure f = guest_failure(true, 0);
	(void)state;

	/* A 2 MiB host page: the guest is told of the 4 KiB page it touched. */
	f.gpa = 0x40123456;
	f.lsb = 21;
	struct mce_decision d = decide(X86_VENDOR_INTEL, CAP, c, 1, &f);
	assert_int_equal(d.mce.rec.addr, 0x40123000);
	assert_int_equal(d.mce.rec.misc, 0x8c);
	/* An lsb beyond 63 is clamped rather than shifted past the width. */
	f.lsb = 200;
	d = decide(X86_VENDOR_INTEL, CAP, c, 1, &f);
	assert_int_equal(d.mce.rec.addr, 0x40123000);
}

/* ---- the whole table ---- */

struct combo {
	bool guest, ar, cr4, mcip, ctl_p, mcg_ctl_on, mc9_on, lmce_p, lmce_en;
	int vendor;
	int bank9;       /* 0 empty, 1 valid corrected, 2 valid uncorrected */
	unsigned n;      /* vCPUs */
	int other;       /* the other vCPU: 0 healthy, 1 CR4.MCE clear, 2 MCIP, 3 bank 1 off */
};

/* The decision table, stated independently of src/ras/mce.c. */
static void expect(const struct combo *k, struct mce_decision *e)
{
	bool amd = k->vendor == X86_VENDOR_AMD;
	bool uc = !(amd && !k->ar);
	bool lmce = !amd && k->lmce_p && k->lmce_en;
	uint64_t old = k->bank9 == 0 ? 0 : k->bank9 == 1 ? MCE_STATUS_VAL | 1 : MCE_STATUS_VAL | MCE_STATUS_UC | 1;

	memset(e, 0, sizeof(*e));
	e->mce.blocker = -1;
	if (!k->guest) {
		e->v.action = k->ar ? MF_ACTION_FATAL : MF_ACTION_IGNORE;
		return;
	}
	e->v.recursive = k->mcip;
	if (!k->ar && k->mcip) {
		e->v.action = MF_ACTION_IGNORE;
		return;
	}
	e->mce.rec.bank = 9;
	e->mce.rec.addr = 0x12345000;
	e->mce.rec.misc = 0x8c;
	e->mce.rec.status = amd ? (k->ar ? AMD_AR : AMD_AO) : (k->ar ? INTEL_AR : INTEL_AO);
	e->mce.rec.mcg_status = (k->ar ? MCG_AR : MCG_AO) | (lmce ? MCG_LMCE : 0);
	if (uc) {
		if (k->ctl_p && !k->mcg_ctl_on) {
			e->v.action = MF_ACTION_IGNORE;
			e->mce.outcome = MCE_OUTCOME_DROPPED_GLOBAL;
			return;
		}
		if (!k->mc9_on) {
			e->v.action = MF_ACTION_IGNORE;
			e->mce.outcome = MCE_OUTCOME_DROPPED_BANK;
			return;
		}
		if (!k->cr4 || k->mcip) {
			e->v.action = MF_ACTION_RESET;
			e->mce.outcome = k->cr4 ? MCE_OUTCOME_IN_PROGRESS : MCE_OUTCOME_NO_MCE;
			return;
		}
		e->mce.outcome = MCE_OUTCOME_RAISED;
		e->mce.rec.status |= old ? OVER : 0;
		e->v.action = MF_ACTION_INJECT;
		if (!amd && !lmce && k->n > 1) {
			e->mce.broadcast = true;
			e->mce.broadcast_rec = (struct mce_record){ .bank = 1, .status = BCAST_STATUS,
								.mcg_status = MCG_AO };
			if (k->other == 1 || k->other == 2) {
				e->v.action = MF_ACTION_RESET;
				e->mce.blocker = 1;
				e->v.recursive = k->other == 2;
			}
		}
		return;
	}
	e->v.action = MF_ACTION_INJECT;
	if (k->bank9 == 2) {
		e->mce.outcome = MCE_OUTCOME_OVERFLOWED;
	} else {
		e->mce.outcome = MCE_OUTCOME_LOGGED;
		e->mce.rec.status |= old ? OVER : 0;
	}
}

static void check_combo(const struct combo *k)
{
	struct mce_vcpu_state c[2] = { healthy(), healthy() };
	struct memory_failure f = guest_failure(k->ar, k->ar ? 0 : -1);
	uint64_t cap = 10 | MCG_SER_P | (k->ctl_p ? MCG_CTL_P : 0) | (k->lmce_p ? MCG_LMCE_P : 0);
	struct mce_decision d, e;
	char what[160];

	if (!k->guest)
		f = (struct memory_failure){ .recipient = MF_RECIPIENT_HYPERVISOR,
					     .action_required = k->ar, .hva = 0x7000, .lsb = 12, .vcpu = -1 };
	c[0].cr4_mce = k->cr4;
	c[0].mcg_status = k->mcip ? MCE_MCG_MCIP | MCE_MCG_RIPV : 0;
	c[0].mcg_ctl = k->mcg_ctl_on ? ONES : 0;
	c[0].bank[9].ctl = k->mc9_on ? ONES : 0;
	c[0].mcg_ext_ctl = k->lmce_en ? MCE_EXT_CTL_LMCE_EN : 0;
	c[0].bank[9].status = k->bank9 == 0 ? 0 :
		k->bank9 == 1 ? MCE_STATUS_VAL | 1 : MCE_STATUS_VAL | MCE_STATUS_UC | 1;
	if (k->other == 1)
		c[1].cr4_mce = false;
	else if (k->other == 2)
		c[1].mcg_status = MCE_MCG_MCIP;
	else if (k->other == 3)
		c[1].bank[1].ctl = 0;

	snprintf(what, sizeof(what), "guest=%d ar=%d cr4=%d mcip=%d ctl_p=%d mcg_ctl=%d mc9=%d "
		 "lmce=%d/%d vendor=%d bank9=%d n=%u other=%d", k->guest, k->ar, k->cr4, k->mcip,
		 k->ctl_p, k->mcg_ctl_on, k->mc9_on, k->lmce_p, k->lmce_en, k->vendor, k->bank9,
		 k->n, k->other);
	d = decide(k->vendor, cap, c, k->n, &f);
	expect(k, &e);
	if (d.v.action != e.v.action || d.v.recursive != e.v.recursive || d.mce.blocker != e.mce.blocker)
		fail_msg("%s: action %d/%d recursive %d/%d blocker %d/%d", what, d.v.action, e.v.action,
			 d.v.recursive, e.v.recursive, d.mce.blocker, e.mce.blocker);
	/* Never silent: anything but a plain inject says why. */
	bool plain = d.v.action == MF_ACTION_INJECT && d.mce.outcome != MCE_OUTCOME_OVERFLOWED;
	if (plain != (d.v.reason[0] == 0))
		fail_msg("%s: reason \"%s\"", what, d.v.reason);
	if (!k->guest || (!k->ar && k->mcip))
		return;
	if (d.mce.outcome != e.mce.outcome || d.mce.rec.bank != e.mce.rec.bank || d.mce.rec.status != e.mce.rec.status ||
	    d.mce.rec.mcg_status != e.mce.rec.mcg_status || d.mce.rec.addr != e.mce.rec.addr ||
	    d.mce.rec.misc != e.mce.rec.misc)
		fail_msg("%s: outcome %d/%d status %#llx/%#llx mcg %#llx/%#llx", what, d.mce.outcome,
			 e.mce.outcome, (unsigned long long)d.mce.rec.status, (unsigned long long)e.mce.rec.status,
			 (unsigned long long)d.mce.rec.mcg_status, (unsigned long long)e.mce.rec.mcg_status);
	if (d.mce.broadcast != e.mce.broadcast)
		fail_msg("%s: broadcast %d/%d", what, d.mce.broadcast, e.mce.broadcast);
	if (e.mce.broadcast && memcmp(&d.mce.broadcast_rec, &e.mce.broadcast_rec, sizeof(e.mce.broadcast_rec)))
		fail_msg("%s: broadcast record", what);
	/* The reset and disabled reasons name the vCPU, as QEMU's do. */
	char cpu[32];
	snprintf(cpu, sizeof(cpu), "CPU %d: ", e.mce.blocker >= 0 ? e.mce.blocker : 0);
	if (d.v.reason[0] && strncmp(d.v.reason, cpu, strlen(cpu)))
		fail_msg("%s: reason \"%s\"", what, d.v.reason);
}

static void test_table_exhaustive(void **state)
{
	struct combo k;
	unsigned checked = 0;
	(void)state;

	for (unsigned bits = 0; bits < 1u << 9; bits++) {
		k.guest = bits & 1;
		k.ar = bits & 2;
		k.cr4 = bits & 4;
		k.mcip = bits & 8;
		k.ctl_p = bits & 16;
		k.mcg_ctl_on = bits & 32;
		k.mc9_on = bits & 64;
		k.lmce_p = bits & 128;
		k.lmce_en = bits & 256;
		for (k.vendor = X86_VENDOR_OTHER; k.vendor <= X86_VENDOR_AMD; k.vendor++)
			for (k.bank9 = 0; k.bank9 < 3; k.bank9++)
				for (k.n = 1; k.n <= 2; k.n++)
					for (k.other = 0; k.other < (k.n > 1 ? 4 : 1); k.other++) {
						check_combo(&k);
						checked++;
					}
	}
	/* 2^9 register combinations x 3 vendors x 3 bank states x (1 + 4) vCPU setups */
	assert_int_equal(checked, 512 * 3 * 3 * 5);
}

/* ---- AMD CPUID ---- */

static void test_cpuid_amd_recovery(void **state)
{
	struct kvm_cpuid_entry2 e[4] = {
		{ .function = 0x80000000, .eax = 0x80000008 },
		{ .function = 0x80000007, .ebx = 1u << 3, .edx = 1u << 8 },
		{ .function = 0x80000008 },
	};
	unsigned n = 3;
	(void)state;

	assert_int_equal(mca_cpuid_amd_recovery(e, &n, 4), 0);
	assert_int_equal(n, 3);
	assert_int_equal(e[1].ebx, 0xb);          /* bits 0, 1 added; 3 kept */
	assert_int_equal(e[1].edx, 1u << 8);      /* invariant TSC untouched */
	assert_int_equal(e[0].eax, 0x80000008);
	/* Idempotent. */
	assert_int_equal(mca_cpuid_amd_recovery(e, &n, 4), 0);
	assert_int_equal(e[1].ebx, 0xb);

	/* Missing leaf, low maximum: appended and made visible. */
	struct kvm_cpuid_entry2 f[3] = { { .function = 0 }, { .function = 0x80000000, .eax = 0x80000001 } };
	n = 2;
	assert_int_equal(mca_cpuid_amd_recovery(f, &n, 3), 0);
	assert_int_equal(n, 3);
	assert_int_equal(f[2].function, 0x80000007);
	assert_int_equal(f[2].index, 0);
	assert_int_equal(f[2].flags, 0);
	assert_int_equal(f[2].eax, 0);
	assert_int_equal(f[2].ebx, 3);
	assert_int_equal(f[2].ecx, 0);
	assert_int_equal(f[2].edx, 0);
	assert_int_equal(f[1].eax, 0x80000007);
	assert_ptr_equal(x86_cpuid_find(f, n, 0x80000007, 0), &f[2]);

	/* No room, or no extended leaves at all: nothing changes. */
	struct kvm_cpuid_entry2 g[2] = { { .function = 0 }, { .function = 0x80000000, .eax = 0x80000001 } };
	n = 2;
	assert_int_equal(mca_cpuid_amd_recovery(g, &n, 2), -1);
	assert_int_equal(n, 2);
	assert_int_equal(g[1].eax, 0x80000001);
	struct kvm_cpuid_entry2 h[2] = { { .function = 0 }, { .function = 1 } };
	n = 2;
	assert_int_equal(mca_cpuid_amd_recovery(h, &n, 2), -1);
	n = 1;
	assert_int_equal(mca_cpuid_amd_recovery(h, &n, 2), -1);
	assert_int_equal(n, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bits),
		cmocka_unit_test(test_status),
		cmocka_unit_test(test_misc_and_addr),
		cmocka_unit_test(test_outcome_names),
		cmocka_unit_test(test_record_to_kvm),
		cmocka_unit_test(test_kvm_outcome),
		cmocka_unit_test(test_intel_ar),
		cmocka_unit_test(test_intel_ao_vcpu0_and_over),
		cmocka_unit_test(test_intel_lmce),
		cmocka_unit_test(test_amd),
		cmocka_unit_test(test_reset_messages),
		cmocka_unit_test(test_disabled_messages),
		cmocka_unit_test(test_broadcast_blockers),
		cmocka_unit_test(test_hypervisor),
		cmocka_unit_test(test_unreportable),
		cmocka_unit_test(test_bad_target),
		cmocka_unit_test(test_non_vcpu_consumer),
		cmocka_unit_test(test_huge_page_gpa),
		cmocka_unit_test(test_table_exhaustive),
		cmocka_unit_test(test_cpuid_amd_recovery),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
