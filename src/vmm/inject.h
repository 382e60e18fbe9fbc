/* The machine side of inject-memory-failure, inject-mce, inject-ghes-v2-error
 * and query-cpus-fast
 * (their QMP side is src/qmp/commands.c and src/qmp/inject.c). Each takes the
 * struct machine as opaque, so main.c hands them to the QMP backend as they
 * are. They run on the QMP thread. */
#ifndef VMRAS_VMM_INJECT_H
#define VMRAS_VMM_INJECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;
struct qmp_error;
struct qmp_mce;

int machine_inject_memory_failure(void *opaque, uint64_t gpa, bool poison, bool action_required,
				  struct qmp_error *err);
int machine_inject_mce(void *opaque, const struct qmp_mce *mce, struct qmp_error *err);
int machine_inject_ghes(void *opaque, const void *rec, size_t len, struct qmp_error *err);
struct json_object *machine_cpus(void *opaque, struct qmp_error *err);

#endif
