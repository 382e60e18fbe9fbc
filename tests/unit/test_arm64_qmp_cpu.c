/* query-cpus-fast's arm64 members: QEMU 7.2's `-machine virt` shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <string.h>

#include "arm64/qmp_cpu.h"

static void test_shape(void **state)
{
	const struct qmp_cpu cpus[] = { { .index = 0, .thread_id = 100 }, { .index = 1, .thread_id = 101 } };
	struct json_object *r = qmp_cpus_fast(cpus, 2, &arm64_qmp_cpu_model);
	(void)state;

	assert_non_null(r);
	assert_int_equal(json_object_array_length(r), 2);
	/* QEMU's member order (its QDict's), so replies compare as text. */
	assert_string_equal(json_object_to_json_string_ext(json_object_array_get_idx(r, 1),
							    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE),
			    "{\"thread-id\":101,\"props\":{\"core-id\":1,\"thread-id\":0,\"socket-id\":0,"
			    "\"cluster-id\":0},\"qom-path\":\"/machine/unattached/device[1]\",\"cpu-index\":1,"
			    "\"target\":\"aarch64\"}");
	json_object_put(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
