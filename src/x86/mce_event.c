#include "x86/mce_event.h"

#include <json-c/json.h>

/* What the guest will read. KVM writes MCG_STATUS only when it raises the
 * machine check; a record it logs or merges (OVER) leaves MCG_STATUS as the
 * guest had it, so the event then names none. */
static struct json_object *machine_check(const void *detail)
{
	const struct mce_detail *d = detail;
	struct json_object *o = json_object_new_object();
	bool raised = d->outcome == MCE_OUTCOME_RAISED;

	if (o &&
	    mf_json_add(o, "bank", json_object_new_int((int)d->rec.bank)) &&
	    mf_json_add(o, "status", mf_json_hex(d->rec.status)) &&
	    (!raised || mf_json_add(o, "mcg-status", mf_json_hex(d->rec.mcg_status))) &&
	    mf_json_add(o, "address", mf_json_hex(d->rec.addr)) &&
	    mf_json_add(o, "misc", mf_json_hex(d->rec.misc)) &&
	    mf_json_add(o, "delivery", json_object_new_string(mce_outcome_name(d->outcome))) &&
	    mf_json_add(o, "broadcast", json_object_new_boolean(d->broadcast)))
		return o;
	json_object_put(o);
	return NULL;
}

struct mf_event_arch mce_event_arch(const struct mce_detail *d)
{
	return (struct mf_event_arch){ .member = "machine-check", .json = machine_check, .detail = d };
}
