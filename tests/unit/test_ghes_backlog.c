/* The page backlog of one GHESv2 source.
 *
 * What matters to the guest: every page added comes out exactly once, in
 * order, in blocks its GHES driver takes (one memory section per page, the
 * entry count and data length right), never more per block than asked; and
 * what cannot be kept or said is counted, never lost silently. A model (a
 * plain array) runs beside the backlog through every interleaving of adds
 * and packs of a small size, so growth across a wrapped ring is covered. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ras/ghes_backlog.h"

#define BLOCK 4096

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static struct cper_mem_error page(uint64_t n)
{
	return (struct cper_mem_error){ .phys_addr = 0x100000 + n * 4096, .size = 4096,
					.severity = CPER_SEV_RECOVERABLE, .error_type = CPER_MEM_ERR_SCRUB_UE };
}

/* Decodes a packed block as a guest would: the pages in it, in order. */
static size_t unpack(const uint8_t *blk, size_t len, uint64_t *out)
{
	char why[128];
	uint32_t status = le32(blk);
	size_t n = (status >> CPER_BLOCK_ENTRY_COUNT_SHIFT) & CPER_BLOCK_ENTRY_COUNT_MAX;

	assert_true(cper_block_check(blk, len, why, sizeof(why)));
	assert_true(status & CPER_BLOCK_UE_VALID);
	assert_int_equal(!!(status & CPER_BLOCK_MULTI_UE), n > 1);
	assert_int_equal(le32(blk + 12), n * CPER_MEM_ENTRY_LEN);
	assert_int_equal(len, CPER_ESTATUS_LEN + n * CPER_MEM_ENTRY_LEN);
	for (size_t i = 0; i < n; i++) {
		const uint8_t *gd = blk + CPER_ESTATUS_LEN + i * CPER_MEM_ENTRY_LEN;
		assert_memory_equal(gd, cper_sec_platform_mem, 16);
		out[i] = le64(gd + CPER_GDATA_LEN + 16);
	}
	return n;
}

static void test_empty(void **state)
{
	(void)state;
	struct ghes_backlog b;
	uint8_t buf[BLOCK];

	memset(&b, 0x5a, sizeof(b));
	ghes_backlog_init(&b, 10);
	assert_null(b.ring);
	assert_int_equal(ghes_backlog_pack(&b, buf, sizeof(buf), 0), 0);
	assert_int_equal(ghes_backlog_clear(&b), 0);
	assert_int_equal(b.dropped, 0);
	ghes_backlog_free(&b);
}

/* Up to the limit every page is kept; past it each is dropped and counted,
 * and the backlog takes pages again once packing made room. */
static void test_limit(void **state)
{
	(void)state;
	for (size_t limit = 0; limit <= 70; limit++) {
		struct ghes_backlog b;
		uint8_t buf[BLOCK];
		uint64_t got[32];
		struct cper_mem_error e;

		ghes_backlog_init(&b, limit);
		for (uint64_t i = 0; i < limit + 3; i++) {
			e = page(i);
			assert_int_equal(ghes_backlog_add(&b, &e), i < limit);
		}
		assert_int_equal(ghes_backlog_waiting(&b), limit);
		assert_int_equal(b.dropped, 3);
		assert_int_equal(b.added, limit);
		assert_int_equal(b.depth_max, limit);
		if (limit) {
			ssize_t len = ghes_backlog_pack(&b, buf, sizeof(buf), 1);
			assert_int_equal(len, CPER_MEM_RECORD_LEN);
			assert_int_equal(unpack(buf, (size_t)len, got), 1);
			assert_int_equal(got[0], page(0).phys_addr);
			e = page(1000);
			assert_true(ghes_backlog_add(&b, &e));
		}
		ghes_backlog_free(&b);
	}
}

/* Every interleaving of up to 6 operations, each an add of 1..40 pages or a
 * pack of at most 1, 7, 16 or as many as fit, against a model: pages come
 * out once, in order, at most max a block, never more than a block holds. */
static const unsigned adds[] = { 1, 3, 40 };
static const size_t maxes[] = { 1, 7, 16, 0 };
#define OPS (sizeof(adds) / sizeof(adds[0]) + sizeof(maxes) / sizeof(maxes[0]))

