#include "qmp/reference.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "qmp/schema.h"
#include "qmp/session.h"

static void type_cell(FILE *f, const struct qmp_member *m)
{
	fprintf(f, m->array ? "[%s]" : "%s", qmp_type_name(m));
	if (m->type == QMP_T_ENUM) {
		fputs(": ", f);
		for (const char *const *v = m->values; v && *v; v++)
			fprintf(f, "%s`%s`", v == m->values ? "" : ", ", *v);
	}
}

/* One row per member; an object's members follow it, named outer.inner as in error messages. */
static void member_rows(FILE *f, const struct qmp_member *members, const char *prefix)
{
	for (const struct qmp_member *m = members; m && m->name; m++) {
		char name[128];

		snprintf(name, sizeof(name), "%s%s%s", prefix ? prefix : "", prefix ? "." : "", m->name);
		fprintf(f, "| `%s` | ", name);
		type_cell(f, m);
		fprintf(f, " | %s | %s |\n", m->optional ? "optional" : "required", m->doc ? m->doc : "");
		if (m->type == QMP_T_OBJECT)
			member_rows(f, m->members, name);
	}
}

static void members_table(FILE *f, const struct qmp_member *members, const char *what, const char *none)
{
	if (!members || !members->name) {
		fprintf(f, "%s\n\n", none);
		return;
	}
	fprintf(f, "| %s | type | | meaning |\n|---|---|---|---|\n", what);
	member_rows(f, members, NULL);
	fputc('\n', f);
}

char *qmp_reference_markdown(void)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	fputs("### Commands\n\n", f);
	for (size_t i = 0; i < qmp_ncommands; i++) {
		const struct qmp_command *c = &qmp_commands[i];

		fprintf(f, "#### `%s`\n\n%s\n\n", c->name, c->doc);
		members_table(f, c->args, "argument", "No arguments.");
		fprintf(f, "Returns `%s`.%s%s", c->returns,
			(c->flags & QMP_CMD_NEGOTIATION) ? " Accepted before negotiation is complete." : "",
			(c->flags & QMP_CMD_EXTENSION) ? " A vmras extension: QEMU has no such command." : "");
		if (c->qemu_since)
			fprintf(f, " QEMU's command since QEMU %s (QEMU %d.%d lacks it).", c->qemu_since,
				QMP_QEMU_MAJOR, QMP_QEMU_MINOR);
		fputs("\n\n", f);
	}
	fputs("### Events\n\n", f);
	for (size_t i = 0; i < qmp_nevents; i++) {
		const struct qmp_event_spec *e = &qmp_events[i];

		fprintf(f, "#### `%s`\n\n%s\n\n", e->name, e->doc);
		members_table(f, e->data, "data", "No data.");
	}
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	/* One blank line at the end, not two: the END marker follows. */
	while (len > 1 && buf[len - 1] == '\n' && buf[len - 2] == '\n')
		buf[--len] = 0;
	return buf;
}

char *qmp_reference_splice(const char *doc, const char *ref)
{
	const char *b = strstr(doc, QMP_REFERENCE_BEGIN);
	const char *e = b ? strstr(b, QMP_REFERENCE_END) : NULL;
	size_t head, rlen, tail;
	char *out;

	if (!e)
		return NULL;
	head = (size_t)(b - doc) + strlen(QMP_REFERENCE_BEGIN);
	rlen = strlen(ref);
	tail = strlen(e);
	out = malloc(head + rlen + tail + 1);
	if (!out)
		return NULL;
	memcpy(out, doc, head);
	memcpy(out + head, ref, rlen);
	memcpy(out + head + rlen, e, tail + 1);
	return out;
}
