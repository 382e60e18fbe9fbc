/* A lost hugepage: widening a 4 KiB report to the backing's page, the one
 * event per lost extent, which of its pages a touching vCPU was told of,
 * and the list of pages the guest is told of. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>

#include "ras/event.h"
#include "ras/lost_pages.h"
#include "ras/memory_failure.h"
#include "ras/poison.h"

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)

static void test_widen(void **state)
{
	(void)state;
	/* x86 KVM's report of a touch inside a lost 2 MiB page: lsb 12. */
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x40123000, .lsb = 12 };

	assert_true(mf_widen(&f, 21));
	assert_int_equal(f.lsb, 21);
	assert_int_equal(f.report_lsb, 12);
	assert_true(mf_widened(&f));
	assert_int_equal(f.gpa, 0x40123000);   /* the touched page stays named */
	/* Already the backing's page: unchanged. */
	assert_false(mf_widen(&f, 21));
	assert_int_equal(f.report_lsb, 12);

	/* The kernel's own action-optional report names the hugepage. */
	struct memory_failure ao = { .recipient = MF_RECIPIENT_GUEST, .gpa = 0x40000000, .lsb = 21 };
	assert_false(mf_widen(&ao, 21));
	assert_false(mf_widened(&ao));
	assert_int_equal(ao.report_lsb, 0);
	/* 4 KiB backing: never. lsb 0 (the sender did not say) counts as 4 KiB. */
	struct memory_failure small = { .gpa = 0x1000, .lsb = 12 };
	assert_false(mf_widen(&small, 12));
	small.lsb = 0;
	assert_true(mf_widen(&small, 30));
	assert_int_equal(small.lsb, 30);
	assert_int_equal(small.report_lsb, 12);
	/* Nonsense in: nothing changed. */
	struct memory_failure bad = { .lsb = 64 };
	assert_false(mf_widen(&bad, 21));
	assert_int_equal(bad.lsb, 64);
	struct memory_failure huge = { .lsb = 12 };
	assert_false(mf_widen(&huge, 64));
}

/* Events for the reports of one lost 2 MiB page, through the registry as
 * vmras records them: the first announced, refaults not. */
static void test_one_event_per_lost_hugepage(void **state)
{
	struct poison_registry *reg = poison_new();
	const struct poison_entry *e;
	struct memory_failure ao = { .recipient = MF_RECIPIENT_GUEST, .gpa = 0x40000000, .hva = 0x7f0000000000,
				     .lsb = 21, .vcpu = -1, .region = "ram" };
	unsigned events = 0;
	int rc;
	(void)state;

	assert_non_null(reg);
	rc = poison_record(reg, &ao, MF_ACTION_INJECT, 1, &e);
	assert_int_equal(rc, POISON_ADDED);
	struct mf_event ev = { .failure = &ao, .action = MF_ACTION_INJECT, .poison = e, .repeat = false };
	events += mf_event_due(&ev);
	/* Then the guest touches 200 pages of it, some twice: x86 KVM reports each touch, lsb 12. */
	for (unsigned i = 0; i < 300; i++) {
		struct memory_failure ar = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
					     .gpa = 0x40000000 + (uint64_t)(i % 200) * 4096, .lsb = 12, .vcpu = 0,
					     .region = "ram" };
		assert_true(mf_widen(&ar, 21));
		rc = poison_record(reg, &ar, i % 3 ? MF_ACTION_INJECT : MF_ACTION_IGNORE, 2 + i, &e);
		assert_int_equal(rc, POISON_DUPLICATE);
		struct mf_event r = { .failure = &ar, .action = i % 3 ? MF_ACTION_INJECT : MF_ACTION_IGNORE,
				      .poison = e, .repeat = true };
		events += mf_event_due(&r);
	}
	assert_int_equal(events, 1);
	assert_int_equal(poison_count(reg), 1);   /* query-memory-failures: one extent */
	assert_int_equal(e->lsb, 21);
	assert_int_equal(e->addr, 0x40000000);
	assert_int_equal(e->count, 301);

	/* A repeat that resets the guest or ends vmras is always announced. */
	struct memory_failure ar = { .recipient = MF_RECIPIENT_GUEST, .action_required = true, .gpa = 0x40001000,
				     .lsb = 21, .report_lsb = 12, .vcpu = 0 };
	struct mf_event r = { .failure = &ar, .action = MF_ACTION_RESET, .poison = e, .repeat = true };
	assert_true(mf_event_due(&r));
	r.action = MF_ACTION_FATAL;
	assert_true(mf_event_due(&r));
	/* After a reset replaced it, lost again: news (the registry says recurred). */
	r.action = MF_ACTION_INJECT;
	r.repeat = false;
	assert_true(mf_event_due(&r));
	/* 4 KiB pages keep their rules: an injected repeat is announced. */
	struct memory_failure small = { .recipient = MF_RECIPIENT_GUEST, .action_required = true, .gpa = 0x5000,
					.lsb = 12, .vcpu = 0 };
	struct poison_entry pe = { .count = 3 };
	struct mf_event s = { .failure = &small, .action = MF_ACTION_INJECT, .poison = &pe, .repeat = true };
	assert_true(mf_event_due(&s));
	s.action = MF_ACTION_IGNORE;
	assert_false(mf_event_due(&s));     /* 3: not a power of two */
	pe.count = 4;
	assert_true(mf_event_due(&s));
	poison_free(reg);
}