static void run_sequence(unsigned code, unsigned len)
{
	struct ghes_backlog b;
	uint64_t model[400], got[CPER_BLOCK_ENTRY_COUNT_MAX];
	size_t mhead = 0, mcount = 0, depth = 0;
	uint64_t next = 0;
	static uint8_t buf[BLOCK];

	ghes_backlog_init(&b, 1000);
	for (unsigned k = 0; k < len; k++, code /= OPS) {
		unsigned op = code % OPS;
		if (op < sizeof(adds) / sizeof(adds[0])) {
			for (unsigned i = 0; i < adds[op]; i++) {
				struct cper_mem_error e = page(next);
				assert_true(ghes_backlog_add(&b, &e));
				model[mhead + mcount++] = e.phys_addr;
				next++;
			}
			if (mcount > depth)
				depth = mcount;
		} else {
			size_t max = maxes[op - sizeof(adds) / sizeof(adds[0])];
			size_t want = max ? max : 26;
			ssize_t n = ghes_backlog_pack(&b, buf, sizeof(buf), max);
			if (want > mcount)
				want = mcount;
			if (!want) {
				assert_int_equal(n, 0);
				continue;
			}
			assert_int_equal(n, CPER_ESTATUS_LEN + want * CPER_MEM_ENTRY_LEN);
			assert_int_equal(unpack(buf, (size_t)n, got), want);
			assert_memory_equal(got, &model[mhead], want * sizeof(uint64_t));
			mhead += want;
			mcount -= want;
		}
		assert_int_equal(ghes_backlog_waiting(&b), mcount);
	}
	assert_int_equal(b.added, next);
	assert_int_equal(b.packed, next - mcount);
	assert_int_equal(b.depth_max, depth);
	assert_int_equal(b.dropped, 0);
	assert_int_equal(ghes_backlog_clear(&b), mcount);
	assert_int_equal(b.dropped, mcount);
	assert_int_equal(ghes_backlog_waiting(&b), 0);
	ghes_backlog_free(&b);
}

static void test_sequences(void **state)
{
	(void)state;
	unsigned total = 1;

	for (unsigned len = 0; len <= 6; len++, total *= OPS)
		for (unsigned code = 0; code < total; code++)
			run_sequence(code, len);
}

/* A 4 KiB block holds 26 pages; a larger one is asked for no more than the
 * entry count can say. */
static void test_block_sizes(void **state)
{
	(void)state;
	struct ghes_backlog b;
	uint8_t *big = malloc(200000);
	struct cper_mem_error e;

	assert_non_null(big);
	ghes_backlog_init(&b, 5000);
	for (uint64_t i = 0; i < 2000; i++) {
		e = page(i);
		assert_true(ghes_backlog_add(&b, &e));
	}
	assert_int_equal(ghes_backlog_pack(&b, big, 4096, 0), CPER_ESTATUS_LEN + 26 * CPER_MEM_ENTRY_LEN);
	assert_int_equal(ghes_backlog_pack(&b, big, 65536, 0), CPER_ESTATUS_LEN + 431 * CPER_MEM_ENTRY_LEN);
	assert_int_equal(ghes_backlog_pack(&b, big, 200000, 0),
			 CPER_ESTATUS_LEN + CPER_BLOCK_ENTRY_COUNT_MAX * CPER_MEM_ENTRY_LEN);
	assert_int_equal(ghes_backlog_waiting(&b), 2000 - 26 - 431 - CPER_BLOCK_ENTRY_COUNT_MAX);
	/* Too small for even one: nothing taken. */
	errno = 0;
	assert_int_equal(ghes_backlog_pack(&b, big, CPER_MEM_RECORD_LEN - 1, 0), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(ghes_backlog_pack(&b, big, CPER_MEM_RECORD_LEN, 0), CPER_MEM_RECORD_LEN);
	ghes_backlog_free(&b);
	free(big);
}

/* A page that cannot be encoded (its size not a power of two) is dropped
 * and counted at the pack that meets it; the others come out in order. */
static void test_bad_page(void **state)
{
	(void)state;
	for (unsigned bad = 0; bad < 5; bad++) {
		struct ghes_backlog b;
		uint8_t buf[BLOCK];
		uint64_t got[8], want[4];
		size_t w = 0, total = 0;
		ssize_t n;

		ghes_backlog_init(&b, 10);
		for (unsigned i = 0; i < 5; i++) {
			struct cper_mem_error e = page(i);
			if (i == bad)
				e.size = 3000;
			else
				want[w++] = e.phys_addr;
			assert_true(ghes_backlog_add(&b, &e));
		}
		errno = 0;
		assert_int_equal(ghes_backlog_pack(&b, buf, sizeof(buf), 0), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(b.dropped, 1);
		assert_int_equal(ghes_backlog_waiting(&b), 4);
		while ((n = ghes_backlog_pack(&b, buf, sizeof(buf), 3)) > 0)
			total += unpack(buf, (size_t)n, got + total);
		assert_int_equal(n, 0);
		assert_int_equal(total, 4);
		assert_memory_equal(got, want, sizeof(want));
		assert_int_equal(b.packed, 4);
		ghes_backlog_free(&b);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_sequences),
		cmocka_unit_test(test_block_sizes),
		cmocka_unit_test(test_bad_page),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
