/* The arm64 guest's device tree, decoded with libfdt: every node and every
 * property, for 1, 2, 8 and the most vCPUs, with and without the optional
 * devices. Addresses, interrupt numbers and phandles are spelled as numbers
 * on purpose, so a wrong constant in layout.h or fdt.h shows up here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <libfdt.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arm64/fdt.h"
#include "arm64/layout.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define BUF_SIZE (64 * 1024)

static uint8_t blob[BUF_SIZE];

static int node(const char *path)
{
	int off = fdt_path_offset(blob, path);
	if (off < 0)
		fail_msg("no node %s: %s", path, fdt_strerror(off));
	return off;
}

static const void *get(const char *path, const char *name, int *len)
{
	const void *p = fdt_getprop(blob, node(path), name, len);
	if (!p)
		fail_msg("%s has no property %s", path, name);
	return p;
}

static void expect_cells(const char *path, const char *name, const uint32_t *cells, int n)
{
	int len;
	const fdt32_t *p = get(path, name, &len);

	if (len != n * 4)
		fail_msg("%s/%s is %d bytes, expected %d", path, name, len, n * 4);
	for (int i = 0; i < n; i++)
		if (fdt32_to_cpu(p[i]) != cells[i])
			fail_msg("%s/%s cell %d is 0x%x, expected 0x%x", path, name, i, fdt32_to_cpu(p[i]), cells[i]);
}

static void expect_u32(const char *path, const char *name, uint32_t v)
{
	expect_cells(path, name, &v, 1);
}

static void expect_u64(const char *path, const char *name, uint64_t v)
{
	uint32_t c[2] = { (uint32_t)(v >> 32), (uint32_t)v };
	expect_cells(path, name, c, 2);
}

/* A string list given as "a\0b\0" with its full length. */
static void expect_bytes(const char *path, const char *name, const void *v, int n)
{
	int len;
	const void *p = get(path, name, &len);

	if (len != n || memcmp(p, v, (size_t)n))
		fail_msg("%s/%s differs (%d bytes, expected %d)", path, name, len, n);
}

static void expect_str(const char *path, const char *name, const char *s)
{
	expect_bytes(path, name, s, (int)strlen(s) + 1);
}

static void expect_empty(const char *path, const char *name)
{
	int len;
	get(path, name, &len);
	assert_int_equal(len, 0);
}

/* The node has exactly these properties, no more. */
static void expect_props(const char *path, const char *const *names)
{
	int off = node(path), prop, count = 0, want = 0;

	while (names[want])
		want++;
	fdt_for_each_property_offset(prop, blob, off) {
		const char *name;
		bool known = false;

		fdt_getprop_by_offset(blob, prop, &name, NULL);
		for (int i = 0; names[i]; i++)
			known |= !strcmp(names[i], name);
		if (!known)
			fail_msg("%s has an unexpected property %s", path, name);
		count++;
	}
	assert_int_equal(count, want);
}

/* The node has exactly these subnodes, in this order. */
static void expect_children(const char *path, const char *const *names)
{
	int off = node(path), child, i = 0;

	fdt_for_each_subnode(child, blob, off) {
		const char *name = fdt_get_name(blob, child, NULL);
		if (!names[i])
			fail_msg("%s has an unexpected node %s", path, name);
		if (strcmp(name, names[i]))
			fail_msg("%s: node %d is %s, expected %s", path, i, name, names[i]);
		i++;
	}
	if (names[i])
		fail_msg("%s lacks node %s", path, names[i]);
}

static void expect_absent(const char *path, const char *name)
{
	assert_null(fdt_getprop(blob, node(path), name, NULL));
}

static struct arm64_fdt_config full_config(unsigned ncpus)
{
	return (struct arm64_fdt_config){
		.ram_size = 512 * MiB,
		.ncpus = ncpus,
		.cmdline = "console=ttyAMA0 panic=-1",
		.initrd_start = 0x42600000,
		.initrd_end = 0x42600000 + 5 * MiB + 123,
		.pvpanic = true,
		.power_button = true,
		.rtc = true,
		.flash = true,
	};
}

