/* The machine commands through a session: argument checking (in QEMU 7.2's
 * words, found by experiment), the backend calls they make, and the errors
 * when there is no backend or the backend refuses. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <resolv.h>

#include "qmp/inject.h"
#include "qmp/memory_failures.h"
#include "qmp/ras_stats.h"
#include "qmp/runstate.h"
#include "ras/cper.h"
#include "ras/poison.h"
#include "x86/qmp_cpu.h"
#include "qmp_harness.h"

/* A fake VM whose state follows the real table. */
struct fake {
	enum run_state state;
	int stops, conts, resets, powerdowns;
};

static const char *fake_state(void *opaque, bool *running)
{
	struct fake *f = opaque;
	*running = run_state_is_running(f->state);
	return run_state_name(f->state);
}

static int fake_stop(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	(void)err;
	f->stops++;
	if (f->state == RUN_STATE_RUNNING)
		f->state = RUN_STATE_PAUSED;
	return 0;
}

static int fake_cont(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	f->conts++;
	if (run_state_needs_reset(f->state)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "Resetting the Virtual Machine is required");
		return -1;
	}
	f->state = RUN_STATE_RUNNING;
	return 0;
}

static int fake_reset(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	(void)err;
	f->resets++;
	f->state = run_state_after_reset(f->state);
	return 0;
}

static struct poison_registry *registry;

static struct json_object *fake_memory_failures(void *opaque, struct qmp_error *err)
{
	(void)opaque;
	if (!registry) {
		qmp_error_set(err, QMP_ERR_GENERIC, "no registry");
		return NULL;
	}
	return qmp_memory_failures(registry);
}

static struct ras_stats stats;
static bool stats_fail;

static struct json_object *fake_ras_stats(void *opaque, struct qmp_error *err)
{
	(void)opaque;
	if (stats_fail) {
		qmp_error_set(err, QMP_ERR_GENERIC, "memory-failure handling is not running");
		return NULL;
	}
	return qmp_ras_stats(&stats);
}

/* What the injections reached the VM with; a 2-vCPU guest with 10 banks. */
static struct {
	int mf_calls, mce_calls;
	uint64_t gpa;
	bool poison, ar;
	struct qmp_mce mce;
	bool amd;
} inj;

static int fake_inject_memory_failure(void *opaque, uint64_t gpa, bool poison, bool ar, struct qmp_error *err)
{
	(void)opaque;
	(void)err;
	inj.mf_calls++;
	inj.gpa = gpa;
	inj.poison = poison;
	inj.ar = ar;
	return 0;
}

static int fake_inject_mce(void *opaque, const struct qmp_mce *mce, struct qmp_error *err)
{
	(void)opaque;
	if (!qmp_mce_check(mce, 2, 0x0100000aULL, !inj.amd, err))
		return -1;
	inj.mce_calls++;
	inj.mce = *mce;
	return 0;
}

/* What inject-ghes-v2-error handed the VM; full: the source's queue is. */
static struct {
	int calls;
	uint8_t rec[4096];
	size_t len;
	bool full;
} ghes;

static int fake_inject_ghes(void *opaque, const void *rec, size_t len, struct qmp_error *err)
{
	(void)opaque;
	if (ghes.full) {
		qmp_error_set(err, QMP_ERR_GENERIC, "queue full");
		return -1;
	}
	ghes.calls++;
	assert_true(len <= sizeof(ghes.rec));
	memcpy(ghes.rec, rec, len);
	ghes.len = len;
	return 0;
}

static struct json_object *fake_cpus(void *opaque, struct qmp_error *err)
{
	static const struct qmp_cpu cpus[] = { { .index = 0, .thread_id = 4242 }, { .index = 1, .thread_id = 4243 },
					       { .index = 2, .thread_id = 4244 } };
	(void)opaque;
	(void)err;
	return qmp_cpus_fast(cpus, 3, &x86_qmp_cpu_model);
}

