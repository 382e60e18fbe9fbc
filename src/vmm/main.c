/* vmras: boot a Linux guest under KVM and keep it alive through hardware memory failures. */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "qmp/ras_stats.h"
#include "vmm/acpi_dump.h"
#include "vmm/cli.h"
#include "vmm/log.h"
#include "vmm/event_sink.h"
#include "vmm/inject.h"
#include "vmm/machine.h"
#include "vmm/qmp_server.h"
#include "vmm/ras.h"
#include "vmm/sigbus.h"
#include "vmm/test_hooks.h"

#ifndef VMRAS_VERSION
#define VMRAS_VERSION "0.1.0"
#endif

static void *signal_thread(void *arg)
{
	struct machine *m = arg;
	sigset_t set;
	int sig;
	char why[64];

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, VMRAS_SIG_SYNTHETIC_AO);
	sigaddset(&set, VMRAS_SIG_SYNTHETIC_AR);
	for (;;) {
		siginfo_t si;

		sig = sigwaitinfo(&set, &si);
		if (sig < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (sig == SIGUSR2) {
			test_hooks_touch();
			continue;
		}
		if (sig == VMRAS_SIG_SYNTHETIC_AO || sig == VMRAS_SIG_SYNTHETIC_AR) {
			if (si.si_code == SI_QUEUE)
				ras_synthetic(m, (uint64_t)(uintptr_t)si.si_value.sival_ptr,
					      sig == VMRAS_SIG_SYNTHETIC_AR);
			else
				log_error("signal %d without a guest address (send it with sigqueue); ignored", sig);
			continue;
		}
		snprintf(why, sizeof(why), "terminating on signal %d", sig);
		machine_request_cause(m, MACHINE_QUIT, SHUTDOWN_CAUSE_HOST_SIGNAL, why);
		break;
	}
	return NULL;
}

static void qmp_quit(void *opaque)
{
	/* On the QMP thread: SHUTDOWN reaches clients before the reply, as QEMU sends it. */
	machine_request_cause(opaque, MACHINE_QUIT, SHUTDOWN_CAUSE_HOST_QMP_QUIT, "quit requested over QMP");
}

static const char *qmp_run_state(void *opaque, bool *running)
{
	return machine_run_state(opaque, running);
}

static int qmp_stop(void *opaque, struct qmp_error *err)
{
	return machine_stop(opaque, err);
}

static int qmp_cont(void *opaque, struct qmp_error *err)
{
	return machine_cont(opaque, err);
}

static struct json_object *qmp_query_memory_failures(void *opaque, struct qmp_error *err)
{
	struct machine *m = opaque;
	struct json_object *list;

	if (m->opts->machine_none) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no guest (--machine none): there is no guest memory to fail");
		return NULL;
	}
	list = ras_memory_failures(m);
	if (!list)
		qmp_error_set(err, QMP_ERR_GENERIC, "the memory-failure registry cannot be read (out of memory)");
	return list;
}

static struct json_object *qmp_query_ras_stats(void *opaque, struct qmp_error *err)
{
	struct machine *m = opaque;
	struct ras_stats st;
	struct json_object *o;

	if (m->opts->machine_none) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no guest (--machine none): there is no guest memory to fail");
		return NULL;
	}
	if (ras_stats_read(m, &st)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "memory-failure handling is not running");
		return NULL;
	}
	o = qmp_ras_stats(&st);
	if (!o)
		qmp_error_set(err, QMP_ERR_GENERIC, "out of memory");
	return o;
}

static int qmp_system_reset(void *opaque, struct qmp_error *err)
{
	return machine_system_reset(opaque, err);
}

static int qmp_system_powerdown(void *opaque, struct qmp_error *err)
{
	return machine_system_powerdown(opaque, err);
}

