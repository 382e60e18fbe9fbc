#include "vmm/panic.h"

#include "devices/pvpanic.h"
#include "ras/guest_panic.h"
#include "vmm/event_sink.h"
#include "vmm/log.h"
#include "vmm/machine.h"

static void on_pvpanic(void *opaque, enum pvpanic_event ev)
{
	struct machine *m = opaque;
	enum guest_panic_action action = m->opts->on_panic;

	switch (ev) {
	case PVPANIC_EVENT_PANICKED:
		/* Without its event (out of memory) the action still goes ahead: a
		 * guest that panicked must not be left running against the user's wish. */
		machine_emit(guest_panicked_event(action, event_now_ns()), "GUEST_PANICKED");
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
		machine_emit(guest_crashloaded_event(event_now_ns()), "GUEST_CRASHLOADED");
		log_info("guest panicked, its crash kernel takes over: left running");
		break;
	case PVPANIC_EVENT_SHUTDOWN:
		machine_emit(guest_pvshutdown_event(event_now_ns()), "GUEST_PVSHUTDOWN");
		log_info("guest shut down through pvpanic: powering off");
		machine_request(m, MACHINE_POWEROFF, "guest shutdown (pvpanic)");
		break;
	case PVPANIC_EVENT_NONE:
		break;
	}
}

int panic_attach(struct machine *m, enum bus_space space, uint64_t addr)
{
	m->pvpanic = (struct pvpanic){ .event = on_pvpanic, .opaque = m };
	return pvpanic_register(&m->pvpanic, &m->bus, space, addr);
}
