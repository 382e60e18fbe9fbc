#include "x86/mca_cpuid.h"

#include <string.h>

#include "x86/cpuid.h"

int mca_cpuid_amd_recovery(struct kvm_cpuid_entry2 *e, unsigned *n, unsigned cap)
{
	struct kvm_cpuid_entry2 *max = x86_cpuid_find(e, *n, CPUID_EXT_MAX_LEAF, 0);
	struct kvm_cpuid_entry2 *ras = x86_cpuid_find(e, *n, CPUID_RAS_CAP_LEAF, 0);

	if (!max)
		return -1;
	if (!ras) {
		if (*n >= cap)
			return -1;
		ras = &e[(*n)++];
		memset(ras, 0, sizeof(*ras));
		ras->function = CPUID_RAS_CAP_LEAF;
	}
	/* A leaf above the advertised maximum is invisible to the guest. */
	if (max->eax < CPUID_RAS_CAP_LEAF)
		max->eax = CPUID_RAS_CAP_LEAF;
	ras->ebx |= CPUID_80000007_EBX_MCA_OVERFLOW_RECOV | CPUID_80000007_EBX_SUCCOR;
	return 0;
}
