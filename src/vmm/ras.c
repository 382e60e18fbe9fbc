#include "vmm/ras.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "ras/apei.h"
#include "ras/cper.h"
#include "ras/event.h"
#include "ras/lost_pages.h"
#include "ras/memory_failure.h"
#include "qmp/memory_failures.h"
#include "ras/poison.h"
#include "vmm/console.h"
#include "vmm/event_sink.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/ram_poison.h"
#include "vmm/sigbus.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif

struct ras {
	struct machine *m;
	struct poison_registry *registry;   /* under m->vm_lock */
	struct lost_pages *lost;            /* pages of lost hugepages vCPUs were told of; vm_lock */
	pthread_t thread;
};

/* One MEMORY_FAILURE event to every sink. */
static void send(const struct mf_event *ev)
{
	size_t len;
	char *line = mf_event_line(ev, &len);

	if (!line) {
		log_error("cannot encode a MEMORY_FAILURE event (out of memory)");
		return;
	}
	event_sinks_emit(line, len);
	free(line);
}

/* Returns false when the report was a repeat not due an event of its own. */
static bool emit(const struct memory_failure *f, const struct mf_decision *d, bool arch_told,
		 const struct mf_event_ghes *ghes, const struct poison_entry *entry, bool repeat, uint64_t time_ns)
{
	struct mf_event_arch arch;

	arch_mf_event(d, arch_told, ghes != NULL, &arch);
	struct mf_event ev = mf_event_from_decision(f, &d->v, arch.member ? &arch : NULL, ghes, entry, time_ns);
	ev.repeat = repeat;

	if (!mf_event_due(&ev))
		return false;
	send(&ev);
	return true;
}

/* An event for a page that no decision about the guest concerns: found
 * without a report, or reported for a guest a reset has replaced. */
static void emit_plain(const struct memory_failure *f, enum mf_action action, const char *reason,
		       const struct poison_entry *entry, uint64_t time_ns)
{
	const struct mf_event ev = { .failure = f, .action = action, .cpu = f->vcpu, .reason = reason,
				     .poison = entry, .time_ns = time_ns };

	send(&ev);
}

static void describe(const struct memory_failure *f, const struct mf_verdict *v)
{
	char where[96];

	if (f->recipient == MF_RECIPIENT_GUEST)
		snprintf(where, sizeof(where), "guest page 0x%" PRIx64 " (%s)", f->gpa, f->region ? f->region : "?");
	else
		snprintf(where, sizeof(where), "vmras memory at 0x%" PRIx64, f->hva);
	log_info("memory failure: %s, %s,%s size 0x%llx: %s%s%s", where,
		 f->action_required ? "action required" : "action optional",
		 f->vcpu >= 0 ? " on a vCPU," : "", (unsigned long long)mf_lsb_size(f->lsb),
		 mf_action_name(v->action), v->reason[0] ? " - " : "", v->reason);
}

/* The CPER record of a memory failure, handed to its GHES source. */
static void ras_ghes_record(struct machine *m, const struct memory_failure *f,
			    const struct apei_plan *plan, struct mf_event_ghes *out, int vcpu)
{
	uint8_t rec[CPER_MEM_RECORD_LEN];
	/* The guest isolates one 4 KiB page per memory section: a record
	 * names the page concerned; the rest of a larger extent goes in
	 * records of its own (tell_lost_pages). */
	const struct cper_mem_error err = {
		.phys_addr = f->gpa,
		.size = mf_lsb_size(MF_PAGE_SHIFT),
		.severity = CPER_SEV_RECOVERABLE,
		.error_type = f->action_required ? CPER_MEM_ERR_MULTI_BIT_ECC : CPER_MEM_ERR_SCRUB_UE,
	};
	ssize_t len = cper_encode_mem_error(rec, sizeof(rec), &err);
	struct ghes_dev_result r = { .what = GHES_INVALID };

	if (len > 0)
		r = ghes_dev_submit(&m->ghes, plan->source, rec, (size_t)len, f->gpa, vcpu);
	*out = (struct mf_event_ghes){ .source = plan->source, .what = r.what, .waiting = r.waiting };
}

