/* The machine commands through a session: argument checking (in QEMU 7.2's
 * words, found by experiment), the backend calls they make, and the errors
 * when there is no backend or the backend refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/memory_failures.h"
#include "qmp/runstate.h"
#include "ras/poison.h"
#include "qmp_harness.h"

/* A fake VM whose state follows the real table. */
struct fake {
	enum run_state state;
	int stops, conts, resets;
};

static const char *fake_state(void *opaque, bool *running)
{
	struct fake *f = opaque;
	*running = run_state_is_running(f->state);
	return run_state_name(f->state);
}

static int fake_stop(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	(void)err;
	f->stops++;
	if (f->state == RUN_STATE_RUNNING)
		f->state = RUN_STATE_PAUSED;
	return 0;
}

static int fake_cont(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	f->conts++;
	if (run_state_needs_reset(f->state)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "Resetting the Virtual Machine is required");
		return -1;
	}
	f->state = RUN_STATE_RUNNING;
	return 0;
}

static int fake_reset(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	(void)err;
	f->resets++;
	f->state = run_state_after_reset(f->state);
	return 0;
}

static struct poison_registry *registry;

static struct json_object *fake_memory_failures(void *opaque, struct qmp_error *err)
{
	(void)opaque;
	if (!registry) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no registry");
		return NULL;
	}
	return qmp_memory_failures(registry);
}

static struct fake vm;
static const struct qmp_backend backend = {
	.opaque = &vm, .run_state = fake_state, .stop = fake_stop, .cont = fake_cont, .system_reset = fake_reset,
	.memory_failures = fake_memory_failures,
};

static struct qmp_session *ready(const struct qmp_backend *b)
{
	struct qmp_session_config cfg = { .backend = b, .package = "vmras-test" };
	struct qmp_session *s = qmp_session_new(&cfg);

	assert_non_null(s);
	json_object_put(take_reply(s));
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	return s;
}

static void expect_empty_return(struct qmp_session *s, const char *input)
{
	struct json_object *r = expect_return(s, input);
	assert_int_equal(json_object_get_type(r), json_type_object);
	assert_int_equal(json_object_object_length(r), 0);
	json_object_put(r);
}

static void expect_status(struct qmp_session *s, const char *status, bool running)
{
	struct json_object *r = expect_return(s, "{\"execute\":\"query-status\"}");
	assert_string_equal(json_object_get_string(member(r, "status")), status);
	assert_int_equal(json_object_get_boolean(member(r, "running")), running);
	json_object_put(r);
}

static void test_stop_cont(void **state)
{
	struct qmp_session *s = ready(&backend);
	(void)state;

	vm = (struct fake){ .state = RUN_STATE_PRELAUNCH };
	expect_status(s, "prelaunch", false);
	expect_empty_return(s, "{\"execute\":\"cont\"}");
	expect_status(s, "running", true);
	expect_empty_return(s, "{\"execute\":\"stop\",\"arguments\":{}}");
	expect_status(s, "paused", false);
	expect_empty_return(s, "{\"execute\":\"stop\"}");
	expect_empty_return(s, "{\"execute\":\"cont\"}");
	assert_int_equal(vm.stops, 2);
	assert_int_equal(vm.conts, 2);

	vm.state = RUN_STATE_GUEST_PANICKED;
	expect_error(s, "{\"execute\":\"cont\"}", "GenericError", "Resetting the Virtual Machine is required");
	expect_status(s, "guest-panicked", false);
	/* QEMU's way out of a panic: reset, which leaves the VM in prelaunch, then cont. */
	expect_empty_return(s, "{\"execute\":\"system_reset\"}");
	expect_status(s, "prelaunch", false);
	expect_empty_return(s, "{\"execute\":\"cont\"}");
	expect_status(s, "running", true);
	expect_empty_return(s, "{\"execute\":\"system_reset\",\"arguments\":{}}");
	expect_status(s, "running", true);
	assert_int_equal(vm.resets, 2);
	qmp_session_free(s);
}

static void test_stop_cont_args(void **state)
{
	struct qmp_session *s = ready(&backend);
	(void)state;

	vm = (struct fake){ .state = RUN_STATE_RUNNING };
	expect_error(s, "{\"execute\":\"stop\",\"arguments\":{\"x\":1}}", "GenericError", "Parameter 'x' is unexpected");
	expect_error(s, "{\"execute\":\"cont\",\"arguments\":{\"x\":1}}", "GenericError", "Parameter 'x' is unexpected");
	expect_error(s, "{\"execute\":\"system_reset\",\"arguments\":{\"x\":1}}", "GenericError",
		     "Parameter 'x' is unexpected");
	expect_error(s, "{\"execute\":\"stop\",\"arguments\":[]}", "GenericError",
		     "QMP input member 'arguments' must be an object");
	/* Refused commands never reach the VM. */
	assert_int_equal(vm.stops + vm.conts + vm.resets, 0);
	qmp_session_free(s);
}

