/* The virtio-mmio transport (virtio 1.x 4.2): the handshake Linux's
 * virtio_mmio driver does, the refusals, the interrupt line, notify and
 * reset dispatch, and the ACPI and DT descriptions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libfdt.h>
#include <pthread.h>
#include <string.h>

#include "acpi/aml.h"
#include "devices/dt.h"
#include "devices/virtio_mmio.h"

struct fake_dev {
	uint8_t config[16];
	unsigned notified[4];
	unsigned resets;
	uint32_t last_off;
	unsigned last_size;
};

static uint64_t fake_features(void *dev)
{
	(void)dev;
	return (1ull << 9) | (1ull << 2);
}

static void fake_config_read(void *dev, uint32_t off, uint8_t *data, unsigned size)
{
	struct fake_dev *d = dev;
	d->last_off = off;
	d->last_size = size;
	for (unsigned i = 0; i < size; i++)
		data[i] = off + i < sizeof(d->config) ? d->config[off + i] : 0;
}

static void fake_config_write(void *dev, uint32_t off, const uint8_t *data, unsigned size)
{
	struct fake_dev *d = dev;
	for (unsigned i = 0; i < size; i++)
		if (off + i < sizeof(d->config))
			d->config[off + i] = data[i];
}

static void fake_notify(void *dev, unsigned q)
{
	struct fake_dev *d = dev;
	d->notified[q]++;
}

static void fake_reset(void *dev)
{
	struct fake_dev *d = dev;
	d->resets++;
}

static const struct virtio_dev_ops fake_ops = {
	.device_id = 2,
	.num_queues = 2,
	.queue_max = 256,
	.features = fake_features,
	.config_read = fake_config_read,
	.config_write = fake_config_write,
	.notify = fake_notify,
	.reset = fake_reset,
};

static struct virtio_mmio t;
static struct fake_dev dev;
static int levels[16];
static unsigned nlevels;

static void on_irq(void *opaque, int level)
{
	assert_ptr_equal(opaque, &dev);
	assert_true(nlevels < 16);
	levels[nlevels++] = level;
}

static int setup(void **state)
{
	(void)state;
	memset(&dev, 0, sizeof(dev));
	nlevels = 0;
	assert_int_equal(virtio_mmio_init(&t, &fake_ops, &dev, on_irq, &dev), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_mmio_destroy(&t);
	return 0;
}

static uint32_t rd(uint64_t off)
{
	uint8_t b[4];
	virtio_mmio_access(&t, off, false, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void wr(uint64_t off, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };
	virtio_mmio_access(&t, off, true, b, 4);
}

static uint64_t device_features(void)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

static void driver_features(uint64_t f)
{
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
}

static void setup_queue(unsigned q, uint32_t num, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	wr(VIRTIO_MMIO_QUEUE_NUM, num);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

/* What Linux's virtio_mmio probe and virtio core do, in order. */
static void handshake(void)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	uint64_t f = device_features();
	driver_features(f);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	setup_queue(0, 128, 0x100000000ull + 0x1000, 0x100000000ull + 0x2000, 0x100000000ull + 0x3000);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK |
				       VIRTIO_STATUS_DRIVER_OK);
}

static void test_identity(void **state)
{
	(void)state;
	assert_int_equal(rd(0x000), 0x74726976);
	assert_int_equal(rd(0x004), 2);
	assert_int_equal(rd(0x008), 2);
	assert_int_equal(rd(0x00c), VIRTIO_MMIO_VENDOR);
	/* "VRAS" as bytes in the guest's view. */
	uint8_t b[4];
	virtio_mmio_access(&t, 0x00c, false, b, 4);
	assert_memory_equal(b, "VRAS", 4);
	/* Only 32-bit register accesses. */
	uint8_t h[2] = { 0xaa, 0xaa };
	virtio_mmio_access(&t, 0x000, false, h, 2);
	assert_int_equal(h[0], 0);
	assert_int_equal(h[1], 0);
	virtio_mmio_access(&t, 0x002, false, b, 4);
	assert_int_equal(b[0], 0);
}

