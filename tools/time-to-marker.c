/* time-to-marker: how long after a command starts does its output show a marker?
 *
 * Used by the boot-time benchmark (bench/boot-time): runs a VMM with its
 * console on a pipe and measures the time from spawn to the guest's
 * "vmras-guest: init reached" line, then lets the guest finish (or stops it
 * after a grace period) and reports the VMM's peak RSS.
 *
 * Prints one line on stdout:
 *   marker_ms=N exit_ms=N status=STATUS maxrss_kb=N
 * STATUS is exit:N, signal:N (the command died of a signal we did not send)
 * or stopped (we stopped it: the grace period after the marker ran out, or
 * its output showed the --stop-at text after the marker).
 * marker_ms is "-" when the marker never appeared.
 *
 * Exit status: 0 the marker appeared, and the command then exited 0 or was
 * stopped after the grace period; 1 the marker did not appear before the
 * timeout or the command's end, or the command failed after it (the last of
 * its output then goes to stderr); 2 bad usage or cannot start the command. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_MARKER "vmras-guest: init reached"
#define TAIL_SIZE 4096      /* output kept to show on failure */
#define KILL_WAIT_MS 5000   /* SIGTERM, then SIGKILL after this long */

static void usage(FILE *f)
{
	fputs("Usage: time-to-marker [options] [--] COMMAND [ARG...]\n"
	      "\n"
	      "Runs COMMAND (stdin /dev/null, stdout and stderr on a pipe) and prints the\n"
	      "milliseconds from its start until its output contains MARKER, then waits\n"
	      "for it to exit, and prints one line:\n"
	      "  marker_ms=N exit_ms=N status=exit:N|signal:N|stopped maxrss_kb=N\n"
	      "\n"
	      "  -m, --marker TEXT    the text to wait for (default \"" DEFAULT_MARKER "\")\n"
	      "  -t, --timeout SEC    give up when MARKER has not appeared after SEC seconds\n"
	      "                       (default 300): stop COMMAND, exit 1\n"
	      "  -g, --grace SEC      after MARKER, wait this long for COMMAND to exit before\n"
	      "                       stopping it (default 60; 0: stop it at once)\n"
	      "  -s, --stop-at TEXT   after MARKER, stop COMMAND as soon as its output\n"
	      "                       contains TEXT (for a VMM that does not exit when its\n"
	      "                       guest halts)\n"
	      "  -o, --output FILE    write COMMAND's output to FILE\n"
	      "  -h, --help           this help\n"
	      "\n"
	      "COMMAND runs in a process group of its own; stopping it sends that group\n"
	      "SIGTERM, then SIGKILL 5 s later. maxrss_kb is COMMAND's peak resident set\n"
	      "(getrusage's ru_maxrss of the child). Exit status: 0 MARKER seen and COMMAND\n"
	      "then exited 0 or was stopped after the grace period; 1 MARKER not seen, or\n"
	      "COMMAND failed after it (its last output goes to stderr); 2 bad usage or\n"
	      "COMMAND could not be started.\n", f);
}

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static bool parse_seconds(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (errno || end == s || *end || v < 0 || v > 86400)
		return false;
	*out = v;
	return true;
}

/* The last TAIL_SIZE bytes of output, as a ring. */
static char tail[TAIL_SIZE];
static size_t tail_len, tail_pos;

static void tail_add(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		tail[tail_pos] = p[i];
		tail_pos = (tail_pos + 1) % TAIL_SIZE;
		if (tail_len < TAIL_SIZE)
			tail_len++;
	}
}

static void tail_show(void)
{
	size_t start = (tail_pos + TAIL_SIZE - tail_len) % TAIL_SIZE;
	fputs("time-to-marker: last output of the command:\n", stderr);
	for (size_t i = 0; i < tail_len; i++) {
		char c = tail[(start + i) % TAIL_SIZE];
		if (c != '\r')
			fputc(c, stderr);
	}
	if (tail_len && tail[(tail_pos + TAIL_SIZE - 1) % TAIL_SIZE] != '\n')
		fputc('\n', stderr);
}

