/* The QMP session: greeting, negotiation, dispatch, every kind of bad input
 * (with QEMU 7.2's words, found by experiment against it), id echo, input
 * in any split, recovery after errors, and the input and output bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "qmp_harness.h"

static int quits;

static void fake_quit(void *opaque)
{
	(void)opaque;
	quits++;
}

static const char *fake_state(void *opaque, bool *running)
{
	(void)opaque;
	*running = false;
	return "prelaunch";
}

static const struct qmp_backend backend = { .quit = fake_quit, .run_state = fake_state };

static struct qmp_session *fresh(size_t max_input, size_t max_output)
{
	struct qmp_session_config cfg = {
		.backend = &backend, .package = "vmras-test", .max_input = max_input, .max_output = max_output,
	};
	struct qmp_session *s = qmp_session_new(&cfg);
	struct json_object *g;

	assert_non_null(s);
	g = take_reply(s);
	assert_non_null(g);
	json_object_put(g);
	return s;
}

/* A session past negotiation. */
static struct qmp_session *ready(void)
{
	struct qmp_session *s = fresh(0, 0);
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	return s;
}

static void test_greeting(void **state)
{
	struct qmp_session_config cfg = { .package = "vmras 9.9" };
	struct qmp_session *s = qmp_session_new(&cfg);
	size_t len;
	(void)state;

	/* Queued at once, one CRLF-terminated line. */
	const char *out = qmp_session_output(s, &len);
	assert_non_null(out);
	assert_memory_equal(out + len - 2, "\r\n", 2);
	struct json_object *g = take_reply(s);
	assert_int_equal(json_object_object_length(g), 1);
	struct json_object *qmp = member(g, "QMP");
	assert_int_equal(json_object_object_length(qmp), 2);
	struct json_object *v = member(qmp, "version");
	assert_int_equal(json_object_get_int(member(member(v, "qemu"), "major")), QMP_QEMU_MAJOR);
	assert_int_equal(json_object_get_int(member(member(v, "qemu"), "minor")), QMP_QEMU_MINOR);
	assert_int_equal(json_object_get_int(member(member(v, "qemu"), "micro")), QMP_QEMU_MICRO);
	assert_string_equal(json_object_get_string(member(v, "package")), "vmras 9.9");
	assert_true(json_object_is_type(member(qmp, "capabilities"), json_type_array));
	assert_int_equal(json_object_array_length(member(qmp, "capabilities")), 0);
	json_object_put(g);
	assert_null(qmp_session_output(s, &len));
	assert_false(qmp_session_command_mode(s));
	qmp_session_free(s);
}

static void test_negotiation(void **state)
{
	struct qmp_session *s = fresh(0, 0);
	const char *neg = "Expecting capabilities negotiation with 'qmp_capabilities'";
	(void)state;

	/* Known, unknown, and with bad arguments: all the same refusal. */
	expect_error(s, "{\"execute\":\"query-version\"}", "CommandNotFound", neg);
	expect_error(s, "{\"execute\":\"nope\"}", "CommandNotFound", neg);
	expect_error(s, "{\"execute\":\"query-version\",\"arguments\":{\"a\":1}}", "CommandNotFound", neg);
	/* Protocol errors come before the mode check. */
	expect_error(s, "{\"execute\":\"query-version\",\"foo\":1}", "GenericError",
		     "QMP input member 'foo' is unexpected");
	/* qmp_capabilities's own argument checks. */
	expect_error(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":\"oob\"}}", "GenericError",
		     "Invalid parameter type for 'enable', expected: array");
	expect_error(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":null}}", "GenericError",
		     "Invalid parameter type for 'enable', expected: array");
	expect_error(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"foo\"]}}", "GenericError",
		     "Parameter 'enable[0]' does not accept value 'foo'");
	expect_error(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[\"oob\",\"oob\"]}}",
		     "GenericError", "Capability oob, oob not available");
	expect_error(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"x\":1}}", "GenericError",
		     "Parameter 'x' is unexpected");
	assert_false(qmp_session_command_mode(s));
	/* Events wait for negotiation. */
	assert_int_equal(qmp_session_event(s, "{\"event\":\"E\"}", 13), 0);
	size_t len;
	assert_null(qmp_session_output(s, &len));

	struct json_object *r = expect_return(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[]}}");
	assert_true(json_object_is_type(r, json_type_object));
	assert_int_equal(json_object_object_length(r), 0);
	json_object_put(r);
	assert_true(qmp_session_command_mode(s));
	expect_error(s, "{\"execute\":\"qmp_capabilities\"}", "CommandNotFound",
		     "Capabilities negotiation is already complete, command ignored");
	/* Arguments are checked before the handler runs, as in QEMU. */
	expect_error(s, "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":1}}", "GenericError",
		     "Invalid parameter type for 'enable', expected: array");
	expect_error(s, "{\"execute\":\"nope\"}", "CommandNotFound", "The command nope has not been found");

	assert_int_equal(qmp_session_event(s, "{\"event\":\"E\"}", 13), 0);
	const char *out = qmp_session_output(s, &len);
	assert_int_equal(len, 15);
	assert_memory_equal(out, "{\"event\":\"E\"}\r\n", 15);
	qmp_session_free(s);
}