/* Tells the guest, through GHES source `source`, of each 4 KiB page in
 * gpas[0..n): one CPER memory section per page, since the guest isolates
 * one page per section. Returns how many it could not take (queue full). */
static size_t ghes_tell_pages(struct machine *m, unsigned source, const uint64_t *gpas, size_t n)
{
	size_t dropped = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t rec[CPER_MEM_RECORD_LEN];
		const struct cper_mem_error err = {
			.phys_addr = gpas[i], .size = mf_lsb_size(MF_PAGE_SHIFT),
			.severity = CPER_SEV_RECOVERABLE, .error_type = CPER_MEM_ERR_SCRUB_UE,
		};
		ssize_t len = cper_encode_mem_error(rec, sizeof(rec), &err);
		struct ghes_dev_result r = { .what = GHES_INVALID };

		if (len > 0)
			r = ghes_dev_submit(&m->ghes, source, rec, (size_t)len, gpas[i], -1);
		if (r.what != GHES_WRITE_NOW && r.what != GHES_QUEUED)
			dropped++;
	}
	return dropped;
}

/* A hugepage (an extent larger than 4 KiB) was lost, first report: the
 * guest learns of every 4 KiB page of it, not only the one this report
 * names (which its own record or machine check tells), through the
 * action-optional source: none of those pages was consumed, and that
 * source's notification (the GED's interrupt) lets the guest process one
 * record at a time in thread context. */
static void tell_lost_pages(struct machine *m, const struct memory_failure *f, bool told_own)
{
	uint64_t size = mf_lsb_size(f->lsb), extent = f->gpa & ~(size - 1);
	size_t n = lost_pages_list(extent, f->lsb, told_own ? f->gpa : UINT64_MAX, NULL, 0), dropped;
	uint64_t *gpas = malloc(n * sizeof(*gpas));
	char sz[16];

	if (!gpas) {
		log_error("memory failure: cannot list the %zu pages of the lost page at 0x%" PRIx64
			  " (out of memory): the guest is told of them only as they are touched", n, extent);
		return;
	}
	lost_pages_list(extent, f->lsb, told_own ? f->gpa : UINT64_MAX, gpas, n);
	dropped = ghes_tell_pages(m, ACPI_GHES_SOURCE_AO, gpas, n);
	free(gpas);
	mf_size_name(f->lsb, sz, sizeof(sz));
	if (dropped)
		log_error("memory failure: %zu of the %zu other 4 KiB pages of the lost %s page at 0x%" PRIx64
			  " could not be queued for GHES source %u; the guest is told of those when a vCPU "
			  "touches them", dropped, n, sz, extent, ACPI_GHES_SOURCE_AO);
	log_info("memory failure: told the guest of %zu other 4 KiB page%s of the lost %s page at 0x%" PRIx64
		 " through GHES source %u", n - dropped, n - dropped == 1 ? "" : "s", sz, extent, ACPI_GHES_SOURCE_AO);
}

/* The count the channels go by (apei_plan: a first report gets a record,
 * an action-required repeat does not). For a lost hugepage that is per
 * 4 KiB page, not per extent: a vCPU touching a page of it no vCPU was
 * told of yet must be told of that page now, or it faults on it forever. */
static uint32_t page_count(struct ras *ras, const struct memory_failure *f, bool repeat, uint32_t count)
{
	uint64_t extent;
	int fresh;

	if (f->recipient != MF_RECIPIENT_GUEST || f->lsb <= MF_PAGE_SHIFT)
		return count;
	extent = f->gpa & ~(mf_lsb_size(f->lsb) - 1);
	if (!repeat)
		lost_pages_forget(ras->lost, extent);   /* new, or lost again after a reset */
	if (!f->action_required)
		return repeat ? count : 1;
	fresh = lost_pages_mark(ras->lost, extent, f->lsb, f->gpa);
	if (fresh == 1)
		return 1;
	if (fresh < 0 && errno == ENOMEM)
		log_error("memory failure: cannot track the pages of the lost page at 0x%" PRIx64 " (out of memory)",
			  extent);
	return count > 1 ? count : 2;
}

