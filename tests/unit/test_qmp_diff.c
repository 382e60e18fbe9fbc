/* Differential test: the same scripted byte streams go to QEMU
 * (qemu-system-x86_64 -machine none, no KVM needed) and to vmras --machine
 * none; the replies must agree in shape, error class, id and, for the
 * protocol's own errors, the description. Skips (77) without QEMU.
 *   test_qmp_diff VMRAS_BINARY   (QEMU from $QEMU or PATH)
 * Deliberate differences are listed in docs/qmp.md and marked here. */
#include <errno.h>
#include <json-c/json.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "qmp/schema.h"

enum {
	NEGOTIATED = 0x1,   /* run the case after qmp_capabilities */
	SAME_DESC = 0x2,    /* error descriptions must be identical */
	SAME_VALUE = 0x4,   /* return values must be identical, not only alike in shape */
	ANY_COUNT = 0x8,    /* QEMU may send extra errors while it resynchronises (vmras sends one) */
	SLOW = 0x10,        /* send the bytes one at a time */
};

struct diff_case {
	const char *name;
	const char *bytes;
	unsigned flags;
};

static const struct diff_case cases[] = {
	/* Negotiation. */
	{ "command before negotiation", "{\"execute\":\"query-version\"}", SAME_DESC },
	{ "unknown command before negotiation", "{\"execute\":\"nope\",\"id\":1}", SAME_DESC },
	{ "bad arguments before negotiation", "{\"execute\":\"query-version\",\"arguments\":{\"a\":1}}", SAME_DESC },
	{ "qmp_capabilities enable not an array", "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":\"oob\"}}",
	  SAME_DESC },
	{ "qmp_capabilities enable null", "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":null}}", SAME_DESC },
	{ "qmp_capabilities unknown argument", "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"x\":1}}", SAME_DESC },
	{ "qmp_capabilities", "{\"execute\":\"qmp_capabilities\",\"id\":\"neg\"}", SAME_VALUE },
	{ "qmp_capabilities enable []", "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":[]}}", SAME_VALUE },
	/* The commands both implement. */
	{ "query-version", "{\"execute\":\"query-version\",\"id\":[1,{\"a\":2}]}", NEGOTIATED },
	{ "query-status", "{\"execute\":\"query-status\"}", NEGOTIATED | SAME_VALUE },
	{ "query-commands", "{\"execute\":\"query-commands\"}", NEGOTIATED },
	/* No machine, no CPUs: [] from both. */
	{ "query-cpus-fast", "{\"execute\":\"query-cpus-fast\"}", NEGOTIATED | SAME_VALUE },
	{ "query-cpus-fast, bad argument", "{\"execute\":\"query-cpus-fast\",\"arguments\":{\"x\":1}}",
	  NEGOTIATED | SAME_DESC },
	/* A power-button press with no machine: POWERDOWN (skipped here) and {} from both. */
	{ "system_powerdown", "{\"execute\":\"system_powerdown\",\"id\":\"p\"}", NEGOTIATED | SAME_VALUE },
	{ "system_powerdown, bad argument", "{\"execute\":\"system_powerdown\",\"arguments\":{\"x\":1}}",
	  NEGOTIATED | SAME_DESC },
	{ "qmp_capabilities again", "{\"execute\":\"qmp_capabilities\"}", NEGOTIATED | SAME_DESC },
	{ "qmp_capabilities again, bad arguments",
	  "{\"execute\":\"qmp_capabilities\",\"arguments\":{\"enable\":1}}", NEGOTIATED | SAME_DESC },
	{ "unknown command", "{\"execute\":\"nope\",\"id\":\"x\"}", NEGOTIATED | SAME_DESC },
	{ "unexpected argument", "{\"execute\":\"query-status\",\"arguments\":{\"verbose\":true}}",
	  NEGOTIATED | SAME_DESC },
	{ "empty arguments", "{\"execute\":\"query-status\",\"arguments\":{}}", NEGOTIATED | SAME_VALUE },
	/* The protocol's own errors. */
	{ "array", "[1,2]", NEGOTIATED | SAME_DESC },
	{ "string", "\"str\"", NEGOTIATED | SAME_DESC },
	{ "number", "42\n", NEGOTIATED | SAME_DESC },
	{ "null", "null\n", NEGOTIATED | SAME_DESC },
	{ "empty object", "{}", NEGOTIATED | SAME_DESC },
	{ "no execute", "{\"id\":5}", NEGOTIATED | SAME_DESC },
	{ "execute not a string", "{\"execute\":42,\"id\":3}", NEGOTIATED | SAME_DESC },
	{ "arguments an array", "{\"execute\":\"query-version\",\"arguments\":[]}", NEGOTIATED | SAME_DESC },
	{ "arguments null", "{\"execute\":\"query-version\",\"arguments\":null}", NEGOTIATED | SAME_DESC },
	{ "arguments bad, no execute", "{\"arguments\":[],\"id\":3}", NEGOTIATED | SAME_DESC },
	{ "unknown command, arguments bad", "{\"execute\":\"nope\",\"arguments\":1}", NEGOTIATED | SAME_DESC },
	{ "unknown member", "{\"execute\":\"query-version\",\"foo\":1}", NEGOTIATED | SAME_DESC },
	{ "exec-oob", "{\"exec-oob\":\"query-version\",\"id\":5}", NEGOTIATED | SAME_DESC },
	{ "exec-oob and execute", "{\"exec-oob\":\"query-version\",\"execute\":\"query-version\",\"id\":5}",
	  NEGOTIATED | SAME_DESC },
	/* Malformed JSON: same class; the words are each parser's own. */
	{ "bad keyword", "{bad}", NEGOTIATED },
	{ "stray close", "}", NEGOTIATED },
	{ "missing colon", "{\"execute\" \"query-version\"}", NEGOTIATED },
	{ "missing comma", "[1 2]", NEGOTIATED },
	{ "bad escape", "{\"execute\":\"query-version\",\"id\":\"\\q\"}", NEGOTIATED },
	{ "invalid UTF-8", "{\"execute\":\"query-version\",\"id\":\"a\xff\"}", NEGOTIATED | ANY_COUNT },
	{ "NaN", "{\"execute\":\"query-version\",\"id\":NaN}", NEGOTIATED | ANY_COUNT },
	{ "nesting 1024", NULL, NEGOTIATED | SAME_DESC },
	{ "nesting 1025", NULL, NEGOTIATED | SAME_DESC | ANY_COUNT },
	/* Framing and id echo. */
	{ "single quotes", "{'execute':'query-status','id':'q'}", NEGOTIATED | SAME_VALUE },
	{ "blanks around", " \t\r\n{\"execute\":\"query-status\"} \r\n", NEGOTIATED | SAME_VALUE },
	{ "two values, one write", "{\"execute\":\"query-status\",\"id\":1}{\"execute\":\"query-status\",\"id\":2}",
	  NEGOTIATED | SAME_VALUE },
	{ "byte by byte", "{\"execute\":\"query-status\",\"id\":\"split\"}", NEGOTIATED | SAME_VALUE | SLOW },
	{ "id string", "{\"execute\":\"query-status\",\"id\":\"\\u00e9\\n\"}", NEGOTIATED | SAME_VALUE },
	{ "id number", "{\"execute\":\"query-status\",\"id\":-1.5}", NEGOTIATED | SAME_VALUE },
	{ "id object", "{\"execute\":\"query-status\",\"id\":{\"a\":[true,false]}}", NEGOTIATED | SAME_VALUE },
	{ "id null", "{\"execute\":\"query-status\",\"id\":null}", NEGOTIATED | SAME_VALUE },
	{ "id on an error", "{\"execute\":\"nope\",\"id\":[\"e\"]}", NEGOTIATED | SAME_DESC },
};

