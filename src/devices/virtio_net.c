#include "devices/virtio_net.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

/* What a frame's transfer came to, besides a used length (>= 0). */
#define XFER_AGAIN (-1)    /* the TAP cannot take or give a frame now */
#define XFER_FAIL (-2)     /* the TAP failed: tap_errno */
#define XFER_REUSE (-3)    /* the frame was dropped; the buffer serves the next one */

static void bump(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

static void put_le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

int virtio_net_init(struct virtio_net *n, const struct virtio_net_conf *c, const struct guest_mem *gm)
{
	static const uint8_t zero_mac[6];
	uint16_t mtu;
	int fl;

	if (!c || !gm || c->tap_fd < 0 || (c->mac[0] & 1) || !memcmp(c->mac, zero_mac, 6) ||
	    (c->mtu && c->mtu < 68)) {
		errno = EINVAL;
		return -1;
	}
	fl = fcntl(c->tap_fd, F_GETFL);
	if (fl < 0 || !(fl & O_NONBLOCK)) {
		errno = EINVAL;
		return -1;
	}
	memset(n, 0, sizeof(*n));
	n->conf = *c;
	n->gm = gm;
	mtu = c->mtu ? c->mtu : VIRTIO_NET_DEFAULT_MTU;
	n->conf.mtu = mtu;
	pthread_mutex_init(&n->serve_lock, NULL);

	/* struct virtio_net_config (5.1.4). max_virtqueue_pairs means
	 * something only with MQ; 1 is what it would say. */
	memcpy(n->config, c->mac, 6);
	put_le16(n->config + 6, VIRTIO_NET_S_LINK_UP);
	put_le16(n->config + 8, 1);
	put_le16(n->config + 10, mtu);
	return 0;
}

void virtio_net_destroy(struct virtio_net *n)
{
	pthread_mutex_destroy(&n->serve_lock);
}

/* MTU is offered so that the guest does not raise its MTU past the
 * receive buffers it posts (Linux sizes them for the MTU it was told). */
static uint64_t net_features(void *dev)
{
	(void)dev;
	return (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) | (1ull << VIRTIO_NET_F_MTU) |
	       (1ull << VIRTIO_RING_F_INDIRECT_DESC);
}

static void net_config_read(void *dev, uint32_t off, uint8_t *data, unsigned size)
{
	struct virtio_net *n = dev;

	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < sizeof(n->config) ? n->config[off + i] : 0;
}

/* A modern driver changes the MAC only through the control queue, which
 * this device does not have: nothing in the config is the driver's. */
static void net_config_write(void *dev, uint32_t off, const uint8_t *data, unsigned size)
{
	(void)dev; (void)off; (void)data; (void)size;
}

static void net_notify(void *dev, unsigned queue)
{
	struct virtio_net *n = dev;

	if (n->kick)
		n->kick(n->kick_opaque, queue);
}

/* Waits for a running rx or tx (serve_lock), then forgets both queues: a
 * chain held back (given back with virtq_unpop) belongs to a ring the
 * driver is tearing down.
 * The batch is told to end after its current frame, and the device thread
 * to take no new one, so a guest that keeps a ring full from other vCPUs
 * cannot hold the resetting one. */
static void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	__atomic_store_n(&n->stopping, true, __ATOMIC_RELAXED);
	pthread_mutex_lock(&n->serve_lock);
	n->rxq.live = false;
	n->txq.live = false;
	__atomic_store_n(&n->stopping, false, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&n->serve_lock);
}

const struct virtio_dev_ops virtio_net_ops = {
	.device_id = VIRTIO_ID_NET,
	.num_queues = 2,
	.queue_max = VIRTIO_NET_QUEUE_MAX,
	.features = net_features,
	.config_read = net_config_read,
	.config_write = net_config_write,
	.notify = net_notify,
	.reset = net_reset,
};

static bool stopping(struct virtio_net *n)
{
	return __atomic_load_n(&n->stopping, __ATOMIC_RELAXED);
}

/* The ring itself is poisoned or nonsense: the driver is told to reset the
 * device, and until it has, the transport hands out neither queue. */
static void ring_failed(struct virtio_net *n, struct virtio_mmio *t, struct virtq *vq)
{
	n->last_error = vq->why;
	bump(&n->stats.ring_failures, 1);
	virtio_mmio_needs_reset(t);
}

