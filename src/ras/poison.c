#include "ras/poison.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

_Static_assert(sizeof(struct poison_entry) == 40, "keep an entry small: a registry may hold millions");

/* The hash is kept beside the index so that a probe past another key, and
 * a resize, never touch the entries: at a million entries those are cache
 * misses that dominate. */
struct slot {
	uint32_t index;            /* entry index + 1; 0: empty */
	uint32_t hash;
};

struct poison_registry {
	struct poison_entry *entry;
	uint32_t count, cap;
	/* Open addressing, linear probing; load stays at most one half, and
	 * nothing is ever removed, so there are no tombstones. */
	struct slot *slot;
	size_t mask;
	/* Indices of guest entries not yet replaced, in no particular order. */
	uint32_t *pending;
	uint32_t npending, pending_cap;
	/* Every guest lsb seen, so poison_find_gpa tries only those sizes. */
	uint64_t guest_lsbs;
	char *region[POISON_MAX_REGIONS];
	unsigned nregions;
};

#define MIN_SLOTS 64
#define MAX_ENTRIES (UINT32_MAX - 1)

static uint64_t mix(uint64_t x)
{
	/* splitmix64's finalizer: page-aligned keys differ only in high bits. */
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ULL;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebULL;
	x ^= x >> 31;
	return x;
}

static uint32_t key_hash(bool guest, uint64_t addr, unsigned lsb)
{
	/* addr is aligned to at least 4 KiB, so the low bits are free. */
	return (uint32_t)mix(addr | (uint64_t)lsb << 1 | guest);
}

static bool same(const struct poison_entry *e, bool guest, uint64_t addr, unsigned lsb)
{
	return e->addr == addr && e->lsb == lsb && e->guest == guest;
}

static uint64_t align(uint64_t a, unsigned lsb)
{
	return a & ~(mf_lsb_size(lsb) - 1);
}

struct poison_registry *poison_new(void)
{
	struct poison_registry *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->slot = calloc(MIN_SLOTS, sizeof(*r->slot));
	if (!r->slot) {
		free(r);
		return NULL;
	}
	r->mask = MIN_SLOTS - 1;
	return r;
}

void poison_free(struct poison_registry *r)
{
	if (!r)
		return;
	for (unsigned i = 0; i < r->nregions; i++)
		free(r->region[i]);
	free(r->entry);
	free(r->slot);
	free(r->pending);
	free(r);
}

static struct slot *probe(const struct poison_registry *r, uint32_t hash, bool guest,
			  uint64_t addr, unsigned lsb)
{
	for (size_t i = hash & r->mask;; i = (i + 1) & r->mask) {
		struct slot *s = &r->slot[i];
		if (!s->index || (s->hash == hash && same(&r->entry[s->index - 1], guest, addr, lsb)))
			return s;
	}
}

static int grow_slots(struct poison_registry *r)
{
	size_t old_cap = r->mask + 1, cap = old_cap * 2;
	struct slot *old = r->slot;

	/* Slots are found by a 32-bit hash. */
	if (cap > (size_t)UINT32_MAX + 1) {
		errno = ENOMEM;
		return -1;
	}
	r->slot = calloc(cap, sizeof(*r->slot));
	if (!r->slot) {
		r->slot = old;
		return -1;
	}
	r->mask = cap - 1;
	for (size_t i = 0; i < old_cap; i++) {
		if (old[i].index) {
			size_t j = old[i].hash & r->mask;
			while (r->slot[j].index)
				j = (j + 1) & r->mask;
			r->slot[j] = old[i];
		}
	}
	free(old);
	return 0;
}

static int push_pending(struct poison_registry *r, uint32_t index)
{
	if (r->npending == r->pending_cap) {
		size_t cap = r->pending_cap ? (size_t)r->pending_cap * 2 : 64;
		uint32_t *p;
		if (cap > MAX_ENTRIES)
			cap = MAX_ENTRIES;
		p = realloc(r->pending, cap * sizeof(*p));
		if (!p)
			return -1;
		r->pending = p;
		r->pending_cap = (uint32_t)cap;
	}
	r->pending[r->npending++] = index;
	return 0;
}

