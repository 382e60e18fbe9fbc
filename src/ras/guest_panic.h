/* The events a paravirtual panic device raises, in QEMU's QAPI shapes so QMP
 * clients written for QEMU read them unchanged:
 *   GUEST_PANICKED    {"action": "pause" | "poweroff" | "run"}
 *   GUEST_CRASHLOADED {"action": "run"}   (a kdump kernel took over)
 *   GUEST_PVSHUTDOWN  (no data member)
 * QEMU's optional "info" member (Hyper-V or s390 crash registers) is left out:
 * an x86 pvpanic write carries nothing but the event bits.
 * Pure. */
#ifndef VMRAS_RAS_GUEST_PANIC_H
#define VMRAS_RAS_GUEST_PANIC_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/* What vmras does after GUEST_PANICKED. The default matches QEMU's
 * (-action panic=shutdown with shutdown=poweroff): the VM powers off. */
enum guest_panic_action {
	GUEST_PANIC_POWEROFF = 0,
	GUEST_PANIC_PAUSE,
	GUEST_PANIC_RUN,
};
#define GUEST_PANIC_DEFAULT GUEST_PANIC_POWEROFF

/* "pause", "poweroff", "run"; NULL when out of range. */
const char *guest_panic_action_name(enum guest_panic_action a);
/* Returns 0, or -1 when name is none of the above. */
int guest_panic_action_parse(const char *name, enum guest_panic_action *out);

/* Whole QMP events (time_ns is CLOCK_REALTIME); NULL when out of memory or
 * the action is out of range. */
struct json_object *guest_panicked_event(enum guest_panic_action a, uint64_t time_ns);
struct json_object *guest_crashloaded_event(uint64_t time_ns);
struct json_object *guest_pvshutdown_event(uint64_t time_ns);

#endif
