#include "devices/virtio_blk.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void bump(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_conf *c, const struct guest_mem *gm)
{
	if (!c || c->fd < 0 || c->size_bytes < VIRTIO_BLK_SECTOR || !gm) {
		errno = EINVAL;
		return -1;
	}
	memset(b, 0, sizeof(*b));
	b->conf = *c;
	b->gm = gm;
	b->capacity = c->size_bytes / VIRTIO_BLK_SECTOR;
	pthread_mutex_init(&b->serve_lock, NULL);

	/* struct virtio_blk_config (5.2.4); fields of features not offered
	 * stay zero. */
	put_le(b->config + 0, b->capacity, 8);
	put_le(b->config + 12, VIRTIO_BLK_SEG_MAX, 4);
	put_le(b->config + 20, VIRTIO_BLK_SECTOR, 4);
	if (!c->readonly) {
		put_le(b->config + 36, VIRTIO_BLK_MAX_DISCARD_SECTORS, 4);
		put_le(b->config + 40, VIRTIO_BLK_MAX_DISCARD_SEG, 4);
		/* 4 KiB: the block of the file systems an image lives on, below
		 * which a punched hole only zeroes. */
		put_le(b->config + 44, 8, 4);
		put_le(b->config + 48, VIRTIO_BLK_MAX_DISCARD_SECTORS, 4);
		put_le(b->config + 52, VIRTIO_BLK_MAX_DISCARD_SEG, 4);
		b->config[56] = 1;
	}
	return 0;
}

void virtio_blk_destroy(struct virtio_blk *b)
{
	pthread_mutex_destroy(&b->serve_lock);
}

static uint64_t blk_features(void *dev)
{
	struct virtio_blk *b = dev;
	uint64_t f = (1ull << VIRTIO_BLK_F_SEG_MAX) | (1ull << VIRTIO_BLK_F_BLK_SIZE) |
		     (1ull << VIRTIO_BLK_F_FLUSH) | (1ull << VIRTIO_RING_F_INDIRECT_DESC);

	if (b->conf.readonly)
		f |= 1ull << VIRTIO_BLK_F_RO;
	else
		f |= (1ull << VIRTIO_BLK_F_DISCARD) | (1ull << VIRTIO_BLK_F_WRITE_ZEROES);
	return f;
}

static void blk_config_read(void *dev, uint32_t off, uint8_t *data, unsigned size)
{
	struct virtio_blk *b = dev;

	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < sizeof(b->config) ? b->config[off + i] : 0;
}

/* Nothing in the config is the driver's to change (no CONFIG_WCE). */
static void blk_config_write(void *dev, uint32_t off, const uint8_t *data, unsigned size)
{
	(void)dev; (void)off; (void)data; (void)size;
}

static void blk_notify(void *dev, unsigned queue)
{
	struct virtio_blk *b = dev;

	(void)queue;
	if (b->kick)
		b->kick(b->kick_opaque);
}

/* Waits for a running batch (serve_lock), then forgets the queue. The
 * batch is told to end after its current request: a guest that keeps the
 * ring full from other vCPUs must not hold the resetting one forever. */
static void blk_reset(void *dev)
{
	struct virtio_blk *b = dev;

	__atomic_store_n(&b->stopping, true, __ATOMIC_RELAXED);
	pthread_mutex_lock(&b->serve_lock);
	b->vq.live = false;
	__atomic_store_n(&b->stopping, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&b->serve_lock);
}

const struct virtio_dev_ops virtio_blk_ops = {
	.device_id = VIRTIO_ID_BLOCK,
	.num_queues = 1,
	.queue_max = VIRTIO_BLK_QUEUE_MAX,
	.features = blk_features,
	.config_read = blk_config_read,
	.config_write = blk_config_write,
	.notify = blk_notify,
	.reset = blk_reset,
};

/* guest_mem copies and probes, counting the poisoned pages met. */
static int copy(struct virtio_blk *b, const struct virtq_pieces *p, void *buf, bool to_guest)
{
	int r = virtq_copy(b->gm, p, buf, to_guest);

	if (r && errno == EHWPOISON)
		bump(&b->stats.poisoned_pages, 1);
	return r;
}

