/* The VMM side of APEI firmware-first reporting for x86 guests: two GHESv2
 * error sources (ACPI_GHES_SOURCE_AR for errors a vCPU consumed,
 * ACPI_GHES_SOURCE_AO for errors found early), each with a 64-bit pointer
 * and a 4 KiB error status block in guest memory and a 32-bit read-ack
 * register on the bus (I/O space on x86) (see src/acpi/hest.c for the table that describes
 * them, x86/layout.h for where they are).
 *
 * A record goes into its source's block only when the guest has
 * acknowledged the previous one; until then it waits in the source's bounded
 * queue (src/ras/ghes_queue.h). The acknowledge is a port write, so the next
 * record is written and notified from the acknowledging vCPU's own exit.
 * Notifying (an interrupt, an NMI) is the machine's business: the device
 * calls notify with no lock held, so the callback may wait for a vCPU. */
#ifndef VMRAS_DEVICES_GHES_H
#define VMRAS_DEVICES_GHES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "ras/ghes_queue.h"
#include "vmm/guest_ram.h"

#define GHES_SOURCES 2

struct ghes_source_dev {
	uint64_t ack_addr;
	uint64_t pointer_gpa;
	uint64_t block_gpa;
	uint32_t ack_reg;          /* what the guest reads: bit 0 set once it acknowledged */
	struct ghes_queue q;
};

struct ghes_dev {
	pthread_mutex_t lock;
	const struct guest_ram *ram;
	struct ghes_source_dev src[GHES_SOURCES];
	/* The block of source now holds a record for the guest. cpu: the vCPU
	 * the record concerns, or -1 (none, or the one acknowledging). */
	void (*notify)(void *opaque, unsigned source, int cpu);
	void *opaque;
};

struct ghes_dev_layout {
	uint64_t pointers_gpa;     /* GHES_SOURCES 64-bit pointers */
	uint64_t blocks_gpa;       /* GHES_SOURCES blocks of GHES_RECORD_MAX bytes */
	enum bus_space ack_space;
	uint64_t ack_addr[GHES_SOURCES];
};

/* Registers the read-ack registers and lays the pointers and empty blocks into
 * guest memory. Returns 0, or -1 (a port taken, the areas not guest RAM). */
int ghes_dev_init(struct ghes_dev *g, const struct guest_ram *ram, struct bus *bus,
		  const struct ghes_dev_layout *layout);
/* A new machine: pointers and empty blocks rewritten, queues emptied (what
 * they held was for a guest that is gone; its pages are replaced). Returns
 * how many records were waiting. */
unsigned ghes_dev_reset(struct ghes_dev *g);

struct ghes_dev_result {
	enum ghes_submit what;
	unsigned waiting;          /* records queued on the source after this one */
};
/* Hands a whole Generic Error Status Block to source for the guest; cpu as
 * for notify. Written and notified at once when the block is free. */
struct ghes_dev_result ghes_dev_submit(struct ghes_dev *g, unsigned source, const void *rec,
				       size_t len, uint64_t tag, int cpu);
/* Counters of one source, read under the lock. */
struct ghes_queue_stats {
	bool busy;
	unsigned waiting;
	uint64_t written, acked, dropped;
};
void ghes_dev_stats(struct ghes_dev *g, unsigned source, struct ghes_queue_stats *out);

#endif
