/* arm64's side of the memory-failure path: the verdict of arm64/mf.h; an
 * arm64 guest is not told anything yet (issue 11), so there is nothing to
 * inject and no machine check to answer inject-mce with. */
#include "vmm/arch.h"

#include <errno.h>
#include <string.h>

#include "arm64/mf.h"
#include "qmp/error.h"
#include "ras/event.h"
#include "vmm/machine.h"

int arch_mf_decide(struct machine *m, const struct memory_failure *f, bool read_state, struct mf_decision *d)
{
	(void)read_state;
	memset(d, 0, sizeof(*d));
	return arm64_mf_decide(f, m->ncpus, &d->v);
}

int arch_mf_inject(struct machine *m, const struct mf_decision *d)
{
	(void)m;
	(void)d;
	return EOPNOTSUPP;
}

void arch_mf_event(const struct mf_decision *d, struct mf_event_arch *out)
{
	(void)d;
	*out = (struct mf_event_arch){ 0 };
}

int arch_qmp_inject_mce(struct machine *m, const struct qmp_mce *mce, struct qmp_error *err)
{
	(void)m;
	(void)mce;
	qmp_error_set(err, QMP_ERR_GENERIC, "inject-mce injects x86 machine checks; this is an arm64 machine "
		      "(use inject-memory-failure)");
	return -1;
}
