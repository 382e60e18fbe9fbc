/* The virtio-mmio transport, version 2 (virtio 1.x section 4.2, the
 * "modern" register layout only): the register window a guest's
 * virtio_mmio driver probes, feature negotiation, queue setup, the interrupt
 * status and the device status. A device model (virtio_blk.c) plugs in with
 * struct virtio_dev_ops and never sees a register. Pure: no KVM, no
 * threads; one mutex, because registers are written by vCPU threads while a
 * device thread raises interrupts and takes queue snapshots.
 *
 * Locking contract:
 *  - Register accesses (virtio_mmio_access), virtio_mmio_interrupt,
 *    virtio_mmio_needs_reset, virtio_mmio_queue: any thread, any time.
 *  - ops->features, config_read and config_write run with the transport lock
 *    held: they must not call back into the transport.
 *  - set_irq runs with the lock held, so the levels it sees arrive in the
 *    order the status changed (two threads racing otherwise could leave the
 *    line high with nothing pending). It must not call into the transport.
 *  - ops->notify and ops->reset run WITHOUT the lock. reset may therefore
 *    wait for a device thread that is itself calling virtio_mmio_interrupt.
 *    Resets are serialised among themselves by a second mutex that device
 *    threads never take. Interrupts raised while a reset runs are dropped:
 *    they belong to the queues being torn down. */
#ifndef VMRAS_DEVICES_VIRTIO_MMIO_H
#define VMRAS_DEVICES_VIRTIO_MMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

#define VIRTIO_MMIO_SIZE 0x200
#define VIRTIO_MMIO_MAGIC 0x74726976u   /* "virt" */
#define VIRTIO_MMIO_VERSION 2
/* "VRAS" in the byte order QEMU uses for its "QEMU" (0x554D4551): no guest
 * driver matches on the vendor, so it only has to be vmras's own and
 * not claim to be QEMU. */
#define VIRTIO_MMIO_VENDOR 0x53415256u

/* Register offsets (virtio 1.x 4.2.2). */
#define VIRTIO_MMIO_MAGIC_VALUE 0x000
#define VIRTIO_MMIO_VERSION_REG 0x004
#define VIRTIO_MMIO_DEVICE_ID 0x008
#define VIRTIO_MMIO_VENDOR_ID 0x00c
#define VIRTIO_MMIO_DEVICE_FEATURES 0x010
#define VIRTIO_MMIO_DEVICE_FEATURES_SEL 0x014
#define VIRTIO_MMIO_DRIVER_FEATURES 0x020
#define VIRTIO_MMIO_DRIVER_FEATURES_SEL 0x024
#define VIRTIO_MMIO_QUEUE_SEL 0x030
#define VIRTIO_MMIO_QUEUE_NUM_MAX 0x034
#define VIRTIO_MMIO_QUEUE_NUM 0x038
#define VIRTIO_MMIO_QUEUE_READY 0x044
#define VIRTIO_MMIO_QUEUE_NOTIFY 0x050
#define VIRTIO_MMIO_INTERRUPT_STATUS 0x060
#define VIRTIO_MMIO_INTERRUPT_ACK 0x064
#define VIRTIO_MMIO_STATUS 0x070
#define VIRTIO_MMIO_QUEUE_DESC_LOW 0x080
#define VIRTIO_MMIO_QUEUE_DESC_HIGH 0x084
#define VIRTIO_MMIO_QUEUE_DRIVER_LOW 0x090
#define VIRTIO_MMIO_QUEUE_DRIVER_HIGH 0x094
#define VIRTIO_MMIO_QUEUE_DEVICE_LOW 0x0a0
#define VIRTIO_MMIO_QUEUE_DEVICE_HIGH 0x0a4
#define VIRTIO_MMIO_CONFIG_GENERATION 0x0fc
#define VIRTIO_MMIO_CONFIG 0x100

/* InterruptStatus bits. */
#define VIRTIO_MMIO_INT_VRING 0x1
#define VIRTIO_MMIO_INT_CONFIG 0x2

/* Device status bits (virtio 1.x 2.1). */
#define VIRTIO_STATUS_ACKNOWLEDGE 0x01
#define VIRTIO_STATUS_DRIVER 0x02
#define VIRTIO_STATUS_DRIVER_OK 0x04
#define VIRTIO_STATUS_FEATURES_OK 0x08
#define VIRTIO_STATUS_NEEDS_RESET 0x40
#define VIRTIO_STATUS_FAILED 0x80

#define VIRTIO_F_VERSION_1 32

#define VIRTIO_MMIO_MAX_QUEUES 8