static int fake_powerdown(void *opaque, struct qmp_error *err)
{
	struct fake *f = opaque;
	(void)err;
	f->powerdowns++;
	return 0;
}

static struct fake vm;
static const struct qmp_backend backend = {
	.opaque = &vm, .run_state = fake_state, .stop = fake_stop, .cont = fake_cont, .system_reset = fake_reset,
	.system_powerdown = fake_powerdown,
	.memory_failures = fake_memory_failures, .ras_stats = fake_ras_stats, .inject_memory_failure = fake_inject_memory_failure,
	.inject_mce = fake_inject_mce, .inject_ghes = fake_inject_ghes, .cpus = fake_cpus,
};

static struct qmp_session *ready(const struct qmp_backend *b)
{
	struct qmp_session_config cfg = { .backend = b, .package = "vmras-test" };
	struct qmp_session *s = qmp_session_new(&cfg);

	assert_non_null(s);
	json_object_put(take_reply(s));
	json_object_put(expect_return(s, "{\"execute\":\"qmp_capabilities\"}"));
	return s;
}

static void expect_empty_return(struct qmp_session *s, const char *input)
{
	struct json_object *r = expect_return(s, input);
	assert_int_equal(json_object_get_type(r), json_type_object);
	assert_int_equal(json_object_object_length(r), 0);
	json_object_put(r);
}

static void expect_status(struct qmp_session *s, const char *status, bool running)
{
	struct json_object *r = expect_return(s, "{\"execute\":\"query-status\"}");
	assert_string_equal(json_object_get_string(member(r, "status")), status);
	assert_int_equal(json_object_get_boolean(member(r, "running")), running);
	json_object_put(r);
}

static void test_stop_cont(void **state)
{
	struct qmp_session *s = ready(&backend);
	(void)state;

	vm = (struct fake){ .state = RUN_STATE_PRELAUNCH };
	expect_status(s, "prelaunch", false);
	expect_empty_return(s, "{\"execute\":\"cont\"}");
	expect_status(s, "running", true);
	expect_empty_return(s, "{\"execute\":\"stop\",\"arguments\":{}}");
	expect_status(s, "paused", false);
	expect_empty_return(s, "{\"execute\":\"stop\"}");
	expect_empty_return(s, "{\"execute\":\"cont\"}");
	assert_int_equal(vm.stops, 2);
	assert_int_equal(vm.conts, 2);

	vm.state = RUN_STATE_GUEST_PANICKED;
	expect_error(s, "{\"execute\":\"cont\"}", "GenericError", "Resetting the Virtual Machine is required");
	expect_status(s, "guest-panicked", false);
	/* QEMU's way out of a panic: reset, which leaves the VM in prelaunch, then cont. */
	expect_empty_return(s, "{\"execute\":\"system_reset\"}");
	expect_status(s, "prelaunch", false);
	expect_empty_return(s, "{\"execute\":\"cont\"}");
	expect_status(s, "running", true);
	expect_empty_return(s, "{\"execute\":\"system_reset\",\"arguments\":{}}");
	expect_status(s, "running", true);
	assert_int_equal(vm.resets, 2);
	/* A press changes no run state by itself (the guest decides), in any state. */
	expect_empty_return(s, "{\"execute\":\"system_powerdown\"}");
	expect_status(s, "running", true);
	expect_empty_return(s, "{\"execute\":\"stop\"}");
	expect_empty_return(s, "{\"execute\":\"system_powerdown\",\"arguments\":{}}");
	expect_status(s, "paused", false);
	assert_int_equal(vm.powerdowns, 2);
	qmp_session_free(s);
}