static void probe(struct virtio_blk *b, const struct virtq_pieces *p)
{
	bump(&b->stats.poisoned_pages, virtq_probe(b->gm, p));
}

/* A parsed request, the one thing the I/O layer sees. */
struct blk_req {
	uint32_t type;
	uint64_t sector;
	struct virtq_pieces data;     /* IN: where to read into; OUT: what to write */
	uint8_t ranges[VIRTIO_BLK_MAX_DISCARD_SEG * 16];   /* DISCARD, WRITE_ZEROES */
	unsigned nranges;
};

static int zero_fill(struct virtio_blk *b, const struct virtq_pieces *p, uint64_t from)
{
	static const uint8_t zeros[4096];
	uint64_t bad;

	for (unsigned i = 0; i < p->n; i++) {
		uint64_t skip = from < p->len[i] ? from : p->len[i];

		from -= skip;
		for (uint64_t off = skip; off < p->len[i];) {
			uint64_t n = p->len[i] - off < sizeof(zeros) ? p->len[i] - off : sizeof(zeros);

			if (guest_mem_write(b->gm, p->gpa[i] + off, zeros, n, &bad)) {
				if (errno == EHWPOISON)
					bump(&b->stats.poisoned_pages, 1);
				return -1;
			}
			off += n;
		}
	}
	return 0;
}

/* preadv/pwritev to the end, through EINTR and short counts. A read that
 * meets the end of the image (it shrank under us) reads zeros. */
static uint8_t transfer(struct virtio_blk *b, const struct blk_req *r, bool write)
{
	struct iovec iov[VIRTQ_MAX_SEGS];
	unsigned n = r->data.n, first = 0;
	uint64_t off = r->sector * VIRTIO_BLK_SECTOR, done = 0;

	if (virtq_iov(b->gm, &r->data, iov))
		return VIRTIO_BLK_S_IOERR;
	while (done < r->data.bytes) {
		ssize_t got = write ? pwritev(b->conf.fd, iov + first, (int)(n - first), (off_t)(off + done))
				    : preadv(b->conf.fd, iov + first, (int)(n - first), (off_t)(off + done));

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			/* EFAULT: a buffer page the kernel could not touch,
			 * poisoned or gone. Find which, so it is reported. */
			if (errno == EFAULT)
				probe(b, &r->data);
			return VIRTIO_BLK_S_IOERR;
		}
		if (got == 0) {
			if (write)
				return VIRTIO_BLK_S_IOERR;
			return zero_fill(b, &r->data, done) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
		}
		done += (uint64_t)got;
		while (got > 0 && first < n) {
			if ((size_t)got >= iov[first].iov_len) {
				got -= (ssize_t)iov[first].iov_len;
				iov[first].iov_len = 0;
				first++;
			} else {
				iov[first].iov_base = (uint8_t *)iov[first].iov_base + got;
				iov[first].iov_len -= (size_t)got;
				got = 0;
			}
		}
	}
	return VIRTIO_BLK_S_OK;
}