struct peer {
	const char *name;
	char path[128];
	pid_t pid;
};

struct conn {
	int fd;
	struct json_tokener *tok;
	char buf[65536];
	size_t off, len;
};

static int failures;

static void die(const char *what)
{
	fprintf(stderr, "qmp_diff: %s: %s\n", what, strerror(errno));
	exit(1);
}

static bool conn_open(struct conn *c, const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	snprintf(a.sun_path, sizeof(a.sun_path), "%s", path);
	c->fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (c->fd < 0)
		die("socket");
	if (connect(c->fd, (struct sockaddr *)&a, sizeof(a))) {
		close(c->fd);
		return false;
	}
	c->tok = json_tokener_new();
	c->off = c->len = 0;
	return true;
}

static void conn_close(struct conn *c)
{
	close(c->fd);
	json_tokener_free(c->tok);
}

/* The next JSON value, events skipped; NULL at EOF or after 10 s. *eof tells which. */
static struct json_object *next_reply(struct conn *c, bool *eof)
{
	*eof = false;
	for (;;) {
		while (c->off < c->len) {
			struct json_object *o = json_tokener_parse_ex(c->tok, c->buf + c->off, (int)(c->len - c->off));
			c->off += json_tokener_get_parse_end(c->tok);
			if (o && json_object_object_get_ex(o, "event", NULL)) {
				json_object_put(o);
				continue;
			}
			if (o)
				return o;
			if (json_tokener_get_error(c->tok) != json_tokener_continue) {
				fprintf(stderr, "qmp_diff: a server sent malformed JSON\n");
				exit(1);
			}
		}
		struct pollfd p = { .fd = c->fd, .events = POLLIN };
		if (poll(&p, 1, 10000) <= 0)
			return NULL;
		ssize_t n = read(c->fd, c->buf, sizeof(c->buf));
		if (n <= 0) {
			*eof = true;
			return NULL;
		}
		c->off = 0;
		c->len = (size_t)n;
	}
}

