/* virtio-net (virtio 1.x 5.1) over a TAP device: one receive queue (0) and
 * one transmit queue (1), no control queue, no offloads, no mergeable
 * receive buffers. Frames move between the TAP and guest RAM by readv and
 * writev on the host addresses of the guest's buffers: the kernel answers a
 * poisoned page with EFAULT where a copy of ours would take a SIGBUS. The
 * device then reads one byte of each page through guest_mem (which records
 * and reports the poisoned one), drops that one frame and goes on. Nothing
 * of a frame passes through memory of vmras's own.
 *
 * The device is a pure model: the VMM opens the TAP (IFF_TAP | IFF_NO_PI,
 * no IFF_VNET_HDR, O_NONBLOCK), owns the device thread and its poll loop,
 * and calls virtio_net_rx and virtio_net_tx, which never block.
 *
 * The VMM's device thread, with a kick eventfd the kick hook writes:
 *
 *	flags = VIRTIO_NET_RX_NO_BUFFERS;
 *	for (;;) {
 *		poll: the eventfd (POLLIN) always; the TAP with POLLIN unless
 *		      flags has RX_NO_BUFFERS (or rx once said TAP_ERROR), POLLOUT when
 *		      flags has TX_BLOCKED; timeout 0 when flags has TX_MORE;
 *		drain the eventfd FIRST, then
 *		flags = virtio_net_tx(n, t) | virtio_net_rx(n, t);
 *	}
 *
 * Draining the eventfd before the calls is what makes this race-free: a
 * guest that posts receive buffers after virtio_net_rx found none kicks
 * queue 0 (the device never asks the guest not to notify), and that kick
 * wakes the next poll. Calling both functions on every wake-up is cheap
 * (one read of each available index); the queue passed to the kick hook
 * lets a VMM do less. With RX_NO_BUFFERS the TAP is left alone, and the
 * frames wait in the TAP's own queue (which drops at its length, as a
 * switch port would), not in vmras.
 *
 * Thread safety: virtio_net_rx, virtio_net_tx and the reset op take
 * serve_lock, so rx and tx may come from one thread or two (they then run
 * one at a time), and a reset returns only when neither runs. After the
 * reset op returns the device touches no queue until the driver sets it up
 * again. virtio_net_stats: any thread. The kick hook runs on a vCPU thread
 * (QueueNotify) and must not block. */
#ifndef VMRAS_DEVICES_VIRTIO_NET_H
#define VMRAS_DEVICES_VIRTIO_NET_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/guest_mem.h"
#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define VIRTIO_ID_NET 1

/* Feature bits (5.1.3). */
#define VIRTIO_NET_F_MTU 3
#define VIRTIO_NET_F_MAC 5
#define VIRTIO_NET_F_STATUS 16

#define VIRTIO_NET_S_LINK_UP 1

#define VIRTIO_NET_RXQ 0
#define VIRTIO_NET_TXQ 1
#define VIRTIO_NET_QUEUE_MAX 256
/* struct virtio_net_hdr_v1: flags, gso_type, hdr_len, gso_size,
 * csum_start, csum_offset, num_buffers. With VERSION_1 (which the
 * transport insists on) it is 12 bytes, with or without MRG_RXBUF. */
#define VIRTIO_NET_HDR_LEN 12
/* The config structure's bytes (5.1.4) up to mtu. */
#define VIRTIO_NET_CONFIG_SIZE 12
#define VIRTIO_NET_DEFAULT_MTU 1500
/* Frames one call moves before it returns, so that neither direction
 * starves the other (NAPI's weight in Linux). */
#define VIRTIO_NET_BUDGET 64

/* What virtio_net_rx / virtio_net_tx return: what the VMM waits for next. */
#define VIRTIO_NET_TX_BLOCKED 0x1    /* the TAP is full and a frame waits: poll it for POLLOUT, then call tx */
#define VIRTIO_NET_TX_MORE 0x2       /* the budget ran out with frames left: call tx again without waiting */
#define VIRTIO_NET_RX_NO_BUFFERS 0x4 /* no receive buffer posted (or the queue is not running): stop
				      * polling the TAP for input until the guest kicks queue 0 */
