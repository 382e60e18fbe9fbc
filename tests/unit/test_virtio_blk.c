/* virtio-blk (virtio 1.x 5.2) through the transport and a queue in fake
 * guest RAM, against a real image (a memfd): the bytes that land in the
 * image and in guest RAM are checked, and so is what happens when a buffer,
 * a header, a status byte or the ring itself sits on a poisoned page. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_vring.h"
#include "devices/virtio_blk.h"

#define IMG_SIZE (1u << 20)
#define HDR (FAKE_BASE + 0x8000)
#define STATUS (FAKE_BASE + 0x9000)
#define DATA (FAKE_BASE + 0x20000)
#define QNUM 16

static struct fake_mem m;
static struct fake_vring v;
static struct virtio_blk blk;
static struct virtio_mmio t;
static int img = -1;
static unsigned kicks, irq_raises;
static int irq_level;
static uint64_t hdr_base, status_base;
static uint16_t next_desc;

static void on_irq(void *opaque, int level)
{
	(void)opaque;
	irq_level = level;
	if (level)
		irq_raises++;
}

static void on_kick(void *opaque)
{
	assert_ptr_equal(opaque, &blk);
	kicks++;
}

static uint8_t pattern(uint64_t off)
{
	return (uint8_t)(off * 7 + (off >> 9) * 13 + 1);
}

static uint32_t rd(uint64_t off)
{
	uint8_t b[4];
	virtio_mmio_access(&t, off, false, b, 4);
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}

static void wr(uint64_t off, uint32_t val)
{
	uint8_t b[4] = { (uint8_t)val, (uint8_t)(val >> 8), (uint8_t)(val >> 16), (uint8_t)(val >> 24) };
	virtio_mmio_access(&t, off, true, b, 4);
}

static uint64_t features(void)
{
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint64_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	return f | (uint64_t)rd(VIRTIO_MMIO_DEVICE_FEATURES) << 32;
}

/* The driver's probe: reset, features, the queue, DRIVER_OK. */
static void driver_up(void)
{
	uint64_t f;

	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, 0x03);
	f = features();
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)f);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(f >> 32));
	wr(VIRTIO_MMIO_STATUS, 0x0b);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0b);
	vr_init(&v, &m, QNUM);
	memset(fake_ptr(&m, VR_AVAIL), 0, 0x2000);
	next_desc = 0;
	wr(VIRTIO_MMIO_QUEUE_SEL, 0);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)VR_DESC);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)VR_AVAIL);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)VR_USED);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
	wr(VIRTIO_MMIO_STATUS, 0x0f);
}

static void make_device(bool readonly, const char *serial, uint64_t size)
{
	struct virtio_blk_conf c = { .fd = img, .size_bytes = size, .readonly = readonly, .serial = serial };

	assert_int_equal(virtio_blk_init(&blk, &c, &m.gm), 0);
	blk.kick = on_kick;
	blk.kick_opaque = &blk;
	assert_int_equal(virtio_mmio_init(&t, &virtio_blk_ops, &blk, on_irq, NULL), 0);
	driver_up();
}

static int setup(void **state)
{
	uint8_t *buf = malloc(IMG_SIZE);
	(void)state;
	fake_mem_init(&m, 1 << 20);
	assert_non_null(m.ram);
	img = memfd_create("virtio-blk-test", 0);
	assert_true(img >= 0);
	for (uint64_t i = 0; i < IMG_SIZE; i++)
		buf[i] = pattern(i);
	assert_int_equal(pwrite(img, buf, IMG_SIZE, 0), IMG_SIZE);
	free(buf);
	kicks = irq_raises = 0;
	irq_level = 0;
	hdr_base = HDR;
	status_base = STATUS;
	make_device(false, "vmras-disk-0", IMG_SIZE);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_mmio_destroy(&t);
	virtio_blk_destroy(&blk);
	close(img);
	fake_mem_free(&m);
	return 0;
}

struct seg {
	uint64_t gpa;
	uint32_t len;
	bool write;
};

