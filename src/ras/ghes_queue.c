#include "ras/ghes_queue.h"

#include <string.h>

void ghes_queue_init(struct ghes_queue *q)
{
	/* Only the bookkeeping: the record slots are overwritten before use. */
	q->busy = false;
	q->head = q->count = 0;
	q->written = q->acked = q->dropped = q->stray_acks = 0;
}

enum ghes_submit ghes_queue_submit(struct ghes_queue *q, const void *rec, size_t len, uint64_t tag)
{
	struct ghes_record *slot;

	if (!len || len > GHES_RECORD_MAX)
		return GHES_INVALID;
	if (!q->busy) {
		q->busy = true;
		q->written++;
		return GHES_WRITE_NOW;
	}
	if (q->count == GHES_QUEUE_DEPTH) {
		q->dropped++;
		return GHES_DROPPED;
	}
	slot = &q->wait[(q->head + q->count) % GHES_QUEUE_DEPTH];
	memcpy(slot->bytes, rec, len);
	slot->len = len;
	slot->tag = tag;
	q->count++;
	return GHES_QUEUED;
}

bool ghes_queue_take(struct ghes_queue *q)
{
	if (q->busy || q->count)
		return false;
	q->busy = true;
	q->written++;
	return true;
}

const struct ghes_record *ghes_queue_ack(struct ghes_queue *q)
{
	const struct ghes_record *next;

	if (!q->busy) {
		q->stray_acks++;
		return NULL;
	}
	q->acked++;
	if (!q->count) {
		q->busy = false;
		return NULL;
	}
	/* The slot stays valid until the next submit can reuse it: submits
	 * and acks are serialized by the caller, who copies it out first. */
	next = &q->wait[q->head];
	q->head = (q->head + 1) % GHES_QUEUE_DEPTH;
	q->count--;
	q->written++;
	return next;
}

const char *ghes_submit_name(enum ghes_submit s)
{
	switch (s) {
	case GHES_WRITE_NOW: return "written";
	case GHES_QUEUED: return "queued";
	case GHES_DROPPED: return "dropped";
	case GHES_INVALID: return "invalid";
	}
	return "invalid";
}
