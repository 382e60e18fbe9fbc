#include "devices/virtio_mmio.h"

#include <errno.h>
#include <string.h>

#include "acpi/aml.h"
#include "devices/dt.h"

static bool pow2(uint32_t v)
{
	return v && !(v & (v - 1));
}

int virtio_mmio_init(struct virtio_mmio *t, const struct virtio_dev_ops *ops, void *dev,
		     void (*set_irq)(void *opaque, int level), void *irq_opaque)
{
	if (!ops || ops->num_queues > VIRTIO_MMIO_MAX_QUEUES || !pow2(ops->queue_max)) {
		errno = EINVAL;
		return -1;
	}
	memset(t, 0, sizeof(*t));
	t->ops = ops;
	t->dev = dev;
	t->set_irq = set_irq;
	t->irq_opaque = irq_opaque;
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->reset_lock, NULL);
	return 0;
}

void virtio_mmio_destroy(struct virtio_mmio *t)
{
	pthread_mutex_destroy(&t->lock);
	pthread_mutex_destroy(&t->reset_lock);
}

static void update_irq_locked(struct virtio_mmio *t)
{
	int level = t->int_status != 0;

	if (level == t->irq_level)
		return;
	t->irq_level = level;
	if (t->set_irq)
		t->set_irq(t->irq_opaque, level);
}

static uint64_t offered_locked(struct virtio_mmio *t)
{
	uint64_t f = t->ops->features ? t->ops->features(t->dev) : 0;

	return f | (1ull << VIRTIO_F_VERSION_1);
}

static void clear_locked(struct virtio_mmio *t)
{
	t->status = 0;
	t->int_status = 0;
	t->dev_features_sel = t->drv_features_sel = 0;
	t->driver_features = 0;
	t->queue_sel = 0;
	memset(t->q, 0, sizeof(t->q));
	t->gen++;
	update_irq_locked(t);
}

/* The transport's state is cleared first, under the lock, so that no new
 * snapshot is handed out; the device's reset then runs without the lock so
 * it can wait for a device thread that is raising an interrupt. */
void virtio_mmio_reset(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->reset_lock);
	pthread_mutex_lock(&t->lock);
	t->resetting = true;
	clear_locked(t);
	pthread_mutex_unlock(&t->lock);

	if (t->ops->reset)
		t->ops->reset(t->dev);

	pthread_mutex_lock(&t->lock);
	t->int_status = 0;
	update_irq_locked(t);
	t->resetting = false;
	pthread_mutex_unlock(&t->lock);
	__atomic_fetch_add(&t->resets, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&t->reset_lock);
}

static struct virtio_mmio_queue *sel_locked(struct virtio_mmio *t)
{
	return t->queue_sel < t->ops->num_queues ? &t->q[t->queue_sel] : NULL;
}

static uint32_t read_reg_locked(struct virtio_mmio *t, uint64_t off)
{
	struct virtio_mmio_queue *q = sel_locked(t);

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->ops->device_id;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		if (t->dev_features_sel > 1)
			return 0;
		return (uint32_t)(offered_locked(t) >> (32 * t->dev_features_sel));
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q ? t->ops->queue_max : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q ? q->ready : 0;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->int_status;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_gen;
	default:
		/* Write-only and unassigned registers. */
		return 0;
	}
}

static void set_half(uint64_t *v, bool high, uint32_t val)
{
	if (high)
		*v = (*v & 0xffffffffull) | ((uint64_t)val << 32);
	else
		*v = (*v & ~0xffffffffull) | val;
}

static bool queue_valid(const struct virtio_mmio *t, const struct virtio_mmio_queue *q)
{
	/* Sizes and alignments of virtio 1.x 2.7: a ring the device would
	 * read askew is refused now rather than misread later. */
	return pow2(q->num) && q->num <= t->ops->queue_max && !(q->desc & 15) && !(q->avail & 1) &&
	       !(q->used & 3);
}

/* Returns the ready queues to notify when the driver has just set
 * DRIVER_OK: buffers it made available before that were not yet the
 * device's to take (3.1.1), and no other kick may come for them. */