static uint8_t zero_range(struct virtio_blk *b, uint64_t off, uint64_t len, bool unmap)
{
	static const uint8_t zeros[65536];
	int mode = unmap ? FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE : FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE;

	if (fallocate(b->conf.fd, mode, (off_t)off, (off_t)len) == 0)
		return VIRTIO_BLK_S_OK;
	if (errno != EOPNOTSUPP)
		return VIRTIO_BLK_S_IOERR;
	/* A file system without that mode: write the zeros. */
	while (len) {
		ssize_t n = pwrite(b->conf.fd, zeros, len < sizeof(zeros) ? len : sizeof(zeros), (off_t)off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return VIRTIO_BLK_S_IOERR;
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return VIRTIO_BLK_S_OK;
}

/* DISCARD and WRITE_ZEROES: every range is checked before any is acted on. */
static uint8_t ranges(struct virtio_blk *b, const struct blk_req *r)
{
	bool discard = r->type == VIRTIO_BLK_T_DISCARD;

	for (unsigned i = 0; i < r->nranges; i++) {
		const uint8_t *s = r->ranges + 16 * i;
		uint64_t sector = get_le(s, 8), num = get_le(s + 8, 4);
		uint32_t flags = (uint32_t)get_le(s + 12, 4);

		/* Bit 0 is "unmap", meaningful for WRITE_ZEROES only (5.2.6.2). */
		if (flags & ~(discard ? 0u : 1u))
			return VIRTIO_BLK_S_UNSUPP;
		if (num > VIRTIO_BLK_MAX_DISCARD_SECTORS || sector > b->capacity || num > b->capacity - sector)
			return VIRTIO_BLK_S_IOERR;
	}
	for (unsigned i = 0; i < r->nranges; i++) {
		const uint8_t *s = r->ranges + 16 * i;
		uint64_t off = get_le(s, 8) * VIRTIO_BLK_SECTOR, len = get_le(s + 8, 4) * VIRTIO_BLK_SECTOR;
		uint8_t st;

		if (!len)
			continue;
		if (discard) {
			/* A discard only allows the device to forget; a file
			 * system that cannot punch holes says so. */
			if (fallocate(b->conf.fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)off,
				      (off_t)len) == 0)
				continue;
			return errno == EOPNOTSUPP ? VIRTIO_BLK_S_UNSUPP : VIRTIO_BLK_S_IOERR;
		}
		st = zero_range(b, off, len, get_le(s + 12, 4) & 1);
		if (st != VIRTIO_BLK_S_OK)
			return st;
	}
	return VIRTIO_BLK_S_OK;
}

/* All of the device's I/O against the image. */
static uint8_t execute(struct virtio_blk *b, const struct blk_req *r)
{
	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		return transfer(b, r, false);
	case VIRTIO_BLK_T_OUT:
		return transfer(b, r, true);
	case VIRTIO_BLK_T_FLUSH:
		if (b->conf.readonly)
			return VIRTIO_BLK_S_OK;
		return fdatasync(b->conf.fd) ? VIRTIO_BLK_S_IOERR : VIRTIO_BLK_S_OK;
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES:
		return ranges(b, r);
	default:
		return VIRTIO_BLK_S_UNSUPP;
	}
}

static bool in_range(struct virtio_blk *b, uint64_t sector, uint64_t bytes)
{
	return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= b->capacity &&
	       bytes / VIRTIO_BLK_SECTOR <= b->capacity - sector;
}

/* Parses the request and checks it against the device; returns the status
 * and, in *wrote, the data bytes it put into the guest's buffers. */
static uint8_t parse_and_run(struct virtio_blk *b, const struct virtq_chain *c, uint64_t status_at,
			     uint32_t *wrote)
{
	struct blk_req req, *r = &req;
	struct virtq_pieces p;
	uint8_t hdr[16];

	*wrote = 0;
	if (c->read_bytes < sizeof(hdr))
		return VIRTIO_BLK_S_IOERR;
	/* A header on a poisoned page (reported by guest_mem) cannot be acted
	 * on, but the request can still be answered: its status byte is
	 * elsewhere, and IOERR fails the one request the guest lost. */
	virtq_slice(c, false, 0, sizeof(hdr), &p);
	if (copy(b, &p, hdr, false))
		return VIRTIO_BLK_S_IOERR;
	memset(r, 0, sizeof(*r));
	r->type = (uint32_t)get_le(hdr, 4);
	r->sector = get_le(hdr + 8, 8);

	switch (r->type) {
	case VIRTIO_BLK_T_IN:
		virtq_slice(c, true, 0, status_at, &r->data);
		if (!in_range(b, r->sector, r->data.bytes))
			return VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_OUT:
		if (b->conf.readonly)
			return VIRTIO_BLK_S_IOERR;
		virtq_slice(c, false, sizeof(hdr), c->read_bytes - sizeof(hdr), &r->data);
		if (!in_range(b, r->sector, r->data.bytes))
			return VIRTIO_BLK_S_IOERR;
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint8_t id[VIRTIO_BLK_ID_BYTES] = { 0 };
		uint64_t n = status_at < sizeof(id) ? status_at : sizeof(id);

		/* 20 bytes, with no terminator when the serial fills them. */
		if (b->conf.serial)
			memcpy(id, b->conf.serial, strnlen(b->conf.serial, sizeof(id)));
		virtq_slice(c, true, 0, n, &p);
		if (copy(b, &p, id, true))
			return VIRTIO_BLK_S_IOERR;
		*wrote = (uint32_t)n;
		return VIRTIO_BLK_S_OK;
	}
	case VIRTIO_BLK_T_DISCARD:
	case VIRTIO_BLK_T_WRITE_ZEROES: {
		uint64_t len = c->read_bytes - sizeof(hdr);

		if (b->conf.readonly)
			return VIRTIO_BLK_S_IOERR;
		if (len % 16 || len / 16 > VIRTIO_BLK_MAX_DISCARD_SEG)
			return VIRTIO_BLK_S_IOERR;
		r->nranges = (unsigned)(len / 16);
		virtq_slice(c, false, sizeof(hdr), len, &p);
		if (copy(b, &p, r->ranges, false))
			return VIRTIO_BLK_S_IOERR;
		break;
	}
	default:
		break;
	}
	uint8_t st = execute(b, r);
	if (st == VIRTIO_BLK_S_OK && r->type == VIRTIO_BLK_T_IN)
		*wrote = (uint32_t)r->data.bytes;
	return st;
}

