#include "arm64/fdt.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "arm64/layout.h"
#include "arm64/mpidr.h"
#include "devices/dt.h"
#include "devices/cfi_flash.h"
#include "devices/fw_cfg.h"
#include "devices/pl011.h"
#include "devices/pl031.h"
#include "devices/pl061.h"
#include "devices/pvpanic.h"
#include "devices/virtio_mmio.h"

static void add_memory(struct dt_writer *w, const struct arm64_fdt_config *cfg)
{
	dt_begin(w, "memory@40000000");
	dt_prop_str(w, "device_type", "memory");
	dt_prop_reg2(w, ARM64_RAM_GPA, cfg->ram_size, 0, 0, 1);
	dt_end(w);
}

/* cpu@ names carry the reg, the MPIDR affinity KVM gives each vCPU. With
 * at most 256 vCPUs Aff2 and Aff3 stay 0, so one address cell holds it. */
static void add_cpus(struct dt_writer *w, unsigned ncpus)
{
	char name[32];

	dt_begin(w, "cpus");
	dt_prop_u32(w, "#address-cells", 1);
	dt_prop_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < ncpus; i++) {
		uint64_t mpidr = arm64_mpidr(i);

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
		dt_begin(w, name);
		dt_prop_str(w, "device_type", "cpu");
		dt_prop_str(w, "compatible", "arm,arm-v8");
		dt_prop_str(w, "enable-method", "psci");
		dt_prop_u32(w, "reg", (uint32_t)mpidr);
		dt_end(w);
	}
	dt_end(w);
}

/* KVM implements PSCI itself (SMCCC through HVC from the guest's EL1);
 * "arm,psci-0.2" is what older kernels match, 1.0 adds nothing a guest
 * must be told in the DT. */
static void add_psci(struct dt_writer *w)
{
	dt_begin(w, "psci");
	dt_prop_strs(w, "compatible", "arm,psci-1.0", "arm,psci-0.2");
	dt_prop_str(w, "method", "hvc");
	dt_end(w);
}

static void add_gic(struct dt_writer *w, unsigned ncpus)
{
	uint32_t maint[3] = { DT_GIC_PPI, ARM64_PPI_GIC_MAINT, DT_IRQ_LEVEL_HIGH };

	dt_begin(w, ARM64_FDT_GIC_NODE);
	dt_prop_str(w, "compatible", "arm,gic-v3");
	dt_prop_u32(w, "#interrupt-cells", 3);
	dt_prop_empty(w, "interrupt-controller");
	/* Room for ITS children later (MSIs); dtc also wants an interrupt
	 * provider to say how its children are addressed. */
	dt_prop_u32(w, "#address-cells", 2);
	dt_prop_u32(w, "#size-cells", 2);
	dt_prop_empty(w, "ranges");
	/* KVM lays one redistributor per vCPU from the region's base and
	 * marks the last (GICR_TYPER.Last); the DT names just that span, so
	 * the rest of ARM64_GICR_SIZE stays unclaimed. */
	dt_prop_reg2(w, ARM64_GICD_GPA, ARM64_GICD_SIZE, ARM64_GICR_GPA, ARM64_GICR_SIZE_FOR(ncpus), 2);
	dt_prop_cells(w, "interrupts", maint, 3);
	dt_prop_u32(w, "phandle", ARM64_FDT_PHANDLE_GIC);
	dt_end(w);
}

static void add_timer(struct dt_writer *w)
{
	uint32_t irqs[12] = {
		DT_GIC_PPI, ARM64_PPI_TIMER_SEC_PHYS, DT_IRQ_LEVEL_HIGH,
		DT_GIC_PPI, ARM64_PPI_TIMER_PHYS, DT_IRQ_LEVEL_HIGH,
		DT_GIC_PPI, ARM64_PPI_TIMER_VIRT, DT_IRQ_LEVEL_HIGH,
		DT_GIC_PPI, ARM64_PPI_TIMER_HYP, DT_IRQ_LEVEL_HIGH,
	};

	dt_begin(w, "timer");
	dt_prop_str(w, "compatible", "arm,armv8-timer");
	dt_prop_cells(w, "interrupts", irqs, 12);
	/* The virtual timer keeps counting whatever the vCPU's power state;
	 * without this the guest wants a broadcast timer for idle. */
	dt_prop_empty(w, "always-on");
	dt_end(w);
}