static uint32_t write_status_locked(struct virtio_mmio *t, uint32_t val)
{
	uint32_t kick = 0;
	uint32_t old = t->status;
	/* NEEDS_RESET is the device's to set; the driver writes back what it
	 * read and cannot clear it but by a reset. */
	uint32_t st = (val & 0xff & ~VIRTIO_STATUS_NEEDS_RESET) | (old & VIRTIO_STATUS_NEEDS_RESET);

	if ((st & VIRTIO_STATUS_FEATURES_OK) && !(old & VIRTIO_STATUS_FEATURES_OK)) {
		uint64_t offered = offered_locked(t);

		/* A driver that accepts what was not offered, or a legacy
		 * driver (no VERSION_1), reads FEATURES_OK back clear and gives
		 * up, as virtio 1.x 3.1.1 has it. */
		if ((t->driver_features & ~offered) ||
		    !(t->driver_features & (1ull << VIRTIO_F_VERSION_1))) {
			st &= ~VIRTIO_STATUS_FEATURES_OK;
			__atomic_fetch_add(&t->feature_refusals, 1, __ATOMIC_RELAXED);
		}
	}
	t->status = st;
	if ((st & VIRTIO_STATUS_DRIVER_OK) && !(old & VIRTIO_STATUS_DRIVER_OK))
		for (unsigned i = 0; i < t->ops->num_queues; i++)
			if (t->q[i].ready)
				kick |= 1u << i;
	return kick;
}

/* Returns the queues to notify, a bit each. */
static uint32_t write_reg_locked(struct virtio_mmio *t, uint64_t off, uint32_t val)
{
	struct virtio_mmio_queue *q = sel_locked(t);
	/* Queue configuration is frozen while the queue is ready (4.2.2.2). */
	struct virtio_mmio_queue *qw = q && !q->ready ? q : NULL;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = val;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (!(t->status & VIRTIO_STATUS_FEATURES_OK) && t->drv_features_sel <= 1)
			set_half(&t->driver_features, t->drv_features_sel == 1, val);
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = val;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (qw)
			qw->num = (uint16_t)(val > 0xffff ? 0 : val);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (!q)
			break;
		if (val == 1 && !q->ready && queue_valid(t, q)) {
			q->ready = true;
			t->gen++;
		} else if (val == 0 && q->ready) {
			q->ready = false;
			t->gen++;
		}
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		if (val < t->ops->num_queues)
			return 1u << val;
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->int_status &= ~val;
		update_irq_locked(t);
		break;
	case VIRTIO_MMIO_STATUS:
		return write_status_locked(t, val);
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
		if (qw)
			set_half(&qw->desc, off == VIRTIO_MMIO_QUEUE_DESC_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
		if (qw)
			set_half(&qw->avail, off == VIRTIO_MMIO_QUEUE_DRIVER_HIGH, val);
		break;
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		if (qw)
			set_half(&qw->used, off == VIRTIO_MMIO_QUEUE_DEVICE_HIGH, val);
		break;
	default:
		break;
	}
	return 0;
}

void virtio_mmio_access(void *opaque, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	struct virtio_mmio *t = opaque;
	uint32_t val = 0, notify = 0;
	bool reset = false;

	if (off >= VIRTIO_MMIO_CONFIG) {
		bool ok = (size == 1 || size == 2 || size == 4 || size == 8) &&
			  off + size <= VIRTIO_MMIO_SIZE;

		pthread_mutex_lock(&t->lock);
		if (!ok) {
			if (!is_write)
				memset(data, 0, size);
		} else if (is_write) {
			if (t->ops->config_write)
				t->ops->config_write(t->dev, (uint32_t)(off - VIRTIO_MMIO_CONFIG), data, size);
		} else if (t->ops->config_read) {
			t->ops->config_read(t->dev, (uint32_t)(off - VIRTIO_MMIO_CONFIG), data, size);
		} else {
			memset(data, 0, size);
		}
		pthread_mutex_unlock(&t->lock);
		return;
	}
	/* The registers are 32-bit only (4.2.2.1): anything else reads as 0
	 * and writes nothing. */
	if (size != 4 || (off & 3)) {
		if (!is_write)
			memset(data, 0, size);
		return;
	}
	if (!is_write) {
		pthread_mutex_lock(&t->lock);
		val = read_reg_locked(t, off);
		pthread_mutex_unlock(&t->lock);
		for (unsigned i = 0; i < 4; i++)
			data[i] = (uint8_t)(val >> (8 * i));
		return;
	}
	for (unsigned i = 0; i < 4; i++)
		val |= (uint32_t)data[i] << (8 * i);
	if (off == VIRTIO_MMIO_STATUS && val == 0) {
		reset = true;
	} else {
		pthread_mutex_lock(&t->lock);
		notify = write_reg_locked(t, off, val);
		pthread_mutex_unlock(&t->lock);
	}
	if (reset)
		virtio_mmio_reset(t);
	for (unsigned q = 0; notify && q < VIRTIO_MMIO_MAX_QUEUES; q++)
		if ((notify & (1u << q)) && t->ops->notify)
			t->ops->notify(t->dev, q);
}

