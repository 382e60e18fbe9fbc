/* Which channel tells the guest (--ras mce|ghes|both), what the action
 * becomes when a GHES record is or is not delivered, and the event's "ghes"
 * member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ras/apei.h"
#include "ras/event.h"
#include "x86/mce_event.h"

static const struct memory_failure guest_ao = {
	.recipient = MF_RECIPIENT_GUEST, .gpa = 0x1ff30000, .hva = 0x7f0000000000ULL, .lsb = 12, .vcpu = -1,
};
static const struct memory_failure guest_ar = {
	.recipient = MF_RECIPIENT_GUEST, .action_required = true, .gpa = 0xf9d9000,
	.hva = 0x7f0000001000ULL, .lsb = 12, .vcpu = 1,
};

static struct mce_decision decision(enum mf_action a, const char *reason)
{
	struct mce_decision d = { .v = { .action = a, .cpu = 0 }, .mce = { .blocker = -1, .outcome = MCE_OUTCOME_RAISED } };
	strcpy(d.v.reason, reason);
	return d;
}

/* An arch whose GHES sources cannot take a record (arm64 before its
 * firmware placed them) keeps its verdict, whichever channels --ras has. */
static void test_no_ghes_kept(void **state)
{
	(void)state;
	struct apei_plan p;
	struct mf_verdict v = { .action = MF_ACTION_RESET, .cpu = 1, .no_ghes = true };
	strcpy(v.reason, "the firmware has not placed the GHES error status blocks yet");
	apei_plan(false, true, &guest_ar, 1, &v, &p);
	assert_false(p.submit);
	assert_false(p.mce);
	assert_int_equal(p.source, ACPI_GHES_SOURCE_AR);
	assert_int_equal(v.action, MF_ACTION_RESET);
	assert_string_equal(v.reason, "the firmware has not placed the GHES error status blocks yet");
	v.action = MF_ACTION_IGNORE;
	apei_plan(false, true, &guest_ao, 1, &v, &p);
	assert_false(p.submit);
	assert_int_equal(v.action, MF_ACTION_IGNORE);
	apei_plan(true, true, &guest_ao, 1, &v, &p);
	assert_false(p.submit);
	assert_int_equal(v.action, MF_ACTION_IGNORE);
}

static void test_mce_only(void **state)
{
	(void)state;
	struct mce_decision d = decision(MF_ACTION_INJECT, "");
	struct apei_plan p;
	apei_plan(true, false, &guest_ao, 1, &d.v, &p);
	assert_false(p.submit);
	assert_true(p.mce);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
}

static void test_ghes_only_sources(void **state)
{
	(void)state;
	struct apei_plan p;
	/* Whatever the machine checks would have done to the guest (here a
	 * reset: MCE off in CR4), GHES tells it and nothing is reset. */
	struct mce_decision d = decision(MF_ACTION_RESET, "CPU 0: MCE capability is not enabled");
	d.v.recursive = true;
	apei_plan(false, true, &guest_ao, 1, &d.v, &p);
	assert_true(p.submit);
	assert_false(p.mce);
	assert_int_equal(p.source, ACPI_GHES_SOURCE_AO);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_false(d.v.recursive);
	assert_string_equal(d.v.reason, "");

	d = decision(MF_ACTION_INJECT, "");
	apei_plan(false, true, &guest_ar, 1, &d.v, &p);
	assert_true(p.submit);
	assert_int_equal(p.source, ACPI_GHES_SOURCE_AR);
}

static void test_fatal_and_hypervisor_untouched(void **state)
{
	(void)state;
	struct apei_plan p;
	struct mce_decision d = decision(MF_ACTION_FATAL, "a vmras thread that is not a vCPU read poisoned guest memory");
	apei_plan(false, true, &guest_ar, 1, &d.v, &p);
	assert_false(p.submit);
	assert_int_equal(d.v.action, MF_ACTION_FATAL);

	struct memory_failure own = guest_ao;
	own.recipient = MF_RECIPIENT_HYPERVISOR;
	d = decision(MF_ACTION_IGNORE, "memory of vmras's own");
	apei_plan(true, true, &own, 1, &d.v, &p);
	assert_false(p.submit);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "memory of vmras's own");
}

