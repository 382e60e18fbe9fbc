/* The machine's virtio-mmio devices (--disk, then --net, in the arch's
 * slots in that order): each its transport on the bus, its device model,
 * and a thread of its own that serves the queues, so a guest's I/O never
 * waits on a vCPU thread and a vCPU never waits on I/O.
 * Their accesses to guest memory go through vmm/guest_access.c: a poisoned
 * page fails one request and is reported with the device's name. */
#ifndef VMRAS_VMM_VIRTIO_DEVICES_H
#define VMRAS_VMM_VIRTIO_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

struct machine;
struct virtio_devices;

/* Before guest RAM exists: opens every --disk image and --net TAP (a
 * failure is the user's: a missing file, a read-only file without
 * readonly, an image in use by another vmras, a TAP that cannot be
 * attached). 0, or -1 with a one-line reason. */
int virtio_devices_open(struct machine *m, char *why, size_t whylen);
/* Once the bus exists: puts each device at its arch slot and starts its
 * thread. 0, or -1 with a reason. */
int virtio_devices_start(struct machine *m, char *why, size_t whylen);
/* A new VM (its vm_fd) whose interrupt lines the devices drive; detach
 * before that VM is closed. */
void virtio_devices_attach(struct machine *m, int vm_fd);
void virtio_devices_detach(struct machine *m);
/* A machine reset (VM torn down): every device back to its power-on state,
 * after any request in progress has finished. */
void virtio_devices_reset(struct machine *m);
/* Stops the threads, flushes and closes the images. */
void virtio_devices_destroy(struct machine *m);

#endif
