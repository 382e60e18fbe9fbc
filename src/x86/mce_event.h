/* The MEMORY_FAILURE event's x86 member, "machine-check": bank, status,
 * mcg-status, address, misc (hex strings: 64-bit registers do not survive
 * JSON doubles), delivery (what KVM_X86_SET_MCE does with it), broadcast.
 * Pure. */
#ifndef VMRAS_X86_MCE_EVENT_H
#define VMRAS_X86_MCE_EVENT_H

#include "ras/event.h"
#include "x86/mce.h"

/* The member for d, which must outlive the event. */
struct mf_event_arch mce_event_arch(const struct mce_detail *d);

#endif
