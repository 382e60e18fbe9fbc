/* The poison registry: one entry per extent with a count, duplicates found
 * by hashing through many resizes, a million entries, and the reset runs:
 * sorted, coalesced across touching and overlapping extents of any size,
 * never across regions, with history kept after replacement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "ras/poison.h"

#define K4 0x1000ULL
#define M2 0x200000ULL
#define G1 0x40000000ULL

static struct poison_registry *reg;

static int setup(void **state)
{
	(void)state;
	reg = poison_new();
	return reg ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	poison_free(reg);
	reg = NULL;
	return 0;
}

static struct memory_failure guest(uint64_t gpa, unsigned lsb, const char *region, bool ar)
{
	return (struct memory_failure){ .recipient = MF_RECIPIENT_GUEST, .action_required = ar,
					.gpa = gpa, .hva = 0x7f0000000000ULL + gpa, .lsb = lsb,
					.vcpu = -1, .region = region };
}

static int add(uint64_t gpa, unsigned lsb, const char *region)
{
	struct memory_failure f = guest(gpa, lsb, region, false);
	return poison_record(reg, &f, MF_ACTION_INJECT, 1, NULL);
}

static void test_new_and_duplicate(void **state)
{
	struct memory_failure f = guest(0x12345678, 12, "ram-below-4g", false);
	const struct poison_entry *e, *e2;
	(void)state;

	assert_int_equal(poison_count(reg), 0);
	assert_null(poison_at(reg, 0));
	assert_int_equal(poison_record(reg, &f, MF_ACTION_INJECT, 1000, &e), POISON_ADDED);
	assert_int_equal(e->addr, 0x12345000);
	assert_int_equal(e->hva, 0x7f0012345000ULL);
	assert_int_equal(e->lsb, 12);
	assert_int_equal(e->count, 1);
	assert_int_equal(e->first_ns, 1000);
	assert_int_equal(e->last_ns, 1000);
	assert_true(e->guest);
	assert_false(e->replaced);
	assert_true(e->seen_ao);
	assert_false(e->seen_ar);
	assert_false(e->last_ar);
	assert_int_equal(e->last_action, MF_ACTION_INJECT);
	assert_int_equal(e->actions, 1u << MF_ACTION_INJECT);
	assert_string_equal(poison_region_name(reg, e->region), "ram-below-4g");

	/* The same page again, another offset in it, now touched: one entry. */
	f.gpa = 0x12345ff8;
	f.action_required = true;
	f.vcpu = 1;
	assert_int_equal(poison_record(reg, &f, MF_ACTION_RESET, 2000, &e2), POISON_DUPLICATE);
	assert_ptr_equal(e2, e);
	assert_int_equal(e->count, 2);
	assert_int_equal(e->first_ns, 1000);
	assert_int_equal(e->last_ns, 2000);
	assert_true(e->seen_ao);
	assert_true(e->seen_ar);
	assert_true(e->last_ar);
	assert_int_equal(e->last_action, MF_ACTION_RESET);
	assert_int_equal(e->actions, 1u << MF_ACTION_INJECT | 1u << MF_ACTION_RESET);
	assert_int_equal(poison_count(reg), 1);
	assert_int_equal(poison_pending(reg), 1);
	assert_ptr_equal(poison_at(reg, 0), e);
	assert_null(poison_at(reg, 1));
	/* No out pointer needed. */
	assert_int_equal(poison_record(reg, &f, MF_ACTION_IGNORE, 3000, NULL), POISON_DUPLICATE);
	assert_int_equal(e->count, 3);
	assert_int_equal(e->last_action, MF_ACTION_IGNORE);
}

