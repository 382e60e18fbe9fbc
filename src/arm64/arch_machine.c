/* arm64's side of the arch seam (src/vmm/arch.h): a virt-like board with
 * RAM at 1 GiB, PSCI vCPUs, an in-kernel GICv3 and the arch timer, booting
 * a Linux Image directly with a generated device tree (docs/arm64.md). */
#include "vmm/arch.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <asm/ptrace.h>

#include "arm64/arch_devices.h"
#include "arm64/arch_firmware.h"
#include "arm64/arch_fw_cfg.h"
#include "arm64/arch_kvm.h"
#include "arm64/layout.h"
#include "arm64/qmp_cpu.h"
#include "vmm/log.h"
#include "vmm/machine.h"

#define DEFAULT_CMDLINE "console=ttyAMA0"

int arch_kernel_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;
	const char *reason;

	a->gic_fd = -1;
	if (m->ncpus > ARM64_MAX_VCPUS) {
		snprintf(why, whylen, "--cpus %u: the arm64 machine has at most %d vCPUs", m->ncpus, ARM64_MAX_VCPUS);
		return -1;
	}
	if (m->opts->kernel && arm64_image_parse(m->kernel_file.data, m->kernel_file.size, &a->kernel, &reason)) {
		snprintf(why, whylen, "'%s': %s", m->opts->kernel, reason);
		return -1;
	}
	snprintf(a->cmdline, sizeof(a->cmdline), "%s", m->opts->append ? m->opts->append : DEFAULT_CMDLINE);
	if (!m->opts->firmware)
		return 0;
	/* The firmware reads the kernel and initrd through fw_cfg, whose
	 * size items are 32 bits. */
	if (m->kernel_file.size > UINT32_MAX || m->initrd_file.size > UINT32_MAX) {
		snprintf(why, whylen, "--firmware: the %s is %zu bytes; the firmware can be handed at most 4 GiB - 1",
			 m->kernel_file.size > UINT32_MAX ? "kernel" : "initrd",
			 m->kernel_file.size > UINT32_MAX ? m->kernel_file.size : m->initrd_file.size);
		return -1;
	}
	return arm64_firmware_init(m, why, whylen);
}

