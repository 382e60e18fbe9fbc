/* The arm64 memory-failure verdict (arm64/mf.h): told through GHES when
 * the guest has the channel; without it, ignore what no vCPU consumed and
 * reset for what one did, saying which part is missing. And the event's
 * "arm" member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdio.h>
#include <string.h>

#include "arm64/mf.h"
#include "ras/apei.h"
#include "ras/event.h"

static const struct memory_failure ao = { .recipient = MF_RECIPIENT_GUEST, .gpa = 0x40201000, .lsb = 12,
					   .vcpu = -1 };
static const struct memory_failure ar = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
					   .gpa = 0x40201000, .lsb = 12, .vcpu = 1 };

static void test_channel(void **state)
{
	(void)state;
	assert_int_equal(arm64_mf_channel(false, true, true), ARM64_MF_NO_ACPI);
	assert_int_equal(arm64_mf_channel(false, false, false), ARM64_MF_NO_ACPI);
	assert_int_equal(arm64_mf_channel(true, false, false), ARM64_MF_GHES_OFF);
	assert_int_equal(arm64_mf_channel(true, true, false), ARM64_MF_GHES_UNPLACED);
	assert_int_equal(arm64_mf_channel(true, true, true), ARM64_MF_GHES_READY);
}

static void test_ready(void **state)
{
	struct memory_failure f = ao;
	struct mf_verdict v;
	(void)state;

	assert_int_equal(arm64_mf_decide(&f, 2, ARM64_MF_GHES_READY, true, &v), 0);
	assert_int_equal(v.action, MF_ACTION_INJECT);
	assert_int_equal(v.cpu, -1);
	assert_string_equal(v.reason, "");
	assert_false(v.no_ghes);
	/* A vCPU's thread may take an AO too (early kill goes to one thread). */
	f.vcpu = 1;
	assert_int_equal(arm64_mf_decide(&f, 2, ARM64_MF_GHES_READY, true, &v), 0);
	assert_int_equal(v.action, MF_ACTION_INJECT);
	assert_int_equal(v.cpu, 1);
	/* An AO needs no SEA. */
	assert_int_equal(arm64_mf_decide(&f, 2, ARM64_MF_GHES_READY, false, &v), 0);
	assert_int_equal(v.action, MF_ACTION_INJECT);
	assert_false(v.no_ghes);

	f = ar;
	assert_int_equal(arm64_mf_decide(&f, 2, ARM64_MF_GHES_READY, true, &v), 0);
	assert_int_equal(v.action, MF_ACTION_INJECT);
	assert_int_equal(v.cpu, 1);
	assert_false(v.recursive);
	assert_string_equal(v.reason, "");
	assert_false(v.no_ghes);
}

static void test_no_sea(void **state)
{
	struct mf_verdict v;
	(void)state;

	assert_int_equal(arm64_mf_decide(&ar, 2, ARM64_MF_GHES_READY, false, &v), 0);
	assert_int_equal(v.action, MF_ACTION_RESET);
	assert_true(v.no_ghes);
	assert_string_equal(v.reason, "KVM cannot inject a synchronous external abort (no "
			    "KVM_CAP_ARM_INJECT_EXT_DABT); the vCPU would fault for ever: reset, the page replaced");
}

static void test_not_told(void **state)
{
	static const struct {
		enum arm64_mf_channel ch;
		const char *why;
	} cases[] = {
		{ ARM64_MF_NO_ACPI, ARM64_MF_WHY_NO_ACPI },
		{ ARM64_MF_GHES_OFF, ARM64_MF_WHY_GHES_OFF },
		{ ARM64_MF_GHES_UNPLACED, ARM64_MF_WHY_UNPLACED },
	};
	struct mf_verdict v;
	char want[MF_REASON_MAX];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (int sea = 0; sea < 2; sea++) {
			assert_int_equal(arm64_mf_decide(&ao, 2, cases[i].ch, sea, &v), 0);
			assert_int_equal(v.action, MF_ACTION_IGNORE);
			assert_true(v.no_ghes);
			assert_string_equal(v.reason, cases[i].why);

			assert_int_equal(arm64_mf_decide(&ar, 2, cases[i].ch, sea, &v), 0);
			assert_int_equal(v.action, MF_ACTION_RESET);
			assert_int_equal(v.cpu, 1);
			assert_true(v.no_ghes);
			snprintf(want, sizeof(want), "%s%s", cases[i].why, ARM64_MF_WHY_RESET);
			assert_string_equal(v.reason, want);
		}
	}
	/* The two a UEFI user meets are told apart. */
	assert_string_equal(ARM64_MF_WHY_UNPLACED,
			    "the firmware has not placed the GHES error status blocks yet (etc/hardware_errors)");
	assert_non_null(strstr(ARM64_MF_WHY_NO_ACPI, "no ACPI (direct kernel boot with a device tree)"));
	/* Every reason fits, reset sentence included (the loop above checked
	 * them whole, too). */
	assert_true(strlen(ARM64_MF_WHY_NO_ACPI ARM64_MF_WHY_RESET) < MF_REASON_MAX);
	assert_true(strlen(ARM64_MF_WHY_GHES_OFF ARM64_MF_WHY_RESET) < MF_REASON_MAX);
	assert_true(strlen(ARM64_MF_WHY_UNPLACED ARM64_MF_WHY_RESET) < MF_REASON_MAX);
	assert_true(strlen(ARM64_MF_WHY_NO_SEA ARM64_MF_WHY_RESET) < MF_REASON_MAX);
}