static int start_qmp(const struct vmras_options *opts, struct machine *m, char *why, size_t whylen)
{
	const struct qmp_backend backend = {
		.opaque = m, .quit = qmp_quit, .run_state = qmp_run_state, .stop = qmp_stop, .cont = qmp_cont,
		.system_reset = qmp_system_reset, .system_powerdown = qmp_system_powerdown,
		.memory_failures = qmp_query_memory_failures, .ras_stats = qmp_query_ras_stats,
		.inject_memory_failure = machine_inject_memory_failure, .inject_mce = machine_inject_mce,
		.inject_ghes = machine_inject_ghes,
		.cpus = machine_cpus,
	};
	struct qmp_server *srv;

	if (!opts->nqmp)
		return 0;
	srv = qmp_server_start(opts->qmp, opts->nqmp, &backend, "vmras " VMRAS_VERSION, why, whylen);
	if (!srv)
		return -1;
	if (event_sinks_add(qmp_server_sink(srv))) {
		qmp_server_sink(srv)->close(qmp_server_sink(srv));
		snprintf(why, whylen, "too many event sinks");
		return -1;
	}
	return 0;
}

/* Termination signals are taken by one thread with sigwait, never by a handler. */
static int start_signal_thread(struct machine *m)
{
	sigset_t set;
	pthread_t t;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR2);
	sigaddset(&set, VMRAS_SIG_SYNTHETIC_AO);
	sigaddset(&set, VMRAS_SIG_SYNTHETIC_AR);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (pthread_create(&t, NULL, signal_thread, m))
		return -1;
	pthread_detach(t);
	return 0;
}

int main(int argc, char **argv)
{
	struct vmras_options opts;
	static struct machine machine;
	char why[512];
	bool usage_error;
	int status;

	if (cli_parse(argc, argv, &opts, why, sizeof(why))) {
		fprintf(stderr, "vmras: error: %s\n", why);
		return 2;
	}
	if (opts.help) {
		cli_usage(stdout);
		return 0;
	}
	if (opts.version) {
		printf("vmras %s\n", VMRAS_VERSION);
		return 0;
	}
	if (opts.dump_acpi) {
		if (acpi_dump(opts.dump_acpi, opts.cpus, opts.ras & RAS_MODE_GHES, opts.ndisks + opts.nnets, why, sizeof(why))) {
			fprintf(stderr, "vmras: error: %s\n", why);
			return 2;
		}
		return 0;
	}
	if (opts.event_log) {
		struct event_sink *log = event_log_open(opts.event_log);
		if (!log || event_sinks_add(log)) {
			fprintf(stderr, "vmras: error: cannot open event log '%s': %s\n", opts.event_log, strerror(errno));
			return 2;
		}
	}
	/* Before any thread exists, so that all of them inherit the mask. */
	if (start_signal_thread(&machine)) {
		fprintf(stderr, "vmras: error: cannot start the signal thread\n");
		return 1;
	}
	if (!opts.firmware_set && !opts.machine_none)
		opts.firmware = arch_default_firmware();
	if (opts.machine_none) {
		machine_init_none(&machine, &opts);
		if (start_qmp(&opts, &machine, why, sizeof(why))) {
			fprintf(stderr, "vmras: error: %s\n", why);
			event_sinks_close_all();
			return 2;
		}
		status = machine_run_none(&machine);
		event_sinks_close_all();
		return status;
	}
	if (machine_init(&machine, &opts, why, sizeof(why), &usage_error)) {
		fprintf(stderr, "vmras: error: %s\n", why);
		event_sinks_close_all();
		machine_destroy(&machine);
		return usage_error ? 2 : 1;
	}
	/* After machine_init, which initialises what QMP commands use (the
	 * request lock); before the guest runs, so no event is missed. */
	if (start_qmp(&opts, &machine, why, sizeof(why))) {
		fprintf(stderr, "vmras: error: %s\n", why);
		event_sinks_close_all();
		machine_destroy(&machine);
		return 2;
	}
	status = machine_run(&machine);
	event_sinks_close_all();
	machine_destroy(&machine);
	return status;
}
