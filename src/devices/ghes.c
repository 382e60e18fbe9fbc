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

/* Pointer and empty block rewritten (placed layouts only), queue emptied. */
static void clear_source(struct ghes_dev *g, struct ghes_source_dev *s)
{
	if (g->placed) {
		uint64_t pointer = htole64(s->block_gpa);
		uint8_t *block = guest_ram_gpa_to_hva(g->ram, s->block_gpa, GHES_RECORD_MAX);

		guest_ram_write(g->ram, s->pointer_gpa, &pointer, sizeof(pointer));
		if (block)
			memset(block, 0, GHES_RECORD_MAX);
	}
	/* Nothing outstanding reads as acknowledged. */
	s->ack_reg = 1;
	ghes_queue_init(&s->q);
}

static void ack_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct ghes_dev *g = opaque;
	unsigned stride = g->ack_stride;
	unsigned source = (unsigned)(off / stride);
	struct ghes_source_dev *s = &g->src[source];
	bool notify = false;

	off %= stride;
	pthread_mutex_lock(&g->lock);
	if (!is_write) {
		for (unsigned i = 0; i < size; i++)
			data[i] = off + i < stride ? (uint8_t)(s->ack_reg >> (8 * (off + i))) : 0;
	} else if (off == 0 && (data[0] & 1)) {
		/* Linux reads the register, keeps the preserve mask, ORs in the
		 * write value (bit 0) and writes it back: that write is the
		 * acknowledge. */
		const struct ghes_record *next = ghes_queue_ack(&s->q);
		s->ack_reg = 1;
		if (next && g->placed)
			notify = write_block(g, s, next->bytes, next->len) &&
				 s->notify_mode == GHES_NOTIFY_ON_WRITE;
	}
	pthread_mutex_unlock(&g->lock);
	if (notify && g->notify)
		g->notify(g->opaque, source, -1);
}

static bool area_ok(const struct guest_ram *ram, uint64_t pointers_gpa, uint64_t blocks_gpa)
{
	for (unsigned i = 0; i < GHES_SOURCES; i++)
		if (!guest_ram_gpa_to_hva(ram, pointers_gpa + 8 * i, 8) ||
		    !guest_ram_gpa_to_hva(ram, blocks_gpa + (uint64_t)GHES_RECORD_MAX * i, GHES_RECORD_MAX))
			return false;
	return true;
}

static void set_area(struct ghes_dev *g, uint64_t pointers_gpa, uint64_t blocks_gpa)
{
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		g->src[i].pointer_gpa = pointers_gpa + 8 * i;
		g->src[i].block_gpa = blocks_gpa + (uint64_t)GHES_RECORD_MAX * i;
	}
}

int ghes_dev_init(struct ghes_dev *g, const struct guest_ram *ram, struct bus *bus,
		  const struct ghes_dev_layout *layout)
{
	unsigned stride = layout->ack_stride ? layout->ack_stride : GHES_ACK_STRIDE_IO32;

	g->ram = ram;
	g->ack_stride = stride;
	g->firmware = layout->firmware;
	g->placed = !layout->firmware;
	pthread_mutex_init(&g->lock, NULL);
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		g->src[i].ack_addr = layout->ack_addr[i];
		g->src[i].notify_mode = layout->notify_mode[i];
	}
	if (layout->firmware)
		set_area(g, 0, 0);
	else if (area_ok(ram, layout->pointers_gpa, layout->blocks_gpa))
		set_area(g, layout->pointers_gpa, layout->blocks_gpa);
	else
		return -1;
	/* One handler for both registers when they are adjacent, as vmras
	 * lays them out; the offset says which. */
	if ((stride != GHES_ACK_STRIDE_IO32 && stride != GHES_ACK_STRIDE_MMIO64) ||
	    layout->ack_addr[1] != layout->ack_addr[0] + stride ||
	    bus_register(bus, layout->ack_space, layout->ack_addr[0], (uint64_t)stride * GHES_SOURCES,
			 ack_access, g))
		return -1;
	ghes_dev_reset(g);
	return 0;
}

unsigned ghes_dev_reset(struct ghes_dev *g)
{
	unsigned waiting = 0;

	pthread_mutex_lock(&g->lock);
	/* The firmware of the new guest places its own blocks: until then
	 * this memory is the guest's, and nothing may write it. */
	if (g->firmware) {
		g->placed = false;
		set_area(g, 0, 0);
	}
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		waiting += g->src[i].q.count + (g->src[i].q.busy ? 1 : 0);
		clear_source(g, &g->src[i]);
	}
	pthread_mutex_unlock(&g->lock);
	return waiting;
}

int ghes_dev_place(struct ghes_dev *g, uint64_t pointers_gpa, uint64_t blocks_gpa)
{
	if (!g->firmware || !area_ok(g->ram, pointers_gpa, blocks_gpa))
		return -1;
	pthread_mutex_lock(&g->lock);
	set_area(g, pointers_gpa, blocks_gpa);
	g->placed = true;
	for (unsigned i = 0; i < GHES_SOURCES; i++)
		clear_source(g, &g->src[i]);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

bool ghes_dev_placed(struct ghes_dev *g)
{
	bool placed;

	pthread_mutex_lock(&g->lock);
	placed = g->placed;
	pthread_mutex_unlock(&g->lock);
	return placed;
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
	if (!g->placed) {
		/* Nowhere to write it, and queueing it would hand it to the
		 * guest's firmware-placed memory only after the guest's error
		 * had gone untold. */
		pthread_mutex_unlock(&g->lock);
		return r;
	}
	r.what = ghes_queue_submit(&s->q, rec, len, tag);
	if (r.what == GHES_WRITE_NOW)
		notify = write_block(g, s, rec, len);
	else if (r.what == GHES_QUEUED)
		notify = s->notify_mode == GHES_NOTIFY_PER_RECORD;
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
