/* What vmras does when the guest reports a panic through its pvpanic port:
 * the event first (GUEST_PANICKED, GUEST_CRASHLOADED or GUEST_PVSHUTDOWN, to
 * every sink), then the action --on-panic chose. */
#ifndef VMRAS_VMM_PANIC_H
#define VMRAS_VMM_PANIC_H

#include <stdint.h>

#include "devices/bus.h"

struct machine;

/* Puts the pvpanic device on m's bus where the arch has it; returns 0 or -1 (taken). */
int panic_attach(struct machine *m, enum bus_space space, uint64_t addr);

#endif
