#include "vmm/ras.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "ras/apei.h"
#include "ras/bert.h"
#include "ras/cper.h"
#include "ras/event.h"
#include "ras/lost_pages.h"
#include "ras/memory_failure.h"
#include "qmp/memory_failures.h"
#include "qmp/ras_stats.h"
#include "ras/poison.h"
#include "vmm/console.h"
#include "vmm/event_sink.h"
#include "vmm/arch.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "vmm/ram_backing.h"
#include "vmm/ram_poison.h"
#include "vmm/sigbus.h"
#include "devices/ghes.h"

#ifndef BUS_MCEERR_AR
#define BUS_MCEERR_AR 4
#endif

/* With machine checks alone, an action-optional one that would reset the
 * VM (a broadcast meeting MCIP set) is decided again every MCE_RETRY_NS,
 * for MCE_HOLD_NS at most (an Intel guest's broadcast rendezvous waits up
 * to 1 s), at most MCE_HOLD_MAX at once; past either it goes as decided. */
#define MCE_RETRY_NS (5 * 1000 * 1000ull)
#define MCE_HOLD_NS (3000 * 1000 * 1000ull)
#define MCE_HOLD_MAX 1024

struct ras {
	struct machine *m;
	struct poison_registry *registry;   /* under m->vm_lock */
	struct lost_pages *lost;            /* pages of lost hugepages vCPUs were told of; vm_lock */
	pthread_t thread;
	/* Found poisoned in the RAM backing at start (ras_scan_backing), set
	 * before the first boot: what the first boot's BERT reports, and the
	 * pages no hole punch could replace (ras_avoided drops those a reset
	 * replaced since). */
	struct cper_mem_error *boot_errors;
	size_t nboot_errors;
	struct gpa_range *avoid;
	size_t navoid;
	int kick_fd;               /* eventfd: a GHES block is free and pages wait (ghes_dev_pump) */
	/* Counters for query-ras-stats, under m->vm_lock. */
	uint64_t reports, scan_found, told_mce, untold;
	uint64_t ao_mce_ns;        /* CLOCK_MONOTONIC of the last action-optional machine check */
	bool ao_seen;              /* a drain handled an action-optional guest report: scan (RAS thread only) */
	/* Per vCPU (up to the CLI's 255): its run of unanswered
	 * action-required faults on one page, to tell a stuck guest. */
	struct apei_streak streak[256];
	/* Action-optional machine checks held back while a vCPU handles the
	 * last one (--ras mce), oldest first; under m->vm_lock. */
	struct sigbus_event held[MCE_HOLD_MAX];
	unsigned held_head, held_count;
};

/* A scan of guest RAM follows action-optional reports: at once (at most
 * every SCAN_GAP_NS), then again SCAN_QUIET_NS later, and again while
 * scans find pages. */
#define SCAN_GAP_NS (20 * 1000 * 1000ull)
#define SCAN_QUIET_NS (100 * 1000 * 1000ull)
/* With GHES on too, an action-optional error gets a machine check only if
 * none went to the guest for this long: see docs/architecture.md. */
#define AO_MCE_QUIET_NS (1000 * 1000 * 1000ull)

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The GHES device's kick: wakes the RAS thread, which pumps. */
static void ras_kick(void *opaque)
{
	struct ras *ras = opaque;
	uint64_t one = 1;

	if (write(ras->kick_fd, &one, sizeof(one)) < 0) {
		/* The counter is saturated: a wake-up is pending anyway. */
	}
}

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

