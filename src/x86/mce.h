/* x86 machine checks for memory failures: what to tell the guest, encoded
 * the way the hardware would (Intel SDM vol. 3B ch. 16-17, AMD APM vol. 2
 * ch. 9), and what KVM will make of it. Pure: the adapter reads the vCPUs'
 * machine-check state, asks mce_decide, emits the event, then acts.
 *
 * Precedence (first match wins), and why:
 *  1. what no arch changes (ras/verdict.h): vmras's own memory, and guest
 *     memory an action-required read on a thread that is not a vCPU touched.
 *  2. the guest cannot be told at all (an Intel guest without MCG_SER_P, or
 *     fewer than 10 banks; AMD announces recovery by CPUID SUCCOR instead):
 *     AR -> fatal, AO -> ignore, as QEMU treats guest memory without SER_P.
 *     Resuming the vCPU after an unreported AR would only fault again.
 *  3. AO while MCIP is set on the target -> ignore (recursive). QEMU's order;
 *     it must precede the KVM checks, where an Intel AO (UC set) would
 *     otherwise triple-fault a guest that is merely busy.
 *  4. what KVM_X86_SET_MCE does with the record on the target vCPU, in the
 *     kernel's order: for an uncorrected record (UC set), MCG_CTL not all ones
 *     (with MCG_CTL_P) or MC9_CTL not all ones -> dropped: ignore + reason.
 *     A disabled bank means the error is never signalled, so it wins over
 *     CR4.MCE clear and MCIP set. Then CR4.MCE clear -> reset, MCIP set ->
 *     reset (recursive). AMD's action-optional record is deferred, not
 *     uncorrected: KVM only logs it in the bank (no #MC, none of these checks),
 *     and the guest finds it when it polls.
 *  5. Intel broadcast: every other vCPU gets bank 1 (VAL|UC, MCIP|RIPV); one
 *     with CR4.MCE clear or MCIP set triple-faults, so the VM resets and the
 *     action is reset, naming that vCPU.
 *  6. otherwise inject. */
#ifndef VMRAS_X86_MCE_H
#define VMRAS_X86_MCE_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "ras/memory_failure.h"
#include "ras/verdict.h"
#include "x86/cpuid.h"
#include "x86/msr.h"

#define MCE_MCG_RIPV           (1ULL << 0)
#define MCE_MCG_EIPV           (1ULL << 1)
#define MCE_MCG_MCIP           (1ULL << 2)
#define MCE_MCG_LMCE           (1ULL << 3)

#define MCE_EXT_CTL_LMCE_EN    (1ULL << 0)

#define MCE_STATUS_VAL         (1ULL << 63)
#define MCE_STATUS_OVER        (1ULL << 62)
#define MCE_STATUS_UC          (1ULL << 61)
#define MCE_STATUS_EN          (1ULL << 60)
#define MCE_STATUS_MISCV       (1ULL << 59)
#define MCE_STATUS_ADDRV       (1ULL << 58)
#define MCE_STATUS_PCC         (1ULL << 57)
#define MCE_STATUS_S           (1ULL << 56)
#define MCE_STATUS_AR          (1ULL << 55)
#define MCE_STATUS_DEFERRED    (1ULL << 44)   /* AMD */
#define MCE_STATUS_POISON      (1ULL << 43)   /* AMD */

/* Intel MCA error codes: memory read error in a cache (data load), and the
 * memory scrubber's code family. */
#define MCE_MCACOD_DATA_LOAD   0x134
#define MCE_MCACOD_SCRUB       0x0c0

#define MCE_MISC_ADDR_PHYS     2   /* MCi_MISC[8:6]: physical address */

#define MCE_BANKS_MAX          32  /* KVM_MAX_MCE_BANKS */
#define MCE_BANK_MEMORY        9   /* QEMU's and vmras's memory-error bank */
#define MCE_BANK_BROADCAST     1   /* what the other CPUs see in an Intel broadcast */
#define VMRAS_MCE_BANKS        10  /* banks vmras asks KVM for: 0 to MCE_BANK_MEMORY */

/* A vCPU's machine-check state, read just before deciding. Only MCi_CTL and
 * MCi_STATUS of banks 9 and 1 are consulted. */
struct mce_vcpu_state {
	bool cr4_mce;
	uint64_t mcg_status;
	uint64_t mcg_ctl;
	uint64_t mcg_ext_ctl;
	struct {
		uint64_t ctl;
		uint64_t status;
	} bank[MCE_BANKS_MAX];
};

