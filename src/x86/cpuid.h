/* Shaping the CPUID a vCPU sees from what KVM supports: topology per vCPU
 * and the machine-check bits the RAS path depends on. Pure. */
#ifndef VMRAS_X86_CPUID_H
#define VMRAS_X86_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

enum x86_vendor { X86_VENDOR_OTHER, X86_VENDOR_INTEL, X86_VENDOR_AMD };

#define CPUID_1_EDX_MCE (1u << 7)
#define CPUID_1_EDX_MCA (1u << 14)
#define CPUID_1_EDX_HTT (1u << 28)
#define CPUID_1_ECX_HYPERVISOR (1u << 31)

struct kvm_cpuid_entry2 *x86_cpuid_find(struct kvm_cpuid_entry2 *entries, unsigned n,
					uint32_t function, uint32_t index);
enum x86_vendor x86_cpuid_vendor(const struct kvm_cpuid_entry2 *entries, unsigned n);

/* Presents another vendor to the guest: leaf 0's vendor string and leaf 1's
 * family/model/stepping (Intel: family 6 model 85 stepping 4, a Skylake
 * server; AMD: family 0x17 model 1 stepping 2). X86_VENDOR_OTHER changes nothing. */
void x86_cpuid_set_vendor(struct kvm_cpuid_entry2 *entries, unsigned n, enum x86_vendor vendor);
const char *x86_vendor_name(enum x86_vendor vendor);

/* Adjusts a copy of KVM's supported CPUID for vCPU apic_id of ncpus. */
void x86_cpuid_for_vcpu(struct kvm_cpuid_entry2 *entries, unsigned n, unsigned apic_id, unsigned ncpus);

#endif
