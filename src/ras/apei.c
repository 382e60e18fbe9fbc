#include "ras/apei.h"

#include <stdio.h>
#include <string.h>

static void set_reason(struct mce_decision *d, const char *fmt, unsigned a, unsigned b)
{
	snprintf(d->reason, sizeof(d->reason), fmt, a, b);
}

void apei_plan(bool mce, bool ghes, const struct memory_failure *f, uint32_t count,
	       struct mce_decision *d, struct apei_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->mce = mce && d->action == MF_ACTION_INJECT;
	p->source = f->action_required ? ACPI_GHES_SOURCE_AR : ACPI_GHES_SOURCE_AO;
	if (!ghes || f->recipient != MF_RECIPIENT_GUEST || d->action == MF_ACTION_FATAL)
		return;
	if (mce && d->action == MF_ACTION_RESET)
		return;
	if (!mce) {
		/* Nothing of the machine-check path applies to the guest now. */
		d->action = MF_ACTION_INJECT;
		d->recursive = false;
		d->reason[0] = '\0';
		d->broadcast = false;
	}
	if (f->action_required && count > 1) {
		if (!mce) {
			d->action = MF_ACTION_IGNORE;
			set_reason(d, "already reported through GHES source %u (%u reports): the guest "
				   "has not isolated the page yet", p->source, count);
		}
		return;
	}
	p->submit = true;
}

void apei_settle(const struct apei_plan *p, enum ghes_submit what, unsigned waiting,
		 struct mce_decision *d)
{
	bool told = what == GHES_WRITE_NOW || what == GHES_QUEUED;
	char kept[MCE_REASON_MAX];

	/* With a machine check sent, its action and reason stand. */
	if (!p->submit || p->mce)
		return;
	if (told) {
		/* A machine check the guest turned off, reported anyway. */
		if (d->action == MF_ACTION_IGNORE && d->reason[0]) {
			snprintf(kept, sizeof(kept), "%s", d->reason);
			snprintf(d->reason, sizeof(d->reason), "%.*s; reported through GHES source %u",
				 (int)(sizeof(kept) - 40), kept, p->source);
		}
		d->action = MF_ACTION_INJECT;
		return;
	}
	d->action = MF_ACTION_IGNORE;
	if (what == GHES_DROPPED)
		set_reason(d, "GHES source %u: the guest has not acknowledged its record and %u more "
			   "wait; this one is dropped", p->source, waiting);
	else
		snprintf(d->reason, sizeof(d->reason), "GHES source %u: the record could not be written",
			 p->source);
}

const char *apei_delivery_name(enum ghes_submit what)
{
	return what == GHES_WRITE_NOW ? "notified" : ghes_submit_name(what);
}
