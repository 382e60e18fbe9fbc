/* x86's part of struct machine (src/vmm/arch.h): the kernel and its
 * command line, the guest CPU vmras chose and what KVM said it can do for it. */
#ifndef VMRAS_X86_ARCH_H
#define VMRAS_X86_ARCH_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "devices/uart16550.h"
#include "x86/mce.h"
#include "x86/bzimage.h"
#include "x86/cpuid.h"
#include "x86/layout.h"
#include "x86/power.h"

/* Guest memory found poisoned at start that cannot be replaced is left out
 * of the guest's memory map (e820 reserved; see vmm/ras.h ras_avoided). */
#define ARCH_KEEPS_GUEST_OFF_LOST_RAM 1

struct machine_arch {
	struct bzimage kernel;        /* parsed from the mapped --kernel file */
	char cmdline[X86_CMDLINE_MAX];
	struct kvm_cpuid2 *cpuid;     /* KVM_GET_SUPPORTED_CPUID, malloc'd */
	uint64_t mce_cap_supported;   /* KVM_X86_GET_MCE_CAP_SUPPORTED */
	int max_mce_banks;            /* KVM_CAP_MCE */
	enum x86_vendor vendor;       /* the guest's CPUID vendor */
	uint64_t mcg_cap_requested;   /* what vmras asks KVM_X86_SETUP_MCE for */
	uint64_t mcg_cap;             /* what the guest reads */
	bool mcg_cap_trapped;         /* guest reads of MCG_CAP come to vmras (see arch_machine.c) */
	struct mce_vcpu_state *mce_states;  /* the RAS thread's scratch, one per vCPU (arch_ras.c) */
	struct uart16550 com1;        /* the console */
	struct power_ports power;     /* ACPI sleep/reset registers, i8042, CF9 */
};

/* x86's part of a memory-failure decision: the machine check to raise. */
struct arch_mf_detail {
	struct mce_detail mce;
};

#endif
