/* The MEMORY_FAILURE event's arm64 member (arm64/mf.h). Pure, every host. */
#include <json-c/json.h>

#include "arm64/mf.h"

static struct json_object *arm_member(const void *detail)
{
	const struct arm64_mf_detail *d = detail;
	struct json_object *o = json_object_new_object();

	if (o && mf_json_add(o, "sea", json_object_new_boolean(d->sea)))
		return o;
	json_object_put(o);
	return NULL;
}

struct mf_event_arch arm64_mf_event_arch(const struct arm64_mf_detail *d)
{
	return (struct mf_event_arch){ .member = "arm", .json = arm_member, .detail = d };
}
