#include "x86/mce.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const outcome_names[] = {
	[MCE_OUTCOME_RAISED] = "raised",
	[MCE_OUTCOME_LOGGED] = "logged",
	[MCE_OUTCOME_OVERFLOWED] = "overflowed",
	[MCE_OUTCOME_DROPPED_GLOBAL] = "dropped-global",
	[MCE_OUTCOME_DROPPED_BANK] = "dropped-bank",
	[MCE_OUTCOME_NO_MCE] = "no-mce",
	[MCE_OUTCOME_IN_PROGRESS] = "in-progress",
	[MCE_OUTCOME_INVALID] = "invalid",
};

const char *mce_outcome_name(enum mce_outcome o)
{
	return (unsigned)o < sizeof(outcome_names) / sizeof(outcome_names[0]) ? outcome_names[o] : NULL;
}

enum mce_outcome mce_kvm_outcome(uint64_t mcg_cap, const struct mce_vcpu_state *s,
				 const struct mce_record *rec, uint64_t *bank_status)
{
	unsigned banks = mcg_cap & MCG_CAP_COUNT_MASK;
	uint64_t status = rec->status;
	uint64_t old;

	if (rec->bank >= banks || rec->bank >= MCE_BANKS_MAX || !(status & MCE_STATUS_VAL)) {
		if (bank_status)
			*bank_status = rec->bank < MCE_BANKS_MAX ? s->bank[rec->bank].status : 0;
		return MCE_OUTCOME_INVALID;
	}
	old = s->bank[rec->bank].status;
	if (bank_status)
		*bank_status = old;

	if (status & MCE_STATUS_UC) {
		if ((mcg_cap & MCG_CTL_P) && s->mcg_ctl != ~0ULL)
			return MCE_OUTCOME_DROPPED_GLOBAL;
		if (s->bank[rec->bank].ctl != ~0ULL)
			return MCE_OUTCOME_DROPPED_BANK;
		/* KVM tests both in one condition; CR4 is named first, as QEMU does. */
		if (!s->cr4_mce)
			return MCE_OUTCOME_NO_MCE;
		if (s->mcg_status & MCE_MCG_MCIP)
			return MCE_OUTCOME_IN_PROGRESS;
		if (old & MCE_STATUS_VAL)
			status |= MCE_STATUS_OVER;
		if (bank_status)
			*bank_status = status;
		return MCE_OUTCOME_RAISED;
	}
	/* Not uncorrected: logged like a corrected error, never raised. An
	 * unread uncorrected error in the bank is kept, and marked overflowed. */
	if ((old & MCE_STATUS_VAL) && (old & MCE_STATUS_UC)) {
		if (bank_status)
			*bank_status = old | MCE_STATUS_OVER;
		return MCE_OUTCOME_OVERFLOWED;
	}
	if (old & MCE_STATUS_VAL)
		status |= MCE_STATUS_OVER;
	if (bank_status)
		*bank_status = status;
	return MCE_OUTCOME_LOGGED;
}

uint64_t mce_memory_status(enum x86_vendor v, bool ar)
{
	const uint64_t base = MCE_STATUS_VAL | MCE_STATUS_EN | MCE_STATUS_MISCV | MCE_STATUS_ADDRV;

	if (v == X86_VENDOR_AMD) {
		/* POISON on the deferred error too: it tells Linux the address is
		 * usable, so an early-kill process gets its SIGBUS (BUS_MCEERR_AO). */
		if (ar)
			return base | MCE_STATUS_UC | MCE_STATUS_POISON;
		return base | MCE_STATUS_DEFERRED | MCE_STATUS_POISON;
	}
	if (ar)
		return base | MCE_STATUS_UC | MCE_STATUS_S | MCE_STATUS_AR | MCE_MCACOD_DATA_LOAD;
	return base | MCE_STATUS_UC | MCE_STATUS_S | MCE_MCACOD_SCRUB;
}

uint64_t mce_memory_mcg_status(enum x86_vendor v, bool ar)
{
	(void)v;
	/* RIPV on AR too: the interrupted context can resume once the guest has
	 * dealt with the page (killed the process or recovered the copy). */
	return MCE_MCG_MCIP | MCE_MCG_RIPV | (ar ? MCE_MCG_EIPV : 0);
}

