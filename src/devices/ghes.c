#include "devices/ghes.h"

#include <endian.h>
#include <string.h>
#include <time.h>

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

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Whether the source's free block may take pages now. */
static bool pages_due(const struct ghes_source_dev *s, uint64_t now)
{
	return s->notify_mode == GHES_NOTIFY_PER_RECORD ||
	       (now - s->acked_ns >= s->pace_ns && now >= s->held_until_ns);
}

/* When pages_due becomes true (ON_WRITE sources). */
static uint64_t pages_due_at(const struct ghes_source_dev *s)
{
	uint64_t paced = s->acked_ns + s->pace_ns;

	return paced > s->held_until_ns ? paced : s->held_until_ns;
}

/* Packs the oldest waiting pages into the free block and takes it (lock
 * held). Returns whether a block was written. */
static bool write_pages(struct ghes_dev *g, struct ghes_source_dev *s)
{
	uint8_t rec[GHES_RECORD_MAX];
	size_t max = s->notify_mode == GHES_NOTIFY_PER_RECORD ? 1 : GHES_PAGES_PER_BLOCK;
	ssize_t len;

	if (!g->placed || !ghes_backlog_waiting(&s->pages) || s->q.busy || ghes_queue_waiting(&s->q))
		return false;
	/* A page that cannot be encoded is dropped (and counted) by the
	 * backlog; the next try goes on with the others. */
	do
		len = ghes_backlog_pack(&s->pages, rec, sizeof(rec), max);
	while (len < 0 && ghes_backlog_waiting(&s->pages));
	if (len <= 0 || !ghes_queue_take(&s->q))
		return false;
	s->blocks++;
	s->pace_ns = g->page_pace_ns * ((size_t)len - CPER_ESTATUS_LEN) / CPER_MEM_ENTRY_LEN;
	return write_block(g, s, rec, (size_t)len);
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
	ghes_backlog_clear(&s->pages);
	s->acked_ns = s->pace_ns = s->held_until_ns = 0;
}

static void ack_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct ghes_dev *g = opaque;
	unsigned stride = g->ack_stride;
	unsigned source = (unsigned)(off / stride);
	struct ghes_source_dev *s = &g->src[source];
	bool notify = false, kick = false;

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
		s->acked_ns = now_ns();
		if (next && g->placed)
			notify = write_block(g, s, next->bytes, next->len) &&
				 s->notify_mode == GHES_NOTIFY_ON_WRITE;
		else if (s->notify_mode == GHES_NOTIFY_PER_RECORD)
			/* Its notification went at submit, one per page: the
			 * page must be in the block at once. */
			write_pages(g, s);
		else
			kick = ghes_backlog_waiting(&s->pages) > 0;
	}
	pthread_mutex_unlock(&g->lock);
	if (notify && g->notify)
		g->notify(g->opaque, source, -1);
	if (kick && g->kick)
		g->kick(g->kick_opaque);
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

/* Every page of guest RAM waiting at once: no burst of distinct pages
 * passes it. */
static size_t ram_pages(const struct guest_ram *ram)
{
	uint64_t bytes = 0;

	for (unsigned i = 0; i < ram->count; i++)
		bytes += ram->region[i].size;
	return bytes / GHES_RECORD_MAX ? (size_t)(bytes / GHES_RECORD_MAX) : 1;
}

