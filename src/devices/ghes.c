#include "devices/ghes.h"

#include <endian.h>
#include <string.h>

#include "ras/cper.h"

/* The guest may read the block the moment its status is non-zero, so the
 * body goes first and the 4-byte block status last. */
static bool write_block(struct ghes_dev *g, struct ghes_source_dev *s, const uint8_t *rec, size_t len)
{
	uint8_t *block = guest_ram_gpa_to_hva(g->ram, s->block_gpa, GHES_RECORD_MAX);

	if (!block || len < 4)
		return false;
	memcpy(block + 4, rec + 4, len - 4);
	__atomic_thread_fence(__ATOMIC_RELEASE);
	memcpy(block, rec, 4);
	s->ack_reg = 0;
	return true;
}

static void clear_source(struct ghes_dev *g, struct ghes_source_dev *s)
{
	uint64_t pointer = htole64(s->block_gpa);
	uint8_t *block = guest_ram_gpa_to_hva(g->ram, s->block_gpa, GHES_RECORD_MAX);

	guest_ram_write(g->ram, s->pointer_gpa, &pointer, sizeof(pointer));
	if (block)
		memset(block, 0, GHES_RECORD_MAX);
	/* Nothing outstanding reads as acknowledged. */
	s->ack_reg = 1;
	ghes_queue_init(&s->q);
}

static void ack_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct ghes_dev *g = opaque;
	unsigned source = (unsigned)(off / 4);
	struct ghes_source_dev *s = &g->src[source];
	bool notify = false;

	off %= 4;
	pthread_mutex_lock(&g->lock);
	if (!is_write) {
		for (unsigned i = 0; i < size; i++)
			data[i] = off + i < 4 ? (uint8_t)(s->ack_reg >> (8 * (off + i))) : 0;
	} else if (off == 0 && (data[0] & 1)) {
		/* Linux reads the register, keeps the preserve mask, ORs in the
		 * write value (bit 0) and writes it back: that write is the
		 * acknowledge. */
		const struct ghes_record *next = ghes_queue_ack(&s->q);
		s->ack_reg = 1;
		if (next)
			notify = write_block(g, s, next->bytes, next->len);
	}
	pthread_mutex_unlock(&g->lock);
	if (notify && g->notify)
		g->notify(g->opaque, source, -1);
}

int ghes_dev_init(struct ghes_dev *g, const struct guest_ram *ram, struct bus *bus,
		  const struct ghes_dev_layout *layout)
{
	g->ram = ram;
	pthread_mutex_init(&g->lock, NULL);
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		struct ghes_source_dev *s = &g->src[i];
		s->ack_addr = layout->ack_addr[i];
		s->pointer_gpa = layout->pointers_gpa + 8 * i;
		s->block_gpa = layout->blocks_gpa + (uint64_t)GHES_RECORD_MAX * i;
		if (!guest_ram_gpa_to_hva(ram, s->pointer_gpa, 8) ||
		    !guest_ram_gpa_to_hva(ram, s->block_gpa, GHES_RECORD_MAX))
			return -1;
	}
	/* One handler for both registers when they are adjacent, as vmras
	 * lays them out; the offset says which. */
	if (layout->ack_addr[1] != layout->ack_addr[0] + 4 ||
	    bus_register(bus, layout->ack_space, layout->ack_addr[0], 8, ack_access, g))
		return -1;
	ghes_dev_reset(g);
	return 0;
}

unsigned ghes_dev_reset(struct ghes_dev *g)
{
	unsigned waiting = 0;

	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		waiting += g->src[i].q.count + (g->src[i].q.busy ? 1 : 0);
		clear_source(g, &g->src[i]);
	}
	pthread_mutex_unlock(&g->lock);
	return waiting;
}

struct ghes_dev_result ghes_dev_submit(struct ghes_dev *g, unsigned source, const void *rec,
				       size_t len, uint64_t tag, int cpu)
{
	struct ghes_dev_result r = { .what = GHES_INVALID };
	struct ghes_source_dev *s;
	bool notify = false;

	if (source >= GHES_SOURCES || len < CPER_ESTATUS_LEN)
		return r;
	s = &g->src[source];
	pthread_mutex_lock(&g->lock);
	r.what = ghes_queue_submit(&s->q, rec, len, tag);
	if (r.what == GHES_WRITE_NOW)
		notify = write_block(g, s, rec, len);
	r.waiting = s->q.count;
	pthread_mutex_unlock(&g->lock);
	if (notify && g->notify)
		g->notify(g->opaque, source, cpu);
	return r;
}

void ghes_dev_stats(struct ghes_dev *g, unsigned source, struct ghes_queue_stats *out)
{
	memset(out, 0, sizeof(*out));
	if (source >= GHES_SOURCES)
		return;
	pthread_mutex_lock(&g->lock);
	out->busy = g->src[source].q.busy;
	out->waiting = g->src[source].q.count;
	out->written = g->src[source].q.written;
	out->acked = g->src[source].q.acked;
	out->dropped = g->src[source].q.dropped;
	pthread_mutex_unlock(&g->lock);
}
