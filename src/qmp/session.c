#include "qmp/session.h"

#include <json-c/json.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/args.h"

/* Where a malformed or over-long value ends, so that one bad value costs one
 * error reply and the next value parses cleanly. Tracks string and bracket
 * state over every byte given to the tokener. */
struct scan {
	long depth;       /* open brackets of the current value */
	char quote;       /* the open string's quote, or 0 */
	bool escape;      /* the last byte in a string was a backslash */
	size_t skipped;   /* bytes discarded in this recovery */
};

struct qmp_session {
	struct qmp_session_config cfg;
	struct json_tokener *tok;
	bool command_mode;
	bool failed;
	bool skipping;          /* discarding the rest of a bad value */
	size_t value_bytes;     /* bytes of the current value given to the tokener */
	struct scan scan;
	char *out;
	size_t out_off, out_len, out_cap;
};

#define OUT_KEEP (64u << 10)   /* a drained buffer larger than this is released */

static void scan_byte(struct scan *sc, char c)
{
	if (sc->quote) {
		if (sc->escape)
			sc->escape = false;
		else if (c == '\\')
			sc->escape = true;
		else if (c == sc->quote)
			sc->quote = 0;
		return;
	}
	switch (c) {
	case '"': case '\'': sc->quote = c; break;
	case '{': case '[': sc->depth++; break;
	case '}': case ']': sc->depth--; break;
	}
}

