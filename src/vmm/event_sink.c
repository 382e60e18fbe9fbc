#include "vmm/event_sink.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include "vmm/log.h"

static pthread_mutex_t sinks_lock = PTHREAD_MUTEX_INITIALIZER;
static struct event_sink *sinks[EVENT_SINKS_MAX];
static unsigned nsinks;

uint64_t event_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int event_sinks_add(struct event_sink *sink)
{
	int rc = -1;

	pthread_mutex_lock(&sinks_lock);
	if (nsinks < EVENT_SINKS_MAX) {
		sinks[nsinks++] = sink;
		rc = 0;
	}
	pthread_mutex_unlock(&sinks_lock);
	return rc;
}

int event_sinks_emit(const char *line, size_t len)
{
	int failed = 0;

	pthread_mutex_lock(&sinks_lock);
	for (unsigned i = 0; i < nsinks; i++)
		if (sinks[i]->emit(sinks[i], line, len))
			failed++;
	pthread_mutex_unlock(&sinks_lock);
	return failed;
}

void event_sinks_close_all(void)
{
	pthread_mutex_lock(&sinks_lock);
	for (unsigned i = 0; i < nsinks; i++)
		if (sinks[i]->close)
			sinks[i]->close(sinks[i]);
	nsinks = 0;
	pthread_mutex_unlock(&sinks_lock);
}

struct event_log {
	struct event_sink sink;
	int fd;
	char *path;
};

static int log_emit(struct event_sink *sink, const char *line, size_t len)
{
	struct event_log *l = (struct event_log *)sink;
	struct iovec iov[2] = { { (void *)line, len }, { "\n", 1 } };
	size_t want = len + 1;
	ssize_t n;

	/* One writev on an O_APPEND file: the line lands whole, and it is in the
	 * kernel (readable by others, surviving a vmras crash) when this returns. */
	do
		n = writev(l->fd, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)want) {
		log_error("event log %s: write failed: %s", l->path, n < 0 ? strerror(errno) : "short write");
		return -1;
	}
	return 0;
}

static void log_close(struct event_sink *sink)
{
	struct event_log *l = (struct event_log *)sink;

	close(l->fd);
	free(l->path);
	free(l);
}

struct event_sink *event_log_open(const char *path)
{
	struct event_log *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	l->path = strdup(path);
	if (l->fd < 0 || !l->path) {
		int e = errno;
		if (l->fd >= 0)
			close(l->fd);
		free(l->path);
		free(l);
		errno = e;
		return NULL;
	}
	l->sink.emit = log_emit;
	l->sink.close = log_close;
	return &l->sink;
}