/* One memory-error report, from translation to action. */
static void handle(struct ras *ras, const struct sigbus_event *e)
{
	struct machine *m = ras->m;
	struct memory_failure f = { 0 };
	const struct ram_region *region = NULL;
	const struct poison_entry *entry = NULL;
	struct mf_decision d;
	struct apei_plan plan;
	struct mf_event_ghes ghes = { 0 };
	bool use_mce = m->channels & RAS_MODE_MCE, use_ghes = m->channels & RAS_MODE_GHES;
	int lsb = mf_lsb_normalize((unsigned)e->lsb);
	bool own_load, current_vcpu, repeat;
	uint32_t count;
	int added;
	char sz[16];

	f.action_required = e->code == BUS_MCEERR_AR;
	own_load = f.action_required && e->vcpu < 0;
	f.hva = e->addr;
	f.lsb = lsb < 0 ? MF_PAGE_SHIFT : (unsigned)lsb;
	f.vcpu = e->vcpu;
	if (guest_ram_hva_to_gpa(&m->ram, (const void *)e->addr, &f.gpa, &region)) {
		f.recipient = MF_RECIPIENT_GUEST;
		f.region = region->name;
		/* The backing loses whole pages of its own size: a report
		 * inside a hugepage is about all of it. */
		mf_widen(&f, ram_region_page_shift(region));
	} else {
		f.recipient = MF_RECIPIENT_HYPERVISOR;
	}

	pthread_mutex_lock(&m->vm_lock);
	/* Guest memory needs the vCPUs; across a reset, wait for the new VM.
	 * Not for a load of vmras's own: its verdict (fatal) needs no VM, and
	 * the thread that would build the next VM may be the one waiting for it. */
	while (f.recipient == MF_RECIPIENT_GUEST && !own_load && !m->vm_alive && !machine_stopping(m))
		pthread_cond_wait(&m->vm_cond, &m->vm_lock);
	/* A vCPU that took the report waits for this verdict, unless it
	 * belonged to a VM that a reset has since torn down. */
	current_vcpu = f.action_required && e->vcpu >= 0 && (unsigned)e->vcpu < m->ncpus && m->vm_alive &&
		       e->vm == m->boots;
	if (f.recipient == MF_RECIPIENT_GUEST && !own_load && !e->synthetic &&
	    ram_poison_probe(region, f.gpa) == 0) {
		/* Healthy memory behind it now: a reset replaced the page after
		 * the report was taken. The guest it concerned is gone; telling
		 * the new one would only reset it again. */
		emit_plain(&f, MF_ACTION_IGNORE, "the page was replaced at a guest reset after this report was taken",
			   NULL, e->time_ns);
		log_info("memory failure: guest page 0x%" PRIx64 " was replaced at a reset since it was reported; "
			 "nothing to tell", f.gpa);
		if (current_vcpu)
			vcpu_ar_done(&m->vcpus[e->vcpu]);
		pthread_mutex_unlock(&m->vm_lock);
		return;
	}
	if (arch_mf_decide(m, &f, f.recipient == MF_RECIPIENT_GUEST && m->vm_alive && !own_load, &d)) {
		log_error("memory failure at 0x%" PRIxPTR ": no vCPU %d to tell", e->addr, e->vcpu);
		pthread_mutex_unlock(&m->vm_lock);
		return;
	}
	added = poison_record(ras->registry, &f, d.v.action, e->time_ns, &entry);
	if (added < 0) {
		log_error("poison registry: %s", strerror(errno));
		entry = NULL;
	}
	repeat = added == POISON_DUPLICATE;
	count = page_count(ras, &f, repeat, entry ? entry->count : 1);
	apei_plan(use_mce, use_ghes, &f, count, &d.v, &plan);
	if (plan.submit && m->vm_alive) {
		/* A record only lands in guest memory and raises a notification
		 * the guest handles later: nothing irrevocable, so it goes before
		 * the event, which can then say where it went. */
		ras_ghes_record(m, &f, &plan, &ghes, e->vcpu);
		apei_settle(&plan, ghes.what, ghes.waiting, &d.v);
	}
	if (f.recipient == MF_RECIPIENT_GUEST && f.lsb > MF_PAGE_SHIFT && !repeat && use_ghes && m->vm_alive &&
	    !d.v.no_ghes && (d.v.action == MF_ACTION_INJECT || d.v.action == MF_ACTION_IGNORE))
		tell_lost_pages(m, &f, plan.submit);
	/* The event goes out before anything else is done about it. */
	if (emit(&f, &d, plan.mce, plan.submit ? &ghes : NULL, entry, repeat, e->time_ns))
		describe(&f, &d.v);
	else if (repeat && f.lsb > MF_PAGE_SHIFT && !(count & (count - 1)))
		log_info("memory failure: guest page 0x%" PRIx64 " of a lost %s page, %s (report %" PRIu32
			 " of it): %s%s%s", f.gpa, mf_size_name(f.lsb, sz, sizeof(sz)),
			 f.action_required ? "action required" : "action optional", entry ? entry->count : 0,
			 mf_action_name(d.v.action), d.v.reason[0] ? " - " : "", d.v.reason);
	switch (d.v.action) {
	case MF_ACTION_INJECT:
		if (m->vm_alive && plan.mce)
			arch_mf_inject(m, &d);
		break;
	case MF_ACTION_RESET:
		machine_request(m, MACHINE_RESET, d.v.reason);
		break;
	case MF_ACTION_FATAL:
		log_error("fatal memory failure at host address 0x%" PRIx64 ": %s", f.hva, d.v.reason);
		console_restore_terminal();
		_exit(1);
	case MF_ACTION_IGNORE:
		break;
	}
	if (current_vcpu)
		vcpu_ar_done(&m->vcpus[e->vcpu]);
	pthread_mutex_unlock(&m->vm_lock);
}

