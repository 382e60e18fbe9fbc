/* The read-ack queue of one GHESv2 source.
 *
 * The guest owns the error status block from the moment it is notified
 * until it acknowledges, so the queue must never hand out a second record
 * early, lose the order of the waiting ones, or let a guest that never
 * acknowledges grow it without bound. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ras/ghes_queue.h"

/* 16 records of 4 KiB: too big for a test's stack under ASan. */
static int setup(void **state)
{
	struct ghes_queue *q = malloc(sizeof(*q));
	if (!q)
		return -1;
	/* Garbage first: init must not rely on zeroed memory. */
	memset(q, 0xa5, sizeof(*q));
	ghes_queue_init(q);
	*state = q;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

/* Record n: its length and bytes derive from n, so a record delivered out
 * of order, truncated or mixed with a neighbour's slot shows. */
static size_t rec_len(unsigned n)
{
	static const size_t lens[] = { 1, 20, 172, GHES_RECORD_MAX, 4095, 333 };
	return lens[n % (sizeof(lens) / sizeof(lens[0]))];
}

static void rec_fill(uint8_t *buf, unsigned n)
{
	for (size_t i = 0; i < GHES_RECORD_MAX; i++)
		buf[i] = (uint8_t)(n * 31 + i * 7 + (i >> 8));
}

static enum ghes_submit submit_n(struct ghes_queue *q, unsigned n)
{
	static uint8_t buf[GHES_RECORD_MAX];
	rec_fill(buf, n);
	return ghes_queue_submit(q, buf, rec_len(n), 0x1000 + n);
}

static void expect_record(const struct ghes_record *r, unsigned n)
{
	static uint8_t want[GHES_RECORD_MAX];
	assert_non_null(r);
	rec_fill(want, n);
	assert_int_equal(r->len, rec_len(n));
	assert_int_equal(r->tag, 0x1000 + n);
	assert_memory_equal(r->bytes, want, r->len);
}

static void test_init(void **state)
{
	struct ghes_queue *q = *state;
	assert_false(q->busy);
	assert_int_equal(ghes_queue_waiting(q), 0);
	assert_int_equal(q->written, 0);
	assert_int_equal(q->acked, 0);
	assert_int_equal(q->dropped, 0);
	assert_int_equal(q->stray_acks, 0);
}

static void test_write_queue_drop(void **state)
{
	struct ghes_queue *q = *state;

	/* A free block: the caller writes this one itself, nothing is kept. */
	assert_int_equal(submit_n(q, 0), GHES_WRITE_NOW);
	assert_true(q->busy);
	assert_int_equal(q->written, 1);
	assert_int_equal(ghes_queue_waiting(q), 0);

	for (unsigned i = 1; i <= GHES_QUEUE_DEPTH; i++) {
		assert_int_equal(submit_n(q, i), GHES_QUEUED);
		assert_int_equal(ghes_queue_waiting(q), i);
	}
	/* A guest that stopped acknowledging costs records, not memory. */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(submit_n(q, 100 + i), GHES_DROPPED);
	assert_int_equal(q->dropped, 3);
	assert_int_equal(ghes_queue_waiting(q), GHES_QUEUE_DEPTH);
	assert_int_equal(q->written, 1);

	for (unsigned i = 1; i <= GHES_QUEUE_DEPTH; i++) {
		expect_record(ghes_queue_ack(q), i);
		/* The block is handed straight on: still taken. */
		assert_true(q->busy);
		assert_int_equal(ghes_queue_waiting(q), GHES_QUEUE_DEPTH - i);
	}
	assert_null(ghes_queue_ack(q));
	assert_false(q->busy);
	assert_int_equal(q->written, 1 + GHES_QUEUE_DEPTH);
	assert_int_equal(q->acked, 1 + GHES_QUEUE_DEPTH);
	assert_int_equal(q->dropped, 3);
	assert_int_equal(q->stray_acks, 0);

	/* Free again: the next record goes straight to the block. */
	assert_int_equal(submit_n(q, 200), GHES_WRITE_NOW);
}

static void test_freed_slot_reused(void **state)
{
	struct ghes_queue *q = *state;
	assert_int_equal(submit_n(q, 0), GHES_WRITE_NOW);
	for (unsigned i = 1; i <= GHES_QUEUE_DEPTH; i++)
		assert_int_equal(submit_n(q, i), GHES_QUEUED);
	expect_record(ghes_queue_ack(q), 1);
	/* One acknowledge makes room for exactly one more. */
	assert_int_equal(submit_n(q, 50), GHES_QUEUED);
	assert_int_equal(submit_n(q, 51), GHES_DROPPED);
	for (unsigned i = 2; i <= GHES_QUEUE_DEPTH; i++)
		expect_record(ghes_queue_ack(q), i);
	expect_record(ghes_queue_ack(q), 50);
	assert_null(ghes_queue_ack(q));
	assert_int_equal(q->dropped, 1);
}

static void test_stray_ack(void **state)
{
	struct ghes_queue *q = *state;

	/* A guest may acknowledge at boot or twice (e.g. after a kexec): it
	 * must not free a block it never had, or count as an acknowledge. */
	assert_null(ghes_queue_ack(q));
	assert_null(ghes_queue_ack(q));
	assert_int_equal(q->stray_acks, 2);
	assert_int_equal(q->acked, 0);
	assert_false(q->busy);

	assert_int_equal(submit_n(q, 0), GHES_WRITE_NOW);
	assert_int_equal(submit_n(q, 1), GHES_QUEUED);
	expect_record(ghes_queue_ack(q), 1);
	assert_null(ghes_queue_ack(q));
	assert_null(ghes_queue_ack(q));              /* one too many */
	assert_int_equal(q->stray_acks, 3);
	assert_int_equal(q->acked, 2);
	assert_int_equal(q->written, 2);
	assert_false(q->busy);
	assert_int_equal(submit_n(q, 2), GHES_WRITE_NOW);
}

static void test_invalid_lengths(void **state)
{
	struct ghes_queue *q = *state;
	static uint8_t buf[GHES_RECORD_MAX + 1];

	/* Refused before it can take the block: a record that cannot be
	 * written must not leave the source waiting for an acknowledge. */
	assert_int_equal(ghes_queue_submit(q, buf, 0, 1), GHES_INVALID);
	assert_int_equal(ghes_queue_submit(q, buf, GHES_RECORD_MAX + 1, 2), GHES_INVALID);
	assert_false(q->busy);
	assert_int_equal(q->written, 0);

	assert_int_equal(ghes_queue_submit(q, buf, GHES_RECORD_MAX, 3), GHES_WRITE_NOW);
	/* Nor does it take a slot or count as dropped when the block is busy. */
	assert_int_equal(ghes_queue_submit(q, buf, 0, 4), GHES_INVALID);
	assert_int_equal(ghes_queue_submit(q, buf, GHES_RECORD_MAX + 1, 5), GHES_INVALID);
	assert_int_equal(ghes_queue_waiting(q), 0);
	assert_int_equal(q->dropped, 0);
	assert_int_equal(ghes_queue_submit(q, buf, GHES_RECORD_MAX, 6), GHES_QUEUED);
	const struct ghes_record *r = ghes_queue_ack(q);
	assert_non_null(r);
	assert_int_equal(r->len, GHES_RECORD_MAX);
	assert_int_equal(r->tag, 6);
}

/* Fill and drain by uneven amounts so the ring's head goes round it several
 * times and wraps at every position, checked against a plain counter. */
static void test_wraparound(void **state)
{
	struct ghes_queue *q = *state;
	static const unsigned fill[] = { 5, 16, 3, 11, 16, 1, 7, 16, 13, 9 };
	static const unsigned drain[] = { 3, 10, 8, 4, 16, 2, 9, 15, 16, 11 };
	unsigned next_in = 1, next_out = 1, waiting = 0, dropped = 0;

	assert_int_equal(submit_n(q, 0), GHES_WRITE_NOW);
	for (size_t c = 0; c < sizeof(fill) / sizeof(fill[0]); c++) {
		for (unsigned i = 0; i < fill[c]; i++) {
			if (waiting == GHES_QUEUE_DEPTH) {
				assert_int_equal(submit_n(q, 9999), GHES_DROPPED);
				dropped++;
				continue;
			}
			assert_int_equal(submit_n(q, next_in++), GHES_QUEUED);
			waiting++;
		}
		for (unsigned i = 0; i < drain[c] && waiting; i++) {
			expect_record(ghes_queue_ack(q), next_out++);
			waiting--;
		}
		assert_int_equal(ghes_queue_waiting(q), waiting);
		assert_true(q->busy);
	}
	while (waiting--)
		expect_record(ghes_queue_ack(q), next_out++);
	assert_null(ghes_queue_ack(q));
	assert_int_equal(next_out, next_in);
	assert_true(next_in - 1 > 3 * GHES_QUEUE_DEPTH);
	assert_int_equal(q->dropped, dropped);
	assert_int_equal(q->written, next_in);       /* record 0 and every queued one */
	assert_int_equal(q->acked, next_in);
	assert_int_equal(q->stray_acks, 0);
}

static void test_submit_names(void **state)
{
	(void)state;
	assert_string_equal(ghes_submit_name(GHES_WRITE_NOW), "written");
	assert_string_equal(ghes_submit_name(GHES_QUEUED), "queued");
	assert_string_equal(ghes_submit_name(GHES_DROPPED), "dropped");
	assert_string_equal(ghes_submit_name(GHES_INVALID), "invalid");
	assert_string_equal(ghes_submit_name((enum ghes_submit)42), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_queue_drop, setup, teardown),
		cmocka_unit_test_setup_teardown(test_freed_slot_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stray_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_invalid_lengths, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wraparound, setup, teardown),
		cmocka_unit_test(test_submit_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
