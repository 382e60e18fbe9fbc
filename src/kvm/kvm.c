#include "kvm/kvm.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "x86/layout.h"
#include "x86/longmode.h"
#include "x86/msr.h"

#define CPUID_MAX_ENTRIES 256

static int fail(char *why, size_t whylen, const char *what)
{
	int e = errno;
	snprintf(why, whylen, "%s: %s", what, strerror(e));
	errno = e;
	return -1;
}

int kvm_system_open(struct kvm_system *sys, char *why, size_t whylen)
{
	static const struct { int cap; const char *name; } required[] = {
		{ KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP" },
		{ KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY" },
		{ KVM_CAP_SET_TSS_ADDR, "KVM_CAP_SET_TSS_ADDR" },
		{ KVM_CAP_PIT2, "KVM_CAP_PIT2" },
		{ KVM_CAP_EXT_CPUID, "KVM_CAP_EXT_CPUID" },
		{ KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT" },
		{ KVM_CAP_MCE, "KVM_CAP_MCE" },
	};
	int api;

	memset(sys, 0, sizeof(*sys));
	sys->fd = open(KVM_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (sys->fd < 0)
		return fail(why, whylen, "cannot open " KVM_DEVICE_PATH);
	api = ioctl(sys->fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION) {
		snprintf(why, whylen, "KVM API version %d, expected %d", api, KVM_API_VERSION);
		goto err;
	}
	for (size_t i = 0; i < sizeof(required) / sizeof(required[0]); i++) {
		if (ioctl(sys->fd, KVM_CHECK_EXTENSION, required[i].cap) <= 0) {
			snprintf(why, whylen, "this KVM lacks %s", required[i].name);
			goto err;
		}
	}
	sys->max_mce_banks = ioctl(sys->fd, KVM_CHECK_EXTENSION, KVM_CAP_MCE);
	sys->run_size = ioctl(sys->fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (sys->run_size <= 0) {
		fail(why, whylen, "KVM_GET_VCPU_MMAP_SIZE");
		goto err;
	}
	if (ioctl(sys->fd, KVM_X86_GET_MCE_CAP_SUPPORTED, &sys->mce_cap_supported) < 0) {
		fail(why, whylen, "KVM_X86_GET_MCE_CAP_SUPPORTED");
		goto err;
	}
	sys->cpuid = calloc(1, sizeof(*sys->cpuid) + CPUID_MAX_ENTRIES * sizeof(sys->cpuid->entries[0]));
	if (!sys->cpuid) {
		fail(why, whylen, "allocating CPUID");
		goto err;
	}
	sys->cpuid->nent = CPUID_MAX_ENTRIES;
	if (ioctl(sys->fd, KVM_GET_SUPPORTED_CPUID, sys->cpuid) < 0) {
		fail(why, whylen, "KVM_GET_SUPPORTED_CPUID");
		goto err;
	}
	return 0;
err:
	kvm_system_close(sys);
	errno = errno ? errno : ENODEV;
	return -1;
}

void kvm_system_close(struct kvm_system *sys)
{
	free(sys->cpuid);
	sys->cpuid = NULL;
	if (sys->fd >= 0)
		close(sys->fd);
	sys->fd = -1;
}

int kvm_vm_create(const struct kvm_system *sys, char *why, size_t whylen)
{
	struct kvm_pit_config pit = { .flags = KVM_PIT_SPEAKER_DUMMY };
	uint64_t idmap = X86_KVM_IDMAP_GPA;
	int vm = ioctl(sys->fd, KVM_CREATE_VM, 0);

	if (vm < 0)
		return fail(why, whylen, "KVM_CREATE_VM");
	if (ioctl(vm, KVM_SET_TSS_ADDR, (unsigned long)X86_KVM_TSS_GPA) < 0) {
		fail(why, whylen, "KVM_SET_TSS_ADDR");
		goto err;
	}
	if (ioctl(vm, KVM_SET_IDENTITY_MAP_ADDR, &idmap) < 0) {
		fail(why, whylen, "KVM_SET_IDENTITY_MAP_ADDR");
		goto err;
	}
	if (ioctl(vm, KVM_CREATE_IRQCHIP, 0) < 0) {
		fail(why, whylen, "KVM_CREATE_IRQCHIP");
		goto err;
	}
	if (ioctl(vm, KVM_CREATE_PIT2, &pit) < 0) {
		fail(why, whylen, "KVM_CREATE_PIT2");
		goto err;
	}
	return vm;
err:
	close(vm);
	return -1;
}

int kvm_vm_set_memory(int vm_fd, uint32_t slot, uint64_t gpa, uint64_t size, void *hva)
{
	struct kvm_userspace_memory_region r = {
		.slot = slot, .guest_phys_addr = gpa, .memory_size = size,
		.userspace_addr = (uintptr_t)hva,
	};
	return ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &r);
}

int kvm_vm_irq_line(int vm_fd, uint32_t irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = (uint32_t)level };
	return ioctl(vm_fd, KVM_IRQ_LINE, &l);
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
		return fail(why, whylen, "KVM_CAP_X86_USER_SPACE_MSR");
	if (ioctl(vm_fd, KVM_X86_SET_MSR_FILTER, &filter) < 0)
		return fail(why, whylen, "KVM_X86_SET_MSR_FILTER");
	return 0;
}

int kvm_vcpu_create(const struct kvm_system *sys, int vm_fd, unsigned index, struct kvm_vcpu_fd *v)
{
	v->fd = ioctl(vm_fd, KVM_CREATE_VCPU, (unsigned long)index);
	if (v->fd < 0)
		return -1;
	v->run_size = sys->run_size;
	v->run = mmap(NULL, (size_t)sys->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (v->run == MAP_FAILED) {
		int e = errno;
		close(v->fd);
		v->fd = -1;
		v->run = NULL;
		errno = e;
		return -1;
	}
	return 0;
}

void kvm_vcpu_close(struct kvm_vcpu_fd *v)
{
	if (v->run)
		munmap(v->run, (size_t)v->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
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