static void *ras_thread(void *arg)
{
	struct ras *ras = arg;
	struct pollfd p = { .fd = sigbus_intake_eventfd(), .events = POLLIN };

	pthread_setname_np(pthread_self(), "ras");
	sigbus_set_thread_handler();
	for (;;) {
		struct sigbus_event e;
		unsigned long lost;

		if (poll(&p, 1, -1) < 0 && errno != EINTR)
			break;
		while (sigbus_intake_take(&e))
			handle(ras, &e);
		lost = sigbus_intake_dropped();
		if (lost)
			log_error("%lu memory-error reports were lost: the intake ring (%d) overflowed",
				  lost, SIGBUS_RING_SLOTS);
	}
	return NULL;
}

struct start_arg {
	struct ras *ras;
	bool early_kill;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int done;
};

static void *ras_thread_start(void *arg)
{
	struct start_arg *sa = arg;
	struct ras *ras = sa->ras;

	/* Early kill is a per-thread choice: the kernel sends BUS_MCEERR_AO to
	 * the thread that asked for it, which is this one. */
	prctl(PR_MCE_KILL, PR_MCE_KILL_SET, sa->early_kill ? PR_MCE_KILL_EARLY : PR_MCE_KILL_LATE, 0, 0);
	pthread_mutex_lock(&sa->lock);
	sa->done = 1;
	pthread_cond_signal(&sa->cond);
	pthread_mutex_unlock(&sa->lock);
	return ras_thread(ras);
}