static void test_handshake(void **state)
{
	struct virtq_layout l;
	(void)state;
	uint64_t f = device_features();
	assert_true(f & (1ull << VIRTIO_F_VERSION_1));
	assert_true(f & (1ull << 9));
	assert_true(f & (1ull << 2));
	assert_int_equal(f & ~((1ull << 32) | (1ull << 9) | (1ull << 2)), 0);
	assert_false(virtio_mmio_queue(&t, 0, &l));
	handshake();
	assert_int_equal(dev.resets, 1);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f);
	assert_int_equal(t.driver_features, f);
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	assert_true(virtio_mmio_queue(&t, 0, &l));
	assert_int_equal(l.num, 128);
	assert_int_equal(l.desc, 0x100001000ull);
	assert_int_equal(l.avail, 0x100002000ull);
	assert_int_equal(l.used, 0x100003000ull);
	/* Queue 1 was never set up; there is no queue 2. */
	assert_false(virtio_mmio_queue(&t, 1, &l));
	assert_false(virtio_mmio_queue(&t, 2, &l));
	wr(VIRTIO_MMIO_QUEUE_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
}

static void refused(uint64_t accept)
{
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	driver_features(accept);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
}

static void test_feature_refusals(void **state)
{
	(void)state;
	/* A feature not offered. */
	refused((1ull << 32) | (1ull << 5));
	/* A legacy driver: no VERSION_1. */
	refused(1ull << 9);
	/* Words past 1 do not exist. */
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_FEATURES), 0);
	assert_int_equal(t.feature_refusals, 2);
	/* Accepting a subset is fine, and features freeze at FEATURES_OK. */
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	driver_features(1ull << 32);
	wr(VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER | VIRTIO_STATUS_FEATURES_OK);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_FEATURES_OK);
	driver_features((1ull << 32) | (1ull << 5));
	assert_int_equal(t.driver_features, 1ull << 32);
	/* DRIVER_OK without a ready queue: no snapshot; FAILED: none either. */
	struct virtq_layout l;
	wr(VIRTIO_MMIO_STATUS, 0x0f);
	assert_false(virtio_mmio_queue(&t, 0, &l));
	setup_queue(0, 16, 0x1000, 0x2000, 0x3000);
	assert_true(virtio_mmio_queue(&t, 0, &l));
	wr(VIRTIO_MMIO_STATUS, 0x0f | VIRTIO_STATUS_FAILED);
	assert_false(virtio_mmio_queue(&t, 0, &l));
}

static void test_queue_config_rules(void **state)
{
	struct virtq_layout l;
	(void)state;
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, 0x03);
	driver_features(1ull << 32);
	wr(VIRTIO_MMIO_STATUS, 0x0b);
	/* Not a power of 2, too large, zero, misaligned rings: not ready. */
	static const struct { uint32_t num; uint64_t desc, avail, used; } bad[] = {
		{ 100, 0x1000, 0x2000, 0x3000 }, { 512, 0x1000, 0x2000, 0x3000 }, { 0, 0x1000, 0x2000, 0x3000 },
		{ 16, 0x1008, 0x2000, 0x3000 },  { 16, 0x1000, 0x2001, 0x3000 }, { 16, 0x1000, 0x2000, 0x3002 },
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setup_queue(0, bad[i].num, bad[i].desc, bad[i].avail, bad[i].used);
		assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	}
	setup_queue(0, 256, 0x1000, 0x2000, 0x3000);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 1);
	wr(VIRTIO_MMIO_STATUS, 0x0f);
	assert_true(virtio_mmio_queue(&t, 0, &l));
	uint32_t gen = l.gen;
	/* Frozen while ready. */
	wr(VIRTIO_MMIO_QUEUE_NUM, 16);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, 0x9000);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_HIGH, 1);
	assert_true(virtio_mmio_queue(&t, 0, &l));
	assert_int_equal(l.num, 256);
	assert_int_equal(l.desc, 0x1000);
	assert_int_equal(l.avail, 0x2000);
	assert_int_equal(l.used, 0x3000);
	assert_int_equal(l.gen, gen);
	/* Disabled, changed, enabled again: a new generation. */
	wr(VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_false(virtio_mmio_queue(&t, 0, &l));
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, 0x8000);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	assert_true(virtio_mmio_queue(&t, 0, &l));
	assert_int_equal(l.desc, 0x8000);
	assert_int_not_equal(l.gen, gen);
}

