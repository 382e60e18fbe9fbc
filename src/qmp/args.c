#include "qmp/args.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool check_members(struct json_object *obj, const struct qmp_member *members, const char *prefix,
			  struct qmp_error *err);

static const char *expected_word(const struct qmp_member *m)
{
	switch (m->type) {
	case QMP_T_STR:
	case QMP_T_ENUM:
		return "string";
	case QMP_T_INT:
	case QMP_T_UINT64:
		return "integer";
	case QMP_T_BOOL:
		return "boolean";
	case QMP_T_NUMBER:
		return "number";
	case QMP_T_OBJECT:
		return "object";
	case QMP_T_ANY:
		break;
	}
	return "value";
}

/* json-c keeps integers as int64 or uint64 and saturates beyond; a value
 * at INT64_MAX may really be a larger unsigned one. */
static bool fits_int64(struct json_object *v)
{
	return json_object_get_int64(v) != INT64_MAX || json_object_get_uint64(v) <= INT64_MAX;
}

static bool check_one(struct json_object *v, const struct qmp_member *m, const char *name, struct qmp_error *err)
{
	enum json_type t = json_object_get_type(v);
	bool ok = false;

	switch (m->type) {
	case QMP_T_STR:
	case QMP_T_ENUM:
		ok = t == json_type_string;
		break;
	case QMP_T_INT:
		ok = t == json_type_int && fits_int64(v);
		break;
	case QMP_T_UINT64:
		ok = t == json_type_int && json_object_get_int64(v) >= 0;
		break;
	case QMP_T_BOOL:
		ok = t == json_type_boolean;
		break;
	case QMP_T_NUMBER:
		ok = t == json_type_int || t == json_type_double;
		break;
	case QMP_T_OBJECT:
		ok = t == json_type_object;
		break;
	case QMP_T_ANY:
		return true;
	}
	if (!ok) {
		qmp_error_set(err, QMP_ERR_GENERIC, "Invalid parameter type for '%s', expected: %s", name,
			      expected_word(m));
		return false;
	}
	if (m->type == QMP_T_ENUM) {
		const char *s = json_object_get_string(v);
		for (const char *const *e = m->values; e && *e; e++)
			if (!strcmp(*e, s))
				return true;
		qmp_error_set(err, QMP_ERR_GENERIC, "Parameter '%s' does not accept value '%s'", name, s);
		return false;
	}
	if (m->type == QMP_T_OBJECT)
		return check_members(v, m->members, name, err);
	return true;
}

static bool check_value(struct json_object *v, const struct qmp_member *m, const char *name, struct qmp_error *err)
{
	size_t n;

	if (!m->array)
		return check_one(v, m, name, err);
	if (!json_object_is_type(v, json_type_array)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "Invalid parameter type for '%s', expected: array", name);
		return false;
	}
	n = json_object_array_length(v);
	for (size_t i = 0; i < n; i++) {
		char *elem;
		bool ok;

		if (asprintf(&elem, "%s[%zu]", name, i) < 0) {
			qmp_error_set(err, QMP_ERR_GENERIC, "out of memory");
			return false;
		}
		ok = check_one(json_object_array_get_idx(v, i), m, elem, err);
		free(elem);
		if (!ok)
			return false;
	}
	return true;
}

static bool known(const struct qmp_member *members, const char *key)
{
	for (const struct qmp_member *m = members; m && m->name; m++)
		if (!strcmp(m->name, key))
			return true;
	return false;
}

/* A nested member is named as QEMU names it: "outer.inner". */
static char *full_name(const char *prefix, const char *name)
{
	char *s;

	if (!prefix)
		return strdup(name);
	return asprintf(&s, "%s.%s", prefix, name) < 0 ? NULL : s;
}

static bool check_members(struct json_object *obj, const struct qmp_member *members, const char *prefix,
			  struct qmp_error *err)
{
	for (const struct qmp_member *m = members; m && m->name; m++) {
		struct json_object *v = NULL;
		bool present = obj && json_object_object_get_ex(obj, m->name, &v);
		char *name = full_name(prefix, m->name);
		bool ok = true;

		if (!name) {
			qmp_error_set(err, QMP_ERR_GENERIC, "out of memory");
			return false;
		}
		if (!present && !m->optional) {
			qmp_error_set(err, QMP_ERR_GENERIC, "Parameter '%s' is missing", name);
			ok = false;
		} else if (present) {
			ok = check_value(v, m, name, err);
		}
		free(name);
		if (!ok)
			return false;
	}
	if (obj) {
		json_object_object_foreach(obj, key, val) {
			(void)val;
			if (!known(members, key)) {
				char *name = full_name(prefix, key);
				qmp_error_set(err, QMP_ERR_GENERIC, "Parameter '%s' is unexpected", name ? name : key);
				free(name);
				return false;
			}
		}
	}
	return true;
}

bool qmp_args_check(struct json_object *obj, const struct qmp_member *members, struct qmp_error *err)
{
	return check_members(obj, members, NULL, err);
}