static void scan_bytes(struct scan *sc, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		scan_byte(sc, p[i]);
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Discards the rest of a broken value: up to the bracket that closes it, or,
 * for junk outside any brackets, up to a blank or the start of the next
 * object. Returns how many bytes it consumed; clears s->skipping when done. */
static size_t skip(struct qmp_session *s, const char *p, size_t n)
{
	struct scan *sc = &s->scan;

	for (size_t i = 0; i < n; i++) {
		char c = p[i];
		bool top = sc->depth <= 0 && !sc->quote;

		/* Junk ends where the next value starts; the first byte is always
		 * taken, so that recovery moves on even from a bracket. */
		if (top && (c == '{' || c == '[') && sc->skipped) {
			s->skipping = false;
			return i;
		}
		sc->skipped++;
		if (top && is_space(c)) {
			s->skipping = false;
			return i + 1;
		}
		bool was_quoted = sc->quote != 0;
		scan_byte(sc, c);
		if (sc->depth <= 0 && !sc->quote && (c == '}' || c == ']' || (was_quoted && !sc->quote))) {
			s->skipping = false;
			return i + 1;
		}
	}
	return n;
}

static void reset_value(struct qmp_session *s)
{
	json_tokener_reset(s->tok);
	s->value_bytes = 0;
	s->scan = (struct scan){ 0 };
}

static bool out_grow(struct qmp_session *s, size_t n)
{
	size_t pending = s->out_len - s->out_off;
	size_t cap;
	char *b;

	if (s->out_off && s->out_len + n > s->out_cap) {
		memmove(s->out, s->out + s->out_off, pending);
		s->out_off = 0;
		s->out_len = pending;
	}
	if (s->out_len + n <= s->out_cap)
		return true;
	cap = s->out_cap ? s->out_cap * 2 : 4096;
	while (cap < s->out_len + n)
		cap *= 2;
	b = realloc(s->out, cap);
	if (!b)
		return false;
	s->out = b;
	s->out_cap = cap;
	return true;
}

/* Queues one line and its CRLF (QEMU ends every reply and event so). One
 * line may take the buffer past the bound (a long id is echoed whole), but a
 * client that leaves more than the bound unread is dropped. */
static int send_line(struct qmp_session *s, const char *p, size_t n)
{
	if (s->failed)
		return -1;
	if (s->out_len - s->out_off > s->cfg.max_output || !out_grow(s, n + 2)) {
		s->failed = true;
		return -1;
	}
	memcpy(s->out + s->out_len, p, n);
	memcpy(s->out + s->out_len + n, "\r\n", 2);
	s->out_len += n + 2;
	return 0;
}

static int send_json(struct qmp_session *s, struct json_object *o)
{
	size_t n = 0;
	const char *p;

	if (!o) {
		s->failed = true;
		return -1;
	}
	p = json_object_to_json_string_length(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!p) {
		s->failed = true;
		return -1;
	}
	return send_line(s, p, n);
}

/* Adds val under key, or marks the session failed (out of memory). */
static void put(struct qmp_session *s, struct json_object *obj, const char *key, struct json_object *val)
{
	if (!obj || !val || json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		s->failed = true;
	}
}

/* id is echoed when has_id, even a JSON null (which json-c holds as NULL). */
static void reply(struct qmp_session *s, bool has_id, struct json_object *id, struct json_object *ret,
		  struct qmp_error *err)
{
	struct json_object *r = json_object_new_object();

	if (err && err->set) {
		struct json_object *e = json_object_new_object();
		put(s, e, "class", json_object_new_string(qmp_error_class_name(err->cls)));
		put(s, e, "desc", json_object_new_string(err->desc ? err->desc : "out of memory"));
		put(s, r, "error", e);
		json_object_put(ret);
	} else {
		put(s, r, "return", ret);
	}
	if (has_id && r && json_object_object_add(r, "id", json_object_get(id)) < 0)
		s->failed = true;
	if (!s->failed)
		send_json(s, r);
	json_object_put(r);
}

__attribute__((format(printf, 5, 6)))
static void reply_error(struct qmp_session *s, bool has_id, struct json_object *id, enum qmp_error_class cls,
			const char *fmt, ...)
{
	struct qmp_error err = { 0 };
	va_list ap;

	va_start(ap, fmt);
	qmp_error_setv(&err, cls, fmt, ap);
	va_end(ap);
	reply(s, has_id, id, NULL, &err);
	qmp_error_clear(&err);
}

/* json-c reads NaN and Infinity, and saturates 1e400 to infinity, but none
 * of them may be written back as JSON (an id is echoed). */
static bool finite_numbers(struct json_object *v)
{
	switch (json_object_get_type(v)) {
	case json_type_double:
		return isfinite(json_object_get_double(v));
	case json_type_array:
		for (size_t i = 0, n = json_object_array_length(v); i < n; i++)
			if (!finite_numbers(json_object_array_get_idx(v, i)))
				return false;
		return true;
	case json_type_object: {
		json_object_object_foreach(v, key, val) {
			(void)key;
			if (!finite_numbers(val))
				return false;
		}
		return true;
	}
	default:
		return true;
	}
}

static void dispatch(struct qmp_session *s, struct json_object *in)
{
	struct json_object *id = NULL, *args = NULL, *ret;
	const struct qmp_command *cmd;
	const char *name = NULL;
	struct qmp_error err = { 0 };
	bool has_id;

	if (!finite_numbers(in)) {
		reply_error(s, false, NULL, QMP_ERR_GENERIC, "JSON parse error, invalid number");
		return;
	}
	if (!json_object_is_type(in, json_type_object)) {
		reply_error(s, false, NULL, QMP_ERR_GENERIC, "QMP input must be a JSON object");
		return;
	}
	has_id = json_object_object_get_ex(in, "id", &id);
	/* Members are judged in the order they came; QEMU reports the first it
	 * meets too, though its order is its hash table's. "exec-oob" is
	 * unexpected because vmras never offers the oob capability. */
	json_object_object_foreach(in, key, val) {
		if (!strcmp(key, "execute")) {
			if (!json_object_is_type(val, json_type_string)) {
				reply_error(s, has_id, id, QMP_ERR_GENERIC, "QMP input member '%s' must be a string", key);
				return;
			}
			name = json_object_get_string(val);
		} else if (!strcmp(key, "arguments")) {
			if (!json_object_is_type(val, json_type_object)) {
				reply_error(s, has_id, id, QMP_ERR_GENERIC, "QMP input member '%s' must be an object", key);
				return;
			}
			args = val;
		} else if (strcmp(key, "id")) {
			reply_error(s, has_id, id, QMP_ERR_GENERIC, "QMP input member '%s' is unexpected", key);
			return;
		}
	}
	if (!name) {
		reply_error(s, has_id, id, QMP_ERR_GENERIC, "QMP input lacks member 'execute'");
		return;
	}
	cmd = qmp_command_find(s->cfg.commands, s->cfg.ncommands, name);
	if (!s->command_mode && (!cmd || !(cmd->flags & QMP_CMD_NEGOTIATION))) {
		reply_error(s, has_id, id, QMP_ERR_COMMAND_NOT_FOUND,
			    "Expecting capabilities negotiation with 'qmp_capabilities'");
		return;
	}
	if (!cmd) {
		reply_error(s, has_id, id, QMP_ERR_COMMAND_NOT_FOUND, "The command %s has not been found", name);
		return;
	}
	if (!qmp_args_check(args, cmd->args, &err)) {
		reply(s, has_id, id, NULL, &err);
		qmp_error_clear(&err);
		return;
	}
	ret = cmd->handler(s, args, &err);
	if (!ret && !err.set)
		qmp_error_set(&err, QMP_ERR_GENERIC, "out of memory");
	reply(s, has_id, id, ret, &err);
	qmp_error_clear(&err);
}

static void parse_error(struct qmp_session *s, enum json_tokener_error e)
{
	/* QEMU's words for the nesting limit; json-c's for the rest. */
	if (e == json_tokener_error_depth)
		reply_error(s, false, NULL, QMP_ERR_GENERIC, "JSON nesting depth limit exceeded");
	else
		reply_error(s, false, NULL, QMP_ERR_GENERIC, "JSON parse error, %s", json_tokener_error_desc(e));
}

int qmp_session_input(struct qmp_session *s, const void *buf, size_t len)
{
	const char *p = buf;

	while (len && !s->failed) {
		size_t room, n, used;
		struct json_object *obj;
		enum json_tokener_error e;

		if (s->skipping) {
			n = skip(s, p, len);
			p += n;
			len -= n;
			if (!s->skipping)
				reset_value(s);
			continue;
		}
		room = s->cfg.max_input - s->value_bytes;
		if (!room) {
			reply_error(s, false, NULL, QMP_ERR_GENERIC, "JSON input exceeds the limit of %zu bytes",
				    s->cfg.max_input);
			json_tokener_reset(s->tok);
			s->value_bytes = 0;
			s->scan.skipped = 0;
			s->skipping = true;
			continue;
		}
		n = len < room ? len : room;
		/* The tokener takes an int length. */
		if (n > (1u << 30))
			n = 1u << 30;
		obj = json_tokener_parse_ex(s->tok, p, (int)n);
		e = json_tokener_get_error(s->tok);
		used = json_tokener_get_parse_end(s->tok);
		if (used > n)
			used = n;
		scan_bytes(&s->scan, p, used);
		p += used;
		len -= used;
		if (obj || e == json_tokener_success) {
			/* A complete value (json-c returns NULL for a JSON null). */
			reset_value(s);
			dispatch(s, obj);
			json_object_put(obj);
		} else if (e == json_tokener_continue) {
			s->value_bytes += used;
		} else {
			parse_error(s, e);
			json_tokener_reset(s->tok);
			s->value_bytes = 0;
			s->scan.skipped = 0;
			s->skipping = true;
		}
	}
	return s->failed ? -1 : 0;
}

int qmp_session_event(struct qmp_session *s, const char *line, size_t len)
{
	if (s->failed)
		return -1;
	if (!s->command_mode)
		return 0;
	return send_line(s, line, len);
}

const char *qmp_session_output(const struct qmp_session *s, size_t *len)
{
	*len = s->out_len - s->out_off;
	return *len ? s->out + s->out_off : NULL;
}

void qmp_session_consume(struct qmp_session *s, size_t n)
{
	size_t pending = s->out_len - s->out_off;

	s->out_off += n < pending ? n : pending;
	if (s->out_off == s->out_len) {
		s->out_off = s->out_len = 0;
		if (s->out_cap > OUT_KEEP) {
			free(s->out);
			s->out = NULL;
			s->out_cap = 0;
		}
	}
}

bool qmp_session_failed(const struct qmp_session *s)
{
	return s->failed;
}

bool qmp_session_command_mode(const struct qmp_session *s)
{
	return s->command_mode;
}

void qmp_session_enter_command_mode(struct qmp_session *s)
{
	s->command_mode = true;
}

const struct qmp_backend *qmp_session_backend(const struct qmp_session *s)
{
	return s->cfg.backend;
}

const struct qmp_command *qmp_session_commands(const struct qmp_session *s, size_t *n)
{
	*n = s->cfg.ncommands;
	return s->cfg.commands;
}

const char *qmp_session_package(const struct qmp_session *s)
{
	return s->cfg.package;
}

struct json_object *qmp_version_info(const char *package)
{
	struct json_object *v = json_object_new_object(), *q = json_object_new_object();

	if (!v || !q ||
	    json_object_object_add(q, "major", json_object_new_int(QMP_QEMU_MAJOR)) ||
	    json_object_object_add(q, "minor", json_object_new_int(QMP_QEMU_MINOR)) ||
	    json_object_object_add(q, "micro", json_object_new_int(QMP_QEMU_MICRO)) ||
	    json_object_object_add(v, "qemu", q)) {
		json_object_put(q);
		json_object_put(v);
		return NULL;
	}
	if (json_object_object_add(v, "package", json_object_new_string(package ? package : ""))) {
		json_object_put(v);
		return NULL;
	}
	return v;
}

static void greet(struct qmp_session *s)
{
	struct json_object *g = json_object_new_object(), *qmp = json_object_new_object();

	/* vmras offers no capability: "oob" would need a second dispatcher. */
	put(s, qmp, "version", qmp_version_info(s->cfg.package));
	put(s, qmp, "capabilities", json_object_new_array());
	put(s, g, "QMP", qmp);
	if (!s->failed)
		send_json(s, g);
	json_object_put(g);
}

struct qmp_session *qmp_session_new(const struct qmp_session_config *cfg)
{
	struct qmp_session *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	if (cfg)
		s->cfg = *cfg;
	if (!s->cfg.commands) {
		s->cfg.commands = qmp_commands;
		s->cfg.ncommands = qmp_ncommands;
	}
	if (!s->cfg.package)
		s->cfg.package = "";
	if (!s->cfg.max_input)
		s->cfg.max_input = QMP_MAX_INPUT;
	if (!s->cfg.max_output)
		s->cfg.max_output = QMP_MAX_OUTPUT;
	s->tok = json_tokener_new_ex(QMP_MAX_DEPTH);
	if (!s->tok) {
		free(s);
		return NULL;
	}
	/* Not strict: QEMU accepts single-quoted strings, and so must vmras.
	 * UTF-8 is checked because replies echo the id. */
	json_tokener_set_flags(s->tok, JSON_TOKENER_VALIDATE_UTF8);
	greet(s);
	if (s->failed) {
		qmp_session_free(s);
		return NULL;
	}
	return s;
}

void qmp_session_free(struct qmp_session *s)
{
	if (!s)
		return;
	json_tokener_free(s->tok);
	free(s->out);
	free(s);
}