static void build(const struct arm64_fdt_config *cfg)
{
	const char *why = NULL;

	memset(blob, 0xa5, sizeof(blob));
	if (arm64_fdt_build(cfg, blob, sizeof(blob), &why))
		fail_msg("arm64_fdt_build: %s", why);
	assert_int_equal(fdt_check_header(blob), 0);
	assert_true(fdt_totalsize(blob) <= sizeof(blob));
	assert_true(fdt_totalsize(blob) <= 2 * MiB);
	assert_int_equal(fdt_num_mem_rsv(blob), 0);
	assert_int_equal(fdt_version(blob), 17);
}

static uint32_t mpidr(unsigned i)
{
	return (i & 0xf) | ((i >> 4) & 0xff) << 8;
}

static void check_root(const struct arm64_fdt_config *cfg)
{
	const char *children[16];
	int n = 0;

	expect_props("/", (const char *const[]){ "#address-cells", "#size-cells", "compatible",
						 "interrupt-parent", NULL });
	expect_u32("/", "#address-cells", 2);
	expect_u32("/", "#size-cells", 2);
	expect_str("/", "compatible", "linux,dummy-virt");
	expect_u32("/", "interrupt-parent", 1);

	children[n++] = "aliases";
	children[n++] = "chosen";
	children[n++] = "memory@40000000";
	children[n++] = "cpus";
	children[n++] = "psci";
	children[n++] = "intc@8000000";
	children[n++] = "timer";
	children[n++] = "apb-pclk";
	children[n++] = "pl011@9000000";
	if (cfg->power_button) {
		children[n++] = "pl061@9030000";
		children[n++] = "gpio-keys";
	}
	if (cfg->pvpanic)
		children[n++] = "pvpanic@9060000";
	if (cfg->rtc)
		children[n++] = "pl031@9010000";
	if (cfg->flash)
		children[n++] = "flash@0";
	children[n] = NULL;
	expect_children("/", children);

	expect_props("/aliases", (const char *const[]){ "serial0", NULL });
	expect_str("/aliases", "serial0", "/pl011@9000000");
}

static void check_chosen(const struct arm64_fdt_config *cfg)
{
	const char *props[8];
	int n = 0;

	props[n++] = "stdout-path";
	if (cfg->cmdline)
		props[n++] = "bootargs";
	if (cfg->initrd_end > cfg->initrd_start) {
		props[n++] = "linux,initrd-start";
		props[n++] = "linux,initrd-end";
	}
	if (cfg->kaslr_seed_set)
		props[n++] = "kaslr-seed";
	if (cfg->rng_seed_len)
		props[n++] = "rng-seed";
	props[n] = NULL;
	expect_props("/chosen", props);
	expect_children("/chosen", (const char *const[]){ NULL });
	expect_str("/chosen", "stdout-path", "/pl011@9000000");
	if (cfg->cmdline)
		expect_str("/chosen", "bootargs", cfg->cmdline);
	if (cfg->initrd_end > cfg->initrd_start) {
		expect_u64("/chosen", "linux,initrd-start", cfg->initrd_start);
		expect_u64("/chosen", "linux,initrd-end", cfg->initrd_end);
	}
	if (cfg->kaslr_seed_set)
		expect_u64("/chosen", "kaslr-seed", cfg->kaslr_seed);
	if (cfg->rng_seed_len)
		expect_bytes("/chosen", "rng-seed", cfg->rng_seed, (int)cfg->rng_seed_len);
}

static void check_memory(const struct arm64_fdt_config *cfg)
{
	uint32_t reg[4] = { 0, 0x40000000, (uint32_t)(cfg->ram_size >> 32), (uint32_t)cfg->ram_size };

	expect_props("/memory@40000000", (const char *const[]){ "device_type", "reg", NULL });
	expect_str("/memory@40000000", "device_type", "memory");
	expect_cells("/memory@40000000", "reg", reg, 4);
}

static void check_cpus(unsigned ncpus)
{
	char path[64];
	int off = node("/cpus"), child, i = 0;

	expect_props("/cpus", (const char *const[]){ "#address-cells", "#size-cells", NULL });
	expect_u32("/cpus", "#address-cells", 1);
	expect_u32("/cpus", "#size-cells", 0);
	fdt_for_each_subnode(child, blob, off) {
		char want[32];

		snprintf(want, sizeof(want), "cpu@%x", mpidr((unsigned)i));
		assert_string_equal(fdt_get_name(blob, child, NULL), want);
		snprintf(path, sizeof(path), "/cpus/%s", want);
		expect_props(path, (const char *const[]){ "device_type", "compatible", "enable-method", "reg", NULL });
		expect_str(path, "device_type", "cpu");
		expect_str(path, "compatible", "arm,arm-v8");
		expect_str(path, "enable-method", "psci");
		expect_u32(path, "reg", mpidr((unsigned)i));
		i++;
	}
	assert_int_equal(i, ncpus);
}