static void test_interrupts(void **state)
{
	(void)state;
	/* Nobody to interrupt before DRIVER_OK. */
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(nlevels, 0);
	handshake();
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	assert_int_equal(nlevels, 1);
	assert_int_equal(levels[0], 1);
	virtio_mmio_config_changed(&t);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 3);
	assert_int_equal(rd(VIRTIO_MMIO_CONFIG_GENERATION), 1);
	assert_int_equal(nlevels, 1);
	/* The line stays up until every bit is acknowledged. */
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 2);
	assert_int_equal(nlevels, 1);
	wr(VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(nlevels, 2);
	assert_int_equal(levels[1], 0);
	/* Unknown bits are not kept. */
	virtio_mmio_interrupt(&t, 0xf0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(nlevels, 2);
	/* A reset drops the line. */
	virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(nlevels, 3);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(nlevels, 4);
	assert_int_equal(levels[3], 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_notify(void **state)
{
	(void)state;
	handshake();
	/* DRIVER_OK looks at every ready queue once (queue 0 here). */
	assert_int_equal(dev.notified[0], 1);
	assert_int_equal(dev.notified[1], 0);
	wr(VIRTIO_MMIO_STATUS, 0x0f);
	assert_int_equal(dev.notified[0], 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 2);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0xffffffff);
	assert_int_equal(dev.notified[0], 2);
	assert_int_equal(dev.notified[1], 2);
	assert_int_equal(dev.notified[2], 0);
	assert_int_equal(dev.notified[3], 0);
	/* A byte-wide write is not a register write. */
	uint8_t b = 0;
	virtio_mmio_access(&t, VIRTIO_MMIO_QUEUE_NOTIFY, true, &b, 1);
	assert_int_equal(dev.notified[0], 2);
}

static void test_reset_clears(void **state)
{
	struct virtq_layout l, l2;
	(void)state;
	handshake();
	assert_true(virtio_mmio_queue(&t, 0, &l));
	unsigned before = dev.resets;
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(dev.resets, before + 1);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_false(virtio_mmio_queue(&t, 0, &l2));
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_READY), 0);
	assert_int_equal(t.driver_features, 0);
	/* The same setup again is a new generation of the queue. */
	handshake();
	assert_true(virtio_mmio_queue(&t, 0, &l2));
	assert_int_equal(l2.desc, l.desc);
	assert_int_not_equal(l2.gen, l.gen);
	/* A machine reset is the same. */
	virtio_mmio_reset(&t);
	assert_false(virtio_mmio_queue(&t, 0, &l2));
	/* handshake, status 0, handshake, machine reset */
	assert_int_equal(t.resets, 4);
}

static void test_needs_reset(void **state)
{
	struct virtq_layout l;
	(void)state;
	/* Before a driver: nothing to do. */
	virtio_mmio_needs_reset(&t);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	handshake();
	virtio_mmio_needs_reset(&t);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x4f);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(nlevels, 1);
	assert_false(virtio_mmio_queue(&t, 0, &l));
	/* The driver cannot clear it by writing status... */
	wr(VIRTIO_MMIO_STATUS, 0x0f);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x4f);
	/* ...only by a reset. */
	virtio_mmio_needs_reset(&t);
	assert_int_equal(t.needs_resets, 1);
	handshake();
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f);
	assert_true(virtio_mmio_queue(&t, 0, &l));
}