static void test_commands(void **state)
{
	struct qmp_session *s = ready();
	struct json_object *r;
	(void)state;

	r = expect_return(s, "{\"execute\":\"query-version\"}");
	assert_int_equal(json_object_get_int(member(member(r, "qemu"), "major")), QMP_QEMU_MAJOR);
	assert_string_equal(json_object_get_string(member(r, "package")), "vmras-test");
	json_object_put(r);

	r = expect_return(s, "{\"execute\":\"query-status\"}");
	assert_string_equal(json_object_get_string(member(r, "status")), "prelaunch");
	assert_false(json_object_get_boolean(member(r, "running")));
	assert_false(json_object_get_boolean(member(r, "singlestep")));
	assert_int_equal(json_object_object_length(r), 3);
	json_object_put(r);

	/* query-commands is the table, nothing more. */
	r = expect_return(s, "{\"execute\":\"query-commands\"}");
	assert_int_equal(json_object_array_length(r), qmp_ncommands);
	for (size_t i = 0; i < qmp_ncommands; i++) {
		struct json_object *c = json_object_array_get_idx(r, i);
		assert_int_equal(json_object_object_length(c), 1);
		assert_string_equal(json_object_get_string(member(c, "name")), qmp_commands[i].name);
	}
	json_object_put(r);

	expect_error(s, "{\"execute\":\"query-status\",\"arguments\":{\"verbose\":true}}", "GenericError",
		     "Parameter 'verbose' is unexpected");
	quits = 0;
	r = expect_return(s, "{\"execute\":\"quit\"}");
	assert_int_equal(json_object_object_length(r), 0);
	json_object_put(r);
	assert_int_equal(quits, 1);
	qmp_session_free(s);
}

/* Without a backend, the commands that need one say so and the session goes on. */
static void test_no_backend(void **state)
{
	struct qmp_session *s = qmp_session_new(NULL);
	(void)state;

	json_object_put(take_reply(s));
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	expect_error(s, "{\"execute\":\"quit\"}", "GenericError", NULL);
	expect_error(s, "{\"execute\":\"query-status\"}", "GenericError", NULL);
	struct json_object *r = expect_return(s, "{\"execute\":\"query-version\"}");
	assert_string_equal(json_object_get_string(member(r, "package")), "");
	json_object_put(r);
	qmp_session_free(s);
}

static void test_id_echo(void **state)
{
	static const char *const ids[] = {
		"1", "-7", "\"abc\"", "[1,{\"a\":[true,null]}]", "{\"x\":\"y\"}", "null", "false", "2.5",
		"18446744073709551615", "\"\\u00e9\\ud83d\\ude00\\n\"", "{}", "[]",
	};
	struct qmp_session *s = ready();
	char in[256];
	(void)state;

	for (size_t i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		struct json_object *want = json_tokener_parse(ids[i]), *r, *id;

		/* On success, on a protocol error and on a command error. */
		const char *fmt[] = {
			"{\"execute\":\"query-version\",\"id\":%s}",
			"{\"id\":%s,\"execute\":\"query-version\",\"bad\":0}",
			"{\"id\":%s}",
			"{\"execute\":\"nope\",\"id\":%s}",
			"{\"execute\":\"query-version\",\"id\":%s,\"arguments\":{\"z\":0}}",
		};
		for (size_t f = 0; f < sizeof(fmt) / sizeof(fmt[0]); f++) {
			snprintf(in, sizeof(in), fmt[f], ids[i]);
			feed(s, in);
			r = take_reply(s);
			assert_non_null(r);
			assert_true(json_object_object_get_ex(r, "id", &id));
			if (!json_object_equal(id, want))
				fail_msg("%s: id came back as %s", in, json_object_to_json_string(id));
			assert_int_equal(json_object_object_length(r), 2);
			json_object_put(r);
		}
		json_object_put(want);
	}
	/* No id, no id member; a non-object has no id to echo. */
	feed(s, "{\"execute\":\"query-version\"}[{\"id\":1}]");
	for (int i = 0; i < 2; i++) {
		struct json_object *r = take_reply(s);
		assert_false(json_object_object_get_ex(r, "id", NULL));
		json_object_put(r);
	}
	qmp_session_free(s);
}

