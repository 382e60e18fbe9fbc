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

const char *x86_vendor_name(enum x86_vendor v)
{
	switch (v) {
	case X86_VENDOR_INTEL: return "intel";
	case X86_VENDOR_AMD: return "amd";
	default: return "other";
	}
}

void x86_cpuid_set_vendor(struct kvm_cpuid_entry2 *e, unsigned n, enum x86_vendor vendor)
{
	const char *id;
	uint32_t signature;

	switch (vendor) {
	case X86_VENDOR_INTEL:
		id = "GenuineIntel";
		signature = 0x00050654;   /* ext. model 5, family 6, model 5, stepping 4 */
		break;
	case X86_VENDOR_AMD:
		id = "AuthenticAMD";
		signature = 0x00800f12;   /* ext. family 8 (0x17), family 0xf, model 1, stepping 2 */
		break;
	default:
		return;
	}
	for (unsigned i = 0; i < n; i++) {
		if (e[i].function == 0) {
			memcpy(&e[i].ebx, id, 4);
			memcpy(&e[i].edx, id + 4, 4);
			memcpy(&e[i].ecx, id + 8, 4);
		} else if (e[i].function == 1) {
			e[i].eax = signature;
		}
	}
}