static void send_bytes(struct conn *c, const char *p, size_t n, bool slow)
{
	while (n) {
		size_t chunk = slow ? 1 : n;
		ssize_t w = send(c->fd, p, chunk, MSG_NOSIGNAL);
		if (w <= 0)
			die("send");
		p += w;
		n -= (size_t)w;
		if (slow)
			usleep(2000);
	}
}

static bool has_sync_id(struct json_object *o)
{
	struct json_object *id;
	return json_object_object_get_ex(o, "id", &id) && json_object_is_type(id, json_type_string) &&
	       !strcmp(json_object_get_string(id), "diff-sync");
}

/* Sends bytes, then a marker command, and collects the replies before the marker's. */
static int exchange(struct peer *p, const struct diff_case *dc, const char *bytes, size_t len,
		    struct json_object **replies, int max)
{
	static const char sync[] = "{\"execute\":\"query-version\",\"id\":\"diff-sync\"}";
	struct conn c;
	struct json_object *o;
	bool eof;
	int n = 0;

	if (!conn_open(&c, p->path))
		die(p->name);
	o = next_reply(&c, &eof);
	if (!o || !json_object_object_get_ex(o, "QMP", NULL)) {
		fprintf(stderr, "qmp_diff: %s sent no greeting\n", p->name);
		exit(1);
	}
	json_object_put(o);
	if (dc->flags & NEGOTIATED) {
		send_bytes(&c, "{\"execute\":\"qmp_capabilities\"}", 30, false);
		json_object_put(next_reply(&c, &eof));
	}
	send_bytes(&c, bytes, len, dc->flags & SLOW);
	/* A newline ends a number or keyword left at the end of the bytes. */
	send_bytes(&c, "\n", 1, false);
	send_bytes(&c, sync, sizeof(sync) - 1, false);
	while ((o = next_reply(&c, &eof)) && !has_sync_id(o)) {
		if (n < max)
			replies[n++] = o;
		else
			json_object_put(o);
	}
	if (!o) {
		printf("FAIL %s: %s did not answer the marker after it (%s)\n", dc->name, p->name,
		       eof ? "closed the connection" : "timed out");
		failures++;
	}
	json_object_put(o);
	conn_close(&c);
	return n;
}

static bool is_number(struct json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double);
}

/* Same JSON types all the way down; objects with the same members, arrays
 * compared by their first elements. */