int ras_start(struct machine *m, bool early_kill, char *why, size_t whylen)
{
	struct ras *ras = calloc(1, sizeof(*ras));
	struct start_arg sa = { .early_kill = early_kill };
	int err;

	if (!ras || !(ras->registry = poison_new()) || !(ras->lost = lost_pages_new())) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	ras->m = m;
	m->ras = ras;
	if (sigbus_intake_install()) {
		snprintf(why, whylen, "cannot install the SIGBUS handler: %s", strerror(errno));
		return -1;
	}
	sa.ras = ras;
	pthread_mutex_init(&sa.lock, NULL);
	pthread_cond_init(&sa.cond, NULL);
	err = pthread_create(&ras->thread, NULL, ras_thread_start, &sa);
	if (err) {
		snprintf(why, whylen, "cannot start the memory-failure thread: %s", strerror(err));
		return -1;
	}
	/* Wait until the thread has asked for early kill, so no report made
	 * from now on can miss it. */
	pthread_mutex_lock(&sa.lock);
	while (!sa.done)
		pthread_cond_wait(&sa.cond, &sa.lock);
	pthread_mutex_unlock(&sa.lock);
	pthread_detach(ras->thread);
	return 0;
}

int ras_synthetic(struct machine *m, uint64_t gpa, bool ar)
{
	struct ras *ras = m->ras;
	uint64_t page = gpa & ~((UINT64_C(1) << MF_PAGE_SHIFT) - 1);
	void *hva = guest_ram_gpa_to_hva(&m->ram, page, UINT64_C(1) << MF_PAGE_SHIFT);
	int err = ESRCH;

	if (!ras || !hva) {
		log_error("synthetic memory error: 0x%" PRIx64 " is not guest RAM; ignored", gpa);
		return EFAULT;
	}
	log_info("synthetic %s memory error queued for guest page 0x%" PRIx64,
		 ar ? "action-required" : "action-optional", page);
	/* The threads the kernel would pick: the vCPU that touched the page
	 * (vCPU 0 here), or the thread that asked for early kills. */
	pthread_mutex_lock(&m->vm_lock);
	if (!ar)
		err = sigbus_queue_synthetic(ras->thread, hva, false);
	else if (m->vm_alive && m->ncpus && m->vcpus[0].running)
		err = sigbus_queue_synthetic(m->vcpus[0].thread, hva, true);
	pthread_mutex_unlock(&m->vm_lock);
	if (err)
		log_error("synthetic memory error at 0x%" PRIx64 ": %s", gpa, strerror(err));
	return err;
}

struct json_object *ras_memory_failures(struct machine *m)
{
	struct json_object *list;

	if (!m->ras)
		return NULL;
	pthread_mutex_lock(&m->vm_lock);
	list = qmp_memory_failures(m->ras->registry);
	pthread_mutex_unlock(&m->vm_lock);
	return list;
}

/* A guest page found poisoned (vm_lock held): unless a report named it
 * already, recorded and announced, so that the reset replaces it. Returns
 * whether it was news. */
static bool record_found(struct ras *ras, const struct ram_region *r, uint64_t gpa, bool touched)
{
	const struct poison_entry *known = poison_find_gpa(ras->registry, gpa), *entry = NULL;
	/* The backing's whole page is lost (a hugepage: one extent). */
	uint64_t page = gpa & ~((UINT64_C(1) << ram_region_page_shift(r)) - 1);
	const struct memory_failure f = {
		.recipient = MF_RECIPIENT_GUEST, .action_required = touched, .gpa = page,
		.hva = (uint64_t)(uintptr_t)(r->hva + (page - r->gpa)), .lsb = ram_region_page_shift(r), .vcpu = -1,
		.region = r->name,
	};
	uint64_t now = event_now_ns();

	if (known && !known->replaced)
		return false;   /* reported already; replaced with the others */
	if (poison_record(ras->registry, &f, MF_ACTION_RESET, now, &entry) < 0) {
		log_error("poison registry: %s", strerror(errno));
		entry = NULL;
	}
	emit_plain(&f, MF_ACTION_RESET,
		   touched ? "vmras touched this page, which no report had named, while it reloaded the guest; "
			     "it is replaced and the reload done again"
			   : "found poisoned at the guest's reset, though no report had named it; "
			     "replaced before the guest boots again",
		   entry, now);
	return true;
}

struct scan {
	struct ras *ras;
	size_t found;
};