int virtio_mmio_register(struct virtio_mmio *t, struct bus *bus, uint64_t base)
{
	return bus_register(bus, BUS_MMIO, base, VIRTIO_MMIO_SIZE, virtio_mmio_access, t);
}

void virtio_mmio_interrupt(struct virtio_mmio *t, uint32_t bits)
{
	pthread_mutex_lock(&t->lock);
	if (!t->resetting && (t->status & VIRTIO_STATUS_DRIVER_OK)) {
		t->int_status |= bits & (VIRTIO_MMIO_INT_VRING | VIRTIO_MMIO_INT_CONFIG);
		update_irq_locked(t);
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_needs_reset(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	/* A device with no driver yet has nobody to tell; the driver's reset
	 * at probe starts it clean anyway. */
	if (!t->resetting && t->status && !(t->status & VIRTIO_STATUS_NEEDS_RESET)) {
		t->status |= VIRTIO_STATUS_NEEDS_RESET;
		__atomic_fetch_add(&t->needs_resets, 1, __ATOMIC_RELAXED);
		if (t->status & VIRTIO_STATUS_DRIVER_OK) {
			t->int_status |= VIRTIO_MMIO_INT_CONFIG;
			update_irq_locked(t);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

void virtio_mmio_config_changed(struct virtio_mmio *t)
{
	pthread_mutex_lock(&t->lock);
	t->config_gen++;
	if (!t->resetting && (t->status & VIRTIO_STATUS_DRIVER_OK)) {
		t->int_status |= VIRTIO_MMIO_INT_CONFIG;
		update_irq_locked(t);
	}
	pthread_mutex_unlock(&t->lock);
}

bool virtio_mmio_queue(struct virtio_mmio *t, unsigned q, struct virtq_layout *out)
{
	bool ok;
	uint32_t want = VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FEATURES_OK;
	uint32_t bad = VIRTIO_STATUS_FAILED | VIRTIO_STATUS_NEEDS_RESET;

	pthread_mutex_lock(&t->lock);
	ok = q < t->ops->num_queues && t->q[q].ready && !t->resetting && (t->status & want) == want &&
	     !(t->status & bad);
	if (ok)
		*out = (struct virtq_layout){ .num = t->q[q].num, .desc = t->q[q].desc, .avail = t->q[q].avail,
					      .used = t->q[q].used, .gen = t->gen };
	pthread_mutex_unlock(&t->lock);
	return ok;
}

/* LNRO0005 is the id Linux's virtio_mmio driver matches in ACPI (Linaro's,
 * as QEMU's arm virt board uses it). The line is level-triggered,
 * active-high: it stays up while InterruptStatus is non-zero. */
void virtio_mmio_aml(struct aml *a, const char *name4, uint32_t uid, uint64_t base, uint32_t gsi)
{
	aml_device_begin(a, name4);
	aml_name(a, "_HID");
	aml_string(a, "LNRO0005");
	aml_name(a, "_UID");
	aml_integer(a, uid);
	aml_name(a, "_CCA");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_memory32_fixed(a, 1, (uint32_t)base, VIRTIO_MMIO_SIZE);
	aml_res_interrupt(a, 0, 0, 0, gsi);
	aml_end(a);
	aml_end(a);
}

/* dma-coherent: the device reads guest RAM through the CPU's own coherent
 * mappings, so the guest must not bounce or flush for it (arm64 would
 * otherwise map the rings non-cacheable). */
void virtio_mmio_dt(struct dt_writer *w, const char *node, uint64_t base, const uint32_t *irq_cells,
		    unsigned ncells)
{
	dt_begin(w, node);
	dt_prop_str(w, "compatible", "virtio,mmio");
	dt_prop_reg2(w, base, VIRTIO_MMIO_SIZE, 0, 0, 1);
	dt_prop_cells(w, "interrupts", irq_cells, ncells);
	dt_prop_empty(w, "dma-coherent");
	dt_end(w);
}
