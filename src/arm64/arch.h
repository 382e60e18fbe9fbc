/* arm64's part of struct machine (src/vmm/arch.h): the kernel and its
 * command line, the vCPU target KVM prefers, the in-kernel GIC, the
 * console's PL011 and the power key's PL061. */
#ifndef VMRAS_ARM64_ARCH_H
#define VMRAS_ARM64_ARCH_H

#include <linux/kvm.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "arm64/acpi.h"
#include "arm64/fdt.h"
#include "arm64/image.h"
#include "arm64/mf.h"
#include "devices/cfi_flash.h"
#include "devices/fw_cfg.h"
#include "devices/pl011.h"
#include "devices/pl031.h"
#include "devices/pl061.h"
#include "vmm/files.h"

struct machine;

/* One flash bank (arch_firmware.c): the model, its memory, and whether
 * that memory is a KVM slot now (only while the bank reads as an array). */
struct arm64_flash_bank {
	struct machine *m;
	unsigned index;
	uint8_t *mem;
	struct cfi_flash dev;
	bool mapped;
};

/* Guest memory found poisoned at start that cannot be replaced stays in
 * the guest's memory map: the UEFI map is the firmware's to write. */
#define ARCH_KEEPS_GUEST_OFF_LOST_RAM 0

struct machine_arch {
	struct arm64_image kernel;    /* parsed from the mapped --kernel file */
	char cmdline[ARM64_CMDLINE_MAX];
	struct kvm_vcpu_init target;  /* KVM_ARM_PREFERRED_TARGET, per VM */
	int gic_fd;                   /* the VM's vGICv3 device, or -1 */
	bool gic_ready;               /* KVM_DEV_ARM_VGIC_CTRL_INIT done for this VM */
	struct pl011 uart;            /* the console */
	/* The power key's GPIO: vCPU threads and QMP's system_powerdown both
	 * reach it. key_held: pressed, until the guest has read it pressed. */
	pthread_mutex_t gpio_lock;
	struct pl061 gpio;
	bool key_held;
	/* The RTC: vCPU threads. */
	pthread_mutex_t rtc_lock;
	struct pl031 rtc;
	/* --firmware: its image (size 0 without) and the two flash banks;
	 * flash_lock serialises the vCPUs' accesses and slot changes. */
	struct mapped_file firmware;
	pthread_mutex_t flash_lock;
	struct arm64_flash_bank flash[2];
	/* fw_cfg (arch_fw_cfg.c), vCPU threads under fw_cfg_lock, and the
	 * ACPI tables it hands the firmware. */
	pthread_mutex_t fw_cfg_lock;
	struct fw_cfg fw_cfg;
	struct arm64_acpi_blobs acpi;
	/* The first boot's, with the BERT of pages found poisoned at start;
	 * empty (loader NULL) when none were. */
	struct arm64_acpi_blobs acpi_first;
	/* Memory failures (arch_ras.c): KVM can inject an SEA
	 * (arm64_kvm_can_inject_sea, read once at arch_machine_init), and the
	 * report the RAS thread is deciding. */
	bool sea_ok;
	struct arm64_mf_report {
		/* Between arch_mf_decide and arch_mf_event of one report, on
		 * the RAS thread under vm_lock: the GHES notify that thread
		 * makes from ghes_dev_submit fills in the SEA's outcome. */
		bool open;
		int cpu;                      /* the vCPU that consumed it, or -1 */
		struct mf_verdict *verdict;   /* the decision's: an SEA that failed says so */
		struct arm64_mf_detail detail;
	} mf_report;
};

/* arm64's part of a memory-failure decision: the report above, whose
 * detail is the event's "arm" member. */
struct arch_mf_detail {
	struct arm64_mf_report *report;
};

#endif
