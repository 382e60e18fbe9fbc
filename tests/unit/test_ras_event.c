/* MEMORY_FAILURE as JSON: QEMU's QAPI members exactly, the operator's
 * extras, the QMP envelope and timestamp, one line, parsed back with json-c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>

#include "ras/event.h"
#include "x86/mce_event.h"
#include "ras/qmp_event.h"

#define T0 1700000000123456789ULL   /* 1700000000 s, 123456 us (789 ns dropped) */

/* The event the RAS path sends for an x86 decision told by machine check. */
static struct mf_event x86_event(const struct memory_failure *f, const struct mce_decision *d,
				 const struct poison_entry *pe, uint64_t t)
{
	struct mf_event ev = mf_event_from_verdict(f, &d->v, pe, t);

	ev.arch = mce_event_arch(&d->mce);
	return ev;
}

static struct json_object *parse_line(const char *line, size_t len)
{
	struct json_object *o;

	assert_non_null(line);
	assert_int_equal(strlen(line), len);
	assert_null(strchr(line, '\n'));
	assert_null(strchr(line, '\r'));
	o = json_tokener_parse(line);
	assert_non_null(o);
	return o;
}

static struct json_object *get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (!json_object_object_get_ex(o, key, &v))
		fail_msg("no member \"%s\" in %s", key, json_object_to_json_string(o));
	return v;
}

static bool has(struct json_object *o, const char *key)
{
	return json_object_object_get_ex(o, key, NULL);
}

static void assert_members(struct json_object *o, const char *const *keys)
{
	size_t n = 0;

	for (; keys[n]; n++)
		get(o, keys[n]);
	assert_int_equal(json_object_object_length(o), n);
}

static void test_envelope(void **state)
{
	struct json_object *data = json_object_new_object();
	size_t len;
	(void)state;

	json_object_object_add(data, "x", json_object_new_int(1));
	struct json_object *ev = qmp_event_new("SOMETHING", data, T0);
	assert_non_null(ev);
	char *line = qmp_event_line(ev, &len);
	/* Member order as the QMP spec shows it; compact. */
	assert_string_equal(line, "{\"event\":\"SOMETHING\",\"data\":{\"x\":1},"
			    "\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");
	struct json_object *back = parse_line(line, len);
	assert_string_equal(json_object_get_string(get(back, "event")), "SOMETHING");
	assert_int_equal(json_object_get_int64(get(get(back, "timestamp"), "seconds")), 1700000000);
	assert_int_equal(json_object_get_int64(get(get(back, "timestamp"), "microseconds")), 123456);
	json_object_put(back);
	free(line);
	json_object_put(ev);

	/* No data: no data member at all. Length pointer optional. */
	ev = qmp_event_new("RESET", NULL, 999999);
	line = qmp_event_line(ev, NULL);
	assert_string_equal(line, "{\"event\":\"RESET\",\"timestamp\":{\"seconds\":0,\"microseconds\":999}}");
	free(line);
	json_object_put(ev);

	/* No name: nothing, and the data is not leaked (ASan would tell). */
	assert_null(qmp_event_new(NULL, json_object_new_object(), 0));
}

