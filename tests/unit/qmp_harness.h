/* Drives a QMP session in memory for the QMP unit tests: feed text, take
 * reply lines back as parsed JSON. */
#ifndef VMRAS_TESTS_QMP_HARNESS_H
#define VMRAS_TESTS_QMP_HARNESS_H

#include <json-c/json.h>
#include <string.h>

#include "qmp/session.h"

/* One reply line, parsed (the caller puts it), or NULL when none is queued.
 * Fails the test on a line that is not CRLF-terminated JSON. */
static inline struct json_object *take_reply(struct qmp_session *s)
{
	size_t len;
	const char *out = qmp_session_output(s, &len);
	const char *end;
	struct json_object *o;

	if (!out)
		return NULL;
	end = memmem(out, len, "\r\n", 2);
	assert_non_null(end);
	assert_null(memchr(out, '\n', (size_t)(end - out)));
	o = json_tokener_parse(strndupa(out, (size_t)(end - out)));
	if (!o)
		fail_msg("reply is not JSON: %.*s", (int)(end - out), out);
	qmp_session_consume(s, (size_t)(end - out) + 2);
	return o;
}

static inline struct json_object *member(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no member \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static inline void feed(struct qmp_session *s, const char *text)
{
	assert_int_equal(qmp_session_input(s, text, strlen(text)), 0);
}

/* The one reply to input is an error of this class and description (desc NULL: any). */
static inline void expect_error(struct qmp_session *s, const char *input, const char *cls, const char *desc)
{
	struct json_object *r, *e;

	feed(s, input);
	r = take_reply(s);
	if (!r)
		fail_msg("no reply to %s", input);
	if (!json_object_object_get_ex(r, "error", &e))
		fail_msg("%s: expected an error, got %s", input, json_object_to_json_string(r));
	assert_string_equal(json_object_get_string(member(e, "class")), cls);
	if (desc && strcmp(json_object_get_string(member(e, "desc")), desc))
		fail_msg("%s: desc \"%s\", expected \"%s\"", input, json_object_get_string(member(e, "desc")), desc);
	assert_int_equal(json_object_object_length(e), 2);
	json_object_put(r);
	r = take_reply(s);
	if (r)
		fail_msg("%s: a second reply: %s", input, json_object_to_json_string(r));
}

/* The one reply to input is a success; returns its "return" (a new reference). */
static inline struct json_object *expect_return(struct qmp_session *s, const char *input)
{
	struct json_object *r, *ret;

	feed(s, input);
	r = take_reply(s);
	if (!r)
		fail_msg("no reply to %s", input);
	if (!json_object_object_get_ex(r, "return", &ret))
		fail_msg("%s: expected a return, got %s", input, json_object_to_json_string(r));
	json_object_get(ret);
	json_object_put(r);
	r = take_reply(s);
	if (r)
		fail_msg("%s: a second reply: %s", input, json_object_to_json_string(r));
	return ret;
}

#endif
