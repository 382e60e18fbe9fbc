/* The QMP transport with real sockets: 0600 sockets, stale and live sockets
 * at the path, several clients, events only to clients past negotiation, a
 * client that stops reading is dropped without blocking the emitter, replies
 * owed to a half-closed client, and removal of the socket at close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "vmm/qmp_server.h"

static char dir[64], sock[128];
static int quits;

static void fake_quit(void *opaque)
{
	(void)opaque;
	__atomic_add_fetch(&quits, 1, __ATOMIC_SEQ_CST);
}

static const char *fake_state(void *opaque, bool *running)
{
	(void)opaque;
	*running = true;
	return "running";
}

static const struct qmp_backend backend = { .quit = fake_quit, .run_state = fake_state };

static struct qmp_server *start(const char *path, char *why)
{
	struct cli_qmp q = { .kind = CLI_QMP_UNIX, .path = path };
	return qmp_server_start(&q, 1, &backend, "test", why, 256);
}

static int dial(void)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(a.sun_path, sock);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Reads until a line containing want arrives (or timeout_ms passes); returns what was read. */
static char *read_until(int fd, const char *want, int timeout_ms)
{
	static char buf[1 << 16];
	size_t len = 0;

	buf[0] = 0;
	while (!strstr(buf, want) && len < sizeof(buf) - 1) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, timeout_ms) <= 0)
			break;
		ssize_t n = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;
		len += (size_t)n;
		buf[len] = 0;
	}
	return buf;
}

static void send_str(int fd, const char *s)
{
	assert_int_equal(write(fd, s, strlen(s)), (ssize_t)strlen(s));
}

static void negotiate(int fd)
{
	assert_non_null(strstr(read_until(fd, "\r\n", 2000), "\"QMP\""));
	send_str(fd, "{\"execute\":\"qmp_capabilities\"}");
	assert_non_null(strstr(read_until(fd, "\r\n", 2000), "{\"return\":{}}"));
}

