/* How a device model reaches guest memory: through these calls only, never
 * through a pointer it keeps. A device reads descriptors and buffers the
 * guest wrote, and any of those pages may be poisoned; a plain load of one
 * would stop vmras (an action-required SIGBUS on a thread that is not a
 * vCPU). Behind this interface the VMM copies under a guard that turns such
 * a SIGBUS into an error return, records the page and tells the guest, so a
 * device only has to fail the one request. Unit tests put a plain buffer
 * behind it, with pages they declare poisoned. */
#ifndef VMRAS_DEVICES_GUEST_MEM_H
#define VMRAS_DEVICES_GUEST_MEM_H

#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	void *ctx;
	/* Copy len bytes from guest-physical gpa into buf (read) or from buf
	 * to gpa (write). Return 0, or -1 with errno:
	 *   EFAULT     part of the range is not guest RAM;
	 *   EHWPOISON  a page of it is poisoned: *bad is that page's
	 *              guest-physical address, and the page has already been
	 *              reported (recorded, the guest told, an event sent).
	 * A failed copy may have moved some of the bytes. An aligned 2-, 4-
	 * or 8-byte copy is a single access (ring indices: the guest must
	 * never see half of one). */
	int (*read)(void *ctx, uint64_t gpa, void *buf, size_t len, uint64_t *bad);
	int (*write)(void *ctx, uint64_t gpa, const void *buf, size_t len, uint64_t *bad);
	/* The host address of [gpa, gpa + len) when all of it is guest RAM of
	 * one region, else NULL. Only for handing to a system call (preadv,
	 * pwritev, readv, writev): the kernel returns EFAULT, never a SIGBUS,
	 * when it meets a poisoned page there. A device that gets EFAULT calls
	 * read on each page of the range to find (and so report) the page. */
	void *(*host)(void *ctx, uint64_t gpa, size_t len);
};

static inline int guest_mem_read(const struct guest_mem *gm, uint64_t gpa, void *buf, size_t len, uint64_t *bad)
{
	return gm->read(gm->ctx, gpa, buf, len, bad);
}

static inline int guest_mem_write(const struct guest_mem *gm, uint64_t gpa, const void *buf, size_t len,
				  uint64_t *bad)
{
	return gm->write(gm->ctx, gpa, buf, len, bad);
}

static inline void *guest_mem_host(const struct guest_mem *gm, uint64_t gpa, size_t len)
{
	return gm->host(gm->ctx, gpa, len);
}

#endif