struct mce_machine {
	enum x86_vendor vendor;         /* the guest's CPUID vendor; "other" is treated as Intel */
	uint64_t mcg_cap;               /* as set with KVM_X86_SETUP_MCE, the same on every vCPU */
	const struct mce_vcpu_state *vcpu;
	unsigned nvcpus;
};

/* The fields of struct kvm_x86_mce. */
struct mce_record {
	unsigned bank;
	uint64_t status;
	uint64_t mcg_status;
	uint64_t addr;
	uint64_t misc;
};

/* What KVM_X86_SET_MCE does with a record. */
enum mce_outcome {
	MCE_OUTCOME_RAISED,          /* bank written, MCG_STATUS set, #MC queued */
	MCE_OUTCOME_LOGGED,          /* bank written, no #MC: the guest sees it when it polls */
	MCE_OUTCOME_OVERFLOWED,      /* the bank keeps an unread uncorrected error; only OVER is set */
	MCE_OUTCOME_DROPPED_GLOBAL,  /* MCG_CTL not all ones: uncorrected reporting off */
	MCE_OUTCOME_DROPPED_BANK,    /* MCi_CTL not all ones: the bank is off */
	MCE_OUTCOME_NO_MCE,          /* CR4.MCE clear: triple fault */
	MCE_OUTCOME_IN_PROGRESS,     /* MCG_STATUS.MCIP set: triple fault */
	MCE_OUTCOME_INVALID,         /* no such bank, or VAL clear: the ioctl fails */
};

/* Kebab-case names for events and logs. */
const char *mce_outcome_name(enum mce_outcome o);

/* Models Linux's kvm_vcpu_ioctl_x86_set_mce for records with a non-zero
 * MCG_STATUS (KVM treats MCG_STATUS = 0 as a UCNA, which vmras never sends).
 * *bank_status, if not NULL, gets what MCi_STATUS holds afterwards. */
enum mce_outcome mce_kvm_outcome(uint64_t mcg_cap, const struct mce_vcpu_state *s,
				 const struct mce_record *rec, uint64_t *bank_status);

/* MCi_STATUS and MCG_STATUS for a memory error in the vendor's encoding,
 * before OVER (which depends on the bank) and LMCE (on the vCPU). */
uint64_t mce_memory_status(enum x86_vendor v, bool action_required);
uint64_t mce_memory_mcg_status(enum x86_vendor v, bool action_required);

/* MCi_MISC for a physical address whose extent is 2^lsb bytes. Never coarser
 * than a 4 KiB page: Linux on Intel drops an address whose LSB is above
 * PAGE_SHIFT, and on any vendor it rounds the address down to the extent, so a
 * 2 MiB LSB would offline the wrong 4 KiB page. The guest learns of a poisoned
 * huge page one 4 KiB page at a time, as it touches them. */
uint64_t mce_misc(unsigned lsb);
/* MCi_ADDR for that extent: gpa with the bits below that LSB cleared. */
uint64_t mce_addr(uint64_t gpa, unsigned lsb);

/* What the other vCPUs get in an Intel-style broadcast: bank 1, VAL|UC,
 * MCIP|RIPV, no address (QEMU's, for memory failures and HMP mce alike). */
struct mce_record mce_broadcast_record(void);

/* Intel-style broadcast to the other vCPUs, unless the guest enabled LMCE. */
bool mce_broadcasts(enum x86_vendor v, uint64_t mcg_cap, const struct mce_vcpu_state *target);

/* What x86 adds to the shared verdict: the machine check to raise. */
struct mce_detail {
	int blocker;                 /* the other vCPU whose state turned a broadcast into a reset, or -1 */
	/* Meaningful once a record was built (guest memory, reportable). */
	struct mce_record rec;       /* OVER and LMCE included, as the bank will hold it */
	enum mce_outcome outcome;    /* on the verdict's cpu */
	bool broadcast;              /* send broadcast_rec to every vCPU but that one */
	struct mce_record broadcast_rec;
};

struct mce_decision {
	/* recursive: MCIP was set where it decided the outcome; cpu: the
	 * target vCPU, or -1 for vmras's own memory without one. */
	struct mf_verdict v;
	struct mce_detail mce;
};

/* Decides for one failure, mf_verdict_common first. For the guest, f->vcpu names the target (AR: the
 * vCPU that touched the page); -1 means vCPU 0, as QEMU sends AO to its first
 * CPU. Returns 0, or -1 when the machine description cannot hold that target. */
int mce_decide(const struct mce_machine *m, const struct memory_failure *f, struct mce_decision *d);

#endif
