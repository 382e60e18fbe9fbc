/* Checks a command's arguments (or an event's data) against its members in
 * the schema, and words the first problem as QEMU does. Pure. */
#ifndef VMRAS_QMP_ARGS_H
#define VMRAS_QMP_ARGS_H

#include <stdbool.h>

#include "qmp/error.h"
#include "qmp/schema.h"

struct json_object;

/* obj is an object, or NULL for none given (same as {}); members is NULL
 * when nothing is allowed. Problems are looked for in QEMU's order: the
 * schema's members in turn (missing, wrong type, value not in the enum),
 * then members the schema does not have. Returns true when obj conforms;
 * otherwise false with err set. */
bool qmp_args_check(struct json_object *obj, const struct qmp_member *members, struct qmp_error *err);

#endif