static void test_stop_cont_args(void **state)
{
	struct qmp_session *s = ready(&backend);
	(void)state;

	vm = (struct fake){ .state = RUN_STATE_RUNNING };
	expect_error(s, "{\"execute\":\"stop\",\"arguments\":{\"x\":1}}", "GenericError", "Parameter 'x' is unexpected");
	expect_error(s, "{\"execute\":\"cont\",\"arguments\":{\"x\":1}}", "GenericError", "Parameter 'x' is unexpected");
	expect_error(s, "{\"execute\":\"system_reset\",\"arguments\":{\"x\":1}}", "GenericError",
		     "Parameter 'x' is unexpected");
	expect_error(s, "{\"execute\":\"stop\",\"arguments\":[]}", "GenericError",
		     "QMP input member 'arguments' must be an object");
	expect_error(s, "{\"execute\":\"system_powerdown\",\"arguments\":{\"x\":1}}", "GenericError",
		     "Parameter 'x' is unexpected");
	/* Refused commands never reach the VM. */
	assert_int_equal(vm.stops + vm.conts + vm.resets + vm.powerdowns, 0);
	qmp_session_free(s);
}

static void record(uint64_t gpa, unsigned lsb, bool ar, enum mf_action action, uint64_t ns)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = ar, .gpa = gpa,
				    .hva = 0x7f0000000000ULL + gpa, .lsb = lsb, .vcpu = -1, .region = "ram-below-4g" };
	assert_true(poison_record(registry, &f, action, ns, NULL) >= 0);
}

static void test_query_memory_failures(void **state)
{
	struct qmp_session *s = ready(&backend);
	struct json_object *r, *e;
	(void)state;

	registry = poison_new();
	assert_non_null(registry);
	r = expect_return(s, "{\"execute\":\"query-memory-failures\"}");
	assert_int_equal(json_object_array_length(r), 0);
	json_object_put(r);

	record(0x12345000, 12, false, MF_ACTION_INJECT, 1000001000);
	record(0x12345000, 12, true, MF_ACTION_INJECT, 3000002000);
	record(0x40000000, 21, false, MF_ACTION_IGNORE, 5000000000);
	struct memory_failure own = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				      .hva = 0x7f1000000000ULL, .lsb = 12, .vcpu = -1 };
	assert_true(poison_record(registry, &own, MF_ACTION_FATAL, 6000000000, NULL) >= 0);

	r = expect_return(s, "{\"execute\":\"query-memory-failures\",\"arguments\":{}}");
	assert_int_equal(json_object_array_length(r), 3);
	e = json_object_array_get_idx(r, 0);
	assert_string_equal(json_object_get_string(member(e, "recipient")), "guest");
	assert_true(json_object_get_uint64(member(e, "guest-physical-address")) == 0x12345000);
	assert_true(json_object_get_uint64(member(e, "host-virtual-address")) == 0x7f0012345000ULL);
	assert_int_equal(json_object_get_uint64(member(e, "size")), 4096);
	assert_string_equal(json_object_get_string(member(e, "ram-region")), "ram-below-4g");
	assert_int_equal(json_object_get_int64(member(member(e, "first-seen"), "seconds")), 1);
	assert_int_equal(json_object_get_int64(member(member(e, "first-seen"), "microseconds")), 1);
	assert_int_equal(json_object_get_int64(member(member(e, "last-seen"), "seconds")), 3);
	assert_int_equal(json_object_get_int64(member(member(e, "last-seen"), "microseconds")), 2);
	assert_int_equal(json_object_get_int64(member(e, "count")), 2);
	assert_true(json_object_get_boolean(member(e, "action-required")));
	assert_string_equal(json_object_get_string(member(e, "action")), "inject");
	assert_false(json_object_get_boolean(member(e, "replaced")));
	assert_int_equal(json_object_object_length(e), 11);

	e = json_object_array_get_idx(r, 1);
	assert_int_equal(json_object_get_uint64(member(e, "size")), 2 << 20);
	assert_false(json_object_get_boolean(member(e, "action-required")));
	assert_string_equal(json_object_get_string(member(e, "action")), "ignore");

	/* vmras's own memory: no guest address, no region. */
	e = json_object_array_get_idx(r, 2);
	assert_string_equal(json_object_get_string(member(e, "recipient")), "hypervisor");
	assert_false(json_object_object_get_ex(e, "guest-physical-address", NULL));
	assert_false(json_object_object_get_ex(e, "ram-region", NULL));
	assert_string_equal(json_object_get_string(member(e, "action")), "fatal");
	json_object_put(r);

	expect_error(s, "{\"execute\":\"query-memory-failures\",\"arguments\":{\"gpa\":1}}", "GenericError",
		     "Parameter 'gpa' is unexpected");
	poison_free(registry);
	registry = NULL;
	expect_error(s, "{\"execute\":\"query-memory-failures\"}", "GenericError", "no registry");
	qmp_session_free(s);
}