static void test_config_space(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 16; i++)
		dev.config[i] = (uint8_t)(0x10 + i);
	uint8_t b[8];
	virtio_mmio_access(&t, 0x100, false, b, 8);
	assert_int_equal(dev.last_off, 0);
	assert_int_equal(dev.last_size, 8);
	assert_int_equal(b[7], 0x17);
	virtio_mmio_access(&t, 0x10a, false, b, 2);
	assert_int_equal(dev.last_off, 10);
	assert_int_equal(b[0], 0x1a);
	assert_int_equal(b[1], 0x1b);
	virtio_mmio_access(&t, 0x103, false, b, 1);
	assert_int_equal(b[0], 0x13);
	/* Odd sizes and the window's end read zeros without the device. */
	dev.last_size = 0;
	memset(b, 0xff, sizeof(b));
	virtio_mmio_access(&t, 0x100, false, b, 3);
	assert_int_equal(b[0], 0);
	virtio_mmio_access(&t, 0x1fc, false, b, 8);
	assert_int_equal(b[0], 0);
	assert_int_equal(dev.last_size, 0);
	b[0] = 0x99;
	virtio_mmio_access(&t, 0x104, true, b, 1);
	assert_int_equal(dev.config[4], 0x99);
}

/* A reset that has to wait for a device thread in the middle of a batch,
 * while that thread raises interrupts: it must finish, not deadlock. */
static pthread_mutex_t batch = PTHREAD_MUTEX_INITIALIZER;
static bool stopped;
static unsigned raised;

static void *device_thread(void *arg)
{
	(void)arg;
	for (;;) {
		pthread_mutex_lock(&batch);
		if (stopped) {
			pthread_mutex_unlock(&batch);
			return NULL;
		}
		for (int i = 0; i < 100; i++)
			virtio_mmio_interrupt(&t, VIRTIO_MMIO_INT_VRING);
		raised++;
		pthread_mutex_unlock(&batch);
	}
}

static void waiting_reset(void *d)
{
	(void)d;
	pthread_mutex_lock(&batch);
	stopped = true;
	pthread_mutex_unlock(&batch);
}

static void test_reset_waits_for_device(void **state)
{
	static struct virtio_dev_ops ops;
	pthread_t th;
	(void)state;
	ops = fake_ops;
	ops.reset = waiting_reset;
	virtio_mmio_destroy(&t);
	assert_int_equal(virtio_mmio_init(&t, &ops, &dev, on_irq, &dev), 0);
	handshake();
	stopped = false;
	raised = 0;
	assert_int_equal(pthread_create(&th, NULL, device_thread, NULL), 0);
	while (!__atomic_load_n(&raised, __ATOMIC_RELAXED))
		sched_yield();
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_true(stopped);
	/* Whatever the thread raised during the reset is gone. */
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_int_equal(levels[nlevels - 1], 0);
}

static bool has(const struct aml *a, const void *bytes, size_t n)
{
	for (size_t i = 0; i + n <= a->len; i++)
		if (!memcmp(a->buf + i, bytes, n))
			return true;
	return false;
}

