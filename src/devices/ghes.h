/* The VMM side of APEI firmware-first reporting: two GHESv2 error sources
 * (ACPI_GHES_SOURCE_AR for errors a vCPU consumed, ACPI_GHES_SOURCE_AO for
 * errors found early), each with a 64-bit pointer and a 4 KiB error status
 * block in guest memory and a read-ack register on the bus (see
 * src/acpi/hest.c for the table that describes them).
 *  - x86: pointers and blocks at fixed addresses vmras chose
 *    (x86/layout.h), 32-bit read-ack registers in I/O space, 4 bytes apart.
 *  - arm64: pointers and blocks in RAM the firmware allocates
 *    (etc/hardware_errors, arm64/acpi.h); vmras learns where only when the
 *    firmware writes the address back, and forgets it at each reset, when
 *    the firmware runs again (ghes_dev_place, a "firmware" layout). 64-bit
 *    read-ack registers in MMIO, 8 bytes apart.
 *
 * A record goes into its source's block only when the guest has
 * acknowledged the previous one; until then it waits in the source's bounded
 * queue (src/ras/ghes_queue.h). The acknowledge is a port write, so the next
 * record is written and notified from the acknowledging vCPU's own exit.
 *
 * Memory errors (pages) have a path of their own: they wait in the source's
 * page backlog (src/ras/ghes_backlog.h), and each time the block is free
 * the oldest of them go into it together, one memory-error section each,
 * at most GHES_PAGES_PER_BLOCK. Records a client injected whole go first.
 * On a GHES_NOTIFY_ON_WRITE source the block is filled with pages again
 * only a pace after the guest's acknowledge, by ghes_dev_pump (the
 * device calls kick when one is due): see GHES_PAGES_PER_BLOCK for why.
 * Notifying (an interrupt, an NMI) is the machine's business: the device
 * calls notify with no lock held, so the callback may wait for a vCPU. */
#ifndef VMRAS_DEVICES_GHES_H
#define VMRAS_DEVICES_GHES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"
#include "ras/ghes_backlog.h"
#include "ras/ghes_queue.h"
#include "vmm/guest_ram.h"

#define GHES_SOURCES 2
/* Read-ack register strides: x86's 32-bit I/O ports, arm64's 64-bit MMIO. */
#define GHES_ACK_STRIDE_IO32 4
#define GHES_ACK_STRIDE_MMIO64 8

/* Pages in one block. A Linux guest's GHES driver hands each memory
 * section's page to memory_failure_queue, a per-CPU FIFO of 16 entries
 * (mm/memory-failure.c, MEMORY_FAILURE_FIFO_ORDER 4) that a workqueue item
 * on that CPU drains later; what does not fit is dropped with "Memory
 * failure: buffer overflow when queuing memory failure". So no block says
 * more than 16 pages, and the next block of pages waits after the
 * acknowledge (which comes before the worker runs) GHES_PACE_PAGE_NS for
 * each page of the block before, time for the guest's worker to isolate
 * them. Measured in the nested lab guest: 10 ms a block of 16 lost pages
 * there; 3 ms a page still lost 29 of a hugepage's 512 when the guest was
 * also killing their owner (test-linux-hugetlb); 10 ms a page is the pace,
 * about 100 pages a second, 5 s for a lost 2 MiB page. The guest gives no
 * sign when its worker is done, so the pace is time. A 4 KiB block would
 * hold 26.
 * Where GHES is the guest's only channel (--ras ghes; arm64), a vCPU's
 * action-required record goes through the same FIFO, and one dropped
 * leaves that vCPU faulting: there the pace is GHES_PACE_PAGE_ALONE_NS
 * (ghes_dev_set_page_pace). Measured: with a lost hugepage whose owner
 * touches its pages meanwhile, 10 ms a page overflowed the lab guest's
 * FIFO (356 "buffer overflow" lines in one run) and a vCPU faulted 5 s on
 * a page told 10 times; 40 ms: none, all 512 pages isolated. */
