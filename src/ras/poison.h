/* The poison registry: every poisoned extent vmras was told about, for the
 * life of the process. A report is recognised as a duplicate in O(1) on
 * average (open addressing on the extent), not by scanning a list as QEMU
 * does. Entries are never dropped: on guest reset the extents not yet
 * replaced come out as sorted, coalesced runs, one discard call each, and are
 * then marked replaced, history kept.
 *
 * An entry is keyed by (guest or vmras memory, start, size): the start is the
 * guest physical address (vmras's memory: the host address) rounded down to
 * the reported extent. One huge page is one entry, whichever 4 KiB pages of it
 * are reported. Pure and single-threaded: the thread that drains the SIGBUS
 * intake owns it. */
#ifndef VMRAS_RAS_POISON_H
#define VMRAS_RAS_POISON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ras/memory_failure.h"

#define POISON_NO_REGION 0xff
#define POISON_MAX_REGIONS 0xff

/* 40 bytes: a million entries take 40 MB, plus a 16 MB index. */
struct poison_entry {
	uint64_t addr;             /* start of the extent: gpa, or hva for vmras's own memory */
	uint64_t hva;              /* start of the extent in vmras when it was reported */
	uint64_t first_ns;         /* caller's clock, first report */
	uint64_t last_ns;          /* latest report */
	uint32_t count;            /* reports, duplicates included (saturates) */
	uint8_t lsb;               /* extent is 2^lsb bytes */
	uint8_t region;            /* index for poison_region_name, or POISON_NO_REGION */
	uint8_t guest : 1;         /* guest RAM, rather than vmras's own memory */
	uint8_t replaced : 1;      /* fresh memory is behind it since the last reset */
	uint8_t seen_ar : 1;       /* some report was action-required */
	uint8_t seen_ao : 1;       /* some report was action-optional */
	uint8_t last_ar : 1;       /* the latest report was action-required */
	uint8_t last_action : 2;   /* enum mf_action of the latest report */
	uint8_t found : 1;         /* a scan found it before any report named it (since the last replace) */
	uint8_t actions;           /* bit (1 << enum mf_action) for every action taken */
};

enum poison_add {
	POISON_ADDED,              /* a new extent */
	POISON_DUPLICATE,          /* reported before, still poisoned */
	POISON_RECURRED,           /* reported before, replaced since, poisoned again */
};

struct poison_registry;

struct poison_registry *poison_new(void);
void poison_free(struct poison_registry *r);

/* Records one report, after its action was decided. Returns an enum
 * poison_add, or -1 (errno EINVAL: lsb beyond 63, or more than 255 region
 * names; ENOMEM). *entry, if not NULL, points at the entry until the next
 * call that adds. */
int poison_record(struct poison_registry *r, const struct memory_failure *f,
		  enum mf_action action, uint64_t now_ns, const struct poison_entry **entry);

/* Entries in the order they were first reported: 0 <= i < poison_count. */
size_t poison_count(const struct poison_registry *r);
const struct poison_entry *poison_at(const struct poison_registry *r, size_t i);
/* Guest extents not yet replaced. */
size_t poison_pending(const struct poison_registry *r);

/* The entry for exactly that extent (addr rounded down to it), or NULL. */
const struct poison_entry *poison_find(const struct poison_registry *r, enum mf_recipient who,
				       uint64_t addr, unsigned lsb);
/* A guest entry whose extent holds gpa, whatever its size: a pending one if
 * any, else a replaced one; NULL if gpa was never poisoned. */
const struct poison_entry *poison_find_gpa(const struct poison_registry *r, uint64_t gpa);

const char *poison_region_name(const struct poison_registry *r, unsigned region);

struct poison_run {
	const char *region;        /* region name, or NULL */
	unsigned region_index;
	uint64_t gpa;
	uint64_t size;
};

/* The pending guest extents, merged where they overlap or touch inside one
 * region, sorted by region index then address. *runs is malloc'd (NULL when
 * there are none). Returns 0, or -1 with errno ENOMEM. */
int poison_runs(const struct poison_registry *r, struct poison_run **runs, size_t *n);

/* Marks the pending extents wholly inside the given runs (sorted as
 * poison_runs gives them; pass only the runs whose memory was really
 * replaced) as replaced. Returns how many entries it marked. */
size_t poison_mark_replaced(struct poison_registry *r, const struct poison_run *runs, size_t n);

#endif
