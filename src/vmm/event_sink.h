/* Where events go. Every event is one line of JSON in QMP's shape; each
 * registered sink gets it before the action it announces is taken. The
 * JSON Lines log is the first sink; the QMP monitor adds one per client. */
#ifndef VMRAS_VMM_EVENT_SINK_H
#define VMRAS_VMM_EVENT_SINK_H

#include <stddef.h>
#include <stdint.h>

#define EVENT_SINKS_MAX 8

struct event_sink {
	/* line has no terminator; returns 0 or -1 (the sink reports its own errors). */
	int (*emit)(struct event_sink *sink, const char *line, size_t len);
	void (*close)(struct event_sink *sink);
};

/* The time an event carries: now, CLOCK_REALTIME, in nanoseconds. */
uint64_t event_now_ns(void);

/* Returns 0, or -1 when EVENT_SINKS_MAX are registered. */
int event_sinks_add(struct event_sink *sink);
/* Hands the line to every sink; returns how many failed. Thread-safe: lines never interleave. */
int event_sinks_emit(const char *line, size_t len);
void event_sinks_close_all(void);

/* A sink appending JSON Lines to path (created 0644). NULL with errno set on failure. */
struct event_sink *event_log_open(const char *path);

#endif
