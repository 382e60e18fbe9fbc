/* arm64's own KVM ioctls (the shared ones are in src/kvm/kvm.h). arm64
 * hosts only; failures come back as -1 with errno and a reason. */
#ifndef VMRAS_ARM64_ARCH_KVM_H
#define VMRAS_ARM64_ARCH_KVM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "kvm/kvm.h"

/* KVM_IRQ_LINE's irq for a shared peripheral interrupt (SPI n is INTID 32 + n). */
#define ARM64_KVM_IRQ_SPI(spi) \
	((uint32_t)KVM_ARM_IRQ_TYPE_SPI << KVM_ARM_IRQ_TYPE_SHIFT | (uint32_t)((spi) + 32))

/* The capabilities the arm64 machine needs. */
int arm64_kvm_check(const struct kvm_system *sys, char *why, size_t whylen);
/* The vCPU target and features for this host's CPUs (a VM ioctl). */
int arm64_kvm_preferred_target(int vm_fd, struct kvm_vcpu_init *init, char *why, size_t whylen);
/* KVM_ARM_VCPU_INIT with PSCI 0.2; powered off (started by PSCI CPU_ON) unless boot. */
int arm64_kvm_vcpu_init(struct kvm_vcpu_fd *vcpu, const struct kvm_vcpu_init *target, bool boot);
int arm64_kvm_set_reg(struct kvm_vcpu_fd *vcpu, uint64_t id, uint64_t value);
/* A core register's KVM_SET_ONE_REG id, from its offset in struct kvm_regs. */
uint64_t arm64_kvm_core_reg(size_t offset);
/* The vGICv3 with its distributor, redistributors and interrupt count;
 * returns its device fd or -1. */
int arm64_kvm_gic_create(int vm_fd, char *why, size_t whylen);
/* Whether this KVM can inject a synchronous external abort: KVM_SET_VCPU_EVENTS
 * (KVM_CAP_VCPU_EVENTS) with ext_dabt_pending (KVM_CAP_ARM_INJECT_EXT_DABT,
 * Linux 5.7). */
bool arm64_kvm_can_inject_sea(const struct kvm_system *sys);
/* A Synchronous External Abort (a data abort, external, at the address of
 * the vCPU's last fault) taken by the guest when the vCPU next runs:
 * KVM_SET_VCPU_EVENTS with ext_dabt_pending. On the vCPU's own thread
 * (vcpu_run_on), outside KVM_RUN. Returns 0, or -1 with errno. */
int arm64_kvm_inject_sea(struct kvm_vcpu_fd *vcpu);
/* KVM_DEV_ARM_VGIC_CTRL_INIT: once every vCPU exists. */
int arm64_kvm_gic_init(int gic_fd, char *why, size_t whylen);

#endif
