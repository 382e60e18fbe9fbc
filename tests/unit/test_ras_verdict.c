/* The verdicts every arch shares, made before any arch is asked: vmras's own
 * memory, and guest memory read by a thread that is not a vCPU. The texts
 * are checked through x86's decision in test_ras_mce.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "ras/verdict.h"

static void test_hypervisor(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				    .hva = 0x5555deadb000, .lsb = 12, .vcpu = 2 };
	struct mf_verdict v;
	(void)state;

	assert_true(mf_verdict_common(&f, &v));
	assert_int_equal(v.action, MF_ACTION_FATAL);
	assert_int_equal(v.cpu, 2);
	f.action_required = false;
	assert_true(mf_verdict_common(&f, &v));
	assert_int_equal(v.action, MF_ACTION_IGNORE);
	assert_false(v.recursive);
}

static void test_guest(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x12345000, .lsb = 12, .vcpu = -1 };
	struct mf_verdict v;
	(void)state;

	/* No vCPU consumed it: nobody to tell, whatever the arch. */
	assert_true(mf_verdict_common(&f, &v));
	assert_int_equal(v.action, MF_ACTION_FATAL);
	assert_string_equal(v.reason, "a vmras thread that is not a vCPU read poisoned guest memory "
			    "(4 KiB at 0x12345000): it cannot continue");
	/* Everything else is the arch's to decide; v is left clear for it. */
	f.vcpu = 1;
	assert_false(mf_verdict_common(&f, &v));
	assert_int_equal(v.cpu, 1);
	assert_string_equal(v.reason, "");
	f.action_required = false;
	f.vcpu = -1;
	assert_false(mf_verdict_common(&f, &v));
	assert_int_equal(v.cpu, -1);
}

static void test_size_name(void **state)
{
	char buf[16];
	(void)state;

	assert_string_equal(mf_size_name(12, buf, sizeof(buf)), "4 KiB");
	assert_string_equal(mf_size_name(21, buf, sizeof(buf)), "2 MiB");
	assert_string_equal(mf_size_name(5, buf, sizeof(buf)), "32 B");
	assert_string_equal(mf_size_name(63, buf, sizeof(buf)), "8 EiB");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hypervisor),
		cmocka_unit_test(test_guest),
		cmocka_unit_test(test_size_name),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
