#include "arm64/fdt.h"

#include <libfdt.h>
#include <stdio.h>
#include <string.h>

#include "arm64/layout.h"
#include "arm64/mpidr.h"

/* Interrupt specifier of the GICv3 binding: type, number, flags. */
#define GIC_SPI 0
#define GIC_PPI 1
#define IRQ_LEVEL_HIGH 4
#define GPIO_ACTIVE_HIGH 0

/* The sequential-write calls in a row, stopping at the first error so that
 * one check at the end covers them all. */
struct fdt_writer {
	void *fdt;
	int err;
};

static void begin(struct fdt_writer *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

static void end(struct fdt_writer *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

static void prop(struct fdt_writer *w, const char *name, const void *val, int len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, len);
}

static void prop_empty(struct fdt_writer *w, const char *name)
{
	prop(w, name, NULL, 0);
}

static void prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, v);
}

static void prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, v);
}

static void prop_str(struct fdt_writer *w, const char *name, const char *s)
{
	if (!w->err)
		w->err = fdt_property_string(w->fdt, name, s);
}

/* A string list is the strings back to back, each with its NUL. */
static void prop_strs(struct fdt_writer *w, const char *name, const char *a, const char *b)
{
	char buf[128];
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;

	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	prop(w, name, buf, (int)(la + lb));
}

