/* The VMM's side of struct guest_mem (devices/guest_mem.h): a device
 * model's copies to and from guest RAM run under the SIGBUS guard, so a
 * poisoned page ends the copy with EHWPOISON instead of stopping vmras, and
 * the page goes to the RAS thread as that device's report. */
#ifndef VMRAS_VMM_GUEST_ACCESS_H
#define VMRAS_VMM_GUEST_ACCESS_H

#include "devices/guest_mem.h"

struct machine;

struct guest_access {
	struct machine *m;
	const char *device;          /* the name reports carry ("virtio-blk0") */
	struct guest_mem mem;
};

/* mem then works for the device named device (kept, not copied). */
void guest_access_init(struct guest_access *ga, struct machine *m, const char *device);

#endif
