#include "arm64/mf.h"

enum arm64_mf_channel arm64_mf_channel(bool firmware, bool ghes, bool placed)
{
	if (!firmware)
		return ARM64_MF_NO_ACPI;
	if (!ghes)
		return ARM64_MF_GHES_OFF;
	return placed ? ARM64_MF_GHES_READY : ARM64_MF_GHES_UNPLACED;
}

static const char *why_not(enum arm64_mf_channel ch)
{
	switch (ch) {
	case ARM64_MF_GHES_READY:
		break;
	case ARM64_MF_NO_ACPI:
		return ARM64_MF_WHY_NO_ACPI;
	case ARM64_MF_GHES_OFF:
		return ARM64_MF_WHY_GHES_OFF;
	case ARM64_MF_GHES_UNPLACED:
		return ARM64_MF_WHY_UNPLACED;
	}
	return NULL;
}

int arm64_mf_decide(const struct memory_failure *f, unsigned ncpus, enum arm64_mf_channel ch, bool sea,
		    struct mf_verdict *v)
{
	const char *why = why_not(ch);

	if (f->vcpu >= 0 && (unsigned)f->vcpu >= ncpus)
		return -1;
	if (mf_verdict_common(f, v))
		return 0;
	if (f->action_required && f->vcpu >= 0) {
		if (!why && !sea)
			why = ARM64_MF_WHY_NO_SEA;
		if (!why) {
			v->action = MF_ACTION_INJECT;
			return 0;
		}
		v->action = MF_ACTION_RESET;
		v->no_ghes = true;
		mf_verdict_say(v, "%s" ARM64_MF_WHY_RESET, why);
		return 0;
	}
	if (!why) {
		v->action = MF_ACTION_INJECT;
		return 0;
	}
	v->action = MF_ACTION_IGNORE;
	v->no_ghes = true;
	mf_verdict_say(v, "%s", why);
	return 0;
}
