#include "ras/qmp_event.h"

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

static int add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return -1;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

struct json_object *qmp_event_new(const char *name, struct json_object *data, uint64_t time_ns)
{
	struct json_object *ev = json_object_new_object();
	struct json_object *ts = json_object_new_object();

	if (!name || !ev || !ts ||
	    add(ts, "seconds", json_object_new_int64((int64_t)(time_ns / 1000000000u))) < 0 ||
	    add(ts, "microseconds", json_object_new_int64((int64_t)(time_ns % 1000000000u / 1000u))) < 0 ||
	    add(ev, "event", json_object_new_string(name)) < 0)
		goto fail;
	if (data) {
		struct json_object *d = data;
		data = NULL;
		if (add(ev, "data", d) < 0)
			goto fail;
	}
	struct json_object *t = ts;
	ts = NULL;
	if (add(ev, "timestamp", t) < 0)
		goto fail;
	return ev;
fail:
	json_object_put(data);
	json_object_put(ts);
	json_object_put(ev);
	return NULL;
}

char *qmp_event_line(struct json_object *event, size_t *len)
{
	size_t n = 0;
	/* Plain: no spaces or newlines outside strings, and newlines inside
	 * strings are escaped, so the result is one line. */
	const char *s = json_object_to_json_string_length(event,
		JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	char *line;

	if (!s)
		return NULL;
	line = malloc(n + 1);
	if (!line)
		return NULL;
	memcpy(line, s, n + 1);
	if (len)
		*len = n;
	return line;
}
