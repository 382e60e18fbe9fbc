/* x86's KVM ioctls: capabilities, the VM's in-kernel PC devices, CPUID,
 * MSRs, machine checks, NMIs and the boot registers. Adapters, built for
 * x86 hosts only; failures come back as -1 with errno (and a reason where
 * there is a why). */
#ifndef VMRAS_X86_ARCH_KVM_H
#define VMRAS_X86_ARCH_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm/kvm.h"
#include "x86/arch.h"

/* Checks x86's capabilities and reads the supported CPUID and MCE
 * capabilities into a (cpuid malloc'd; x86_kvm_close frees it). */
int x86_kvm_open(const struct kvm_system *sys, struct machine_arch *a, char *why, size_t whylen);
void x86_kvm_close(struct machine_arch *a);

/* The in-kernel irqchip and PIT, and the TSS and identity-map pages VMX needs. */
int x86_kvm_vm_devices(int vm_fd, char *why, size_t whylen);
/* Guest reads of these MSRs exit to userspace (KVM_EXIT_X86_RDMSR) instead
 * of being answered by KVM. Returns 0, or -1 with a reason. */
int kvm_vm_trap_msr_reads(int vm_fd, const uint32_t *msrs, unsigned n, char *why, size_t whylen);

int kvm_vcpu_set_cpuid(struct kvm_vcpu_fd *vcpu, const struct kvm_cpuid2 *cpuid);
int kvm_vcpu_setup_mce(struct kvm_vcpu_fd *vcpu, uint64_t mcg_cap);
int kvm_vcpu_set_msr(struct kvm_vcpu_fd *vcpu, uint32_t index, uint64_t value);
int kvm_vcpu_get_msr(struct kvm_vcpu_fd *vcpu, uint32_t index, uint64_t *value);

/* What decides how KVM will treat an injected machine check on this vCPU. */
struct kvm_mce_state {
	bool cr4_mce;
	uint64_t mcg_status;
	uint64_t mcg_ctl;          /* all ones when MCG_CTL_P is absent */
	uint64_t bank_ctl;         /* MCi_CTL of the bank */
	uint64_t bank_status;      /* MCi_STATUS of the bank (VAL set: OVER on inject) */
	uint64_t mcg_ext_ctl;      /* 0 when MCG_LMCE_P is absent */
};

int kvm_vcpu_get_mce_state(struct kvm_vcpu_fd *vcpu, uint64_t mcg_cap, unsigned bank,
			   struct kvm_mce_state *state);
int kvm_vcpu_inject_mce(struct kvm_vcpu_fd *vcpu, unsigned bank, uint64_t status,
			uint64_t mcg_status, uint64_t addr, uint64_t misc);

/* Queues an NMI on the vCPU (KVM_NMI). */
int kvm_vcpu_nmi(struct kvm_vcpu_fd *vcpu);

/* Puts a vCPU at a boot entry: regs as given, sregs overlaid on KVM's
 * (keeping the APIC base and the rest), FPU in its reset state. */
int kvm_vcpu_enter_long_mode(struct kvm_vcpu_fd *vcpu, uint64_t entry, uint64_t boot_params);

#endif