/* After the kernel failed a transfer with EFAULT: finds (and so reports)
 * the poisoned pages. */
static void probe(struct virtio_net *n, const struct virtq_pieces *p)
{
	bump(&n->stats.poisoned_pages, virtq_probe(n->gm, p));
}

/* One frame to the TAP: the readable bytes after the header, wherever the
 * header ends. Returns 0 (sent or dropped: complete the chain) or
 * XFER_AGAIN. */
static int send_frame(struct virtio_net *n, const struct virtq_chain *c)
{
	struct iovec iov[VIRTQ_MAX_SEGS];
	struct virtq_pieces p;
	ssize_t w;

	virtq_slice(c, false, VIRTIO_NET_HDR_LEN, UINT64_MAX, &p);
	if (!p.bytes || virtq_iov(n->gm, &p, iov)) {
		bump(&n->stats.tx_dropped, 1);
		return 0;
	}
	do
		w = writev(n->conf.tap_fd, iov, (int)p.n);
	while (w < 0 && errno == EINTR);
	if (w >= 0) {
		/* A TAP write is the whole frame or an error. */
		bump(&n->stats.tx_frames, 1);
		return 0;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return XFER_AGAIN;
	n->tap_errno = errno;
	if (errno == EFAULT)
		probe(n, &p);
	bump(&n->stats.tx_dropped, 1);
	return 0;
}

unsigned virtio_net_tx(struct virtio_net *n, struct virtio_mmio *t)
{
	struct virtq_chain c;
	unsigned flags = 0, done = 0;
	int r = 0;

	pthread_mutex_lock(&n->serve_lock);
	if (!virtq_follow(&n->txq, t, VIRTIO_NET_TXQ, n->gm))
		goto out;
	while (!stopping(n)) {
		if (done == VIRTIO_NET_BUDGET) {
			flags |= VIRTIO_NET_TX_MORE;
			break;
		}
		r = virtq_pop(&n->txq, &c);
		if (r <= 0)
			break;
		if (send_frame(n, &c) == XFER_AGAIN) {
			/* First in line when the TAP has room, so frames
			 * leave in the order the guest queued them. */
			virtq_unpop(&n->txq);
			flags |= VIRTIO_NET_TX_BLOCKED;
			break;
		}
		r = virtq_push(&n->txq, c.head, 0);
		if (r)
			break;
		done++;
	}
	if (r < 0)
		ring_failed(n, t, &n->txq);
	if (done && virtq_should_interrupt(&n->txq))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
out:
	pthread_mutex_unlock(&n->serve_lock);
	return flags;
}

/* The receive header through guest_mem: no offloads to describe, one
 * buffer per frame. 0, or -1 (a poisoned page counted and reported). */
static int write_header(struct virtio_net *n, const struct virtq_chain *c)
{
	uint8_t hdr[VIRTIO_NET_HDR_LEN] = { 0 };
	struct virtq_pieces p;

	put_le16(hdr + 10, 1);
	virtq_slice(c, true, 0, sizeof(hdr), &p);
	if (virtq_copy(n->gm, &p, hdr, true) == 0)
		return 0;
	if (errno == EHWPOISON)
		bump(&n->stats.poisoned_pages, 1);
	return -1;
}

/* One frame from the TAP into buffer c, the header first when the buffer
 * is fresh off the ring. Returns the used length to complete it with (0:
 * given back empty), or XFER_*. */
static long recv_frame(struct virtio_net *n, const struct virtq_chain *c, bool fresh)
{
	struct iovec iov[VIRTQ_MAX_SEGS + 1];
	struct virtq_pieces p;
	ssize_t got;

	if (fresh && c->write_bytes <= VIRTIO_NET_HDR_LEN) {
		bump(&n->stats.rx_empty, 1);
		return 0;
	}
	/* The header first: a buffer whose header page is poisoned goes back
	 * before a frame is taken from the TAP, so no frame is lost to it. */
	if (fresh && write_header(n, c)) {
		bump(&n->stats.rx_empty, 1);
		return 0;
	}
	virtq_slice(c, true, VIRTIO_NET_HDR_LEN, UINT64_MAX, &p);
	if (virtq_iov(n->gm, &p, iov)) {
		bump(&n->stats.rx_empty, 1);
		return 0;
	}
	iov[p.n] = (struct iovec){ .iov_base = &n->overflow, .iov_len = 1 };
	do
		got = readv(n->conf.tap_fd, iov, (int)p.n + 1);
	while (got < 0 && errno == EINTR);
	if (got > 0 && (uint64_t)got > p.bytes) {
		bump(&n->stats.rx_dropped, 1);
		bump(&n->stats.rx_oversize, 1);
		return XFER_REUSE;
	}
	if (got > 0)
		return VIRTIO_NET_HDR_LEN + (long)got;
	if (got == 0) {
		/* A TAP never reads an empty frame: this is a socket backend
		 * whose peer went away. */
		n->tap_errno = 0;
		return XFER_FAIL;
	}
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		return XFER_AGAIN;
	if (errno == EFAULT) {
		/* The TAP let go of the frame before the copy failed: it is
		 * lost. The buffer goes back (the page would fail every frame
		 * put in it), and the guest, told of the page, isolates it. */
		n->tap_errno = EFAULT;
		probe(n, &p);
		bump(&n->stats.rx_dropped, 1);
		bump(&n->stats.rx_empty, 1);
		return 0;
	}
	n->tap_errno = errno;
	return XFER_FAIL;
}

unsigned virtio_net_rx(struct virtio_net *n, struct virtio_mmio *t)
{
	struct virtq_chain c;
	unsigned flags = 0, done = 0;
	bool held = false, fresh = false;   /* c is popped and not pushed */
	int r = 0;

	pthread_mutex_lock(&n->serve_lock);
	if (!virtq_follow(&n->rxq, t, VIRTIO_NET_RXQ, n->gm)) {
		flags |= VIRTIO_NET_RX_NO_BUFFERS;
		goto out;
	}
	/* Bounded by frames taken or buffers used, so that a flood of frames
	 * too big for the buffers ends the call too. What is left in the TAP
	 * keeps it readable for the next poll. */
	for (unsigned turns = 0; turns < VIRTIO_NET_BUDGET && !stopping(n); turns++) {
		long len;

		if (!held) {
			r = virtq_pop(&n->rxq, &c);
			if (r == 0)
				flags |= VIRTIO_NET_RX_NO_BUFFERS;
			if (r <= 0)
				break;
			held = fresh = true;
		}
		len = recv_frame(n, &c, fresh);
		fresh = false;
		if (len == XFER_REUSE)
			continue;
		if (len == XFER_AGAIN)
			break;
		if (len == XFER_FAIL) {
			flags |= VIRTIO_NET_TAP_ERROR;
			break;
		}
		held = false;
		r = virtq_push(&n->rxq, c.head, (uint32_t)len);
		if (r) {
			if (len)
				bump(&n->stats.rx_dropped, 1);
			break;
		}
		if (len)
			bump(&n->stats.rx_frames, 1);
		done++;
	}
	/* A buffer with no frame yet waits on the ring for the next one. */
	if (held)
		virtq_unpop(&n->rxq);
	if (r < 0) {
		ring_failed(n, t, &n->rxq);
		flags |= VIRTIO_NET_RX_NO_BUFFERS;
	}
	if (done && virtq_should_interrupt(&n->rxq))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
out:
	pthread_mutex_unlock(&n->serve_lock);
	return flags;
}

struct virtio_net_stats virtio_net_stats(struct virtio_net *n)
{
	struct virtio_net_stats s;

	s.rx_frames = __atomic_load_n(&n->stats.rx_frames, __ATOMIC_RELAXED);
	s.tx_frames = __atomic_load_n(&n->stats.tx_frames, __ATOMIC_RELAXED);
	s.rx_dropped = __atomic_load_n(&n->stats.rx_dropped, __ATOMIC_RELAXED);
	s.rx_oversize = __atomic_load_n(&n->stats.rx_oversize, __ATOMIC_RELAXED);
	s.tx_dropped = __atomic_load_n(&n->stats.tx_dropped, __ATOMIC_RELAXED);
	s.rx_empty = __atomic_load_n(&n->stats.rx_empty, __ATOMIC_RELAXED);
	s.poisoned_pages = __atomic_load_n(&n->stats.poisoned_pages, __ATOMIC_RELAXED);
	s.ring_failures = __atomic_load_n(&n->stats.ring_failures, __ATOMIC_RELAXED);
	return s;
}
