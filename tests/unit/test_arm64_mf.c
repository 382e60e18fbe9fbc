/* The arm64 memory-failure verdict while an arm64 guest cannot be told
 * (arm64/mf.h): ignore what no vCPU consumed, reset for what one did. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "arm64/mf.h"

static void test_action_optional(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .gpa = 0x40201000, .lsb = 12, .vcpu = -1 };
	struct mf_verdict v;
	(void)state;

	assert_int_equal(arm64_mf_decide(&f, 2, &v), 0);
	assert_int_equal(v.action, MF_ACTION_IGNORE);
	assert_int_equal(v.cpu, -1);
	assert_string_equal(v.reason, "arm64 guests are not told of memory errors yet");
	/* A vCPU's thread may take an AO too (early kill goes to one thread). */
	f.vcpu = 1;
	assert_int_equal(arm64_mf_decide(&f, 2, &v), 0);
	assert_int_equal(v.action, MF_ACTION_IGNORE);
	assert_int_equal(v.cpu, 1);
}

static void test_action_required(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x40201000, .lsb = 12, .vcpu = 1 };
	struct mf_verdict v;
	(void)state;

	assert_int_equal(arm64_mf_decide(&f, 2, &v), 0);
	assert_int_equal(v.action, MF_ACTION_RESET);
	assert_int_equal(v.cpu, 1);
	assert_false(v.recursive);
	assert_string_equal(v.reason, "arm64 guests are not told of memory errors yet; the vCPU would fault "
			    "on the page for ever, so the guest is reset and the page replaced");
}

static void test_common_first(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				    .hva = 0x7f0000001000, .lsb = 12, .vcpu = 0 };
	struct mf_verdict v;
	(void)state;

	/* vmras's own memory, and a guest page a non-vCPU thread read, are
	 * decided as on every arch. */
	assert_int_equal(arm64_mf_decide(&f, 1, &v), 0);
	assert_int_equal(v.action, MF_ACTION_FATAL);
	f = (struct memory_failure){ .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				     .gpa = 0x40201000, .lsb = 12, .vcpu = -1 };
	assert_int_equal(arm64_mf_decide(&f, 1, &v), 0);
	assert_int_equal(v.action, MF_ACTION_FATAL);
}

static void test_no_such_vcpu(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x40201000, .lsb = 12, .vcpu = 2 };
	struct mf_verdict v;
	(void)state;

	assert_int_equal(arm64_mf_decide(&f, 2, &v), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_action_optional),
		cmocka_unit_test(test_action_required),
		cmocka_unit_test(test_common_first),
		cmocka_unit_test(test_no_such_vcpu),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
