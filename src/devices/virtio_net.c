#include "devices/virtio_net.h"

#include <errno.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

static void bump(uint64_t *counter, uint64_t n)
{
	__atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
}

int virtio_net_init(struct virtio_net *n, const struct virtio_net_conf *c, const struct guest_mem *gm)
{
	if (!c || c->tap_fd < 0 || !gm) {
		errno = EINVAL;
		return -1;
	}
	memset(n, 0, sizeof(*n));
	n->conf = *c;
	n->gm = gm;
	pthread_mutex_init(&n->serve_lock, NULL);
	/* struct virtio_net_config (5.1.4): mac, then status. */
	memcpy(n->config, c->mac, 6);
	n->config[6] = VIRTIO_NET_S_LINK_UP;
	return 0;
}

void virtio_net_destroy(struct virtio_net *n)
{
	pthread_mutex_destroy(&n->serve_lock);
}

static uint64_t net_features(void *dev)
{
	(void)dev;
	return (1ull << VIRTIO_NET_F_MAC) | (1ull << VIRTIO_NET_F_STATUS) | (1ull << VIRTIO_RING_F_INDIRECT_DESC);
}

static void net_config_read(void *dev, uint32_t off, uint8_t *data, unsigned size)
{
	struct virtio_net *n = dev;

	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < sizeof(n->config) ? n->config[off + i] : 0;
}

/* The MAC is writable only with VIRTIO_NET_F_CTRL_MAC_ADDR's legacy
 * fallback, which a 1.x driver does not use. */
static void net_config_write(void *dev, uint32_t off, const uint8_t *data, unsigned size)
{
	(void)dev; (void)off; (void)data; (void)size;
}

static void net_notify(void *dev, unsigned queue)
{
	struct virtio_net *n = dev;

	if (queue == VIRTIO_NET_RXQ)
		__atomic_store_n(&n->rx_starved, false, __ATOMIC_RELAXED);
	if (n->kick)
		n->kick(n->kick_opaque, queue);
}