int arch_machine_init(struct machine *m, char *why, size_t whylen)
{
	/* The flash banks are read-only slots whose writes exit. */
	static const struct kvm_cap_name firmware_caps[] = {
		{ KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM" },
	};

	if (arm64_kvm_check(&m->kvm, why, whylen))
		return -1;
	m->arch.sea_ok = arm64_kvm_can_inject_sea(&m->kvm);
	return m->opts->firmware ? kvm_require_caps(&m->kvm, firmware_caps, 1, why, whylen) : 0;
}

void arch_machine_destroy(struct machine *m)
{
	if (m->arch.gic_fd >= 0)
		close(m->arch.gic_fd);
	m->arch.gic_fd = -1;
	if (m->opts->firmware)
		arm64_fw_cfg_destroy(m);
	arm64_firmware_destroy(m);
}

int arch_ram_layout(struct guest_ram *ram, uint64_t size)
{
	if (size == 0 || size & 0xfff || size > ARM64_RAM_MAX_DEFAULT_IPA) {
		errno = EINVAL;
		return -1;
	}
	memset(ram, 0, sizeof(*ram));
	ram->region[0] = (struct ram_region){ .name = "ram", .gpa = ARM64_RAM_GPA, .size = size, .fd = -1 };
	ram->count = 1;
	ram->total = size;
	return 0;
}

int arch_vm_init(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;

	/* A boot that failed before its GIC init left the fd open. */
	if (a->gic_fd >= 0)
		close(a->gic_fd);
	a->gic_ready = false;
	arm64_devices_reset(m);
	if (arm64_kvm_preferred_target(m->vm_fd, &a->target, why, whylen))
		return -1;
	a->gic_fd = arm64_kvm_gic_create(m->vm_fd, why, whylen);
	return a->gic_fd < 0 ? -1 : 0;
}

int arch_vcpu_init(struct machine *m, struct vcpu *v, char *why, size_t whylen)
{
	/* The others stay off until the guest starts them with PSCI CPU_ON,
	 * which KVM handles without vmras. */
	if (arm64_kvm_vcpu_init(&v->kvm, &m->arch.target, v->index == 0)) {
		snprintf(why, whylen, "vCPU %u: KVM_ARM_VCPU_INIT: %s", v->index, strerror(errno));
		return -1;
	}
	return 0;
}

static int load(struct machine *m, uint64_t gpa, const void *src, size_t len, const char *what, char *why,
		size_t whylen)
{
	if (!guest_ram_write(&m->ram, gpa, src, len)) {
		snprintf(why, whylen, "the %s does not fit in guest RAM at 0x%llx", what, (unsigned long long)gpa);
		return -1;
	}
	return 0;
}

static int boot_registers(struct vcpu *v, uint64_t entry, uint64_t dtb)
{
	const struct { size_t off; uint64_t value; } regs[] = {
		{ offsetof(struct kvm_regs, regs.pc), entry },
		{ offsetof(struct kvm_regs, regs.regs[0]), dtb },
		{ offsetof(struct kvm_regs, regs.regs[1]), 0 },
		{ offsetof(struct kvm_regs, regs.regs[2]), 0 },
		{ offsetof(struct kvm_regs, regs.regs[3]), 0 },
		/* booting.rst: EL1h, all of DAIF masked. */
		{ offsetof(struct kvm_regs, regs.pstate), PSR_MODE_EL1h | PSR_D_BIT | PSR_A_BIT | PSR_I_BIT | PSR_F_BIT },
	};

	for (size_t i = 0; i < sizeof(regs) / sizeof(regs[0]); i++)
		if (arm64_kvm_set_reg(&v->kvm, arm64_kvm_core_reg(regs[i].off), regs[i].value))
			return -1;
	return 0;
}

static int write_dtb(struct machine *m, const struct arm64_fdt_config *cfg, uint64_t gpa, uint64_t max, char *why,
		     size_t whylen)
{
	void *dtb = guest_ram_gpa_to_hva(&m->ram, gpa, max);
	const char *reason;

	if (!dtb || arm64_fdt_build(cfg, dtb, max, &reason)) {
		snprintf(why, whylen, "device tree: %s", dtb ? reason : "no room in guest RAM");
		return -1;
	}
	return 0;
}

/* edk2's ArmVirtQemu starts at the flash's first word and reads its DT
 * from the start of RAM (where QEMU's virt puts it); x0 points there too,
 * for firmware that looks. */
static int boot_firmware(struct machine *m, char *why, size_t whylen)
{
	const struct arm64_fdt_config cfg = {
		.ram_size = m->ram.total, .ncpus = m->ncpus, .pvpanic = true, .power_button = true, .rtc = true,
		.flash = true, .fw_cfg = true, .nvirtio = m->nvirtio,
	};

	if (arm64_firmware_boot(m, why, whylen) || arm64_fw_cfg_boot(m, why, whylen) ||
	    write_dtb(m, &cfg, ARM64_DTB_GPA, ARM64_DTB_MAX, why, whylen))
		return -1;
	if (boot_registers(&m->vcpus[0], ARM64_FLASH_GPA, ARM64_DTB_GPA)) {
		snprintf(why, whylen, "vCPU 0: setting boot registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

int arch_boot(struct machine *m, char *why, size_t whylen)
{
	struct machine_arch *a = &m->arch;
	struct arm64_boot_plan plan;
	struct arm64_fdt_config cfg;
	const char *reason;

	/* Every vCPU exists now; a reload after poisoned memory (boot_guarded)
	 * comes back here with the GIC already initialised. The vGIC lives as
	 * long as its VM, so its fd is not needed past the init, and a VM torn
	 * down at a reset leaves nothing open behind it. */
	if (!a->gic_ready) {
		if (arm64_kvm_gic_init(a->gic_fd, why, whylen))
			return -1;
		a->gic_ready = true;
		close(a->gic_fd);
		a->gic_fd = -1;
	}
	if (m->opts->firmware)
		return boot_firmware(m, why, whylen);
	if (arm64_image_place(&a->kernel, ARM64_RAM_GPA, m->ram.total, m->initrd_file.size, &plan, &reason)) {
		snprintf(why, whylen, "'%s': %s", m->opts->kernel, reason);
		return -1;
	}
	if (load(m, plan.kernel_gpa, a->kernel.data, a->kernel.size, "kernel", why, whylen) ||
	    (m->initrd_file.size &&
	     load(m, plan.initrd_gpa, m->initrd_file.data, m->initrd_file.size, "initrd", why, whylen)))
		return -1;
	cfg = (struct arm64_fdt_config){
		.ram_size = m->ram.total, .ncpus = m->ncpus, .cmdline = a->cmdline,
		.initrd_start = plan.initrd_gpa, .initrd_end = plan.initrd_end, .pvpanic = true,
		.power_button = true, .rtc = true, .nvirtio = m->nvirtio,
	};
	if (write_dtb(m, &cfg, plan.dtb_gpa, plan.dtb_max, why, whylen))
		return -1;
	if (boot_registers(&m->vcpus[0], plan.kernel_gpa, plan.dtb_gpa)) {
		snprintf(why, whylen, "vCPU 0: setting boot registers: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Through UEFI by default: only an ACPI guest has the GHES sources that
 * tell it of memory errors (a DT guest given a bare SEA kills the process
 * with the wrong code and reuses the page, docs/arm64.md). Debian's
 * qemu-efi-aarch64 puts edk2 for virt here. */
const char *arch_default_firmware(void)
{
	if (access(ARM64_DEFAULT_FIRMWARE, R_OK) == 0)
		return ARM64_DEFAULT_FIRMWARE;
	log_info("no firmware at " ARM64_DEFAULT_FIRMWARE " (Debian's qemu-efi-aarch64): booting the kernel "
		 "with a device tree, without ACPI, so the guest cannot be told of memory errors");
	return NULL;
}

const struct qmp_cpu_model *arch_qmp_cpu_model(void)
{
	return &arm64_qmp_cpu_model;
}

int arch_acpi_tables(unsigned ncpus, bool ghes, unsigned nvirtio, struct acpi_blob *out)
{
	(void)ncpus;
	(void)ghes;
	(void)nvirtio;
	(void)out;
	/* A DT boot has no ACPI; the arm64 tables come with UEFI (issue 11). */
	errno = EOPNOTSUPP;
	return -1;
}