static int setup(void **state)
{
	(void)state;
	strcpy(dir, "/tmp/vmras-qmp-test.XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(sock, sizeof(sock), "%s/qmp.sock", dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(sock);
	rmdir(dir);
	return 0;
}

static void test_clients_and_events(void **state)
{
	char why[256];
	struct stat st;
	(void)state;

	struct qmp_server *srv = start(sock, why);
	assert_non_null(srv);
	struct event_sink *sink = qmp_server_sink(srv);
	assert_int_equal(lstat(sock, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);

	int a = dial(), b = dial(), c = dial();
	negotiate(a);
	negotiate(b);
	assert_non_null(strstr(read_until(c, "\r\n", 2000), "\"QMP\""));

	/* Events go to a and b; c has not negotiated. */
	assert_int_equal(sink->emit(sink, "{\"event\":\"TEST\",\"n\":1}", 22), 0);
	assert_non_null(strstr(read_until(a, "TEST", 2000), "{\"event\":\"TEST\",\"n\":1}\r\n"));
	assert_non_null(strstr(read_until(b, "TEST", 2000), "{\"event\":\"TEST\",\"n\":1}\r\n"));
	assert_null(strstr(read_until(c, "TEST", 200), "TEST"));

	/* Commands on several clients at once; quit reaches the backend. */
	send_str(b, "{\"execute\":\"query-status\",\"id\":\"b\"}");
	send_str(a, "{\"execute\":\"quit\",\"id\":\"a\"}");
	assert_non_null(strstr(read_until(a, "\"a\"", 2000), "{\"return\":{},\"id\":\"a\"}"));
	assert_non_null(strstr(read_until(b, "\"b\"", 2000), "\"status\":\"running\""));
	assert_int_equal(__atomic_load_n(&quits, __ATOMIC_SEQ_CST), 1);

	/* A client that sends and half-closes still gets its reply, then EOF. */
	int d = dial();
	send_str(d, "{\"execute\":\"qmp_capabilities\"}{\"execute\":\"query-version\",\"id\":7}");
	shutdown(d, SHUT_WR);
	char *got = read_until(d, "\"id\":7", 2000);
	assert_non_null(strstr(got, "\"package\":\"test\"},\"id\":7}\r\n"));
	char x;
	struct pollfd p = { .fd = d, .events = POLLIN };
	assert_int_equal(poll(&p, 1, 2000), 1);
	assert_int_equal(read(d, &x, 1), 0);

	/* Closing the sink: clients see EOF, the socket file goes. */
	sink->close(sink);
	assert_int_equal(read(a, &x, 1), 0);
	assert_int_equal(read(c, &x, 1), 0);
	assert_int_equal(lstat(sock, &st), -1);
	close(a);
	close(b);
	close(c);
	close(d);
}

static double now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* A client that stops reading is dropped; the emitter never waits for it,
 * and a client that reads keeps every event. */
static void test_slow_reader_dropped(void **state)
{
	char why[256], line[1024];
	(void)state;

	struct qmp_server *srv = start(sock, why);
	struct event_sink *sink = qmp_server_sink(srv);
	int slow = dial(), fast = dial();
	negotiate(slow);
	negotiate(fast);
	int flags = fcntl(fast, F_GETFL);
	fcntl(fast, F_SETFL, flags | O_NONBLOCK);

	memset(line, 'x', sizeof(line));
	memcpy(line, "{\"event\":\"BIG\",\"data\":\"", 22);
	memcpy(line + sizeof(line) - 2, "\"}", 2);
	size_t received = 0, events = 4096;
	double worst = 0;
	static char sink_buf[1 << 16];
	for (size_t i = 0; i < events; i++) {
		double t0 = now();
		assert_int_equal(sink->emit(sink, line, sizeof(line)), 0);
		if (now() - t0 > worst)
			worst = now() - t0;
		for (ssize_t n; (n = read(fast, sink_buf, sizeof(sink_buf))) > 0;)
			received += (size_t)n;
		if (i % 256 == 0)
			usleep(10000);   /* let the server's thread run */
	}
	/* The reader gets everything. */
	for (double t0 = now(); received < events * (sizeof(line) + 2) && now() - t0 < 5;) {
		struct pollfd p = { .fd = fast, .events = POLLIN };
		poll(&p, 1, 100);
		for (ssize_t n; (n = read(fast, sink_buf, sizeof(sink_buf))) > 0;)
			received += (size_t)n;
	}
	assert_int_equal(received, events * (sizeof(line) + 2));
	assert_true(worst < 0.1);
	/* 4 MiB of events: more than the bound plus what the socket buffers, so
	 * the slow client was dropped: draining it ends in EOF, short of all. */
	size_t slow_got = 0;
	for (;;) {
		struct pollfd p = { .fd = slow, .events = POLLIN };
		assert_int_equal(poll(&p, 1, 2000), 1);
		ssize_t n = read(slow, sink_buf, sizeof(sink_buf));
		if (n <= 0)
			break;
		slow_got += (size_t)n;
	}
	assert_true(slow_got < events * (sizeof(line) + 2));
	sink->close(sink);
	close(slow);
	close(fast);
}

static void test_socket_path_safety(void **state)
{
	char why[256];
	struct stat st;
	(void)state;

	/* A stale socket (nobody listening) is replaced. */
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	strcpy(a.sun_path, sock);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	close(s);
	struct qmp_server *srv = start(sock, why);
	if (!srv)
		fail_msg("stale socket not replaced: %s", why);

	/* A live one is not: the first server keeps working. */
	assert_null(start(sock, why));
	assert_non_null(strstr(why, "another process is listening"));
	int c = dial();
	negotiate(c);
	close(c);
	qmp_server_sink(srv)->close(qmp_server_sink(srv));

	/* Anything that is not a socket is left alone. */
	int f = open(sock, O_CREAT | O_WRONLY, 0644);
	assert_true(f >= 0);
	close(f);
	assert_null(start(sock, why));
	assert_non_null(strstr(why, "not a socket"));
	assert_int_equal(lstat(sock, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	unlink(sock);

	/* A socket replaced by someone else after vmras made it is not removed at close. */
	srv = start(sock, why);
	assert_non_null(srv);
	unlink(sock);
	f = open(sock, O_CREAT | O_WRONLY, 0644);
	close(f);
	qmp_server_sink(srv)->close(qmp_server_sink(srv));
	assert_int_equal(lstat(sock, &st), 0);
	unlink(sock);

	/* A directory that does not exist: a reason, no crash. */
	assert_null(start("/nonexistent-vmras-dir/q.sock", why));
	assert_non_null(strstr(why, "/nonexistent-vmras-dir/q.sock"));
}

static void test_tcp_loopback(void **state)
{
	char why[256];
	struct cli_qmp q = { .kind = CLI_QMP_TCP, .host = "127.0.0.1", .port = 0 };
	(void)state;

	/* Port 0 is refused by the CLI, but the server takes what it is given: find a free port. */
	for (int tries = 0;; tries++, q.port++) {
		if (!tries)
			q.port = (uint16_t)(40000 + getpid() % 20000);
		struct qmp_server *srv = qmp_server_start(&q, 1, &backend, "test", why, sizeof(why));
		if (!srv && tries < 100)
			continue;
		if (!srv)
			fail_msg("no TCP port to listen on: %s", why);
		struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(q.port),
					 .sin_addr.s_addr = htonl(0x7f000001) };
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
		negotiate(fd);
		close(fd);
		qmp_server_sink(srv)->close(qmp_server_sink(srv));
		break;
	}
	/* No name lookups: an address or localhost. */
	struct cli_qmp named = { .kind = CLI_QMP_TCP, .host = "example.invalid", .port = 4444 };
	assert_null(qmp_server_start(&named, 1, &backend, "test", why, sizeof(why)));
	assert_non_null(strstr(why, "HOST must be an IP address or localhost"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_clients_and_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_slow_reader_dropped, setup, teardown),
		cmocka_unit_test_setup_teardown(test_socket_path_safety, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tcp_loopback, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