/* The APEI plan keeps a verdict that says the guest cannot be told, even
 * with --ras ghes; and takes over (a record) when it can. */
static void test_with_apei(void **state)
{
	struct mf_verdict v;
	struct apei_plan p;
	(void)state;

	assert_int_equal(arm64_mf_decide(&ar, 2, ARM64_MF_GHES_UNPLACED, true, &v), 0);
	apei_plan(false, true, &ar, 1, &v, &p);
	assert_false(p.submit);
	assert_int_equal(v.action, MF_ACTION_RESET);
	assert_int_equal(arm64_mf_decide(&ar, 2, ARM64_MF_GHES_READY, true, &v), 0);
	apei_plan(false, true, &ar, 1, &v, &p);
	assert_true(p.submit);
	assert_int_equal(p.source, ACPI_GHES_SOURCE_AR);
	assert_int_equal(v.action, MF_ACTION_INJECT);
	assert_int_equal(arm64_mf_decide(&ao, 2, ARM64_MF_GHES_READY, true, &v), 0);
	apei_plan(false, true, &ao, 1, &v, &p);
	assert_true(p.submit);
	assert_int_equal(p.source, ACPI_GHES_SOURCE_AO);
}

static void test_common_first(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				    .hva = 0x7f0000001000, .lsb = 12, .vcpu = 0 };
	struct mf_verdict v;
	(void)state;

	/* vmras's own memory, and a guest page a non-vCPU thread read, are
	 * decided as on every arch, channel or not. */
	for (int ch = ARM64_MF_GHES_READY; ch <= ARM64_MF_GHES_UNPLACED; ch++) {
		f = (struct memory_failure){ .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
					     .hva = 0x7f0000001000, .lsb = 12, .vcpu = 0 };
		assert_int_equal(arm64_mf_decide(&f, 1, (enum arm64_mf_channel)ch, true, &v), 0);
		assert_int_equal(v.action, MF_ACTION_FATAL);
		assert_false(v.no_ghes);
		f = (struct memory_failure){ .recipient = MF_RECIPIENT_GUEST, .action_required = true,
					     .gpa = 0x40201000, .lsb = 12, .vcpu = -1 };
		assert_int_equal(arm64_mf_decide(&f, 1, (enum arm64_mf_channel)ch, true, &v), 0);
		assert_int_equal(v.action, MF_ACTION_FATAL);
	}
}

static void test_no_such_vcpu(void **state)
{
	struct memory_failure f = ar;
	struct mf_verdict v;
	(void)state;

	f.vcpu = 2;
	assert_int_equal(arm64_mf_decide(&f, 2, ARM64_MF_GHES_READY, true, &v), -1);
	assert_int_equal(arm64_mf_decide(&f, 2, ARM64_MF_NO_ACPI, true, &v), -1);
}

static void expect_member(const struct arm64_mf_detail *d, const char *want)
{
	struct mf_verdict v = { .action = MF_ACTION_INJECT, .cpu = 1 };
	const struct mf_event_arch arch = arm64_mf_event_arch(d);
	const struct mf_event_ghes g = { .source = 0, .what = GHES_WRITE_NOW };
	struct mf_event ev = mf_event_from_decision(&ar, &v, &arch, &g, NULL, 1);
	struct json_object *data = mf_event_data(&ev), *member;

	assert_non_null(data);
	assert_true(json_object_object_get_ex(data, "arm", &member));
	assert_string_equal(json_object_to_json_string_ext(member, JSON_C_TO_STRING_PLAIN), want);
	assert_false(json_object_object_get_ex(data, "machine-check", NULL));
	json_object_put(data);
}

static void test_event_member(void **state)
{
	const struct arm64_mf_detail sea = { .sea = true }, none = { .sea = false };
	(void)state;

	assert_string_equal(arm64_mf_event_arch(&sea).member, "arm");
	expect_member(&sea, "{\"sea\":true}");
	expect_member(&none, "{\"sea\":false}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channel),
		cmocka_unit_test(test_ready),
		cmocka_unit_test(test_no_sea),
		cmocka_unit_test(test_not_told),
		cmocka_unit_test(test_with_apei),
		cmocka_unit_test(test_common_first),
		cmocka_unit_test(test_no_such_vcpu),
		cmocka_unit_test(test_event_member),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