static void scan_found(void *opaque, const struct ram_region *r, uint64_t gpa)
{
	struct scan *sc = opaque;

	if (record_found(sc->ras, r, gpa, false))
		sc->found++;
}

/* Replaces the pending extents (vm_lock held). */
static void replace_pending(struct machine *m, const char *when)
{
	struct ras *ras = m->ras;
	struct poison_run *runs = NULL;
	size_t n = 0, done = 0;

	if (poison_runs(ras->registry, &runs, &n)) {
		log_error("poison registry: %s", strerror(errno));
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const struct ram_region *r = guest_ram_find_gpa(&m->ram, runs[i].gpa, runs[i].size);
		uint64_t page = r ? UINT64_C(1) << ram_region_page_shift(r) : 1;
		uint64_t start = runs[i].gpa & ~(page - 1);
		uint64_t len = ((runs[i].gpa + runs[i].size + page - 1) & ~(page - 1)) - start;

		/* Runs are kept inside one region; a hole punch drops the poisoned
		 * pages from the backing, and the next access gets fresh zeroed
		 * ones. The backing loses and replaces whole pages of its own size
		 * (hugetlbfs punches only whole hugepages), so the run is widened
		 * to them; regions start and end on them. The punch leaves vmras's
		 * own page-table entries for them alone, though: the kernel turned
		 * each into a hwpoison entry, which a truncation does not zap, so
		 * the next access (KVM's included) would still fault.
		 * MADV_DONTNEED drops those entries. */
		if (!r || fallocate(r->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				    (off_t)ram_region_offset(r, start), (off_t)len) ||
		    madvise(r->hva + (start - r->gpa), len, MADV_DONTNEED)) {
			log_error("cannot replace poisoned guest memory 0x%" PRIx64 "+0x%" PRIx64 ": %s",
				  runs[i].gpa, runs[i].size, r ? strerror(errno) : "not guest RAM");
			continue;
		}
		runs[done++] = runs[i];
	}
	if (done) {
		size_t marked = poison_mark_replaced(ras->registry, runs, done);
		log_info("%s: replaced %zu poisoned page%s in %zu hole punch%s", when, marked,
			 marked == 1 ? "" : "s", done, done == 1 ? "" : "es");
	}
	free(runs);
}

void ras_replace_poisoned(struct machine *m)
{
	struct scan sc = { .ras = m->ras };
	long n;

	if (!sc.ras)
		return;
	pthread_mutex_lock(&m->vm_lock);
	/* Reports can be lost (a burst coalesces signals), so the kernel's own
	 * marks are read too: the reload that follows must not meet a page
	 * nobody told vmras of. */
	n = ram_poison_scan(&m->ram, scan_found, &sc);
	if (n < 0)
		log_error("guest reset: cannot look for poisoned pages no report named: %s", strerror(errno));
	else if (sc.found)
		log_info("guest reset: found %zu poisoned page%s no report had named", sc.found,
			 sc.found == 1 ? "" : "s");
	replace_pending(m, "guest reset");
	pthread_mutex_unlock(&m->vm_lock);
}

int ras_reload_fault(struct machine *m, uintptr_t hva, char *why, size_t whylen)
{
	const struct ram_region *r = NULL;
	uint64_t gpa;

	if (!m->ras || !guest_ram_hva_to_gpa(&m->ram, (const void *)hva, &gpa, &r)) {
		/* The kernel or initrd file itself (its page cache) is poisoned. */
		snprintf(why, whylen, "reloading the guest's images touched poisoned memory outside guest RAM "
			 "(host address 0x%" PRIxPTR "): the kernel or initrd file cannot be read", hva);
		return -1;
	}
	gpa &= ~(uint64_t)((1u << MF_PAGE_SHIFT) - 1);
	log_info("guest reset: the reload touched poisoned guest page 0x%" PRIx64 "; replacing it", gpa);
	pthread_mutex_lock(&m->vm_lock);
	record_found(m->ras, r, gpa, true);
	replace_pending(m, "guest reset");
	pthread_mutex_unlock(&m->vm_lock);
	return 0;
}