uint64_t mce_misc(unsigned lsb)
{
	if (lsb > MF_PAGE_SHIFT)
		lsb = MF_PAGE_SHIFT;
	return (uint64_t)MCE_MISC_ADDR_PHYS << 6 | lsb;
}

uint64_t mce_addr(uint64_t gpa, unsigned lsb)
{
	unsigned shift = (unsigned)(mce_misc(lsb) & 0x3f);
	return gpa & ~(((uint64_t)1 << shift) - 1);
}

static bool intel_like(enum x86_vendor v)
{
	/* Other vendors (Centaur, Zhaoxin) implement Intel's MCA. */
	return v != X86_VENDOR_AMD;
}

static bool lmce_enabled(enum x86_vendor v, uint64_t mcg_cap, const struct mce_vcpu_state *t)
{
	return intel_like(v) && (mcg_cap & MCG_LMCE_P) && (t->mcg_ext_ctl & MCE_EXT_CTL_LMCE_EN);
}

bool mce_broadcasts(enum x86_vendor v, uint64_t mcg_cap, const struct mce_vcpu_state *t)
{
	return intel_like(v) && !lmce_enabled(v, mcg_cap, t);
}

/* Ends a decision that reached the target vCPU through KVM's checks. */
static void decide_target(const struct mce_machine *m, const struct mce_vcpu_state *t, bool ar,
			  struct mce_decision *d)
{
	unsigned bank = d->mce.rec.bank;
	uint64_t bank_status;

	d->mce.outcome = mce_kvm_outcome(m->mcg_cap, t, &d->mce.rec, &bank_status);
	switch (d->mce.outcome) {
	case MCE_OUTCOME_DROPPED_GLOBAL:
		d->v.action = MF_ACTION_IGNORE;
		mf_verdict_say(&d->v, "CPU %d: guest disabled machine-check reporting (MCG_CTL=0x%" PRIx64 ")",
		    d->v.cpu, t->mcg_ctl);
		return;
	case MCE_OUTCOME_DROPPED_BANK:
		d->v.action = MF_ACTION_IGNORE;
		mf_verdict_say(&d->v, "CPU %d: bank %u reporting disabled by the guest (MC%u_CTL=0x%" PRIx64 ")",
		    d->v.cpu, bank, bank, t->bank[bank].ctl);
		return;
	case MCE_OUTCOME_NO_MCE:
		d->v.action = MF_ACTION_RESET;
		mf_verdict_say(&d->v, "CPU %d: MCE capability is not enabled, raising triple fault", d->v.cpu);
		return;
	case MCE_OUTCOME_IN_PROGRESS:
		d->v.action = MF_ACTION_RESET;
		mf_verdict_say(&d->v, "CPU %d: Previous MCE still in progress, raising triple fault", d->v.cpu);
		return;
	case MCE_OUTCOME_INVALID:
		/* The bank count was checked before a record was built. */
		d->v.action = ar ? MF_ACTION_FATAL : MF_ACTION_IGNORE;
		mf_verdict_say(&d->v, "CPU %d: KVM would refuse the record for bank %u", d->v.cpu, bank);
		return;
	case MCE_OUTCOME_OVERFLOWED:
		d->v.action = MF_ACTION_INJECT;
		mf_verdict_say(&d->v, "CPU %d: bank %u still holds an unread uncorrected error; only its OVER bit "
		    "was set, so this address is not reported", d->v.cpu, bank);
		return;
	case MCE_OUTCOME_RAISED:
	case MCE_OUTCOME_LOGGED:
		d->v.action = MF_ACTION_INJECT;
		d->mce.rec.status = bank_status;
		return;
	}
}

struct mce_record mce_broadcast_record(void)
{
	return (struct mce_record){
		.bank = MCE_BANK_BROADCAST,
		.status = MCE_STATUS_VAL | MCE_STATUS_UC,
		.mcg_status = MCE_MCG_MCIP | MCE_MCG_RIPV,
	};
}

