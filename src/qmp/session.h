/* One QMP connection, without the connection: bytes in, reply bytes out.
 * The session parses a stream of concatenated JSON values (no delimiter
 * needed), enforces capabilities negotiation, checks each command against
 * the schema, runs it, and queues replies and events in a bounded output
 * buffer that the transport drains. It never blocks and owns no file
 * descriptor or thread, so a transport (src/vmm/qmp_server.c), the unit tests
 * and the fuzzer drive it alike. Pure. */
#ifndef VMRAS_QMP_SESSION_H
#define VMRAS_QMP_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "qmp/schema.h"

struct json_object;
struct qmp_mce;

/* The QEMU version vmras reports: the QEMU release whose QMP behaviour it
 * follows (Debian 12's QEMU, the differential test's peer). */
#define QMP_QEMU_MAJOR 7
#define QMP_QEMU_MINOR 2
#define QMP_QEMU_MICRO 0

#define QMP_MAX_INPUT  (1u << 20)   /* bytes in one JSON value */
#define QMP_MAX_OUTPUT (1u << 20)   /* bytes waiting for a client before it is dropped */
#define QMP_MAX_DEPTH  1024         /* JSON nesting, as QEMU */

/* What commands need from the process around them. */
struct qmp_backend {
	void *opaque;
	/* quit: end the process once the reply has been sent. */
	void (*quit)(void *opaque);
	/* query-status: a QEMU RunState name ("running", "prelaunch", ...) and whether vCPUs run. */
	const char *(*run_state)(void *opaque, bool *running);
	/* stop, cont: return 0, or -1 with err set (cont where only a reset helps). */
	int (*stop)(void *opaque, struct qmp_error *err);
	int (*cont)(void *opaque, struct qmp_error *err);
	/* system_reset: a reset as the guest's own (RESET event first). */
	int (*system_reset)(void *opaque, struct qmp_error *err);
	/* system_powerdown: POWERDOWN event, then an ACPI power-button press. */
	int (*system_powerdown)(void *opaque, struct qmp_error *err);
	/* query-memory-failures: the list it returns (a new reference), or NULL with err set. */
	struct json_object *(*memory_failures)(void *opaque, struct qmp_error *err);
	/* query-ras-stats: the object it returns (a new reference), or NULL with err set. */
	struct json_object *(*ras_stats)(void *opaque, struct qmp_error *err);
	/* inject-memory-failure: poison = the host kernel poisons the page for
	 * real (action optional); otherwise a synthetic SIGBUS. 0, or -1 with err set. */
	int (*inject_memory_failure)(void *opaque, uint64_t gpa, bool poison, bool action_required,
				     struct qmp_error *err);
	/* inject-mce: mce is a struct qmp_mce (qmp/inject.h), checked by the
	 * backend against its machine. 0, or -1 with err set. */
	int (*inject_mce)(void *opaque, const struct qmp_mce *mce, struct qmp_error *err);
	/* inject-ghes-v2-error: rec is a whole Generic Error Status Block,
	 * already checked (cper_block_check), for the action-optional GHES
	 * source. 0 (written or queued), or -1 with err set. */
	int (*inject_ghes)(void *opaque, const void *rec, size_t len, struct qmp_error *err);
	/* query-cpus-fast: the list it returns (a new reference, [] without a
	 * guest), or NULL with err set. */
	struct json_object *(*cpus)(void *opaque, struct qmp_error *err);
};

struct qmp_session_config {
	const struct qmp_command *commands;  /* NULL: vmras's table (qmp_commands) */
	size_t ncommands;
	const struct qmp_backend *backend;   /* NULL: commands that need one fail */
	const char *package;                 /* the version's "package" member; NULL: "" */
	size_t max_input;                    /* 0: QMP_MAX_INPUT */
	size_t max_output;                   /* 0: QMP_MAX_OUTPUT */
};

struct qmp_session;

/* A new session with the greeting already queued. NULL when out of memory. */
struct qmp_session *qmp_session_new(const struct qmp_session_config *cfg);
void qmp_session_free(struct qmp_session *s);

/* Feeds received bytes, in any split. Returns 0, or -1 once the session has
 * failed (its output outgrew the bound, or memory ran out): the transport
 * should drop the client. Input after a failure is ignored. */
int qmp_session_input(struct qmp_session *s, const void *buf, size_t len);

/* Queues an event line (compact JSON, no terminator) if the client has
 * completed negotiation; before that, events are not sent, as in QEMU.
 * Returns 0, or -1 once the session has failed. */
int qmp_session_event(struct qmp_session *s, const char *line, size_t len);

/* Bytes waiting to be sent (NULL when none), and how many were sent. */
const char *qmp_session_output(const struct qmp_session *s, size_t *len);
void qmp_session_consume(struct qmp_session *s, size_t n);

bool qmp_session_failed(const struct qmp_session *s);
bool qmp_session_command_mode(const struct qmp_session *s);

/* For command handlers. */
void qmp_session_enter_command_mode(struct qmp_session *s);
const struct qmp_backend *qmp_session_backend(const struct qmp_session *s);
const struct qmp_command *qmp_session_commands(const struct qmp_session *s, size_t *n);
const char *qmp_session_package(const struct qmp_session *s);

/* {"qemu": {"major", "minor", "micro"}, "package"}: the greeting's and query-version's. */
struct json_object *qmp_version_info(const char *package);

#endif
