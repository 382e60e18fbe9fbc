/* The command and event tables, and argument checking against them: every
 * type, every error in QEMU's words, nested and array members, and the
 * MEMORY_FAILURE events the RAS core builds checked against their table
 * entry, so the documented event is the emitted one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "qmp/args.h"
#include "qmp/runstate.h"
#include "qmp_harness.h"
#include "ras/event.h"
#include "x86/mce_event.h"
#include "arm64/mf.h"
#include "ras/guest_panic.h"

/* The event the RAS path sends for an x86 decision told by machine check. */
static struct mf_event x86_event(const struct memory_failure *f, const struct mce_decision *d,
				 const struct poison_entry *pe, uint64_t t)
{
	struct mf_event ev = mf_event_from_verdict(f, &d->v, pe, t);

	ev.arch = mce_event_arch(&d->mce);
	return ev;
}

static void check_members_valid(const struct qmp_member *members, const char *owner)
{
	for (const struct qmp_member *m = members; m && m->name; m++) {
		if (!m->doc)
			fail_msg("%s.%s has no doc", owner, m->name);
		for (const struct qmp_member *o = members; o < m; o++)
			if (!strcmp(o->name, m->name))
				fail_msg("%s: member %s twice", owner, m->name);
		if (m->type == QMP_T_ENUM && (!m->values || !m->values[0] || !m->type_name))
			fail_msg("%s.%s: an enum needs values and a type name", owner, m->name);
		if (m->type == QMP_T_OBJECT) {
			if (!m->members || !m->type_name)
				fail_msg("%s.%s: an object needs members and a type name", owner, m->name);
			check_members_valid(m->members, m->name);
		}
	}
}

static void test_tables(void **state)
{
	(void)state;
	assert_true(qmp_ncommands > 0);
	for (size_t i = 0; i < qmp_ncommands; i++) {
		const struct qmp_command *c = &qmp_commands[i];
		if (!c->handler || !c->doc || !c->doc[0] || !c->returns)
			fail_msg("command %s lacks a handler, doc or returns", c->name);
		assert_ptr_equal(qmp_command_find(qmp_commands, qmp_ncommands, c->name), c);
		check_members_valid(c->args, c->name);
	}
	/* Only qmp_capabilities may run before negotiation. */
	for (size_t i = 0; i < qmp_ncommands; i++)
		assert_int_equal(!!(qmp_commands[i].flags & QMP_CMD_NEGOTIATION),
				 !strcmp(qmp_commands[i].name, "qmp_capabilities"));
	assert_null(qmp_command_find(qmp_commands, qmp_ncommands, "query-nothing"));
	for (size_t i = 0; i < qmp_nevents; i++) {
		assert_non_null(qmp_events[i].doc);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(qmp_events[i].name, qmp_events[j].name);
		check_members_valid(qmp_events[i].data, qmp_events[i].name);
	}
}

static const char *const colours[] = { "red", "green", NULL };

static const struct qmp_member inner[] = {
	{ .name = "x", .type = QMP_T_INT, .doc = "" },
	{ .name = "y", .type = QMP_T_STR, .optional = true, .doc = "" },
	{ 0 },
};

static const struct qmp_member all_types[] = {
	{ .name = "s", .type = QMP_T_STR, .doc = "" },
	{ .name = "i", .type = QMP_T_INT, .doc = "" },
	{ .name = "u", .type = QMP_T_UINT64, .optional = true, .doc = "" },
	{ .name = "b", .type = QMP_T_BOOL, .optional = true, .doc = "" },
	{ .name = "n", .type = QMP_T_NUMBER, .optional = true, .doc = "" },
	{ .name = "e", .type = QMP_T_ENUM, .optional = true, .type_name = "Colour", .values = colours, .doc = "" },
	{ .name = "l", .type = QMP_T_INT, .array = true, .optional = true, .doc = "" },
	{ .name = "o", .type = QMP_T_OBJECT, .optional = true, .type_name = "Inner", .members = inner, .doc = "" },
	{ .name = "a", .type = QMP_T_ANY, .optional = true, .doc = "" },
	{ 0 },
};

