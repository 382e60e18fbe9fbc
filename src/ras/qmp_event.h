/* The QMP event envelope, {"event", "data", "timestamp": {"seconds",
 * "microseconds"}}, shared by the event log now and the QMP monitor later.
 * Pure. */
#ifndef VMRAS_RAS_QMP_EVENT_H
#define VMRAS_RAS_QMP_EVENT_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

/* A new event object. Takes ownership of data (NULL: the event has no data
 * member, as QMP allows); time_ns is CLOCK_REALTIME. NULL when out of memory
 * (data is released then too). */
struct json_object *qmp_event_new(const char *name, struct json_object *data, uint64_t time_ns);

/* One line of compact JSON (no newline, not even at the end: JSON Lines and
 * QMP each add their own terminator). Returns a malloc'd string and its
 * length, or NULL when out of memory. */
char *qmp_event_line(struct json_object *event, size_t *len);

#endif