/* The status is the last byte the device may write. When it cannot be
 * written (its page poisoned; guest_mem has reported the page, so the
 * guest is told of it) the request is still completed, with used length
 * 0: its descriptors go back to the driver and the queue moves on. Asking
 * for a reset instead would take the whole disk from the guest for one bad
 * page of one request, and the guest, told of the page, isolates it. */
uint32_t virtio_blk_request(struct virtio_blk *b, const struct virtq_chain *c)
{
	struct virtq_pieces p;
	uint32_t wrote;
	uint8_t st;

	if (c->write_bytes < 1) {
		/* No status byte: nothing to tell the driver. */
		bump(&b->stats.unanswered, 1);
		bump(&b->stats.io_errors, 1);
		return 0;
	}
	st = parse_and_run(b, c, c->write_bytes - 1, &wrote);
	if (st == VIRTIO_BLK_S_IOERR)
		bump(&b->stats.io_errors, 1);
	else if (st == VIRTIO_BLK_S_UNSUPP)
		bump(&b->stats.unsupported, 1);
	virtq_slice(c, true, c->write_bytes - 1, 1, &p);
	if (copy(b, &p, &st, true)) {
		bump(&b->stats.unanswered, 1);
		return 0;
	}
	return wrote + 1;
}

unsigned virtio_blk_serve(struct virtio_blk *b, struct virtio_mmio *t)
{
	struct virtq_chain c;
	unsigned n = 0;
	int r = 0;

	pthread_mutex_lock(&b->serve_lock);
	if (!virtq_follow(&b->vq, t, 0, b->gm))
		goto out;
	while (!__atomic_load_n(&b->stopping, __ATOMIC_RELAXED) && (r = virtq_pop(&b->vq, &c)) == 1) {
		uint32_t len = virtio_blk_request(b, &c);

		r = virtq_push(&b->vq, c.head, len);
		if (r)
			break;
		n++;
		bump(&b->stats.requests, 1);
	}
	if (r < 0) {
		/* The ring itself is poisoned or nonsense: this queue cannot be
		 * trusted with another request. The driver is told to reset. */
		b->last_error = b->vq.why;
		bump(&b->stats.ring_failures, 1);
		virtio_mmio_needs_reset(t);
	}
	if (n && virtq_should_interrupt(&b->vq))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
out:
	pthread_mutex_unlock(&b->serve_lock);
	return n;
}

struct virtio_blk_stats virtio_blk_stats(struct virtio_blk *b)
{
	struct virtio_blk_stats s;

	s.requests = __atomic_load_n(&b->stats.requests, __ATOMIC_RELAXED);
	s.io_errors = __atomic_load_n(&b->stats.io_errors, __ATOMIC_RELAXED);
	s.unsupported = __atomic_load_n(&b->stats.unsupported, __ATOMIC_RELAXED);
	s.poisoned_pages = __atomic_load_n(&b->stats.poisoned_pages, __ATOMIC_RELAXED);
	s.unanswered = __atomic_load_n(&b->stats.unanswered, __ATOMIC_RELAXED);
	s.ring_failures = __atomic_load_n(&b->stats.ring_failures, __ATOMIC_RELAXED);
	return s;
}
