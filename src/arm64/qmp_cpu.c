#include "arm64/qmp_cpu.h"

#include <json-c/json.h>
#include <stdio.h>

/* virt creates its CPUs first, unattached, before any other device. */
static void qom_path(unsigned index, char *buf, size_t len)
{
	snprintf(buf, len, "/machine/unattached/device[%u]", index);
}

/* virt's CPU topology properties include the cluster (QEMU 7.0 on). In
 * the order QEMU's QDict hashes them into, as x86's. */
static struct json_object *cpu_props(unsigned index)
{
	struct json_object *p = json_object_new_object();

	if (!p || json_object_object_add(p, "core-id", json_object_new_int64(index)) ||
	    json_object_object_add(p, "thread-id", json_object_new_int64(0)) ||
	    json_object_object_add(p, "socket-id", json_object_new_int64(0)) ||
	    json_object_object_add(p, "cluster-id", json_object_new_int64(0))) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

const struct qmp_cpu_model arm64_qmp_cpu_model = {
	.target = "aarch64",
	.props = cpu_props,
	.qom_path = qom_path,
};