static bool same_shape(struct json_object *a, struct json_object *b, char *where, size_t wlen)
{
	if (is_number(a) && is_number(b))
		return true;
	if (json_object_get_type(a) != json_object_get_type(b)) {
		snprintf(where, wlen, "%s vs %s", json_object_to_json_string(a), json_object_to_json_string(b));
		return false;
	}
	if (json_object_is_type(a, json_type_object)) {
		if (json_object_object_length(a) != json_object_object_length(b)) {
			snprintf(where, wlen, "members differ: %s vs %s", json_object_to_json_string(a),
				 json_object_to_json_string(b));
			return false;
		}
		json_object_object_foreach(a, key, va) {
			struct json_object *vb;
			if (!json_object_object_get_ex(b, key, &vb)) {
				snprintf(where, wlen, "member %s missing", key);
				return false;
			}
			if (!same_shape(va, vb, where, wlen))
				return false;
		}
	}
	if (json_object_is_type(a, json_type_array)) {
		size_t na = json_object_array_length(a), nb = json_object_array_length(b);
		if (!na != !nb) {
			snprintf(where, wlen, "one array is empty");
			return false;
		}
		if (na && !same_shape(json_object_array_get_idx(a, 0), json_object_array_get_idx(b, 0), where, wlen))
			return false;
	}
	return true;
}

static const char *error_field(struct json_object *r, const char *field)
{
	struct json_object *e, *v;
	if (!json_object_object_get_ex(r, "error", &e) || !json_object_object_get_ex(e, field, &v))
		return NULL;
	return json_object_get_string(v);
}

static void compare(const struct diff_case *dc, struct json_object **q, int nq, struct json_object **v, int nv)
{
	char where[512] = "";
	const char *problem = NULL;

	if (!nq || !nv)
		problem = "no reply";
	else if (nq != nv && !(dc->flags & ANY_COUNT))
		problem = "different numbers of replies";
	for (int i = 0; !problem && i < (nq < nv ? nq : nv); i++) {
		struct json_object *a = q[i], *b = v[i], *ida = NULL, *idb = NULL, *ra, *rb;
		bool hasa = json_object_object_get_ex(a, "id", &ida), hasb = json_object_object_get_ex(b, "id", &idb);

		if (hasa != hasb || !json_object_equal(ida, idb))
			problem = "ids differ";
		else if (!!error_field(a, "class") != !!error_field(b, "class"))
			problem = "one is an error, the other not";
		else if (error_field(a, "class")) {
			if (strcmp(error_field(a, "class"), error_field(b, "class")))
				problem = "error classes differ";
			else if ((dc->flags & SAME_DESC) && strcmp(error_field(a, "desc"), error_field(b, "desc")))
				problem = "error descriptions differ";
		} else {
			json_object_object_get_ex(a, "return", &ra);
			json_object_object_get_ex(b, "return", &rb);
			if (!same_shape(ra, rb, where, sizeof(where)))
				problem = "return shapes differ";
			else if ((dc->flags & SAME_VALUE) && !json_object_equal(ra, rb))
				problem = "return values differ";
		}
		if ((dc->flags & ANY_COUNT) && !problem)
			break;   /* QEMU's later replies are its resynchronisation */
	}
	if (problem) {
		failures++;
		printf("FAIL %s: %s %s\n", dc->name, problem, where);
		for (int i = 0; i < nq; i++)
			printf("  qemu:  %s\n", json_object_to_json_string(q[i]));
		for (int i = 0; i < nv; i++)
			printf("  vmras: %s\n", json_object_to_json_string(v[i]));
	} else {
		printf("ok   %s%s\n", dc->name, nq != nv ? " (QEMU sent extra errors while resynchronising)" : "");
	}
}

/* vmras serves a subset of QEMU's commands, plus its declared extensions and
 * the commands of later QEMU releases (qemu_since) this QEMU lacks. */
