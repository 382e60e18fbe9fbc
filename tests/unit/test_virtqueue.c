/* Split virtqueues, device side (virtio 1.x 2.7): chains in and out, 16-bit
 * index wrap-around, indirect tables, everything a broken or hostile guest
 * can put in a ring, and poisoned ring pages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_vring.h"

static struct fake_mem m;
static struct fake_vring v;
static struct virtq vq;
static struct virtq_chain c;

static int setup(void **state)
{
	(void)state;
	fake_mem_init(&m, 1 << 20);
	assert_non_null(m.ram);
	vr_init(&v, &m, 16);
	struct virtq_layout l = vr_layout(&v);
	virtq_init(&vq, &m.gm, &l);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_mem_free(&m);
	return 0;
}

static void test_empty(void **state)
{
	(void)state;
	assert_int_equal(virtq_pop(&vq, &c), 0);
	assert_int_equal(vq.err, 0);
}

static void test_chain_and_push(void **state)
{
	uint32_t id, len;
	(void)state;
	/* A block request's shape: header, two data buffers, a status byte. */
	vr_desc(&v, 3, VR_BUF, 16, VIRTQ_DESC_F_NEXT, 7);
	vr_desc(&v, 7, VR_BUF + 0x1000, 4096, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 1);
	vr_desc(&v, 1, VR_BUF + 0x3000, 512, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 2);
	vr_desc(&v, 2, VR_BUF + 0x4000, 1, VIRTQ_DESC_F_WRITE, 0);
	vr_desc(&v, 5, VR_BUF + 0x5000, 100, 0, 0);
	vr_avail(&v, 3);
	vr_avail(&v, 5);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	assert_int_equal(c.head, 3);
	assert_int_equal(c.nseg, 4);
	assert_int_equal(c.nread, 1);
	assert_int_equal(c.read_bytes, 16);
	assert_int_equal(c.write_bytes, 4096 + 512 + 1);
	assert_int_equal(c.seg[0].gpa, VR_BUF);
	assert_false(c.seg[0].write);
	assert_int_equal(c.seg[1].gpa, VR_BUF + 0x1000);
	assert_int_equal(c.seg[1].len, 4096);
	assert_true(c.seg[1].write);
	assert_int_equal(c.seg[3].gpa, VR_BUF + 0x4000);
	assert_int_equal(c.seg[3].len, 1);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	assert_int_equal(c.head, 5);
	assert_int_equal(c.nseg, 1);
	assert_int_equal(virtq_pop(&vq, &c), 0);
	/* Completed out of order, as a device may. */
	assert_int_equal(virtq_push(&vq, 5, 0), 0);
	assert_int_equal(vr_used_idx(&v), 1);
	assert_int_equal(virtq_push(&vq, 3, 4609), 0);
	assert_int_equal(vr_used_idx(&v), 2);
	vr_used_elem(&v, 0, &id, &len);
	assert_int_equal(id, 5);
	assert_int_equal(len, 0);
	vr_used_elem(&v, 1, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 4609);
}

static void test_wraparound(void **state)
{
	uint32_t id, len;
	(void)state;
	/* Both indices just short of 65536. */
	vq.last_avail = vq.used_idx = 0xfffe;
	vr_set_avail_idx(&v, 0xfffe);
	for (unsigned i = 0; i < 4; i++) {
		vr_desc(&v, i, VR_BUF + 0x100 * i, 8, 0, 0);
		vr_avail(&v, (uint16_t)i);
	}
	assert_int_equal(vr_get16(&m, VR_AVAIL + 2), 2);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(virtq_pop(&vq, &c), 1);
		assert_int_equal(c.head, i);
		assert_int_equal(c.seg[0].gpa, VR_BUF + 0x100 * i);
		assert_int_equal(virtq_push(&vq, c.head, 10 + i), 0);
	}
	assert_int_equal(virtq_pop(&vq, &c), 0);
	assert_int_equal(vq.last_avail, 2);
	assert_int_equal(vr_used_idx(&v), 2);
	/* Slots 14, 15, 0, 1 of the used ring. */
	vr_used_elem(&v, 14, &id, &len);
	assert_int_equal(id, 0);
	assert_int_equal(len, 10);
	vr_used_elem(&v, 1, &id, &len);
	assert_int_equal(id, 3);
	assert_int_equal(len, 13);
}