/* Every kind of bad input, with QEMU 7.2's class and, for the protocol
 * errors, its description. Each costs exactly one error reply. */
static void test_bad_input(void **state)
{
	static const struct { const char *in, *desc; } cases[] = {
		{ "[1,2]", "QMP input must be a JSON object" },
		{ "\"str\"", "QMP input must be a JSON object" },
		{ "42 ", "QMP input must be a JSON object" },
		{ "null ", "QMP input must be a JSON object" },
		{ "true ", "QMP input must be a JSON object" },
		{ "{}", "QMP input lacks member 'execute'" },
		{ "{\"id\":5}", "QMP input lacks member 'execute'" },
		{ "{\"execute\":42}", "QMP input member 'execute' must be a string" },
		{ "{\"execute\":null}", "QMP input member 'execute' must be a string" },
		{ "{\"execute\":\"query-version\",\"arguments\":[]}", "QMP input member 'arguments' must be an object" },
		{ "{\"execute\":\"query-version\",\"arguments\":null}", "QMP input member 'arguments' must be an object" },
		{ "{\"arguments\":[]}", "QMP input member 'arguments' must be an object" },
		{ "{\"execute\":\"nope\",\"arguments\":1}", "QMP input member 'arguments' must be an object" },
		{ "{\"execute\":\"query-version\",\"foo\":1}", "QMP input member 'foo' is unexpected" },
		{ "{\"exec-oob\":\"query-version\"}", "QMP input member 'exec-oob' is unexpected" },
		{ "{\"execute\":\"query-version\",\"exec-oob\":\"query-version\"}",
		  "QMP input member 'exec-oob' is unexpected" },
		{ "{\"execute\":\"query-version\",\"control\":{}}", "QMP input member 'control' is unexpected" },
		/* Malformed JSON: GenericError, "JSON parse error, " and json-c's reason. */
		{ "{bad}", NULL },
		{ "}", NULL },
		{ "]", NULL },
		{ "{\"execute\" \"query-version\"}", NULL },
		{ "{\"execute\":\"query-version\":1}", NULL },
		{ "[1 2]", NULL },
		{ "{\"execute\":\"query-version\",\"id\":\"\\q\"}", NULL },
		{ "{\"execute\":\"query-version\",\"id\":\"\xff\"}", NULL },
		{ "{\"execute\":\"query-version\",\"id\":\"\xc3\"}", NULL },
		{ "{\"execute\":\"query-version\",\"id\":NaN}", NULL },
		{ "{\"execute\":\"query-version\",\"id\":-Infinity}", NULL },
		{ "{\"execute\":\"query-version\",\"id\":1e400}", NULL },
		{ "{\"execute\":\"query-version\",\"id\":[1,,2]}", NULL },
		{ "bad ", NULL },
		{ "@#", NULL },   /* junk runs up to the next object are one error */
	};
	struct qmp_session *s = ready();
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		expect_error(s, cases[i].in, "GenericError", cases[i].desc);
		if (!cases[i].desc) {
			size_t len;
			const char *out;
			feed(s, "\n");
			feed(s, cases[i].in);
			out = qmp_session_output(s, &len);
			if (!out || !memmem(out, len, "JSON parse error, ", 18))
				fail_msg("%s: %.*s", cases[i].in, (int)len, out ? out : "");
			qmp_session_consume(s, len);
		}
		/* The connection is still usable. */
		json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));
	}
	qmp_session_free(s);
}

/* A NUL byte ends nothing: the broken value is an error, the next value works. */
static void test_nul_byte(void **state)
{
	static const char in[] = "{\"execute\":\"query-version\",\"id\":\"a\0b\"}\n";
	struct qmp_session *s = ready();
	(void)state;

	assert_int_equal(qmp_session_input(s, in, sizeof(in) - 1), 0);
	struct json_object *r = take_reply(s);
	assert_true(json_object_object_get_ex(r, "error", NULL));
	json_object_put(r);
	assert_null(take_reply(s));
	json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));
	qmp_session_free(s);
}