static int pidfd_open_compat(pid_t pid)
{
#ifdef SYS_pidfd_open
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "marker", required_argument, NULL, 'm' },
		{ "timeout", required_argument, NULL, 't' },
		{ "grace", required_argument, NULL, 'g' },
		{ "stop-at", required_argument, NULL, 's' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *marker = DEFAULT_MARKER, *output = NULL, *stop_text = NULL;
	double timeout_s = 300, grace_s = 60;
	int c;

	while ((c = getopt_long(argc, argv, "+m:t:g:s:o:h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			marker = optarg;
			break;
		case 't':
			if (!parse_seconds(optarg, &timeout_s) || timeout_s == 0) {
				fprintf(stderr, "time-to-marker: --timeout needs a positive number of seconds, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 'g':
			if (!parse_seconds(optarg, &grace_s)) {
				fprintf(stderr, "time-to-marker: --grace needs a number of seconds, not '%s'\n", optarg);
				return 2;
			}
			break;
		case 's':
			stop_text = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fputs("time-to-marker: no COMMAND given (see --help)\n", stderr);
		return 2;
	}
	size_t mlen = strlen(marker);
	size_t slen = stop_text ? strlen(stop_text) : 0;
	if (mlen == 0 || mlen > 1024 || (stop_text && (slen == 0 || slen > 1024))) {
		fputs("time-to-marker: --marker and --stop-at need 1 to 1024 characters\n", stderr);
		return 2;
	}

	int out_fd = -1;
	if (output) {
		out_fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (out_fd < 0) {
			fprintf(stderr, "time-to-marker: %s: %s\n", output, strerror(errno));
			return 2;
		}
	}
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		perror("time-to-marker: pipe");
		return 2;
	}

	fflush(NULL);
	double t0 = now_ms();
	pid_t pid = fork();
	if (pid < 0) {
		perror("time-to-marker: fork");
		return 2;
	}
	if (pid == 0) {
		setpgid(0, 0);
		int null = open("/dev/null", O_RDONLY);
		if (null < 0 || dup2(null, 0) < 0 || dup2(pfd[1], 1) < 0 || dup2(pfd[1], 2) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[optind], argv + optind);
		fprintf(stderr, "time-to-marker: cannot run %s: %s\n", argv[optind], strerror(errno));
		_exit(127);
	}
	setpgid(pid, pid);   /* also here, so that a kill before the child's own call finds the group */
	close(pfd[1]);
	signal(SIGPIPE, SIG_IGN);
	int rfd = pfd[0];
	/* Readable when the child exits (Linux 5.3+); without it, poll every 50 ms. */
	int pidfd = pidfd_open_compat(pid);

	/* The last mlen bytes of output, to match the marker across reads. */
	static char win[1024];
	size_t win_fill = 0;
	/* The same for the --stop-at text, from the marker on. */
	static char swin[1024];
	size_t swin_fill = 0;
	bool stop_seen = false;
	double marker_at = -1, kill_at = -1;
	bool stopped = false, exited = false, eof = false;
	int status = 0;
	struct rusage ru;
	memset(&ru, 0, sizeof(ru));

	while (!exited) {
		double now = now_ms();
		/* Deadlines: the marker timeout, the grace period, the SIGKILL after SIGTERM. */
		if (!stopped && (stop_seen || (marker_at < 0 && now - t0 >= timeout_s * 1e3) ||
		                 (marker_at >= 0 && now - marker_at >= grace_s * 1e3))) {
			kill(-pid, SIGTERM);
			kill(pid, SIGTERM);
			stopped = true;
			kill_at = now + KILL_WAIT_MS;
		} else if (stopped && kill_at >= 0 && now >= kill_at) {
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			kill_at = -1;
		}
		double deadline;
		if (stopped)
			deadline = kill_at >= 0 ? kill_at : now + 1000;
		else if (marker_at < 0)
			deadline = t0 + timeout_s * 1e3;
		else
			deadline = marker_at + grace_s * 1e3;
		int wait_ms = (int)(deadline - now) + 1;
		if (wait_ms < 0)
			wait_ms = 0;
		if (pidfd < 0 && wait_ms > 50)
			wait_ms = 50;

		struct pollfd pf[2];
		int n = 0, out_idx = -1;
		if (!eof) {
			out_idx = n;
			pf[n++] = (struct pollfd){ .fd = rfd, .events = POLLIN };
		}
		if (pidfd >= 0)
			pf[n++] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
		if (n == 0 && wait_ms > 50)
			wait_ms = 50;
		int r = poll(pf, n, wait_ms);
		if (r < 0 && errno != EINTR) {
			perror("time-to-marker: poll");
			break;
		}
		double t = now_ms();

		if (r > 0 && out_idx >= 0 && pf[out_idx].revents) {
			char buf[65536];
			ssize_t got = read(rfd, buf, sizeof(buf));
			if (got == 0) {
				eof = true;
			} else if (got > 0) {
				if (out_fd >= 0 && write(out_fd, buf, (size_t)got) != got) {
					fprintf(stderr, "time-to-marker: writing %s: %s\n", output, strerror(errno));
					close(out_fd);
					out_fd = -1;
				}
				tail_add(buf, (size_t)got);
				for (ssize_t i = 0; i < got; i++) {
					if (marker_at < 0) {
						if (win_fill == mlen) {
							memmove(win, win + 1, mlen - 1);
							win_fill--;
						}
						win[win_fill++] = buf[i];
						if (win_fill == mlen && memcmp(win, marker, mlen) == 0)
							marker_at = t;
					} else if (stop_text && !stop_seen) {
						if (swin_fill == slen) {
							memmove(swin, swin + 1, slen - 1);
							swin_fill--;
						}
						swin[swin_fill++] = buf[i];
						if (swin_fill == slen && memcmp(swin, stop_text, slen) == 0)
							stop_seen = true;
					} else {
						break;
					}
				}
			} else if (errno != EAGAIN && errno != EINTR) {
				eof = true;
			}
		}
		/* Reap: wait4 gives the child's own peak RSS. */
		pid_t w = wait4(pid, &status, WNOHANG, &ru);
		if (w == pid)
			exited = true;
		else if (w < 0 && errno != EINTR) {
			perror("time-to-marker: wait4");
			return 2;
		}
	}
	double exit_at = now_ms();
	/* Drain what is left in the pipe (descendants may still hold it: don't block). */
	if (!eof) {
		fcntl(rfd, F_SETFL, O_NONBLOCK);
		char buf[65536];
		ssize_t got;
		while ((got = read(rfd, buf, sizeof(buf))) > 0) {
			if (out_fd >= 0 && write(out_fd, buf, (size_t)got) != got) {
				close(out_fd);
				out_fd = -1;
			}
			tail_add(buf, (size_t)got);
		}
	}
	/* Leave no stray processes in the command's group. */
	kill(-pid, SIGKILL);
	if (out_fd >= 0)
		close(out_fd);

	char st[32];
	bool ok;
	if (stopped) {
		/* whatever status it died with: a VMM may exit non-zero on SIGTERM */
		snprintf(st, sizeof(st), "stopped");
		ok = true;
	} else if (WIFEXITED(status)) {
		snprintf(st, sizeof(st), "exit:%d", WEXITSTATUS(status));
		ok = WEXITSTATUS(status) == 0;
	} else {
		snprintf(st, sizeof(st), "signal:%d", WTERMSIG(status));
		ok = false;
	}
	char mbuf[32];
	if (marker_at >= 0)
		snprintf(mbuf, sizeof(mbuf), "%.0f", marker_at - t0);
	else
		snprintf(mbuf, sizeof(mbuf), "-");
	printf("marker_ms=%s exit_ms=%.0f status=%s maxrss_kb=%ld\n", mbuf, exit_at - t0, st, ru.ru_maxrss);
	fflush(stdout);

	if (marker_at < 0) {
		if (stopped)
			fprintf(stderr, "time-to-marker: no \"%s\" after %g s; stopped %s\n", marker, timeout_s, argv[optind]);
		else
			fprintf(stderr, "time-to-marker: %s ended (%s) without printing \"%s\"\n", argv[optind], st, marker);
		tail_show();
		return 1;
	}
	if (!ok) {
		fprintf(stderr, "time-to-marker: %s failed (%s) after \"%s\"\n", argv[optind], st, marker);
		tail_show();
		return 1;
	}
	return 0;
}