static void test_guest_inject(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x12345678, .hva = 0x7f0012345678ULL, .lsb = 12, .vcpu = 1,
				    .region = "ram-below-4g" };
	struct mce_decision d = { .v = { .action = MF_ACTION_INJECT, .cpu = 1 }, .mce = { .blocker = -1,
				  .rec = { .bank = 9, .status = 0xBD80000000000134ULL, .mcg_status = 7,
					   .addr = 0x12345000, .misc = 0x8c },
				  .outcome = MCE_OUTCOME_RAISED, .broadcast = true } };
	struct poison_entry pe = { .count = 1 };
	size_t len;
	(void)state;

	struct mf_event ev = x86_event(&f, &d, &pe, T0);
	char *line = mf_event_line(&ev, &len);
	assert_string_equal(line,
		"{\"event\":\"MEMORY_FAILURE\",\"data\":{\"recipient\":\"guest\",\"action\":\"inject\","
		"\"flags\":{\"action-required\":true,\"recursive\":false},"
		"\"guest-physical-address\":305419896,\"host-virtual-address\":139638282147448,"
		"\"size\":4096,\"ram-region\":\"ram-below-4g\",\"cpu-index\":1,\"count\":1,"
		"\"machine-check\":{\"bank\":9,\"status\":\"0xbd80000000000134\",\"mcg-status\":\"0x7\","
		"\"address\":\"0x12345000\",\"misc\":\"0x8c\",\"delivery\":\"raised\",\"broadcast\":true}},"
		"\"timestamp\":{\"seconds\":1700000000,\"microseconds\":123456}}");

	struct json_object *o = parse_line(line, len);
	static const char *const top[] = { "event", "data", "timestamp", NULL };
	assert_members(o, top);
	struct json_object *data = get(o, "data");
	static const char *const members[] = { "recipient", "action", "flags", "guest-physical-address",
		"host-virtual-address", "size", "ram-region", "cpu-index", "count", "machine-check", NULL };
	assert_members(data, members);
	/* QAPI's own members, with their JSON types. */
	assert_true(json_object_is_type(get(data, "recipient"), json_type_string));
	assert_true(json_object_is_type(get(data, "action"), json_type_string));
	struct json_object *flags = get(data, "flags");
	static const char *const fl[] = { "action-required", "recursive", NULL };
	assert_members(flags, fl);
	assert_true(json_object_is_type(get(flags, "action-required"), json_type_boolean));
	assert_true(json_object_get_boolean(get(flags, "action-required")));
	assert_false(json_object_get_boolean(get(flags, "recursive")));
	assert_int_equal(json_object_get_uint64(get(data, "guest-physical-address")), 0x12345678);
	assert_int_equal(json_object_get_uint64(get(data, "host-virtual-address")), 0x7f0012345678ULL);
	free(line);
	json_object_put(o);
}

static void test_guest_reset_recursive(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true,
				    .gpa = 0x40200000, .hva = 0x7f0040200000ULL, .lsb = 21, .vcpu = 0,
				    .region = "ram/above\"4g\"" };
	struct mce_decision d = { .v = { .action = MF_ACTION_RESET, .recursive = true, .cpu = 0,
					.reason = "CPU 0: Previous MCE still in progress, raising triple fault\n" },
				  .mce = { .blocker = -1, .rec = { .bank = 9 }, .outcome = MCE_OUTCOME_IN_PROGRESS } };
	size_t len;
	(void)state;

	struct mf_event ev = x86_event(&f, &d, NULL, T0);
	char *line = mf_event_line(&ev, &len);
	/* "/" is not escaped, a newline in a string is: still one line. */
	assert_non_null(strstr(line, "\"ram-region\":\"ram/above\\\"4g\\\"\""));
	assert_non_null(strstr(line, "raising triple fault\\n\""));
	struct json_object *o = parse_line(line, len);
	struct json_object *data = get(o, "data");
	static const char *const members[] = { "recipient", "action", "flags", "guest-physical-address",
		"host-virtual-address", "size", "ram-region", "cpu-index", "reason", NULL };
	assert_members(data, members);
	assert_string_equal(json_object_get_string(get(data, "action")), "reset");
	assert_true(json_object_get_boolean(get(get(data, "flags"), "recursive")));
	assert_int_equal(json_object_get_uint64(get(data, "size")), 0x200000);
	assert_string_equal(json_object_get_string(get(data, "ram-region")), "ram/above\"4g\"");
	assert_string_equal(json_object_get_string(get(data, "reason")),
			    "CPU 0: Previous MCE still in progress, raising triple fault\n");
	/* No machine-check details for anything but an inject. */
	assert_false(has(data, "machine-check"));
	free(line);
	json_object_put(o);
}

static void test_hypervisor(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_HYPERVISOR, .action_required = true,
				    .gpa = 0xdead, .hva = 0x5555deadb000ULL, .lsb = 0, .vcpu = -1,
				    .region = "not-guest" };
	struct mce_decision d = { .v = { .action = MF_ACTION_FATAL, .cpu = -1, .reason = "why" } };
	struct poison_entry pe = { .count = 7 };
	size_t len;
	(void)state;

	struct mf_event ev = x86_event(&f, &d, &pe, 0);
	char *line = mf_event_line(&ev, &len);
	assert_string_equal(line,
		"{\"event\":\"MEMORY_FAILURE\",\"data\":{\"recipient\":\"hypervisor\",\"action\":\"fatal\","
		"\"flags\":{\"action-required\":true,\"recursive\":false},"
		"\"host-virtual-address\":93827296505856,\"size\":4096,\"reason\":\"why\",\"count\":7},"
		"\"timestamp\":{\"seconds\":0,\"microseconds\":0}}");
	free(line);

	/* Without any x86 details, as arm64 will send it. */
	struct mf_event plain = { .failure = &f, .action = MF_ACTION_IGNORE, .cpu = 3, .reason = "",
				  .time_ns = 2000000000 };
	f.action_required = false;
	line = mf_event_line(&plain, &len);
	assert_string_equal(line,
		"{\"event\":\"MEMORY_FAILURE\",\"data\":{\"recipient\":\"hypervisor\",\"action\":\"ignore\","
		"\"flags\":{\"action-required\":false,\"recursive\":false},"
		"\"host-virtual-address\":93827296505856,\"size\":4096,\"cpu-index\":3},"
		"\"timestamp\":{\"seconds\":2,\"microseconds\":0}}");
	free(line);
}

