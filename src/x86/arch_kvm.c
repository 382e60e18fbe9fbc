#include "x86/arch_kvm.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "x86/layout.h"
#include "x86/longmode.h"
#include "x86/msr.h"

#define CPUID_MAX_ENTRIES 256

int x86_kvm_open(const struct kvm_system *sys, struct machine_arch *a, char *why, size_t whylen)
{
	static const struct kvm_cap_name required[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_MCE, "KVM_CAP_MCE" },
	};

	if (kvm_require_caps(sys, required, sizeof(required) / sizeof(required[0]), why, whylen))
		return -1;
	a->max_mce_banks = ioctl(sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE);
	if (ioctl(sys->fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &a->mce_cap_supported) < 0)
		return kvm_fail(why, whylen, "KVM_X86_GET_MCE_CAP_SUPPORTED");
	a->cpuid = calloc(1, sizeof(*a->cpuid) + CPUID_MAX_ENTRIES * sizeof(a->cpuid->entries[0]));
	if (!a->cpuid)
		return kvm_fail(why, whylen, "allocating CPUID");
	a->cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(sys->fd, KVM_GET_SUPPORTED_CPUID, a->cpuid) < 0)
		return kvm_fail(why, whylen, "KVM_GET_SUPPORTED_CPUID");
	return 0;
}

void x86_kvm_close(struct machine_arch *a)
{
	free(a->cpuid);
	a->cpuid = NULL;
}

int x86_kvm_vm_devices(int vm, char *why, size_t whylen)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t idmap = X86_KVM_IDMAP_GPA;

	if (ioctl(vm, KVM_SET_TSS_ADDR, (unsigned long)X86_KVM_TSS_GPA) < 0)
		return kvm_fail(why, whylen, "KVM_SET_TSS_ADDR");
	if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0)
		return kvm_fail(why, whylen, "KVM_SET_IDENTITY_MAP_ADDR");
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0)
		return kvm_fail(why, whylen, "KVM_CREATE_IRQCHIP");
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0)
		return kvm_fail(why, whylen, "KVM_CREATE_PIT2");
	return 0;
}

int kvm_vm_trap_msr_reads(int vm_fd, const uint32_t *msrs, unsigned n, char *why, size_t whylen)
{
	static uint8_t deny;   /* a one-MSR bitmap with the bit clear: not KVM's to answer */
	struct kvm_enable_cap cap = { .cap = KVM_CAP_X86_USER_SPACE_MSR,
				      .args = { KVM_MSR_EXIT_REASON_FILTER } };
	struct kvm_msr_filter filter = { .flags = KVM_MSR_FILTER_DEFAULT_ALLOW };

	if (n > KVM_MSR_FILTER_MAX_RANGES) {
		snprintf(why, whylen, "too many MSRs to trap");
		return -1;
	}
	for (unsigned i = 0; i < n; i++)
		filter.ranges[i] = (struct kvm_msr_filter_range){
			.flags = KVM_MSR_FILTER_READ, .nmsrs = 1, .base = msrs[i], .bitmap = &deny,
		};
	if (ioctl(vm_fd, KVM_ENABLE_CAP, &cap) < 0)
		return kvm_fail(why, whylen, "KVM_CAP_X86_USER_SPACE_MSR");
	if (ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0)
		return kvm_fail(why, whylen, "KVM_X86_SET_MSR_FILTER");
	return 0;
}

int kvm_vcpu_set_cpuid(struct kvm_vcpu_fd *v, const struct kvm_cpuid2 *cpuid)
{
	return ioctl(v->fd, KVM_SET_CPUID2, cpuid);
}

int kvm_vcpu_setup_mce(struct kvm_vcpu_fd *v, uint64_t mcg_cap)
{
	return ioctl(v->fd, KVM_X86_SETUP_MCE, &mcg_cap);
}

int kvm_vcpu_set_msr(struct kvm_vcpu_fd *v, uint32_t index, uint64_t value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = { .hdr.nmsrs = 1, .entry = { .index = index, .data = value } };
	int n = ioctl(v->fd, KVM_SET_MSRS, &msrs);

	if (n == 1)
		return 0;
	if (n >= 0)
		errno = EINVAL;
	return -1;
}

int kvm_vcpu_enter_long_mode(struct kvm_vcpu_fd *v, uint64_t entry, uint64_t boot_params)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	struct kvm_fpu fpu = { .fcw = 0x37f, .mxcsr = 0x1f80 };  /* the FNINIT / power-on values */

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	x86_long_mode_sregs(&sregs);
	x86_boot_regs(&regs, entry, boot_params);
	if (ioctl(v->fd, KVM_SET_SREGS, &sregs) < 0 || ioctl(v->fd, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(v->fd, KVM_SET_FPU, &fpu) < 0)
		return -1;
	return 0;
}

int kvm_vcpu_get_msr(struct kvm_vcpu_fd *v, uint32_t index, uint64_t *value)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry entry;
	} msrs = { .hdr.nmsrs = 1, .entry = { .index = index } };
	int n = ioctl(v->fd, KVM_GET_MSRS, &msrs);

	if (n != 1) {
		if (n >= 0)
			errno = EINVAL;
		return -1;
	}
	*value = msrs.entry.data;
	return 0;
}

int kvm_vcpu_get_mce_state(struct kvm_vcpu_fd *v, uint64_t mcg_cap, unsigned bank,
			   struct kvm_mce_state *st)
{
	struct {
		struct kvm_msrs hdr;
		struct kvm_msr_entry e[5];
	} msrs = { 0 };
	struct kvm_sregs sregs;
	unsigned n = 0;

	if (ioctl(v->fd, KVM_GET_SREGS, &sregs) < 0)
		return -1;
	msrs.e[n++].index = MSR_IA32_MCG_STATUS;
	msrs.e[n++].index = MSR_IA32_MCi_CTL(bank);
	msrs.e[n++].index = MSR_IA32_MCi_STATUS(bank);
	/* These two exist only when MCG_CAP says so; KVM refuses them otherwise. */
	if (mcg_cap & MCG_CTL_P)
		msrs.e[n++].index = MSR_IA32_MCG_CTL;
	if (mcg_cap & MCG_LMCE_P)
		msrs.e[n++].index = MSR_IA32_MCG_EXT_CTL;
	msrs.hdr.nmsrs = n;
	if (ioctl(v->fd, KVM_GET_MSRS, &msrs) != (int)n) {
		errno = errno ? errno : EIO;
		return -1;
	}
	st->cr4_mce = sregs.cr4 & CR4_MCE;
	st->mcg_status = msrs.e[0].data;
	st->bank_ctl = msrs.e[1].data;
	st->bank_status = msrs.e[2].data;
	st->mcg_ctl = (mcg_cap & MCG_CTL_P) ? msrs.e[3].data : ~0ULL;
	st->mcg_ext_ctl = (mcg_cap & MCG_LMCE_P) ? msrs.e[n - 1].data : 0;
	return 0;
}

int kvm_vcpu_nmi(struct kvm_vcpu_fd *v)
{
	return ioctl(v->fd, KVM_NMI);
}

int kvm_vcpu_inject_mce(struct kvm_vcpu_fd *v, unsigned bank, uint64_t status,
			uint64_t mcg_status, uint64_t addr, uint64_t misc)
{
	struct kvm_x86_mce mce = {
		.status = status, .addr = addr, .misc = misc, .mcg_status = mcg_status, .bank = (uint8_t)bank,
	};
	return ioctl(v->fd, KVM_X86_SET_MCE, &mce);
}
