#include "qmp/ras_stats.h"

#include <json-c/json.h>

struct json_object *qmp_ras_stats(const struct ras_stats *s)
{
	const struct {
		const char *name;
		uint64_t v;
	} m[] = {
		{ "reports", s->reports }, { "scan-found", s->scan_found }, { "pages", s->pages },
		{ "told-ghes", s->told_ghes }, { "told-mce", s->told_mce }, { "dropped", s->dropped },
		{ "ghes-backlog-max", s->ghes_backlog_max },
	};
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++) {
		struct json_object *v = json_object_new_uint64(m[i].v);
		if (!v || json_object_object_add(o, m[i].name, v)) {
			json_object_put(v);
			json_object_put(o);
			return NULL;
		}
	}
	return o;
}