/* Every member, with the names the burst benchmark reads, as unsigned
 * 64-bit numbers; no arguments taken; the backend's failure passed on. */
static void test_query_ras_stats(void **state)
{
	struct qmp_session *s = ready(&backend);
	static const char *const names[] = { "reports", "scan-found", "pages", "told-ghes", "told-mce",
					     "dropped", "ghes-backlog-max" };
	struct json_object *r;
	(void)state;

	stats = (struct ras_stats){ .reports = 463, .scan_found = 37, .pages = 500, .told_ghes = 500,
				    .told_mce = 1, .dropped = 0, .ghes_backlog_max = UINT64_MAX };
	r = expect_return(s, "{\"execute\":\"query-ras-stats\"}");
	assert_int_equal(json_object_object_length(r), 7);
	for (size_t i = 0; i < 7; i++)
		assert_true(json_object_object_get_ex(r, names[i], NULL));
	assert_true(json_object_get_uint64(member(r, "reports")) == 463);
	assert_true(json_object_get_uint64(member(r, "scan-found")) == 37);
	assert_true(json_object_get_uint64(member(r, "pages")) == 500);
	assert_true(json_object_get_uint64(member(r, "told-ghes")) == 500);
	assert_true(json_object_get_uint64(member(r, "told-mce")) == 1);
	assert_true(json_object_get_uint64(member(r, "dropped")) == 0);
	assert_true(json_object_get_uint64(member(r, "ghes-backlog-max")) == UINT64_MAX);
	json_object_put(r);
	expect_error(s, "{\"execute\":\"query-ras-stats\",\"arguments\":{\"x\":1}}", "GenericError",
		     "Parameter 'x' is unexpected");
	stats_fail = true;
	expect_error(s, "{\"execute\":\"query-ras-stats\"}", "GenericError",
		     "memory-failure handling is not running");
	stats_fail = false;
	qmp_session_free(s);
}

#define IMF "{\"execute\":\"inject-memory-failure\",\"arguments\":"

static void test_inject_memory_failure(void **state)
{
	struct qmp_session *s = ready(&backend);
	(void)state;

	memset(&inj, 0, sizeof(inj));
	expect_error(s, "{\"execute\":\"inject-memory-failure\"}", "GenericError",
		     "Parameter 'guest-physical-address' is missing");
	expect_error(s, IMF "{\"guest-physical-address\":4096}}", "GenericError", "Parameter 'mode' is missing");
	expect_error(s, IMF "{\"guest-physical-address\":4096,\"mode\":\"hwpoison\"}}", "GenericError",
		     "Parameter 'mode' does not accept value 'hwpoison'");
	expect_error(s, IMF "{\"guest-physical-address\":-1,\"mode\":\"signal\"}}", "GenericError",
		     "Invalid parameter type for 'guest-physical-address', expected: integer");
	expect_error(s, IMF "{\"guest-physical-address\":\"0x1000\",\"mode\":\"signal\"}}", "GenericError",
		     "Invalid parameter type for 'guest-physical-address', expected: integer");
	expect_error(s, IMF "{\"guest-physical-address\":4096,\"mode\":\"signal\",\"action-required\":1}}",
		     "GenericError", "Invalid parameter type for 'action-required', expected: boolean");
	expect_error(s, IMF "{\"guest-physical-address\":4096,\"mode\":\"signal\",\"cpu\":0}}", "GenericError",
		     "Parameter 'cpu' is unexpected");
	/* The kernel decides how a real poison is reported; vmras cannot promise AR. */
	expect_error(s, IMF "{\"guest-physical-address\":4096,\"mode\":\"poison\",\"action-required\":true}}",
		     "GenericError", NULL);
	assert_int_equal(inj.mf_calls, 0);

	expect_empty_return(s, IMF "{\"guest-physical-address\":18446744073709547520,\"mode\":\"signal\"}}");
	assert_int_equal(inj.mf_calls, 1);
	assert_true(inj.gpa == 0xfffffffffffff000ULL);
	assert_false(inj.poison);
	assert_false(inj.ar);
	expect_empty_return(s, IMF "{\"guest-physical-address\":8388608,\"mode\":\"signal\",\"action-required\":true}}");
	assert_true(inj.gpa == 0x800000 && !inj.poison && inj.ar);
	expect_empty_return(s, IMF "{\"guest-physical-address\":8388608,\"mode\":\"poison\",\"action-required\":false}}");
	assert_true(inj.poison && !inj.ar);
	assert_int_equal(inj.mf_calls, 3);
	qmp_session_free(s);
}