static void test_every_combination_parses(void **state)
{
	struct memory_failure f = { .gpa = 0xfffffffffffff000ULL, .hva = 0xffffffffffffffffULL,
				    .lsb = 30, .region = "r" };
	struct mce_decision d = { .mce.rec = { .bank = 9, .status = ~0ULL, .mcg_status = ~0ULL,
					       .addr = ~0ULL, .misc = ~0ULL } };
	(void)state;

	for (int r = MF_RECIPIENT_HYPERVISOR; r <= MF_RECIPIENT_GUEST; r++)
		for (int a = MF_ACTION_IGNORE; a <= MF_ACTION_RESET; a++)
			for (int bits = 0; bits < 8; bits++) {
				f.recipient = r;
				f.action_required = bits & 1;
				d.v.action = a;
				d.v.recursive = bits & 2;
				d.v.cpu = bits & 4 ? 31 : -1;
				for (int o = MCE_OUTCOME_RAISED; o <= MCE_OUTCOME_INVALID; o++) {
					size_t len;
					d.mce.outcome = o;
					struct mf_event ev = x86_event(&f, &d, NULL, T0);
					char *line = mf_event_line(&ev, &len);
					struct json_object *obj = parse_line(line, len);
					struct json_object *data = get(obj, "data");
					enum mf_recipient rr;
					enum mf_action aa;
					assert_true(mf_recipient_parse(json_object_get_string(get(data, "recipient")), &rr));
					assert_true(mf_action_parse(json_object_get_string(get(data, "action")), &aa));
					assert_int_equal(rr, r);
					assert_int_equal(aa, a);
					assert_int_equal(json_object_get_boolean(get(get(data, "flags"), "action-required")),
							 f.action_required);
					assert_int_equal(json_object_get_boolean(get(get(data, "flags"), "recursive")),
							 d.v.recursive);
					assert_int_equal(has(data, "cpu-index"), d.v.cpu >= 0);
					assert_int_equal(has(data, "guest-physical-address"), r == MF_RECIPIENT_GUEST);
					assert_int_equal(has(data, "ram-region"), r == MF_RECIPIENT_GUEST);
					bool mc = r == MF_RECIPIENT_GUEST && a == MF_ACTION_INJECT;
					assert_int_equal(has(data, "machine-check"), mc);
					if (mc) {
						struct json_object *m = get(data, "machine-check");
						assert_string_equal(json_object_get_string(get(m, "status")),
								    "0xffffffffffffffff");
						assert_string_equal(json_object_get_string(get(m, "delivery")),
								    mce_outcome_name(o));
						/* KVM sets MCG_STATUS only when it raises the #MC */
						assert_int_equal(has(m, "mcg-status"), o == MCE_OUTCOME_RAISED);
					}
					assert_int_equal(json_object_get_uint64(get(data, "host-virtual-address")),
							 0xffffffffffffffffULL);
					assert_int_equal(json_object_get_uint64(get(data, "size")), 1ULL << 30);
					free(line);
					json_object_put(obj);
				}
			}
}

/* Repeats of an ignored action-required error are announced at counts 1, 2,
 * 4, 8, ...; everything else always. */
