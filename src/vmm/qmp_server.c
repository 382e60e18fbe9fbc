#include "vmm/qmp_server.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/log.h"

#define MAX_CLIENTS    64
#define READ_CHUNK     (64u << 10)
#define EVENT_QUEUE_MAX (4u << 20)   /* bytes of events not yet handed to sessions */
#define FLUSH_MS       1000          /* at exit, how long clients get to read what they are owed */

struct listener {
	int fd;
	char *path;                  /* Unix socket: removed at exit if still ours */
	dev_t dev;
	ino_t ino;
};

struct client {
	int fd;
	struct qmp_session *session;
	bool eof;                    /* the client sent everything: reply, then close */
};

struct queued_event {
	struct queued_event *next;
	size_t len;
	char line[];
};

struct qmp_server {
	struct event_sink sink;
	struct qmp_session_config cfg;
	struct qmp_backend backend;
	struct listener listeners[CLI_MAX_QMP];
	unsigned nlisteners;
	struct client clients[MAX_CLIENTS];
	unsigned nclients;
	int wake_fd;                 /* eventfd: events queued, or stop */
	pthread_t thread;

	pthread_mutex_t lock;        /* guards the fields below */
	struct queued_event *head, **tail;
	size_t queued;
	unsigned long dropped_events;
	bool stop;
};

static void wake(struct qmp_server *srv)
{
	uint64_t one = 1;
	ssize_t n = write(srv->wake_fd, &one, sizeof(one));
	(void)n;   /* a full counter is already a pending wake-up */
}

static void deliver_events(struct qmp_server *srv, bool may_drop);

/* Any thread (the RAS thread, a vCPU): only queues, so it never waits on a client. */
static int server_emit(struct event_sink *sink, const char *line, size_t len)
{
	struct qmp_server *srv = (struct qmp_server *)sink;
	struct queued_event *e;
	bool own_thread = pthread_equal(pthread_self(), srv->thread);
	int rc = 0;

	pthread_mutex_lock(&srv->lock);
	if (srv->queued + len > EVENT_QUEUE_MAX || !(e = malloc(sizeof(*e) + len))) {
		srv->dropped_events++;
		rc = -1;
	} else {
		e->next = NULL;
		e->len = len;
		memcpy(e->line, line, len);
		*srv->tail = e;
		srv->tail = &e->next;
		srv->queued += len;
	}
	pthread_mutex_unlock(&srv->lock);
	/* An event a command causes (STOP, RESET, SHUTDOWN) goes out before
	 * that command's reply, as QEMU sends it; the reply is queued once the
	 * handler returns. A session that overflows is dropped by the serve
	 * loop, not here: its input may be what is running this. */
	if (own_thread)
		deliver_events(srv, false);
	else
		wake(srv);
	return rc;
}

static void drop_client(struct qmp_server *srv, unsigned i, const char *why)
{
	if (why)
		log_info("QMP client dropped: %s", why);
	close(srv->clients[i].fd);
	qmp_session_free(srv->clients[i].session);
	srv->clients[i] = srv->clients[--srv->nclients];
}

/* Hands queued events to every session; those still negotiating skip them. */
static void deliver_events(struct qmp_server *srv, bool may_drop)
{
	struct queued_event *e, *next;
	unsigned long dropped;

	pthread_mutex_lock(&srv->lock);
	e = srv->head;
	srv->head = NULL;
	srv->tail = &srv->head;
	srv->queued = 0;
	dropped = srv->dropped_events;
	srv->dropped_events = 0;
	pthread_mutex_unlock(&srv->lock);
	if (dropped)
		log_error("QMP: %lu events were not delivered (out of memory)", dropped);
	for (; e; e = next) {
		next = e->next;
		for (unsigned i = 0; i < srv->nclients;) {
			if (qmp_session_event(srv->clients[i].session, e->line, e->len) && may_drop)
				drop_client(srv, i, "it does not read its events");
			else
				i++;
		}
		free(e);
	}
}

/* Sends what the socket takes now. Returns -1 when the client is gone. */
static int flush_client(struct client *c)
{
	size_t len;
	const char *out;

	while ((out = qmp_session_output(c->session, &len))) {
		ssize_t n = send(c->fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		}
		qmp_session_consume(c->session, (size_t)n);
	}
	return 0;
}

static void read_client(struct qmp_server *srv, unsigned i)
{
	struct client *c = &srv->clients[i];
	char buf[READ_CHUNK];
	ssize_t n = recv(c->fd, buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK))
		return;
	if (n <= 0) {
		/* Half-closed (echo ... | socat): the replies are still owed. */
		c->eof = true;
		return;
	}
	qmp_session_input(c->session, buf, (size_t)n);
}

static void accept_client(struct qmp_server *srv, int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct qmp_session *s;

	if (fd < 0)
		return;
	if (srv->nclients == MAX_CLIENTS) {
		log_error("QMP: refusing a client: %d are connected already", MAX_CLIENTS);
		close(fd);
		return;
	}
	s = qmp_session_new(&srv->cfg);
	if (!s) {
		close(fd);
		return;
	}
	srv->clients[srv->nclients++] = (struct client){ .fd = fd, .session = s };
}