static void test_indirect(void **state)
{
	(void)state;
	vr_desc_at(&m, VR_INDIRECT, 0, VR_BUF, 16, VIRTQ_DESC_F_NEXT, 2);
	vr_desc_at(&m, VR_INDIRECT, 2, VR_BUF + 0x1000, 8192, VIRTQ_DESC_F_NEXT, 1);
	vr_desc_at(&m, VR_INDIRECT, 1, VR_BUF + 0x4000, 1, VIRTQ_DESC_F_WRITE, 0);
	/* WRITE on the descriptor of the table itself is ignored (2.7.5.3.2). */
	vr_desc(&v, 9, VR_INDIRECT, 3 * 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	vr_avail(&v, 9);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	assert_int_equal(c.head, 9);
	assert_int_equal(c.nseg, 3);
	assert_int_equal(c.nread, 2);
	assert_int_equal(c.seg[1].len, 8192);
	assert_int_equal(c.seg[2].gpa, VR_BUF + 0x4000);
	assert_true(c.seg[2].write);
}

/* The ring is dead after one error: later calls do not read the guest. */
static void expect_dead(int err)
{
	unsigned reads = m.reads, writes = m.writes;
	assert_int_equal(virtq_pop(&vq, &c), err);
	assert_int_equal(virtq_push(&vq, 0, 0), err);
	assert_int_equal(m.reads, reads);
	assert_int_equal(m.writes, writes);
	assert_int_equal(vr_used_idx(&v), 0);
}

static void malformed(void (*build)(void), const char *why)
{
	vr_init(&v, &m, 16);
	struct virtq_layout l = vr_layout(&v);
	virtq_init(&vq, &m.gm, &l);
	memset(fake_ptr(&m, VR_INDIRECT), 0, 0x1000);
	build();
	assert_int_equal(virtq_pop(&vq, &c), VIRTQ_EMALFORMED);
	assert_int_equal(vq.err, VIRTQ_EMALFORMED);
	assert_string_equal(vq.why, why);
	expect_dead(VIRTQ_EMALFORMED);
}

static void b_loop(void)
{
	vr_desc(&v, 0, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vr_desc(&v, 1, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vr_avail(&v, 0);
}
static void b_self_loop(void)
{
	vr_desc(&v, 4, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 4);
	vr_avail(&v, 4);
}
static void b_next_past(void)
{
	vr_desc(&v, 0, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 16);
	vr_avail(&v, 0);
}
static void b_head_past(void)
{
	vr_avail(&v, 200);
}
static void b_outside(void)
{
	vr_desc(&v, 0, FAKE_BASE + (1 << 20) - 4, 8, 0, 0);
	vr_avail(&v, 0);
}
static void b_outside_low(void)
{
	vr_desc(&v, 0, 0x1000, 8, 0, 0);
	vr_avail(&v, 0);
}
static void b_zero(void)
{
	vr_desc(&v, 0, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vr_desc(&v, 1, VR_BUF, 0, VIRTQ_DESC_F_WRITE, 0);
	vr_avail(&v, 0);
}
static void b_indirect_in_indirect(void)
{
	vr_desc_at(&m, VR_INDIRECT, 0, VR_INDIRECT + 0x100, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vr_desc(&v, 0, VR_INDIRECT, 16, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
}
static void b_indirect_next(void)
{
	vr_desc_at(&m, VR_INDIRECT, 0, VR_BUF, 8, 0, 0);
	vr_desc(&v, 0, VR_INDIRECT, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_NEXT, 1);
	vr_avail(&v, 0);
}
static void b_indirect_len(void)
{
	vr_desc(&v, 0, VR_INDIRECT, 24, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
}
static void b_indirect_loop(void)
{
	vr_desc_at(&m, VR_INDIRECT, 0, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 1);
	vr_desc_at(&m, VR_INDIRECT, 1, VR_BUF, 8, VIRTQ_DESC_F_NEXT, 0);
	vr_desc(&v, 0, VR_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
}
static void b_indirect_outside(void)
{
	vr_desc(&v, 0, 0x10, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
}
static void b_too_many(void)
{
	/* A legal but longer chain than a device takes: 200 descriptors. */
	for (unsigned i = 0; i < 200; i++)
		vr_desc_at(&m, VR_INDIRECT, i, VR_BUF, 8, VIRTQ_DESC_F_NEXT, (uint16_t)(i + 1));
	vr_desc_at(&m, VR_INDIRECT, 199, VR_BUF, 8, 0, 0);
	vr_desc(&v, 0, VR_INDIRECT, 200 * 16, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
}
static void b_read_after_write(void)
{
	vr_desc(&v, 0, VR_BUF, 8, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	vr_desc(&v, 1, VR_BUF, 8, 0, 0);
	vr_avail(&v, 0);
}
static void b_ahead(void)
{
	vr_desc(&v, 0, VR_BUF, 8, 0, 0);
	vr_avail(&v, 0);
	vr_set_avail_idx(&v, 17);
}

static void test_malformed(void **state)
{
	(void)state;
	malformed(b_loop, "descriptor chain loops");
	malformed(b_self_loop, "descriptor chain loops");
	malformed(b_next_past, "descriptor index past the table");
	malformed(b_head_past, "descriptor index past the table");
	malformed(b_outside, "buffer outside guest RAM");
	malformed(b_outside_low, "buffer outside guest RAM");
	malformed(b_zero, "zero-length descriptor");
	malformed(b_indirect_in_indirect, "indirect table inside an indirect table");
	malformed(b_indirect_next, "indirect descriptor with NEXT");
	malformed(b_indirect_len, "indirect table of a bad length");
	malformed(b_indirect_loop, "descriptor chain loops");
	malformed(b_indirect_outside, "descriptor table");
	malformed(b_too_many, "chain of too many segments");
	malformed(b_read_after_write, "readable descriptor after a writable one");
	malformed(b_ahead, "available index ran ahead of the ring");
}

static void test_ring_outside_ram(void **state)
{
	struct virtq_layout l = vr_layout(&v);
	(void)state;
	l.avail = 0x1000;
	virtq_init(&vq, &m.gm, &l);
	assert_int_equal(virtq_pop(&vq, &c), VIRTQ_EMALFORMED);
	assert_string_equal(vq.why, "available index");
}

static void test_poisoned_avail(void **state)
{
	(void)state;
	vr_desc(&v, 0, VR_BUF, 8, 0, 0);
	vr_avail(&v, 0);
	fake_poison(&m, VR_AVAIL);
	assert_int_equal(virtq_pop(&vq, &c), VIRTQ_EPOISON);
	assert_int_equal(vq.bad, VR_AVAIL);
	assert_int_equal(m.nreported, 1);
	assert_int_equal(m.reported[0], VR_AVAIL);
	expect_dead(VIRTQ_EPOISON);
	/* Interrupting is harmless when the flags cannot be read. */
	assert_true(virtq_should_interrupt(&vq));
}

static void test_poisoned_desc_table(void **state)
{
	(void)state;
	vr_desc(&v, 0, VR_BUF, 8, 0, 0);
	vr_avail(&v, 0);
	fake_poison(&m, VR_DESC);
	assert_int_equal(virtq_pop(&vq, &c), VIRTQ_EPOISON);
	assert_int_equal(vq.bad, VR_DESC);
	assert_string_equal(vq.why, "descriptor table");
}

static void test_poisoned_indirect(void **state)
{
	(void)state;
	vr_desc(&v, 0, VR_INDIRECT, 32, VIRTQ_DESC_F_INDIRECT, 0);
	vr_avail(&v, 0);
	fake_poison(&m, VR_INDIRECT + 16);
	assert_int_equal(virtq_pop(&vq, &c), VIRTQ_EPOISON);
	assert_int_equal(vq.bad, VR_INDIRECT);
}

static void test_poisoned_used(void **state)
{
	(void)state;
	vr_desc(&v, 0, VR_BUF, 8, 0, 0);
	vr_avail(&v, 0);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	fake_poison(&m, VR_USED);
	assert_int_equal(virtq_push(&vq, 0, 0), VIRTQ_EPOISON);
	assert_int_equal(vq.bad, VR_USED);
	assert_int_equal(vq.used_idx, 0);
	expect_dead(VIRTQ_EPOISON);
}

static void test_unpop(void **state)
{
	(void)state;
	vr_desc(&v, 6, VR_BUF, 8, VIRTQ_DESC_F_WRITE, 0);
	vr_desc(&v, 2, VR_BUF + 8, 8, VIRTQ_DESC_F_WRITE, 0);
	vr_avail(&v, 6);
	vr_avail(&v, 2);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	assert_int_equal(c.head, 6);
	virtq_unpop(&vq);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	assert_int_equal(c.head, 6);
	assert_int_equal(virtq_pop(&vq, &c), 1);
	assert_int_equal(c.head, 2);
	assert_int_equal(virtq_pop(&vq, &c), 0);
}

static void test_no_interrupt(void **state)
{
	(void)state;
	assert_true(virtq_should_interrupt(&vq));
	vr_put16(&m, VR_AVAIL, VRING_AVAIL_F_NO_INTERRUPT);
	assert_false(virtq_should_interrupt(&vq));
	vr_put16(&m, VR_AVAIL, 0x8000);
	assert_true(virtq_should_interrupt(&vq));
}

/* Random rings, the worst a guest can write: every pop ends (a chain, the
 * end, or an error), no access leaves the guest's memory (ASan watches),
 * and every segment handed out lies in guest RAM and is non-empty. */
static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)rng;
}

static uint64_t rnd_addr(void)
{
	switch (rnd() % 4) {
	case 0: return rnd();                                 /* anywhere */
	case 1: return VR_INDIRECT + (rnd() % 4) * 16;        /* a table */
	default: return VR_BUF + rnd() % 0x20000;              /* a buffer */
	}
}

static void test_random_rings(void **state)
{
	(void)state;
	unsigned chains = 0, errors = 0;
	for (unsigned round = 0; round < 3000; round++) {
		uint16_t num = (uint16_t)(1u << (rnd() % 6));
		vr_init(&v, &m, num);
		for (unsigned i = 0; i < 64; i++) {
			uint16_t flags = (uint16_t)(rnd() % 8);
			uint32_t len = rnd() % 3 ? rnd() % 5000 : (rnd() % 8) * 16;
			vr_desc_at(&m, VR_DESC, i, rnd_addr(), len, flags, (uint16_t)(rnd() % (num + 2)));
			vr_desc_at(&m, VR_INDIRECT, i, rnd_addr(), len, flags, (uint16_t)(rnd() % 70));
		}
		for (unsigned i = 0; i < num; i++)
			vr_put16(&m, VR_AVAIL + 4 + 2 * i, (uint16_t)(rnd() % (num + 1)));
		vr_set_avail_idx(&v, (uint16_t)(rnd() % (num * 2 + 1)));
		struct virtq_layout l = vr_layout(&v);
		virtq_init(&vq, &m.gm, &l);
		int r;
		unsigned pops = 0;
		while ((r = virtq_pop(&vq, &c)) == 1) {
			assert_true(++pops <= num);
			assert_true(c.nseg >= 1 && c.nseg <= VIRTQ_MAX_SEGS);
			for (unsigned s = 0; s < c.nseg; s++) {
				assert_true(c.seg[s].len > 0);
				assert_non_null(fake_host(&m, c.seg[s].gpa, c.seg[s].len));
				assert_true(s < c.nread ? !c.seg[s].write : c.seg[s].write);
			}
			assert_int_equal(virtq_push(&vq, c.head, 0), 0);
			chains++;
		}
		if (r < 0) {
			assert_int_equal(r, VIRTQ_EMALFORMED);
			errors++;
		}
	}
	/* Both outcomes were exercised. */
	assert_true(chains > 100);
	assert_true(errors > 100);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_empty, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_and_push, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test_setup_teardown(test_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_outside_ram, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poisoned_avail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poisoned_desc_table, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poisoned_indirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_poisoned_used, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unpop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_interrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_random_rings, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