static int intern_region(struct poison_registry *r, const char *name)
{
	if (!name)
		return POISON_NO_REGION;
	for (unsigned i = 0; i < r->nregions; i++)
		if (r->region[i] == name || !strcmp(r->region[i], name))
			return (int)i;
	if (r->nregions == POISON_MAX_REGIONS) {
		errno = EINVAL;
		return -1;
	}
	r->region[r->nregions] = strdup(name);
	if (!r->region[r->nregions])
		return -1;
	return (int)r->nregions++;
}

static void note(struct poison_entry *e, const struct memory_failure *f, enum mf_action action,
		 uint64_t now_ns)
{
	if (e->count < UINT32_MAX)
		e->count++;
	e->last_ns = now_ns;
	e->last_ar = f->action_required;
	e->seen_ar |= f->action_required;
	e->seen_ao |= !f->action_required;
	e->last_action = (uint8_t)action & 3;
	e->actions |= (uint8_t)(1u << (action & 3));
}

int poison_record(struct poison_registry *r, const struct memory_failure *f,
		  enum mf_action action, uint64_t now_ns, const struct poison_entry **out)
{
	int lsb = mf_lsb_normalize(f->lsb);
	bool guest = f->recipient == MF_RECIPIENT_GUEST;
	uint64_t addr;
	uint32_t hash;
	struct slot *s;
	struct poison_entry *e;
	int region;

	if (lsb < 0 || (unsigned)action > MF_ACTION_RESET) {
		errno = EINVAL;
		return -1;
	}
	addr = align(guest ? f->gpa : f->hva, (unsigned)lsb);
	hash = key_hash(guest, addr, (unsigned)lsb);
	s = probe(r, hash, guest, addr, (unsigned)lsb);
	if (s->index) {
		e = &r->entry[s->index - 1];
		int result = POISON_DUPLICATE;
		if (e->replaced) {
			if (push_pending(r, s->index - 1) < 0)
				return -1;
			e->replaced = 0;
			e->hva = align(f->hva, (unsigned)lsb);
			e->found = f->found;
			result = POISON_RECURRED;
		}
		note(e, f, action, now_ns);
		if (out)
			*out = e;
		return result;
	}

	if (r->count == MAX_ENTRIES) {
		errno = ENOMEM;
		return -1;
	}
	region = guest ? intern_region(r, f->region) : POISON_NO_REGION;
	if (region < 0)
		return -1;
	if (r->count == r->cap) {
		uint32_t cap = r->cap ? (r->cap > MAX_ENTRIES / 2 ? MAX_ENTRIES : r->cap * 2) : 32;
		e = realloc(r->entry, (size_t)cap * sizeof(*e));
		if (!e)
			return -1;
		r->entry = e;
		r->cap = cap;
	}
	if ((size_t)(r->count + 1) * 2 > r->mask + 1) {
		if (grow_slots(r) < 0)
			return -1;
		s = probe(r, hash, guest, addr, (unsigned)lsb);
	}
	if (guest && push_pending(r, r->count) < 0)
		return -1;

	e = &r->entry[r->count];
	*e = (struct poison_entry){
		.addr = addr,
		.hva = align(f->hva, (unsigned)lsb),
		.first_ns = now_ns,
		.lsb = (uint8_t)lsb,
		.region = (uint8_t)region,
		.guest = guest,
		.found = f->found,
	};
	note(e, f, action, now_ns);
	*s = (struct slot){ .index = ++r->count, .hash = hash };
	if (guest)
		r->guest_lsbs |= 1ULL << lsb;
	if (out)
		*out = e;
	return POISON_ADDED;
}

size_t poison_count(const struct poison_registry *r)
{
	return r->count;
}

const struct poison_entry *poison_at(const struct poison_registry *r, size_t i)
{
	return i < r->count ? &r->entry[i] : NULL;
}

size_t poison_pending(const struct poison_registry *r)
{
	return r->npending;
}