/* A direct chain on the next free descriptors; returns its head. */
static uint16_t submit(const struct seg *s, unsigned n)
{
	uint16_t head = next_desc;
	for (unsigned i = 0; i < n; i++) {
		uint16_t d = (uint16_t)((next_desc + i) % QNUM);
		uint16_t flags = (uint16_t)((s[i].write ? VIRTQ_DESC_F_WRITE : 0) | (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0));
		vr_desc(&v, d, s[i].gpa, s[i].len, flags, (uint16_t)((d + 1) % QNUM));
	}
	next_desc = (uint16_t)((next_desc + n) % QNUM);
	vr_avail(&v, head);
	return head;
}

static unsigned nreq;

/* A request of type at sector with one data buffer (none when len is 0);
 * returns the gpa of its status byte. */
static uint64_t request(uint32_t type, uint64_t sector, uint64_t data, uint32_t len, bool device_writes)
{
	uint64_t hdr = hdr_base + 16 * (nreq % 64), st = status_base + nreq % 64;
	uint8_t *h = fake_ptr(&m, hdr);
	struct seg s[3];
	unsigned n = 0;

	nreq++;
	memset(h, 0, 16);
	for (unsigned i = 0; i < 4; i++)
		h[i] = (uint8_t)(type >> (8 * i));
	for (unsigned i = 0; i < 8; i++)
		h[8 + i] = (uint8_t)(sector >> (8 * i));
	*(uint8_t *)fake_ptr(&m, st) = 0xee;
	s[n++] = (struct seg){ hdr, 16, false };
	if (len)
		s[n++] = (struct seg){ data, len, device_writes };
	s[n++] = (struct seg){ st, 1, true };
	submit(s, n);
	return st;
}

static uint8_t status_at(uint64_t st)
{
	return *(uint8_t *)fake_ptr(&m, st);
}

static void last_used(uint32_t *id, uint32_t *len)
{
	vr_used_elem(&v, (uint16_t)(vr_used_idx(&v) - 1), id, len);
}