static void add_clock(struct dt_writer *w)
{
	dt_begin(w, "apb-pclk");
	dt_prop_str(w, "compatible", "fixed-clock");
	dt_prop_u32(w, "#clock-cells", 0);
	dt_prop_u32(w, "clock-frequency", ARM64_FDT_APB_CLOCK_HZ);
	dt_prop_str(w, "clock-output-names", "clk24mhz");
	dt_prop_u32(w, "phandle", ARM64_FDT_PHANDLE_CLOCK);
	dt_end(w);
}

static void add_uart(struct dt_writer *w)
{
	pl011_dt(w, ARM64_FDT_UART_NODE, ARM64_UART_GPA, ARM64_UART_SIZE, ARM64_UART_SPI, ARM64_FDT_PHANDLE_CLOCK);
}

static void add_power_button(struct dt_writer *w)
{
	uint32_t gpios[3] = { ARM64_FDT_PHANDLE_GPIO, ARM64_POWER_BUTTON_PIN, DT_GPIO_ACTIVE_HIGH };

	pl061_dt(w, ARM64_FDT_GPIO_NODE, ARM64_GPIO_GPA, ARM64_GPIO_SIZE, ARM64_GPIO_SPI, ARM64_FDT_PHANDLE_CLOCK,
		 ARM64_FDT_PHANDLE_GPIO);

	dt_begin(w, "gpio-keys");
	dt_prop_str(w, "compatible", "gpio-keys");
	dt_begin(w, "poweroff");
	dt_prop_str(w, "label", "GPIO Key Poweroff");
	dt_prop_u32(w, "linux,code", ARM64_KEY_POWER);
	dt_prop_cells(w, "gpios", gpios, 3);
	dt_end(w);
	dt_end(w);
}

static void add_pvpanic(struct dt_writer *w)
{
	pvpanic_dt(w, ARM64_FDT_PVPANIC_NODE, ARM64_PVPANIC_GPA, ARM64_PVPANIC_SIZE);
}

static void add_rtc(struct dt_writer *w)
{
	pl031_dt(w, ARM64_FDT_RTC_NODE, ARM64_RTC_GPA, ARM64_RTC_SIZE, ARM64_RTC_SPI, ARM64_FDT_PHANDLE_CLOCK);
}

static void add_virtio(struct dt_writer *w, unsigned n)
{
	for (unsigned i = 0; i < n && i < ARM64_VIRTIO_MAX; i++) {
		uint64_t base = ARM64_VIRTIO_MMIO_GPA + i * ARM64_VIRTIO_MMIO_STRIDE;
		const uint32_t irq[3] = { DT_GIC_SPI, ARM64_VIRTIO_SPI_BASE + i, DT_IRQ_LEVEL_HIGH };
		char node[32];

		snprintf(node, sizeof(node), "virtio_mmio@%llx", (unsigned long long)base);
		virtio_mmio_dt(w, node, base, irq, 3);
	}
}

/* edk2 (NorFlashQemuLib) takes every cfi-flash range but the one holding
 * its own code, so bank 1 holds its variables; QEMU's virt names both
 * banks in one node too. */
static void add_flash(struct dt_writer *w)
{
	cfi_flash_dt(w, ARM64_FDT_FLASH_NODE, ARM64_FLASH_GPA, ARM64_FLASH_BANK_SIZE, 2);
}

