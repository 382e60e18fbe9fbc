/* What an arm64 guest is told of a memory error, until issue 11 gives it
 * a channel (GHES records and a Synchronous External Abort, which need a
 * UEFI + ACPI boot; a DT guest has neither). Honest and safe meanwhile:
 *  - action optional: ignore, and say so (the page is recorded, so a reset
 *    replaces it);
 *  - action required on a vCPU: reset. The vCPU would re-run the load and
 *    fault again for ever; a reset replaces the page and the guest boots
 *    again without it.
 * Failures of vmras's own memory and of non-vCPU threads are decided as on
 * every arch (mf_verdict_common). Pure. */
#ifndef VMRAS_ARM64_MF_H
#define VMRAS_ARM64_MF_H

#include "ras/memory_failure.h"
#include "ras/verdict.h"

#define ARM64_MF_NOT_TOLD "arm64 guests are not told of memory errors yet"

/* Returns 0, or -1 when f names a vCPU beyond ncpus. */
int arm64_mf_decide(const struct memory_failure *f, unsigned ncpus, struct mf_verdict *v);

#endif
