/* virtio-net (virtio 1.x 5.1) over a TAP device: one receive queue (0) and
 * one transmit queue (1), no control queue, no offloads, no mergeable
 * receive buffers. Every frame carries the 12-byte virtio-net header of
 * virtio 1.x; the device strips it on transmit and writes a plain one (no
 * checksum or segmentation asked, num_buffers 1) on receive, so the TAP is
 * opened without IFF_VNET_HDR (IFF_TAP | IFF_NO_PI) and non-blocking.
 *
 * Frames move by readv/writev on the host addresses of the guest's
 * buffers: a poisoned buffer page is EFAULT from the kernel, not a SIGBUS.
 * The device then finds and reports the page through guest_mem, and the
 * frame is dropped (the kernel has already dropped a received one): the
 * guest's TCP or whatever sent it recovers as from any lost packet. A
 * receive buffer found bad goes back to the driver with length 0 (Linux
 * counts a length error and frees it), so it is not offered the next frame
 * again. A poisoned or malformed ring: DEVICE_NEEDS_RESET, as virtio-blk. */
#ifndef VMRAS_DEVICES_VIRTIO_NET_H
#define VMRAS_DEVICES_VIRTIO_NET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/guest_mem.h"
#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define VIRTIO_ID_NET 1
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16
#define VIRTIO_NET_S_LINK_UP 1
#define VIRTIO_NET_HDR_LEN 12
#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_QUEUE_MAX 256
#define VIRTIO_NET_CONFIG_SIZE 8      /* mac, status */

struct virtio_net_conf {
	int tap_fd;              /* non-blocking, IFF_TAP | IFF_NO_PI */
	uint8_t mac[6];
};

struct virtio_net_stats {
	uint64_t tx_packets, tx_dropped;
	uint64_t rx_packets, rx_dropped;
	uint64_t poisoned_pages;  /* poisoned guest pages met in frames' buffers */
	uint64_t ring_failures;   /* queues given up (NEEDS_RESET) */
};

struct virtio_net {
	struct virtio_net_conf conf;
	const struct guest_mem *gm;
	uint8_t config[VIRTIO_NET_CONFIG_SIZE];
	/* QueueNotify: set by the VMM; must not block. */
	void (*kick)(void *opaque, unsigned queue);
	void *kick_opaque;

	pthread_mutex_t serve_lock;   /* held by virtio_net_rx, _tx and the reset op */
	bool stopping;                /* a reset waits (atomic) */
	/* The last virtio_net_rx found no receive buffer (or no live queue):
	 * stop polling the TAP until the driver kicks the receive queue, or
	 * the device thread would spin on a readable TAP. Atomic. */
	bool rx_starved;
	struct virtq rxq, txq;
	struct virtio_net_stats stats;
	const char *last_error;
};

/* dev is a struct virtio_net *. */
extern const struct virtio_dev_ops virtio_net_ops;

/* Returns 0, or -1 with errno EINVAL (no fd). */
int virtio_net_init(struct virtio_net *n, const struct virtio_net_conf *c, const struct guest_mem *gm);
void virtio_net_destroy(struct virtio_net *n);

/* Sends every frame on the transmit queue to the TAP; returns how many
 * chains were completed. Call after a kick of VIRTIO_NET_TXQ. */
unsigned virtio_net_tx(struct virtio_net *n, struct virtio_mmio *t);
/* Moves frames from the TAP into receive buffers until the TAP has none or
 * the buffers run out (then rx_starved is set); returns the frames
 * delivered. Call when the TAP is readable and after a kick of
 * VIRTIO_NET_RXQ. */
unsigned virtio_net_rx(struct virtio_net *n, struct virtio_mmio *t);

struct virtio_net_stats virtio_net_stats(struct virtio_net *n);

#endif
