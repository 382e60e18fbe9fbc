/* x86's side of the memory-failure path: the machine-check state of the
 * vCPUs, the decision table (x86/mce.h) over it, and KVM_X86_SET_MCE, for
 * the RAS thread and for QMP inject-mce. */
#include "vmm/arch.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "qmp/error.h"
#include "qmp/inject.h"
#include "x86/mce.h"
#include "x86/mce_event.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "x86/arch_kvm.h"

struct state_read {
	uint64_t mcg_cap;
	struct mce_vcpu_state *out;
	int rc;
};

static void read_state(struct vcpu *v, void *arg)
{
	struct state_read *r = arg;
	struct kvm_mce_state st;
	static const unsigned banks[] = { MCE_BANK_MEMORY, MCE_BANK_BROADCAST };

	memset(r->out, 0, sizeof(*r->out));
	r->rc = 0;
	for (unsigned i = 0; i < sizeof(banks) / sizeof(banks[0]); i++) {
		if (kvm_vcpu_get_mce_state(&v->kvm, r->mcg_cap, banks[i], &st)) {
			r->rc = -1;
			return;
		}
		r->out->bank[banks[i]].ctl = st.bank_ctl;
		r->out->bank[banks[i]].status = st.bank_status;
	}
	r->out->cr4_mce = st.cr4_mce;
	r->out->mcg_status = st.mcg_status;
	r->out->mcg_ctl = st.mcg_ctl;
	r->out->mcg_ext_ctl = st.mcg_ext_ctl;
}

struct injection {
	const struct mce_record *rec;
	int err;
};

static void inject(struct vcpu *v, void *arg)
{
	struct injection *in = arg;

	in->err = 0;
	if (kvm_vcpu_inject_mce(&v->kvm, in->rec->bank, in->rec->status, in->rec->mcg_status,
				in->rec->addr, in->rec->misc)) {
		/* errno is the vCPU thread's; the caller reads it from here. */
		in->err = errno;
		log_error("vCPU %u: KVM_X86_SET_MCE: %s", v->index, strerror(in->err));
	}
}

static int inject_on(struct vcpu *v, const struct mce_record *rec)
{
	struct injection in = { .rec = rec };
	vcpu_run_on(v, inject, &in);
	return in.err;
}

/* rec on vCPU cpu and, when broadcast is not NULL, broadcast on every other
 * vCPU, all while every vCPU is held out of the guest. vm_lock held, VM
 * alive. Returns 0, or the errno of the target's injection (all logged). */
static int inject_mce(struct machine *m, unsigned cpu, const struct mce_record *rec,
		      const struct mce_record *broadcast)
{
	int err;

	/* A broadcast reaches every vCPU before any runs again: the guest's
	 * handlers meet in a rendezvous with a timeout, which a vCPU-by-vCPU
	 * delivery could miss. */
	for (unsigned i = 0; broadcast && i < m->ncpus; i++)
		vcpu_hold(&m->vcpus[i], VCPU_HOLD_BROADCAST, true);
	err = inject_on(&m->vcpus[cpu], rec);
	for (unsigned i = 0; broadcast && i < m->ncpus; i++)
		if (i != cpu)
			inject_on(&m->vcpus[i], broadcast);
	for (unsigned i = 0; broadcast && i < m->ncpus; i++)
		vcpu_hold(&m->vcpus[i], VCPU_HOLD_BROADCAST, false);
	return err;
}

int arch_mf_decide(struct machine *m, const struct memory_failure *f, bool read_state_ok, struct mf_decision *d)
{
	struct machine_arch *a = &m->arch;
	const struct mce_machine mm = { .vendor = a->vendor, .mcg_cap = a->mcg_cap, .vcpu = a->mce_states,
					.nvcpus = m->ncpus };

	memset(a->mce_states, 0, m->ncpus * sizeof(a->mce_states[0]));
	if (read_state_ok && (m->channels & RAS_MODE_MCE)) {
		for (unsigned i = 0; i < m->ncpus; i++) {
			struct state_read r = { .mcg_cap = a->mcg_cap, .out = &a->mce_states[i] };
			vcpu_run_on(&m->vcpus[i], read_state, &r);
			if (r.rc)
				log_error("vCPU %u: cannot read machine-check state: %s", i, strerror(errno));
		}
	}
	struct mce_decision md;
	int rc = mce_decide(&mm, f, &md);

	d->v = md.v;
	d->arch.mce = md.mce;
	return rc;
}

int arch_mf_inject(struct machine *m, const struct mf_decision *d)
{
	const struct mce_detail *x = &d->arch.mce;

	return inject_mce(m, (unsigned)d->v.cpu, &x->rec, x->broadcast ? &x->broadcast_rec : NULL);
}

void arch_mf_event(const struct mf_decision *d, bool arch_channel, bool ghes_record, struct mf_event_arch *out)
{
	(void)ghes_record;
	*out = arch_channel ? mce_event_arch(&d->arch.mce) : (struct mf_event_arch){ 0 };
}

int arch_qmp_inject_mce(struct machine *m, const struct qmp_mce *mce, struct qmp_error *err)
{
	struct mce_record rec, bcast = mce_broadcast_record();
	int e, rc = -1;

	/* Intel and other non-AMD vendors are treated alike, as the RAS path does. */
	if (!qmp_mce_check(mce, m->ncpus, m->arch.mcg_cap, m->arch.vendor != X86_VENDOR_AMD, err))
		return -1;
	rec = (struct mce_record){ .bank = (unsigned)mce->bank, .status = mce->status,
				   .mcg_status = mce->mcg_status, .addr = mce->addr, .misc = mce->misc };
	pthread_mutex_lock(&m->vm_lock);
	if (!m->vm_alive) {
		qmp_error_set(err, QMP_ERR_GENERIC, "the VM is being reset or shut down: no vCPU to inject into");
	} else if ((e = inject_mce(m, (unsigned)mce->cpu_index, &rec, mce->broadcast ? &bcast : NULL))) {
		qmp_error_set(err, QMP_ERR_GENERIC, "KVM_X86_SET_MCE on vCPU %" PRId64 ": %s", mce->cpu_index,
			      strerror(e));
	} else {
		log_info("machine check injected over QMP: vCPU %" PRId64 ", bank %" PRId64 ", status 0x%" PRIx64
			 ", MCG_STATUS 0x%" PRIx64 "%s", mce->cpu_index, mce->bank, mce->status, mce->mcg_status,
			 mce->broadcast ? ", broadcast" : "");
		rc = 0;
	}
	pthread_mutex_unlock(&m->vm_lock);
	return rc;
}