static void test_lenient_json(void **state)
{
	struct qmp_session *s = ready();
	struct json_object *r;
	(void)state;

	/* QEMU's parser takes single-quoted strings; clients typing by hand use them. */
	feed(s, "{'execute':'query-version','id':'q'}");
	r = take_reply(s);
	assert_string_equal(json_object_get_string(member(r, "id")), "q");
	json_object_put(r);
	/* Blanks and newlines anywhere between values, or none. */
	feed(s, " \t\r\n{\"execute\":\"query-version\"}\n\n{\"execute\":\"query-version\"}");
	json_object_put(take_reply(s));
	json_object_put(take_reply(s));
	assert_null(take_reply(s));
	qmp_session_free(s);
}

static void test_nesting(void **state)
{
	static char in[8192];
	struct qmp_session *s = ready();
	(void)state;

	/* 1024 levels parse (and are then not an object); 1025 do not. */
	memset(in, '[', 1024);
	memset(in + 1024, ']', 1024);
	in[2048] = 0;
	expect_error(s, in, "GenericError", "QMP input must be a JSON object");
	memset(in, '[', 1025);
	memset(in + 1025, ']', 1025);
	in[2050] = 0;
	expect_error(s, in, "GenericError", "JSON nesting depth limit exceeded");
	json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));

	/* Deep inside the arguments, with the rest of the value discarded. */
	int n = snprintf(in, 8192, "{\"execute\":\"query-status\",\"arguments\":");
	for (int i = 0; i < 1100; i++)
		n += snprintf(in + n, 8192 - n, "{\"a\":");
	in[n++] = '1';
	for (int i = 0; i < 1101; i++)
		in[n++] = '}';
	in[n] = 0;
	expect_error(s, in, "GenericError", "JSON nesting depth limit exceeded");
	json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));
	qmp_session_free(s);
}

static void test_input_limit(void **state)
{
	struct qmp_session *s = fresh(64, 0);
	struct json_object *r;
	(void)state;

	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	/* 64 bytes exactly is fine. */
	r = expect_return(s, "{\"execute\":\"query-version\",\"id\":\"01234567890123456789012345678\"}");
	json_object_put(r);
	/* 65 is not: one error, the rest of the value dropped, then back to normal. */
	expect_error(s, "{\"execute\":\"query-version\",\"id\":\"012345678901234567890123456789\"}", "GenericError",
		     "JSON input exceeds the limit of 64 bytes");
	json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));
	/* Also when the value comes in pieces, and when it is an endless array. */
	feed(s, "{\"execute\":\"query-version\",\"id\":[");
	for (int i = 0; i < 100; i++)
		feed(s, "{\"k\":\"]}\"},");
	r = take_reply(s);
	assert_string_equal(json_object_get_string(member(member(r, "error"), "desc")),
			    "JSON input exceeds the limit of 64 bytes");
	json_object_put(r);
	assert_null(take_reply(s));
	feed(s, "0]}");
	json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));
	qmp_session_free(s);

	/* The default: 1 MiB. */
	s = ready();
	size_t big = QMP_MAX_INPUT + 100;
	char *in = malloc(big + 1);
	int n = snprintf(in, big, "{\"execute\":\"query-version\",\"id\":\"");
	memset(in + n, 'x', big - (size_t)n - 2);
	memcpy(in + big - 2, "\"}", 3);
	expect_error(s, in, "GenericError", "JSON input exceeds the limit of 1048576 bytes");
	json_object_put(expect_return(s, "{\"execute\":\"query-status\"}"));
	/* Just under it, the long id is echoed whole. */
	n = snprintf(in, big, "{\"execute\":\"query-version\",\"id\":\"");
	memset(in + n, 'y', QMP_MAX_INPUT - (size_t)n - 2);
	memcpy(in + QMP_MAX_INPUT - 2, "\"}", 3);
	feed(s, in);
	r = take_reply(s);
	assert_int_equal(strlen(json_object_get_string(member(r, "id"))), QMP_MAX_INPUT - (size_t)n - 2);
	json_object_put(r);
	free(in);
	qmp_session_free(s);
}

static const char script[] =
	"{\"execute\":\"qmp_capabilities\",\"id\":0}"
	"{\"execute\":\"query-version\",\"id\":1}  "
	"[1]\n{bad}{\"execute\":\"nope\",\"id\":\"x\"}"
	"{'execute':'query-status','id':[2]}\r\n"
	"{\"execute\":\"query-version\",\"id\":-3.5e1}"
	"{\"execute\":\"query-commands\",\"id\":{\"a\":\"\\\"}\"}}";