static void test_due(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .action_required = true, .lsb = 12 };
	struct poison_entry pe = { 0 };
	struct mf_event ev = { .failure = &f, .action = MF_ACTION_IGNORE, .cpu = 0, .poison = &pe };
	unsigned due = 0;
	(void)state;

	for (pe.count = 1; pe.count <= 1000; pe.count++)
		due += mf_event_due(&ev);
	assert_int_equal(due, 10);  /* 1, 2, 4, ..., 512 */
	pe.count = 3;
	assert_false(mf_event_due(&ev));
	pe.count = 1024;
	assert_true(mf_event_due(&ev));
	pe.count = UINT32_MAX;      /* saturated */
	assert_false(mf_event_due(&ev));
	ev.poison = NULL;           /* no registry entry (out of memory): always */
	assert_true(mf_event_due(&ev));
	ev.poison = &pe;
	pe.count = 3;
	for (int a = MF_ACTION_IGNORE; a <= MF_ACTION_RESET; a++) {
		ev.action = a;
		assert_int_equal(mf_event_due(&ev), a == MF_ACTION_IGNORE ? false : true);
	}
	ev.action = MF_ACTION_IGNORE;
	f.action_required = false;  /* action optional: each report is news */
	assert_true(mf_event_due(&ev));
}

static void test_out_of_range(void **state)
{
	struct memory_failure f = { .recipient = MF_RECIPIENT_GUEST, .lsb = 12 };
	struct mf_event ev = { .failure = &f, .action = (enum mf_action)4, .cpu = -1 };
	(void)state;

	assert_null(mf_event_data(&ev));
	assert_null(mf_event_new(&ev));
	assert_null(mf_event_line(&ev, NULL));
	ev.action = MF_ACTION_IGNORE;
	f.recipient = (enum mf_recipient)2;
	assert_null(mf_event_line(&ev, NULL));
	f.recipient = MF_RECIPIENT_GUEST;
	f.lsb = 64;
	assert_null(mf_event_line(&ev, NULL));
	f.lsb = 12;
	char *line = mf_event_line(&ev, NULL);
	assert_non_null(line);
	free(line);
}

static void test_names(void **state)
{
	enum mf_recipient r;
	enum mf_action a;
	(void)state;

	assert_string_equal(mf_recipient_name(MF_RECIPIENT_HYPERVISOR), "hypervisor");
	assert_string_equal(mf_recipient_name(MF_RECIPIENT_GUEST), "guest");
	assert_null(mf_recipient_name((enum mf_recipient)2));
	assert_null(mf_recipient_name((enum mf_recipient)-1));
	assert_string_equal(mf_action_name(MF_ACTION_IGNORE), "ignore");
	assert_string_equal(mf_action_name(MF_ACTION_INJECT), "inject");
	assert_string_equal(mf_action_name(MF_ACTION_FATAL), "fatal");
	assert_string_equal(mf_action_name(MF_ACTION_RESET), "reset");
	assert_null(mf_action_name((enum mf_action)4));
	/* QAPI enum order. */
	assert_int_equal(MF_RECIPIENT_HYPERVISOR, 0);
	assert_int_equal(MF_ACTION_IGNORE, 0);
	assert_int_equal(MF_ACTION_RESET, 3);

	assert_true(mf_recipient_parse("guest", &r));
	assert_int_equal(r, MF_RECIPIENT_GUEST);
	assert_true(mf_recipient_parse("hypervisor", &r));
	assert_int_equal(r, MF_RECIPIENT_HYPERVISOR);
	assert_false(mf_recipient_parse("Guest", &r));
	assert_false(mf_recipient_parse(NULL, &r));
	assert_true(mf_action_parse("reset", &a));
	assert_int_equal(a, MF_ACTION_RESET);
	assert_true(mf_action_parse("fatal", &a));
	assert_int_equal(a, MF_ACTION_FATAL);
	assert_false(mf_action_parse("", &a));
	assert_false(mf_action_parse("injected", &a));

	assert_int_equal(mf_lsb_normalize(0), 12);
	assert_int_equal(mf_lsb_normalize(11), 12);
	assert_int_equal(mf_lsb_normalize(12), 12);
	assert_int_equal(mf_lsb_normalize(21), 21);
	assert_int_equal(mf_lsb_normalize(63), 63);
	assert_int_equal(mf_lsb_normalize(64), -1);
	assert_int_equal(mf_lsb_size(30), 0x40000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_guest_inject),
		cmocka_unit_test(test_guest_reset_recursive),
		cmocka_unit_test(test_hypervisor),
		cmocka_unit_test(test_every_combination_parses),
		cmocka_unit_test(test_due),
		cmocka_unit_test(test_out_of_range),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