static void net_reset(void *dev)
{
	struct virtio_net *n = dev;

	__atomic_store_n(&n->stopping, true, __ATOMIC_RELAXED);
	pthread_mutex_lock(&n->serve_lock);
	n->rxq.live = false;
	n->txq.live = false;
	__atomic_store_n(&n->rx_starved, false, __ATOMIC_RELAXED);
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

static void ring_failed(struct virtio_net *n, struct virtio_mmio *t, struct virtq *vq)
{
	n->last_error = vq->why;
	bump(&n->stats.ring_failures, 1);
	virtio_mmio_needs_reset(t);
}

/* One frame to the TAP. A TAP takes a frame whole or not at all, so any
 * failure is a dropped frame. */
static void send_frame(struct virtio_net *n, const struct virtq_chain *c)
{
	struct virtq_pieces p;
	struct iovec iov[VIRTQ_MAX_SEGS];
	ssize_t r;

	if (c->read_bytes <= VIRTIO_NET_HDR_LEN) {
		bump(&n->stats.tx_dropped, 1);
		return;
	}
	virtq_slice(c, false, VIRTIO_NET_HDR_LEN, c->read_bytes - VIRTIO_NET_HDR_LEN, &p);
	if (virtq_iov(n->gm, &p, iov)) {
		bump(&n->stats.tx_dropped, 1);
		return;
	}
	do
		r = writev(n->conf.tap_fd, iov, (int)p.n);
	while (r < 0 && errno == EINTR);
	if (r < 0) {
		if (errno == EFAULT)
			bump(&n->stats.poisoned_pages, virtq_probe(n->gm, &p));
		bump(&n->stats.tx_dropped, 1);
		return;
	}
	bump(&n->stats.tx_packets, 1);
}

unsigned virtio_net_tx(struct virtio_net *n, struct virtio_mmio *t)
{
	struct virtq_chain c;
	unsigned done = 0;
	int r = 0;

	pthread_mutex_lock(&n->serve_lock);
	if (!virtq_follow(&n->txq, t, VIRTIO_NET_TXQ, n->gm))
		goto out;
	while (!stopping(n) && (r = virtq_pop(&n->txq, &c)) == 1) {
		send_frame(n, &c);
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
	return done;
}

enum rx_result { RX_FRAME, RX_BAD_BUFFER, RX_NO_FRAME };

/* One frame from the TAP into the buffer c; *len is the used length. */
static enum rx_result receive_frame(struct virtio_net *n, const struct virtq_chain *c, uint32_t *len)
{
	/* No checksum or GSO to tell; num_buffers 1 (5.1.6.4). */
	uint8_t hdr[VIRTIO_NET_HDR_LEN] = { [10] = 1 };
	struct virtq_pieces p;
	struct iovec iov[VIRTQ_MAX_SEGS];
	ssize_t r;

	*len = 0;
	if (c->write_bytes <= VIRTIO_NET_HDR_LEN)
		return RX_BAD_BUFFER;
	virtq_slice(c, true, 0, VIRTIO_NET_HDR_LEN, &p);
	if (virtq_copy(n->gm, &p, hdr, true)) {
		if (errno == EHWPOISON)
			bump(&n->stats.poisoned_pages, 1);
		return RX_BAD_BUFFER;
	}
	virtq_slice(c, true, VIRTIO_NET_HDR_LEN, c->write_bytes - VIRTIO_NET_HDR_LEN, &p);
	if (virtq_iov(n->gm, &p, iov))
		return RX_BAD_BUFFER;
	do
		r = readv(n->conf.tap_fd, iov, (int)p.n);
	while (r < 0 && errno == EINTR);
	if (r < 0 && errno == EFAULT) {
		/* The TAP dropped the frame it could not copy. */
		bump(&n->stats.poisoned_pages, virtq_probe(n->gm, &p));
		bump(&n->stats.rx_dropped, 1);
		return RX_BAD_BUFFER;
	}
	if (r <= 0)
		return RX_NO_FRAME;
	*len = VIRTIO_NET_HDR_LEN + (uint32_t)r;
	return RX_FRAME;
}

unsigned virtio_net_rx(struct virtio_net *n, struct virtio_mmio *t)
{
	struct virtq_chain c;
	unsigned frames = 0, pushed = 0;
	int r = 0;

	pthread_mutex_lock(&n->serve_lock);
	if (!virtq_follow(&n->rxq, t, VIRTIO_NET_RXQ, n->gm)) {
		__atomic_store_n(&n->rx_starved, true, __ATOMIC_RELAXED);
		goto out;
	}
	while (!stopping(n)) {
		uint32_t len;
		enum rx_result res;

		r = virtq_pop(&n->rxq, &c);
		if (r == 0)
			__atomic_store_n(&n->rx_starved, true, __ATOMIC_RELAXED);
		if (r != 1)
			break;
		res = receive_frame(n, &c, &len);
		if (res == RX_NO_FRAME) {
			/* Kept for the next frame. */
			virtq_unpop(&n->rxq);
			r = 0;
			break;
		}
		r = virtq_push(&n->rxq, c.head, len);
		if (r)
			break;
		pushed++;
		if (res == RX_FRAME) {
			frames++;
			bump(&n->stats.rx_packets, 1);
		}
	}
	if (r < 0) {
		ring_failed(n, t, &n->rxq);
		__atomic_store_n(&n->rx_starved, true, __ATOMIC_RELAXED);
	}
	if (pushed && virtq_should_interrupt(&n->rxq))
		virtio_mmio_interrupt(t, VIRTIO_MMIO_INT_VRING);
out:
	pthread_mutex_unlock(&n->serve_lock);
	return frames;
}

struct virtio_net_stats virtio_net_stats(struct virtio_net *n)
{
	struct virtio_net_stats s;

	s.tx_packets = __atomic_load_n(&n->stats.tx_packets, __ATOMIC_RELAXED);
	s.tx_dropped = __atomic_load_n(&n->stats.tx_dropped, __ATOMIC_RELAXED);
	s.rx_packets = __atomic_load_n(&n->stats.rx_packets, __ATOMIC_RELAXED);
	s.rx_dropped = __atomic_load_n(&n->stats.rx_dropped, __ATOMIC_RELAXED);
	s.poisoned_pages = __atomic_load_n(&n->stats.poisoned_pages, __ATOMIC_RELAXED);
	s.ring_failures = __atomic_load_n(&n->stats.ring_failures, __ATOMIC_RELAXED);
	return s;
}
