/* x86's vCPU exits (src/vmm/arch.h): the MSR reads vmras traps, and the
 * triple fault, which resets the machine as a PC's chipset would. */
#include "vmm/arch.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "vmm/log.h"
#include "vmm/machine.h"
#include "x86/msr.h"

/* Where the guest was when it gave up: what an operator (or a developer)
 * needs to tell a guest bug from a vmras one. */
static void log_triple_fault(struct vcpu *v)
{
	struct kvm_regs r;
	struct kvm_sregs s;

	if (ioctl(v->kvm.fd, KVM_GET_REGS, &r) || ioctl(v->kvm.fd, KVM_GET_SREGS, &s)) {
		log_info("vCPU %u: triple fault (registers unreadable: %s)", v->index, strerror(errno));
		return;
	}
	/* KVM on AMD re-initializes a vCPU that shut down (its VMCB is
	 * undefined then), so what is left is the INIT state, not the guest's. */
	if (r.rip == 0xfff0 && s.cs.selector == 0xf000 && !(s.cr0 & 1) && !s.cr3) {
		log_info("vCPU %u: triple fault (KVM reset the vCPU's registers, as on AMD hosts: "
			 "the guest's state at the fault is not known)", v->index);
		return;
	}
	log_info("vCPU %u: triple fault at RIP 0x%llx RSP 0x%llx CR0 0x%llx CR2 0x%llx CR3 0x%llx "
		 "CR4 0x%llx EFER 0x%llx CS 0x%x", v->index, (unsigned long long)r.rip,
		 (unsigned long long)r.rsp, (unsigned long long)s.cr0, (unsigned long long)s.cr2,
		 (unsigned long long)s.cr3, (unsigned long long)s.cr4, (unsigned long long)s.efer,
		 s.cs.selector);
}

int arch_vcpu_exit(struct vcpu *v, struct kvm_run *run)
{
	char why[96];

	switch (run->exit_reason) {
	case KVM_EXIT_X86_RDMSR:
		/* Only MSRs vmras asked to trap come here (see arch_machine.c). */
		if (run->msr.index == MSR_IA32_MCG_CAP) {
			run->msr.data = v->machine->arch.mcg_cap;
			run->msr.error = 0;
		} else {
			run->msr.error = 1;
		}
		return 1;
	case KVM_EXIT_X86_WRMSR:
		run->msr.error = 1;
		return 1;
	case KVM_EXIT_SHUTDOWN:
		log_triple_fault(v);
		snprintf(why, sizeof(why), "triple fault on vCPU %u", v->index);
		machine_request(v->machine, MACHINE_RESET, why);
		return 0;
	default:
		return -1;
	}
}
