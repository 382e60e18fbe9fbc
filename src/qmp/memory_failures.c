#include "qmp/memory_failures.h"

#include <json-c/json.h>

#include "ras/poison.h"

/* The shape of an event's timestamp, so clients read both the same way. */
static struct json_object *timestamp(uint64_t ns)
{
	struct json_object *t = json_object_new_object();

	if (t && (json_object_object_add(t, "seconds", json_object_new_int64((int64_t)(ns / 1000000000u))) ||
		  json_object_object_add(t, "microseconds",
					 json_object_new_int64((int64_t)(ns % 1000000000u / 1000u))))) {
		json_object_put(t);
		return NULL;
	}
	return t;
}

/* json-c adds nothing for a NULL value and says so only by the result. */
static bool add(struct json_object *o, const char *key, struct json_object *v)
{
	if (!v)
		return false;
	if (json_object_object_add(o, key, v)) {
		json_object_put(v);
		return false;
	}
	return true;
}

static struct json_object *entry_json(const struct poison_registry *r, const struct poison_entry *e)
{
	struct json_object *o = json_object_new_object();
	const char *region = e->region == POISON_NO_REGION ? NULL : poison_region_name(r, e->region);
	bool ok;

	if (!o)
		return NULL;
	ok = add(o, "recipient", json_object_new_string(mf_recipient_name(e->guest ? MF_RECIPIENT_GUEST :
										      MF_RECIPIENT_HYPERVISOR)));
	if (ok && e->guest)
		ok = add(o, "guest-physical-address", json_object_new_uint64(e->addr));
	ok = ok && add(o, "host-virtual-address", json_object_new_uint64(e->hva)) &&
	     add(o, "size", json_object_new_uint64(e->lsb >= 64 ? 0 : (uint64_t)1 << e->lsb));
	if (ok && region)
		ok = add(o, "ram-region", json_object_new_string(region));
	ok = ok && add(o, "first-seen", timestamp(e->first_ns)) && add(o, "last-seen", timestamp(e->last_ns)) &&
	     add(o, "count", json_object_new_int64(e->count)) &&
	     add(o, "action-required", json_object_new_boolean(e->last_ar)) &&
	     add(o, "action", json_object_new_string(mf_action_name(e->last_action))) &&
	     add(o, "replaced", json_object_new_boolean(e->replaced));
	if (!ok) {
		json_object_put(o);
		return NULL;
	}
	return o;
}

struct json_object *qmp_memory_failures(const struct poison_registry *r)
{
	struct json_object *list = json_object_new_array();
	size_t n = poison_count(r);

	for (size_t i = 0; list && i < n; i++) {
		struct json_object *e = entry_json(r, poison_at(r, i));
		if (!e || json_object_array_add(list, e)) {
			json_object_put(e);
			json_object_put(list);
			return NULL;
		}
	}
	return list;
}
