/* virtio-blk (virtio 1.x 5.2) over a raw image: one request queue, served
 * by whichever thread calls virtio_blk_serve (the VMM's device thread).
 * Data moves between the image and guest RAM by preadv/pwritev on the host
 * addresses of the guest's buffers, because the kernel answers a poisoned
 * buffer page with EFAULT where a copy of ours would take a SIGBUS; the
 * device then finds the page through guest_mem (which reports it), fails
 * that one request with IOERR and serves the next.
 *
 * Sectors are 512 bytes, the unit the protocol counts in, and blk_size says
 * 512 too: any raw image whose size is a multiple of 512 then works, and
 * the guest needs no read-modify-write for 512-byte I/O. An image whose size
 * is not a multiple of 512 is rounded down: its tail is not part of the
 * disk (the guest could not address part of a sector anyway). */
#ifndef VMRAS_DEVICES_VIRTIO_BLK_H
#define VMRAS_DEVICES_VIRTIO_BLK_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/guest_mem.h"
#include "devices/virtio_mmio.h"
#include "devices/virtqueue.h"

#define VIRTIO_ID_BLOCK 2

/* Feature bits (5.2.3). */
#define VIRTIO_BLK_F_SIZE_MAX 1
#define VIRTIO_BLK_F_SEG_MAX 2
#define VIRTIO_BLK_F_RO 5
#define VIRTIO_BLK_F_BLK_SIZE 6
#define VIRTIO_BLK_F_FLUSH 9
#define VIRTIO_BLK_F_DISCARD 13
#define VIRTIO_BLK_F_WRITE_ZEROES 14

/* Request types and status values (5.2.6). */
#define VIRTIO_BLK_T_IN 0
#define VIRTIO_BLK_T_OUT 1
#define VIRTIO_BLK_T_FLUSH 4
#define VIRTIO_BLK_T_GET_ID 8
#define VIRTIO_BLK_T_DISCARD 11
#define VIRTIO_BLK_T_WRITE_ZEROES 13
#define VIRTIO_BLK_S_OK 0
#define VIRTIO_BLK_S_IOERR 1
#define VIRTIO_BLK_S_UNSUPP 2

#define VIRTIO_BLK_SECTOR 512
#define VIRTIO_BLK_ID_BYTES 20
#define VIRTIO_BLK_QUEUE_MAX 256
/* Data segments per request: the chain also holds a header and a status. */
#define VIRTIO_BLK_SEG_MAX (VIRTQ_MAX_SEGS - 2)
#define VIRTIO_BLK_MAX_DISCARD_SEG 32
#define VIRTIO_BLK_MAX_DISCARD_SECTORS (1u << 22)   /* 2 GiB a range */
/* The config structure's bytes (5.2.4), up to write_zeroes_may_unmap. */
#define VIRTIO_BLK_CONFIG_SIZE 60

struct virtio_blk_conf {
	int fd;                  /* the raw image, open read-write unless readonly */
	uint64_t size_bytes;     /* its size; capacity is size_bytes / 512 */
	bool readonly;
	const char *serial;      /* GET_ID's answer (at most 20 bytes are used); NULL: none */
};

struct virtio_blk_stats {
	uint64_t requests;       /* completed (put on the used ring) */
	uint64_t io_errors;      /* completed with IOERR */
	uint64_t unsupported;    /* completed with UNSUPP */
	uint64_t poisoned_pages; /* poisoned guest pages met in requests' buffers */
	uint64_t unanswered;     /* completed with used length 0: status byte unwritable */
	uint64_t ring_failures;  /* queues given up (NEEDS_RESET) */
};

struct virtio_blk {
	struct virtio_blk_conf conf;
	const struct guest_mem *gm;
	uint64_t capacity;        /* sectors */
	uint8_t config[VIRTIO_BLK_CONFIG_SIZE];
	/* QueueNotify: set by the VMM (an eventfd write); must not block. */
	void (*kick)(void *opaque);
	void *kick_opaque;

	/* Held across a whole virtio_blk_serve and by the reset op, so that
	 * reset returns only when no batch runs. */
	pthread_mutex_t serve_lock;
	bool stopping;            /* a reset waits: end the batch early (atomic) */
	struct virtq vq;
	struct virtio_blk_stats stats;   /* written under serve_lock; read with __atomic loads */
	const char *last_error;   /* the last ring failure's reason, for the log */
};

/* dev is a struct virtio_blk *. */
extern const struct virtio_dev_ops virtio_blk_ops;

/* Returns 0, or -1 with errno EINVAL (no fd, an image smaller than one
 * sector). The image is not read. */
int virtio_blk_init(struct virtio_blk *b, const struct virtio_blk_conf *c, const struct guest_mem *gm);
void virtio_blk_destroy(struct virtio_blk *b);

/* Serves every request available on the queue, puts each on the used ring,
 * and raises the transport's interrupt unless the driver suppressed it.
 * Returns how many requests completed. On a ring that is poisoned or
 * malformed it asks the transport for a reset and serves nothing more until
 * the driver resets the device. */
unsigned virtio_blk_serve(struct virtio_blk *b, struct virtio_mmio *t);

/* A copy of the counters. */
struct virtio_blk_stats virtio_blk_stats(struct virtio_blk *b);

/* One request, parsed out of its chain: executes it against the image and
 * returns the used length (bytes written into the guest's buffers, status
 * byte included). Exposed for tests; all the I/O of the device is here, so
 * that it can move to asynchronous I/O without touching the parsing. */
uint32_t virtio_blk_request(struct virtio_blk *b, const struct virtq_chain *c);

#endif
