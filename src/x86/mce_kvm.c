#include "x86/mce_kvm.h"

#include <string.h>

void mce_record_to_kvm(const struct mce_record *rec, struct kvm_x86_mce *out)
{
	memset(out, 0, sizeof(*out));
	out->bank = (uint8_t)rec->bank;
	out->status = rec->status;
	out->mcg_status = rec->mcg_status;
	out->addr = rec->addr;
	out->misc = rec->misc;
}
