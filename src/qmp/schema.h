/* The QMP schema vmras serves: one table of commands and one table of events.
 * Each entry says its name, its members (arguments or event data) with their
 * types, and its documentation. The tables drive dispatch, argument checking,
 * query-commands and the reference section of docs/qmp.md, so what is
 * documented is what is checked. Pure. */
#ifndef VMRAS_QMP_SCHEMA_H
#define VMRAS_QMP_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "qmp/error.h"

struct json_object;
struct qmp_session;

enum qmp_type {
	QMP_T_STR,
	QMP_T_INT,      /* a JSON integer that fits int64 */
	QMP_T_UINT64,   /* a JSON integer from 0 to 2^64-1 */
	QMP_T_BOOL,
	QMP_T_NUMBER,   /* any JSON number */
	QMP_T_ENUM,     /* a string from values */
	QMP_T_OBJECT,   /* an object with members */
	QMP_T_ANY,      /* any JSON value */
};

struct qmp_member {
	const char *name;                  /* NULL ends a member list */
	enum qmp_type type;
	bool optional;
	bool array;                        /* a JSON array of this type */
	const char *type_name;             /* QMP_T_ENUM and QMP_T_OBJECT: the QAPI type's name */
	const char *const *values;         /* QMP_T_ENUM: NULL-terminated */
	const struct qmp_member *members;  /* QMP_T_OBJECT */
	const char *doc;
};

/* Returns the value of "return" (a new reference), or NULL with err set. */
typedef struct json_object *(*qmp_handler)(struct qmp_session *s, struct json_object *args,
					   struct qmp_error *err);

/* Accepted before capabilities negotiation is complete (qmp_capabilities only). */
#define QMP_CMD_NEGOTIATION 0x1
/* A vmras extension: QEMU has no such command (the differential test skips it). */
#define QMP_CMD_EXTENSION   0x2

struct qmp_command {
	const char *name;
	const struct qmp_member *args;     /* NULL: takes no arguments */
	qmp_handler handler;
	unsigned flags;
	const char *returns;               /* what "return" holds, for the reference */
	const char *doc;
	/* QEMU's command, but only from this later QEMU release on ("10.2"):
	 * the QEMU vmras otherwise follows (QMP_QEMU_*, the differential test's
	 * peer) lacks it. NULL: that QEMU has it, or it is an extension. */
	const char *qemu_since;
};

struct qmp_event_spec {
	const char *name;
	const struct qmp_member *data;     /* NULL: the event has no data */
	const char *doc;
};

extern const struct qmp_command qmp_commands[];
extern const size_t qmp_ncommands;
extern const struct qmp_event_spec qmp_events[];
extern const size_t qmp_nevents;

const struct qmp_command *qmp_command_find(const struct qmp_command *table, size_t n, const char *name);

/* The element type's name as the reference shows it ("str", "int", or the
 * QAPI type name); the caller adds the brackets of an array. */
const char *qmp_type_name(const struct qmp_member *m);

#endif
