#include "ras/memory_failure.h"

#include <string.h>

static const char *const recipient_names[] = {
	[MF_RECIPIENT_HYPERVISOR] = "hypervisor",
	[MF_RECIPIENT_GUEST] = "guest",
};

static const char *const action_names[] = {
	[MF_ACTION_IGNORE] = "ignore",
	[MF_ACTION_INJECT] = "inject",
	[MF_ACTION_FATAL] = "fatal",
	[MF_ACTION_RESET] = "reset",
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *mf_recipient_name(enum mf_recipient r)
{
	return (unsigned)r < COUNT(recipient_names) ? recipient_names[r] : NULL;
}

const char *mf_action_name(enum mf_action a)
{
	return (unsigned)a < COUNT(action_names) ? action_names[a] : NULL;
}

static int lookup(const char *const *names, unsigned n, const char *name)
{
	if (!name)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(names[i], name))
			return (int)i;
	return -1;
}

bool mf_recipient_parse(const char *name, enum mf_recipient *r)
{
	int i = lookup(recipient_names, COUNT(recipient_names), name);

	if (i < 0)
		return false;
	*r = (enum mf_recipient)i;
	return true;
}

bool mf_action_parse(const char *name, enum mf_action *a)
{
	int i = lookup(action_names, COUNT(action_names), name);

	if (i < 0)
		return false;
	*a = (enum mf_action)i;
	return true;
}

int mf_lsb_normalize(unsigned lsb)
{
	if (lsb > MF_LSB_MAX)
		return -1;
	return lsb < MF_PAGE_SHIFT ? MF_PAGE_SHIFT : (int)lsb;
}

bool mf_widen(struct memory_failure *f, unsigned page_shift)
{
	int lsb = mf_lsb_normalize(f->lsb);

	if (lsb < 0 || page_shift > MF_LSB_MAX || page_shift <= (unsigned)lsb)
		return false;
	f->report_lsb = (unsigned)lsb;
	f->lsb = page_shift;
	return true;
}
