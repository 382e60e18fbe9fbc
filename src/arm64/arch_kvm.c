#include "arm64/arch_kvm.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "arm64/layout.h"

/* SPIs the GIC offers beyond the 32 private interrupts: virt's 256 less
 * what vmras has no use for; a multiple of 32 as KVM requires. */
#define ARM64_GIC_NR_IRQS 128

int arm64_kvm_check(const struct kvm_system *sys, char *why, size_t whylen)
{
	static const struct kvm_cap_name required[] = {
		{ KVM_CAP_ARM_PSCI_0_2, "KVM_CAP_ARM_PSCI_0_2" },
		{ KVM_CAP_DEVICE_CTRL, "KVM_CAP_DEVICE_CTRL" },
		{ KVM_CAP_ONE_REG, "KVM_CAP_ONE_REG" },
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
	};

	return kvm_require_caps(sys, required, sizeof(required) / sizeof(required[0]), why, whylen);
}

int arm64_kvm_preferred_target(int vm_fd, struct kvm_vcpu_init *init, char *why, size_t whylen)
{
	memset(init, 0, sizeof(*init));
	if (ioctl(vm_fd, KVM_ARM_PREFERRED_TARGET, init))
		return kvm_fail(why, whylen, "KVM_ARM_PREFERRED_TARGET");
	return 0;
}

int arm64_kvm_vcpu_init(struct kvm_vcpu_fd *vcpu, const struct kvm_vcpu_init *target, bool boot)
{
	struct kvm_vcpu_init init = *target;

	init.features[0] |= 1u << KVM_ARM_VCPU_PSCI_0_2;
	if (!boot)
		init.features[0] |= 1u << KVM_ARM_VCPU_POWER_OFF;
	return ioctl(vcpu->fd, KVM_ARM_VCPU_INIT, &init);
}

uint64_t arm64_kvm_core_reg(size_t offset)
{
	return KVM_REG_ARM64 | KVM_REG_SIZE_U64 | KVM_REG_ARM_CORE | (offset / sizeof(uint32_t));
}

int arm64_kvm_set_reg(struct kvm_vcpu_fd *vcpu, uint64_t id, uint64_t value)
{
	struct kvm_one_reg reg = { .id = id, .addr = (uint64_t)(uintptr_t)&value };

	return ioctl(vcpu->fd, KVM_SET_ONE_REG, &reg);
}

static int gic_attr(int gic_fd, uint32_t group, uint64_t attr, void *value)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = (uint64_t)(uintptr_t)value };

	return ioctl(gic_fd, KVM_SET_DEVICE_ATTR, &a);
}

int arm64_kvm_gic_create(int vm_fd, char *why, size_t whylen)
{
	struct kvm_create_device dev = { .type = KVM_DEV_TYPE_ARM_VGIC_V3 };
	uint64_t dist = ARM64_GICD_GPA, redist = ARM64_GICR_GPA;
	uint32_t nr_irqs = ARM64_GIC_NR_IRQS;
	int e;

	if (ioctl(vm_fd, KVM_CREATE_DEVICE, &dev))
		return kvm_fail(why, whylen, "KVM_CREATE_DEVICE (GICv3; this host's KVM has no vGICv3?)");
	if (gic_attr((int)dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_DIST, &dist)) {
		kvm_fail(why, whylen, "vGICv3 distributor address");
		goto err;
	}
	if (gic_attr((int)dev.fd, KVM_DEV_ARM_VGIC_GRP_ADDR, KVM_VGIC_V3_ADDR_TYPE_REDIST, &redist)) {
		kvm_fail(why, whylen, "vGICv3 redistributor address");
		goto err;
	}
	if (gic_attr((int)dev.fd, KVM_DEV_ARM_VGIC_GRP_NR_IRQS, 0, &nr_irqs)) {
		kvm_fail(why, whylen, "vGICv3 interrupt count");
		goto err;
	}
	return (int)dev.fd;
err:
	e = errno;
	close((int)dev.fd);
	errno = e;
	return -1;
}

int arm64_kvm_gic_init(int gic_fd, char *why, size_t whylen)
{
	if (gic_attr(gic_fd, KVM_DEV_ARM_VGIC_GRP_CTRL, KVM_DEV_ARM_VGIC_CTRL_INIT, NULL))
		return kvm_fail(why, whylen, "KVM_DEV_ARM_VGIC_CTRL_INIT");
	return 0;
}

bool arm64_kvm_can_inject_sea(const struct kvm_system *sys)
{
	return ioctl(sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_VCPU_EVENTS) > 0 &&
	       ioctl(sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_ARM_INJECT_EXT_DABT) > 0;
}

int arm64_kvm_inject_sea(struct kvm_vcpu_fd *vcpu)
{
	struct kvm_vcpu_events ev;

	/* Everything else zero: no SError is raised (KVM only raises what
	 * is set, and clears nothing), and KVM refuses non-zero padding. */
	memset(&ev, 0, sizeof(ev));
	ev.exception.ext_dabt_pending = 1;
	return ioctl(vcpu->fd, KVM_SET_VCPU_EVENTS, &ev);
}