/* args (JSON text) against all_types: NULL expected means it conforms. */
static void check(const char *args, const char *expected)
{
	struct json_object *o = json_tokener_parse(args);
	struct qmp_error err = { 0 };
	bool ok;

	assert_non_null(o);
	ok = qmp_args_check(o, all_types, &err);
	if (!expected && !ok)
		fail_msg("%s: unexpected error \"%s\"", args, err.desc);
	if (expected && ok)
		fail_msg("%s: accepted, expected \"%s\"", args, expected);
	if (expected) {
		assert_int_equal(err.cls, QMP_ERR_GENERIC);
		if (strcmp(err.desc, expected))
			fail_msg("%s: \"%s\", expected \"%s\"", args, err.desc, expected);
	}
	qmp_error_clear(&err);
	json_object_put(o);
}

static void test_argument_types(void **state)
{
	(void)state;
	check("{\"s\":\"\",\"i\":0}", NULL);
	check("{\"s\":\"x\",\"i\":-9223372036854775808,\"u\":18446744073709551615,\"b\":false,\"n\":1.5,"
	      "\"e\":\"green\",\"l\":[1,2,3],\"o\":{\"x\":1,\"y\":\"z\"},\"a\":null}", NULL);
	check("{\"s\":\"x\",\"i\":9223372036854775807,\"n\":7,\"l\":[],\"a\":[{}]}", NULL);

	/* Missing, in schema order, before anything unexpected. */
	check("{}", "Parameter 's' is missing");
	check("{\"s\":\"x\",\"zz\":1}", "Parameter 'i' is missing");
	check("{\"zz\":1,\"i\":1}", "Parameter 's' is missing");
	check("{\"s\":\"x\",\"i\":1,\"zz\":1}", "Parameter 'zz' is unexpected");
	/* Wrong types: QEMU's "expected" words. A null is no value for any type but any. */
	check("{\"s\":1,\"i\":1}", "Invalid parameter type for 's', expected: string");
	check("{\"s\":null,\"i\":1}", "Invalid parameter type for 's', expected: string");
	check("{\"s\":\"x\",\"i\":\"1\"}", "Invalid parameter type for 'i', expected: integer");
	check("{\"s\":\"x\",\"i\":1.5}", "Invalid parameter type for 'i', expected: integer");
	check("{\"s\":\"x\",\"i\":9223372036854775808}", "Invalid parameter type for 'i', expected: integer");
	check("{\"s\":\"x\",\"i\":18446744073709551615}", "Invalid parameter type for 'i', expected: integer");
	check("{\"s\":\"x\",\"i\":1,\"u\":-1}", "Invalid parameter type for 'u', expected: integer");
	check("{\"s\":\"x\",\"i\":1,\"b\":1}", "Invalid parameter type for 'b', expected: boolean");
	check("{\"s\":\"x\",\"i\":1,\"n\":\"1\"}", "Invalid parameter type for 'n', expected: number");
	check("{\"s\":\"x\",\"i\":1,\"e\":1}", "Invalid parameter type for 'e', expected: string");
	check("{\"s\":\"x\",\"i\":1,\"e\":\"blue\"}", "Parameter 'e' does not accept value 'blue'");
	check("{\"s\":\"x\",\"i\":1,\"l\":1}", "Invalid parameter type for 'l', expected: array");
	check("{\"s\":\"x\",\"i\":1,\"l\":[1,\"2\"]}", "Invalid parameter type for 'l[1]', expected: integer");
	check("{\"s\":\"x\",\"i\":1,\"o\":[]}", "Invalid parameter type for 'o', expected: object");
	/* Nested members are named as QEMU names them. */
	check("{\"s\":\"x\",\"i\":1,\"o\":{}}", "Parameter 'o.x' is missing");
	check("{\"s\":\"x\",\"i\":1,\"o\":{\"x\":true}}", "Invalid parameter type for 'o.x', expected: integer");
	check("{\"s\":\"x\",\"i\":1,\"o\":{\"x\":1,\"w\":1}}", "Parameter 'o.w' is unexpected");

	/* No members: anything given is unexpected; nothing given is fine. */
	struct qmp_error err = { 0 };
	struct json_object *o = json_tokener_parse("{\"k\":1}");
	assert_true(qmp_args_check(NULL, NULL, &err));
	assert_false(qmp_args_check(o, NULL, &err));
	assert_string_equal(err.desc, "Parameter 'k' is unexpected");
	qmp_error_clear(&err);
	/* The first error is the one kept. */
	qmp_error_set(&err, QMP_ERR_COMMAND_NOT_FOUND, "first");
	qmp_error_set(&err, QMP_ERR_GENERIC, "second");
	assert_string_equal(err.desc, "first");
	assert_string_equal(qmp_error_class_name(err.cls), "CommandNotFound");
	qmp_error_clear(&err);
	json_object_put(o);
}

