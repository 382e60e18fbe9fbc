/* What vmras does when the guest reports a panic through its pvpanic port:
 * the event first (GUEST_PANICKED, GUEST_CRASHLOADED or GUEST_PVSHUTDOWN, to
 * every sink), then the action --on-panic chose. */
#ifndef VMRAS_VMM_PANIC_H
#define VMRAS_VMM_PANIC_H

struct machine;

/* Puts the pvpanic device on m's I/O bus; returns 0 or -1 (port taken). */
int panic_attach(struct machine *m);

#endif
