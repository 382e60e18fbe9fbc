/* libFuzzer target for the QMP input path: arbitrary bytes, split at
 * arbitrary points, into a session with small limits so that the over-long,
 * nesting and output-bound paths are reached. Every byte the session queues
 * must be CRLF-terminated lines of JSON objects, one reply per line.
 * Built by make fuzz-check / make fuzz (clang -fsanitize=fuzzer). */
#include <json-c/json.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/session.h"

static void quit(void *opaque)
{
	(void)opaque;
}

static const char *state(void *opaque, bool *running)
{
	(void)opaque;
	*running = true;
	return "running";
}

static const struct qmp_backend backend = { .quit = quit, .run_state = state };

/* Checks and drops the queued output. */
static void drain(struct qmp_session *s)
{
	size_t len;
	const char *out = qmp_session_output(s, &len);

	while (out && len) {
		const char *end = memmem(out, len, "\r\n", 2);
		struct json_object *o;
		char *line;

		if (!end)
			abort();   /* output is whole lines */
		line = strndup(out, (size_t)(end - out));
		if (memchr(line, '\n', strlen(line)))
			abort();
		o = json_tokener_parse(line);
		if (!json_object_is_type(o, json_type_object) || json_object_object_length(o) < 1 ||
		    json_object_object_length(o) > 2)
			abort();
		json_object_put(o);
		free(line);
		qmp_session_consume(s, (size_t)(end - out) + 2);
		out = qmp_session_output(s, &len);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct qmp_session_config cfg = { .backend = &backend, .package = "fuzz", .max_input = 2048,
					  .max_output = 8192 };
	struct qmp_session *s;
	size_t chunk;

	if (!size)
		return 0;
	/* The first byte picks the split: 1..255 bytes per write, or all at once. */
	chunk = data[0] ? data[0] : size;
	data++;
	size--;
	s = qmp_session_new(&cfg);
	if (!s)
		return 0;
	/* Odd inputs are fed without negotiating; even ones after it. */
	if (size & 1)
		qmp_session_input(s, "{\"execute\":\"qmp_capabilities\"}", 30);
	for (size_t off = 0; off < size; off += chunk) {
		size_t n = size - off < chunk ? size - off : chunk;
		if (qmp_session_input(s, data + off, n))
			break;
		/* Leave output unread now and then, to reach the bound. */
		if (off % 3 == 0)
			drain(s);
	}
	if (!qmp_session_failed(s))
		drain(s);
	qmp_session_free(s);
	return 0;
}
