/* The Linux arm64 Image format (Documentation/arch/arm64/booting.rst):
 * reading its 64-byte header and deciding where the kernel, the DTB and
 * the initrd go in guest RAM. Pure: works on a buffer, never on guest
 * memory. */
#ifndef VMRAS_ARM64_IMAGE_H
#define VMRAS_ARM64_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARM64_IMAGE_HEADER_SIZE 64
#define ARM64_IMAGE_MAGIC_OFF   0x38
#define ARM64_IMAGE_MAGIC       0x644d5241u   /* "ARM\x64", little-endian */

/* Header flags. */
#define ARM64_IMAGE_FLAG_BE          (1ull << 0)
#define ARM64_IMAGE_FLAG_PAGE_SHIFT  1
#define ARM64_IMAGE_FLAG_PAGE_MASK   (3ull << ARM64_IMAGE_FLAG_PAGE_SHIFT)
#define ARM64_IMAGE_FLAG_PHYS_ANY    (1ull << 3)

struct arm64_image {
	const uint8_t *data;       /* the whole file, copied to load_gpa as it is */
	size_t size;
	uint64_t text_offset;      /* from the 2 MiB-aligned base to the first byte */
	uint64_t image_size;       /* bytes from the first byte the kernel owns at boot */
	uint64_t flags;
	unsigned page_size;        /* 4096, 16384 or 65536; 0: the header does not say */
	bool phys_anywhere;        /* the base need not be near the start of RAM */
};

/* Returns 0, or -1 with a reason in *why (a static string) when buf is not
 * an arm64 Image vmras can boot: too short, no magic (with a hint when it
 * is a compressed Image, an EFI zboot image, a bzImage or an ELF vmlinux),
 * a big-endian kernel, a kernel older than 3.17 (image_size 0), or a
 * header whose sizes make no sense. Never reads outside buf. */
int arm64_image_parse(const uint8_t *buf, size_t size, struct arm64_image *img, const char **why);

/* Where everything goes. The kernel is entered at kernel_gpa with x0 =
 * dtb_gpa. */
struct arm64_boot_plan {
	uint64_t dtb_gpa;
	uint64_t dtb_max;          /* room the DTB may take at dtb_gpa */
	uint64_t kernel_gpa;       /* load address and entry point */
	uint64_t kernel_end;       /* end of what the kernel owns while booting */
	uint64_t initrd_gpa;       /* both 0 without an initrd */
	uint64_t initrd_end;
};

/* Plans a direct boot into RAM [ram_gpa, ram_gpa + ram_size): the DTB at
 * the start of RAM (ARM64_DTB_MAX, alone in its 2 MiB block), the kernel's
 * 2 MiB-aligned base right after it, the initrd (initrd_size bytes, 0 for
 * none) on the next 2 MiB boundary after the kernel's footprint. None of
 * them overlap. Returns 0, or -1 with *why (RAM too small for the kernel or
 * the initrd, RAM not 2 MiB aligned). */
int arm64_image_place(const struct arm64_image *img, uint64_t ram_gpa, uint64_t ram_size,
		      uint64_t initrd_size, struct arm64_boot_plan *plan, const char **why);

#endif
