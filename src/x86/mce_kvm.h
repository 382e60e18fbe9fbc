/* A machine-check record in KVM_X86_SET_MCE's shape: x86's <linux/kvm.h>,
 * so apart from x86/mce.h, which every arch compiles. Pure. */
#ifndef VMRAS_X86_MCE_KVM_H
#define VMRAS_X86_MCE_KVM_H

#include <linux/kvm.h>

#include "x86/mce.h"

void mce_record_to_kvm(const struct mce_record *rec, struct kvm_x86_mce *out);

#endif
