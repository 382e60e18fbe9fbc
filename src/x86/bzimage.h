/* Linux x86 boot protocol: reading a bzImage's setup header and building the
 * boot_params ("zero page") for the 64-bit entry point. Offsets are those of
 * Documentation/arch/x86/boot.rst and zero-page.rst. Pure: works on buffers. */
#ifndef VMRAS_X86_BZIMAGE_H
#define VMRAS_X86_BZIMAGE_H

#include <stddef.h>
#include <stdint.h>

#include "x86/e820.h"

#define BOOT_PARAMS_SIZE 4096

/* Offsets inside boot_params (and, from 0x1f1, inside the bzImage itself). */
#define BP_ACPI_RSDP_ADDR   0x070
#define BP_E820_ENTRIES     0x1e8
#define BP_SETUP_SECTS      0x1f1
#define BP_VID_MODE         0x1fa
#define BP_BOOT_FLAG        0x1fe
#define BP_JUMP             0x200
#define BP_HEADER           0x202
#define BP_VERSION          0x206
#define BP_TYPE_OF_LOADER   0x210
#define BP_LOADFLAGS        0x211
#define BP_RAMDISK_IMAGE    0x218
#define BP_RAMDISK_SIZE     0x21c
#define BP_HEAP_END_PTR     0x224
#define BP_CMD_LINE_PTR     0x228
#define BP_INITRD_ADDR_MAX  0x22c
#define BP_KERNEL_ALIGNMENT 0x230
#define BP_RELOCATABLE      0x234
#define BP_XLOADFLAGS       0x236
#define BP_CMDLINE_SIZE     0x238
#define BP_INIT_SIZE        0x260
#define BP_E820_TABLE       0x2d0

#define BOOT_HDR_MAGIC      0x53726448u   /* "HdrS" */
#define LOADFLAG_LOADED_HIGH 0x01
#define LOADFLAG_CAN_USE_HEAP 0x80
#define XLF_KERNEL_64       0x0001
#define BOOT_MIN_VERSION    0x020c        /* xloadflags, and so the 64-bit entry, exist from 2.12 */

struct bzimage {
	const uint8_t *image;
	size_t image_size;
	uint16_t version;
	size_t setup_size;      /* real-mode part, boot sector included */
	size_t header_end;      /* end of the setup header inside the image */
	const uint8_t *kernel;  /* protected-mode part, loaded at X86_KERNEL_GPA */
	size_t kernel_size;
	uint32_t initrd_addr_max;
	uint32_t init_size;     /* memory the kernel needs from its load address while booting */
	uint32_t cmdline_size;
};

/* Returns 0, or -1 with a reason in *why (a static string). */
int bzimage_parse(const uint8_t *image, size_t size, struct bzimage *bz, const char **why);

/* Picks the highest page-aligned address for the initrd that is below both
 * the kernel's initrd_addr_max and low_ram_end, and above the kernel's
 * boot-time footprint. Returns 0, or -1 with *why. */
int bzimage_place_initrd(const struct bzimage *bz, uint64_t kernel_gpa, uint64_t low_ram_end,
			 uint64_t initrd_size, uint64_t *initrd_gpa, const char **why);

struct boot_params_in {
	uint64_t cmdline_gpa;
	uint32_t cmdline_len;   /* without the terminating NUL */
	uint64_t initrd_gpa;
	uint64_t initrd_size;   /* 0: no initrd */
	uint64_t rsdp_gpa;      /* 0: let the kernel scan for it */
	const struct e820_map *e820;
};

/* Fills a BOOT_PARAMS_SIZE buffer. Returns 0, or -1 with *why. */
int bzimage_boot_params(const struct bzimage *bz, const struct boot_params_in *in,
			uint8_t *zero_page, const char **why);

#endif