#define MCE "{\"execute\":\"inject-mce\",\"arguments\":"
/* 0xbd80000000000134, an Intel action-required memory error, above INT64_MAX. */
#define AR_STATUS "13654914070187344180"

static void test_inject_mce(void **state)
{
	struct qmp_session *s = ready(&backend);
	(void)state;

	memset(&inj, 0, sizeof(inj));
	expect_error(s, "{\"execute\":\"inject-mce\"}", "GenericError", "Parameter 'cpu-index' is missing");
	expect_error(s, MCE "{\"cpu-index\":0}}", "GenericError", "Parameter 'bank' is missing");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9}}", "GenericError", "Parameter 'status' is missing");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":1}}", "GenericError",
		     "Parameter 'mcg-status' is missing");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":1,\"mcg-status\":7}}", "GenericError",
		     "Parameter 'addr' is missing");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":1,\"mcg-status\":7,\"addr\":0}}", "GenericError",
		     "Parameter 'misc' is missing");
	expect_error(s, MCE "{\"cpu-index\":\"0\",\"bank\":9,\"status\":1,\"mcg-status\":7,\"addr\":0,\"misc\":0}}",
		     "GenericError", "Invalid parameter type for 'cpu-index', expected: integer");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":-1,\"mcg-status\":7,\"addr\":0,\"misc\":0}}",
		     "GenericError", "Invalid parameter type for 'status', expected: integer");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":1,\"mcg-status\":7,\"addr\":0,\"misc\":0,"
			    "\"broadcast\":\"yes\"}}",
		     "GenericError", "Invalid parameter type for 'broadcast', expected: boolean");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":1,\"mcg-status\":7,\"addr\":0,\"misc\":0,\"x\":1}}",
		     "GenericError", "Parameter 'x' is unexpected");

	/* The machine's limits: 2 vCPUs, MCG_CAP with 10 banks, VAL set. */
	expect_error(s, MCE "{\"cpu-index\":2,\"bank\":9,\"status\":" AR_STATUS ",\"mcg-status\":7,\"addr\":0,\"misc\":0}}",
		     "GenericError", "cpu-index 2 is not a vCPU (the guest has 2: 0 to 1)");
	expect_error(s, MCE "{\"cpu-index\":-1,\"bank\":9,\"status\":" AR_STATUS ",\"mcg-status\":7,\"addr\":0,\"misc\":0}}",
		     "GenericError", "cpu-index -1 is not a vCPU (the guest has 2: 0 to 1)");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":10,\"status\":" AR_STATUS ",\"mcg-status\":7,\"addr\":0,\"misc\":0}}",
		     "GenericError", "bank 10 does not exist (MCG_CAP gives the guest 10 banks: 0 to 9)");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":-1,\"status\":" AR_STATUS ",\"mcg-status\":7,\"addr\":0,\"misc\":0}}",
		     "GenericError", "bank -1 does not exist (MCG_CAP gives the guest 10 banks: 0 to 9)");
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":4611686018427387904,\"mcg-status\":7,\"addr\":0,"
			    "\"misc\":0}}",
		     "GenericError", "status 0x4000000000000000 is not a valid error: MCi_STATUS.VAL (bit 63) must be set");
	inj.amd = true;
	expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":" AR_STATUS ",\"mcg-status\":7,\"addr\":0,\"misc\":0,"
			    "\"broadcast\":true}}",
		     "GenericError", "broadcast is for Intel guests: this guest's CPU vendor has no broadcast machine checks");
	assert_int_equal(inj.mce_calls, 0);

	expect_empty_return(s, MCE "{\"cpu-index\":1,\"bank\":9,\"status\":" AR_STATUS ",\"mcg-status\":7,"
				   "\"addr\":8388608,\"misc\":140,\"broadcast\":false}}");
	assert_int_equal(inj.mce_calls, 1);
	assert_int_equal(inj.mce.cpu_index, 1);
	assert_int_equal(inj.mce.bank, 9);
	assert_true(inj.mce.status == 0xbd80000000000134ULL);
	assert_true(inj.mce.mcg_status == 7 && inj.mce.addr == 0x800000 && inj.mce.misc == 0x8c);
	assert_false(inj.mce.broadcast);
	inj.amd = false;
	expect_empty_return(s, MCE "{\"cpu-index\":0,\"bank\":0,\"status\":18446744073709551615,"
				   "\"mcg-status\":18446744073709551615,\"addr\":18446744073709551615,"
				   "\"misc\":18446744073709551615,\"broadcast\":true}}");
	assert_true(inj.mce.status == UINT64_MAX && inj.mce.mcg_status == UINT64_MAX && inj.mce.addr == UINT64_MAX &&
		    inj.mce.misc == UINT64_MAX && inj.mce.broadcast && inj.mce.cpu_index == 0 && inj.mce.bank == 0);
	assert_int_equal(inj.mce_calls, 2);
	qmp_session_free(s);
}

