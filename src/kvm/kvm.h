/* Thin wrappers over the KVM ioctls every arch uses (x86's own are in
 * src/x86/arch_kvm.h). Every failure comes back as -1 with errno and a
 * one-line reason, so callers can say what went wrong. */
#ifndef VMRAS_KVM_KVM_H
#define VMRAS_KVM_KVM_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define KVM_DEVICE_PATH "/dev/kvm"

/* /dev/kvm and what every arch reads from it; an arch's own capabilities
 * and data live in its struct machine_arch (src/vmm/arch.h). */
struct kvm_system {
	int fd;
	int run_size;                 /* bytes of the per-vCPU kvm_run mapping */
};

struct kvm_vcpu_fd {
	int fd;
	struct kvm_run *run;
	int run_size;
};

struct kvm_cap_name {
	int cap;
	const char *name;
};

/* Opens /dev/kvm and checks the capabilities every arch needs. */
int kvm_system_open(struct kvm_system *sys, char *why, size_t whylen);
void kvm_system_close(struct kvm_system *sys);
/* Returns 0, or -1 naming the first of caps this KVM lacks. */
int kvm_require_caps(const struct kvm_system *sys, const struct kvm_cap_name *caps, size_t n, char *why,
		     size_t whylen);
/* "what: strerror(errno)" into why, errno kept; returns -1. */
int kvm_fail(char *why, size_t whylen, const char *what);

/* A bare VM (the arch adds its devices, arch_vm_init); returns the VM fd or -1. */
int kvm_vm_create(const struct kvm_system *sys, char *why, size_t whylen);
int kvm_vm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva);
/* With KVM_MEM_* flags (KVM_MEM_READONLY: writes exit as MMIO); size 0
 * deletes the slot. */
int kvm_vm_set_memory_flags(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva, uint32_t flags);
int kvm_vm_irq_line(int vm_fd, uint32_t irq, int level);

int kvm_vcpu_create(const struct kvm_system *sys, int vm_fd, unsigned index, struct kvm_vcpu_fd *vcpu);
void kvm_vcpu_close(struct kvm_vcpu_fd *vcpu);

#endif
