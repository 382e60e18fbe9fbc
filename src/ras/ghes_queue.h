/* The read-ack protocol of one GHESv2 error source, as the VMM keeps it
 * (ACPI 6.x §18.3.2.8): one error status block, reused only after the
 * guest acknowledged what is in it. Records that arrive meanwhile wait, in
 * order, in a bounded queue; when it is full they are dropped and counted,
 * never fatal. Pure: the caller writes the block and notifies the guest
 * when told to. */
#ifndef VMRAS_RAS_GHES_QUEUE_H
#define VMRAS_RAS_GHES_QUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GHES_QUEUE_DEPTH 16        /* records waiting behind the one in the block */
#define GHES_RECORD_MAX 4096       /* = the block's length (ACPI_GHES_BLOCK_LEN) */

struct ghes_record {
	uint8_t bytes[GHES_RECORD_MAX];
	size_t len;
	uint64_t tag;              /* the caller's: e.g. the guest address it reports */
};

struct ghes_queue {
	bool busy;                 /* the block holds a record the guest has not acknowledged */
	struct ghes_record wait[GHES_QUEUE_DEPTH];
	unsigned head, count;
	uint64_t written, acked, dropped, stray_acks;
};

enum ghes_submit {
	GHES_WRITE_NOW,            /* the block is free: write the record and notify */
	GHES_QUEUED,               /* waits for the acknowledge of the record before it */
	GHES_DROPPED,              /* the queue is full */
	GHES_INVALID,              /* empty or longer than GHES_RECORD_MAX */
};

void ghes_queue_init(struct ghes_queue *q);
/* A new record; on GHES_WRITE_NOW the block is taken (busy). */
enum ghes_submit ghes_queue_submit(struct ghes_queue *q, const void *rec, size_t len, uint64_t tag);
/* The guest acknowledged the block. Returns the next record to write (the
 * block stays taken), or NULL (the block is free). An acknowledge with
 * nothing outstanding is counted as stray and changes nothing. */
const struct ghes_record *ghes_queue_ack(struct ghes_queue *q);
/* Takes the free block for something other than a queued record (the
 * caller's pages, ras/ghes_backlog.h). Returns false, changing nothing,
 * when the block is taken or records wait (they go first). */
bool ghes_queue_take(struct ghes_queue *q);
/* Records waiting behind the block. */
static inline unsigned ghes_queue_waiting(const struct ghes_queue *q)
{
	return q->count;
}
/* "written", "queued", "dropped", "invalid". */
const char *ghes_submit_name(enum ghes_submit s);

#endif
