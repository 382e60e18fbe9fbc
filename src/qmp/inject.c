#include "qmp/inject.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MCI_STATUS_VAL (1ULL << 63)

/* QEMU's qbase64_decode accepts exactly these (a newline, for wrapped
 * input, but no other blank); b64_pton alone would skip any white space. */
static const char base64_chars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n";
static const char base64_malformed[] = "Base64 data is malformed: its length, padding or final bits are wrong";

uint8_t *qmp_base64_decode(const char *text, size_t text_len, size_t *len, struct qmp_error *err)
{
	uint8_t *out;
	int n;

	/* strspn stops at an embedded NUL too, which QEMU also refuses. */
	if (strspn(text, base64_chars) != text_len) {
		qmp_error_set(err, QMP_ERR_GENERIC, "Base64 data contains invalid characters");
		return NULL;
	}
	/* A first pass with no output only validates and measures. */
	n = b64_pton(text, NULL, 0);
	if (n < 0) {
		qmp_error_set(err, QMP_ERR_GENERIC, "%s", base64_malformed);
		return NULL;
	}
	/* One spare byte: b64_pton writes the bits past the last whole byte
	 * there, and only this pass refuses them when they are not zero. */
	out = malloc((size_t)n + 1);
	if (!out) {
		qmp_error_set(err, QMP_ERR_GENERIC, "out of memory");
		return NULL;
	}
	if (b64_pton(text, out, (size_t)n + 1) != n) {
		free(out);
		qmp_error_set(err, QMP_ERR_GENERIC, "%s", base64_malformed);
		return NULL;
	}
	*len = (size_t)n;
	return out;
}

bool qmp_mce_check(const struct qmp_mce *mce, unsigned ncpus, uint64_t mcg_cap, bool broadcast_ok,
		   struct qmp_error *err)
{
	unsigned banks = (unsigned)(mcg_cap & 0xff);

	if (mce->cpu_index < 0 || (uint64_t)mce->cpu_index >= ncpus) {
		qmp_error_set(err, QMP_ERR_GENERIC, "cpu-index %" PRId64 " is not a vCPU (the guest has %u: 0 to %u)",
			      mce->cpu_index, ncpus, ncpus ? ncpus - 1 : 0);
		return false;
	}
	if (mce->bank < 0 || (uint64_t)mce->bank >= banks) {
		qmp_error_set(err, QMP_ERR_GENERIC, "bank %" PRId64 " does not exist (MCG_CAP gives the guest %u banks: "
			      "0 to %u)", mce->bank, banks, banks ? banks - 1 : 0);
		return false;
	}
	/* KVM would refuse it with a bare EINVAL; say which bit is missing. */
	if (!(mce->status & MCI_STATUS_VAL)) {
		qmp_error_set(err, QMP_ERR_GENERIC, "status 0x%" PRIx64 " is not a valid error: MCi_STATUS.VAL "
			      "(bit 63) must be set", mce->status);
		return false;
	}
	if (mce->broadcast && !broadcast_ok) {
		qmp_error_set(err, QMP_ERR_GENERIC, "broadcast is for Intel guests: this guest's CPU vendor "
			      "has no broadcast machine checks");
		return false;
	}
	return true;
}

struct json_object *qmp_cpus_fast(const struct qmp_cpu *cpus, size_t n, const struct qmp_cpu_model *model)
{
	struct json_object *list = json_object_new_array();

	/* Members in QEMU's order, so a byte comparison of replies can work. */
	for (size_t i = 0; list && i < n; i++) {
		struct json_object *c = json_object_new_object();
		struct json_object *props = model->props(cpus[i].index);
		char path[64];

		model->qom_path(cpus[i].index, path, sizeof(path));
		if (!c || !props || json_object_object_add(c, "thread-id", json_object_new_int64(cpus[i].thread_id)) ||
		    json_object_object_add(c, "props", props) ||
		    (props = NULL, json_object_object_add(c, "qom-path", json_object_new_string(path))) ||
		    json_object_object_add(c, "cpu-index", json_object_new_int64(cpus[i].index)) ||
		    json_object_object_add(c, "target", json_object_new_string(model->target)) ||
		    json_object_array_add(list, c)) {
			json_object_put(props);
			json_object_put(c);
			json_object_put(list);
			return NULL;
		}
	}
	return list;
}