static void add_chosen(struct dt_writer *w, const struct arm64_fdt_config *cfg)
{
	dt_begin(w, "chosen");
	if (cfg->cmdline)
		dt_prop_str(w, "bootargs", cfg->cmdline);
	/* The console without console= on the command line, and earlycon's
	 * UART when it is given without arguments. */
	dt_prop_str(w, "stdout-path", ARM64_FDT_UART_PATH);
	if (cfg->initrd_end > cfg->initrd_start) {
		dt_prop_u64(w, "linux,initrd-start", cfg->initrd_start);
		dt_prop_u64(w, "linux,initrd-end", cfg->initrd_end);
	}
	if (cfg->kaslr_seed_set)
		dt_prop_u64(w, "kaslr-seed", cfg->kaslr_seed);
	if (cfg->rng_seed_len)
		dt_prop(w, "rng-seed", cfg->rng_seed, (int)cfg->rng_seed_len);
	dt_end(w);
}

static int fail(const char **why, const char *what)
{
	*why = what;
	return -1;
}

int arm64_fdt_build(const struct arm64_fdt_config *cfg, void *buf, size_t size, const char **why)
{
	struct dt_writer w = { .fdt = buf };

	if (cfg->ncpus < 1 || cfg->ncpus > ARM64_MAX_VCPUS)
		return fail(why, "the arm64 machine has 1 to 256 vCPUs");
	if (!cfg->ram_size || cfg->ram_size % 4096 || cfg->ram_size > ARM64_RAM_MAX_DEFAULT_IPA)
		return fail(why, "guest RAM must be a non-zero multiple of 4 KiB below the 40-bit IPA limit");
	if (cfg->cmdline && strlen(cfg->cmdline) >= ARM64_CMDLINE_MAX)
		return fail(why, "the kernel command line is too long (arm64 Linux takes 2047 characters)");
	if (cfg->initrd_end < cfg->initrd_start)
		return fail(why, "the initrd ends before it starts");
	if (cfg->rng_seed_len && (!cfg->rng_seed || cfg->rng_seed_len > 4096))
		return fail(why, "rng-seed must be 1 to 4096 bytes");
	if (!buf || size < sizeof(struct fdt_header) || size > INT32_MAX)
		return fail(why, "no room for the device tree");

	w.err = fdt_create(buf, (int)size);
	if (!w.err)
		w.err = fdt_finish_reservemap(buf);
	dt_begin(&w, "");
	dt_prop_u32(&w, "#address-cells", 2);
	dt_prop_u32(&w, "#size-cells", 2);
	/* Linux's name for "a virtual machine with no board file", which is
	 * what this is: nothing in the guest keys off a board name. */
	dt_prop_str(&w, "compatible", "linux,dummy-virt");
	dt_prop_u32(&w, "interrupt-parent", ARM64_FDT_PHANDLE_GIC);
	dt_begin(&w, "aliases");
	dt_prop_str(&w, "serial0", ARM64_FDT_UART_PATH);
	dt_end(&w);
	add_chosen(&w, cfg);
	add_memory(&w, cfg);
	add_cpus(&w, cfg->ncpus);
	add_psci(&w);
	add_gic(&w, cfg->ncpus);
	add_timer(&w);
	add_clock(&w);
	add_uart(&w);
	if (cfg->power_button)
		add_power_button(&w);
	if (cfg->pvpanic)
		add_pvpanic(&w);
	if (cfg->rtc)
		add_rtc(&w);
	if (cfg->flash)
		add_flash(&w);
	if (cfg->fw_cfg)
		fw_cfg_dt(&w, ARM64_FDT_FW_CFG_NODE, ARM64_FW_CFG_GPA, ARM64_FW_CFG_SIZE);
	add_virtio(&w, cfg->nvirtio);
	dt_end(&w);
	if (!w.err)
		w.err = fdt_finish(buf);
	if (w.err == -FDT_ERR_NOSPACE)
		return fail(why, "the device tree does not fit in its buffer");
	if (w.err)
		return fail(why, "libfdt refused the device tree");
	if (fdt_totalsize(buf) > ARM64_DTB_MAX)
		return fail(why, "the device tree is larger than the 2 MiB arm64 Linux accepts");
	return 0;
}