struct ghes_pages_result ras_ghes_tell_pages(struct machine *m, const uint64_t *gpas, size_t n, bool ar,
					     int vcpu)
{
	struct ghes_pages_result r = { 0 };
	struct cper_mem_error batch[64];
	unsigned source = ar ? ACPI_GHES_SOURCE_AR : ACPI_GHES_SOURCE_AO;

	/* In batches, so a whole lost hugepage needs no allocation here. */
	for (size_t done = 0; done < n;) {
		size_t k = n - done < 64 ? n - done : 64;
		struct ghes_pages_result part;

		for (size_t i = 0; i < k; i++)
			batch[i] = (struct cper_mem_error){
				.phys_addr = gpas[done + i] & ~(uint64_t)((1u << MF_PAGE_SHIFT) - 1),
				.size = UINT64_C(1) << MF_PAGE_SHIFT,
				.severity = CPER_SEV_RECOVERABLE,
				.error_type = ar ? CPER_MEM_ERR_MULTI_BIT_ECC : CPER_MEM_ERR_SCRUB_UE,
			};
		part = ghes_dev_submit_pages(&m->ghes, source, batch, k, vcpu);
		r.queued += part.queued;
		r.dropped += part.dropped;
		r.invalid += part.invalid;
		r.waiting = part.waiting;
		done += k;
	}
	if (r.dropped || r.invalid)
		log_error("GHES source %u: %zu of %zu pages could not be told to the guest (%zu: its backlog was "
			  "full, %zu: no error status block to write to)", source, r.dropped + r.invalid, n,
			  r.dropped, r.invalid);
	return r;
}

/* The CPER memory error of one report, handed to its GHES source. */
static void ras_ghes_record(struct machine *m, const struct memory_failure *f,
			    const struct apei_plan *plan, struct mf_event_ghes *out, int vcpu)
{
	/* The guest isolates one 4 KiB page per memory section: a record
	 * names the page concerned; the rest of a larger extent goes as
	 * pages of their own (tell_lost_pages). */
	const struct cper_mem_error err = {
		.phys_addr = f->gpa,
		.size = mf_lsb_size(MF_PAGE_SHIFT),
		.severity = CPER_SEV_RECOVERABLE,
		.error_type = f->action_required ? CPER_MEM_ERR_MULTI_BIT_ECC : CPER_MEM_ERR_SCRUB_UE,
	};
	struct ghes_pages_result r = ghes_dev_submit_pages(&m->ghes, plan->source, &err, 1, vcpu);
	enum ghes_submit what = r.invalid ? GHES_INVALID : r.dropped ? GHES_DROPPED
				: r.waiting ? GHES_QUEUED : GHES_WRITE_NOW;

	*out = (struct mf_event_ghes){ .source = plan->source, .what = what, .waiting = (unsigned)r.waiting };
}

/* Whether the page of host address hva waits for its machine check. */
static bool held_page(const struct ras *ras, uint64_t hva)
{
	uint64_t page = hva & ~(uint64_t)((1u << MF_PAGE_SHIFT) - 1);

	for (unsigned i = 0; i < ras->held_count; i++) {
		const struct sigbus_event *h = &ras->held[(ras->held_head + i) % MCE_HOLD_MAX];
		if ((h->addr & ~(uint64_t)((1u << MF_PAGE_SHIFT) - 1)) == page)
			return true;
	}
	return false;
}

/* Holds e back to be decided again (vm_lock held); false when it has
 * waited long enough or no room is left. */
static bool hold_mce(struct ras *ras, const struct sigbus_event *e)
{
	uint64_t now = mono_ns();
	struct sigbus_event *slot;

	if ((e->held_ns && now - e->held_ns >= MCE_HOLD_NS) || ras->held_count == MCE_HOLD_MAX)
		return false;
	slot = &ras->held[(ras->held_head + ras->held_count++) % MCE_HOLD_MAX];
	*slot = *e;
	if (!slot->held_ns)
		slot->held_ns = now;
	return true;
}

/* An action-optional report of a guest page the registry holds, not
 * replaced since, that a scan found first (or, for a found page, any
 * earlier record of it): the guest was told of it then. The report is
 * counted on the page's entry; nothing more is said. vm_lock held. */
static bool told_before(struct ras *ras, const struct memory_failure *f, const struct sigbus_event *e)
{
	struct machine *m = ras->m;
	const struct poison_entry *known;
	const struct ram_region *r = NULL;
	uint64_t gpa;

	if (!guest_ram_hva_to_gpa(&m->ram, (const void *)e->addr, &gpa, &r))
		return false;
	if (!e->held_ns && held_page(ras, e->addr))
		return true;   /* its machine check waits already: the same page again */
	known = poison_find_gpa(ras->registry, gpa);
	if (!known || known->replaced || (!e->found && !known->found))
		return false;
	if (!e->found) {
		if (poison_record(ras->registry, f, (enum mf_action)known->last_action, e->time_ns, NULL) < 0)
			log_error("poison registry: %s", strerror(errno));
		log_info("memory failure: guest page 0x%" PRIx64 " reported after a scan had found it; "
			 "the guest was told then", gpa);
	}
	return true;
}

