/* Prints the QMP reference generated from vmras's command and event tables,
 * or writes it into the marked section of a document (docs/qmp.md).
 *   qmp-reference                 print it
 *   qmp-reference --update FILE   rewrite FILE's section in place
 *   qmp-reference --check FILE    exit 1 when FILE's section is out of date */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/reference.h"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0;

	if (!f || getdelim(&buf, &cap, '\0', f) < 0) {
		fprintf(stderr, "qmp-reference: cannot read %s\n", path);
		exit(2);
	}
	fclose(f);
	return buf;
}

int main(int argc, char **argv)
{
	char *ref = qmp_reference_markdown();
	char *doc, *updated;
	FILE *f;
	int rc = 0;

	if (!ref)
		return 1;
	if (argc == 1) {
		fputs(ref, stdout);
		free(ref);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "--update") && strcmp(argv[1], "--check"))) {
		fprintf(stderr, "usage: qmp-reference [--update FILE | --check FILE]\n");
		return 2;
	}
	doc = slurp(argv[2]);
	updated = qmp_reference_splice(doc, ref);
	if (!updated) {
		fprintf(stderr, "qmp-reference: %s has no generated section (markers missing)\n", argv[2]);
		return 2;
	}
	if (!strcmp(argv[1], "--check")) {
		if (strcmp(doc, updated)) {
			fprintf(stderr, "qmp-reference: %s is out of date; run qmp-reference --update %s\n",
				argv[2], argv[2]);
			rc = 1;
		}
	} else if (strcmp(doc, updated)) {
		f = fopen(argv[2], "w");
		if (!f || fputs(updated, f) < 0 || fclose(f)) {
			fprintf(stderr, "qmp-reference: cannot write %s\n", argv[2]);
			rc = 1;
		}
	}
	free(updated);
	free(doc);
	free(ref);
	return rc;
}
