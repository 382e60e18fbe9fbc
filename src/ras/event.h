/* The MEMORY_FAILURE event. Its first members are exactly QEMU's QAPI event
 * (recipient, action, flags: {action-required, recursive}), so QMP clients
 * written for QEMU read it unchanged; the rest are what an operator needs
 * and QMP clients may ignore:
 *   host-virtual-address, size          always
 *   guest-physical-address, ram-region  guest memory (ram-region when known)
 *   cpu-index                           the vCPU concerned, when there is one
 *   device                              the device model that met the page, when one did
 *   reason                              why, when the action is not a plain inject
 *   count                               reports of this extent so far (registry)
 *   the arch's member                   inject through the arch's channel,
 *                                       written by the arch (x86:
 *                                       machine-check, x86/mce_event.c;
 *                                       arm64: arm, with every GHES record,
 *                                       arm64/mf_event.c)
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
#include "ras/memory_failure.h"
#include "ras/poison.h"
#include "ras/verdict.h"

struct json_object;

/* The arch's own member of the event, for a guest it told through its own
 * channel (x86: the machine check): the arch knows what detail is and how
 * to write it. */
struct mf_event_arch {
	const char *member;          /* its key; NULL for none */
	struct json_object *(*json)(const void *detail);  /* NULL when out of memory */
	const void *detail;
};

struct mf_event {
	const struct memory_failure *failure;
	enum mf_action action;
	bool recursive;
	int cpu;                          /* vCPU concerned, or -1 */
	const char *reason;               /* NULL or "" for none */
	struct mf_event_arch arch;        /* written when action is inject; member NULL: none */
	const struct mf_event_ghes *ghes;  /* the CPER record's fate (--ras ghes|both), or NULL */
	const struct poison_entry *poison; /* the registry entry after this report, or NULL */
	/* The extent was already poisoned, and not replaced since, when this
	 * report came (the registry said POISON_DUPLICATE). */
	bool repeat;
	uint64_t time_ns;                 /* CLOCK_REALTIME */
};

/* Fills an mf_event from a verdict, with no arch member. */
struct mf_event mf_event_from_verdict(const struct memory_failure *f, const struct mf_verdict *v,
				      const struct poison_entry *poison, uint64_t time_ns);
/* The same, with arch: the arch's member when its channel told the guest;
 * NULL when it did not (--ras ghes), so the event names no arch detail. */
struct mf_event mf_event_from_decision(const struct memory_failure *f, const struct mf_verdict *v,
				       const struct mf_event_arch *arch, const struct mf_event_ghes *ghes,
				       const struct poison_entry *poison, uint64_t time_ns);

/* Whether this report gets an event of its own. An action-required error
 * that was ignored (the guest turned reporting off) leaves the vCPU on the
 * poisoned load, which faults again at once: thousands of identical reports a
 * second. Those repeats are announced at counts 1, 2, 4, 8, ... (the event's
 * count says how many there were). A lost extent larger than a 4 KiB page
 * (a hugepage) is one failure, announced once: its repeats (the guest
 * touching another 4 KiB page of it, each touch one report) get no event
 * unless they are what resets the guest or ends vmras; the registry counts
 * them. Every other report always is announced. */
bool mf_event_due(const struct mf_event *ev);

/* For an arch's member: adds val under key; false (val released) on
 * failure, or when val is NULL. */
bool mf_json_add(struct json_object *obj, const char *key, struct json_object *val);
/* A 64-bit register as a hex string: JSON doubles would not hold it. */
struct json_object *mf_json_hex(uint64_t v);

/* The "data" member alone. NULL when out of memory or the enums are out of range. */
struct json_object *mf_event_data(const struct mf_event *ev);
/* The whole QMP event. */
struct json_object *mf_event_new(const struct mf_event *ev);
/* The whole event as one line (see qmp_event_line); malloc'd, NULL on failure. */
char *mf_event_line(const struct mf_event *ev, size_t *len);

#endif