static void test_both(void **state)
{
	(void)state;
	struct apei_plan p;
	/* A reset guest would never read the record. */
	struct mce_decision d = decision(MF_ACTION_RESET, "CPU 1: Previous MCE still in progress");
	apei_plan(true, true, &guest_ar, 1, &d.v, &p);
	assert_false(p.submit);
	assert_int_equal(d.v.action, MF_ACTION_RESET);
	assert_false(p.mce);                        /* no machine check is injected */

	/* Injected both ways: the machine check's action and reason stand. */
	d = decision(MF_ACTION_INJECT, "");
	apei_plan(true, true, &guest_ao, 1, &d.v, &p);
	assert_true(p.submit);
	apei_settle(&p, GHES_DROPPED, 16, &d.v);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_string_equal(d.v.reason, "");

	/* Machine checks turned off by the guest: the record tells it. */
	d = decision(MF_ACTION_IGNORE, "CPU 0: bank 9 reporting disabled by the guest (MC9_CTL=0x0)");
	apei_plan(true, true, &guest_ao, 1, &d.v, &p);
	assert_true(p.submit);
	apei_settle(&p, GHES_QUEUED, 3, &d.v);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	assert_string_equal(d.v.reason, "CPU 0: bank 9 reporting disabled by the guest (MC9_CTL=0x0); "
		"reported through GHES source 1");
}

static void test_ar_repeat(void **state)
{
	(void)state;
	struct apei_plan p;
	struct mce_decision d = decision(MF_ACTION_INJECT, "");
	apei_plan(false, true, &guest_ar, 3, &d.v, &p);
	assert_false(p.submit);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "already reported through GHES source 0 (3 reports): the guest has "
		"not isolated the page yet");
	/* Ignored action-required repeats are throttled like any other. */
	struct poison_entry pe = { .count = 3 };
	struct mf_event ev = mf_event_from_decision(&guest_ar, &d.v, NULL, NULL, &pe, 0);
	assert_false(mf_event_due(&ev));
	pe.count = 4;
	assert_true(mf_event_due(&ev));

	/* With machine checks too, the repeat gets its machine check as before. */
	d = decision(MF_ACTION_INJECT, "");
	apei_plan(true, true, &guest_ar, 3, &d.v, &p);
	assert_false(p.submit);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);

	/* An action-optional repeat is a new report of the page: recorded. */
	d = decision(MF_ACTION_INJECT, "");
	apei_plan(false, true, &guest_ao, 2, &d.v, &p);
	assert_true(p.submit);
}

static void test_settle_ghes_only(void **state)
{
	(void)state;
	struct apei_plan p;
	struct mce_decision d = decision(MF_ACTION_INJECT, "");
	apei_plan(false, true, &guest_ao, 1, &d.v, &p);
	apei_settle(&p, GHES_WRITE_NOW, 0, &d.v);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	apei_settle(&p, GHES_QUEUED, 5, &d.v);
	assert_int_equal(d.v.action, MF_ACTION_INJECT);
	apei_settle(&p, GHES_DROPPED, 16, &d.v);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "GHES source 1: its backlog is full (16 pages wait for the guest); "
		"this one is dropped");
	d = decision(MF_ACTION_INJECT, "");
	apei_settle(&p, GHES_INVALID, 0, &d.v);
	assert_int_equal(d.v.action, MF_ACTION_IGNORE);
	assert_string_equal(d.v.reason, "GHES source 1: the record could not be written");
}

static void test_event_member(void **state)
{
	(void)state;
	struct mce_decision d = decision(MF_ACTION_INJECT, "");
	struct mf_event_ghes g = { .source = ACPI_GHES_SOURCE_AO, .what = GHES_QUEUED, .waiting = 2 };
	struct poison_entry pe = { .count = 1 };
	size_t len;

	/* GHES only: no machine check, and no vCPU for an action-optional
	 * error (a machine check would have gone to vCPU 0). */
	struct mf_event ev = mf_event_from_decision(&guest_ao, &d.v, NULL, &g, &pe, 1700000000000000000ULL);
	char *line = mf_event_line(&ev, &len);
	assert_non_null(line);
	assert_string_equal(line,
		"{\"event\":\"MEMORY_FAILURE\",\"data\":{\"recipient\":\"guest\",\"action\":\"inject\","
		"\"flags\":{\"action-required\":false,\"recursive\":false},"
		"\"guest-physical-address\":536018944,\"host-virtual-address\":139637976727552,"
		"\"size\":4096,\"count\":1,\"ghes\":{\"source\":1,\"delivery\":\"queued\",\"waiting\":2}},"
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":0}}");
	free(line);

	g.what = GHES_WRITE_NOW;
	g.waiting = 0;
	const struct mf_event_arch arch = mce_event_arch(&d.mce);
	ev = mf_event_from_decision(&guest_ao, &d.v, &arch, &g, &pe, 0);
	line = mf_event_line(&ev, &len);
	assert_non_null(strstr(line, "\"cpu-index\":0,"));
	assert_non_null(strstr(line, "\"machine-check\":{"));
	assert_non_null(strstr(line, "\"ghes\":{\"source\":1,\"delivery\":\"notified\",\"waiting\":0}"));
	free(line);

	assert_string_equal(apei_delivery_name(GHES_DROPPED), "dropped");
	assert_string_equal(apei_delivery_name(GHES_INVALID), "invalid");
}