static void test_keys(void **state)
{
	(void)state;
	/* A 2 MiB page is one entry whichever 4 KiB of it is reported. */
	assert_int_equal(add(0x40123456, 21, "r"), POISON_ADDED);
	assert_int_equal(add(0x401ff000, 21, "r"), POISON_DUPLICATE);
	assert_int_equal(add(0x40000000, 21, "r"), POISON_DUPLICATE);
	assert_int_equal(add(0x40200000, 21, "r"), POISON_ADDED);
	/* Same start, another size: another extent. */
	assert_int_equal(add(0x40000000, 12, "r"), POISON_ADDED);
	assert_int_equal(add(0x40000000, 30, "r"), POISON_ADDED);
	/* lsb 0 (not said) and below a page mean a 4 KiB page. */
	assert_int_equal(add(0x40000abc, 0, "r"), POISON_DUPLICATE);
	assert_int_equal(add(0x40000abc, 6, "r"), POISON_DUPLICATE);
	assert_int_equal(poison_count(reg), 4);

	const struct poison_entry *e = poison_find(reg, MF_RECIPIENT_GUEST, 0x401fffff, 21);
	assert_non_null(e);
	assert_int_equal(e->addr, 0x40000000);
	assert_int_equal(e->count, 3);
	assert_null(poison_find(reg, MF_RECIPIENT_GUEST, 0x40000000, 13));
	assert_null(poison_find(reg, MF_RECIPIENT_HYPERVISOR, 0x40000000, 21));
	assert_null(poison_find(reg, MF_RECIPIENT_GUEST, 0x40000000, 64));
	assert_non_null(poison_find(reg, MF_RECIPIENT_GUEST, 0x40000000, 0));

	/* The largest extent: 2^63 bytes. */
	assert_int_equal(add(0xffffffffffffffffULL, 63, "r"), POISON_ADDED);
	e = poison_find(reg, MF_RECIPIENT_GUEST, 0x8000000000000000ULL, 63);
	assert_non_null(e);
	assert_int_equal(e->addr, 0x8000000000000000ULL);
}