static void check_fixed_nodes(unsigned ncpus)
{
	static const char psci_compat[] = "arm,psci-1.0\0arm,psci-0.2";
	static const char uart_compat[] = "arm,pl011\0arm,primecell";
	static const char uart_clocks[] = "uartclk\0apb_pclk";
	uint32_t gic_reg[8] = { 0, 0x08000000, 0, 0x10000, 0, 0x0c000000, 0, ncpus * 0x20000u };

	expect_props("/psci", (const char *const[]){ "compatible", "method", NULL });
	expect_bytes("/psci", "compatible", psci_compat, sizeof(psci_compat));
	expect_str("/psci", "method", "hvc");

	expect_props("/intc@8000000", (const char *const[]){ "compatible", "#interrupt-cells",
		"interrupt-controller", "#address-cells", "#size-cells", "ranges", "reg", "interrupts",
		"phandle", NULL });
	expect_str("/intc@8000000", "compatible", "arm,gic-v3");
	expect_u32("/intc@8000000", "#interrupt-cells", 3);
	expect_empty("/intc@8000000", "interrupt-controller");
	expect_u32("/intc@8000000", "#address-cells", 2);
	expect_u32("/intc@8000000", "#size-cells", 2);
	expect_empty("/intc@8000000", "ranges");
	expect_cells("/intc@8000000", "reg", gic_reg, 8);
	expect_cells("/intc@8000000", "interrupts", (const uint32_t[]){ 1, 9, 4 }, 3);
	expect_u32("/intc@8000000", "phandle", 1);
	assert_int_equal(fdt_node_offset_by_phandle(blob, 1), node("/intc@8000000"));
	expect_children("/intc@8000000", (const char *const[]){ NULL });

	expect_props("/timer", (const char *const[]){ "compatible", "interrupts", "always-on", NULL });
	expect_str("/timer", "compatible", "arm,armv8-timer");
	expect_cells("/timer", "interrupts", (const uint32_t[]){ 1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4 }, 12);
	expect_empty("/timer", "always-on");

	expect_props("/apb-pclk", (const char *const[]){ "compatible", "#clock-cells", "clock-frequency",
		"clock-output-names", "phandle", NULL });
	expect_str("/apb-pclk", "compatible", "fixed-clock");
	expect_u32("/apb-pclk", "#clock-cells", 0);
	expect_u32("/apb-pclk", "clock-frequency", 24000000);
	expect_str("/apb-pclk", "clock-output-names", "clk24mhz");
	expect_u32("/apb-pclk", "phandle", 2);
	assert_int_equal(fdt_node_offset_by_phandle(blob, 2), node("/apb-pclk"));

	expect_props("/pl011@9000000", (const char *const[]){ "compatible", "reg", "interrupts", "clocks",
		"clock-names", NULL });
	expect_bytes("/pl011@9000000", "compatible", uart_compat, sizeof(uart_compat));
	expect_cells("/pl011@9000000", "reg", (const uint32_t[]){ 0, 0x09000000, 0, 0x1000 }, 4);
	expect_cells("/pl011@9000000", "interrupts", (const uint32_t[]){ 0, 1, 4 }, 3);
	expect_cells("/pl011@9000000", "clocks", (const uint32_t[]){ 2, 2 }, 2);
	expect_bytes("/pl011@9000000", "clock-names", uart_clocks, sizeof(uart_clocks));
	assert_int_equal(fdt_node_check_compatible(blob, node("/pl011@9000000"), "arm,primecell"), 0);
}

