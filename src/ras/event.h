/* The MEMORY_FAILURE event. Its first members are exactly QEMU's QAPI event
 * (recipient, action, flags: {action-required, recursive}), so QMP clients
 * written for QEMU read it unchanged; the rest are what an operator needs
 * and QMP clients may ignore:
 *   host-virtual-address, size          always
 *   guest-physical-address, ram-region  guest memory (ram-region when known)
 *   cpu-index                           the vCPU concerned, when there is one
 *   reason                              why, when the action is not a plain inject
 *   count                               reports of this extent so far (registry)
 *   machine-check                       x86 inject: bank, status, mcg-status,
 *                                       address, misc (hex strings: 64-bit
 *                                       registers do not survive JSON doubles),
 *                                       delivery, broadcast
 *   ghes                                APEI: source (0 action required, 1
 *                                       action optional), delivery
 *                                       (notified, queued, dropped), waiting
 * Pure. */
#ifndef VMRAS_RAS_EVENT_H
#define VMRAS_RAS_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ras/apei.h"
#include "ras/mce.h"
#include "ras/memory_failure.h"
#include "ras/poison.h"

struct json_object;

struct mf_event {
	const struct memory_failure *failure;
	enum mf_action action;
	bool recursive;
	int cpu;                          /* vCPU concerned, or -1 */
	const char *reason;               /* NULL or "" for none */
	const struct mce_decision *mce;   /* x86 record details, used when action is inject; or NULL */
	const struct mf_event_ghes *ghes;  /* the CPER record's fate (--ras ghes|both), or NULL */
	const struct poison_entry *poison; /* the registry entry after this report, or NULL */
	uint64_t time_ns;                 /* CLOCK_REALTIME */
};

/* Fills an mf_event from an x86 decision. With mce false the machine check
 * was not sent (--ras ghes), so the event names none. */
struct mf_event mf_event_from_mce(const struct memory_failure *f, const struct mce_decision *d,
				  const struct poison_entry *poison, uint64_t time_ns);
struct mf_event mf_event_from_decision(const struct memory_failure *f, const struct mce_decision *d,
				       bool mce, const struct mf_event_ghes *ghes,
				       const struct poison_entry *poison, uint64_t time_ns);

/* Whether this report gets an event of its own. An action-required error
 * that was ignored (the guest turned reporting off) leaves the vCPU on the
 * poisoned load, which faults again at once: thousands of identical reports a
 * second. Those repeats are announced at counts 1, 2, 4, 8, ... (the event's
 * count says how many there were); every other report always is. */
bool mf_event_due(const struct mf_event *ev);

/* The "data" member alone. NULL when out of memory or the enums are out of range. */
struct json_object *mf_event_data(const struct mf_event *ev);
/* The whole QMP event. */
struct json_object *mf_event_new(const struct mf_event *ev);
/* The whole event as one line (see qmp_event_line); malloc'd, NULL on failure. */
char *mf_event_line(const struct mf_event *ev, size_t *len);

#endif