static void test_invalid(void **state)
{
	struct memory_failure f = guest(0x1000, 64, "r", true);
	(void)state;

	errno = 0;
	assert_int_equal(poison_record(reg, &f, MF_ACTION_INJECT, 1, NULL), -1);
	assert_int_equal(errno, EINVAL);
	f.lsb = 12;
	errno = 0;
	assert_int_equal(poison_record(reg, &f, (enum mf_action)4, 1, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(poison_count(reg), 0);
	assert_int_equal(poison_pending(reg), 0);
}

static void test_hypervisor_entries(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = false,
				    .gpa = 0x9999, .hva = 0x5555deadbeef, .lsb = 12, .vcpu = -1,
				    .region = "ignored" };
	const struct poison_entry *e;
	(void)state;

	assert_int_equal(poison_record(reg, &f, MF_ACTION_IGNORE, 5, &e), POISON_ADDED);
	assert_false(e->guest);
	assert_int_equal(e->addr, 0x5555deadb000ULL);
	assert_int_equal(e->hva, 0x5555deadb000ULL);
	assert_int_equal(e->region, POISON_NO_REGION);
	assert_null(poison_region_name(reg, e->region));
	f.gpa = 0x1234;    /* gpa means nothing for vmras's own memory */
	assert_int_equal(poison_record(reg, &f, MF_ACTION_IGNORE, 6, NULL), POISON_DUPLICATE);
	/* A guest page at the same number is a different thing. */
	struct memory_failure g = guest(0x5555deadb000ULL, 12, "r", false);
	assert_int_equal(poison_record(reg, &g, MF_ACTION_INJECT, 7, NULL), POISON_ADDED);
	/* vmras's memory is never replaced by a guest reset. */
	assert_int_equal(poison_pending(reg), 1);
	assert_null(poison_find_gpa(reg, 0x5555deadb000ULL + 0x100000000ULL));
	assert_non_null(poison_find(reg, MF_RECIPIENT_HYPERVISOR, 0x5555deadbfffULL, 12));
	struct poison_run *runs;
	size_t n;
	assert_int_equal(poison_runs(reg, &runs, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(runs[0].gpa, 0x5555deadb000ULL);
	free(runs);
}

static void test_regions(void **state)
{
	char name[16];
	(void)state;

	/* Names are copied, and the same name is the same region. */
	snprintf(name, sizeof(name), "ram-%d", 1);
	assert_int_equal(add(0x1000, 12, name), POISON_ADDED);
	strcpy(name, "clobbered");
	assert_string_equal(poison_region_name(reg, poison_at(reg, 0)->region), "ram-1");
	assert_int_equal(add(0x2000, 12, "ram-1"), POISON_ADDED);
	assert_int_equal(poison_at(reg, 1)->region, poison_at(reg, 0)->region);
	/* A guest report without a region still counts. */
	assert_int_equal(add(0x3000, 12, NULL), POISON_ADDED);
	assert_int_equal(poison_at(reg, 2)->region, POISON_NO_REGION);

	for (int i = 2; i <= POISON_MAX_REGIONS; i++) {
		snprintf(name, sizeof(name), "ram-%d", i);
		assert_int_equal(add((uint64_t)i << 20, 12, name), POISON_ADDED);
	}
	assert_null(poison_region_name(reg, POISON_MAX_REGIONS));
	assert_string_equal(poison_region_name(reg, POISON_MAX_REGIONS - 1), "ram-255");
	errno = 0;
	assert_int_equal(add(0xfff000000ULL, 12, "one-too-many"), -1);
	assert_int_equal(errno, EINVAL);
	/* Known names still work. */
	assert_int_equal(add(0xfff000000ULL, 12, "ram-7"), POISON_ADDED);
}

static void test_growth(void **state)
{
	const unsigned n = 100000;   /* 64 slots to 256 Ki: a dozen resizes */
	(void)state;

	for (unsigned i = 0; i < n; i++) {
		/* Scattered (7919 is prime to n: a permutation), 2 MiB apart, so
		 * only the high bits of the keys differ and the hash must mix. */
		uint64_t gpa = ((uint64_t)i * 7919 % n) << 21;
		assert_int_equal(add(gpa, i % 2 ? 12 : 21, "r"), POISON_ADDED);
	}
	assert_int_equal(poison_count(reg), n);
	assert_int_equal(poison_pending(reg), n);
	for (unsigned i = 0; i < n; i++) {
		uint64_t gpa = ((uint64_t)i * 7919 % n) << 21;
		const struct poison_entry *e = poison_find(reg, MF_RECIPIENT_GUEST, gpa, i % 2 ? 12 : 21);
		assert_non_null(e);
		assert_int_equal(e->addr, gpa);
		assert_ptr_equal(e, poison_at(reg, i));
		assert_int_equal(add(gpa + 8, i % 2 ? 12 : 21, "r"), POISON_DUPLICATE);
		assert_int_equal(e->count, 2);
	}
	assert_int_equal(poison_count(reg), n);
	assert_null(poison_find(reg, MF_RECIPIENT_GUEST, (uint64_t)n << 21, 21));
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void test_million(void **state)
{
	const uint64_t n = 1000000;
	struct poison_run *runs;
	size_t nruns;
	double t0 = now();
	(void)state;

	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(add(i * 3 * K4, 12, i < n / 2 ? "low" : "high"), POISON_ADDED);
	for (uint64_t i = 0; i < n; i += 7)
		assert_int_equal(add(i * 3 * K4 + 0x10, 12, "low"), POISON_DUPLICATE);
	assert_int_equal(poison_count(reg), n);
	/* Every page is a run of its own: none touch (stride 3 pages). */
	assert_int_equal(poison_runs(reg, &runs, &nruns), 0);
	assert_int_equal(nruns, n);
	assert_string_equal(runs[0].region, "low");
	assert_string_equal(runs[n - 1].region, "high");
	assert_int_equal(poison_mark_replaced(reg, runs, nruns), n);
	free(runs);
	assert_int_equal(poison_pending(reg), 0);
	double took = now() - t0;
	/* Generous, for sanitizers and loaded machines; the benchmark has the real figures. */
	if (took > 20)
		fail_msg("a million entries took %.1f s", took);
	print_message("1e6 entries + dups + runs + replace: %.3f s\n", took);
}

static void check_runs(const struct poison_run *want, size_t nwant)
{
	struct poison_run *runs;
	size_t n;

	assert_int_equal(poison_runs(reg, &runs, &n), 0);
	if (n != nwant) {
		for (size_t i = 0; i < n; i++)
			print_message("run %zu: %s 0x%llx +0x%llx\n", i, runs[i].region ? runs[i].region : "-",
				      (unsigned long long)runs[i].gpa, (unsigned long long)runs[i].size);
		fail_msg("%zu runs, want %zu", n, nwant);
	}
	for (size_t i = 0; i < n; i++) {
		if (want[i].region)
			assert_string_equal(runs[i].region, want[i].region);
		else
			assert_null(runs[i].region);
		assert_int_equal(runs[i].gpa, want[i].gpa);
		assert_int_equal(runs[i].size, want[i].size);
	}
	free(runs);
}

static void test_runs_coalesce(void **state)
{
	(void)state;

	/* Empty registry: no runs, no allocation. */
	struct poison_run *runs = (void *)1;
	size_t n = 9;
	assert_int_equal(poison_runs(reg, &runs, &n), 0);
	assert_null(runs);
	assert_int_equal(n, 0);

	/* Added out of order. Region "low" (index 0): */
	add(0x5000, 12, "low");
	add(0x3000, 12, "low");
	add(0x4000, 12, "low");               /* 0x3000-0x5fff: one run of three pages */
	add(0x8000, 12, "low");               /* a gap: its own run */
	add(0x3ff000, 12, "low");             /* inside the 2 MiB page below */
	add(0x200000, 21, "low");             /* 0x200000-0x3fffff */
	add(0x400000, 12, "low");             /* touches the 2 MiB page: joins it */
	add(0x1ff000, 12, "low");             /* touches it from below */
	add(0x600000, 21, "low");
	add(0x600000, 12, "low");             /* same start, smaller: swallowed */
	add(0x7ff000, 12, "low");             /* the last page of it: swallowed */
	add(0x800000, 21, "low");             /* 2 MiB after 2 MiB: merged */
	add(G1, 30, "low");                   /* 1 GiB page */
	add(G1 + 0x12345000, 21, "low");      /* inside it */
	/* Region "high" (index 1), gpa-adjacent to low's 1 GiB page: never merged across. */
	add(2 * G1, 12, "high");
	add(2 * G1 + K4, 12, "high");
	/* A run in "high" that sorts below low's runs by address still comes after them. */
	add(0x1000, 12, "high");
	/* No region: last. */
	add(0x9000, 12, NULL);

	const struct poison_run want[] = {
		{ "low", 0, 0x3000, 3 * K4 },
		{ "low", 0, 0x8000, K4 },
		{ "low", 0, 0x1ff000, K4 + M2 + K4 },
		{ "low", 0, 0x600000, 2 * M2 },
		{ "low", 0, G1, G1 },
		{ "high", 1, 0x1000, K4 },
		{ "high", 1, 2 * G1, 2 * K4 },
		{ NULL, POISON_NO_REGION, 0x9000, K4 },
	};
	check_runs(want, sizeof(want) / sizeof(want[0]));
	assert_int_equal(poison_pending(reg), 18);
}

static void test_runs_top_of_space(void **state)
{
	(void)state;
	/* Extents that end at 2^64 must not wrap to 0 and swallow everything. */
	add(0xffffffffffe00000ULL, 21, "r");
	add(0xfffffffffffff000ULL, 12, "r");
	add(0x1000, 12, "r");
	const struct poison_run want[] = {
		{ "r", 0, 0x1000, K4 },
		{ "r", 0, 0xffffffffffe00000ULL, M2 },
	};
	check_runs(want, 2);
}

static void test_replace_keeps_history(void **state)
{
	struct poison_run *runs;
	size_t n;
	const struct poison_entry *e;
	struct memory_failure f = guest(0x200000, 21, "low", true);
	(void)state;

	assert_int_equal(poison_record(reg, &f, MF_ACTION_INJECT, 10, &e), POISON_ADDED);
	add(0x400000, 12, "low");
	add(0x10000, 12, "low");
	add(0x100010000ULL, 12, "high");
	assert_int_equal(poison_runs(reg, &runs, &n), 0);
	assert_int_equal(n, 3);   /* low 0x10000, low 0x200000 + 2M + 4K, high 0x100010000 */

	/* Only the runs whose memory was replaced are marked. */
	assert_int_equal(poison_mark_replaced(reg, &runs[1], 1), 2);
	assert_int_equal(poison_pending(reg), 2);
	assert_true(e->replaced);
	assert_true(poison_find(reg, MF_RECIPIENT_GUEST, 0x400000, 12)->replaced);
	assert_false(poison_find(reg, MF_RECIPIENT_GUEST, 0x10000, 12)->replaced);
	/* The run in "high" replaces that region's page only. */
	assert_int_equal(poison_mark_replaced(reg, &runs[2], 1), 1);
	assert_int_equal(poison_pending(reg), 1);
	assert_int_equal(poison_mark_replaced(reg, runs, 0), 0);
	free(runs);

	/* History: every entry is still there, with its count and times. */
	assert_int_equal(poison_count(reg), 4);
	assert_int_equal(e->count, 1);
	assert_int_equal(e->first_ns, 10);
	const struct poison_run rest[] = { { "low", 0, 0x10000, K4 } };
	check_runs(rest, 1);

	/* The fresh page fails again: the old entry comes back to life. */
	f.gpa = 0x300000;
	assert_int_equal(poison_record(reg, &f, MF_ACTION_INJECT, 20, &e), POISON_RECURRED);
	assert_false(e->replaced);
	assert_int_equal(e->count, 2);
	assert_int_equal(e->first_ns, 10);
	assert_int_equal(e->last_ns, 20);
	assert_int_equal(poison_pending(reg), 2);
	assert_int_equal(poison_record(reg, &f, MF_ACTION_INJECT, 30, &e), POISON_DUPLICATE);
	assert_int_equal(poison_count(reg), 4);

	/* Runs that cover only part of an extent do not replace it. */
	const struct poison_run part[] = { { "low", 0, 0x200000, K4 } };
	assert_int_equal(poison_mark_replaced(reg, part, 1), 0);
	const struct poison_run wrong_region[] = { { "high", 1, 0x200000, M2 } };
	assert_int_equal(poison_mark_replaced(reg, wrong_region, 1), 0);
	assert_int_equal(poison_pending(reg), 2);

	/* Replace everything. */
	assert_int_equal(poison_runs(reg, &runs, &n), 0);
	assert_int_equal(poison_mark_replaced(reg, runs, n), 2);
	free(runs);
	assert_int_equal(poison_pending(reg), 0);
	check_runs(NULL, 0);
	for (size_t i = 0; i < poison_count(reg); i++)
		assert_true(poison_at(reg, i)->replaced);
}

static void test_find_gpa(void **state)
{
	struct poison_run *runs;
	size_t n;
	(void)state;

	assert_null(poison_find_gpa(reg, 0x1000));
	add(0x40000000, 30, "r");
	add(0x40201000, 12, "r");
	add(0x40200000, 21, "r");
	/* The smallest pending extent that holds it. */
	assert_int_equal(poison_find_gpa(reg, 0x40201fff)->lsb, 12);
	assert_int_equal(poison_find_gpa(reg, 0x40202000)->lsb, 21);
	assert_int_equal(poison_find_gpa(reg, 0x7fffffff)->lsb, 30);
	assert_null(poison_find_gpa(reg, 0x80000000));
	assert_null(poison_find_gpa(reg, 0x3fffffff));

	/* Replaced extents are found when nothing pending holds the address. */
	assert_int_equal(poison_runs(reg, &runs, &n), 0);
	assert_int_equal(n, 1);
	poison_mark_replaced(reg, runs, n);
	free(runs);
	add(0x40200000, 21, "r");   /* recurs */
	assert_int_equal(poison_find_gpa(reg, 0x40201000)->lsb, 21);
	assert_false(poison_find_gpa(reg, 0x40201000)->replaced);
	assert_int_equal(poison_find_gpa(reg, 0x40000000)->lsb, 30);
	assert_true(poison_find_gpa(reg, 0x40000000)->replaced);
}

static void test_free_null(void **state)
{
	(void)state;
	poison_free(NULL);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_new_and_duplicate),
		T(test_keys),
		T(test_invalid),
		T(test_hypervisor_entries),
		T(test_regions),
		T(test_growth),
		T(test_million),
		T(test_runs_coalesce),
		T(test_runs_top_of_space),
		T(test_replace_keeps_history),
		T(test_find_gpa),
		cmocka_unit_test(test_free_null),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
