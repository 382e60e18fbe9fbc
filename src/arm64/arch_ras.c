/* arm64's side of the memory-failure path: the verdict of arm64/mf.h over
 * the state of the GHES channel, the SEA that notifies the action-required
 * source, the GED that notifies the action-optional one, and the event's
 * "arm" member. No machine checks: inject-mce is refused. */
#include "vmm/arch.h"

#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "acpi/hest.h"
#include "arm64/arch_kvm.h"
#include "arm64/arch_ras.h"
#include "arm64/ghes_layout.h"
#include "arm64/mf.h"
#include "qmp/error.h"
#include "ras/event.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/vcpu_loop.h"

int arch_mf_decide(struct machine *m, const struct memory_failure *f, bool read_state, struct mf_decision *d)
{
	struct arm64_mf_report *r = &m->arch.mf_report;
	bool uefi = m->opts->firmware != NULL, ghes = m->channels & RAS_MODE_GHES;
	/* The device exists only for a UEFI boot with --ras ghes|both. */
	enum arm64_mf_channel ch = arm64_mf_channel(uefi, ghes, uefi && ghes && ghes_dev_placed(&m->ghes));

	(void)read_state;
	memset(d, 0, sizeof(*d));
	*r = (struct arm64_mf_report){ .open = true, .cpu = f->vcpu, .verdict = &d->v };
	d->arch.report = r;
	return arm64_mf_decide(f, m->ncpus, ch, m->arch.sea_ok, &d->v);
}

/* Nothing: the SEA goes with the record (arm64_ghes_notify), and arm64's
 * channels never include RAS_MODE_MCE, so the RAS path does not call this. */
int arch_mf_inject(struct machine *m, const struct mf_decision *d)
{
	(void)m;
	(void)d;
	return EOPNOTSUPP;
}

void arch_mf_event(const struct mf_decision *d, bool arch_channel, bool ghes_record, struct mf_event_arch *out)
{
	struct arm64_mf_report *r = d->arch.report;

	(void)arch_channel;
	*out = (struct mf_event_arch){ 0 };
	if (!r)
		return;
	/* The decision is done with: no notify may write its verdict now. */
	r->open = false;
	if (ghes_record)
		*out = arm64_mf_event_arch(&r->detail);
}

struct sea_arg {
	int err;
};

static void sea_on(struct vcpu *v, void *arg)
{
	struct sea_arg *a = arg;

	a->err = arm64_kvm_inject_sea(&v->kvm) ? errno : 0;
}

static void sea(struct machine *m, int cpu)
{
	struct arm64_mf_report *r = &m->arch.mf_report;
	struct sea_arg a = { 0 };

	if (cpu < 0 || (unsigned)cpu >= m->ncpus) {
		log_error("GHES source %u: a record for no vCPU (%d): no SEA; it waits in the block for the next "
			  "one", ACPI_GHES_SOURCE_AR, cpu);
		return;
	}
	vcpu_run_on(&m->vcpus[cpu], sea_on, &a);
	if (a.err)
		log_error("vCPU %d: KVM_SET_VCPU_EVENTS (SEA for GHES source %u): %s", cpu, ACPI_GHES_SOURCE_AR,
			  strerror(a.err));
	/* The report being decided, when this is its record (the RAS thread,
	 * the only one that notifies with a vCPU). */
	if (!r->open || r->cpu != cpu)
		return;
	r->detail.sea = !a.err;
	if (a.err)
		mf_verdict_say(r->verdict, "the SEA on vCPU %d failed (KVM_SET_VCPU_EVENTS: %s): the record "
			       "waits in GHES source %u until the guest takes another SEA", cpu, strerror(a.err),
			       ACPI_GHES_SOURCE_AR);
}

void arm64_ghes_notify(void *opaque, unsigned source, int cpu)
{
	struct machine *m = opaque;

	if (source != ACPI_GHES_SOURCE_AR) {
		ged_event(&m->ged, GED_EVENT_HW_ERROR);
		return;
	}
	sea(m, cpu);
}

int arm64_ghes_placed_at(struct machine *m, uint64_t hw_errors)
{
	if (ghes_dev_place(&m->ghes, arm64_ghes_pointers_gpa(hw_errors), arm64_ghes_blocks_gpa(hw_errors))) {
		log_error("the firmware put etc/hardware_errors at 0x%" PRIx64 ", which is not %llu bytes of guest "
			  "RAM: memory errors cannot be reported to this guest", hw_errors, ARM64_GHES_MEM_SIZE);
		return -1;
	}
	log_info("GHES error status blocks placed by the firmware at 0x%" PRIx64, hw_errors);
	return 0;
}

int arch_qmp_inject_mce(struct machine *m, const struct qmp_mce *mce, struct qmp_error *err)
{
	(void)m;
	(void)mce;
	qmp_error_set(err, QMP_ERR_GENERIC, "inject-mce injects x86 machine checks; this is an arm64 machine "
		      "(use inject-memory-failure)");
	return -1;
}
