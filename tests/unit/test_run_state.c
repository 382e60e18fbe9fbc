/* The run-state table, whole: every (from, to) pair against the transitions
 * vmras makes, so a change to the table is a change to this test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "qmp/runstate.h"

#define PRE RUN_STATE_PRELAUNCH
#define RUN RUN_STATE_RUNNING
#define PAU RUN_STATE_PAUSED
#define SHU RUN_STATE_SHUTDOWN
#define PAN RUN_STATE_GUEST_PANICKED
#define ERR RUN_STATE_INTERNAL_ERROR
#define N   RUN_STATE__MAX

/* Why each one exists:
 *   PRE->RUN cont; RUN->PAU stop; PAU->RUN cont; RUN->PAN pvpanic pause;
 *   PAU/PAN/ERR->PRE a reset while not running; any live state->SHU quit,
 *   signal, power-off; any live state->ERR KVM failure. */
static const bool expected[N][N] = {
	[PRE] = { [RUN] = true, [SHU] = true, [ERR] = true },
	[RUN] = { [PAU] = true, [PAN] = true, [SHU] = true, [ERR] = true },
	[PAU] = { [RUN] = true, [PRE] = true, [SHU] = true, [ERR] = true },
	[SHU] = { 0 },
	[PAN] = { [PRE] = true, [SHU] = true, [ERR] = true },
	[ERR] = { [PRE] = true, [SHU] = true },
};

static void test_table(void **state)
{
	(void)state;
	for (int from = 0; from < N; from++)
		for (int to = 0; to < N; to++)
			if (run_state_transition_allowed(from, to) != expected[from][to])
				fail_msg("%s -> %s: table says %d", run_state_name(from), run_state_name(to),
					 run_state_transition_allowed(from, to));
	assert_false(run_state_transition_allowed(N, RUN));
	assert_false(run_state_transition_allowed(RUN, N));
	assert_false(run_state_transition_allowed((enum run_state)-1, RUN));
}

static void test_names(void **state)
{
	/* QEMU's RunState spelling: clients compare these strings. */
	static const char *const want[N] = { "prelaunch", "running", "paused", "shutdown", "guest-panicked",
					     "internal-error" };
	(void)state;
	for (int s = 0; s < N; s++)
		assert_string_equal(run_state_name(s), want[s]);
	assert_null(run_state_name(N));
}

static void test_predicates(void **state)
{
	(void)state;
	for (int s = 0; s < N; s++) {
		assert_int_equal(run_state_is_running(s), s == RUN);
		assert_int_equal(run_state_needs_reset(s), s == SHU || s == PAN || s == ERR);
		/* Every reset lands on a state the table can reach from there. */
		enum run_state after = run_state_after_reset(s);
		assert_int_equal(after, s == RUN ? RUN : PRE);
		if (after != (enum run_state)s && s != SHU)
			assert_true(run_state_transition_allowed(s, after));
	}
	/* Every state but shutdown can still be left by cont or a reset. */
	for (int s = 0; s < N; s++)
		if (s != SHU && s != RUN)
			assert_true(run_state_transition_allowed(s, run_state_after_reset(s)) ||
				    run_state_transition_allowed(s, RUN));
}

static void test_causes(void **state)
{
	(void)state;
	assert_string_equal(shutdown_cause_name(SHUTDOWN_CAUSE_HOST_QMP_QUIT), "host-qmp-quit");
	assert_string_equal(shutdown_cause_name(SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET), "host-qmp-system-reset");
	assert_string_equal(shutdown_cause_name(SHUTDOWN_CAUSE_HOST_SIGNAL), "host-signal");
	assert_string_equal(shutdown_cause_name(SHUTDOWN_CAUSE_GUEST_SHUTDOWN), "guest-shutdown");
	assert_string_equal(shutdown_cause_name(SHUTDOWN_CAUSE_GUEST_RESET), "guest-reset");
	assert_string_equal(shutdown_cause_name(SHUTDOWN_CAUSE_GUEST_PANIC), "guest-panic");
	assert_null(shutdown_cause_name(SHUTDOWN_CAUSE__MAX));
	for (int c = 0; c < SHUTDOWN_CAUSE__MAX; c++)
		assert_int_equal(shutdown_cause_by_guest(c), !strncmp(shutdown_cause_name(c), "guest-", 6));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_predicates),
		cmocka_unit_test(test_causes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