static int handled;

static struct json_object *echo_handler(struct qmp_session *s, struct json_object *args, struct qmp_error *err)
{
	(void)s;
	(void)err;
	handled++;
	return args ? json_object_get(args) : json_object_new_object();
}

static struct json_object *failing_handler(struct qmp_session *s, struct json_object *args, struct qmp_error *err)
{
	(void)s;
	(void)args;
	qmp_error_set(err, QMP_ERR_DEVICE_NOT_FOUND, "no such device");
	return NULL;
}

/* A session over a table of its own: argument checks reach the client, and a
 * handler runs only with conforming arguments. */
static void test_dispatch_checks(void **state)
{
	static const struct qmp_command table[] = {
		{ .name = "qmp_capabilities", .handler = echo_handler, .flags = QMP_CMD_NEGOTIATION,
		  .returns = "", .doc = "" },
		{ .name = "typed", .args = all_types, .handler = echo_handler, .returns = "", .doc = "" },
		{ .name = "broken", .handler = failing_handler, .returns = "", .doc = "" },
	};
	struct qmp_session_config cfg = { .commands = table, .ncommands = 3 };
	struct qmp_session *s = qmp_session_new(&cfg);
	struct json_object *r;
	(void)state;

	json_object_put(take_reply(s));
	/* This table's qmp_capabilities does not enter command mode. */
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	expect_error(s, "{\"execute\":\"typed\"}", "CommandNotFound", NULL);
	qmp_session_enter_command_mode(s);
	handled = 0;
	expect_error(s, "{\"execute\":\"typed\"}", "GenericError", "Parameter 's' is missing");
	expect_error(s, "{\"execute\":\"typed\",\"arguments\":{\"s\":\"a\"}}", "GenericError",
		     "Parameter 'i' is missing");
	expect_error(s, "{\"execute\":\"typed\",\"arguments\":{\"s\":\"a\",\"i\":1,\"e\":\"x\"}}", "GenericError",
		     "Parameter 'e' does not accept value 'x'");
	assert_int_equal(handled, 0);
	r = expect_return(s, "{\"execute\":\"typed\",\"arguments\":{\"s\":\"a\",\"i\":1}}");
	assert_int_equal(handled, 1);
	assert_string_equal(json_object_get_string(member(r, "s")), "a");
	json_object_put(r);
	expect_error(s, "{\"execute\":\"broken\"}", "DeviceNotFound", "no such device");
	/* vmras's own commands are not in this table. */
	expect_error(s, "{\"execute\":\"query-version\"}", "CommandNotFound",
		     "The command query-version has not been found");
	qmp_session_free(s);
}

static const struct qmp_event_spec *event_spec(const char *name)
{
	for (size_t i = 0; i < qmp_nevents; i++)
		if (!strcmp(qmp_events[i].name, name))
			return &qmp_events[i];
	fail_msg("no event %s in the table", name);
	return NULL;
}

/* Takes e. An event without data has no data member, and none in the table. */
static void assert_conforms(struct json_object *e)
{
	struct qmp_error err = { 0 };
	struct json_object *data = NULL;

	assert_non_null(e);
	const struct qmp_event_spec *spec = event_spec(json_object_get_string(member(e, "event")));
	if (!json_object_object_get_ex(e, "data", &data))
		assert_null(spec->data);
	if (!qmp_args_check(data, spec->data, &err))
		fail_msg("%s does not match the table: %s", json_object_to_json_string(e), err.desc);
	json_object_put(e);
}