const struct poison_entry *poison_find(const struct poison_registry *r, enum mf_recipient who,
				       uint64_t addr, unsigned lsb)
{
	int l = mf_lsb_normalize(lsb);
	bool guest = who == MF_RECIPIENT_GUEST;
	const struct slot *s;

	if (l < 0)
		return NULL;
	addr = align(addr, (unsigned)l);
	s = probe(r, key_hash(guest, addr, (unsigned)l), guest, addr, (unsigned)l);
	return s->index ? &r->entry[s->index - 1] : NULL;
}

const struct poison_entry *poison_find_gpa(const struct poison_registry *r, uint64_t gpa)
{
	const struct poison_entry *replaced = NULL;

	for (uint64_t lsbs = r->guest_lsbs; lsbs; lsbs &= lsbs - 1) {
		unsigned lsb = (unsigned)__builtin_ctzll(lsbs);
		const struct poison_entry *e = poison_find(r, MF_RECIPIENT_GUEST, gpa, lsb);
		if (e && !e->replaced)
			return e;
		if (e && !replaced)
			replaced = e;
	}
	return replaced;
}

const char *poison_region_name(const struct poison_registry *r, unsigned region)
{
	return region < r->nregions ? r->region[region] : NULL;
}

static int run_cmp(const void *a, const void *b)
{
	const struct poison_run *x = a, *y = b;

	if (x->region_index != y->region_index)
		return x->region_index < y->region_index ? -1 : 1;
	if (x->gpa != y->gpa)
		return x->gpa < y->gpa ? -1 : 1;
	return 0;
}

/* Extent end, saturating: an extent that reaches 2^64 ends at UINT64_MAX. */
static uint64_t extent_end(uint64_t gpa, uint64_t size)
{
	return gpa + size < gpa ? UINT64_MAX : gpa + size;
}

int poison_runs(const struct poison_registry *r, struct poison_run **runs, size_t *n)
{
	struct poison_run *v;
	size_t k = 0;

	*runs = NULL;
	*n = 0;
	if (!r->npending)
		return 0;
	v = malloc((size_t)r->npending * sizeof(*v));
	if (!v)
		return -1;
	for (uint32_t i = 0; i < r->npending; i++) {
		const struct poison_entry *e = &r->entry[r->pending[i]];
		v[i] = (struct poison_run){
			.region = poison_region_name(r, e->region),
			.region_index = e->region,
			.gpa = e->addr,
			.size = mf_lsb_size(e->lsb),
		};
	}
	qsort(v, r->npending, sizeof(*v), run_cmp);
	for (uint32_t i = 0; i < r->npending; i++) {
		struct poison_run *last = k ? &v[k - 1] : NULL;
		uint64_t last_end = last ? extent_end(last->gpa, last->size) : 0;
		if (last && last->region_index == v[i].region_index && v[i].gpa <= last_end) {
			uint64_t end = extent_end(v[i].gpa, v[i].size);
			if (end > last_end)
				last->size = end - last->gpa;
		} else {
			v[k++] = v[i];
		}
	}
	*runs = realloc(v, k * sizeof(*v));
	if (!*runs)
		*runs = v;
	*n = k;
	return 0;
}

/* Whether [gpa, gpa+size) of region lies inside one of the sorted runs. */
static bool covered(const struct poison_run *runs, size_t n, unsigned region, uint64_t gpa,
		    uint64_t size)
{
	size_t lo = 0, hi = n;

	/* The last run that starts at or before (region, gpa). */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (runs[mid].region_index < region ||
		    (runs[mid].region_index == region && runs[mid].gpa <= gpa))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return false;
	const struct poison_run *run = &runs[lo - 1];
	return run->region_index == region &&
	       extent_end(gpa, size) <= extent_end(run->gpa, run->size);
}

size_t poison_mark_replaced(struct poison_registry *r, const struct poison_run *runs, size_t n)
{
	uint32_t kept = 0;
	size_t marked = 0;

	for (uint32_t i = 0; i < r->npending; i++) {
		struct poison_entry *e = &r->entry[r->pending[i]];
		if (covered(runs, n, e->region, e->addr, mf_lsb_size(e->lsb))) {
			e->replaced = 1;
			marked++;
		} else {
			r->pending[kept++] = r->pending[i];
		}
	}
	r->npending = kept;
	return marked;
}
