#include "ras/verdict.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void mf_verdict_say(struct mf_verdict *v, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(v->reason, sizeof(v->reason), fmt, ap);
	va_end(ap);
}

const char *mf_size_name(unsigned lsb, char *buf, size_t len)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB", "TiB", "PiB", "EiB" };
	unsigned u;

	if (lsb > 69)   /* callers clamp to 63; this keeps unit[] in range regardless */
		lsb = 69;
	u = lsb < 10 ? 0 : (lsb - 10) / 10;
	/* Under 1024 in either case: %u, so the compiler sees it fits. */
	if (lsb < 10)
		snprintf(buf, len, "%u B", 1u << lsb);
	else
		snprintf(buf, len, "%u %s", 1u << (lsb - 10 - 10 * u), unit[u]);
	return buf;
}

bool mf_verdict_common(const struct memory_failure *f, struct mf_verdict *v)
{
	int lsb = mf_lsb_normalize(f->lsb);
	char size[16];

	memset(v, 0, sizeof(*v));
	v->cpu = f->vcpu;
	mf_size_name(lsb < 0 ? MF_LSB_MAX : (unsigned)lsb, size, sizeof(size));
	if (f->recipient != MF_RECIPIENT_GUEST) {
		if (f->action_required) {
			v->action = MF_ACTION_FATAL;
			mf_verdict_say(v, "vmras touched poisoned memory of its own (%s at host address 0x%" PRIx64
				       "), not guest RAM: it cannot continue", size, f->hva);
		} else {
			v->action = MF_ACTION_IGNORE;
			mf_verdict_say(v, "memory of vmras's own (%s at host address 0x%" PRIx64
				       ") is poisoned, not guest RAM; vmras has not touched it and continues",
				       size, f->hva);
		}
		return true;
	}
	if (f->action_required && f->vcpu < 0) {
		v->action = MF_ACTION_FATAL;
		mf_verdict_say(v, "a vmras thread that is not a vCPU read poisoned guest memory (%s at 0x%" PRIx64
			       "): it cannot continue", size, f->gpa);
		return true;
	}
	return false;
}