static void assert_event_conforms(const struct mf_event *ev)
{
	assert_conforms(mf_event_new(ev));
}

static void test_memory_failure_event(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x12345678, .hva = 0x7f0012345678ULL, .lsb = 12, .vcpu = 1,
				    .region = "ram-below-4g" };
	struct mce_decision d = { .v = { .action = MF_ACTION_INJECT, .cpu = 1 }, .mce = { .blocker = -1,
				  .rec = { .bank = 9, .status = 0xBD80000000000134ULL, .mcg_status = 7,
					   .addr = 0x12345000, .misc = 0x8c },
				  .outcome = MCE_OUTCOME_RAISED, .broadcast = true } };
	struct poison_entry pe = { .count = 3 };
	(void)state;

	struct mf_event ev = x86_event(&f, &d, &pe, 1);
	assert_event_conforms(&ev);
	d.mce.outcome = MCE_OUTCOME_LOGGED;
	ev = x86_event(&f, &d, NULL, 1);
	assert_event_conforms(&ev);

	struct mce_decision reset = { .v = { .action = MF_ACTION_RESET, .recursive = true, .cpu = 0,
					     .reason = "CPU 0: Previous MCE still in progress" },
				      .mce.blocker = -1 };
	ev = x86_event(&f, &reset, NULL, 1);
	assert_event_conforms(&ev);

	struct memory_failure own = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				      .hva = 0x7f0000001000ULL, .lsb = 21, .vcpu = -1 };
	struct mce_decision fatal = { .v = { .action = MF_ACTION_FATAL, .cpu = -1, .reason = "vmras's own memory" } };
	ev = x86_event(&own, &fatal, &pe, 1);
	assert_event_conforms(&ev);

	/* With a GHES record, machine check or not, in every delivery. */
	const struct mf_event_arch arch = mce_event_arch(&d.mce);
	for (enum ghes_submit w = GHES_WRITE_NOW; w <= GHES_INVALID; w++) {
		struct mf_event_ghes g = { .source = 0, .what = w, .waiting = 2 };
		ev = mf_event_from_decision(&f, &d.v, &arch, &g, &pe, 1);
		assert_event_conforms(&ev);
		ev = mf_event_from_decision(&f, &d.v, NULL, &g, NULL, 1);
		assert_event_conforms(&ev);
	}
	/* arm64's member, with the record it goes with. */
	for (int sea = 0; sea < 2; sea++) {
		const struct arm64_mf_detail ad = { .sea = sea };
		const struct mf_event_arch arm = arm64_mf_event_arch(&ad);
		struct mf_event_ghes g = { .source = sea ? 0 : 1, .what = GHES_WRITE_NOW };
		ev = mf_event_from_decision(&f, &d.v, &arm, &g, &pe, 1);
		assert_event_conforms(&ev);
	}
}

static void test_panic_events(void **state)
{
	(void)state;
	assert_conforms(guest_panicked_event(GUEST_PANIC_PAUSE, 1));
	assert_conforms(guest_panicked_event(GUEST_PANIC_POWEROFF, 1));
	assert_conforms(guest_panicked_event(GUEST_PANIC_RUN, 1));
	assert_conforms(guest_crashloaded_event(1));
	assert_conforms(guest_pvshutdown_event(1));
}

static void test_run_state_events(void **state)
{
	(void)state;
	assert_conforms(run_state_stop_event(1));
	assert_conforms(run_state_resume_event(1));
	assert_conforms(run_state_powerdown_event(1));
	for (enum shutdown_cause c = 0; c < SHUTDOWN_CAUSE__MAX; c++) {
		assert_conforms(run_state_reset_event(c, 1));
		assert_conforms(run_state_shutdown_event(c, 1));
	}
	assert_null(run_state_reset_event(SHUTDOWN_CAUSE__MAX, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_argument_types),
		cmocka_unit_test(test_dispatch_checks),
		cmocka_unit_test(test_memory_failure_event),
		cmocka_unit_test(test_panic_events),
		cmocka_unit_test(test_run_state_events),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