#define GHES_PAGES_PER_BLOCK 16
#define GHES_PACE_PAGE_NS (10 * 1000 * 1000ull)
#define GHES_PACE_PAGE_ALONE_NS (40 * 1000 * 1000ull)
#define GHES_PACE_MAX_NS (GHES_PAGES_PER_BLOCK * GHES_PACE_PAGE_ALONE_NS)
/* When a source's guest is notified (the callback below). */
enum ghes_notify_mode {
	/* Whenever the block is (re)written: at submit when the block is
	 * free, and at the acknowledge that hands over the next queued record
	 * (cpu -1 then). Right for a notification the guest may coalesce or
	 * that re-reads the block on every delivery: x86's NMI and both
	 * arches' GED interrupt. */
	GHES_NOTIFY_ON_WRITE,
	/* Once per record accepted (written or queued), at submit, with the
	 * submitter's cpu; never at an acknowledge. For arm64's SEA: the
	 * guest spools one record per source per SEA, and acknowledges from
	 * inside its SEA handler (an SEA injected then would nest in it), so
	 * one SEA per accepted record, on the vCPU that faulted, is what
	 * keeps every record read and no SEA without one. */
	GHES_NOTIFY_PER_RECORD,
};

struct ghes_source_dev {
	uint64_t ack_addr;
	uint64_t pointer_gpa;
	uint64_t block_gpa;
	uint64_t ack_reg;          /* what the guest reads: bit 0 set once it acknowledged */
	enum ghes_notify_mode notify_mode;
	struct ghes_queue q;
	struct ghes_backlog pages;
	uint64_t acked_ns;         /* CLOCK_MONOTONIC of the last acknowledge */
	uint64_t pace_ns;          /* wait after it: the device's page pace per page of the last block of pages */
	uint64_t held_until_ns;    /* no block of pages before then (ghes_dev_hold_pages) */
	uint64_t blocks;           /* blocks of pages written */
};

struct ghes_dev {
	pthread_mutex_t lock;
	uint64_t page_pace_ns;     /* GHES_PACE_PAGE_NS unless set */
	const struct guest_ram *ram;
	unsigned ack_stride;       /* bytes between read-ack registers = register width */
	bool firmware;             /* the blocks are placed by the firmware (ghes_dev_place) */
	bool placed;               /* pointers and blocks are known: records can be written */
	struct ghes_source_dev src[GHES_SOURCES];
	/* The block of source now holds a record for the guest (or, in
	 * GHES_NOTIFY_PER_RECORD mode, one more record is in or for it). cpu:
	 * the vCPU the record concerns, or -1 (none, or the one
	 * acknowledging). */
	void (*notify)(void *opaque, unsigned source, int cpu);
	void *opaque;
	/* Pages wait for ghes_dev_pump (an acknowledge freed a block that is
	 * paced): the owner of the pump should call it. Optional; called with
	 * no lock held, from the acknowledging vCPU. */
	void (*kick)(void *kick_opaque);
	void *kick_opaque;
};

struct ghes_dev_layout {
	/* Where the firmware-less layout puts the pointers and blocks; both 0
	 * with firmware set. */
	uint64_t pointers_gpa;     /* GHES_SOURCES 64-bit pointers */
	uint64_t blocks_gpa;       /* GHES_SOURCES blocks of GHES_RECORD_MAX bytes */
	/* The firmware allocates pointers and blocks: nothing is written to
	 * guest memory until ghes_dev_place says where they are, and a reset
	 * forgets it (the firmware runs again and may place them elsewhere). */
	bool firmware;
	enum bus_space ack_space;
	/* The read-ack registers, ack_stride bytes apart (0 means
	 * GHES_ACK_STRIDE_IO32), each ack_stride bytes wide; bit 0 is the
	 * acknowledge, the rest read as zero. */
	unsigned ack_stride;
	uint64_t ack_addr[GHES_SOURCES];
	enum ghes_notify_mode notify_mode[GHES_SOURCES];   /* zeroed: GHES_NOTIFY_ON_WRITE */
	/* Most pages waiting in each source's backlog (0: one per 4 KiB page
	 * of guest RAM). */
	size_t backlog_limit;
};

/* Registers the read-ack registers and, unless the layout is the
 * firmware's, lays the pointers and empty blocks into guest memory. Returns
 * 0, or -1 (a register taken, registers not ack_stride apart, an unknown
 * stride, the areas not guest RAM). */
