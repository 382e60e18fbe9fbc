#include "ras/ghes_backlog.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* First allocation, in pages: a lone report needs no more. */
#define BACKLOG_FIRST_CAP 64

void ghes_backlog_init(struct ghes_backlog *b, size_t limit)
{
	b->ring = NULL;
	b->cap = b->head = b->count = 0;
	b->limit = limit;
	b->depth_max = 0;
	b->added = b->packed = b->dropped = 0;
}

void ghes_backlog_free(struct ghes_backlog *b)
{
	free(b->ring);
	b->ring = NULL;
	b->cap = b->head = b->count = 0;
}

/* Doubles the ring (never past the limit), unwrapping it at the front. */
static bool grow(struct ghes_backlog *b)
{
	size_t cap = b->cap ? b->cap * 2 : BACKLOG_FIRST_CAP;
	struct cper_mem_error *ring;

	if (cap > b->limit)
		cap = b->limit;
	if (cap <= b->cap || cap > SIZE_MAX / sizeof(*ring))
		return false;
	ring = malloc(cap * sizeof(*ring));
	if (!ring)
		return false;
	for (size_t i = 0; i < b->count; i++)
		ring[i] = b->ring[(b->head + i) % b->cap];
	free(b->ring);
	b->ring = ring;
	b->cap = cap;
	b->head = 0;
	return true;
}

bool ghes_backlog_add(struct ghes_backlog *b, const struct cper_mem_error *e)
{
	if (b->count == b->cap && !grow(b)) {
		b->dropped++;
		return false;
	}
	b->ring[(b->head + b->count) % b->cap] = *e;
	b->count++;
	b->added++;
	if (b->count > b->depth_max)
		b->depth_max = b->count;
	return true;
}

ssize_t ghes_backlog_pack(struct ghes_backlog *b, void *buf, size_t len, size_t max)
{
	struct cper_mem_error batch[CPER_BLOCK_ENTRY_COUNT_MAX];
	size_t n = cper_mem_errors_fit(len);
	ssize_t out;

	if (!b->count)
		return 0;
	if (!n) {
		errno = ENOSPC;
		return -1;
	}
	if (max && n > max)
		n = max;
	if (n > b->count)
		n = b->count;
	for (size_t i = 0; i < n; i++)
		batch[i] = b->ring[(b->head + i) % b->cap];
	out = cper_encode_mem_errors(buf, len, batch, n);
	if (out < 0) {
		/* Some page in the batch cannot be said: find it, drop it, and
		 * leave the rest for the next call. */
		for (size_t i = 0; i < n; i++) {
			if (cper_encode_mem_errors(buf, len, &batch[i], 1) < 0) {
				for (size_t j = i; j > 0; j--)
					b->ring[(b->head + j) % b->cap] = b->ring[(b->head + j - 1) % b->cap];
				b->head = (b->head + 1) % b->cap;
				b->count--;
				b->dropped++;
				break;
			}
		}
		errno = EINVAL;
		return -1;
	}
	b->head = (b->head + n) % b->cap;
	b->count -= n;
	b->packed += n;
	return out;
}

size_t ghes_backlog_clear(struct ghes_backlog *b)
{
	size_t n = b->count;

	b->dropped += n;
	b->head = b->count = 0;
	return n;
}