static void check_command_subset(struct json_object *qemu, struct json_object *vmras)
{
	struct json_object *lq, *lv;

	json_object_object_get_ex(qemu, "return", &lq);
	json_object_object_get_ex(vmras, "return", &lv);
	for (size_t i = 0; i < json_object_array_length(lv); i++) {
		const char *name = json_object_get_string(
			json_object_object_get(json_object_array_get_idx(lv, i), "name"));
		const struct qmp_command *c = qmp_command_find(qmp_commands, qmp_ncommands, name);
		bool found = c && ((c->flags & QMP_CMD_EXTENSION) || c->qemu_since);
		for (size_t j = 0; j < json_object_array_length(lq) && !found; j++)
			found = !strcmp(name, json_object_get_string(
				json_object_object_get(json_object_array_get_idx(lq, j), "name")));
		if (!found) {
			printf("FAIL query-commands: vmras serves %s, QEMU does not\n", name);
			failures++;
		}
	}
}

static char *nested(int depth, size_t *len)
{
	char *s = malloc((size_t)depth * 2 + 1);
	memset(s, '[', (size_t)depth);
	memset(s + depth, ']', (size_t)depth);
	*len = (size_t)depth * 2;
	return s;
}

static void run_case(struct peer *qemu, struct peer *vmras, const struct diff_case *dc)
{
	struct json_object *q[16], *v[16];
	const char *bytes = dc->bytes;
	size_t len = bytes ? strlen(bytes) : 0;
	char *buf = NULL;
	int nq, nv;

	if (!bytes) {
		buf = nested(strstr(dc->name, "1025") ? 1025 : 1024, &len);
		bytes = buf;
	}
	nq = exchange(qemu, dc, bytes, len, q, 16);
	nv = exchange(vmras, dc, bytes, len, v, 16);
	compare(dc, q, nq, v, nv);
	if (!strcmp(dc->name, "query-commands") && nq && nv)
		check_command_subset(q[0], v[0]);
	for (int i = 0; i < nq; i++)
		json_object_put(q[i]);
	for (int i = 0; i < nv; i++)
		json_object_put(v[i]);
	free(buf);
}

static void compare_greetings(struct peer *qemu, struct peer *vmras)
{
	struct json_object *g[2], *cap[2];
	struct peer *p[2] = { qemu, vmras };
	char where[512] = "";

	for (int i = 0; i < 2; i++) {
		struct conn c;
		bool eof;
		if (!conn_open(&c, p[i]->path))
			die(p[i]->name);
		g[i] = next_reply(&c, &eof);
		conn_close(&c);
		/* QEMU offers "oob", vmras nothing: compare the rest. */
		json_object_object_get_ex(json_object_object_get(g[i], "QMP"), "capabilities", &cap[i]);
		if (!json_object_is_type(cap[i], json_type_array)) {
			printf("FAIL greeting: %s's capabilities are not an array\n", p[i]->name);
			failures++;
		}
		json_object_object_del(json_object_object_get(g[i], "QMP"), "capabilities");
	}
	if (same_shape(g[0], g[1], where, sizeof(where))) {
		printf("ok   greeting\n");
	} else {
		printf("FAIL greeting: %s\n", where);
		failures++;
	}
	json_object_put(g[0]);
	json_object_put(g[1]);
}

/* quit: {"return": {}} with the id, then the connection ends (QEMU sends a SHUTDOWN event first). */
static void quit_peer(struct peer *p, struct json_object **reply)
{
	struct conn c;
	struct json_object *o;
	bool eof;
	int status;

	if (!conn_open(&c, p->path))
		die(p->name);
	json_object_put(next_reply(&c, &eof));
	send_bytes(&c, "{\"execute\":\"qmp_capabilities\"}", 30, false);
	json_object_put(next_reply(&c, &eof));
	send_bytes(&c, "{\"execute\":\"quit\",\"id\":\"bye\"}", 29, false);
	*reply = next_reply(&c, &eof);
	o = next_reply(&c, &eof);
	if (o || !eof) {
		printf("FAIL quit: %s kept the connection open\n", p->name);
		failures++;
	}
	json_object_put(o);
	conn_close(&c);
	if (waitpid(p->pid, &status, 0) == p->pid && (!WIFEXITED(status) || WEXITSTATUS(status))) {
		printf("FAIL quit: %s exited with status %d\n", p->name, status);
		failures++;
	}
	p->pid = 0;
}

