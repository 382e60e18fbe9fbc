#include "vmm/panic.h"

#include <stdlib.h>
#include <time.h>

#include "devices/pvpanic.h"
#include "ras/guest_panic.h"
#include "vmm/event_sink.h"
#include "vmm/log.h"
#include "vmm/machine.h"
#include "x86/layout.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void emit(struct json_object *event, const char *name)
{
	size_t len;
	char *line = guest_panic_line(event, &len);

	/* The action goes ahead without its event rather than not at all: a
	 * guest that panicked must not be left running against the user's wish. */
	if (!line) {
		log_error("cannot encode a %s event (out of memory)", name);
		return;
	}
	event_sinks_emit(line, len);
	free(line);
}

static void on_pvpanic(void *opaque, enum pvpanic_event ev)
{
	struct machine *m = opaque;
	enum guest_panic_action action = m->opts->on_panic;

	switch (ev) {
	case PVPANIC_EVENT_PANICKED:
		emit(guest_panicked_event(action, now_ns()), "GUEST_PANICKED");
		switch (action) {
		case GUEST_PANIC_PAUSE:
			/* Each vCPU (this one included) stays out of the guest
			 * from its next exit on, until system_reset then cont. */
			machine_guest_panicked(m);
			log_info("guest panicked: paused");
			break;
		case GUEST_PANIC_POWEROFF:
			log_info("guest panicked: powering off");
			machine_request_cause(m, MACHINE_POWEROFF, SHUTDOWN_CAUSE_GUEST_PANIC, "guest panicked");
			break;
		case GUEST_PANIC_RUN:
			log_info("guest panicked: left running");
			break;
		}
		break;
	case PVPANIC_EVENT_CRASH_LOADED:
		/* A crash kernel is taking over: report it, and never stand in its way. */
		emit(guest_crashloaded_event(now_ns()), "GUEST_CRASHLOADED");
		log_info("guest panicked, its crash kernel takes over: left running");
		break;
	case PVPANIC_EVENT_SHUTDOWN:
		emit(guest_pvshutdown_event(now_ns()), "GUEST_PVSHUTDOWN");
		log_info("guest shut down through pvpanic: powering off");
		machine_request(m, MACHINE_POWEROFF, "guest shutdown (pvpanic)");
		break;
	case PVPANIC_EVENT_NONE:
		break;
	}
}

int panic_attach(struct machine *m)
{
	m->pvpanic = (struct pvpanic){ .event = on_pvpanic, .opaque = m };
	return pvpanic_register(&m->pvpanic, &m->pio, X86_PVPANIC_PORT);
}