static bool stopping(struct qmp_server *srv)
{
	bool stop;

	pthread_mutex_lock(&srv->lock);
	stop = srv->stop;
	pthread_mutex_unlock(&srv->lock);
	return stop;
}

static void serve(struct qmp_server *srv)
{
	struct pollfd pfd[1 + CLI_MAX_QMP + MAX_CLIENTS];

	while (!stopping(srv)) {
		unsigned n = 0, nc;

		pfd[n++] = (struct pollfd){ .fd = srv->wake_fd, .events = POLLIN };
		for (unsigned i = 0; i < srv->nlisteners; i++)
			pfd[n++] = (struct pollfd){ .fd = srv->listeners[i].fd, .events = POLLIN };
		nc = srv->nclients;
		for (unsigned i = 0; i < nc; i++) {
			struct client *c = &srv->clients[i];
			size_t len;
			pfd[n++] = (struct pollfd){
				.fd = c->fd,
				.events = (c->eof ? 0 : POLLIN) | (qmp_session_output(c->session, &len) ? POLLOUT : 0),
			};
		}
		if (poll(pfd, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_error("QMP: poll: %s", strerror(errno));
			return;
		}
		if (pfd[0].revents & POLLIN) {
			uint64_t v;
			ssize_t r = read(srv->wake_fd, &v, sizeof(v));
			(void)r;
		}
		/* Clients first, by index from the end, so that drops (which move
		 * the last client into the hole) do not disturb the pollfd pairing. */
		for (unsigned i = nc; i-- > 0;) {
			struct client *c = &srv->clients[i];
			short re = pfd[1 + srv->nlisteners + i].revents;

			if (re & (POLLIN | POLLHUP | POLLERR))
				read_client(srv, i);
			if (qmp_session_failed(c->session)) {
				drop_client(srv, i, "it does not read its replies");
				continue;
			}
			if (flush_client(c)) {
				drop_client(srv, i, NULL);
				continue;
			}
			if (c->eof && !qmp_session_output(c->session, &(size_t){ 0 }))
				drop_client(srv, i, NULL);
		}
		deliver_events(srv, true);
		for (unsigned i = 0; i < srv->nclients; i++)
			if (flush_client(&srv->clients[i]))
				srv->clients[i].eof = true;   /* dropped on the next round */
		for (unsigned i = 0; i < srv->nlisteners; i++)
			if (pfd[1 + i].revents & POLLIN)
				accept_client(srv, srv->listeners[i].fd);
	}
}

static long ms_since(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000 + (now.tv_nsec - t0->tv_nsec) / 1000000;
}

/* At exit: the reply to quit, and the last events, are still owed. */
static void final_flush(struct qmp_server *srv)
{
	struct pollfd pfd[MAX_CLIENTS];
	struct timespec t0;

	deliver_events(srv, true);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		unsigned n = 0;
		long left = FLUSH_MS - ms_since(&t0);

		for (unsigned i = 0; i < srv->nclients;) {
			struct client *c = &srv->clients[i];
			size_t len;
			if (flush_client(c) || !qmp_session_output(c->session, &len)) {
				drop_client(srv, i, NULL);
				continue;
			}
			pfd[n++] = (struct pollfd){ .fd = c->fd, .events = POLLOUT };
			i++;
		}
		if (!n || left <= 0)
			break;
		if (poll(pfd, n, (int)left) < 0 && errno != EINTR)
			break;
	}
	while (srv->nclients)
		drop_client(srv, srv->nclients - 1, NULL);
}

static void *server_thread(void *arg)
{
	struct qmp_server *srv = arg;

	serve(srv);
	final_flush(srv);
	return NULL;
}

static void close_listeners(struct qmp_server *srv)
{
	for (unsigned i = 0; i < srv->nlisteners; i++) {
		struct listener *l = &srv->listeners[i];
		struct stat st;

		close(l->fd);
		/* Remove the socket only if it is still the one vmras made. */
		if (l->path && !lstat(l->path, &st) && st.st_dev == l->dev && st.st_ino == l->ino)
			unlink(l->path);
		free(l->path);
	}
	srv->nlisteners = 0;
}

static void server_close(struct event_sink *sink)
{
	struct qmp_server *srv = (struct qmp_server *)sink;
	struct queued_event *e, *next;

	pthread_mutex_lock(&srv->lock);
	srv->stop = true;
	pthread_mutex_unlock(&srv->lock);
	wake(srv);
	pthread_join(srv->thread, NULL);
	close_listeners(srv);
	for (e = srv->head; e; e = next) {
		next = e->next;
		free(e);
	}
	close(srv->wake_fd);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
}

