#include "arm64/mf.h"

int arm64_mf_decide(const struct memory_failure *f, unsigned ncpus, struct mf_verdict *v)
{
	if (f->vcpu >= 0 && (unsigned)f->vcpu >= ncpus)
		return -1;
	if (mf_verdict_common(f, v))
		return 0;
	if (f->action_required && f->vcpu >= 0) {
		v->action = MF_ACTION_RESET;
		mf_verdict_say(v, ARM64_MF_NOT_TOLD "; the vCPU would fault on the page for ever, "
			       "so the guest is reset and the page replaced");
		return 0;
	}
	v->action = MF_ACTION_IGNORE;
	mf_verdict_say(v, ARM64_MF_NOT_TOLD);
	return 0;
}