int ghes_dev_init(struct ghes_dev *g, const struct guest_ram *ram, struct bus *bus,
		  const struct ghes_dev_layout *layout);
/* Frees what the backlogs hold (the device is not used again). */
void ghes_dev_free(struct ghes_dev *g);
/* A new machine: queues emptied (what they held was for a guest that is
 * gone; its pages are replaced). A fixed layout has its pointers and empty
 * blocks rewritten; a firmware layout is unplaced, and its memory left
 * alone (it is the new guest's until its firmware places the blocks
 * again). Returns how many records and pages were waiting (the pages
 * count as dropped). */
unsigned ghes_dev_reset(struct ghes_dev *g);

/* A firmware layout: the firmware placed the pointers (GHES_SOURCES 64-bit
 * pointers from pointers_gpa) and the blocks (GHES_SOURCES blocks of
 * GHES_RECORD_MAX bytes from blocks_gpa). The pointers are written to lead
 * to the blocks (the firmware's loader linked them so already), the blocks
 * emptied, the registers read as acknowledged. Placing again moves them
 * (records in flight are forgotten, as at a reset). Returns 0, or -1 (not
 * a firmware layout, or an area not wholly guest RAM: nothing changed). */
int ghes_dev_place(struct ghes_dev *g, uint64_t pointers_gpa, uint64_t blocks_gpa);
/* Whether records can be written now: a fixed layout always, a firmware
 * layout once placed (and until the next reset). */
bool ghes_dev_placed(struct ghes_dev *g);

struct ghes_dev_result {
	enum ghes_submit what;
	unsigned waiting;          /* records queued on the source after this one */
};
/* Hands a whole Generic Error Status Block to source for the guest; cpu as
 * for notify. Written and notified at once when the block is free. Before
 * a firmware layout is placed, nothing is written or queued and the answer
 * is GHES_INVALID (the shared path asks ghes_dev_placed first). */
struct ghes_dev_result ghes_dev_submit(struct ghes_dev *g, unsigned source, const void *rec,
				       size_t len, uint64_t tag, int cpu);
/* Tells the guest of n memory errors (pages) through source: each waits in
 * the source's backlog and goes into the block with others when it is
 * free (at once when it is, unless paced). cpu as for notify; a
 * GHES_NOTIFY_PER_RECORD source is notified once per page accepted and
 * gets one page per block. Before a firmware layout is placed, or for a
 * bad source, nothing is taken and all n count in invalid. */
struct ghes_pages_result {
	size_t queued;             /* taken into the backlog (written now or later) */
	size_t dropped;            /* the backlog was full */
	size_t invalid;            /* no block to write them to, or a bad source */
	size_t waiting;            /* pages still in the backlog after this */
};
struct ghes_pages_result ghes_dev_submit_pages(struct ghes_dev *g, unsigned source,
					       const struct cper_mem_error *pages, size_t n, int cpu);
/* The wait after an acknowledge, per page of the block before (both sources). */
void ghes_dev_set_page_pace(struct ghes_dev *g, uint64_t ns);
/* No block of pages goes to source before until_ns (CLOCK_MONOTONIC; a
 * later hold extends an earlier one): Linux queues the pages of a block on
 * the handling CPU's 16-entry memory-failure FIFO, which a vCPU's own
 * action-required record must find room in. */
void ghes_dev_hold_pages(struct ghes_dev *g, unsigned source, uint64_t until_ns);
/* Writes waiting pages into every free block whose pace has passed (now_ns:
 * CLOCK_MONOTONIC) and notifies. Returns the nanoseconds until the next
 * call is due, or 0 when no page waits for a paced block. */
uint64_t ghes_dev_pump(struct ghes_dev *g, uint64_t now_ns);
/* Counters of one source, read under the lock. */
struct ghes_queue_stats {
	bool busy;
	unsigned waiting;
	uint64_t written, acked, dropped;
	size_t pages_waiting, pages_depth_max;
	uint64_t pages_added, pages_told, pages_dropped, page_blocks;
};
void ghes_dev_stats(struct ghes_dev *g, unsigned source, struct ghes_queue_stats *out);

#endif
