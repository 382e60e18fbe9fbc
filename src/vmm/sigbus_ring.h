/* A bounded multi-producer, single-consumer queue of memory-error signals.
 *
 * Producers are SIGBUS handlers, possibly on several threads at once, so a
 * push takes no lock and makes no system call: one compare-and-swap claims
 * a slot, a release store publishes it (Vyukov's bounded queue, with a
 * sequence number per slot). A full ring counts the loss instead of
 * blocking; the consumer reports the count, so no loss is silent. */
#ifndef VMRAS_VMM_SIGBUS_RING_H
#define VMRAS_VMM_SIGBUS_RING_H

#include <stdbool.h>
#include <stdint.h>

#define SIGBUS_RING_SLOTS 4096   /* a power of two */

struct sigbus_event {
	int code;            /* BUS_MCEERR_AR or BUS_MCEERR_AO */
	uintptr_t addr;      /* si_addr */
	int lsb;             /* si_addr_lsb: log2 of the poisoned extent */
	int tid;             /* thread that took the signal */
	int vcpu;            /* vCPU index of that thread, or -1 */
	uint64_t time_ns;    /* CLOCK_REALTIME when the signal was taken */
	unsigned vm;         /* which VM ran then (sigbus_set_vm_generation) */
	bool synthetic;      /* queued by vmras itself: no page is really poisoned */
	bool found;          /* no signal: a scan of guest RAM found the page poisoned */
	uint64_t held_ns;    /* CLOCK_MONOTONIC when its machine check was first held back, or 0 */
	const char *device;  /* no signal: this device model met the page (a guarded access), or NULL */
};

struct sigbus_slot {
	uint64_t seq;
	struct sigbus_event ev;
};

struct sigbus_ring {
	struct sigbus_slot slot[SIGBUS_RING_SLOTS];
	uint64_t enqueue_pos;
	uint64_t dequeue_pos;
	uint64_t dropped;
};

void sigbus_ring_init(struct sigbus_ring *r);
/* Async-signal-safe. False (and the loss counted) when the ring is full. */
bool sigbus_ring_push(struct sigbus_ring *r, const struct sigbus_event *ev);
/* Single consumer. False when nothing (more) is published. */
bool sigbus_ring_pop(struct sigbus_ring *r, struct sigbus_event *ev);
/* Losses since the last call. */
uint64_t sigbus_ring_take_dropped(struct sigbus_ring *r);

#endif
