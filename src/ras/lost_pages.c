#include "ras/lost_pages.h"

#include <errno.h>
#include <stdlib.h>

#include "ras/memory_failure.h"

struct extent {
	uint64_t start;
	unsigned lsb;
	uint64_t *bits;            /* one bit per 4 KiB page */
};

/* Few extents at once (each is a whole hugepage lost), so a plain array. */
struct lost_pages {
	struct extent *e;
	size_t n, cap;
};

struct lost_pages *lost_pages_new(void)
{
	return calloc(1, sizeof(struct lost_pages));
}

void lost_pages_free(struct lost_pages *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++)
		free(t->e[i].bits);
	free(t->e);
	free(t);
}

static struct extent *find(struct lost_pages *t, uint64_t start)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->e[i].start == start)
			return &t->e[i];
	return NULL;
}

int lost_pages_mark(struct lost_pages *t, uint64_t extent, unsigned lsb, uint64_t gpa)
{
	uint64_t size, page, mask;
	struct extent *e;

	if (lsb <= MF_PAGE_SHIFT || lsb > LOST_PAGES_MAX_LSB) {
		errno = EINVAL;
		return -1;
	}
	size = UINT64_C(1) << lsb;
	if ((extent & (size - 1)) || gpa < extent || gpa - extent >= size) {
		errno = EINVAL;
		return -1;
	}
	e = find(t, extent);
	if (e && e->lsb != lsb) {
		/* The same start with another size: a different backing now. */
		lost_pages_forget(t, extent);
		e = NULL;
	}
	if (!e) {
		uint64_t *bits = calloc((size >> MF_PAGE_SHIFT) / 64 ? (size >> MF_PAGE_SHIFT) / 64 : 1,
					sizeof(uint64_t));
		if (!bits)
			return -1;
		if (t->n == t->cap) {
			size_t cap = t->cap ? t->cap * 2 : 8;
			struct extent *grown = realloc(t->e, cap * sizeof(*grown));
			if (!grown) {
				free(bits);
				return -1;
			}
			t->e = grown;
			t->cap = cap;
		}
		e = &t->e[t->n++];
		*e = (struct extent){ .start = extent, .lsb = lsb, .bits = bits };
	}
	page = (gpa - extent) >> MF_PAGE_SHIFT;
	mask = UINT64_C(1) << (page % 64);
	if (e->bits[page / 64] & mask)
		return 0;
	e->bits[page / 64] |= mask;
	return 1;
}

void lost_pages_forget(struct lost_pages *t, uint64_t extent)
{
	struct extent *e = find(t, extent);

	if (!e)
		return;
	free(e->bits);
	*e = t->e[--t->n];
}

size_t lost_pages_extents(const struct lost_pages *t)
{
	return t->n;
}

size_t lost_pages_list(uint64_t extent, unsigned lsb, uint64_t skip, uint64_t *out, size_t max)
{
	uint64_t pages = lsb > MF_PAGE_SHIFT && lsb <= MF_LSB_MAX ? UINT64_C(1) << (lsb - MF_PAGE_SHIFT) : 1;
	uint64_t skip_page = skip & ~((UINT64_C(1) << MF_PAGE_SHIFT) - 1);
	size_t n = 0;

	for (uint64_t i = 0; i < pages; i++) {
		uint64_t gpa = extent + (i << MF_PAGE_SHIFT);

		if (gpa == skip_page)
			continue;
		if (n < max)
			out[n] = gpa;
		n++;
	}
	return n;
}