/* A hugepage (an extent larger than 4 KiB) was lost, first report: the
 * guest learns of every 4 KiB page of it, not only the one this report
 * names (which its own record or machine check tells), through the
 * action-optional source: none of those pages was consumed, and that
 * source's notification (the GED's interrupt) lets the guest handle them
 * in thread context, a block of pages at a time (ras_ghes_tell_pages). */
static void tell_lost_pages(struct machine *m, const struct memory_failure *f, bool told_own)
{
	uint64_t size = mf_lsb_size(f->lsb), extent = f->gpa & ~(size - 1);
	size_t n = lost_pages_list(extent, f->lsb, told_own ? f->gpa : UINT64_MAX, NULL, 0);
	uint64_t *gpas = malloc(n * sizeof(*gpas));
	struct ghes_pages_result r;
	char sz[16];

	mf_size_name(f->lsb, sz, sizeof(sz));
	if (!gpas) {
		log_error("memory failure: cannot list the %zu pages of the lost %s page at 0x%" PRIx64
			  " (out of memory): the guest is told of them only as they are touched", n, sz, extent);
		return;
	}
	lost_pages_list(extent, f->lsb, told_own ? f->gpa : UINT64_MAX, gpas, n);
	/* Pages it cannot take it logs; the guest hears of those when a vCPU touches them. */
	r = ras_ghes_tell_pages(m, gpas, n, false, -1);
	free(gpas);
	log_info("memory failure: told the guest of %zu other 4 KiB page%s of the lost %s page at 0x%" PRIx64
		 " through GHES source %u (%zu waiting)", r.queued, r.queued == 1 ? "" : "s", sz, extent,
		 ACPI_GHES_SOURCE_AO, r.waiting);
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

/* A vCPU faulting again on a page nothing answers now (GHES alone told the
 * guest of it, or the guest refuses machine checks): wait, tell it again
 * (plan->submit, where GHES can), or reset the VM. */
static void streak_verdict(struct apei_streak *st, int vcpu, bool ghes, const struct memory_failure *f,
			   struct mf_verdict *v, struct apei_plan *plan)
{
	switch (apei_streak(st, f->gpa & ~(uint64_t)((1u << MF_PAGE_SHIFT) - 1), mono_ns(), ghes && !v->no_ghes)) {
	case APEI_WAIT:
		break;
	case APEI_TELL_AGAIN:
		plan->submit = true;
		v->action = MF_ACTION_INJECT;
		mf_verdict_say(v, "told again through GHES source %u: vCPU %d still faults on the page "
			       "(%" PRIu32 " reports) %llu ms after the guest was told; its queue may have "
			       "been full", plan->source, vcpu, st->reports,
			       (unsigned long long)(APEI_RETELL_NS / 1000000ull));
		break;
	case APEI_STUCK:
		v->action = MF_ACTION_RESET;
		mf_verdict_say(v, "vCPU %d faulted on this page for %llu s (%" PRIu32 " reports, told %" PRIu32
			       " times more) after GHES told the guest of it, and the guest did not isolate "
			       "it: reset, rather than a vCPU spinning", vcpu,
			       (unsigned long long)(APEI_STUCK_NS / 1000000000ull), st->reports, st->retold);
		break;
	}
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
	f.found = e->found;
	f.device = e->device;
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
	if (!e->found && !e->held_ns)
		ras->reports++;
	if (f.recipient == MF_RECIPIENT_GUEST && !f.action_required && told_before(ras, &f, e)) {
		pthread_mutex_unlock(&m->vm_lock);
		return;
	}
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
	/* Machine checks alone: an action-optional one that would reset the
	 * VM because a vCPU is still handling the last (an Intel broadcast
	 * meeting MCIP set) is decided again shortly instead. One the target
	 * itself refuses (its MCIP set) is ignored at once, as QEMU does. */
	if (use_mce && !use_ghes && !f.action_required && f.recipient == MF_RECIPIENT_GUEST && d.v.recursive &&
	    d.v.action == MF_ACTION_RESET && hold_mce(ras, e)) {
		pthread_mutex_unlock(&m->vm_lock);
		return;
	}
	if (e->device && !d.v.reason[0])
		mf_verdict_say(&d.v, "%s met the page in a request of the guest's: that request failed, the "
			       "device goes on", e->device);
	if (e->found && !d.v.reason[0])
		mf_verdict_say(&d.v, "found poisoned by a scan of guest RAM: no report named it (reports of a "
			       "burst merge in the kernel)");
	added = poison_record(ras->registry, &f, d.v.action, e->time_ns, &entry);
	if (added < 0) {
		log_error("poison registry: %s", strerror(errno));
		entry = NULL;
	}
	if (e->found)
		ras->scan_found++;
	/* A burst of action-optional errors goes by GHES alone when GHES is
	 * on: machine checks back to back meet a guest still in its handler
	 * (MCIP set), where KVM triple-faults. */
	if (use_mce && use_ghes && !f.action_required && f.recipient == MF_RECIPIENT_GUEST &&
	    (e->found || (ras->ao_mce_ns && mono_ns() - ras->ao_mce_ns < AO_MCE_QUIET_NS)))
		use_mce = false;
	repeat = added == POISON_DUPLICATE;
	count = page_count(ras, &f, repeat, entry ? entry->count : 1);
	apei_plan(use_mce, use_ghes, &f, count, &d.v, &plan);
	/* A repeat answered by nothing (GHES alone told the page already): the
	 * vCPU retries until the guest isolates it. The guest may have dropped
	 * the record, so it is told again now and then; one that never
	 * isolates it would leave the vCPU spinning in KVM_RUN forever, and
	 * past APEI_STUCK_NS the VM is reset instead. */
	if (current_vcpu && !plan.mce && !plan.submit && d.v.action == MF_ACTION_IGNORE &&
	    (unsigned)e->vcpu < sizeof(ras->streak) / sizeof(ras->streak[0]))
		streak_verdict(&ras->streak[e->vcpu], e->vcpu, use_ghes, &f, &d.v, &plan);
	if (current_vcpu && use_ghes && !plan.mce && f.recipient == MF_RECIPIENT_GUEST && !d.v.no_ghes)
		ghes_dev_hold_pages(&m->ghes, ACPI_GHES_SOURCE_AO, mono_ns() + APEI_AR_HOLD_NS);
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
	if (f.recipient == MF_RECIPIENT_GUEST && entry && entry->count == 1 &&
	    (d.v.action == MF_ACTION_IGNORE || (d.v.action == MF_ACTION_INJECT && !m->vm_alive)) &&
	    !(plan.submit && ghes.what == GHES_DROPPED))
		ras->untold++;   /* a full GHES backlog counts its own drops */
	switch (d.v.action) {
	case MF_ACTION_INJECT:
		if (m->vm_alive && plan.mce) {
			arch_mf_inject(m, &d);
			ras->told_mce++;
			if (!f.action_required)
				ras->ao_mce_ns = mono_ns();
		}
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

/* The earlier of two due times (ns from now, 0: none). */
static uint64_t earliest(uint64_t a, uint64_t b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

/* Milliseconds poll may sleep before the earliest of the due times,
 * rounded up so it never wakes early. */
static int poll_ms(uint64_t a, uint64_t b)
{
	uint64_t due = earliest(a, b);

	if (!due)
		return -1;
	return (int)((due + 999999) / 1000000);
}

/* Decides again, once, every machine check held back so far (those held
 * back again wait for the next round). */
static void retry_held(struct ras *ras)
{
	struct machine *m = ras->m;
	unsigned n;

	pthread_mutex_lock(&m->vm_lock);
	n = ras->held_count;
	pthread_mutex_unlock(&m->vm_lock);
	while (n--) {
		struct sigbus_event e;

		pthread_mutex_lock(&m->vm_lock);
		if (!ras->held_count) {
			pthread_mutex_unlock(&m->vm_lock);
			break;
		}
		e = ras->held[ras->held_head];
		ras->held_head = (ras->held_head + 1) % MCE_HOLD_MAX;
		ras->held_count--;
		pthread_mutex_unlock(&m->vm_lock);
		handle(ras, &e);
	}
}

/* Pages a scan of guest RAM or of its backing found poisoned, listed for
 * handling after the scan (its callback runs without vm_lock). */
struct found_pages {
	struct found_page {
		const struct ram_region *region;
		uint64_t gpa;
	} *page;
	size_t n, cap;
	bool oom;
};

static void found_add(void *opaque, const struct ram_region *r, uint64_t gpa)
{
	struct found_pages *fp = opaque;

	if (fp->n == fp->cap) {
		size_t cap = fp->cap ? fp->cap * 2 : 64;
		struct found_page *page = realloc(fp->page, cap * sizeof(*page));

		if (!page) {
			fp->oom = true;
			return;
		}
		fp->page = page;
		fp->cap = cap;
	}
	fp->page[fp->n++] = (struct found_page){ r, gpa };
}

static uint64_t found_hva(const struct found_page *p)
{
	return (uint64_t)(uintptr_t)(p->region->hva + (p->gpa - p->region->gpa));
}

/* A page found poisoned in the backing at start, as the guest's loss of it. */
static struct memory_failure found_failure(const struct found_page *p)
{
	return (struct memory_failure){
		.recipient = MF_RECIPIENT_GUEST, .gpa = p->gpa, .hva = found_hva(p),
		.lsb = ram_region_page_shift(p->region), .vcpu = -1, .region = p->region->name,
	};
}

/* Reads the kernel's marks for every page of guest RAM (ram_poison_scan:
 * pagemap, mincore, a pread of each candidate), without vm_lock, and
 * handles each poisoned page no report named as an action-optional report
 * of its own. Returns how many were news. */
static size_t scan_for_lost(struct ras *ras)
{
	struct machine *m = ras->m;
	struct found_pages fp = { 0 };
	uint64_t t0 = mono_ns(), t1, before;
	size_t news;
	bool alive;
	long n;

	pthread_mutex_lock(&m->vm_lock);
	alive = m->vm_alive;
	before = ras->scan_found;
	pthread_mutex_unlock(&m->vm_lock);
	if (!alive)
		return 0;   /* the reset scans itself (ras_replace_poisoned) */
	n = ram_poison_scan(&m->ram, found_add, &fp);
	t1 = mono_ns();
	if (n < 0)
		log_error("cannot scan guest RAM for poisoned pages no report named: %s", strerror(errno));
	if (fp.oom)
		log_error("scan of guest RAM: out of memory; some poisoned pages wait for the next scan");
	for (size_t i = 0; i < fp.n; i++) {
		struct sigbus_event e = { .code = BUS_MCEERR_AO, .addr = (uintptr_t)found_hva(&fp.page[i]),
					  .lsb = MF_PAGE_SHIFT,
					  .vcpu = -1, .time_ns = event_now_ns(), .vm = m->boots, .found = true };
		handle(ras, &e);
	}
	free(fp.page);
	pthread_mutex_lock(&m->vm_lock);
	news = (size_t)(ras->scan_found - before);
	pthread_mutex_unlock(&m->vm_lock);
	if (news)
		log_info("scan of guest RAM (%.1f ms): %zu poisoned page%s no report named (of %ld poisoned), "
			 "handled in %.1f ms", (double)(t1 - t0) / 1e6, news, news == 1 ? "" : "s", n,
			 (double)(mono_ns() - t1) / 1e6);
	return news;
}

static void *ras_thread(void *arg)
{
	struct ras *ras = arg;
	struct machine *m = ras->m;
	struct pollfd p[2] = { { .fd = sigbus_intake_eventfd(), .events = POLLIN },
			       { .fd = ras->kick_fd, .events = POLLIN } };
	uint64_t ghes_due = 0, scan_due = 0, last_scan = 0, followup = 0, retry_due = 0, last_retry = 0;

	pthread_setname_np(pthread_self(), "ras");
	sigbus_set_thread_handler();
	for (;;) {
		struct sigbus_event e;
		unsigned long lost;
		uint64_t drain, now;

		if (poll(p, 2, poll_ms(earliest(ghes_due, retry_due), scan_due)) < 0 && errno != EINTR)
			break;
		if (p[1].revents & POLLIN && read(ras->kick_fd, &drain, sizeof(drain)) < 0 && errno != EAGAIN)
			log_error("memory-failure thread: reading its wake-up: %s", strerror(errno));
		while (sigbus_intake_take(&e)) {
			if (e.code != BUS_MCEERR_AR && !e.synthetic)
				ras->ao_seen = true;
			handle(ras, &e);
		}
		lost = sigbus_intake_dropped();
		if (lost) {
			log_error("%lu memory-error reports were lost: the intake ring (%d) overflowed; "
				  "scanning guest RAM for their pages", lost, SIGBUS_RING_SLOTS);
			ras->ao_seen = true;
		}
		/* Reports of a burst merge (one pending SIGBUS per thread): every
		 * page whose signal merged was poisoned before the signal that
		 * did arrive was delivered, so a scan after each drain finds it.
		 * The follow-up scans catch pages still being poisoned. */
		now = mono_ns();
		if (ras->ao_seen && now - last_scan >= SCAN_GAP_NS) {
			ras->ao_seen = false;
			last_scan = now;
			scan_for_lost(ras);
			followup = mono_ns() + SCAN_QUIET_NS;
		} else if (followup && now >= followup) {
			last_scan = now;
			followup = scan_for_lost(ras) ? mono_ns() + SCAN_QUIET_NS : 0;
		}
		now = mono_ns();
		if (now - last_retry >= MCE_RETRY_NS) {
			last_retry = now;
			retry_held(ras);
		}
		now = mono_ns();
		pthread_mutex_lock(&m->vm_lock);
		retry_due = !ras->held_count ? 0 : last_retry + MCE_RETRY_NS > now ? last_retry + MCE_RETRY_NS - now : 1;
		pthread_mutex_unlock(&m->vm_lock);
		if (ras->ao_seen)
			scan_due = last_scan + SCAN_GAP_NS > now ? last_scan + SCAN_GAP_NS - now : 1;
		else
			scan_due = followup ? (followup > now ? followup - now : 1) : 0;
		/* Pages waiting for a GHES block the guest freed (paced). */
		ghes_due = 0;
		if (m->channels & RAS_MODE_GHES) {
			pthread_mutex_lock(&m->vm_lock);
			if (m->vm_alive)
				ghes_due = ghes_dev_pump(&m->ghes, now);
			pthread_mutex_unlock(&m->vm_lock);
		}
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
	ras->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (ras->kick_fd < 0) {
		snprintf(why, whylen, "cannot make the memory-failure thread's eventfd: %s", strerror(errno));
		return -1;
	}
	m->ghes.kick = ras_kick;
	m->ghes.kick_opaque = ras;
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

void ras_device_poison(struct machine *m, uintptr_t hva, int lsb, const char *device)
{
	struct sigbus_event e = { .code = BUS_MCEERR_AO, .addr = hva, .lsb = lsb, .vcpu = -1,
				  .time_ns = event_now_ns(), .vm = __atomic_load_n(&m->boots, __ATOMIC_RELAXED),
				  .device = device };

	e.tid = (int)syscall(SYS_gettid);
	if (!sigbus_intake_push(&e))
		log_error("%s met poisoned guest memory at host address 0x%" PRIxPTR
			  " and the report queue was full: counted as dropped", device, hva);
}

int ras_stats_read(struct machine *m, struct ras_stats *out)
{
	struct ras *ras = m->ras;

	memset(out, 0, sizeof(*out));
	if (!ras)
		return -1;
	pthread_mutex_lock(&m->vm_lock);
	out->reports = ras->reports;
	out->scan_found = ras->scan_found;
	out->told_mce = ras->told_mce;
	out->dropped = ras->untold;
	for (size_t i = 0; i < poison_count(ras->registry); i++) {
		const struct poison_entry *e = poison_at(ras->registry, i);
		if (e->guest)
			out->pages += (UINT64_C(1) << e->lsb) >> MF_PAGE_SHIFT ? (UINT64_C(1) << e->lsb) >> MF_PAGE_SHIFT
									     : 1;
	}
	pthread_mutex_unlock(&m->vm_lock);
	if (m->channels & RAS_MODE_GHES) {
		for (unsigned i = 0; i < GHES_SOURCES; i++) {
			struct ghes_queue_stats st;
			ghes_dev_stats(&m->ghes, i, &st);
			out->told_ghes += st.pages_told;
			out->dropped += st.pages_dropped;
			if (st.pages_depth_max > out->ghes_backlog_max)
				out->ghes_backlog_max = st.pages_depth_max;
		}
	}
	return 0;
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

/* A punched hugepage comes back from the host's pool at the next touch,
 * not from the mapping's reservation, which the punch gave up: with none
 * free the guest's touch fails. Says so, before the guest runs. */
static void warn_pool(struct machine *m, const struct poison_run *runs, size_t n)
{
	for (unsigned shift = 21; shift <= 30; shift += 9) {
		uint64_t need = 0, free;
		char sz[16];

		for (size_t i = 0; i < n; i++) {
			const struct ram_region *r = guest_ram_find_gpa(&m->ram, runs[i].gpa, runs[i].size);
			if (r && ram_region_page_shift(r) == shift)
				need += (runs[i].size + (UINT64_C(1) << shift) - 1) >> shift;
		}
		if (need && ram_backing_hugepages_free(shift, &free) && free < need)
			log_error("guest reset: %" PRIu64 " lost %s hugepage%s replaced, but the host's pool has %" PRIu64
				  " free: the guest's first touch of %s fails; add hugepages (/proc/sys/vm/nr_hugepages, "
				  "or the pool's nr_hugepages in /sys/kernel/mm/hugepages)", need,
				  mf_size_name(shift, sz, sizeof(sz)), need == 1 ? "" : "s", free,
				  need == 1 ? "it" : "them");
	}
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
	warn_pool(m, runs, done);
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
	memset(sc.ras->streak, 0, sizeof(sc.ras->streak));   /* runs of the VM that is gone */
	/* Reports can be lost (a burst coalesces signals), so the kernel's own
	 * marks are read too: the reload that follows must not meet a page
	 * nobody told vmras of. */
	n = ram_poison_scan(&m->ram, scan_found, &sc);
	if (n < 0)
		log_error("guest reset: cannot look for poisoned pages no report named: %s", strerror(errno));
	else if (sc.found)
		log_info("guest reset: found %zu poisoned page%s no report had named", sc.found,
			 sc.found == 1 ? "" : "s");
	sc.ras->scan_found += sc.found;
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

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

void ras_scan_backing(struct machine *m)
{
	struct ras *ras = m->ras;
	struct found_pages sc = { 0 };
	struct timespec t0;
	uint64_t scanned = 0;
	size_t replaced = 0;
	long n;

	if (!ras)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	n = ram_poison_scan_backing(&m->ram, found_add, &sc, &scanned);
	if (n < 0)
		log_error("start: cannot read the guest RAM backing to look for poisoned pages: %s; "
			  "the guest may meet some", strerror(errno));
	if (sc.oom)
		log_error("start: out of memory listing poisoned pages of the guest RAM backing; "
			  "%ld found, %zu listed", n, sc.n);
	if (scanned || sc.n)
		log_info("start: read %.1f MiB of the guest RAM backing in %.1f ms: %zu poisoned page%s",
			 (double)scanned / (1 << 20), ms_since(&t0), sc.n, sc.n == 1 ? "" : "s");
	if (!sc.n)
		goto out;

	uint64_t now = event_now_ns();
	ras->boot_errors = calloc(sc.n, sizeof(*ras->boot_errors));
	ras->avoid = calloc(sc.n, sizeof(*ras->avoid));
	if (!ras->boot_errors || !ras->avoid)
		log_error("start: out of memory: the poisoned pages found go unreported to the guest");
	pthread_mutex_lock(&m->vm_lock);
	for (size_t i = 0; i < sc.n; i++) {
		const struct memory_failure f = found_failure(&sc.page[i]);

		if (poison_record(ras->registry, &f, MF_ACTION_IGNORE, now, NULL) < 0)
			log_error("poison registry: %s", strerror(errno));
	}
	/* Fresh pages for all it can, as at a reset: nothing maps them yet. */
	replace_pending(m, "start");
	for (size_t i = 0; i < sc.n; i++) {
		const struct ram_region *r = sc.page[i].region;
		const struct memory_failure f = found_failure(&sc.page[i]);
		const struct poison_entry *entry = poison_find_gpa(ras->registry, f.gpa);
		bool fresh = entry && entry->replaced;

		emit_plain(&f, MF_ACTION_IGNORE,
			   fresh ? "found poisoned at start in the guest RAM backing, before the guest ran: "
				   "replaced with a fresh zeroed page, reported to the guest as an error of a "
				   "previous boot (BERT)"
				 : ARCH_KEEPS_GUEST_OFF_LOST_RAM
				 ? "found poisoned at start in the guest RAM backing, before the guest ran: "
				   "it cannot be replaced, so it is kept out of the guest's memory map, and "
				   "reported to the guest as an error of a previous boot (BERT)"
				 : "found poisoned at start in the guest RAM backing, before the guest ran: "
				   "it cannot be replaced and stays in the guest's memory map, where the guest "
				   "may meet it; reported to the guest as an error of a previous boot (BERT)",
			   entry, now);
		log_info("start: guest page 0x%" PRIx64 " (%s, 0x%llx bytes) is poisoned in the RAM backing: %s",
			 f.gpa, r->name, (unsigned long long)mf_lsb_size(f.lsb),
			 fresh ? "replaced with a fresh page"
			       : ARCH_KEEPS_GUEST_OFF_LOST_RAM ? "cannot be replaced; kept from the guest"
							       : "cannot be replaced; the guest may meet it");
		if (fresh)
			replaced++;
		if (!ras->boot_errors || !ras->avoid)
			continue;
		ras->boot_errors[ras->nboot_errors++] = (struct cper_mem_error){
			.phys_addr = f.gpa, .size = mf_lsb_size(f.lsb),
			.severity = CPER_SEV_RECOVERABLE, .error_type = CPER_MEM_ERR_UNKNOWN,
		};
		if (!fresh)
			ras->avoid[ras->navoid++] = (struct gpa_range){ f.gpa, mf_lsb_size(f.lsb) };
	}
	pthread_mutex_unlock(&m->vm_lock);
	log_info("start: %zu poisoned page%s in the guest RAM backing: %zu replaced, %zu %s",
		 sc.n, sc.n == 1 ? "" : "s", replaced, sc.n - replaced,
		 ARCH_KEEPS_GUEST_OFF_LOST_RAM ? "kept from the guest" : "not replaced");
out:
	free(sc.page);
}

size_t ras_boot_error_region(struct machine *m, void *buf, size_t max)
{
	struct ras *ras = m->ras;
	size_t taken = 0;
	ssize_t len;

	if (!ras || !ras->nboot_errors)
		return 0;
	len = bert_region_encode(buf, max, ras->boot_errors, ras->nboot_errors, &taken);
	if (len < 0) {
		log_error("start: cannot encode the boot error region: %s; the guest gets no BERT", strerror(errno));
		return 0;
	}
	if (taken < ras->nboot_errors)
		log_error("start: the boot error region holds %zu of the %zu poisoned pages found; "
			  "the guest is not told of %zu (query-memory-failures lists them all)",
			  taken, ras->nboot_errors, ras->nboot_errors - taken);
	return (size_t)len;
}

size_t ras_avoided(struct machine *m, const struct gpa_range **ranges)
{
	struct ras *ras = m->ras;
	size_t kept = 0;

	*ranges = NULL;
	if (!ras)
		return 0;
	/* A reset punches pending pages again; one that took is memory again. */
	pthread_mutex_lock(&m->vm_lock);
	for (size_t i = 0; i < ras->navoid; i++) {
		const struct poison_entry *e = poison_find_gpa(ras->registry, ras->avoid[i].gpa);

		if (!e || !e->replaced)
			ras->avoid[kept++] = ras->avoid[i];
	}
	ras->navoid = kept;
	pthread_mutex_unlock(&m->vm_lock);
	*ranges = ras->avoid;
	return kept;
}
