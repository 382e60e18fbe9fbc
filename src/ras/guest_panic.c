#include "ras/guest_panic.h"

#include <json-c/json.h>
#include <string.h>

#include "ras/qmp_event.h"

static const char *const action_names[] = {
	[GUEST_PANIC_POWEROFF] = "poweroff",
	[GUEST_PANIC_PAUSE] = "pause",
	[GUEST_PANIC_RUN] = "run",
};

const char *guest_panic_action_name(enum guest_panic_action a)
{
	if ((unsigned)a >= sizeof(action_names) / sizeof(action_names[0]))
		return NULL;
	return action_names[a];
}

int guest_panic_action_parse(const char *name, enum guest_panic_action *out)
{
	for (unsigned i = 0; name && i < sizeof(action_names) / sizeof(action_names[0]); i++)
		if (!strcmp(name, action_names[i])) {
			*out = (enum guest_panic_action)i;
			return 0;
		}
	return -1;
}

static struct json_object *with_action(const char *event, const char *action, uint64_t time_ns)
{
	struct json_object *data, *val;

	if (!action)
		return NULL;
	data = json_object_new_object();
	val = json_object_new_string(action);
	if (!data || !val || json_object_object_add(data, "action", val) < 0) {
		json_object_put(val);
		json_object_put(data);
		return NULL;
	}
	return qmp_event_new(event, data, time_ns);
}

struct json_object *guest_panicked_event(enum guest_panic_action a, uint64_t time_ns)
{
	return with_action("GUEST_PANICKED", guest_panic_action_name(a), time_ns);
}

/* A crash kernel handles the panic itself, so QEMU reports it and never acts. */
struct json_object *guest_crashloaded_event(uint64_t time_ns)
{
	return with_action("GUEST_CRASHLOADED", guest_panic_action_name(GUEST_PANIC_RUN), time_ns);
}

/* QEMU declares this event with no members, and sends such events without
 * a "data" member at all. */
struct json_object *guest_pvshutdown_event(uint64_t time_ns)
{
	return qmp_event_new("GUEST_PVSHUTDOWN", NULL, time_ns);
}