static void check_optional(const struct arm64_fdt_config *cfg)
{
	static const char gpio_compat[] = "arm,pl061\0arm,primecell";

	if (cfg->power_button) {
		expect_props("/pl061@9030000", (const char *const[]){ "compatible", "reg", "interrupts",
			"gpio-controller", "#gpio-cells", "clocks", "clock-names", "phandle", NULL });
		expect_bytes("/pl061@9030000", "compatible", gpio_compat, sizeof(gpio_compat));
		expect_cells("/pl061@9030000", "reg", (const uint32_t[]){ 0, 0x09030000, 0, 0x1000 }, 4);
		expect_cells("/pl061@9030000", "interrupts", (const uint32_t[]){ 0, 7, 4 }, 3);
		expect_empty("/pl061@9030000", "gpio-controller");
		expect_u32("/pl061@9030000", "#gpio-cells", 2);
		expect_u32("/pl061@9030000", "clocks", 2);
		expect_str("/pl061@9030000", "clock-names", "apb_pclk");
		expect_u32("/pl061@9030000", "phandle", 3);
		assert_int_equal(fdt_node_offset_by_phandle(blob, 3), node("/pl061@9030000"));

		expect_props("/gpio-keys", (const char *const[]){ "compatible", NULL });
		expect_str("/gpio-keys", "compatible", "gpio-keys");
		expect_children("/gpio-keys", (const char *const[]){ "poweroff", NULL });
		expect_props("/gpio-keys/poweroff", (const char *const[]){ "label", "linux,code", "gpios", NULL });
		expect_str("/gpio-keys/poweroff", "label", "GPIO Key Poweroff");
		expect_u32("/gpio-keys/poweroff", "linux,code", 116);
		expect_cells("/gpio-keys/poweroff", "gpios", (const uint32_t[]){ 3, 3, 0 }, 3);
	} else {
		assert_int_equal(fdt_path_offset(blob, "/pl061@9030000"), -FDT_ERR_NOTFOUND);
		assert_int_equal(fdt_path_offset(blob, "/gpio-keys"), -FDT_ERR_NOTFOUND);
		assert_int_equal(fdt_node_offset_by_phandle(blob, 3), -FDT_ERR_NOTFOUND);
	}
	if (cfg->pvpanic) {
		expect_props("/pvpanic@9060000", (const char *const[]){ "compatible", "reg", NULL });
		expect_str("/pvpanic@9060000", "compatible", "qemu,pvpanic-mmio");
		expect_cells("/pvpanic@9060000", "reg", (const uint32_t[]){ 0, 0x09060000, 0, 2 }, 4);
	} else {
		assert_int_equal(fdt_path_offset(blob, "/pvpanic@9060000"), -FDT_ERR_NOTFOUND);
	}
	if (cfg->rtc) {
		static const char rtc_compat[] = "arm,pl031\0arm,primecell";

		expect_props("/pl031@9010000", (const char *const[]){ "compatible", "reg", "interrupts", "clocks",
			"clock-names", NULL });
		expect_bytes("/pl031@9010000", "compatible", rtc_compat, sizeof(rtc_compat));
		expect_cells("/pl031@9010000", "reg", (const uint32_t[]){ 0, 0x09010000, 0, 0x1000 }, 4);
		expect_cells("/pl031@9010000", "interrupts", (const uint32_t[]){ 0, 2, 4 }, 3);
		expect_u32("/pl031@9010000", "clocks", 2);
		expect_str("/pl031@9010000", "clock-names", "apb_pclk");
	} else {
		assert_int_equal(fdt_path_offset(blob, "/pl031@9010000"), -FDT_ERR_NOTFOUND);
	}
	if (cfg->flash) {
		expect_props("/flash@0", (const char *const[]){ "compatible", "reg", "bank-width", NULL });
		expect_str("/flash@0", "compatible", "cfi-flash");
		expect_cells("/flash@0", "reg", (const uint32_t[]){ 0, 0, 0, 0x4000000, 0, 0x4000000, 0, 0x4000000 }, 8);
		expect_u32("/flash@0", "bank-width", 4);
	} else {
		assert_int_equal(fdt_path_offset(blob, "/flash@0"), -FDT_ERR_NOTFOUND);
	}
}

static void check_all(const struct arm64_fdt_config *cfg)
{
	build(cfg);
	check_root(cfg);
	check_chosen(cfg);
	check_memory(cfg);
	check_cpus(cfg->ncpus);
	check_fixed_nodes(cfg->ncpus);
	check_optional(cfg);
}

static void test_cpus(void **state)
{
	static const unsigned counts[] = { 1, 2, 8, 16, 17, 123, 255, ARM64_MAX_VCPUS };
	(void)state;

	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct arm64_fdt_config cfg = full_config(counts[i]);
		check_all(&cfg);
	}
	assert_int_equal(ARM64_MAX_VCPUS, 256);
	/* Every redistributor inside the device window edk2 maps. */
	assert_true(ARM64_GICR_GPA >= 0x08000000 && ARM64_GICR_GPA + ARM64_GICR_SIZE <= 0x10000000);
}

