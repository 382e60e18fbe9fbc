/* Pages waiting to be told to the guest through one GHESv2 error source.
 *
 * A source has one error status block, reused only after the guest
 * acknowledged it, while memory can fail hundreds of pages at once. So
 * pages wait here, in the order they came, and each time the block is free
 * as many as fit go into it as one record of many memory-error sections (a
 * Linux guest isolates one page per section). The backlog grows as needed
 * up to a limit the caller sets (vmras: one entry per page of guest RAM,
 * which no burst of distinct pages can pass); past it a page is dropped and
 * counted, never silently. Pure. */
#ifndef VMRAS_RAS_GHES_BACKLOG_H
#define VMRAS_RAS_GHES_BACKLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "ras/cper.h"

struct ghes_backlog {
	struct cper_mem_error *ring;
	size_t cap, head, count;
	size_t limit;              /* most pages ever waiting */
	size_t depth_max;          /* deepest it has been */
	uint64_t added, packed, dropped;
};

/* An empty backlog of at most limit pages (0: none can wait). Allocates
 * nothing yet. */
void ghes_backlog_init(struct ghes_backlog *b, size_t limit);
void ghes_backlog_free(struct ghes_backlog *b);
/* One page to tell. Returns false when it is dropped (the limit reached,
 * or no memory to grow): counted in dropped. */
bool ghes_backlog_add(struct ghes_backlog *b, const struct cper_mem_error *e);
/* The oldest waiting pages, at most max (0: as many as fit) and as many as
 * a block of len bytes holds, encoded into buf as one Generic Error Status
 * Block and taken off the backlog. Returns the record's length, 0 when
 * nothing waits, or -1 with errno (ENOSPC: buf cannot hold even one; EINVAL:
 * a waiting page cannot be encoded, which is dropped and counted, so a
 * caller calling again makes progress). */
ssize_t ghes_backlog_pack(struct ghes_backlog *b, void *buf, size_t len, size_t max);
/* Forgets every waiting page (their guest is gone), counting them as
 * dropped; returns how many. */
size_t ghes_backlog_clear(struct ghes_backlog *b);

static inline size_t ghes_backlog_waiting(const struct ghes_backlog *b)
{
	return b->count;
}

#endif