static void record(uint64_t gpa, unsigned lsb, bool ar, enum mf_action action, uint64_t ns)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = ar, .gpa = gpa,
				    .hva = 0x7f0000000000ULL + gpa, .lsb = lsb, .vcpu = -1, .region = "ram-below-4g" };
	assert_true(poison_record(registry, &f, action, ns, NULL) >= 0);
}

static void test_query_memory_failures(void **state)
{
	struct qmp_session *s = ready(&backend);
	struct json_object *r, *e;
	(void)state;

	registry = poison_new();
	assert_non_null(registry);
	r = expect_return(s, "{\"execute\":\"query-memory-failures\"}");
	assert_int_equal(json_object_array_length(r), 0);
	json_object_put(r);

	record(0x12345000, 12, false, MF_ACTION_INJECT, 1000001000);
	record(0x12345000, 12, true, MF_ACTION_INJECT, 3000002000);
	record(0x40000000, 21, false, MF_ACTION_IGNORE, 5000000000);
	struct memory_failure own = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				      .hva = 0x7f1000000000ULL, .lsb = 12, .vcpu = -1 };
	assert_true(poison_record(registry, &own, MF_ACTION_FATAL, 6000000000, NULL) >= 0);

	r = expect_return(s, "{\"execute\":\"query-memory-failures\",\"arguments\":{}}");
	assert_int_equal(json_object_array_length(r), 3);
	e = json_object_array_get_idx(r, 0);
	assert_string_equal(json_object_get_string(member(e, "recipient")), "guest");
	assert_true(json_object_get_uint64(member(e, "guest-physical-address")) == 0x12345000);
	assert_true(json_object_get_uint64(member(e, "host-virtual-address")) == 0x7f0012345000ULL);
	assert_int_equal(json_object_get_uint64(member(e, "size")), 4096);
	assert_string_equal(json_object_get_string(member(e, "ram-region")), "ram-below-4g");
	assert_int_equal(json_object_get_int64(member(member(e, "first-seen"), "seconds")), 1);
	assert_int_equal(json_object_get_int64(member(member(e, "first-seen"), "microseconds")), 1);
	assert_int_equal(json_object_get_int64(member(member(e, "last-seen"), "seconds")), 3);
	assert_int_equal(json_object_get_int64(member(member(e, "last-seen"), "microseconds")), 2);
	assert_int_equal(json_object_get_int64(member(e, "count")), 2);
	assert_true(json_object_get_boolean(member(e, "action-required")));
	assert_string_equal(json_object_get_string(member(e, "action")), "inject");
	assert_false(json_object_get_boolean(member(e, "replaced")));
	assert_int_equal(json_object_object_length(e), 11);

	e = json_object_array_get_idx(r, 1);
	assert_int_equal(json_object_get_uint64(member(e, "size")), 2 << 20);
	assert_false(json_object_get_boolean(member(e, "action-required")));
	assert_string_equal(json_object_get_string(member(e, "action")), "ignore");

	/* vmras's own memory: no guest address, no region. */
	e = json_object_array_get_idx(r, 2);
	assert_string_equal(json_object_get_string(member(e, "recipient")), "hypervisor");
	assert_false(json_object_object_get_ex(e, "guest-physical-address", NULL));
	assert_false(json_object_object_get_ex(e, "ram-region", NULL));
	assert_string_equal(json_object_get_string(member(e, "action")), "fatal");
	json_object_put(r);

	expect_error(s, "{\"execute\":\"query-memory-failures\",\"arguments\":{\"gpa\":1}}", "GenericError",
		     "Parameter 'gpa' is unexpected");
	poison_free(registry);
	registry = NULL;
	expect_error(s, "{\"execute\":\"query-memory-failures\"}", "GenericError", "no registry");
	qmp_session_free(s);
}

static void test_no_backend(void **state)
{
	static const struct qmp_backend empty = { 0 };
	const struct qmp_backend *backends[] = { NULL, &empty };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct qmp_session *s = ready(backends[i]);
		expect_error(s, "{\"execute\":\"stop\"}", "GenericError", "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"cont\"}", "GenericError", "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"system_reset\"}", "GenericError",
			     "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"query-memory-failures\"}", "GenericError",
			     "this monitor has no virtual machine, so no memory failures");
		qmp_session_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_cont),
		cmocka_unit_test(test_stop_cont_args),
		cmocka_unit_test(test_query_memory_failures),
		cmocka_unit_test(test_no_backend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
