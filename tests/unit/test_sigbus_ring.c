/* The SIGBUS ring: order, wrap-around, overflow accounting, and many
 * producers at once against one consumer with nothing lost or duplicated. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vmm/sigbus_ring.h"

static struct sigbus_ring ring;

static struct sigbus_event ev(uintptr_t addr)
{
	return (struct sigbus_event){ .code = 4, .addr = addr, .lsb = 12, .tid = 1, .vcpu = -1 };
}

static void test_empty(void **state)
{
	struct sigbus_event e;
	(void)state;
	sigbus_ring_init(&ring);
	assert_false(sigbus_ring_pop(&ring, &e));
	assert_int_equal(sigbus_ring_take_dropped(&ring), 0);
}

static void test_fifo_order_and_wrap(void **state)
{
	struct sigbus_event e, in;
	(void)state;
	sigbus_ring_init(&ring);
	/* Several laps round the ring, a few in flight at a time. */
	uintptr_t next_in = 0, next_out = 0;
	for (int lap = 0; lap < 5 * SIGBUS_RING_SLOTS / 3; lap++) {
		for (int k = 0; k < 3; k++) {
			in = ev(next_in++ << 12);
			assert_true(sigbus_ring_push(&ring, &in));
		}
		for (int k = 0; k < 3; k++) {
			assert_true(sigbus_ring_pop(&ring, &e));
			assert_int_equal(e.addr, next_out++ << 12);
			assert_int_equal(e.lsb, 12);
		}
	}
	assert_false(sigbus_ring_pop(&ring, &e));
}

static void test_overflow_counted_not_silent(void **state)
{
	struct sigbus_event e, in;
	(void)state;
	sigbus_ring_init(&ring);
	for (uintptr_t i = 0; i < SIGBUS_RING_SLOTS; i++) {
		in = ev(i);
		assert_true(sigbus_ring_push(&ring, &in));
	}
	in = ev(0xdead);
	assert_false(sigbus_ring_push(&ring, &in));
	assert_false(sigbus_ring_push(&ring, &in));
	assert_int_equal(sigbus_ring_take_dropped(&ring), 2);
	assert_int_equal(sigbus_ring_take_dropped(&ring), 0);
	/* What was accepted is intact and in order; room comes back after a pop. */
	assert_true(sigbus_ring_pop(&ring, &e));
	assert_int_equal(e.addr, 0);
	assert_true(sigbus_ring_push(&ring, &in));
	for (uintptr_t i = 1; i < SIGBUS_RING_SLOTS; i++) {
		assert_true(sigbus_ring_pop(&ring, &e));
		assert_int_equal(e.addr, i);
	}
	assert_true(sigbus_ring_pop(&ring, &e));
	assert_int_equal(e.addr, 0xdead);
}

#define PRODUCERS 4
#define PER_PRODUCER 50000

static void *producer(void *arg)
{
	uintptr_t id = (uintptr_t)arg;
	for (uintptr_t i = 0; i < PER_PRODUCER; i++) {
		struct sigbus_event e = ev(id << 32 | i);
		e.tid = (int)id;
		while (!sigbus_ring_push(&ring, &e))
			;  /* the test wants everything through, so retry */
	}
	return NULL;
}

static void test_many_producers_one_consumer(void **state)
{
	pthread_t t[PRODUCERS];
	uintptr_t expect[PRODUCERS] = { 0 };
	uint64_t total = 0;
	struct sigbus_event e;
	(void)state;

	sigbus_ring_init(&ring);
	for (uintptr_t i = 0; i < PRODUCERS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, producer, (void *)i), 0);
	while (total < (uint64_t)PRODUCERS * PER_PRODUCER) {
		if (!sigbus_ring_pop(&ring, &e))
			continue;
		uintptr_t id = e.addr >> 32, seq = e.addr & 0xffffffffu;
		assert_true(id < PRODUCERS);
		assert_int_equal(e.tid, (int)id);
		/* Per producer, events arrive once each and in order. */
		assert_int_equal(seq, expect[id]);
		expect[id]++;
		total++;
	}
	for (int i = 0; i < PRODUCERS; i++)
		pthread_join(t[i], NULL);
	assert_false(sigbus_ring_pop(&ring, &e));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_fifo_order_and_wrap),
		cmocka_unit_test(test_overflow_counted_not_silent),
		cmocka_unit_test(test_many_producers_one_consumer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
