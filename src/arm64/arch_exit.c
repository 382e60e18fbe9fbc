/* arm64's vCPU exits (src/vmm/arch.h): none of its own yet. PSCI, the
 * timer and the GIC are KVM's; MMIO and system events are the shared loop's. */
#include "vmm/arch.h"

int arch_vcpu_exit(struct vcpu *v, struct kvm_run *run)
{
	(void)v;
	(void)run;
	return -1;
}