static void test_features_and_config(void **state)
{
	uint8_t b[8];
	(void)state;
	uint64_t f = features();
	assert_true(f & (1ull << VIRTIO_F_VERSION_1));
	assert_true(f & (1ull << VIRTIO_BLK_F_SEG_MAX));
	assert_true(f & (1ull << VIRTIO_BLK_F_BLK_SIZE));
	assert_true(f & (1ull << VIRTIO_BLK_F_FLUSH));
	assert_true(f & (1ull << VIRTIO_BLK_F_DISCARD));
	assert_true(f & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	assert_true(f & (1ull << VIRTIO_RING_F_INDIRECT_DESC));
	assert_false(f & (1ull << VIRTIO_BLK_F_RO));
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 2);
	assert_int_equal(rd(VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
	virtio_mmio_access(&t, 0x100, false, b, 8);
	assert_int_equal(b[0] | b[1] << 8 | b[2] << 16, 2048);
	assert_int_equal(rd(0x100 + 12), VIRTIO_BLK_SEG_MAX);
	assert_int_equal(rd(0x100 + 20), 512);
	assert_int_equal(rd(0x100 + 36), VIRTIO_BLK_MAX_DISCARD_SECTORS);
	assert_int_equal(rd(0x100 + 40), VIRTIO_BLK_MAX_DISCARD_SEG);
	assert_int_equal(rd(0x100 + 56) & 0xff, 1);
	assert_int_equal(rd(0x100 + 60), 0);
	/* notify goes to the VMM's kick (DRIVER_OK kicked once already). */
	assert_int_equal(kicks, 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_int_equal(kicks, 2);
}

static void test_readonly_features(void **state)
{
	(void)state;
	virtio_mmio_destroy(&t);
	/* A size that is no multiple of 512 is rounded down. */
	make_device(true, NULL, IMG_SIZE - 100);
	uint64_t f = features();
	assert_true(f & (1ull << VIRTIO_BLK_F_RO));
	assert_false(f & (1ull << VIRTIO_BLK_F_DISCARD));
	assert_false(f & (1ull << VIRTIO_BLK_F_WRITE_ZEROES));
	assert_int_equal(rd(0x100), 2047);
	assert_int_equal(rd(0x100 + 36), 0);
}

static void test_read(void **state)
{
	uint32_t id, len;
	(void)state;
	memset(fake_ptr(&m, DATA), 0, 8192);
	uint64_t st = request(VIRTIO_BLK_T_IN, 3, DATA, 1024, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	for (unsigned i = 0; i < 1024; i++)
		assert_int_equal(((uint8_t *)fake_ptr(&m, DATA))[i], pattern(3 * 512 + i));
	assert_int_equal(((uint8_t *)fake_ptr(&m, DATA))[1024], 0);
	last_used(&id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 1025);
	assert_int_equal(irq_raises, 1);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_VRING);
	assert_int_equal(virtio_blk_serve(&blk, &t), 0);
	assert_int_equal(virtio_blk_stats(&blk).requests, 1);
}

/* Data split over several descriptors, and a header sharing nothing. */
static void test_read_scattered(void **state)
{
	uint8_t *a = fake_ptr(&m, DATA), *b2 = fake_ptr(&m, DATA + 0x3000);
	uint8_t *h = fake_ptr(&m, HDR);
	(void)state;
	memset(h, 0, 16);
	h[8] = 10;
	struct seg s[] = { { HDR, 16, false }, { DATA, 512, true }, { DATA + 0x3000, 1536, true }, { STATUS, 1, true } };
	submit(s, 4);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(STATUS), 0);
	assert_int_equal(a[0], pattern(10 * 512));
	assert_int_equal(a[511], pattern(10 * 512 + 511));
	assert_int_equal(b2[0], pattern(11 * 512));
	assert_int_equal(b2[1535], pattern(10 * 512 + 2047));
}

static void test_write_and_flush(void **state)
{
	uint8_t *d = fake_ptr(&m, DATA), back[2048];
	(void)state;
	for (unsigned i = 0; i < 2048; i++)
		d[i] = (uint8_t)(0xa5 ^ i);
	uint64_t st = request(VIRTIO_BLK_T_OUT, 5, DATA, 2048, false);
	uint64_t st2 = request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_int_equal(status_at(st2), VIRTIO_BLK_S_OK);
	assert_int_equal(pread(img, back, sizeof(back), 5 * 512), (ssize_t)sizeof(back));
	assert_memory_equal(back, d, sizeof(back));
	/* The neighbours are untouched. */
	assert_int_equal(pread(img, back, 1, 5 * 512 - 1), 1);
	assert_int_equal(back[0], pattern(5 * 512 - 1));
	assert_int_equal(pread(img, back, 1, 9 * 512), 1);
	assert_int_equal(back[0], pattern(9 * 512));
	uint32_t id, len;
	last_used(&id, &len);
	assert_int_equal(len, 1);
	/* One interrupt for the batch. */
	assert_int_equal(irq_raises, 1);
}

static void test_get_id(void **state)
{
	uint8_t *d = fake_ptr(&m, DATA);
	uint32_t id, len;
	(void)state;
	memset(d, 0xff, 64);
	uint64_t st = request(VIRTIO_BLK_T_GET_ID, 0, DATA, 20, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_memory_equal(d, "vmras-disk-0\0\0\0\0\0\0\0\0", 20);
	assert_int_equal(d[20], 0xff);
	last_used(&id, &len);
	assert_int_equal(len, 21);
	/* A serial of more than 20 bytes: its first 20, no terminator. */
	virtio_mmio_destroy(&t);
	make_device(false, "0123456789abcdefghijKLMN", IMG_SIZE);
	request(VIRTIO_BLK_T_GET_ID, 0, DATA, 64, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_memory_equal(d, "0123456789abcdefghij", 20);
	assert_int_equal(d[20], 0xff);
}

static void put_range(uint64_t gpa, uint64_t sector, uint32_t num, uint32_t flags)
{
	uint8_t *p = fake_ptr(&m, gpa);
	for (unsigned i = 0; i < 8; i++)
		p[i] = (uint8_t)(sector >> (8 * i));
	for (unsigned i = 0; i < 4; i++) {
		p[8 + i] = (uint8_t)(num >> (8 * i));
		p[12 + i] = (uint8_t)(flags >> (8 * i));
	}
}

static bool image_is(uint64_t off, uint64_t len, int zero)
{
	uint8_t b[8192];
	assert_true(len <= sizeof(b));
	assert_int_equal(pread(img, b, len, (off_t)off), (ssize_t)len);
	for (uint64_t i = 0; i < len; i++)
		if (b[i] != (zero ? 0 : pattern(off + i)))
			return false;
	return true;
}

static void test_discard_and_write_zeroes(void **state)
{
	(void)state;
	assert_true(image_is(8 * 4096, 8192, 0));
	/* Two ranges: 4 KiB-aligned ones, so the hole is real. */
	put_range(DATA, 64, 8, 0);
	put_range(DATA + 16, 80, 8, 0);
	uint64_t st = request(VIRTIO_BLK_T_DISCARD, 0, DATA, 32, false);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_true(image_is(64 * 512, 4096, 1));
	assert_true(image_is(72 * 512, 4096, 0));
	assert_true(image_is(80 * 512, 4096, 1));
	/* WRITE_ZEROES without unmap, and with. */
	put_range(DATA, 100, 3, 0);
	st = request(VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA, 16, false);
	put_range(DATA + 0x100, 200, 2, 1);
	uint64_t st2 = request(VIRTIO_BLK_T_WRITE_ZEROES, 0, DATA + 0x100, 16, false);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_int_equal(status_at(st2), VIRTIO_BLK_S_OK);
	assert_true(image_is(100 * 512, 3 * 512, 1));
	assert_true(image_is(103 * 512, 512, 0));
	assert_true(image_is(99 * 512, 512, 0));
	assert_true(image_is(200 * 512, 1024, 1));
	/* The unmap bit on a discard is unsupported; a range past the end
	 * is an error; and neither touched the image. */
	put_range(DATA, 300, 1, 1);
	st = request(VIRTIO_BLK_T_DISCARD, 0, DATA, 16, false);
	put_range(DATA + 0x100, 300, 1, 0);
	put_range(DATA + 0x110, 2047, 2, 0);
	st2 = request(VIRTIO_BLK_T_DISCARD, 0, DATA + 0x100, 32, false);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(status_at(st2), VIRTIO_BLK_S_IOERR);
	assert_true(image_is(300 * 512, 512, 0));
	assert_true(image_is(2047 * 512, 512, 0));
	/* A range list of a bad length. */
	st = request(VIRTIO_BLK_T_DISCARD, 0, DATA, 24, false);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_IOERR);
}

static void test_unsupported(void **state)
{
	(void)state;
	uint64_t st = request(99, 0, DATA, 512, true);
	uint64_t st2 = request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(status_at(st2), VIRTIO_BLK_S_OK);
	assert_int_equal(virtio_blk_stats(&blk).unsupported, 1);
}

static void test_out_of_range(void **state)
{
	uint8_t *d = fake_ptr(&m, DATA);
	(void)state;
	memset(d, 0x5a, 4096);
	uint64_t a = request(VIRTIO_BLK_T_IN, 2047, DATA, 1024, true);
	uint64_t b2 = request(VIRTIO_BLK_T_OUT, 2047, DATA, 1024, false);
	uint64_t c = request(VIRTIO_BLK_T_OUT, 0, DATA, 100, false);
	uint64_t e = request(VIRTIO_BLK_T_IN, UINT64_MAX - 1, DATA, 1024, true);
	uint64_t f = request(VIRTIO_BLK_T_IN, 2047, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 5);
	assert_int_equal(status_at(a), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(b2), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(c), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(e), VIRTIO_BLK_S_IOERR);
	/* The last sector itself is fine. */
	assert_int_equal(status_at(f), VIRTIO_BLK_S_OK);
	assert_int_equal(d[0], pattern(2047 * 512));
	assert_true(image_is(2047 * 512, 512, 0));
	assert_true(image_is(0, 512, 0));
	assert_int_equal(virtio_blk_stats(&blk).io_errors, 4);
}

static void test_readonly(void **state)
{
	(void)state;
	virtio_mmio_destroy(&t);
	make_device(true, NULL, IMG_SIZE);
	memset(fake_ptr(&m, DATA), 0, 512);
	put_range(DATA + 0x1000, 0, 1, 0);
	uint64_t a = request(VIRTIO_BLK_T_OUT, 0, DATA, 512, false);
	uint64_t b2 = request(VIRTIO_BLK_T_DISCARD, 0, DATA + 0x1000, 16, false);
	uint64_t c = request(VIRTIO_BLK_T_FLUSH, 0, 0, 0, false);
	uint64_t d = request(VIRTIO_BLK_T_IN, 1, DATA + 0x2000, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 4);
	assert_int_equal(status_at(a), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(b2), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(c), VIRTIO_BLK_S_OK);
	assert_int_equal(status_at(d), VIRTIO_BLK_S_OK);
	assert_true(image_is(0, 512, 0));
	assert_int_equal(*(uint8_t *)fake_ptr(&m, DATA + 0x2000), pattern(512));
}

/* The write's source buffer has a poisoned page: pwritev meets it and the
 * kernel says EFAULT; the device finds the page (reported once), fails
 * the request, and the next request is served as usual. */
static void test_write_from_poisoned_page(void **state)
{
	uint8_t *d = fake_ptr(&m, DATA);
	uint8_t back[512];
	(void)state;
	memset(d, 0x11, 3 * 4096);
	memset(d + 0x4000, 0x22, 512);
	assert_int_equal(fake_poison_hard(&m, DATA + 0x2000), 0);
	uint64_t a = request(VIRTIO_BLK_T_OUT, 16, DATA, 3 * 4096, false);
	uint64_t b2 = request(VIRTIO_BLK_T_OUT, 200, DATA + 0x4000, 512, false);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(a), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(b2), VIRTIO_BLK_S_OK);
	assert_int_equal(m.nreported, 1);
	assert_int_equal(m.reported[0], DATA + 0x2000);
	struct virtio_blk_stats s = virtio_blk_stats(&blk);
	assert_int_equal(s.poisoned_pages, 1);
	assert_int_equal(s.io_errors, 1);
	assert_int_equal(s.requests, 2);
	assert_int_equal(pread(img, back, 512, 200 * 512), 512);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(back[i], 0x22);
	/* Nothing past the bad page was written. */
	assert_true(image_is(16 * 512 + 0x2000, 4096, 0));
	assert_int_equal(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

static void test_read_into_poisoned_page(void **state)
{
	(void)state;
	assert_int_equal(fake_poison_hard(&m, DATA + 0x1000), 0);
	memset(fake_ptr(&m, DATA + 0x3000), 0, 512);
	uint64_t a = request(VIRTIO_BLK_T_IN, 0, DATA, 2 * 4096, true);
	uint64_t b2 = request(VIRTIO_BLK_T_IN, 7, DATA + 0x3000, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(a), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(b2), VIRTIO_BLK_S_OK);
	assert_int_equal(*(uint8_t *)fake_ptr(&m, DATA + 0x3000 + 5), pattern(7 * 512 + 5));
	assert_int_equal(m.nreported, 1);
	assert_int_equal(m.reported[0], DATA + 0x1000);
	assert_int_equal(virtio_blk_stats(&blk).poisoned_pages, 1);
}

/* The header's page is poisoned: the request cannot be understood, but its
 * status byte can still say IOERR. */
static void test_poisoned_header(void **state)
{
	(void)state;
	fake_poison(&m, HDR);
	uint64_t a = request(VIRTIO_BLK_T_OUT, 0, DATA, 512, false);
	hdr_base = HDR + 0x2000;
	uint64_t b2 = request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(status_at(a), VIRTIO_BLK_S_IOERR);
	assert_int_equal(status_at(b2), VIRTIO_BLK_S_OK);
	assert_true(image_is(0, 512, 0));
	assert_int_equal(m.reported[0], HDR);
	assert_int_equal(virtio_blk_stats(&blk).poisoned_pages, 1);
}

/* The status byte's page is poisoned: completed with used length 0, and
 * the queue goes on. */
static void test_poisoned_status(void **state)
{
	uint32_t id, len;
	(void)state;
	fake_poison(&m, STATUS);
	request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	status_base = STATUS + 0x1000 + 0x100;
	uint64_t b2 = request(VIRTIO_BLK_T_IN, 1, DATA + 0x1000, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 2);
	assert_int_equal(vr_used_idx(&v), 2);
	vr_used_elem(&v, 0, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 0);
	assert_int_equal(status_at(b2), VIRTIO_BLK_S_OK);
	struct virtio_blk_stats s = virtio_blk_stats(&blk);
	assert_int_equal(s.unanswered, 1);
	assert_int_equal(s.poisoned_pages, 1);
	assert_int_equal(m.reported[0], STATUS);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET, 0);
}

/* The available ring's page is poisoned: the device gives the queue up and
 * asks for a reset; after the driver's reset it serves again. */
static void test_poisoned_ring(void **state)
{
	(void)state;
	request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	fake_poison(&m, VR_AVAIL);
	assert_int_equal(virtio_blk_serve(&blk, &t), 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x4f);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(irq_level, 1);
	struct virtio_blk_stats s = virtio_blk_stats(&blk);
	assert_int_equal(s.ring_failures, 1);
	assert_string_equal(blk.last_error, "available index");
	unsigned reads = m.reads;
	assert_int_equal(virtio_blk_serve(&blk, &t), 0);
	assert_int_equal(m.reads, reads);
	assert_int_equal(m.nreported, 1);
	/* The driver resets and moves its rings elsewhere. */
	m.npoison = 0;
	driver_up();
	assert_int_equal(irq_level, 0);
	uint64_t st = request(VIRTIO_BLK_T_IN, 2, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_int_equal(vr_used_idx(&v), 1);
}

static void test_malformed_ring(void **state)
{
	(void)state;
	vr_desc(&v, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	vr_desc(&v, 1, STATUS, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vr_desc(&v, 2, STATUS, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vr_avail(&v, 0);
	assert_int_equal(virtio_blk_serve(&blk, &t), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_string_equal(blk.last_error, "descriptor chain loops");
	assert_int_equal(vr_used_idx(&v), 0);
}

static void test_no_interrupt(void **state)
{
	(void)state;
	vr_put16(&m, VR_AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	uint64_t st = request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_int_equal(irq_raises, 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_indirect_request(void **state)
{
	uint8_t *h = fake_ptr(&m, HDR);
	(void)state;
	memset(h, 0, 16);
	h[8] = 4;
	memset(fake_ptr(&m, DATA), 0, 1024);
	vr_desc_at(&m, VR_INDIRECT, 0, HDR, 16, VIRTQ_DESC_F_NEXT, 1);
	vr_desc_at(&m, VR_INDIRECT, 1, DATA, 1024, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vr_desc_at(&m, VR_INDIRECT, 2, STATUS, 1, VIRTQ_DESC_F_WRITE, 0);
	vr_desc(&v, 0, VR_INDIRECT, 48, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(STATUS), 0);
	assert_int_equal(((uint8_t *)fake_ptr(&m, DATA))[1023], pattern(4 * 512 + 1023));
}

/* The image shrank under the device: what is gone reads as zeros. */
static void test_short_read_at_eof(void **state)
{
	uint8_t *d = fake_ptr(&m, DATA);
	(void)state;
	assert_int_equal(ftruncate(img, 512 * 1024), 0);
	memset(d, 0xee, 2048);
	uint64_t st = request(VIRTIO_BLK_T_IN, 1023, DATA, 1536, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_int_equal(d[0], pattern(1023 * 512));
	assert_int_equal(d[511], pattern(1023 * 512 + 511));
	for (unsigned i = 512; i < 1536; i++)
		assert_int_equal(d[i], 0);
	assert_int_equal(d[1536], 0xee);
}

static void test_reset_forgets_queue(void **state)
{
	(void)state;
	request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_false(blk.vq.live);
	request(VIRTIO_BLK_T_IN, 0, DATA, 512, true);
	/* No queue until the driver sets one up again. */
	assert_int_equal(virtio_blk_serve(&blk, &t), 0);
	/* Same addresses, indices from 0 again. */
	driver_up();
	uint64_t st = request(VIRTIO_BLK_T_IN, 1, DATA, 512, true);
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	assert_int_equal(status_at(st), 0);
	assert_int_equal(vr_used_idx(&v), 1);
	assert_int_equal(blk.vq.last_avail, 1);
}

/* What a reset on a vCPU does first: tell the batch to end. */
static void reset_arrives(struct fake_mem *fm)
{
	if (fm->reads == 6)
		__atomic_store_n(&blk.stopping, true, __ATOMIC_RELAXED);
}

static void test_reset_ends_batch_early(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 5; i++)
		request(VIRTIO_BLK_T_IN, i, DATA + 0x1000 * i, 512, true);
	m.reads = 0;
	m.on_read = reset_arrives;
	/* The request under way completes; the rest wait. */
	assert_int_equal(virtio_blk_serve(&blk, &t), 1);
	m.on_read = NULL;
	assert_int_equal(vr_used_idx(&v), 1);
	__atomic_store_n(&blk.stopping, false, __ATOMIC_RELAXED);
	assert_int_equal(virtio_blk_serve(&blk, &t), 4);
}

static bool serving_done;

static void *serving_thread(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&serving_done, __ATOMIC_ACQUIRE))
		virtio_blk_serve(&blk, &t);
	return NULL;
}

/* The driver resets while a device thread serves and raises interrupts:
 * the reset returns (no deadlock), and the device lets the queue go. */
static void test_reset_while_serving(void **state)
{
	pthread_t th;
	(void)state;
	for (unsigned i = 0; i < 15; i++)
		request(VIRTIO_BLK_T_IN, i, DATA + 0x1000 * i, 4096, true);
	serving_done = false;
	assert_int_equal(pthread_create(&th, NULL, serving_thread, NULL), 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	uint16_t used = vr_used_idx(&v);
	assert_true(used <= 15);
	/* Nothing more is touched after the reset returned. */
	for (int i = 0; i < 1000; i++)
		sched_yield();
	assert_int_equal(vr_used_idx(&v), used);
	__atomic_store_n(&serving_done, true, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_int_equal(irq_level, 0);
}

/* Random requests, as a hostile guest would send them, over a well-formed
 * ring: every one is answered with a valid status, the queue keeps going,
 * and the image never grows (nothing is written past its capacity). */
static uint64_t seed = 0x2545f4914f6cdd1dull;

static uint32_t rnd(void)
{
	seed ^= seed << 13;
	seed ^= seed >> 7;
	seed ^= seed << 17;
	return (uint32_t)seed;
}

static void test_random_requests(void **state)
{
	static const uint32_t types[] = { 0, 1, 4, 8, 11, 13, 2, 99, 0xffffffff };
	static const uint64_t sectors[] = { 0, 1, 2040, 2047, 2048, 2049, 1ull << 55, UINT64_MAX };
	unsigned counts[3] = { 0 };
	struct stat st;
	(void)state;
	for (unsigned i = 0; i < 2000; i++) {
		uint32_t type = types[rnd() % 9];
		uint64_t sector = rnd() % 2 ? sectors[rnd() % 8] : rnd() % 2100;
		uint32_t len = rnd() % 3 ? (rnd() % 17) * 512 : rnd() % 9000;
		if (type == 11 || type == 13) {
			for (unsigned r = 0; r < 4; r++)
				put_range(DATA + 16 * r, rnd() % 2 ? rnd() % 2100 : sectors[rnd() % 8], rnd() % 64,
					  rnd() % 4 ? 0 : rnd());
			len = rnd() % 4 ? 16 * (1 + rnd() % 4) : rnd() % 80;
		}
		uint64_t stat_at = request(type, sector, DATA, len, rnd() % 2);
		assert_int_equal(virtio_blk_serve(&blk, &t), 1);
		uint8_t s = status_at(stat_at);
		assert_true(s <= VIRTIO_BLK_S_UNSUPP);
		counts[s]++;
	}
	assert_int_equal(fstat(img, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE);
	assert_int_equal(vr_used_idx(&v), 2000);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0f);
	/* All three outcomes were exercised. */
	assert_true(counts[0] > 100 && counts[1] > 100 && counts[2] > 100);
}

static void test_init_checks(void **state)
{
	struct virtio_blk b;
	struct virtio_blk_conf c = { .fd = -1, .size_bytes = IMG_SIZE };
	(void)state;
	assert_int_equal(virtio_blk_init(&b, &c, &m.gm), -1);
	c.fd = img;
	c.size_bytes = 511;
	assert_int_equal(virtio_blk_init(&b, &c, &m.gm), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_features_and_config),
		T(test_readonly_features),
		T(test_read),
		T(test_read_scattered),
		T(test_write_and_flush),
		T(test_get_id),
		T(test_discard_and_write_zeroes),
		T(test_unsupported),
		T(test_out_of_range),
		T(test_readonly),
		T(test_write_from_poisoned_page),
		T(test_read_into_poisoned_page),
		T(test_poisoned_header),
		T(test_poisoned_status),
		T(test_poisoned_ring),
		T(test_malformed_ring),
		T(test_no_interrupt),
		T(test_indirect_request),
		T(test_short_read_at_eof),
		T(test_reset_forgets_queue),
		T(test_reset_ends_batch_early),
		T(test_reset_while_serving),
		T(test_random_requests),
		T(test_init_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
