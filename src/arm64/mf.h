/* What an arm64 guest is told of a memory error (issue 11). The one
 * channel is APEI: a GHESv2 error source in the HEST of a UEFI + ACPI boot,
 * with the CPER record in the error status block its firmware placed.
 *  - action required on a vCPU: a record in source 0 (ACPI_GHES_SOURCE_AR)
 *    and a Synchronous External Abort on that vCPU before it runs again
 *    (arch_ras.c): the guest's SEA handler reads the record and isolates
 *    the page; the process that touched it gets SIGBUS.
 *  - action optional: a record in source 1 (ACPI_GHES_SOURCE_AO) and the
 *    GED's interrupt, so the guest isolates the page before anything
 *    touches it.
 * Without the channel the verdict is the honest one, with a reason saying
 * which part is missing:
 *  - action required on a vCPU: reset. The vCPU would re-run the load and
 *    fault again for ever; a reset replaces the page and the guest boots
 *    again without it. (An SEA without a record does not help: Linux then
 *    sends BUS_OBJERR and leaves the page in use, or dies in the kernel.)
 *  - action optional: ignore (the page is recorded, so a reset replaces it).
 * Failures of vmras's own memory and of non-vCPU threads are decided as on
 * every arch (mf_verdict_common). Pure. */
#ifndef VMRAS_ARM64_MF_H
#define VMRAS_ARM64_MF_H

#include <stdbool.h>

#include "ras/event.h"
#include "ras/memory_failure.h"
#include "ras/verdict.h"

/* Whether the guest can be told through GHES now, and if not, why not. */
enum arm64_mf_channel {
	ARM64_MF_GHES_READY,       /* UEFI + ACPI, --ras with ghes, blocks placed */
	ARM64_MF_NO_ACPI,          /* a direct kernel boot: a device tree, no ACPI, no HEST */
	ARM64_MF_GHES_OFF,         /* --ras without ghes: no HEST */
	ARM64_MF_GHES_UNPLACED,    /* UEFI, but the firmware has not (yet) placed the error blocks */
};

/* firmware: booted through UEFI (--firmware); ghes: --ras has ghes;
 * placed: ghes_dev_placed. */
enum arm64_mf_channel arm64_mf_channel(bool firmware, bool ghes, bool placed);

/* The reasons, for tests and docs; each with ARM64_MF_WHY_RESET fits MF_REASON_MAX. */
#define ARM64_MF_WHY_NO_ACPI "no ACPI (direct kernel boot with a device tree): memory errors reach an " \
	"arm64 guest only through GHES (UEFI boot)"
#define ARM64_MF_WHY_GHES_OFF "--ras has no ghes: an arm64 guest is told of memory errors only through GHES"
#define ARM64_MF_WHY_UNPLACED "the firmware has not placed the GHES error status blocks yet " \
	"(etc/hardware_errors)"
#define ARM64_MF_WHY_NO_SEA "KVM cannot inject a synchronous external abort (no KVM_CAP_ARM_INJECT_EXT_DABT)"
#define ARM64_MF_WHY_RESET "; the vCPU would fault for ever: reset, the page replaced"

/* The verdict for f. sea: KVM can inject an SEA (arm64_kvm_can_inject_sea);
 * without it an action-required error cannot be told even with GHES ready.
 * When the guest cannot be told, v->no_ghes is set so that the APEI plan
 * keeps this verdict. Returns 0, or -1 when f names a vCPU beyond ncpus. */
int arm64_mf_decide(const struct memory_failure *f, unsigned ncpus, enum arm64_mf_channel ch, bool sea,
		    struct mf_verdict *v);

/* The MEMORY_FAILURE event's arm64 member, "arm": {"sea": bool}, present
 * when a CPER record went to a GHES source for this report: whether a
 * Synchronous External Abort was injected for it (false for an
 * action-optional record, notified through the GED, and when the SEA
 * failed, which the event's reason then says). */
struct arm64_mf_detail {
	bool sea;
};
/* The member for d, which must outlive the event. */
struct mf_event_arch arm64_mf_event_arch(const struct arm64_mf_detail *d);

#endif
