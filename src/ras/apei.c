#include "ras/apei.h"

#include <stdio.h>
#include <string.h>

static void set_reason(struct mf_verdict *v, const char *fmt, unsigned a, unsigned b)
{
	snprintf(v->reason, sizeof(v->reason), fmt, a, b);
}

void apei_plan(bool mce, bool ghes, const struct memory_failure *f, uint32_t count,
	       struct mf_verdict *v, struct apei_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->mce = mce && v->action == MF_ACTION_INJECT;
	p->source = f->action_required ? ACPI_GHES_SOURCE_AR : ACPI_GHES_SOURCE_AO;
	if (!ghes || v->no_ghes || f->recipient != MF_RECIPIENT_GUEST || v->action == MF_ACTION_FATAL)
		return;
	if (mce && v->action == MF_ACTION_RESET)
		return;
	if (!mce) {
		/* Nothing of the arch's own path applies to the guest now (its
		 * details, an x86 broadcast say, go unused without mce). */
		v->action = MF_ACTION_INJECT;
		v->recursive = false;
		v->reason[0] = '\0';
	}
	if (f->action_required && count > 1) {
		if (!mce) {
			v->action = MF_ACTION_IGNORE;
			set_reason(v, "already reported through GHES source %u (%u reports): the guest "
				   "has not isolated the page yet", p->source, count);
		}
		return;
	}
	p->submit = true;
}

void apei_settle(const struct apei_plan *p, enum ghes_submit what, unsigned waiting,
		 struct mf_verdict *v)
{
	bool told = what == GHES_WRITE_NOW || what == GHES_QUEUED;
	char kept[MF_REASON_MAX];

	/* With a machine check sent, its action and reason stand. */
	if (!p->submit || p->mce)
		return;
	if (told) {
		/* A machine check the guest turned off, reported anyway. */
		if (v->action == MF_ACTION_IGNORE && v->reason[0]) {
			snprintf(kept, sizeof(kept), "%s", v->reason);
			snprintf(v->reason, sizeof(v->reason), "%.*s; reported through GHES source %u",
				 (int)(sizeof(kept) - 40), kept, p->source);
		}
		v->action = MF_ACTION_INJECT;
		return;
	}
	v->action = MF_ACTION_IGNORE;
	if (what == GHES_DROPPED)
		set_reason(v, "GHES source %u: its backlog is full (%u pages wait for the guest); "
			   "this one is dropped", p->source, waiting);
	else
		snprintf(v->reason, sizeof(v->reason), "GHES source %u: the record could not be written",
			 p->source);
}

enum apei_streak_says apei_streak(struct apei_streak *s, uint64_t page, uint64_t now_ns, bool can_tell)
{
	if (s->page != page + 1 || now_ns < s->since_ns) {
		*s = (struct apei_streak){ .page = page + 1, .since_ns = now_ns, .told_ns = now_ns, .reports = 1 };
		return APEI_WAIT;
	}
	if (s->reports < UINT32_MAX)
		s->reports++;
	if (now_ns - s->since_ns >= APEI_STUCK_NS) {
		s->page = 0;
		return APEI_STUCK;
	}
	if (!can_tell || now_ns < s->told_ns || now_ns - s->told_ns < APEI_RETELL_NS)
		return APEI_WAIT;
	s->told_ns = now_ns;
	s->retold++;
	return APEI_TELL_AGAIN;
}

const char *apei_delivery_name(enum ghes_submit what)
{
	return what == GHES_WRITE_NOW ? "notified" : ghes_submit_name(what);
}