#define VIRTIO_NET_TAP_ERROR 0x8     /* rx only: reading the TAP failed otherwise (tap_errno says how; 0:
				      * end of file): stop polling it for input and log. A failed write
				      * (EIO while the TAP's link is down) only drops that frame */

struct virtio_net_conf {
	int tap_fd;              /* open with O_NONBLOCK; one read or write is one Ethernet frame */
	uint8_t mac[6];          /* a unicast address, not all zeros */
	uint16_t mtu;            /* what the guest is told (VIRTIO_NET_F_MTU); 0: 1500 */
};

struct virtio_net_stats {
	uint64_t rx_frames;      /* frames delivered to the guest */
	uint64_t tx_frames;      /* frames the TAP took */
	uint64_t rx_dropped;     /* frames taken from the TAP and not delivered (too big, buffer poisoned,
				  * ring failed); a frame waiting for buffers is not one */
	uint64_t rx_oversize;    /* of rx_dropped: longer than the buffer the guest posted */
	uint64_t tx_dropped;     /* frames the guest sent that did not go out (buffer poisoned, TAP error,
				  * no frame after the header) */
	uint64_t rx_empty;       /* receive buffers given back holding nothing (used length 0): the header's
				  * page poisoned, a buffer too small for a header, or its frame lost */
	uint64_t poisoned_pages; /* poisoned guest pages met in frames' buffers */
	uint64_t ring_failures;  /* the device gave up its queues (NEEDS_RESET) */
};

struct virtio_net {
	struct virtio_net_conf conf;
	const struct guest_mem *gm;
	uint8_t config[VIRTIO_NET_CONFIG_SIZE];
	/* QueueNotify on queue (VIRTIO_NET_RXQ or VIRTIO_NET_TXQ): set by the
	 * VMM (an eventfd write); must not block. */
	void (*kick)(void *opaque, unsigned queue);
	void *kick_opaque;

	/* Held across virtio_net_rx, virtio_net_tx and the reset op. */
	pthread_mutex_t serve_lock;
	bool stopping;           /* a reset waits: end the batch now (atomic) */
	struct virtq rxq, txq;
	/* Receive overflow: one byte past the guest's buffer in every read, so
	 * that a frame too big for the buffer shows as one byte more than fit
	 * (a TAP read returns at most what it was given, the rest of the frame
	 * is gone). Never read. */
	uint8_t overflow;
	int tap_errno;           /* the last TAP error (read or write), for the log */
	struct virtio_net_stats stats;   /* written under serve_lock; read with __atomic loads */
	const char *last_error;  /* the last ring failure's reason, for the log */
};

/* dev is a struct virtio_net *. */
extern const struct virtio_dev_ops virtio_net_ops;

/* Returns 0, or -1 with errno EINVAL: no fd, an fd without O_NONBLOCK (a
 * blocking read would hold serve_lock and a reset with it), a multicast or
 * zero MAC, an MTU below 68. */
int virtio_net_init(struct virtio_net *n, const struct virtio_net_conf *c, const struct guest_mem *gm);
void virtio_net_destroy(struct virtio_net *n);

/* Sends what the guest queued on the transmit queue: one writev per frame,
 * the header stripped. Every frame is completed (used length 0) whether it
 * went out or was dropped, except one the TAP could not take yet (EAGAIN):
 * that one is kept, not completed, and sent first next time. Raises the
 * interrupt unless the driver suppressed it. Returns VIRTIO_NET_* flags. */
unsigned virtio_net_tx(struct virtio_net *n, struct virtio_mmio *t);

/* Moves frames from the TAP into the buffers the guest posted on the
 * receive queue, while both have some: the header (zeros, num_buffers 1)
 * through guest_mem, then one readv of the frame into the rest of the
 * buffer; used length 12 + the frame's. A frame longer than the buffer is
 * dropped and the buffer used for the next one (the guest could do nothing
 * with a truncated frame). A buffer with a poisoned page loses the frame
 * read into it (the TAP had already let go of it) and goes back to the
 * guest with used length 0, not reused: the page would fail every frame.
 * Linux counts such a buffer as a length error and posts a fresh one. A
 * poisoned header page gives the buffer back empty before any frame is
 * read. Returns VIRTIO_NET_* flags. */
unsigned virtio_net_rx(struct virtio_net *n, struct virtio_mmio *t);

/* A copy of the counters. */
struct virtio_net_stats virtio_net_stats(struct virtio_net *n);

#endif