int ghes_dev_init(struct ghes_dev *g, const struct guest_ram *ram, struct bus *bus,
		  const struct ghes_dev_layout *layout)
{
	unsigned stride = layout->ack_stride ? layout->ack_stride : GHES_ACK_STRIDE_IO32;

	g->ram = ram;
	g->ack_stride = stride;
	g->page_pace_ns = GHES_PACE_PAGE_NS;
	g->firmware = layout->firmware;
	g->placed = !layout->firmware;
	pthread_mutex_init(&g->lock, NULL);
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		g->src[i].ack_addr = layout->ack_addr[i];
		g->src[i].notify_mode = layout->notify_mode[i];
		g->src[i].blocks = 0;
		ghes_backlog_init(&g->src[i].pages, layout->backlog_limit ? layout->backlog_limit
									  : ram_pages(ram));
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

void ghes_dev_free(struct ghes_dev *g)
{
	for (unsigned i = 0; i < GHES_SOURCES; i++)
		ghes_backlog_free(&g->src[i].pages);
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
		waiting += g->src[i].q.count + (g->src[i].q.busy ? 1 : 0) +
			   (unsigned)ghes_backlog_waiting(&g->src[i].pages);
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

struct ghes_pages_result ghes_dev_submit_pages(struct ghes_dev *g, unsigned source,
					       const struct cper_mem_error *pages, size_t n, int cpu)
{
	struct ghes_pages_result r = { 0 };
	struct ghes_source_dev *s;
	bool notify = false;

	if (source >= GHES_SOURCES) {
		r.invalid = n;
		return r;
	}
	s = &g->src[source];
	pthread_mutex_lock(&g->lock);
	if (!g->placed) {
		/* As for a record: nowhere to write them now. */
		pthread_mutex_unlock(&g->lock);
		r.invalid = n;
		return r;
	}
	for (size_t i = 0; i < n; i++) {
		if (ghes_backlog_add(&s->pages, &pages[i]))
			r.queued++;
		else
			r.dropped++;
	}
	if (pages_due(s, now_ns()))
		notify = write_pages(g, s) && s->notify_mode == GHES_NOTIFY_ON_WRITE;
	r.waiting = ghes_backlog_waiting(&s->pages);
	pthread_mutex_unlock(&g->lock);
	if (g->notify) {
		if (s->notify_mode == GHES_NOTIFY_PER_RECORD)
			for (size_t i = 0; i < r.queued; i++)
				g->notify(g->opaque, source, cpu);
		else if (notify)
			g->notify(g->opaque, source, cpu);
	}
	return r;
}

void ghes_dev_set_page_pace(struct ghes_dev *g, uint64_t ns)
{
	pthread_mutex_lock(&g->lock);
	g->page_pace_ns = ns;
	pthread_mutex_unlock(&g->lock);
}

void ghes_dev_hold_pages(struct ghes_dev *g, unsigned source, uint64_t until_ns)
{
	if (source >= GHES_SOURCES)
		return;
	pthread_mutex_lock(&g->lock);
	if (until_ns > g->src[source].held_until_ns)
		g->src[source].held_until_ns = until_ns;
	pthread_mutex_unlock(&g->lock);
}

uint64_t ghes_dev_pump(struct ghes_dev *g, uint64_t now)
{
	bool notify[GHES_SOURCES] = { false };
	uint64_t next = 0;

	pthread_mutex_lock(&g->lock);
	for (unsigned i = 0; i < GHES_SOURCES; i++) {
		struct ghes_source_dev *s = &g->src[i];
		uint64_t wait;

		if (!g->placed || !ghes_backlog_waiting(&s->pages) || s->q.busy)
			continue;
		if (pages_due(s, now)) {
			notify[i] = write_pages(g, s) && s->notify_mode == GHES_NOTIFY_ON_WRITE;
			continue;
		}
		wait = pages_due_at(s) - now;
		if (!next || wait < next)
			next = wait;
	}
	pthread_mutex_unlock(&g->lock);
	for (unsigned i = 0; i < GHES_SOURCES; i++)
		if (notify[i] && g->notify)
			g->notify(g->opaque, i, -1);
	return next;
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
	out->pages_waiting = ghes_backlog_waiting(&g->src[source].pages);
	out->pages_depth_max = g->src[source].pages.depth_max;
	out->pages_added = g->src[source].pages.added;
	out->pages_told = g->src[source].pages.packed;
	out->pages_dropped = g->src[source].pages.dropped;
	out->page_blocks = g->src[source].blocks;
	pthread_mutex_unlock(&g->lock);
}
