/* virtio-net (virtio 1.x 5.1) through the transport and queues in fake guest
 * RAM, with a SOCK_SEQPACKET socket pair standing in for the TAP (one frame
 * per read or write, as a TAP): frames out and in byte for byte, and frames
 * whose buffers sit on poisoned pages dropped without harm to the next. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fake_vring.h"
#include "devices/virtio_net.h"

/* The two queues' rings: RX at fake_vring's addresses, TX after them. */
#define TX_DESC (FAKE_BASE + 0x4000)
#define TX_AVAIL (FAKE_BASE + 0x5000)
#define TX_USED (FAKE_BASE + 0x6000)
#define BUF (FAKE_BASE + 0x20000)
#define QNUM 16

static struct fake_mem m;
static struct virtio_net net;
static struct virtio_mmio t;
static int sock[2];
static unsigned kicked[2];
static uint16_t rx_avail, tx_avail, tx_next;

static void on_irq(void *opaque, int level)
{
	(void)opaque; (void)level;
}

static void on_kick(void *opaque, unsigned q)
{
	assert_ptr_equal(opaque, &net);
	kicked[q]++;
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

static void queue(unsigned q, uint64_t desc, uint64_t avail, uint64_t used)
{
	wr(VIRTIO_MMIO_QUEUE_SEL, q);
	wr(VIRTIO_MMIO_QUEUE_NUM, QNUM);
	wr(VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	wr(VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	wr(VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	wr(VIRTIO_MMIO_QUEUE_READY, 1);
}

static int setup(void **state)
{
	struct virtio_net_conf c = { .mac = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 } };
	(void)state;
	fake_mem_init(&m, 1 << 20);
	assert_non_null(m.ram);
	assert_int_equal(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sock), 0);
	assert_int_equal(fcntl(sock[0], F_SETFL, O_NONBLOCK), 0);
	assert_int_equal(fcntl(sock[1], F_SETFL, O_NONBLOCK), 0);
	c.tap_fd = sock[0];
	assert_int_equal(virtio_net_init(&net, &c, &m.gm), 0);
	net.kick = on_kick;
	net.kick_opaque = &net;
	kicked[0] = kicked[1] = 0;
	rx_avail = tx_avail = tx_next = 0;
	assert_int_equal(virtio_mmio_init(&t, &virtio_net_ops, &net, on_irq, NULL), 0);
	wr(VIRTIO_MMIO_STATUS, 0);
	wr(VIRTIO_MMIO_STATUS, 3);
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, (1u << VIRTIO_NET_F_MAC) | (1u << VIRTIO_NET_F_STATUS));
	wr(VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	wr(VIRTIO_MMIO_DRIVER_FEATURES, 1);
	wr(VIRTIO_MMIO_STATUS, 0x0b);
	assert_int_equal(rd(VIRTIO_MMIO_STATUS), 0x0b);
	queue(0, VR_DESC, VR_AVAIL, VR_USED);
	queue(1, TX_DESC, TX_AVAIL, TX_USED);
	wr(VIRTIO_MMIO_STATUS, 0x0f);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	virtio_mmio_destroy(&t);
	virtio_net_destroy(&net);
	close(sock[0]);
	close(sock[1]);
	fake_mem_free(&m);
	return 0;
}

/* One receive buffer of len bytes at gpa, in descriptor d. */
static void rx_buffer(uint16_t d, uint64_t gpa, uint32_t len)
{
	vr_desc_at(&m, VR_DESC, d, gpa, len, VIRTQ_DESC_F_WRITE, 0);
	vr_put16(&m, VR_AVAIL + 4 + 2 * (rx_avail % QNUM), d);
	rx_avail++;
	vr_put16(&m, VR_AVAIL + 2, rx_avail);
}

/* A frame to send: the header in one descriptor, the frame in another. */
static void tx_frame(uint64_t hdr, uint64_t frame, uint32_t len)
{
	uint16_t d = tx_next;
	vr_desc_at(&m, TX_DESC, d, hdr, VIRTIO_NET_HDR_LEN, VIRTQ_DESC_F_NEXT, (uint16_t)(d + 1));
	vr_desc_at(&m, TX_DESC, d + 1u, frame, len, 0, 0);
	tx_next = (uint16_t)((tx_next + 2) % QNUM);
	vr_put16(&m, TX_AVAIL + 4 + 2 * (tx_avail % QNUM), d);
	tx_avail++;
	vr_put16(&m, TX_AVAIL + 2, tx_avail);
}

static void fill(uint64_t gpa, unsigned len, uint8_t seed)
{
	uint8_t *p = fake_ptr(&m, gpa);
	for (unsigned i = 0; i < len; i++)
		p[i] = (uint8_t)(seed + i * 3);
}

static void test_config(void **state)
{
	uint8_t mac[8];
	(void)state;
	assert_int_equal(rd(VIRTIO_MMIO_DEVICE_ID), 1);
	wr(VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	uint32_t f = rd(VIRTIO_MMIO_DEVICE_FEATURES);
	assert_true(f & (1u << VIRTIO_NET_F_MAC));
	assert_true(f & (1u << VIRTIO_NET_F_STATUS));
	/* No offloads, no mergeable buffers, no control queue. */
	assert_int_equal(f & ((1u << 0) | (1u << 15) | (1u << 17) | (1u << 11)), 0);
	for (unsigned i = 0; i < 8; i++)
		virtio_mmio_access(&t, 0x100 + i, false, mac + i, 1);
	assert_memory_equal(mac, "\x52\x54\x00\x12\x34\x56\x01\x00", 8);
	/* DRIVER_OK looked at both queues; a notify goes to the kick. */
	assert_int_equal(kicked[0], 1);
	assert_int_equal(kicked[1], 1);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 1);
	assert_int_equal(kicked[1], 2);
}

static void test_tx(void **state)
{
	uint8_t got[2048];
	(void)state;
	memset(fake_ptr(&m, BUF), 0, VIRTIO_NET_HDR_LEN);
	fill(BUF + 0x100, 60, 1);
	fill(BUF + 0x800, 1514, 2);
	tx_frame(BUF, BUF + 0x100, 60);
	tx_frame(BUF, BUF + 0x800, 1514);
	assert_int_equal(virtio_net_tx(&net, &t), 2);
	assert_int_equal(recv(sock[1], got, sizeof(got), 0), 60);
	assert_memory_equal(got, fake_ptr(&m, BUF + 0x100), 60);
	assert_int_equal(recv(sock[1], got, sizeof(got), 0), 1514);
	assert_memory_equal(got, fake_ptr(&m, BUF + 0x800), 1514);
	assert_int_equal(recv(sock[1], got, sizeof(got), 0), -1);
	assert_int_equal(vr_get16(&m, TX_USED + 2), 2);
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	assert_int_equal(virtio_net_stats(&net).tx_packets, 2);
}

/* Header and frame in one descriptor, as Linux sends when it can. */
static void test_tx_one_descriptor(void **state)
{
	uint8_t got[256];
	(void)state;
	memset(fake_ptr(&m, BUF), 0, VIRTIO_NET_HDR_LEN);
	fill(BUF + VIRTIO_NET_HDR_LEN, 100, 9);
	vr_desc_at(&m, TX_DESC, 0, BUF, VIRTIO_NET_HDR_LEN + 100, 0, 0);
	vr_put16(&m, TX_AVAIL + 4, 0);
	vr_put16(&m, TX_AVAIL + 2, 1);
	assert_int_equal(virtio_net_tx(&net, &t), 1);
	assert_int_equal(recv(sock[1], got, sizeof(got), 0), 100);
	assert_memory_equal(got, fake_ptr(&m, BUF + VIRTIO_NET_HDR_LEN), 100);
}

static void test_tx_from_poisoned_page(void **state)
{
	uint8_t got[8192];
	(void)state;
	memset(fake_ptr(&m, BUF), 0, VIRTIO_NET_HDR_LEN);
	fill(BUF + 0x1000, 4096, 3);
	fill(BUF + 0x4000, 64, 4);
	assert_int_equal(fake_poison_hard(&m, BUF + 0x2000), 0);
	tx_frame(BUF, BUF + 0x1800, 4096);
	tx_frame(BUF, BUF + 0x4000, 64);
	assert_int_equal(virtio_net_tx(&net, &t), 2);
	/* Only the second frame went out. */
	assert_int_equal(recv(sock[1], got, sizeof(got), 0), 64);
	assert_memory_equal(got, fake_ptr(&m, BUF + 0x4000), 64);
	assert_int_equal(recv(sock[1], got, sizeof(got), 0), -1);
	struct virtio_net_stats s = virtio_net_stats(&net);
	assert_int_equal(s.tx_dropped, 1);
	assert_int_equal(s.tx_packets, 1);
	assert_int_equal(s.poisoned_pages, 1);
	assert_int_equal(m.nreported, 1);
	assert_int_equal(m.reported[0], BUF + 0x2000);
	assert_int_equal(vr_get16(&m, TX_USED + 2), 2);
}

static void test_rx(void **state)
{
	uint8_t frame[1000];
	(void)state;
	for (unsigned i = 0; i < sizeof(frame); i++)
		frame[i] = (uint8_t)(i * 5 + 7);
	memset(fake_ptr(&m, BUF), 0xee, 4096);
	rx_buffer(0, BUF, 1526);
	rx_buffer(1, BUF + 0x1000, 1526);
	/* Nothing to receive: the buffers stay available. */
	assert_int_equal(virtio_net_rx(&net, &t), 0);
	assert_false(net.rx_starved);
	assert_int_equal(vr_get16(&m, VR_USED + 2), 0);
	assert_int_equal(send(sock[1], frame, sizeof(frame), 0), (ssize_t)sizeof(frame));
	assert_int_equal(virtio_net_rx(&net, &t), 1);
	uint8_t *p = fake_ptr(&m, BUF);
	assert_memory_equal(p, "\0\0\0\0\0\0\0\0\0\0\x01\0", 12);
	assert_memory_equal(p + 12, frame, sizeof(frame));
	assert_int_equal(p[12 + sizeof(frame)], 0xee);
	assert_int_equal(vr_get16(&m, VR_USED + 2), 1);
	assert_int_equal(vr_get32(&m, VR_USED + 4), 0);
	assert_int_equal(vr_get32(&m, VR_USED + 8), 12 + sizeof(frame));
	assert_int_equal(rd(VIRTIO_MMIO_INTERRUPT_STATUS), 1);
	/* Two more frames, one buffer: the second waits in the TAP. */
	assert_int_equal(send(sock[1], frame, 10, 0), 10);
	assert_int_equal(send(sock[1], frame, 20, 0), 20);
	assert_int_equal(virtio_net_rx(&net, &t), 1);
	assert_true(net.rx_starved);
	assert_int_equal(vr_get32(&m, VR_USED + 8 + 8), 12 + 10);
	/* The driver adds a buffer and kicks. */
	rx_buffer(2, BUF + 0x2000, 1526);
	wr(VIRTIO_MMIO_QUEUE_NOTIFY, 0);
	assert_false(net.rx_starved);
	assert_int_equal(virtio_net_rx(&net, &t), 1);
	assert_int_equal(vr_get32(&m, VR_USED + 8 + 16), 12 + 20);
	assert_int_equal(virtio_net_stats(&net).rx_packets, 3);
}

/* A receive buffer on a poisoned page: the frame is lost, the buffer goes
 * back with length 0, the page is reported, the next frame is received. */
static void test_rx_into_poisoned_page(void **state)
{
	uint8_t a[3000], b[100];
	uint32_t len;
	(void)state;
	memset(a, 0xaa, sizeof(a));
	memset(b, 0xbb, sizeof(b));
	assert_int_equal(fake_poison_hard(&m, BUF + 0x1000), 0);
	rx_buffer(0, BUF + 0x800, 4000);
	rx_buffer(1, BUF + 0x3000, 4000);
	assert_int_equal(send(sock[1], a, sizeof(a), 0), (ssize_t)sizeof(a));
	assert_int_equal(send(sock[1], b, sizeof(b), 0), (ssize_t)sizeof(b));
	assert_int_equal(virtio_net_rx(&net, &t), 1);
	assert_int_equal(vr_get16(&m, VR_USED + 2), 2);
	len = vr_get32(&m, VR_USED + 8);
	assert_int_equal(len, 0);
	assert_int_equal(vr_get32(&m, VR_USED + 12), 1);
	len = vr_get32(&m, VR_USED + 16);
	assert_int_equal(len, 12 + sizeof(b));
	assert_memory_equal((uint8_t *)fake_ptr(&m, BUF + 0x3000) + 12, b, sizeof(b));
	struct virtio_net_stats s = virtio_net_stats(&net);
	assert_int_equal(s.rx_dropped, 1);
	assert_int_equal(s.rx_packets, 1);
	assert_int_equal(s.poisoned_pages, 1);
	assert_int_equal(m.reported[0], BUF + 0x1000);
}

static void test_rx_poisoned_header_page(void **state)
{
	uint8_t a[50];
	(void)state;
	memset(a, 0x33, sizeof(a));
	fake_poison(&m, BUF);
	rx_buffer(0, BUF, 1526);
	rx_buffer(1, BUF + 0x1000, 1526);
	assert_int_equal(send(sock[1], a, sizeof(a), 0), (ssize_t)sizeof(a));
	/* The bad buffer is given back unused; the frame goes to the next. */
	assert_int_equal(virtio_net_rx(&net, &t), 1);
	assert_int_equal(vr_get32(&m, VR_USED + 8), 0);
	assert_int_equal(vr_get32(&m, VR_USED + 16), 12 + sizeof(a));
	assert_int_equal(virtio_net_stats(&net).poisoned_pages, 1);
}

static void test_poisoned_ring(void **state)
{
	(void)state;
	memset(fake_ptr(&m, BUF), 0, VIRTIO_NET_HDR_LEN);
	fill(BUF + 0x100, 60, 1);
	tx_frame(BUF, BUF + 0x100, 60);
	fake_poison(&m, TX_DESC);
	assert_int_equal(virtio_net_tx(&net, &t), 0);
	assert_true(rd(VIRTIO_MMIO_STATUS) & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(virtio_net_stats(&net).ring_failures, 1);
	/* Neither queue is served until the driver resets. */
	rx_buffer(0, BUF + 0x1000, 1526);
	assert_int_equal(send(sock[1], "x", 1, 0), 1);
	assert_int_equal(virtio_net_rx(&net, &t), 0);
	assert_true(net.rx_starved);
	wr(VIRTIO_MMIO_STATUS, 0);
	assert_false(net.txq.live);
	assert_false(net.rxq.live);
}

static void test_init_checks(void **state)
{
	struct virtio_net x;
	struct virtio_net_conf c = { .tap_fd = -1 };
	(void)state;
	assert_int_equal(virtio_net_init(&x, &c, &m.gm), -1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_config),
		T(test_tx),
		T(test_tx_one_descriptor),
		T(test_tx_from_poisoned_page),
		T(test_rx),
		T(test_rx_into_poisoned_page),
		T(test_rx_poisoned_header_page),
		T(test_poisoned_ring),
		T(test_init_checks),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
