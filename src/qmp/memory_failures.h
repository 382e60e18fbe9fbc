/* query-memory-failures: the poison registry as QMP returns it. Pure. */
#ifndef VMRAS_QMP_MEMORY_FAILURES_H
#define VMRAS_QMP_MEMORY_FAILURES_H

struct json_object;
struct poison_registry;

/* A JSON array, one object per registry entry in the order first reported
 * (see the query-memory-failures entry in commands.c for the members).
 * NULL when out of memory. */
struct json_object *qmp_memory_failures(const struct poison_registry *r);

#endif