static void test_max_cpus_names(void **state)
{
	struct arm64_fdt_config cfg = full_config(ARM64_MAX_VCPUS);
	(void)state;

	build(&cfg);
	/* vCPU 16 starts cluster 1, vCPU 255 is the last of cluster 15. */
	assert_true(fdt_path_offset(blob, "/cpus/cpu@0") >= 0);
	assert_true(fdt_path_offset(blob, "/cpus/cpu@f") >= 0);
	assert_true(fdt_path_offset(blob, "/cpus/cpu@100") >= 0);
	assert_true(fdt_path_offset(blob, "/cpus/cpu@f0f") >= 0);
	assert_int_equal(fdt_path_offset(blob, "/cpus/cpu@10"), -FDT_ERR_NOTFOUND);
	expect_u32("/cpus/cpu@f0f", "reg", 0xf0f);
	expect_cells("/intc@8000000", "reg",
		     (const uint32_t[]){ 0, 0x08000000, 0, 0x10000, 0, 0x0c000000, 0, 0x2000000 }, 8);
}

static void test_optional_devices(void **state)
{
	(void)state;
	for (int mask = 0; mask < 16; mask++) {
		struct arm64_fdt_config cfg = full_config(2);

		cfg.pvpanic = mask & 1;
		cfg.power_button = mask & 2;
		cfg.rtc = mask & 4;
		cfg.flash = mask & 8;
		check_all(&cfg);
	}
}

static void test_chosen_variants(void **state)
{
	static const uint8_t seed[64] = { 1, 2, 3, 4, 5, 6, 7, 8, [63] = 0xff };
	struct arm64_fdt_config cfg = full_config(1);
	char longest[ARM64_CMDLINE_MAX];
	(void)state;

	/* No command line, no initrd. */
	cfg.cmdline = NULL;
	cfg.initrd_start = cfg.initrd_end = 0;
	check_all(&cfg);
	expect_absent("/chosen", "bootargs");
	expect_absent("/chosen", "linux,initrd-start");
	/* An empty initrd range is no initrd. */
	cfg.initrd_start = cfg.initrd_end = 0x48000000;
	check_all(&cfg);
	expect_absent("/chosen", "linux,initrd-end");
	/* An empty command line is still given. */
	cfg.cmdline = "";
	check_all(&cfg);
	expect_str("/chosen", "bootargs", "");
	/* The longest command line arm64 Linux takes. */
	memset(longest, 'x', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = 0;
	cfg.cmdline = longest;
	check_all(&cfg);
	/* Seeds. */
	cfg.kaslr_seed_set = true;
	cfg.kaslr_seed = 0x0123456789abcdefULL;
	cfg.rng_seed = seed;
	cfg.rng_seed_len = sizeof(seed);
	check_all(&cfg);
	/* A zero kaslr-seed is still a seed the caller asked for. */
	cfg.kaslr_seed = 0;
	check_all(&cfg);
	/* initrd above 4 GiB: 64-bit cells. */
	cfg.ram_size = 8 * GiB;
	cfg.initrd_start = 0x1c0000000ULL;
	cfg.initrd_end = 0x1d0000000ULL;
	check_all(&cfg);
}

static void test_ram_sizes(void **state)
{
	static const uint64_t sizes[] = { 4096, 16 * MiB, 512 * MiB, 3 * GiB, 4 * GiB, 4 * GiB + 4096,
					  1023 * GiB };
	(void)state;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct arm64_fdt_config cfg = full_config(2);

		cfg.ram_size = sizes[i];
		cfg.initrd_start = cfg.initrd_end = 0;
		check_all(&cfg);
	}
}

static void expect_error(const struct arm64_fdt_config *cfg, void *buf, size_t size, const char *needle)
{
	const char *why = NULL;

	assert_int_equal(arm64_fdt_build(cfg, buf, size, &why), -1);
	assert_non_null(why);
	if (!strstr(why, needle))
		fail_msg("\"%s\" does not mention \"%s\"", why, needle);
}

