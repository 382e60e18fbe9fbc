/* GUEST_PANICKED, GUEST_CRASHLOADED and GUEST_PVSHUTDOWN in QEMU's shapes,
 * and the --on-panic action names. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ras/guest_panic.h"
#include "ras/qmp_event.h"

#define T0 1700000000123456789ULL   /* 1700000000 s, 123456 us */

static char *line_of(struct json_object *ev)
{
	size_t len = 0;
	char *line;

	assert_non_null(ev);
	line = qmp_event_line(ev, &len);
	json_object_put(ev);
	assert_non_null(line);
	assert_int_equal(strlen(line), len);
	return line;
}

/* The exact line: member order is the envelope's (event, data, timestamp). */
static void assert_line(struct json_object *ev, const char *want)
{
	char *line = line_of(ev);

	assert_string_equal(line, want);
	free(line);
}

static void test_panicked(void **state)
{
	(void)state;
	assert_line(guest_panicked_event(GUEST_PANIC_PAUSE, T0),
		"{\"event\":\"GUEST_PANICKED\",\"data\":{\"action\":\"pause\"},"
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
	assert_line(guest_panicked_event(GUEST_PANIC_POWEROFF, T0),
		"{\"event\":\"GUEST_PANICKED\",\"data\":{\"action\":\"poweroff\"},"
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
	assert_line(guest_panicked_event(GUEST_PANIC_RUN, T0),
		"{\"event\":\"GUEST_PANICKED\",\"data\":{\"action\":\"run\"},"
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
}

static void test_crashloaded(void **state)
{
	(void)state;
	assert_line(guest_crashloaded_event(T0),
		"{\"event\":\"GUEST_CRASHLOADED\",\"data\":{\"action\":\"run\"},"
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
}

static void test_pvshutdown_has_no_data(void **state)
{
	(void)state;
	assert_line(guest_pvshutdown_event(T0),
		"{\"event\":\"GUEST_PVSHUTDOWN\","
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
}

static void test_out_of_range(void **state)
{
	(void)state;
	assert_null(guest_panicked_event((enum guest_panic_action)3, T0));
	assert_null(guest_panicked_event((enum guest_panic_action)-1, T0));
	assert_null(guest_panic_action_name((enum guest_panic_action)3));
}

static void test_action_names(void **state)
{
	enum guest_panic_action a = GUEST_PANIC_RUN;
	(void)state;
	/* QEMU's default: -action panic=shutdown, shutdown=poweroff. */
	assert_int_equal(GUEST_PANIC_DEFAULT, GUEST_PANIC_POWEROFF);
	assert_int_equal(GUEST_PANIC_DEFAULT, 0);
	assert_int_equal(guest_panic_action_parse("pause", &a), 0);
	assert_int_equal(a, GUEST_PANIC_PAUSE);
	assert_int_equal(guest_panic_action_parse("poweroff", &a), 0);
	assert_int_equal(a, GUEST_PANIC_POWEROFF);
	assert_int_equal(guest_panic_action_parse("run", &a), 0);
	assert_int_equal(a, GUEST_PANIC_RUN);
	a = GUEST_PANIC_PAUSE;
	static const char *const bad[] = { "", "Pause", "shutdown", "none", "run ", "pauses", "exit-failure" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(guest_panic_action_parse(bad[i], &a), -1);
		assert_int_equal(a, GUEST_PANIC_PAUSE);
	}
	assert_int_equal(guest_panic_action_parse(NULL, &a), -1);
	for (int i = 0; i < 3; i++) {
		enum guest_panic_action b;
		assert_int_equal(guest_panic_action_parse(guest_panic_action_name(i), &b), 0);
		assert_int_equal(b, i);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_panicked),
		cmocka_unit_test(test_crashloaded),
		cmocka_unit_test(test_pvshutdown_has_no_data),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_action_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
