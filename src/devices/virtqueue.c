#include "devices/virtqueue.h"

#include <errno.h>
#include <string.h>

void virtq_init(struct virtq *vq, const struct guest_mem *gm, const struct virtq_layout *l)
{
	memset(vq, 0, sizeof(*vq));
	vq->gm = gm;
	vq->l = *l;
	vq->live = true;
}

bool virtq_follow(struct virtq *vq, struct virtio_mmio *t, unsigned q, const struct guest_mem *gm)
{
	struct virtq_layout l;

	if (!virtio_mmio_queue(t, q, &l)) {
		vq->live = false;
		return false;
	}
	if (!vq->live || l.gen != vq->l.gen)
		virtq_init(vq, gm, &l);
	return !vq->err;
}

void virtq_unpop(struct virtq *vq)
{
	vq->last_avail--;
}

static int fail(struct virtq *vq, int err, const char *why)
{
	if (!vq->err) {
		vq->err = err;
		vq->why = why;
	}
	return vq->err;
}

static int guest_error(struct virtq *vq, uint64_t bad, const char *where)
{
	if (errno == EHWPOISON) {
		vq->bad = bad;
		return fail(vq, VIRTQ_EPOISON, where);
	}
	return fail(vq, VIRTQ_EMALFORMED, where);
}

static int rd(struct virtq *vq, uint64_t gpa, void *buf, size_t len, const char *where)
{
	uint64_t bad = 0;

	if (guest_mem_read(vq->gm, gpa, buf, len, &bad) == 0)
		return 0;
	return guest_error(vq, bad, where);
}

static int wr(struct virtq *vq, uint64_t gpa, const void *buf, size_t len, const char *where)
{
	uint64_t bad = 0;

	if (guest_mem_write(vq->gm, gpa, buf, len, &bad) == 0)
		return 0;
	return guest_error(vq, bad, where);
}

static uint16_t le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)le16(p) | (uint32_t)le16(p + 2) << 16;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;
};

static int read_desc(struct virtq *vq, uint64_t table, unsigned idx, struct desc *d)
{
	uint8_t b[16];
	int r = rd(vq, table + 16ull * idx, b, sizeof(b), "descriptor table");

	if (r)
		return r;
	d->addr = (uint64_t)le32(b) | (uint64_t)le32(b + 4) << 32;
	d->len = le32(b + 8);
	d->flags = le16(b + 12);
	d->next = le16(b + 14);
	return 0;
}

/* The chain is walked with a bound on the descriptors visited (the table's
 * size), so a loop, however the guest builds it, ends in an error. */
static int walk(struct virtq *vq, uint16_t head, struct virtq_chain *c)
{
	uint64_t table = vq->l.desc;
	unsigned size = vq->l.num, idx = head, seen = 0;
	bool indirect = false;
	struct desc d;
	int r;

	c->head = head;
	c->nseg = c->nread = 0;
	c->read_bytes = c->write_bytes = 0;
	for (;;) {
		if (idx >= size)
			return fail(vq, VIRTQ_EMALFORMED, "descriptor index past the table");
		if (++seen > size)
			return fail(vq, VIRTQ_EMALFORMED, "descriptor chain loops");
		r = read_desc(vq, table, idx, &d);
		if (r)
			return r;
		if (d.flags & VIRTQ_DESC_F_INDIRECT) {
			if (indirect)
				return fail(vq, VIRTQ_EMALFORMED, "indirect table inside an indirect table");
			if (d.flags & VIRTQ_DESC_F_NEXT)
				return fail(vq, VIRTQ_EMALFORMED, "indirect descriptor with NEXT");
			if (!d.len || d.len % 16)
				return fail(vq, VIRTQ_EMALFORMED, "indirect table of a bad length");
			indirect = true;
			table = d.addr;
			size = d.len / 16;
			idx = 0;
			seen = 0;
			continue;
		}
		if (!d.len)
			return fail(vq, VIRTQ_EMALFORMED, "zero-length descriptor");
		if (!guest_mem_host(vq->gm, d.addr, d.len))
			return fail(vq, VIRTQ_EMALFORMED, "buffer outside guest RAM");
		if (c->nseg == VIRTQ_MAX_SEGS)
			return fail(vq, VIRTQ_EMALFORMED, "chain of too many segments");
		if (d.flags & VIRTQ_DESC_F_WRITE) {
			c->write_bytes += d.len;
		} else {
			/* 2.7.4.2: readable descriptors come first. */
			if (c->nseg > c->nread)
				return fail(vq, VIRTQ_EMALFORMED, "readable descriptor after a writable one");
			c->nread++;
			c->read_bytes += d.len;
		}
		c->seg[c->nseg++] = (struct virtq_seg){ .gpa = d.addr, .len = d.len,
							.write = d.flags & VIRTQ_DESC_F_WRITE };
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			return 0;
		idx = d.next;
	}
}