/* A vCPU faulting on one page is told again every APEI_RETELL_NS and is
 * stuck after APEI_STUCK_NS; another page, or the clock going back, starts
 * a new run. */
static void test_streak(void **state)
{
	struct apei_streak st = { 0 };
	const uint64_t s = 1000000000ull;
	(void)state;

	assert_int_equal(apei_streak(&st, 0x1000, 10 * s, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0x1000, 10 * s + APEI_RETELL_NS - 1, true), APEI_WAIT);
	assert_int_equal(st.reports, 2);
	/* Told again once per APEI_RETELL_NS, counted from the last telling. */
	assert_int_equal(apei_streak(&st, 0x1000, 10 * s + APEI_RETELL_NS, true), APEI_TELL_AGAIN);
	assert_int_equal(apei_streak(&st, 0x1000, 10 * s + APEI_RETELL_NS + 1, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0x1000, 10 * s + 2 * APEI_RETELL_NS - 1, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0x1000, 10 * s + 2 * APEI_RETELL_NS, true), APEI_TELL_AGAIN);
	assert_int_equal(st.retold, 2);
	assert_int_equal(st.reports, 6);
	/* Another page: a new run from now. */
	assert_int_equal(apei_streak(&st, 0x2000, 13 * s, true), APEI_WAIT);
	assert_int_equal(st.retold, 0);
	assert_int_equal(apei_streak(&st, 0x2000, 13 * s + APEI_STUCK_NS - 1, true), APEI_TELL_AGAIN);
	assert_int_equal(apei_streak(&st, 0x2000, 13 * s + APEI_STUCK_NS, true), APEI_STUCK);
	/* Said once: the run starts over. */
	assert_int_equal(apei_streak(&st, 0x2000, 13 * s + APEI_STUCK_NS + 1, true), APEI_WAIT);
	/* Page 0 is a page like any other. */
	st = (struct apei_streak){ 0 };
	assert_int_equal(apei_streak(&st, 0, 1, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0, 1 + APEI_STUCK_NS, true), APEI_STUCK);
	/* A clock behind the run's start starts a new one. */
	assert_int_equal(apei_streak(&st, 0, 50 * s, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0, 40 * s, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0, 40 * s + APEI_RETELL_NS - 1, true), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0, 40 * s + APEI_STUCK_NS - 1, true), APEI_TELL_AGAIN);
	/* Without GHES nothing is told again; stuck all the same. */
	st = (struct apei_streak){ 0 };
	assert_int_equal(apei_streak(&st, 0x3000, 1, false), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0x3000, 1 + APEI_RETELL_NS, false), APEI_WAIT);
	assert_int_equal(apei_streak(&st, 0x3000, 1 + 3 * APEI_RETELL_NS, false), APEI_WAIT);
	assert_int_equal(st.retold, 0);
	assert_int_equal(apei_streak(&st, 0x3000, 1 + APEI_STUCK_NS, false), APEI_STUCK);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mce_only),
		cmocka_unit_test(test_no_ghes_kept),
		cmocka_unit_test(test_ghes_only_sources),
		cmocka_unit_test(test_fatal_and_hypervisor_untouched),
		cmocka_unit_test(test_both),
		cmocka_unit_test(test_ar_repeat),
		cmocka_unit_test(test_streak),
		cmocka_unit_test(test_settle_ghes_only),
		cmocka_unit_test(test_event_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