#define GHES "{\"execute\":\"inject-ghes-v2-error\",\"arguments\":"

/* The command that sends rec base64-encoded. */
static char *ghes_command(const uint8_t *rec, size_t len)
{
	char b64[8192], *cmd;

	assert_true(b64_ntop(rec, len, b64, sizeof(b64)) >= 0);
	assert_true(asprintf(&cmd, GHES "{\"cper\":\"%s\"}}", b64) > 0);
	return cmd;
}

static void test_inject_ghes(void **state)
{
	struct qmp_session *s = ready(&backend);
	const struct cper_mem_error e = { .phys_addr = 0x7654000, .size = 4096, .severity = CPER_SEV_RECOVERABLE,
					  .error_type = CPER_MEM_ERR_SCRUB_UE };
	uint8_t rec[4097] = { 0 };
	char *cmd;
	(void)state;

	/* The bytes reach the VM as they were encoded. */
	assert_int_equal(cper_encode_mem_error(rec, sizeof(rec), &e), CPER_MEM_RECORD_LEN);
	cmd = ghes_command(rec, CPER_MEM_RECORD_LEN);
	expect_empty_return(s, cmd);
	free(cmd);
	assert_int_equal(ghes.calls, 1);
	assert_int_equal(ghes.len, CPER_MEM_RECORD_LEN);
	assert_memory_equal(ghes.rec, rec, CPER_MEM_RECORD_LEN);
	/* A whole 4096-byte block, wrapped at 76 columns as base64(1) writes it (QEMU takes newlines). */
	{
		char b64[8192], wrapped[8400], *w = wrapped, *c;
		size_t n;

		assert_true(b64_ntop(rec, 4096, b64, sizeof(b64)) > 0);
		n = strlen(b64);
		for (size_t i = 0; i < n; i += 76)
			w += sprintf(w, "%.*s\\n", (int)(n - i < 76 ? n - i : 76), b64 + i);
		assert_true(asprintf(&c, GHES "{\"cper\":\"%s\"}}", wrapped) > 0);
		expect_empty_return(s, c);
		free(c);
		assert_int_equal(ghes.calls, 2);
		assert_int_equal(ghes.len, 4096);
	}

	/* Not base64. */
	expect_error(s, GHES "{\"cper\":\"EQAAAA AA\"}}", "GenericError", "Base64 data contains invalid characters");
	expect_error(s, GHES "{\"cper\":\"EQAA*AAA\"}}", "GenericError", "Base64 data contains invalid characters");
	expect_error(s, GHES "{\"cper\":\"EQAA\\u0000AAA\"}}", "GenericError",
		     "Base64 data contains invalid characters");
	expect_error(s, GHES "{\"cper\":\"EQAAA\"}}", "GenericError",
		     "Base64 data is malformed: its length, padding or final bits are wrong");
	expect_error(s, GHES "{\"cper\":\"EQ=AAAAA\"}}", "GenericError",
		     "Base64 data is malformed: its length, padding or final bits are wrong");
	/* "ER==" leaves bits set past the one byte it encodes. */
	expect_error(s, GHES "{\"cper\":\"ER==\"}}", "GenericError",
		     "Base64 data is malformed: its length, padding or final bits are wrong");

	/* Base64, but not a block the guest would take. */
	expect_error(s, GHES "{\"cper\":\"\"}}", "GenericError",
		     "cper is not a valid Generic Error Status Block: 0 bytes is shorter than the 20-byte block header");
	cmd = ghes_command(rec, 4097);
	expect_error(s, cmd, "GenericError", "cper is not a valid Generic Error Status Block: 4097 bytes is "
		     "longer than an error status block (4096 bytes)");
	free(cmd);
	rec[0] = 0;
	cmd = ghes_command(rec, CPER_MEM_RECORD_LEN);
	expect_error(s, cmd, "GenericError", "cper is not a valid Generic Error Status Block: block status is 0, "
		     "which the guest reads as no error");
	free(cmd);
	rec[0] = 0x11;
	rec[12] = 0x99;                                 /* data length 153: one byte past the record */
	cmd = ghes_command(rec, CPER_MEM_RECORD_LEN);
	expect_error(s, cmd, "GenericError", "cper is not a valid Generic Error Status Block: data length 153 does "
		     "not fit: the header and data need 173 bytes, the record has 172");
	free(cmd);
	rec[12] = 0x98;
	assert_int_equal(ghes.calls, 2);

	/* The VM's refusal (a full queue) is the reply. */
	ghes.full = true;
	cmd = ghes_command(rec, CPER_MEM_RECORD_LEN);
	expect_error(s, cmd, "GenericError", "queue full");
	free(cmd);
	ghes.full = false;

	/* Arguments, in QEMU's words. */
	expect_error(s, "{\"execute\":\"inject-ghes-v2-error\"}", "GenericError", "Parameter 'cper' is missing");
	expect_error(s, GHES "{}}", "GenericError", "Parameter 'cper' is missing");
	expect_error(s, GHES "{\"cper\":17}}", "GenericError", "Invalid parameter type for 'cper', expected: string");
	expect_error(s, GHES "{\"cper\":\"EQ==\",\"source\":1}}", "GenericError", "Parameter 'source' is unexpected");
	assert_int_equal(ghes.calls, 2);
	qmp_session_free(s);
}