static void test_aml(void **state)
{
	struct aml a;
	(void)state;
	aml_init(&a);
	virtio_mmio_aml(&a, "VR00", 0, 0xfeb00000, 16);
	virtio_mmio_aml(&a, "VR01", 1, 0xfeb00200, 17);
	assert_int_equal(aml_finish(&a), 0);
	/* Device(VR00) */
	static const uint8_t dev0[] = { 0x5b, 0x82 };
	assert_int_equal(memcmp(a.buf, dev0, 2), 0);
	assert_true(has(&a, "VR00", 4));
	assert_true(has(&a, "VR01", 4));
	/* Name(_HID, "LNRO0005") */
	static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0d, 'L', 'N', 'R', 'O', '0', '0', '0', '5', 0 };
	assert_true(has(&a, hid, sizeof(hid)));
	/* Name(_UID, One) for the second */
	static const uint8_t uid1[] = { 0x08, '_', 'U', 'I', 'D', 0x01 };
	assert_true(has(&a, uid1, sizeof(uid1)));
	/* Name(_CCA, One): coherent DMA, which arm64 ACPI guests need said */
	static const uint8_t cca[] = { 0x08, '_', 'C', 'C', 'A', 0x01 };
	assert_true(has(&a, cca, sizeof(cca)));
	/* Memory32Fixed(ReadWrite, 0xFEB00200, 0x200) */
	static const uint8_t mem[] = { 0x86, 0x09, 0x00, 0x01, 0x00, 0x02, 0xb0, 0xfe, 0x00, 0x02, 0x00, 0x00 };
	assert_true(has(&a, mem, sizeof(mem)));
	/* Interrupt(ResourceConsumer, Level, ActiveHigh, Exclusive) { 17 } */
	static const uint8_t irq[] = { 0x89, 0x06, 0x00, 0x01, 0x01, 17, 0, 0, 0 };
	assert_true(has(&a, irq, sizeof(irq)));
	aml_free(&a);
}

static void test_dt(void **state)
{
	static uint8_t buf[1024];
	struct dt_writer w = { .fdt = buf };
	const uint32_t cells[3] = { DT_GIC_SPI, 16, DT_IRQ_LEVEL_HIGH };
	const fdt32_t *p;
	int node, len;
	(void)state;

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	dt_begin(&w, "");
	dt_prop_u32(&w, "#address-cells", 2);
	dt_prop_u32(&w, "#size-cells", 2);
	virtio_mmio_dt(&w, "virtio_mmio@a000000", 0x0a000000, cells, 3);
	dt_end(&w);
	assert_int_equal(w.err, 0);
	assert_int_equal(fdt_finish(buf), 0);
	node = fdt_path_offset(buf, "/virtio_mmio@a000000");
	assert_true(node >= 0);
	assert_string_equal(fdt_getprop(buf, node, "compatible", NULL), "virtio,mmio");
	p = fdt_getprop(buf, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt32_to_cpu(p[1]), 0x0a000000);
	assert_int_equal(fdt32_to_cpu(p[3]), 0x200);
	p = fdt_getprop(buf, node, "interrupts", &len);
	assert_int_equal(len, 12);
	assert_int_equal(fdt32_to_cpu(p[1]), 16);
	assert_int_equal(fdt32_to_cpu(p[2]), DT_IRQ_LEVEL_HIGH);
	assert_non_null(fdt_getprop(buf, node, "dma-coherent", &len));
	assert_int_equal(len, 0);
}

static void test_init_checks(void **state)
{
	struct virtio_mmio x;
	struct virtio_dev_ops ops = fake_ops;
	(void)state;
	ops.queue_max = 100;
	assert_int_equal(virtio_mmio_init(&x, &ops, NULL, NULL, NULL), -1);
	ops.queue_max = 0;
	assert_int_equal(virtio_mmio_init(&x, &ops, NULL, NULL, NULL), -1);
	ops = fake_ops;
	ops.num_queues = VIRTIO_MMIO_MAX_QUEUES + 1;
	assert_int_equal(virtio_mmio_init(&x, &ops, NULL, NULL, NULL), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_identity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_handshake, setup, teardown),
		cmocka_unit_test_setup_teardown(test_feature_refusals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queue_config_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_interrupts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_clears, setup, teardown),
		cmocka_unit_test_setup_teardown(test_needs_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_space, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reset_waits_for_device, setup, teardown),
		cmocka_unit_test(test_aml),
		cmocka_unit_test(test_dt),
		cmocka_unit_test(test_init_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
