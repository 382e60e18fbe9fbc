#include "qmp/runstate.h"

#include <json-c/json.h>

#include "ras/qmp_event.h"

static const char *const names[RUN_STATE__MAX] = {
	[RUN_STATE_PRELAUNCH] = "prelaunch",
	[RUN_STATE_RUNNING] = "running",
	[RUN_STATE_PAUSED] = "paused",
	[RUN_STATE_SHUTDOWN] = "shutdown",
	[RUN_STATE_GUEST_PANICKED] = "guest-panicked",
	[RUN_STATE_INTERNAL_ERROR] = "internal-error",
};

#define B(s) (1u << (s))

/* allowed[from] has bit `to` set. Shutdown is final: vmras exits from it,
 * unlike QEMU's -no-shutdown, which vmras does not offer. Error and shutdown
 * are reachable from everywhere else because the host can always end the VM. */
static const unsigned allowed[RUN_STATE__MAX] = {
	[RUN_STATE_PRELAUNCH] = B(RUN_STATE_RUNNING) | B(RUN_STATE_SHUTDOWN) | B(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_RUNNING] = B(RUN_STATE_PAUSED) | B(RUN_STATE_GUEST_PANICKED) | B(RUN_STATE_SHUTDOWN) |
			      B(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_PAUSED] = B(RUN_STATE_RUNNING) | B(RUN_STATE_PRELAUNCH) | B(RUN_STATE_SHUTDOWN) |
			     B(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_SHUTDOWN] = 0,
	[RUN_STATE_GUEST_PANICKED] = B(RUN_STATE_PRELAUNCH) | B(RUN_STATE_SHUTDOWN) | B(RUN_STATE_INTERNAL_ERROR),
	[RUN_STATE_INTERNAL_ERROR] = B(RUN_STATE_PRELAUNCH) | B(RUN_STATE_SHUTDOWN),
};

const char *run_state_name(enum run_state s)
{
	return (unsigned)s < RUN_STATE__MAX ? names[s] : 0;
}

bool run_state_transition_allowed(enum run_state from, enum run_state to)
{
	if ((unsigned)from >= RUN_STATE__MAX || (unsigned)to >= RUN_STATE__MAX)
		return false;
	return allowed[from] & B(to);
}

bool run_state_is_running(enum run_state s)
{
	return s == RUN_STATE_RUNNING;
}

bool run_state_needs_reset(enum run_state s)
{
	return s == RUN_STATE_SHUTDOWN || s == RUN_STATE_GUEST_PANICKED || s == RUN_STATE_INTERNAL_ERROR;
}

enum run_state run_state_after_reset(enum run_state s)
{
	return s == RUN_STATE_RUNNING ? RUN_STATE_RUNNING : RUN_STATE_PRELAUNCH;
}

static const char *const causes[SHUTDOWN_CAUSE__MAX] = {
	[SHUTDOWN_CAUSE_HOST_QMP_QUIT] = "host-qmp-quit",
	[SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET] = "host-qmp-system-reset",
	[SHUTDOWN_CAUSE_HOST_SIGNAL] = "host-signal",
	[SHUTDOWN_CAUSE_GUEST_SHUTDOWN] = "guest-shutdown",
	[SHUTDOWN_CAUSE_GUEST_RESET] = "guest-reset",
	[SHUTDOWN_CAUSE_GUEST_PANIC] = "guest-panic",
};

const char *shutdown_cause_name(enum shutdown_cause c)
{
	return (unsigned)c < SHUTDOWN_CAUSE__MAX ? causes[c] : 0;
}

bool shutdown_cause_by_guest(enum shutdown_cause c)
{
	return c == SHUTDOWN_CAUSE_GUEST_SHUTDOWN || c == SHUTDOWN_CAUSE_GUEST_RESET ||
	       c == SHUTDOWN_CAUSE_GUEST_PANIC;
}

struct json_object *run_state_stop_event(uint64_t time_ns)
{
	return qmp_event_new("STOP", NULL, time_ns);
}

struct json_object *run_state_resume_event(uint64_t time_ns)
{
	return qmp_event_new("RESUME", NULL, time_ns);
}

static struct json_object *cause_event(const char *name, enum shutdown_cause c, uint64_t time_ns)
{
	struct json_object *data;

	if (!shutdown_cause_name(c) || !(data = json_object_new_object()))
		return NULL;
	if (json_object_object_add(data, "guest", json_object_new_boolean(shutdown_cause_by_guest(c))) ||
	    json_object_object_add(data, "reason", json_object_new_string(shutdown_cause_name(c)))) {
		json_object_put(data);
		return NULL;
	}
	return qmp_event_new(name, data, time_ns);
}

struct json_object *run_state_reset_event(enum shutdown_cause c, uint64_t time_ns)
{
	return cause_event("RESET", c, time_ns);
}

struct json_object *run_state_shutdown_event(enum shutdown_cause c, uint64_t time_ns)
{
	return cause_event("SHUTDOWN", c, time_ns);
}

struct json_object *run_state_powerdown_event(uint64_t time_ns)
{
	/* QEMU sends it with no "data" member at all, as STOP and RESUME. */
	return qmp_event_new("POWERDOWN", NULL, time_ns);
}