static char *run_split(size_t chunk)
{
	struct qmp_session *s = qmp_session_new(NULL);
	size_t len, total = 0;
	char *all = NULL;

	for (size_t off = 0; off < sizeof(script) - 1; off += chunk) {
		size_t n = sizeof(script) - 1 - off < chunk ? sizeof(script) - 1 - off : chunk;
		assert_int_equal(qmp_session_input(s, script + off, n), 0);
	}
	const char *out = qmp_session_output(s, &len);
	all = malloc(len + 1);
	memcpy(all, out, len);
	all[len] = 0;
	total = len;
	qmp_session_consume(s, total);
	qmp_session_free(s);
	return all;
}

/* Input split anywhere, even byte by byte, gives the same replies as whole. */
static void test_split_input(void **state)
{
	char *whole = run_split(sizeof(script));
	(void)state;

	/* greeting + 8 replies */
	int lines = 0;
	for (char *p = whole; (p = strstr(p, "\r\n")); p += 2)
		lines++;
	assert_int_equal(lines, 9);
	for (size_t chunk = 1; chunk < 12; chunk++) {
		char *split = run_split(chunk);
		if (strcmp(whole, split))
			fail_msg("chunks of %zu:\n%s\nwhole:\n%s", chunk, split, whole);
		free(split);
	}
	free(whole);
}

/* Several values in one read, a value spread over several. */
static void test_several_values(void **state)
{
	struct qmp_session *s = fresh(0, 0);
	struct json_object *r;
	(void)state;

	feed(s, "{\"execute\":\"qmp_capabilities\",\"id\":1}{\"execute\":\"query-status\",\"id\":2}"
		"{\"execute\":\"query-vers");
	for (int want = 1; want <= 2; want++) {
		r = take_reply(s);
		assert_int_equal(json_object_get_int(member(r, "id")), want);
		json_object_put(r);
	}
	assert_null(take_reply(s));
	feed(s, "ion\",\"id\":3}");
	r = take_reply(s);
	assert_int_equal(json_object_get_int(member(r, "id")), 3);
	json_object_put(r);
	/* A number at the end of the input waits for what follows, as in QEMU. */
	feed(s, "7");
	assert_null(take_reply(s));
	feed(s, "\n");
	r = take_reply(s);
	assert_true(json_object_object_get_ex(r, "error", NULL));
	json_object_put(r);
	qmp_session_free(s);
}

/* A client that does not read: the session fails instead of growing. */
static void test_output_bound(void **state)
{
	struct qmp_session *s = fresh(0, 4096);
	const char *cmd = "{\"execute\":\"query-version\"}";
	size_t len;
	int rc = 0, n = 0;
	(void)state;

	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	while (rc == 0 && n < 10000) {
		rc = qmp_session_input(s, cmd, strlen(cmd));
		n++;
	}
	assert_int_equal(rc, -1);
	assert_true(qmp_session_failed(s));
	qmp_session_output(s, &len);
	assert_true(len > 4096);
	assert_true(len < 4096 + 200);
	/* Failed for good: no more input, no events. */
	assert_int_equal(qmp_session_input(s, cmd, strlen(cmd)), -1);
	assert_int_equal(qmp_session_event(s, "{}", 2), -1);
	qmp_session_free(s);

	/* Events count against the same bound. */
	s = fresh(0, 4096);
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	for (n = 0; n < 10000 && qmp_session_event(s, "{\"event\":\"X\"}", 13) == 0; n++)
		;
	/* Appends go on while no more than the bound is waiting. */
	assert_int_equal(n, 4096 / 15 + 1);
	assert_true(qmp_session_failed(s));
	qmp_session_free(s);

	/* A client that reads keeps going for ever. */
	s = fresh(0, 4096);
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	for (n = 0; n < 2000; n++) {
		assert_int_equal(qmp_session_input(s, cmd, strlen(cmd)), 0);
		assert_int_equal(qmp_session_event(s, "{\"event\":\"X\"}", 13), 0);
		qmp_session_output(s, &len);
		qmp_session_consume(s, len / 2 + 1);
		qmp_session_output(s, &len);
		qmp_session_consume(s, len);
	}
	assert_false(qmp_session_failed(s));
	qmp_session_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting),
		cmocka_unit_test(test_negotiation),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_no_backend),
		cmocka_unit_test(test_id_echo),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_lenient_json),
		cmocka_unit_test(test_nesting),
		cmocka_unit_test(test_input_limit),
		cmocka_unit_test(test_split_input),
		cmocka_unit_test(test_several_values),
		cmocka_unit_test(test_output_bound),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
