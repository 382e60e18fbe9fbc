/* A command-line QMP client for vmras (and QEMU).
 *   vmras-ctl --socket PATH COMMAND [JSON-ARGS]   run one command, print the reply
 *   vmras-ctl --socket PATH events                print every event, one per line
 * --pretty prints indented JSON; --timestamps puts before each event the time
 * it arrived (CLOCK_REALTIME, seconds.nanoseconds), for latency measurements
 * (bench/burst). Exit status: 0, 1 for an error reply or a lost connection, 2
 * for bad usage or no server at PATH. */
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define REPLY_ID "vmras-ctl"

static int fd = -1;
static struct json_tokener *tok;
static char buf[65536];
static size_t buf_off, buf_len;
static int print_flags = JSON_C_TO_STRING_PLAIN;
static bool timestamps;
/* When the last read from the server returned: the arrival of what it held. */
static struct timespec arrived;

static void usage(FILE *out)
{
	fputs("Usage: vmras-ctl --socket PATH [--pretty] COMMAND [JSON-ARGS]\n"
	      "       vmras-ctl --socket PATH [--pretty] [--timestamps] events\n"
	      "\n"
	      "Runs one QMP command on the monitor at PATH (vmras --qmp unix:PATH) and prints\n"
	      "the reply, or with 'events' prints every event as it comes, one per line.\n"
	      "JSON-ARGS is the command's arguments object, e.g. '{\"enable\": []}'.\n"
	      "--timestamps: each event line starts with the time it arrived (CLOCK_REALTIME,\n"
	      "SECONDS.NANOSECONDS) and a space.\n"
	      "Exit status: 0 success, 1 error reply or connection lost, 2 usage or no server.\n",
	      out);
}

/* The next JSON value from the server; NULL when the connection ended. */
static struct json_object *next_value(void)
{
	for (;;) {
		while (buf_off < buf_len) {
			struct json_object *o = json_tokener_parse_ex(tok, buf + buf_off, (int)(buf_len - buf_off));
			enum json_tokener_error e = json_tokener_get_error(tok);

			buf_off += json_tokener_get_parse_end(tok);
			if (o)
				return o;
			if (e != json_tokener_continue) {
				fprintf(stderr, "vmras-ctl: the server sent malformed JSON: %s\n", json_tokener_error_desc(e));
				exit(1);
			}
		}
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		clock_gettime(CLOCK_REALTIME, &arrived);
		if (n <= 0)
			return NULL;
		buf_off = 0;
		buf_len = (size_t)n;
	}
}

static void send_command(const char *name, struct json_object *args)
{
	struct json_object *cmd = json_object_new_object();
	const char *text;
	size_t len, off = 0;

	json_object_object_add(cmd, "execute", json_object_new_string(name));
	if (args)
		json_object_object_add(cmd, "arguments", json_object_get(args));
	json_object_object_add(cmd, "id", json_object_new_string(REPLY_ID));
	text = json_object_to_json_string_length(cmd, JSON_C_TO_STRING_PLAIN, &len);
	while (off < len) {
		ssize_t n = send(fd, text + off, len - off, MSG_NOSIGNAL);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			fprintf(stderr, "vmras-ctl: sending to the server: %s\n", strerror(errno));
			exit(1);
		}
		off += (size_t)n;
	}
	json_object_put(cmd);
}

static bool is_event(struct json_object *o)
{
	return json_object_object_get_ex(o, "event", NULL);
}

/* The reply to our command: other values (events) are passed over. */
static struct json_object *await_reply(const char *name)
{
	struct json_object *o, *id;

	while ((o = next_value())) {
		if (!is_event(o) && json_object_object_get_ex(o, "id", &id) &&
		    json_object_is_type(id, json_type_string) && !strcmp(json_object_get_string(id), REPLY_ID))
			return o;
		json_object_put(o);
	}
	fprintf(stderr, "vmras-ctl: the server closed the connection before replying to %s\n", name);
	exit(1);
}

static void print(struct json_object *o)
{
	puts(json_object_to_json_string_ext(o, print_flags));
	fflush(stdout);
}

static void connect_to(const char *path)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof(a.sun_path)) {
		fprintf(stderr, "vmras-ctl: socket path too long: %s\n", path);
		exit(2);
	}
	memcpy(a.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a))) {
		int e = errno;
		if (e == ENOENT)
			fprintf(stderr, "vmras-ctl: no socket at %s (is vmras running with --qmp unix:%s?)\n", path, path);
		else if (e == ECONNREFUSED)
			fprintf(stderr, "vmras-ctl: nobody is listening on %s (vmras has exited?)\n", path);
		else
			fprintf(stderr, "vmras-ctl: cannot connect to %s: %s\n", path, strerror(e));
		exit(2);
	}
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "timestamps", no_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *path = NULL, *command;
	struct json_object *args = NULL, *greeting, *reply;
	int c;

	while ((c = getopt_long(argc, argv, "+s:pth", options, NULL)) != -1) {
		switch (c) {
		case 's': path = optarg; break;
		case 'p': print_flags = JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED; break;
		case 't': timestamps = true; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!path || optind >= argc || argc - optind > 2) {
		usage(stderr);
		return 2;
	}
	command = argv[optind];
	if (optind + 1 < argc) {
		args = json_tokener_parse(argv[optind + 1]);
		if (!json_object_is_type(args, json_type_object) || !strcmp(command, "events")) {
			fprintf(stderr, !strcmp(command, "events") ? "vmras-ctl: events takes no arguments\n"
				: "vmras-ctl: JSON-ARGS must be a JSON object, such as '{\"enable\": []}'\n");
			json_object_put(args);
			return 2;
		}
	}
	tok = json_tokener_new();
	connect_to(path);
	greeting = next_value();
	if (!greeting || !json_object_object_get_ex(greeting, "QMP", NULL)) {
		fprintf(stderr, "vmras-ctl: %s did not greet as a QMP server\n", path);
		return 1;
	}
	json_object_put(greeting);

	send_command("qmp_capabilities", NULL);
	reply = await_reply("qmp_capabilities");
	if (!json_object_object_get_ex(reply, "return", NULL)) {
		fprintf(stderr, "vmras-ctl: capabilities negotiation failed: %s\n", json_object_to_json_string(reply));
		return 1;
	}
	json_object_put(reply);

	if (!strcmp(command, "events")) {
		struct json_object *o;
		while ((o = next_value())) {
			if (is_event(o) && timestamps)
				printf("%lld.%09ld ", (long long)arrived.tv_sec, arrived.tv_nsec);
			if (is_event(o))
				print(o);
			json_object_put(o);
		}
		return 0;
	}
	send_command(command, args);
	reply = await_reply(command);
	json_object_object_del(reply, "id");
	print(reply);
	c = json_object_object_get_ex(reply, "error", NULL) ? 1 : 0;
	json_object_put(reply);
	json_object_put(args);
	json_tokener_free(tok);
	close(fd);
	return c;
}