int virtq_pop(struct virtq *vq, struct virtq_chain *c)
{
	uint8_t b[2];
	uint16_t avail, head;
	int r;

	if (vq->err)
		return vq->err;
	r = rd(vq, vq->l.avail + 2, b, 2, "available index");
	if (r)
		return r;
	/* The entries and descriptors the index covers were written before
	 * it: read them after it. */
	__atomic_thread_fence(__ATOMIC_ACQUIRE);
	avail = le16(b);
	if (avail == vq->last_avail)
		return 0;
	if ((uint16_t)(avail - vq->last_avail) > vq->l.num)
		return fail(vq, VIRTQ_EMALFORMED, "available index ran ahead of the ring");
	r = rd(vq, vq->l.avail + 4 + 2ull * (vq->last_avail % vq->l.num), b, 2, "available ring");
	if (r)
		return r;
	head = le16(b);
	r = walk(vq, head, c);
	if (r)
		return r;
	vq->last_avail++;
	return 1;
}

int virtq_push(struct virtq *vq, uint16_t head, uint32_t len)
{
	uint8_t elem[8], idx[2];
	int r;

	if (vq->err)
		return vq->err;
	put_le(elem, head, 4);
	put_le(elem + 4, len, 4);
	r = wr(vq, vq->l.used + 4 + 8ull * (vq->used_idx % vq->l.num), elem, sizeof(elem), "used ring");
	if (r)
		return r;
	vq->used_idx++;
	/* The element before the index that hands it over (2.7.8). */
	__atomic_thread_fence(__ATOMIC_RELEASE);
	put_le(idx, vq->used_idx, 2);
	return wr(vq, vq->l.used + 2, idx, 2, "used index");
}

bool virtq_should_interrupt(struct virtq *vq)
{
	uint8_t b[2];
	uint64_t bad;

	/* The used index must be visible before the flags are read, or a
	 * driver that just re-enabled interrupts could be missed (the store
	 * and the load are to different places: a full fence). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (guest_mem_read(vq->gm, vq->l.avail, b, 2, &bad))
		return true;
	return !(le16(b) & VRING_AVAIL_F_NO_INTERRUPT);
}

void virtq_slice(const struct virtq_chain *c, bool writable, uint64_t skip, uint64_t len,
		 struct virtq_pieces *p)
{
	unsigned first = writable ? c->nread : 0, end = writable ? c->nseg : c->nread;

	p->n = 0;
	p->bytes = 0;
	for (unsigned i = first; i < end && len; i++) {
		uint64_t gpa = c->seg[i].gpa, l = c->seg[i].len;

		if (skip >= l) {
			skip -= l;
			continue;
		}
		gpa += skip;
		l -= skip;
		skip = 0;
		if (l > len)
			l = len;
		p->gpa[p->n] = gpa;
		p->len[p->n++] = (uint32_t)l;
		p->bytes += l;
		len -= l;
	}
}

int virtq_copy(const struct guest_mem *gm, const struct virtq_pieces *p, void *buf, bool to_guest)
{
	uint8_t *q = buf;
	uint64_t bad = 0;

	for (unsigned i = 0; i < p->n; i++) {
		int r = to_guest ? guest_mem_write(gm, p->gpa[i], q, p->len[i], &bad)
				 : guest_mem_read(gm, p->gpa[i], q, p->len[i], &bad);
		if (r)
			return -1;
		q += p->len[i];
	}
	return 0;
}

int virtq_iov(const struct guest_mem *gm, const struct virtq_pieces *p, struct iovec *iov)
{
	for (unsigned i = 0; i < p->n; i++) {
		iov[i].iov_base = guest_mem_host(gm, p->gpa[i], p->len[i]);
		iov[i].iov_len = p->len[i];
		if (!iov[i].iov_base)
			return -1;
	}
	return 0;
}

/* 4 KiB: the smallest page a guest or host uses. */
#define PROBE_PAGE 4096u

unsigned virtq_probe(const struct guest_mem *gm, const struct virtq_pieces *p)
{
	unsigned found = 0;
	uint64_t last = UINT64_MAX;

	for (unsigned i = 0; i < p->n; i++) {
		uint64_t end = p->gpa[i] + p->len[i];

		for (uint64_t a = p->gpa[i]; a < end; a = (a | (PROBE_PAGE - 1)) + 1) {
			uint8_t byte;
			uint64_t bad = 0;

			if (guest_mem_read(gm, a, &byte, 1, &bad) == 0 || errno != EHWPOISON)
				continue;
			if (bad != last)
				found++;
			last = bad;
		}
	}
	return found;
}