static void test_mark(void **state)
{
	struct lost_pages *t = lost_pages_new();
	(void)state;

	assert_non_null(t);
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x40123456), 1);
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x40123000), 0);   /* same 4 KiB page */
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x40124000), 1);
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x40000000), 1);   /* first page */
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x401ff000), 1);   /* last page */
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x401fffff), 0);
	assert_int_equal(lost_pages_extents(t), 1);
	/* Another extent is tracked on its own. */
	assert_int_equal(lost_pages_mark(t, 0x40200000, 21, 0x40423000), -1);  /* outside it */
	assert_int_equal(errno, EINVAL);
	assert_int_equal(lost_pages_mark(t, 0x40200000, 21, 0x40323000), 1);
	assert_int_equal(lost_pages_extents(t), 2);
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x40123000), 0);
	/* Forgotten (replaced at a reset): it starts over. */
	lost_pages_forget(t, 0x40000000);
	assert_int_equal(lost_pages_extents(t), 1);
	assert_int_equal(lost_pages_mark(t, 0x40000000, 21, 0x40123000), 1);
	lost_pages_forget(t, 0x12345000);   /* unknown: nothing */
	assert_int_equal(lost_pages_extents(t), 2);
	/* 1 GiB pages: 262144 of them, the last one too. */
	assert_int_equal(lost_pages_mark(t, GiB, 30, 2 * GiB - 4096), 1);
	assert_int_equal(lost_pages_mark(t, GiB, 30, 2 * GiB - 1), 0);
	assert_int_equal(lost_pages_mark(t, GiB, 30, GiB), 1);
	/* The same start at another size: a different backing; starts over. */
	assert_int_equal(lost_pages_mark(t, GiB, 21, GiB), 1);
	assert_int_equal(lost_pages_mark(t, GiB, 21, GiB), 0);
	/* Not an extent this tracks. */
	assert_int_equal(lost_pages_mark(t, 0, 12, 0), -1);
	assert_int_equal(lost_pages_mark(t, 0, 31, 0), -1);
	assert_int_equal(lost_pages_mark(t, 0x1000, 21, 0x1000), -1);   /* misaligned */
	/* 8 KiB: two pages, the smallest extent. */
	assert_int_equal(lost_pages_mark(t, 0x2000, 13, 0x3000), 1);
	assert_int_equal(lost_pages_mark(t, 0x2000, 13, 0x2000), 1);
	assert_int_equal(lost_pages_mark(t, 0x2000, 13, 0x3fff), 0);
	lost_pages_free(t);
	lost_pages_free(NULL);
}

static void test_list(void **state)
{
	uint64_t *pages = calloc(600, sizeof(*pages));
	(void)state;

	assert_non_null(pages);
	/* All 512 pages of a 2 MiB page, in order. */
	assert_int_equal(lost_pages_list(0x40000000, 21, UINT64_MAX, pages, 600), 512);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(pages[i], 0x40000000 + (uint64_t)i * 4096);
	/* Leaving out the page a record of its own told (any address in it). */
	assert_int_equal(lost_pages_list(0x40000000, 21, 0x40123abc, pages, 600), 511);
	assert_int_equal(pages[0x122], 0x40122000);
	assert_int_equal(pages[0x123], 0x40124000);
	assert_int_equal(pages[510], 0x401ff000);
	/* Only max written; the count is all of them. */
	pages[3] = 0xdead;
	assert_int_equal(lost_pages_list(0x40000000, 21, 0x40000000, pages, 3), 511);
	assert_int_equal(pages[0], 0x40001000);
	assert_int_equal(pages[2], 0x40003000);
	assert_int_equal(pages[3], 0xdead);
	assert_int_equal(lost_pages_list(0x40000000, 21, UINT64_MAX, NULL, 0), 512);
	assert_int_equal(lost_pages_list(0, 30, UINT64_MAX, NULL, 0), 262144);
	free(pages);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_widen),
		cmocka_unit_test(test_one_event_per_lost_hugepage),
		cmocka_unit_test(test_mark),
		cmocka_unit_test(test_list),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
