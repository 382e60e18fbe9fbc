/* The VM's run state, with QEMU's RunState names for the states vmras has,
 * and the one table of transitions between them. A transition the table does
 * not allow is a bug in vmras, never a user error: callers log it and keep
 * the old state. Pure. */
#ifndef VMRAS_QMP_RUNSTATE_H
#define VMRAS_QMP_RUNSTATE_H

#include <stdbool.h>
#include <stdint.h>

struct json_object;

enum run_state {
	RUN_STATE_PRELAUNCH,       /* --paused, or reset while not running: waits for cont */
	RUN_STATE_RUNNING,
	RUN_STATE_PAUSED,          /* QMP stop */
	RUN_STATE_SHUTDOWN,        /* on the way out: quit, signal, guest power-off */
	RUN_STATE_GUEST_PANICKED,  /* pvpanic with --on-panic pause */
	RUN_STATE_INTERNAL_ERROR,  /* KVM failed */
	RUN_STATE__MAX,
};

/* "prelaunch", "running", ...; NULL for a value out of range. */
const char *run_state_name(enum run_state s);
bool run_state_transition_allowed(enum run_state from, enum run_state to);
/* Whether vCPUs run the guest: query-status's "running". */
bool run_state_is_running(enum run_state s);
/* States that only a reset leaves (QEMU refuses cont in them). */
bool run_state_needs_reset(enum run_state s);
/* Where a reset leads: a running VM keeps running, any other comes back
 * stopped in prelaunch (as QEMU, which does not resume a stopped VM on reset). */
enum run_state run_state_after_reset(enum run_state s);

/* Why a VM resets or shuts down: QEMU's ShutdownCause names, so the RESET
 * and SHUTDOWN events read as QEMU's. */
enum shutdown_cause {
	SHUTDOWN_CAUSE_HOST_QMP_QUIT,          /* QMP quit, and Ctrl-a x (QEMU's mux console quits the same way) */
	SHUTDOWN_CAUSE_HOST_QMP_SYSTEM_RESET,
	SHUTDOWN_CAUSE_HOST_SIGNAL,            /* SIGTERM, SIGINT, SIGHUP */
	SHUTDOWN_CAUSE_GUEST_SHUTDOWN,         /* ACPI power-off, pvpanic shutdown */
	SHUTDOWN_CAUSE_GUEST_RESET,            /* reset register, triple fault, ... */
	SHUTDOWN_CAUSE_GUEST_PANIC,            /* pvpanic with --on-panic poweroff */
	SHUTDOWN_CAUSE__MAX,
};

const char *shutdown_cause_name(enum shutdown_cause c);
/* The "guest" member: whether the guest itself asked. */
bool shutdown_cause_by_guest(enum shutdown_cause c);

/* Whole QMP events (time_ns is CLOCK_REALTIME); NULL when out of memory or
 * an argument is out of range. STOP and RESUME carry no data; RESET and
 * SHUTDOWN carry {"guest", "reason"}. */
struct json_object *run_state_stop_event(uint64_t time_ns);
struct json_object *run_state_resume_event(uint64_t time_ns);
struct json_object *run_state_reset_event(enum shutdown_cause c, uint64_t time_ns);
struct json_object *run_state_shutdown_event(enum shutdown_cause c, uint64_t time_ns);
/* POWERDOWN: the power button was pressed (QMP system_powerdown); no data. */
struct json_object *run_state_powerdown_event(uint64_t time_ns);

#endif
