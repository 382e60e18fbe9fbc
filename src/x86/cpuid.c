#include "x86/cpuid.h"

#include <string.h>

struct kvm_cpuid_entry2 *x86_cpuid_find(struct kvm_cpuid_entry2 *e, unsigned n,
					uint32_t function, uint32_t index)
{
	for (unsigned i = 0; i < n; i++) {
		bool indexed = e[i].flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX;
		if (e[i].function == function && (!indexed || e[i].index == index))
			return &e[i];
	}
	return NULL;
}

enum x86_vendor x86_cpuid_vendor(const struct kvm_cpuid_entry2 *e, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		char v[12];
		if (e[i].function != 0)
			continue;
		memcpy(v, &e[i].ebx, 4);
		memcpy(v + 4, &e[i].edx, 4);
		memcpy(v + 8, &e[i].ecx, 4);
		if (!memcmp(v, "GenuineIntel", 12))
			return X86_VENDOR_INTEL;
		if (!memcmp(v, "AuthenticAMD", 12) || !memcmp(v, "HygonGenuine", 12))
			return X86_VENDOR_AMD;
		return X86_VENDOR_OTHER;
	}
	return X86_VENDOR_OTHER;
}

void x86_cpuid_for_vcpu(struct kvm_cpuid_entry2 *e, unsigned n, unsigned apic_id, unsigned ncpus)
{
	for (unsigned i = 0; i < n; i++) {
		switch (e[i].function) {
		case 1:
			/* Initial APIC id and logical processor count live in EBX. */
			e[i].ebx = (e[i].ebx & 0x0000ffffu) | apic_id << 24 | (ncpus & 0xff) << 16;
			e[i].edx |= CPUID_1_EDX_MCE | CPUID_1_EDX_MCA;
			if (ncpus > 1)
				e[i].edx |= CPUID_1_EDX_HTT;
			else
				e[i].edx &= ~CPUID_1_EDX_HTT;
			e[i].ecx |= CPUID_1_ECX_HYPERVISOR;
			break;
		case 0xb:
		case 0x1f:
			/* Extended topology: EDX is the x2APIC id on every sub-leaf. */
			e[i].edx = apic_id;
			break;
		case 0x80000008:
			/* AMD: ECX[7:0] is the number of cores minus one. */
			e[i].ecx = (e[i].ecx & ~0xffu) | ((ncpus - 1) & 0xff);
			break;
		}
	}
}
