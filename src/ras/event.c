#include "ras/event.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>

#include "ras/qmp_event.h"

struct mf_event mf_event_from_mce(const struct memory_failure *f, const struct mce_decision *d,
				  const struct poison_entry *poison, uint64_t time_ns)
{
	return (struct mf_event){
		.failure = f,
		.action = d->v.action,
		.recursive = d->v.recursive,
		.cpu = d->v.cpu,
		.reason = d->v.reason,
		.mce = d,
		.poison = poison,
		.time_ns = time_ns,
	};
}

struct mf_event mf_event_from_decision(const struct memory_failure *f, const struct mce_decision *d,
				       bool mce, const struct mf_event_ghes *ghes,
				       const struct poison_entry *poison, uint64_t time_ns)
{
	struct mf_event ev = mf_event_from_mce(f, d, poison, time_ns);

	if (!mce) {
		/* The vCPU a machine check would have targeted means nothing
		 * here: only the one that touched the page does. */
		ev.mce = NULL;
		ev.cpu = f->vcpu;
	}
	ev.ghes = ghes;
	return ev;
}

bool mf_event_due(const struct mf_event *ev)
{
	uint32_t n = ev->poison ? ev->poison->count : 1;

	if (ev->action != MF_ACTION_IGNORE || !ev->failure->action_required || n <= 1)
		return true;
	return (n & (n - 1)) == 0;
}

/* Adds val under key; false (val released) on failure, or when val is NULL. */
static bool add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

static struct json_object *hex(uint64_t v)
{
	char buf[19];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

/* What the guest will read. KVM writes MCG_STATUS only when it raises the
 * machine check; a record it logs or merges (OVER) leaves MCG_STATUS as the
 * guest had it, so the event then names none. */
static struct json_object *machine_check(const struct mce_decision *d)
{
	struct json_object *o = json_object_new_object();
	bool raised = d->outcome == MCE_OUTCOME_RAISED;

	if (o &&
	    add(o, "bank", json_object_new_int((int)d->rec.bank)) &&
	    add(o, "status", hex(d->rec.status)) &&
	    (!raised || add(o, "mcg-status", hex(d->rec.mcg_status))) &&
	    add(o, "address", hex(d->rec.addr)) &&
	    add(o, "misc", hex(d->rec.misc)) &&
	    add(o, "delivery", json_object_new_string(mce_outcome_name(d->outcome))) &&
	    add(o, "broadcast", json_object_new_boolean(d->broadcast)))
		return o;
	json_object_put(o);
	return NULL;
}

static struct json_object *ghes_record(const struct mf_event_ghes *g)
{
	struct json_object *o = json_object_new_object();

	if (o &&
	    add(o, "source", json_object_new_int((int)g->source)) &&
	    add(o, "delivery", json_object_new_string(apei_delivery_name(g->what))) &&
	    add(o, "waiting", json_object_new_int((int)g->waiting)))
		return o;
	json_object_put(o);
	return NULL;
}

struct json_object *mf_event_data(const struct mf_event *ev)
{
	const struct memory_failure *f = ev->failure;
	const char *recipient = mf_recipient_name(f->recipient);
	const char *action = mf_action_name(ev->action);
	int lsb = mf_lsb_normalize(f->lsb);
	struct json_object *data, *flags;
	bool guest = f->recipient == MF_RECIPIENT_GUEST;

	if (!recipient || !action || lsb < 0)
		return NULL;
	data = json_object_new_object();
	flags = json_object_new_object();
	if (!data || !flags)
		goto fail;
	if (!add(flags, "action-required", json_object_new_boolean(f->action_required)) ||
	    !add(flags, "recursive", json_object_new_boolean(ev->recursive)))
		goto fail;
	if (!add(data, "recipient", json_object_new_string(recipient)) ||
	    !add(data, "action", json_object_new_string(action)))
		goto fail;
	struct json_object *fl = flags;
	flags = NULL;
	if (!add(data, "flags", fl))
		goto fail;

	if (guest && !add(data, "guest-physical-address", json_object_new_uint64(f->gpa)))
		goto fail;
	if (!add(data, "host-virtual-address", json_object_new_uint64(f->hva)) ||
	    !add(data, "size", json_object_new_uint64(mf_lsb_size((unsigned)lsb))))
		goto fail;
	if (guest && f->region && !add(data, "ram-region", json_object_new_string(f->region)))
		goto fail;
	if (ev->cpu >= 0 && !add(data, "cpu-index", json_object_new_int(ev->cpu)))
		goto fail;
	if (ev->reason && ev->reason[0] && !add(data, "reason", json_object_new_string(ev->reason)))
		goto fail;
	if (ev->poison && !add(data, "count", json_object_new_int64(ev->poison->count)))
		goto fail;
	if (guest && ev->mce && ev->action == MF_ACTION_INJECT &&
	    !add(data, "machine-check", machine_check(ev->mce)))
		goto fail;
	if (guest && ev->ghes && !add(data, "ghes", ghes_record(ev->ghes)))
		goto fail;
	return data;
fail:
	json_object_put(flags);
	json_object_put(data);
	return NULL;
}

struct json_object *mf_event_new(const struct mf_event *ev)
{
	struct json_object *data = mf_event_data(ev);

	if (!data)
		return NULL;
	return qmp_event_new("MEMORY_FAILURE", data, ev->time_ns);
}

char *mf_event_line(const struct mf_event *ev, size_t *len)
{
	struct json_object *obj = mf_event_new(ev);
	char *line;

	if (!obj)
		return NULL;
	line = qmp_event_line(obj, len);
	json_object_put(obj);
	return line;
}
