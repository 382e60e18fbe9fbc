/* x86's side of the arch seam (src/vmm/arch.h): the guest CPU and its
 * machine checks, the PC's RAM layout and in-kernel devices, the tables. */
#include "vmm/arch.h"

#include <asm/kvm_para.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "x86/mca_cpuid.h"
#include "x86/mce.h"
#include "vmm/machine.h"
#include "x86/arch_kvm.h"
#include "x86/boot.h"
#include "x86/msr.h"
#include "x86/platform.h"
#include "x86/qmp_cpu.h"
#include "x86/ram_layout.h"
#include "x86/layout.h"
#include "vmm/ras.h"

#define CPUID_SPARE 4   /* leaves vmras may add to KVM's list */
#define DEFAULT_CMDLINE "console=ttyS0"

int arch_kernel_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;
	const struct vmras_options *opts = m->opts;
	const char *reason;

	/* The PC machine loads its kernel itself and has no firmware image to
	 * run: refusing says so, where ignoring would boot something else
	 * than asked. */
	if (opts->firmware) {
		snprintf(why, whylen, "--firmware: the x86 machine has no firmware; it boots --kernel directly");
		return -1;
	}
	if (bzimage_parse(m->kernel_file.data, m->kernel_file.size, &a->kernel, &reason)) {
		snprintf(why, whylen, "'%s': %s", opts->kernel, reason);
		return -1;
	}
	snprintf(a->cmdline, sizeof(a->cmdline), "%s", opts->append ? opts->append : DEFAULT_CMDLINE);
	if (a->kernel.cmdline_size && strlen(a->cmdline) > a->kernel.cmdline_size) {
		snprintf(why, whylen, "--append is longer than this kernel accepts (%u bytes)",
			 a->kernel.cmdline_size);
		return -1;
	}
	return 0;
}

static uint64_t choose_mcg_cap(const struct machine_arch *a, enum x86_vendor vendor)
{
	uint64_t want = MCG_CTL_P | MCG_SER_P;
	int banks = VMRAS_MCE_BANKS < a->max_mce_banks ? VMRAS_MCE_BANKS : a->max_mce_banks;

	/* Local machine checks are an Intel feature; an AMD guest never enables them. */
	if (vendor == X86_VENDOR_INTEL)
		want |= MCG_LMCE_P;
	return (a->mce_cap_supported & want) | (uint64_t)banks;
}

int arch_machine_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;

	if (x86_kvm_open(&m->kvm, a, why, whylen))
		return -1;
	a->vendor = x86_cpuid_vendor(a->cpuid->entries, a->cpuid->nent);
	if (!strcmp(m->opts->cpu_vendor, "intel"))
		a->vendor = X86_VENDOR_INTEL;
	else if (!strcmp(m->opts->cpu_vendor, "amd"))
		a->vendor = X86_VENDOR_AMD;
	a->mcg_cap_requested = choose_mcg_cap(a, a->vendor);
	a->mcg_cap = a->mcg_cap_requested;
	a->mce_states = calloc(m->ncpus, sizeof(*a->mce_states));
	if (!a->mce_states) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	return 0;
}

void arch_machine_destroy(struct machine *m)
{
	free(m->arch.mce_states);
	m->arch.mce_states = NULL;
	x86_kvm_close(&m->arch);
}

int arch_ram_layout(struct guest_ram *ram, uint64_t size)
{
	return x86_ram_layout(ram, size);
}

int arch_vm_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;

	if (x86_kvm_vm_devices(m->vm_fd, why, whylen))
		return -1;
	a->mcg_cap_trapped = false;
	if (a->vendor == X86_VENDOR_INTEL && (a->mcg_cap_requested & MCG_SER_P)) {
		static const uint32_t trapped[] = { MSR_IA32_MCG_CAP };
		if (kvm_vm_trap_msr_reads(m->vm_fd, trapped, 1, why, whylen))
			return -1;
		a->mcg_cap_trapped = true;
	}
	return 0;
}

static int set_cpuid(struct machine *m, struct vcpu *v, struct kvm_cpuid2 *cpuid, char *why, size_t whylen)
{
	const struct machine_arch *a = &m->arch;
	const struct kvm_cpuid2 *supported = a->cpuid;

	memcpy(cpuid, supported, sizeof(*supported) + supported->nent * sizeof(supported->entries[0]));
	x86_cpuid_for_vcpu(cpuid->entries, cpuid->nent, v->index, m->ncpus);
	if (strcmp(m->opts->cpu_vendor, "host"))
		x86_cpuid_set_vendor(cpuid->entries, cpuid->nent, a->vendor);
	/* A guest of the other vendor makes KVM hypercalls with its vendor's
	 * instruction (VMCALL for Intel), which faults on this host (SVM wants
	 * VMMCALL); KVM then patches the call site, and once the kernel's text
	 * is read-only that write becomes a #PF: the guest oopses at its first
	 * PV IPI or spinlock kick. So it gets no PV feature that hypercalls. */
	if (a->vendor != x86_cpuid_vendor(supported->entries, supported->nent))
		for (unsigned i = 0; i < cpuid->nent; i++)
			if (cpuid->entries[i].function == KVM_CPUID_FEATURES)
				cpuid->entries[i].eax &= ~((1u << KVM_FEATURE_PV_UNHALT) |
							   (1u << KVM_FEATURE_PV_SEND_IPI) |
							   (1u << KVM_FEATURE_PV_SCHED_YIELD));
	/* Linux on AMD recovers from an uncorrected error only when CPUID says
	 * the hardware supports it (SUCCOR); KVM does not say so by itself. */
	if (a->vendor == X86_VENDOR_AMD &&
	    mca_cpuid_amd_recovery(cpuid->entries, &cpuid->nent, supported->nent + CPUID_SPARE)) {
		snprintf(why, whylen, "vCPU %u: cannot add the AMD recovery CPUID bits", v->index);
		return -1;
	}
	if (kvm_vcpu_set_cpuid(&v->kvm, cpuid)) {
		snprintf(why, whylen, "vCPU %u: KVM_SET_CPUID2: %s", v->index, strerror(errno));
		return -1;
	}
	return 0;
}

