/* The QMP monitor's transport: listens on every --qmp endpoint, serves any
 * number of clients from one poll thread, and feeds each a QMP session
 * (src/qmp). It is an event sink: every event reaches every client that has
 * completed negotiation. It never blocks the VM: sockets are non-blocking,
 * and a client that leaves QMP_MAX_OUTPUT unread is dropped. */
#ifndef VMRAS_VMM_QMP_SERVER_H
#define VMRAS_VMM_QMP_SERVER_H

#include <stddef.h>

#include "qmp/session.h"
#include "vmm/cli.h"
#include "vmm/event_sink.h"

struct qmp_server;

/* Opens every listener and starts the poll thread. A Unix socket is created
 * 0600; an existing file at its path is replaced only if it is a socket that
 * nobody listens on. NULL with a reason in why (the user's: exit 2). */
struct qmp_server *qmp_server_start(const struct cli_qmp *endpoints, unsigned n, const struct qmp_backend *backend,
				    const char *package, char *why, size_t whylen);

/* The server as an event sink. Closing the sink stops the server: clients
 * get what they are owed (within a second), then every socket is closed and
 * the Unix socket files are removed. */
struct event_sink *qmp_server_sink(struct qmp_server *srv);

#endif