static void test_query_cpus_fast(void **state)
{
	struct qmp_session *s = ready(&backend);
	struct json_object *r, *c;
	static const char *const paths[] = { "/machine/unattached/device[0]", "/machine/unattached/device[2]",
					     "/machine/unattached/device[3]" };
	(void)state;

	r = expect_return(s, "{\"execute\":\"query-cpus-fast\"}");
	assert_int_equal(json_object_array_length(r), 3);
	for (int i = 0; i < 3; i++) {
		c = json_object_array_get_idx(r, (size_t)i);
		assert_int_equal(json_object_object_length(c), 5);
		assert_int_equal(json_object_get_int64(member(c, "cpu-index")), i);
		assert_int_equal(json_object_get_int64(member(c, "thread-id")), 4242 + i);
		assert_string_equal(json_object_get_string(member(c, "qom-path")), paths[i]);
		assert_string_equal(json_object_get_string(member(c, "target")), "x86_64");
		assert_int_equal(json_object_object_length(member(c, "props")), 3);
		assert_int_equal(json_object_get_int64(member(member(c, "props"), "core-id")), i);
		assert_int_equal(json_object_get_int64(member(member(c, "props"), "thread-id")), 0);
		assert_int_equal(json_object_get_int64(member(member(c, "props"), "socket-id")), 0);
	}
	/* QEMU's member order, so replies can be compared as text. */
	assert_string_equal(json_object_to_json_string_ext(json_object_array_get_idx(r, 1),
							    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"thread-id\":4243,\"props\":{\"core-id\":1,\"thread-id\":0,\"socket-id\":0},"
			    "\"qom-path\":\"/machine/unattached/device[2]\",\"cpu-index\":1,\"target\":\"x86_64\"}");
	json_object_put(r);
	expect_error(s, "{\"execute\":\"query-cpus-fast\",\"arguments\":{\"x\":1}}", "GenericError",
		     "Parameter 'x' is unexpected");
	qmp_session_free(s);
}

static void test_no_backend(void **state)
{
	static const struct qmp_backend empty = { 0 };
	const struct qmp_backend *backends[] = { NULL, &empty };
	(void)state;

	for (size_t i = 0; i < 2; i++) {
		struct qmp_session *s = ready(backends[i]);
		expect_error(s, "{\"execute\":\"stop\"}", "GenericError", "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"cont\"}", "GenericError", "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"system_powerdown\"}", "GenericError",
			     "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"system_reset\"}", "GenericError",
			     "this monitor has no virtual machine to control");
		expect_error(s, "{\"execute\":\"query-memory-failures\"}", "GenericError",
			     "this monitor has no virtual machine, so no memory failures");
		expect_error(s, "{\"execute\":\"query-ras-stats\"}", "GenericError",
			     "this monitor has no virtual machine, so no memory failures");
		expect_error(s, IMF "{\"guest-physical-address\":0,\"mode\":\"signal\"}}", "GenericError",
			     "this monitor has no virtual machine to inject into");
		expect_error(s, MCE "{\"cpu-index\":0,\"bank\":9,\"status\":" AR_STATUS ",\"mcg-status\":7,"
				    "\"addr\":0,\"misc\":0}}",
			     "GenericError", "this monitor has no virtual machine to inject into");
		/* A valid block: the missing VM is the only thing wrong. */
		expect_error(s, GHES "{\"cper\":\"AQAAAAAAAAAAAAAAAAAAAAAAAAA=\"}}", "GenericError",
			     "this monitor has no virtual machine to inject into");
		/* No machine, no CPUs, as QEMU's -machine none. */
		struct json_object *r = expect_return(s, "{\"execute\":\"query-cpus-fast\"}");
		assert_int_equal(json_object_get_type(r), json_type_array);
		assert_int_equal(json_object_array_length(r), 0);
		json_object_put(r);
		qmp_session_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stop_cont),
		cmocka_unit_test(test_stop_cont_args),
		cmocka_unit_test(test_query_memory_failures),
		cmocka_unit_test(test_query_ras_stats),
		cmocka_unit_test(test_inject_memory_failure),
		cmocka_unit_test(test_inject_mce),
		cmocka_unit_test(test_inject_ghes),
		cmocka_unit_test(test_query_cpus_fast),
		cmocka_unit_test(test_no_backend),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