static void decide_broadcast(const struct mce_machine *m, struct mce_decision *d)
{
	d->mce.broadcast_rec = mce_broadcast_record();
	d->mce.broadcast = m->nvcpus > 1;
	for (unsigned i = 0; i < m->nvcpus; i++) {
		const struct mce_vcpu_state *o = &m->vcpu[i];
		if ((int)i == d->v.cpu)
			continue;
		switch (mce_kvm_outcome(m->mcg_cap, o, &d->mce.broadcast_rec, NULL)) {
		case MCE_OUTCOME_NO_MCE:
			d->v.action = MF_ACTION_RESET;
			d->mce.blocker = (int)i;
			mf_verdict_say(&d->v, "CPU %u: MCE capability is not enabled, raising triple fault", i);
			return;
		case MCE_OUTCOME_IN_PROGRESS:
			d->v.action = MF_ACTION_RESET;
			d->mce.blocker = (int)i;
			d->v.recursive = true;
			mf_verdict_say(&d->v, "CPU %u: Previous MCE still in progress, raising triple fault", i);
			return;
		default:
			/* A vCPU with reporting off simply does not see it. */
			break;
		}
	}
}

int mce_decide(const struct mce_machine *m, const struct memory_failure *f, struct mce_decision *d)
{
	int lsb = mf_lsb_normalize(f->lsb);
	const struct mce_vcpu_state *t;
	unsigned banks = m->mcg_cap & MCG_CAP_COUNT_MASK;
	bool ar = f->action_required;
	char size[16];

	memset(d, 0, sizeof(*d));
	d->mce.blocker = -1;
	d->mce.outcome = MCE_OUTCOME_INVALID;
	if (mf_verdict_common(f, &d->v))
		return 0;
	if (lsb < 0)
		lsb = MF_LSB_MAX;
	if (d->v.cpu < 0)
		d->v.cpu = 0;
	if ((unsigned)d->v.cpu >= m->nvcpus || !m->vcpu)
		return -1;
	t = &m->vcpu[d->v.cpu];

	/* Software error recovery is announced by MCG_SER_P on Intel. On AMD,
	 * MCG_CAP bits 9-63 are reserved (KVM clears them) and the guest looks
	 * for SUCCOR in CPUID instead, which vmras sets for AMD guests. */
	if ((m->vendor != X86_VENDOR_AMD && !(m->mcg_cap & MCG_SER_P)) || banks <= MCE_BANK_MEMORY) {
		mf_size_name((unsigned)lsb, size, sizeof(size));
		d->v.action = ar ? MF_ACTION_FATAL : MF_ACTION_IGNORE;
		mf_verdict_say(&d->v, "CPU %d: the guest cannot be told of poisoned guest memory (%s at 0x%" PRIx64
		    "): MCG_CAP=0x%" PRIx64 " %s%s", d->v.cpu, size, f->gpa, m->mcg_cap,
		    !(m->mcg_cap & MCG_SER_P) ? "lacks MCG_SER_P" : "has no bank 9",
		    ar ? ", and the vCPU cannot resume without it" : "");
		return 0;
	}

	d->v.recursive = t->mcg_status & MCE_MCG_MCIP;
	if (!ar && d->v.recursive) {
		d->v.action = MF_ACTION_IGNORE;
		mf_verdict_say(&d->v, "CPU %d: Previous MCE still in progress, action-optional error not reported",
		    d->v.cpu);
		return 0;
	}

	d->mce.rec = (struct mce_record){
		.bank = MCE_BANK_MEMORY,
		.status = mce_memory_status(m->vendor, ar),
		.mcg_status = mce_memory_mcg_status(m->vendor, ar),
		.addr = mce_addr(f->gpa, (unsigned)lsb),
		.misc = mce_misc((unsigned)lsb),
	};
	if (lmce_enabled(m->vendor, m->mcg_cap, t))
		d->mce.rec.mcg_status |= MCE_MCG_LMCE;

	decide_target(m, t, ar, d);
	if (d->v.action == MF_ACTION_INJECT && d->mce.outcome == MCE_OUTCOME_RAISED &&
	    mce_broadcasts(m->vendor, m->mcg_cap, t))
		decide_broadcast(m, d);
	return 0;
}