static struct peer qemu = { .name = "QEMU" }, vmras = { .name = "vmras" };

static void start_peer(struct peer *p, char *const argv[])
{
	struct stat st;

	p->pid = fork();
	if (p->pid < 0)
		die("fork");
	if (!p->pid) {
		/* A cross build's vmras runs through its emulator (meson's
		 * exe_wrapper, one program path); QEMU is the host's own. */
		const char *wrap = getenv("MESON_EXE_WRAPPER");
		if (wrap && *wrap && p == &vmras) {
			char *wrapped[64] = { (char *)wrap };
			for (int i = 0; argv[i] && i < 62; i++)
				wrapped[i + 1] = argv[i];
			execvp(wrap, wrapped);
		} else {
			execvp(argv[0], argv);
		}
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		int status;
		if (!stat(p->path, &st) && S_ISSOCK(st.st_mode))
			return;
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			fprintf(stderr, "qmp_diff: %s exited at start\n", p->name);
			exit(1);
		}
		usleep(10000);
	}
	fprintf(stderr, "qmp_diff: %s did not create %s\n", p->name, p->path);
	exit(1);
}

static char *find_qemu(void)
{
	const char *env = getenv("QEMU"), *path = getenv("PATH");
	static char buf[4096];

	if (env)
		return access(env, X_OK) ? NULL : (char *)env;
	for (const char *p = path; p && *p;) {
		const char *end = strchr(p, ':');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		snprintf(buf, sizeof(buf), "%.*s/qemu-system-x86_64", (int)n, p);
		if (!access(buf, X_OK))
			return buf;
		p += n + (end ? 1 : 0);
	}
	return NULL;
}

static char dir[64];

static void cleanup(void)
{
	if (qemu.pid > 0)
		kill(qemu.pid, SIGKILL);
	if (vmras.pid > 0)
		kill(vmras.pid, SIGKILL);
	unlink(qemu.path);
	unlink(vmras.path);
	rmdir(dir);
}

int main(int argc, char **argv)
{
	char *qemu_bin = find_qemu(), qmp_arg[200];
	struct json_object *qr = NULL, *vr = NULL;

	if (argc != 2) {
		fprintf(stderr, "usage: %s VMRAS_BINARY\n", argv[0]);
		return 2;
	}
	if (!qemu_bin) {
		printf("SKIP: qemu-system-x86_64 not found (apt-get install qemu-system-x86)\n");
		return 77;
	}
	signal(SIGPIPE, SIG_IGN);
	strcpy(dir, "/tmp/vmras-qmp-diff.XXXXXX");
	if (!mkdtemp(dir))
		die("mkdtemp");
	snprintf(qemu.path, sizeof(qemu.path), "%s/qemu.sock", dir);
	snprintf(vmras.path, sizeof(vmras.path), "%s/vmras.sock", dir);
	atexit(cleanup);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s,server=on,wait=off", qemu.path);
	char *qargv[] = { qemu_bin, "-machine", "none", "-nodefaults", "-display", "none", "-qmp", qmp_arg, NULL };
	start_peer(&qemu, qargv);
	snprintf(qmp_arg, sizeof(qmp_arg), "unix:%s", vmras.path);
	char *vargv[] = { argv[1], "--machine", "none", "--qmp", qmp_arg, NULL };
	start_peer(&vmras, vargv);

	compare_greetings(&qemu, &vmras);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&qemu, &vmras, &cases[i]);
	quit_peer(&qemu, &qr);
	quit_peer(&vmras, &vr);
	static const struct diff_case quit_case = { "quit", NULL, SAME_VALUE };
	struct json_object *q1[1] = { qr }, *v1[1] = { vr };
	compare(&quit_case, q1, qr ? 1 : 0, v1, vr ? 1 : 0);
	json_object_put(qr);
	json_object_put(vr);

	printf("%s: %d failure(s) in %zu cases\n", failures ? "FAIL" : "PASS", failures,
	       sizeof(cases) / sizeof(cases[0]) + 2);
	return failures ? 1 : 0;
}
