/* Firmware-first reporting (APEI GHES) beside or instead of machine checks:
 * which error source gets a CPER record for a memory failure, and what the
 * MEMORY_FAILURE event's action becomes. Pure.
 *
 * The machine-check decision (mce_decide) is always made first: it also
 * decides for vmras's own memory and for guest memory read by a thread that
 * is not a vCPU (fatal), which no channel changes. Then, for guest memory:
 *  - ghes only: every other error is a record (action inject); the machine
 *    check state of the vCPUs does not matter, nothing is reset.
 *  - both: the machine check goes as decided; a record goes too unless the
 *    guest is being reset (it would never read it). If the machine check was
 *    ignored (reporting disabled by the guest) the record still tells it,
 *    so the action is inject, with the machine check's reason kept.
 *  - an action-required repeat of a page already reported through GHES gets
 *    no new record: the vCPU is retrying the access while the guest isolates
 *    the page, and a record per retry would only fill the queue. */
#ifndef VMRAS_RAS_APEI_H
#define VMRAS_RAS_APEI_H

#include <stdbool.h>
#include <stdint.h>

#include "acpi/hest.h"
#include "ras/ghes_queue.h"
#include "ras/mce.h"
#include "ras/memory_failure.h"

struct apei_plan {
	bool mce;                  /* a machine check is injected: --ras has them and mce_decide said inject */
	bool submit;               /* a CPER record goes to source */
	unsigned source;
};

/* mce, ghes: the channels --ras enabled. count: reports of this extent so
 * far, this one included (1 for a first report). d is adjusted in place. */
void apei_plan(bool mce, bool ghes, const struct memory_failure *f, uint32_t count,
	       struct mce_decision *d, struct apei_plan *p);

/* What the source did with the record; adjusts d's action and reason. */
void apei_settle(const struct apei_plan *p, enum ghes_submit what, unsigned waiting,
		 struct mce_decision *d);

/* The event's "ghes" member. */
struct mf_event_ghes {
	unsigned source;
	enum ghes_submit what;
	unsigned waiting;          /* records queued behind the block after this one */
};

/* "notified", "queued", "dropped", "invalid". */
const char *apei_delivery_name(enum ghes_submit what);

#endif
