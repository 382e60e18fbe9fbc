/* The device tree an arm64 vmras guest boots with (direct kernel boot),
 * written with libfdt's sequential-write API. Pure: it describes the map
 * in arm64/layout.h into a caller's buffer. */
#ifndef VMRAS_ARM64_FDT_H
#define VMRAS_ARM64_FDT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Linux's arm64 COMMAND_LINE_SIZE: bootargs longer than this are cut. */
#define ARM64_CMDLINE_MAX 2048

/* Phandles vmras gives the nodes others point at. */
#define ARM64_FDT_PHANDLE_GIC   1
#define ARM64_FDT_PHANDLE_CLOCK 2
#define ARM64_FDT_PHANDLE_GPIO  3

/* The PL011's and PL061's clock: a fixed 24 MHz, as on QEMU's virt, so
 * the PL011 driver's baud divisors come out as on virt. */
#define ARM64_FDT_APB_CLOCK_HZ  24000000

/* Node names (children of the root), and the UART's path for stdout-path. */
#define ARM64_FDT_UART_NODE     "pl011@9000000"
#define ARM64_FDT_GIC_NODE      "intc@8000000"
#define ARM64_FDT_GPIO_NODE     "pl061@9030000"
#define ARM64_FDT_PVPANIC_NODE  "pvpanic@9060000"
#define ARM64_FDT_RTC_NODE      "pl031@9010000"
#define ARM64_FDT_FLASH_NODE    "flash@0"
#define ARM64_FDT_FW_CFG_NODE   "fw-cfg@9020000"
#define ARM64_FDT_UART_PATH     "/" ARM64_FDT_UART_NODE

struct arm64_fdt_config {
	uint64_t ram_size;           /* RAM from ARM64_RAM_GPA */
	unsigned ncpus;              /* 1 to ARM64_MAX_VCPUS */
	const char *cmdline;         /* NULL: no bootargs */
	uint64_t initrd_start;       /* GPA; initrd_end == initrd_start: no initrd */
	uint64_t initrd_end;         /* exclusive */
	bool pvpanic;                /* the pvpanic-mmio node */
	bool power_button;           /* the PL061 and its gpio-keys power key */
	bool rtc;                    /* the PL031 */
	/* The two CFI flash banks: a boot through firmware, which reads
	 * this tree from the start of RAM. */
	bool flash;
	/* fw_cfg: where that firmware finds the kernel and ACPI tables. */
	bool fw_cfg;
	/* virtio-mmio devices at ARM64_VIRTIO_* (0 to ARM64_VIRTIO_MAX). */
	unsigned nvirtio;
	/* Optional entropy, chosen by the caller (this module is pure):
	 * kaslr-seed randomises the kernel's virtual placement (the guest
	 * cannot ask an EFI stub for it on a direct boot), rng-seed feeds
	 * the guest's RNG before any device does. */
	bool kaslr_seed_set;
	uint64_t kaslr_seed;
	const uint8_t *rng_seed;
	size_t rng_seed_len;
};

/* Writes the DTB into buf (size bytes); its length is then
 * fdt_totalsize(buf). Returns 0, or -1 with a reason in *why (a static
 * string): an invalid config, a buffer too small, or a tree larger than
 * ARM64_DTB_MAX. */
int arm64_fdt_build(const struct arm64_fdt_config *cfg, void *buf, size_t size, const char **why);

#endif
