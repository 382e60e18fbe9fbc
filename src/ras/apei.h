/* Firmware-first reporting (APEI GHES) beside or instead of machine checks:
 * which error source gets a CPER record for a memory failure, and what the
 * MEMORY_FAILURE event's action becomes. Pure.
 *
 * It adjusts the verdict the arch made first (x86: mce_decide, whose
 * verdict is there even with machine checks off). What mf_verdict_common
 * decided, vmras's own memory and guest memory read by a thread that is
 * not a vCPU (fatal), no channel changes. Then, for guest memory:
 *  - ghes only: every other error is a record (action inject); the machine
 *    check state of the vCPUs does not matter, nothing is reset.
 *  - both: the machine check goes as decided; a record goes too unless the
 *    guest is being reset (it would never read it). If the machine check was
 *    ignored (reporting disabled by the guest) the record still tells it,
 *    so the action is inject, with the machine check's reason kept.
 *  - an arch whose GHES sources cannot take a record now (v->no_ghes:
 *    arm64 before its firmware placed the blocks) keeps its own verdict.
 *  - an action-required repeat of a page already reported through GHES gets
 *    no new record: the vCPU is retrying the access while the guest isolates
 *    the page, and a record per retry would only fill the queue. But a
 *    guest that never isolates it (its kernel holds the page: a freed page
 *    of a dead owner reused before the guest was told of it) would leave
 *    the vCPU faulting forever, so a vCPU that keeps faulting on one page
 *    is told again now and then, and after APEI_STUCK_NS is stuck
 *    (apei_streak), and vmras resets the VM. */
#ifndef VMRAS_RAS_APEI_H
#define VMRAS_RAS_APEI_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi/hest.h"
#include "ras/ghes_queue.h"
#include "ras/memory_failure.h"
#include "ras/verdict.h"

struct apei_plan {
	bool mce;                  /* a machine check is injected: --ras has them and mce_decide said inject */
	bool submit;               /* a CPER record goes to source */
	unsigned source;
};

/* mce, ghes: the channels --ras enabled (mce: the arch's own, machine checks
 * on x86). count: reports of this extent so far, this one included (1 for
 * a first report). v is adjusted in place. */
void apei_plan(bool mce, bool ghes, const struct memory_failure *f, uint32_t count,
	       struct mf_verdict *v, struct apei_plan *p);

/* What the source did with the record; adjusts v's action and reason. */
void apei_settle(const struct apei_plan *p, enum ghes_submit what, unsigned waiting,
		 struct mf_verdict *v);

/* The event's "ghes" member. */
struct mf_event_ghes {
	unsigned source;
	enum ghes_submit what;
	unsigned waiting;          /* records queued behind the block after this one */
};

/* One vCPU's run of action-required reports on one page. A guest whose
 * memory-failure queue was full when the record came dropped it (Linux
 * 6.1: "buffer overflow when queuing memory failure", seen in the lab when
 * a lost hugepage's 512 pages arrive while its owner touches them), so the
 * page is told again every APEI_RETELL_NS while the vCPU still faults on
 * it; after APEI_STUCK_NS it is stuck. */
#define APEI_RETELL_NS (500 * 1000 * 1000ull)
/* And while a vCPU faults on a page GHES alone tells, the action-optional
 * source sends no block of pages until APEI_AR_HOLD_NS after its last
 * report: Linux queues both on the handling CPU's one 16-entry FIFO, and
 * a block of 16 pages left no room for the vCPU's own record (lab: a vCPU
 * faulting 5 s while its page was told 10 times). */
#define APEI_AR_HOLD_NS (250 * 1000 * 1000ull)
#define APEI_STUCK_NS (5 * 1000 * 1000 * 1000ull)
struct apei_streak {
	uint64_t page;             /* page + 1; 0: no run */
	uint64_t since_ns;         /* the run's first report */
	uint64_t told_ns;          /* the page was last told (or the run began) */
	uint32_t reports;
	uint32_t retold;
};

enum apei_streak_says {
	APEI_WAIT,                 /* the guest was told lately: let the vCPU retry */
	APEI_TELL_AGAIN,           /* told APEI_RETELL_NS ago and still faulting */
	APEI_STUCK,                /* faulting on that page, and no other, for APEI_STUCK_NS */
};

/* Another action-required report of page on this vCPU at now_ns (a
 * monotonic clock), the guest already told of it; can_tell: GHES can tell
 * it again (without GHES it never says APEI_TELL_AGAIN). A stuck run starts
 * over. */
enum apei_streak_says apei_streak(struct apei_streak *s, uint64_t page, uint64_t now_ns, bool can_tell);

/* "notified", "queued", "dropped", "invalid". */
const char *apei_delivery_name(enum ghes_submit what);

#endif
