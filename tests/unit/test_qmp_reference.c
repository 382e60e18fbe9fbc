/* docs/qmp.md's reference section is what the tables generate: the test
 * fails when a command or event changes and the document does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/reference.h"
#include "qmp/schema.h"

static const char *doc_path;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	if (!f)
		fail_msg("cannot open %s", path);
	assert_true(getdelim(&buf, &cap, '\0', f) > 0);
	fclose(f);
	return buf;
}

static void test_doc_up_to_date(void **state)
{
	char *doc = slurp(doc_path), *ref = qmp_reference_markdown(), *updated;
	(void)state;

	assert_non_null(ref);
	updated = qmp_reference_splice(doc, ref);
	if (!updated)
		fail_msg("%s lacks the generated section's markers", doc_path);
	if (strcmp(doc, updated))
		fail_msg("%s is out of date: run build/qmp-reference --update docs/qmp.md", doc_path);
	free(updated);
	free(ref);
	free(doc);
}

/* Every command and event is in it, under its own heading. */
static void test_reference_complete(void **state)
{
	char *ref = qmp_reference_markdown();
	char heading[128];
	(void)state;

	for (size_t i = 0; i < qmp_ncommands; i++) {
		snprintf(heading, sizeof(heading), "#### `%s`\n", qmp_commands[i].name);
		assert_non_null(strstr(ref, heading));
	}
	for (size_t i = 0; i < qmp_nevents; i++) {
		snprintf(heading, sizeof(heading), "#### `%s`\n", qmp_events[i].name);
		assert_non_null(strstr(ref, heading));
	}
	assert_non_null(strstr(ref, "| `flags.action-required` | bool | required |"));
	assert_non_null(strstr(ref, "| `enable` | [QMPCapability]: `oob` | optional |"));
	free(ref);
}

static void test_splice(void **state)
{
	char *out;
	(void)state;

	assert_null(qmp_reference_splice("no markers", "x"));
	out = qmp_reference_splice("a\n" QMP_REFERENCE_BEGIN "old\n" QMP_REFERENCE_END "b\n", "new\n");
	assert_string_equal(out, "a\n" QMP_REFERENCE_BEGIN "new\n" QMP_REFERENCE_END "b\n");
	free(out);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_doc_up_to_date),
		cmocka_unit_test(test_reference_complete),
		cmocka_unit_test(test_splice),
	};
	if (argc != 2) {
		fprintf(stderr, "usage: %s docs/qmp.md\n", argv[0]);
		return 2;
	}
	doc_path = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