static int set_msrs(struct machine *m, struct vcpu *v, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;

	if (kvm_vcpu_setup_mce(&v->kvm, a->mcg_cap_requested)) {
		snprintf(why, whylen, "vCPU %u: KVM_X86_SETUP_MCE: %s", v->index, strerror(errno));
		return -1;
	}
	/* KVM on an AMD host keeps only MCG_CAP bits 0-8 (SER_P is bit 24). An
	 * AMD guest does not need more, but an Intel guest without SER_P treats
	 * every uncorrected error as fatal. So for an Intel guest vmras answers
	 * MCG_CAP reads itself (MSR filter) with what it asked for; otherwise
	 * the guest reads what KVM kept. Decisions use what the guest sees. */
	if (kvm_vcpu_get_msr(&v->kvm, MSR_IA32_MCG_CAP, &a->mcg_cap)) {
		snprintf(why, whylen, "vCPU %u: reading MCG_CAP: %s", v->index, strerror(errno));
		return -1;
	}
	if (a->mcg_cap_trapped)
		a->mcg_cap = a->mcg_cap_requested;
	/* No firmware runs before the kernel, so nobody else enables the MTRRs:
	 * left at their reset value every access is uncached and the guest
	 * crawls. Write-back by default, as a BIOS would set it. */
	if (kvm_vcpu_set_msr(&v->kvm, MSR_MTRR_DEF_TYPE, MTRR_DEF_TYPE_ENABLE | MTRR_TYPE_WRBACK)) {
		snprintf(why, whylen, "vCPU %u: setting MTRRdefType: %s", v->index, strerror(errno));
		return -1;
	}
	/* With no firmware to do it, vmras opts the guest in to local machine
	 * checks the way a BIOS would: FEATURE_CONTROL.LMCE_ON, locked. */
	if ((a->mcg_cap_requested & MCG_LMCE_P) &&
	    kvm_vcpu_set_msr(&v->kvm, MSR_IA32_FEATURE_CONTROL, FEATURE_CONTROL_LOCKED | FEATURE_CONTROL_LMCE)) {
		snprintf(why, whylen, "vCPU %u: setting IA32_FEATURE_CONTROL: %s", v->index, strerror(errno));
		return -1;
	}
	return 0;
}

int arch_vcpu_init(struct machine *m, struct vcpu *v, char *why, size_t whylen)
{
	const struct kvm_cpuid2 *supported = m->arch.cpuid;
	struct kvm_cpuid2 *cpuid;
	int rc;

	cpuid = malloc(sizeof(*supported) + (supported->nent + CPUID_SPARE) * sizeof(supported->entries[0]));
	if (!cpuid) {
		snprintf(why, whylen, "out of memory");
		return -1;
	}
	rc = set_cpuid(m, v, cpuid, why, whylen) || set_msrs(m, v, why, whylen) ? -1 : 0;
	free(cpuid);
	return rc;
}

int arch_boot(struct machine *m, char *why, size_t whylen)
{
	struct x86_boot_in in = {
		.kernel = &m->arch.kernel, .initrd = m->initrd_file.data, .initrd_size = m->initrd_file.size,
		.cmdline = m->arch.cmdline, .ncpus = m->ncpus, .ghes = m->opts->ras & RAS_MODE_GHES,
		.nvirtio = m->nvirtio,
	};
	struct x86_boot_out out;
	static uint8_t boot_errors[X86_BERT_REGION_MAX];

	/* Errors of a previous boot are the first boot's news; a guest reset
	 * later is a boot of the same machine, whose errors it was told live. */
	in.boot_errors_len = m->boots == 1 ? ras_boot_error_region(m, boot_errors, sizeof(boot_errors)) : 0;
	in.boot_errors = boot_errors;
	in.navoid = ras_avoided(m, &in.avoid);
	if (x86_boot_load(&m->ram, &in, &out, why, whylen))
		return -1;
	/* Only the bootstrap processor starts; the others wait for INIT/SIPI
	 * from the guest, which KVM's in-kernel local APIC handles. */
	if (kvm_vcpu_enter_long_mode(&m->vcpus[0].kvm, out.entry, out.boot_params)) {
		snprintf(why, whylen, "vCPU 0: setting boot registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

const char *arch_default_firmware(void)
{
	return NULL;
}

const struct qmp_cpu_model *arch_qmp_cpu_model(void)
{
	return &x86_qmp_cpu_model;
}

int arch_acpi_tables(unsigned ncpus, bool ghes, unsigned nvirtio, struct acpi_blob *out)
{
	return x86_platform_acpi_tables(ncpus, ghes, nvirtio, 0, out);
}
