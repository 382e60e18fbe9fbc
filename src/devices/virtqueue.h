/* The device side of a split virtqueue (virtio 1.x 2.7): take descriptor
 * chains off the available ring, give them back on the used ring. Every
 * access to the rings and tables goes through struct guest_mem, so a
 * poisoned ring page is an error return, not a SIGBUS. A guest that writes
 * nonsense into its rings (a loop, a chain longer than the queue, an address
 * outside RAM, a zero length, an indirect table inside an indirect table)
 * gets an error code too, never a crash or an endless walk; the device then
 * asks for a reset (virtio_mmio_needs_reset) and leaves the queue alone.
 * One thread per queue; no locks. */
#ifndef VMRAS_DEVICES_VIRTQUEUE_H
#define VMRAS_DEVICES_VIRTQUEUE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "devices/guest_mem.h"
#include "devices/virtio_mmio.h"

#define VIRTQ_DESC_F_NEXT 1
#define VIRTQ_DESC_F_WRITE 2
#define VIRTQ_DESC_F_INDIRECT 4
#define VRING_AVAIL_F_NO_INTERRUPT 1
#define VIRTIO_RING_F_INDIRECT_DESC 28

/* The most segments one chain may have. A device offers seg_max below it. */
#define VIRTQ_MAX_SEGS 130

/* Errors of virtq_pop/virtq_push (negative). */
#define VIRTQ_EMALFORMED (-1)   /* the guest broke the ring's rules */
#define VIRTQ_EPOISON (-2)      /* a page of the ring or a table is poisoned (already reported) */

struct virtq_seg {
	uint64_t gpa;
	uint32_t len;
	bool write;            /* device-writable */
};

struct virtq_chain {
	uint16_t head;         /* what goes back on the used ring */
	unsigned nseg;
	unsigned nread;        /* the first nread segments are device-readable */
	uint64_t read_bytes, write_bytes;
	struct virtq_seg seg[VIRTQ_MAX_SEGS];
};

struct virtq {
	const struct guest_mem *gm;
	struct virtq_layout l;
	uint16_t last_avail;   /* the next available entry the device takes */
	uint16_t used_idx;     /* the used index the device publishes next */
	int err;               /* the first error: the queue is dead until re-initialised */
	uint64_t bad;          /* the poisoned page, for VIRTQ_EPOISON */
	const char *why;       /* for VIRTQ_EMALFORMED: what the guest got wrong */
	bool live;             /* follows the transport's queue of generation l.gen */
};

/* A fresh queue (the driver starts both indices at 0). */
void virtq_init(struct virtq *vq, const struct guest_mem *gm, const struct virtq_layout *l);
/* For a device thread, before each batch: follows queue q of t. Returns
 * true when vq may be used; it was started afresh when the driver set the
 * queue up anew (a reset, a QueueReady change). False when the queue is
 * not usable: not set up, DRIVER_OK not set, NEEDS_RESET, or vq failed
 * (vq->err) and the driver has not reset the device since. */
bool virtq_follow(struct virtq *vq, struct virtio_mmio *t, unsigned q, const struct guest_mem *gm);
/* Takes back the last chain popped (a device that found nothing to put in
 * it), so the next pop returns it again. */
void virtq_unpop(struct virtq *vq);
/* 1 with *c filled, 0 when the ring is empty, or VIRTQ_E*: then vq->err
 * holds it and every later call returns it at once. */
int virtq_pop(struct virtq *vq, struct virtq_chain *c);
/* Puts (head, len) on the used ring and publishes the used index (release
 * order: the guest sees the element before the index). len is how many
 * bytes the device wrote. 0 or VIRTQ_E*. */
int virtq_push(struct virtq *vq, uint16_t head, uint32_t len);
/* After pushes: whether the driver wants an interrupt (it did not set
 * VRING_AVAIL_F_NO_INTERRUPT). When the flags cannot be read, yes. */
bool virtq_should_interrupt(struct virtq *vq);

/* A slice of a chain's readable or writable bytes, as pieces of guest
 * memory: what a device reads a header from or moves data to. */
struct virtq_pieces {
	unsigned n;
	uint64_t bytes;
	uint64_t gpa[VIRTQ_MAX_SEGS];
	uint32_t len[VIRTQ_MAX_SEGS];
};

/* The bytes [skip, skip + len) of the chain's readable (or writable)
 * bytes; fewer when the chain has fewer. */
void virtq_slice(const struct virtq_chain *c, bool writable, uint64_t skip, uint64_t len,
		 struct virtq_pieces *p);
/* Copies between buf and the pieces through guest_mem: 0, or -1 with
 * guest_mem's errno (EHWPOISON: a page was poisoned and is reported). */
int virtq_copy(const struct guest_mem *gm, const struct virtq_pieces *p, void *buf, bool to_guest);
/* The pieces' host addresses, for readv/writev/preadv/pwritev: 0, or -1
 * when one is not guest RAM. */
int virtq_iov(const struct guest_mem *gm, const struct virtq_pieces *p, struct iovec *iov);
/* After a system call on the pieces failed with EFAULT: reads one byte of
 * each 4 KiB page through guest_mem, so that the poisoned pages are found
 * and reported. Returns how many different pages were poisoned (a larger
 * page reported at one address counts once). */
unsigned virtq_probe(const struct guest_mem *gm, const struct virtq_pieces *p);

#endif
