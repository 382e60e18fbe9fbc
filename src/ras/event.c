#include "ras/event.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <stdio.h>

#include "ras/qmp_event.h"

struct mf_event mf_event_from_verdict(const struct memory_failure *f, const struct mf_verdict *v,
				      const struct poison_entry *poison, uint64_t time_ns)
{
	return (struct mf_event){
		.failure = f,
		.action = v->action,
		.recursive = v->recursive,
		.cpu = v->cpu,
		.reason = v->reason,
		.poison = poison,
		.time_ns = time_ns,
	};
}

struct mf_event mf_event_from_decision(const struct memory_failure *f, const struct mf_verdict *v,
				       const struct mf_event_arch *arch, const struct mf_event_ghes *ghes,
				       const struct poison_entry *poison, uint64_t time_ns)
{
	struct mf_event ev = mf_event_from_verdict(f, v, poison, time_ns);

	if (arch)
		ev.arch = *arch;
	else
		/* The vCPU the arch's channel would have targeted means
		 * nothing here: only the one that touched the page does. */
		ev.cpu = f->vcpu;
	ev.ghes = ghes;
	return ev;
}

bool mf_event_due(const struct mf_event *ev)
{
	uint32_t n = ev->poison ? ev->poison->count : 1;
	int lsb = mf_lsb_normalize(ev->failure->lsb);

	if (ev->repeat && lsb > MF_PAGE_SHIFT && ev->action != MF_ACTION_RESET && ev->action != MF_ACTION_FATAL)
		return false;
	if (ev->action != MF_ACTION_IGNORE || !ev->failure->action_required || n <= 1)
		return true;
	return (n & (n - 1)) == 0;
}

bool mf_json_add(struct json_object *obj, const char *key, struct json_object *val)
{
	if (!val)
		return false;
	if (json_object_object_add(obj, key, val) < 0) {
		json_object_put(val);
		return false;
	}
	return true;
}

struct json_object *mf_json_hex(uint64_t v)
{
	char buf[19];

	snprintf(buf, sizeof(buf), "0x%" PRIx64, v);
	return json_object_new_string(buf);
}

static struct json_object *ghes_record(const struct mf_event_ghes *g)
{
	struct json_object *o = json_object_new_object();

	if (o &&
	    mf_json_add(o, "source", json_object_new_int((int)g->source)) &&
	    mf_json_add(o, "delivery", json_object_new_string(apei_delivery_name(g->what))) &&
	    mf_json_add(o, "waiting", json_object_new_int((int)g->waiting)))
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
	if (!mf_json_add(flags, "action-required", json_object_new_boolean(f->action_required)) ||
	    !mf_json_add(flags, "recursive", json_object_new_boolean(ev->recursive)))
		goto fail;
	if (!mf_json_add(data, "recipient", json_object_new_string(recipient)) ||
	    !mf_json_add(data, "action", json_object_new_string(action)))
		goto fail;
	struct json_object *fl = flags;
	flags = NULL;
	if (!mf_json_add(data, "flags", fl))
		goto fail;

	if (guest && !mf_json_add(data, "guest-physical-address", json_object_new_uint64(f->gpa)))
		goto fail;
	if (!mf_json_add(data, "host-virtual-address", json_object_new_uint64(f->hva)) ||
	    !mf_json_add(data, "size", json_object_new_uint64(mf_lsb_size((unsigned)lsb))))
		goto fail;
	if (guest && f->region && !mf_json_add(data, "ram-region", json_object_new_string(f->region)))
		goto fail;
	if (ev->cpu >= 0 && !mf_json_add(data, "cpu-index", json_object_new_int(ev->cpu)))
		goto fail;
	if (f->device && !mf_json_add(data, "device", json_object_new_string(f->device)))
		goto fail;
	if (ev->reason && ev->reason[0] && !mf_json_add(data, "reason", json_object_new_string(ev->reason)))
		goto fail;
	if (ev->poison && !mf_json_add(data, "count", json_object_new_int64(ev->poison->count)))
		goto fail;
	if (guest && ev->arch.member && ev->action == MF_ACTION_INJECT &&
	    !mf_json_add(data, ev->arch.member, ev->arch.json(ev->arch.detail)))
		goto fail;
	if (guest && ev->ghes && !mf_json_add(data, "ghes", ghes_record(ev->ghes)))
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