static void test_bad_config(void **state)
{
	static uint8_t seed[4097];
	char toolong[ARM64_CMDLINE_MAX + 1];
	struct arm64_fdt_config cfg;
	(void)state;

	cfg = full_config(0);
	expect_error(&cfg, blob, sizeof(blob), "vCPUs");
	cfg = full_config(ARM64_MAX_VCPUS + 1);
	expect_error(&cfg, blob, sizeof(blob), "vCPUs");
	cfg = full_config(~0u);
	expect_error(&cfg, blob, sizeof(blob), "vCPUs");

	cfg = full_config(1);
	cfg.ram_size = 0;
	expect_error(&cfg, blob, sizeof(blob), "RAM");
	cfg.ram_size = 512 * MiB + 1;
	expect_error(&cfg, blob, sizeof(blob), "RAM");
	cfg.ram_size = 1024 * GiB;
	expect_error(&cfg, blob, sizeof(blob), "RAM");

	cfg = full_config(1);
	memset(toolong, 'y', sizeof(toolong) - 1);
	toolong[sizeof(toolong) - 1] = 0;
	toolong[ARM64_CMDLINE_MAX] = 0;
	cfg.cmdline = toolong;            /* 2048 characters */
	expect_error(&cfg, blob, sizeof(blob), "command line");

	cfg = full_config(1);
	cfg.initrd_end = cfg.initrd_start - 1;
	expect_error(&cfg, blob, sizeof(blob), "initrd");

	cfg = full_config(1);
	cfg.rng_seed = seed;
	cfg.rng_seed_len = sizeof(seed);
	expect_error(&cfg, blob, sizeof(blob), "rng-seed");
	cfg.rng_seed = NULL;
	cfg.rng_seed_len = 16;
	expect_error(&cfg, blob, sizeof(blob), "rng-seed");
	cfg.rng_seed_len = 4096;
	cfg.rng_seed = seed;
	check_all(&cfg);

	cfg = full_config(1);
	expect_error(&cfg, NULL, 0, "room");
	expect_error(&cfg, NULL, sizeof(blob), "room");
	expect_error(&cfg, blob, 0, "room");
	expect_error(&cfg, blob, 39, "room");
}

static void test_small_buffers(void **state)
{
	struct arm64_fdt_config cfg = full_config(8);
	const char *why;
	uint8_t *buf;
	uint32_t need;
	(void)state;

	build(&cfg);
	need = fdt_totalsize(blob);
	/* Every buffer short of the tree fails cleanly, within its bounds
	 * (ASan watches each malloc'd buffer's edge). */
	for (uint32_t size = 40; size < need; size++) {
		buf = malloc(size);
		assert_non_null(buf);
		assert_int_equal(arm64_fdt_build(&cfg, buf, size, &why), -1);
		assert_non_null(strstr(why, "does not fit"));
		free(buf);
	}
	buf = malloc(need);
	assert_non_null(buf);
	assert_int_equal(arm64_fdt_build(&cfg, buf, need, &why), 0);
	assert_int_equal(fdt_totalsize(buf), need);
	assert_memory_equal(buf, blob, need);
	free(buf);
}

static void test_deterministic(void **state)
{
	struct arm64_fdt_config cfg = full_config(8);
	static uint8_t first[BUF_SIZE];
	(void)state;

	build(&cfg);
	memcpy(first, blob, fdt_totalsize(blob));
	build(&cfg);
	assert_memory_equal(first, blob, fdt_totalsize(blob));
}

static void test_interrupt_tree(void **state)
{
	struct arm64_fdt_config cfg = full_config(2);
	int off;
	(void)state;

	build(&cfg);
	/* Every node with interrupts resolves to the GIC through the root's
	 * interrupt-parent, and has three cells per interrupt. */
	for (off = fdt_next_node(blob, -1, NULL); off >= 0; off = fdt_next_node(blob, off, NULL)) {
		int len;
		const void *irqs = fdt_getprop(blob, off, "interrupts", &len);

		if (!irqs)
			continue;
		assert_int_equal(len % 12, 0);
		assert_null(fdt_getprop(blob, off, "interrupt-parent", NULL));
	}
	expect_u32("/", "interrupt-parent", 1);
	/* SPIs are distinct. */
	expect_cells("/pl011@9000000", "interrupts", (const uint32_t[]){ 0, ARM64_UART_SPI, 4 }, 3);
	expect_cells("/pl061@9030000", "interrupts", (const uint32_t[]){ 0, ARM64_GPIO_SPI, 4 }, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_max_cpus_names),
		cmocka_unit_test(test_optional_devices),
		cmocka_unit_test(test_chosen_variants),
		cmocka_unit_test(test_ram_sizes),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_small_buffers),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_interrupt_tree),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