struct virtio_dev_ops {
	uint32_t device_id;            /* 2 block, 1 net */
	unsigned num_queues;           /* at most VIRTIO_MMIO_MAX_QUEUES */
	uint16_t queue_max;            /* QueueNumMax: a power of 2 */
	/* Feature bits offered; the transport adds VIRTIO_F_VERSION_1. */
	uint64_t (*features)(void *dev);
	/* Config space, off from its start; size 1, 2, 4 or 8. Reads past the
	 * device's structure must fill zeros. */
	void (*config_read)(void *dev, uint32_t off, uint8_t *data, unsigned size);
	void (*config_write)(void *dev, uint32_t off, const uint8_t *data, unsigned size);
	/* QueueNotify, and once for each ready queue when the driver sets
	 * DRIVER_OK; on a vCPU thread: must not block. */
	void (*notify)(void *dev, unsigned queue);
	/* The driver wrote status 0 (or virtio_mmio_reset): on return the
	 * device no longer touches its queues. */
	void (*reset)(void *dev);
};

/* What the device thread needs of a ready queue. gen changes on every
 * reset and every QueueReady transition, so a device that cached an older
 * snapshot knows to start the queue afresh even at the same addresses. */
struct virtq_layout {
	uint16_t num;
	uint64_t desc, avail, used;    /* guest-physical */
	uint32_t gen;
};

struct virtio_mmio_queue {
	uint16_t num;
	bool ready;
	uint64_t desc, avail, used;
};

struct virtio_mmio {
	const struct virtio_dev_ops *ops;
	void *dev;
	/* Drives the device's interrupt line: 1 while InterruptStatus != 0. */
	void (*set_irq)(void *opaque, int level);
	void *irq_opaque;

	/* Everything below: under lock. */
	pthread_mutex_t lock;
	pthread_mutex_t reset_lock;    /* serialises ops->reset; see above */
	bool resetting;
	uint32_t status;
	uint32_t int_status;
	int irq_level;
	uint32_t dev_features_sel, drv_features_sel;
	uint64_t driver_features;
	uint32_t queue_sel;
	uint32_t config_gen;
	uint32_t gen;
	struct virtio_mmio_queue q[VIRTIO_MMIO_MAX_QUEUES];
	/* Counters for the operator (read them with __atomic loads). */
	uint64_t resets, feature_refusals, needs_resets;
};

/* Sets up t for dev; returns 0, or -1 with errno EINVAL for ops that ask
 * too many queues or a queue_max that is not a power of 2. */
int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_dev_ops *ops, void *dev,
		     void (*set_irq)(void *opaque, int level), void *irq_opaque);
void virtio_mmio_destroy(struct virtio_mmio *t);

/* The register window, as a bus handler (off from base, little-endian data). */
void virtio_mmio_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size);
int virtio_mmio_register(struct virtio_mmio *t, struct bus *bus, uint64_t base);

/* A machine reset: as if the driver wrote status 0. */
void virtio_mmio_reset(struct virtio_mmio *t);

/* From the device: sets InterruptStatus bits (VIRTIO_MMIO_INT_*) and raises
 * the line. Dropped before the driver set DRIVER_OK and during a reset. */
void virtio_mmio_interrupt(struct virtio_mmio *t, uint32_t bits);
/* The device gave up (a ring it cannot use, poisoned or malformed): sets
 * DEVICE_NEEDS_RESET and raises a config interrupt, as virtio 1.x 2.1.2
 * asks. Queue snapshots are refused until the driver resets the device. */
void virtio_mmio_needs_reset(struct virtio_mmio *t);
/* The device changed its config space: new ConfigGeneration, config
 * interrupt. */
void virtio_mmio_config_changed(struct virtio_mmio *t);

/* A snapshot of queue q for the device thread: true when the queue is
 * ready and the driver has set DRIVER_OK (and neither FAILED nor
 * NEEDS_RESET is set). */
bool virtio_mmio_queue(struct virtio_mmio *t, unsigned q, struct virtq_layout *out);

struct aml;
struct dt_writer;
/* How the guest finds it. ACPI: Device(name4) with _HID LNRO0005 (Linux's
 * virtio_mmio driver's ACPI id), _UID uid, and _CRS of the window and a
 * level-triggered, active-high interrupt on gsi. DT: compatible
 * "virtio,mmio", reg, interrupts (irq_cells as the interrupt parent's
 * binding wants them) and dma-coherent. */
void virtio_mmio_aml(struct aml *a, const char *name4, uint32_t uid, uint64_t base, uint32_t gsi);
void virtio_mmio_dt(struct dt_writer *w, const char *node, uint64_t base, const uint32_t *irq_cells,
		    unsigned ncells);

#endif
