/* What is done about one memory failure, in terms every arch shares: the
 * action and flags the MEMORY_FAILURE event reports, the vCPU concerned and
 * why. An arch's own decision (x86: x86/mce.h) produces one of these along
 * with its details; the APEI plan (ras/apei.h) and the event read only this.
 *
 * Some failures are decided before any arch is asked, because nothing about
 * the guest's CPUs changes them (mf_verdict_common):
 *  - vmras's own memory: action required -> fatal (vmras cannot get past
 *    the load), action optional -> ignore (nothing touched it yet);
 *  - guest memory read (action required) by a vmras thread that is not a
 *    vCPU (a device, the console): no vCPU consumed it, so there is nobody
 *    to tell, and the thread cannot get past the load -> fatal. QEMU dies of
 *    the re-raised SIGBUS here; vmras says why first.
 * Pure. */
#ifndef VMRAS_RAS_VERDICT_H
#define VMRAS_RAS_VERDICT_H

#include <stdbool.h>
#include <stddef.h>

#include "ras/memory_failure.h"

#define MF_REASON_MAX 192

struct mf_verdict {
	enum mf_action action;
	bool recursive;              /* the guest was still handling an earlier error */
	int cpu;                     /* the vCPU concerned, or -1 */
	char reason[MF_REASON_MAX];  /* why, for ignore, reset and fatal (and a lost inject); else "" */
	/* The arch says its GHES sources cannot tell the guest now (arm64: a
	 * DT boot has no ACPI, the firmware has not placed the blocks yet,
	 * KVM cannot raise the SEA): the APEI plan keeps this verdict and
	 * writes no record, whatever --ras says. Never set on x86. */
	bool no_ghes;
};

/* Clears v (cpu from f) and, for the failures above, decides: returns true
 * with v's action and reason set. False: the arch decides. */
bool mf_verdict_common(const struct memory_failure *f, struct mf_verdict *v);

/* Sets v's reason, truncated to fit. */
void mf_verdict_say(struct mf_verdict *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "4 KiB", "2 MiB", ...: an extent of 2^lsb bytes for a reason's text. */
const char *mf_size_name(unsigned lsb, char *buf, size_t len);

#endif
