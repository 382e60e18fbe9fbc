/* The 4 KiB pages of a lost extent larger than one page (a hugepage): the
 * guest isolates memory 4 KiB at a time, so it must be told of each of
 * them, and a vCPU that touches one must be told of that one (else it
 * faults on it forever). This keeps, per lost extent, which of its pages a
 * touching vCPU was already told of through its own notification, so that
 * the next touch of the same page is a repeat and the touch of another one
 * is news; and lists an extent's pages for the record that tells them all.
 * Pure. */
#ifndef VMRAS_RAS_LOST_PAGES_H
#define VMRAS_RAS_LOST_PAGES_H

#include <stddef.h>
#include <stdint.h>

/* Extents from 8 KiB to 1 GiB (a bitmap of up to 32 KiB each). */
#define LOST_PAGES_MAX_LSB 30

struct lost_pages;

struct lost_pages *lost_pages_new(void);
void lost_pages_free(struct lost_pages *t);

/* Marks the 4 KiB page holding gpa, inside the extent [extent, extent +
 * 2^lsb) (extent aligned to it), as told. Returns 1 if it was not marked
 * yet, 0 if it was, -1 with errno EINVAL (gpa outside, extent misaligned,
 * lsb outside 13..LOST_PAGES_MAX_LSB) or ENOMEM. */
int lost_pages_mark(struct lost_pages *t, uint64_t extent, unsigned lsb, uint64_t gpa);

/* Forgets an extent, whatever its size: replaced at a reset, it starts
 * over if it is lost again. */
void lost_pages_forget(struct lost_pages *t, uint64_t extent);

/* Extents tracked now. */
size_t lost_pages_extents(const struct lost_pages *t);

/* The 4 KiB pages of [extent, extent + 2^lsb) in address order, leaving
 * out the one holding skip (pass UINT64_MAX to leave none out): the first
 * max of them go to out. Returns how many there are in all. */
size_t lost_pages_list(uint64_t extent, unsigned lsb, uint64_t skip, uint64_t *out, size_t max);

#endif
