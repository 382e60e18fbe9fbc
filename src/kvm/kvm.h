/* Thin wrappers over the KVM ioctls vmras uses. Every failure comes back as
 * -1 with errno and a one-line reason, so callers can say what went wrong. */
#ifndef VMRAS_KVM_KVM_H
#define VMRAS_KVM_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVM_DEVICE_PATH "/dev/kvm"

struct kvm_system {
	int fd;
	int run_size;                 /* bytes of the per-vCPU kvm_run mapping */
	struct kvm_cpuid2 *cpuid;     /* KVM_GET_SUPPORTED_CPUID, malloc'd */
	uint64_t mce_cap_supported;   /* KVM_X86_GET_MCE_CAP_SUPPORTED */
	int max_mce_banks;            /* KVM_CAP_MCE */
};

struct kvm_vcpu_fd {
	int fd;
	struct kvm_run *run;
	int run_size;
};

int kvm_system_open(struct kvm_system *sys, char *why, size_t whylen);
void kvm_system_close(struct kvm_system *sys);

/* A VM with the in-kernel irqchip and PIT; returns the VM fd or -1. */
int kvm_vm_create(const struct kvm_system *sys, char *why, size_t whylen);
int kvm_vm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva);
int kvm_vm_irq_line(int vm_fd, uint32_t irq, int level);
/* Guest reads of these MSRs exit to userspace (KVM_EXIT_X86_RDMSR) instead
 * of being answered by KVM. Returns 0, or -1 with a reason. */
int kvm_vm_trap_msr_reads(int vm_fd, const uint32_t *msrs, unsigned n, char *why, size_t whylen);

int kvm_vcpu_create(const struct kvm_system *sys, int vm_fd, unsigned index, struct kvm_vcpu_fd *vcpu);
void kvm_vcpu_close(struct kvm_vcpu_fd *vcpu);
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