/* Is anybody accepting connections on the socket at path? */
static bool socket_in_use(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool used;

	if (fd < 0)
		return true;
	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	used = connect(fd, (struct sockaddr *)&a, sizeof(a)) == 0 || errno != ECONNREFUSED;
	close(fd);
	return used;
}

static int listen_unix(struct listener *l, const char *path, char *why, size_t whylen)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct stat st;
	mode_t old;
	int rc;

	if (!path || strlen(path) >= sizeof(a.sun_path)) {
		snprintf(why, whylen, "--qmp unix: bad socket path");
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path));
	l->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		snprintf(why, whylen, "--qmp unix:%s: %s", path, strerror(errno));
		return -1;
	}
	for (int attempt = 0;; attempt++) {
		/* Created 0600 from the start, never briefly open to others. The
		 * umask is process-wide, but at start-up no other thread creates files. */
		old = umask(0177);
		rc = bind(l->fd, (struct sockaddr *)&a, sizeof(a));
		umask(old);
		if (!rc)
			break;
		if (errno != EADDRINUSE || attempt) {
			snprintf(why, whylen, "--qmp unix:%s: %s", path, strerror(errno));
			goto fail;
		}
		/* Something is there. Replace it only if it is a socket left
		 * behind by a process that is gone. */
		if (lstat(path, &st) || !S_ISSOCK(st.st_mode)) {
			snprintf(why, whylen, "--qmp unix:%s: the path exists and is not a socket", path);
			goto fail;
		}
		if (socket_in_use(path)) {
			snprintf(why, whylen, "--qmp unix:%s: another process is listening on this socket", path);
			goto fail;
		}
		if (unlink(path) && errno != ENOENT) {
			snprintf(why, whylen, "--qmp unix:%s: cannot remove the stale socket: %s", path, strerror(errno));
			goto fail;
		}
	}
	if (listen(l->fd, 16) || stat(path, &st)) {
		snprintf(why, whylen, "--qmp unix:%s: %s", path, strerror(errno));
		unlink(path);
		goto fail;
	}
	l->dev = st.st_dev;
	l->ino = st.st_ino;
	l->path = strdup(path);
	return 0;
fail:
	close(l->fd);
	return -1;
}

/* Numeric addresses only (and "localhost"): no name service, so the static
 * build that the lab runs needs no NSS libraries, and what vmras listens on
 * is what the command line says. */
static int listen_tcp(struct listener *l, const struct cli_qmp *q, char *why, size_t whylen)
{
	struct sockaddr_storage ss = { 0 };
	struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
	const char *host = strcmp(q->host, "localhost") ? q->host : "127.0.0.1";
	socklen_t len;
	int one = 1;

	if (inet_pton(AF_INET, host, &in4->sin_addr) == 1) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(q->port);
		len = sizeof(*in4);
	} else if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) {
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(q->port);
		len = sizeof(*in6);
	} else {
		snprintf(why, whylen, "--qmp tcp:%s:%u: HOST must be an IP address or localhost", q->host, q->port);
		return -1;
	}
	l->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0 || setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(l->fd, (struct sockaddr *)&ss, len) || listen(l->fd, 16)) {
		snprintf(why, whylen, "--qmp tcp:%s:%u: %s", q->host, q->port, strerror(errno));
		if (l->fd >= 0)
			close(l->fd);
		return -1;
	}
	return 0;
}

struct event_sink *qmp_server_sink(struct qmp_server *srv)
{
	return &srv->sink;
}

struct qmp_server *qmp_server_start(const struct cli_qmp *endpoints, unsigned n, const struct qmp_backend *backend,
				    const char *package, char *why, size_t whylen)
{
	struct qmp_server *srv = calloc(1, sizeof(*srv));

	if (!srv || n > CLI_MAX_QMP) {
		snprintf(why, whylen, "out of memory");
		free(srv);
		return NULL;
	}
	srv->sink.emit = server_emit;
	srv->sink.close = server_close;
	srv->backend = *backend;
	srv->cfg = (struct qmp_session_config){ .backend = &srv->backend, .package = package };
	srv->tail = &srv->head;
	pthread_mutex_init(&srv->lock, NULL);
	srv->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (srv->wake_fd < 0) {
		snprintf(why, whylen, "eventfd: %s", strerror(errno));
		goto fail;
	}
	for (unsigned i = 0; i < n; i++) {
		struct listener *l = &srv->listeners[srv->nlisteners];
		if (endpoints[i].kind == CLI_QMP_UNIX ? listen_unix(l, endpoints[i].path, why, whylen)
						      : listen_tcp(l, &endpoints[i], why, whylen))
			goto fail;
		srv->nlisteners++;
	}
	if (pthread_create(&srv->thread, NULL, server_thread, srv)) {
		snprintf(why, whylen, "cannot start the QMP thread");
		goto fail;
	}
	return srv;
fail:
	close_listeners(srv);
	if (srv->wake_fd >= 0)
		close(srv->wake_fd);
	pthread_mutex_destroy(&srv->lock);
	free(srv);
	return NULL;
}
