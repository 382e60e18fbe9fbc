#include "x86/qmp_cpu.h"

#include <json-c/json.h>
#include <stdio.h>

/* QEMU's QOM path of CPU index under -machine pc: the first CPU's APIC
 * creates one more unattached device (the VAPIC) before the second CPU, so
 * the paths skip device[1]. */
static void qom_path(unsigned index, char *buf, size_t len)
{
	snprintf(buf, len, "/machine/unattached/device[%u]", index ? index + 1 : 0);
}

static struct json_object *cpu_props(unsigned index)
{
	struct json_object *p = json_object_new_object();

	if (!p || json_object_object_add(p, "core-id", json_object_new_int64(index)) ||
	    json_object_object_add(p, "thread-id", json_object_new_int64(0)) ||
	    json_object_object_add(p, "socket-id", json_object_new_int64(0))) {
		json_object_put(p);
		return NULL;
	}
	return p;
}

const struct qmp_cpu_model x86_qmp_cpu_model = {
	.target = "x86_64",
	.props = cpu_props,
	.qom_path = qom_path,
};