static void prop_cells(struct fdt_writer *w, const char *name, const uint32_t *cells, unsigned n)
{
	fdt32_t be[16];

	for (unsigned i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	prop(w, name, be, (int)(n * sizeof(be[0])));
}

/* reg with #address-cells = #size-cells = 2, one or two regions. */
static void prop_reg2(struct fdt_writer *w, uint64_t a0, uint64_t s0, uint64_t a1, uint64_t s1, unsigned n)
{
	uint32_t c[8] = {
		(uint32_t)(a0 >> 32), (uint32_t)a0, (uint32_t)(s0 >> 32), (uint32_t)s0,
		(uint32_t)(a1 >> 32), (uint32_t)a1, (uint32_t)(s1 >> 32), (uint32_t)s1,
	};
	prop_cells(w, "reg", c, 4 * n);
}

static void add_memory(struct fdt_writer *w, const struct arm64_fdt_config *cfg)
{
	begin(w, "memory@40000000");
	prop_str(w, "device_type", "memory");
	prop_reg2(w, ARM64_RAM_GPA, cfg->ram_size, 0, 0, 1);
	end(w);
}

/* cpu@ names carry the reg, the MPIDR affinity KVM gives each vCPU. With
 * at most 256 vCPUs Aff2 and Aff3 stay 0, so one address cell holds it. */
static void add_cpus(struct fdt_writer *w, unsigned ncpus)
{
	char name[32];

	begin(w, "cpus");
	prop_u32(w, "#address-cells", 1);
	prop_u32(w, "#size-cells", 0);
	for (unsigned i = 0; i < ncpus; i++) {
		uint64_t mpidr = arm64_mpidr(i);

		snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
		begin(w, name);
		prop_str(w, "device_type", "cpu");
		prop_str(w, "compatible", "arm,arm-v8");
		prop_str(w, "enable-method", "psci");
		prop_u32(w, "reg", (uint32_t)mpidr);
		end(w);
	}
	end(w);
}

/* KVM implements PSCI itself (SMCCC through HVC from the guest's EL1);
 * "arm,psci-0.2" is what older kernels match, 1.0 adds nothing a guest
 * must be told in the DT. */
static void add_psci(struct fdt_writer *w)
{
	begin(w, "psci");
	prop_strs(w, "compatible", "arm,psci-1.0", "arm,psci-0.2");
	prop_str(w, "method", "hvc");
	end(w);
}

static void add_gic(struct fdt_writer *w, unsigned ncpus)
{
	uint32_t maint[3] = { GIC_PPI, ARM64_PPI_GIC_MAINT, IRQ_LEVEL_HIGH };

	begin(w, ARM64_FDT_GIC_NODE);
	prop_str(w, "compatible", "arm,gic-v3");
	prop_u32(w, "#interrupt-cells", 3);
	prop_empty(w, "interrupt-controller");
	/* Room for ITS children later (MSIs); dtc also wants an interrupt
	 * provider to say how its children are addressed. */
	prop_u32(w, "#address-cells", 2);
	prop_u32(w, "#size-cells", 2);
	prop_empty(w, "ranges");
	/* KVM lays one redistributor per vCPU from the region's base and
	 * marks the last (GICR_TYPER.Last); the DT names just that span, so
	 * the rest of ARM64_GICR_SIZE stays unclaimed. */
	prop_reg2(w, ARM64_GICD_GPA, ARM64_GICD_SIZE, ARM64_GICR_GPA, ARM64_GICR_SIZE_FOR(ncpus), 2);
	prop_cells(w, "interrupts", maint, 3);
	prop_u32(w, "phandle", ARM64_FDT_PHANDLE_GIC);
	end(w);
}

static void add_timer(struct fdt_writer *w)
{
	uint32_t irqs[12] = {
		GIC_PPI, ARM64_PPI_TIMER_SEC_PHYS, IRQ_LEVEL_HIGH,
		GIC_PPI, ARM64_PPI_TIMER_PHYS, IRQ_LEVEL_HIGH,
		GIC_PPI, ARM64_PPI_TIMER_VIRT, IRQ_LEVEL_HIGH,
		GIC_PPI, ARM64_PPI_TIMER_HYP, IRQ_LEVEL_HIGH,
	};

	begin(w, "timer");
	prop_str(w, "compatible", "arm,armv8-timer");
	prop_cells(w, "interrupts", irqs, 12);
	/* The virtual timer keeps counting whatever the vCPU's power state;
	 * without this the guest wants a broadcast timer for idle. */
	prop_empty(w, "always-on");
	end(w);
}

static void add_clock(struct fdt_writer *w)
{
	begin(w, "apb-pclk");
	prop_str(w, "compatible", "fixed-clock");
	prop_u32(w, "#clock-cells", 0);
	prop_u32(w, "clock-frequency", ARM64_FDT_APB_CLOCK_HZ);
	prop_str(w, "clock-output-names", "clk24mhz");
	prop_u32(w, "phandle", ARM64_FDT_PHANDLE_CLOCK);
	end(w);
}

/* The AMBA bus binds PrimeCells by the peripheral ID it reads from the
 * device once its "apb_pclk" runs; the PL011 driver takes its baud clock
 * as the first clock. */
static void add_uart(struct fdt_writer *w)
{
	uint32_t irq[3] = { GIC_SPI, ARM64_UART_SPI, IRQ_LEVEL_HIGH };
	uint32_t clocks[2] = { ARM64_FDT_PHANDLE_CLOCK, ARM64_FDT_PHANDLE_CLOCK };

	begin(w, ARM64_FDT_UART_NODE);
	prop_strs(w, "compatible", "arm,pl011", "arm,primecell");
	prop_reg2(w, ARM64_UART_GPA, ARM64_UART_SIZE, 0, 0, 1);
	prop_cells(w, "interrupts", irq, 3);
	prop_cells(w, "clocks", clocks, 2);
	prop_strs(w, "clock-names", "uartclk", "apb_pclk");
	end(w);
}

static void add_power_button(struct fdt_writer *w)
{
	uint32_t irq[3] = { GIC_SPI, ARM64_GPIO_SPI, IRQ_LEVEL_HIGH };
	uint32_t gpios[3] = { ARM64_FDT_PHANDLE_GPIO, ARM64_POWER_BUTTON_PIN, GPIO_ACTIVE_HIGH };

	begin(w, ARM64_FDT_GPIO_NODE);
	prop_strs(w, "compatible", "arm,pl061", "arm,primecell");
	prop_reg2(w, ARM64_GPIO_GPA, ARM64_GPIO_SIZE, 0, 0, 1);
	prop_cells(w, "interrupts", irq, 3);
	prop_empty(w, "gpio-controller");
	prop_u32(w, "#gpio-cells", 2);
	prop_u32(w, "clocks", ARM64_FDT_PHANDLE_CLOCK);
	prop_str(w, "clock-names", "apb_pclk");
	prop_u32(w, "phandle", ARM64_FDT_PHANDLE_GPIO);
	end(w);

	begin(w, "gpio-keys");
	prop_str(w, "compatible", "gpio-keys");
	begin(w, "poweroff");
	prop_str(w, "label", "GPIO Key Poweroff");
	prop_u32(w, "linux,code", ARM64_KEY_POWER);
	prop_cells(w, "gpios", gpios, 3);
	end(w);
	end(w);
}

static void add_pvpanic(struct fdt_writer *w)
{
	begin(w, ARM64_FDT_PVPANIC_NODE);
	prop_str(w, "compatible", "qemu,pvpanic-mmio");
	prop_reg2(w, ARM64_PVPANIC_GPA, ARM64_PVPANIC_SIZE, 0, 0, 1);
	end(w);
}

static void add_chosen(struct fdt_writer *w, const struct arm64_fdt_config *cfg)
{
	begin(w, "chosen");
	if (cfg->cmdline)
		prop_str(w, "bootargs", cfg->cmdline);
	/* The console without console= on the command line, and earlycon's
	 * UART when it is given without arguments. */
	prop_str(w, "stdout-path", ARM64_FDT_UART_PATH);
	if (cfg->initrd_end > cfg->initrd_start) {
		prop_u64(w, "linux,initrd-start", cfg->initrd_start);
		prop_u64(w, "linux,initrd-end", cfg->initrd_end);
	}
	if (cfg->kaslr_seed_set)
		prop_u64(w, "kaslr-seed", cfg->kaslr_seed);
	if (cfg->rng_seed_len)
		prop(w, "rng-seed", cfg->rng_seed, (int)cfg->rng_seed_len);
	end(w);
}

static int fail(const char **why, const char *what)
{
	*why = what;
	return -1;
}

int arm64_fdt_build(const struct arm64_fdt_config *cfg, void *buf, size_t size, const char **why)
{
	struct fdt_writer w = { .fdt = buf };

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
	begin(&w, "");
	prop_u32(&w, "#address-cells", 2);
	prop_u32(&w, "#size-cells", 2);
	/* Linux's name for "a virtual machine with no board file", which is
	 * what this is: nothing in the guest keys off a board name. */
	prop_str(&w, "compatible", "linux,dummy-virt");
	prop_u32(&w, "interrupt-parent", ARM64_FDT_PHANDLE_GIC);
	begin(&w, "aliases");
	prop_str(&w, "serial0", ARM64_FDT_UART_PATH);
	end(&w);
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
	end(&w);
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
