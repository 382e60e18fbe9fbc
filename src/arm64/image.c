#include "arm64/image.h"

#include <string.h>

#include "arm64/layout.h"

#define SZ_2M (2 * ARM64_MiB)
#define SZ_1G ARM64_GiB

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const uint8_t *p)
{
	return get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* The usual wrong files, named, so --kernel's error says what to do. */
static const char *not_an_image(const uint8_t *buf, size_t size)
{
	if (size >= 2 && buf[0] == 0x1f && buf[1] == 0x8b)
		return "a gzip-compressed kernel (Image.gz): give vmras the uncompressed Image";
	if (size >= 8 && buf[0] == 'M' && buf[1] == 'Z' && !memcmp(buf + 4, "zimg", 4))
		return "an EFI zboot kernel (CONFIG_EFI_ZBOOT): vmras boots the plain Image";
	if (size >= 4 && !memcmp(buf, "\x7f" "ELF", 4))
		return "an ELF file (vmlinux?): vmras boots the arm64 Image, arch/arm64/boot/Image";
	if (size >= 0x206 && !memcmp(buf + 0x202, "HdrS", 4))
		return "an x86 bzImage, not an arm64 Image";
	if (size < ARM64_IMAGE_HEADER_SIZE)
		return "too short for an arm64 Image header (64 bytes)";
	return "not an arm64 Linux Image (no \"ARM\\x64\" magic at offset 0x38)";
}

int arm64_image_parse(const uint8_t *buf, size_t size, struct arm64_image *img, const char **why)
{
	static const unsigned page_sizes[4] = { 0, 4096, 16384, 65536 };

	memset(img, 0, sizeof(*img));
	if (!buf || size < ARM64_IMAGE_HEADER_SIZE || get32(buf + ARM64_IMAGE_MAGIC_OFF) != ARM64_IMAGE_MAGIC) {
		*why = buf ? not_an_image(buf, size) : "no kernel image";
		return -1;
	}
	img->text_offset = get64(buf + 8);
	img->image_size = get64(buf + 16);
	img->flags = get64(buf + 24);
	/* Before 3.17 the header had no image_size, and the kernel's
	 * footprint past its end is unbounded: there is no safe place for
	 * the DTB or the initrd. */
	if (img->image_size == 0) {
		*why = "arm64 Image without image_size (a kernel older than 3.17): not supported";
		return -1;
	}
	if (img->flags & ARM64_IMAGE_FLAG_BE) {
		*why = "big-endian arm64 kernel: vmras boots little-endian kernels only";
		return -1;
	}
	/* Every kernel has used 0, 0x80000 or (RANDOMIZE_TEXT_OFFSET) a
	 * page-aligned value below 2 MiB; anything else is a damaged header
	 * and would put the kernel across the next 2 MiB block. */
	if (img->text_offset >= SZ_2M || img->text_offset % 4096) {
		*why = "arm64 Image header has an invalid text_offset (not page-aligned below 2 MiB)";
		return -1;
	}
	if (img->image_size < ARM64_IMAGE_HEADER_SIZE || img->image_size > ARM64_RAM_MAX_DEFAULT_IPA) {
		*why = "arm64 Image header has an invalid image_size";
		return -1;
	}
	img->data = buf;
	img->size = size;
	img->page_size = page_sizes[(img->flags & ARM64_IMAGE_FLAG_PAGE_MASK) >> ARM64_IMAGE_FLAG_PAGE_SHIFT];
	img->phys_anywhere = img->flags & ARM64_IMAGE_FLAG_PHYS_ANY;
	return 0;
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

static int no_room(struct arm64_boot_plan *plan, const char **why, const char *what)
{
	memset(plan, 0, sizeof(*plan));
	*why = what;
	return -1;
}

int arm64_image_place(const struct arm64_image *img, uint64_t ram_gpa, uint64_t ram_size,
		      uint64_t initrd_size, struct arm64_boot_plan *plan, const char **why)
{
	uint64_t footprint = img->image_size > img->size ? img->image_size : img->size;
	uint64_t ram_end, base, window_end;

	memset(plan, 0, sizeof(*plan));
	if (ram_gpa % SZ_2M)
		return no_room(plan, why, "guest RAM does not start on a 2 MiB boundary");
	/* A window that wraps or ends past the 32 GiB the initrd may use is
	 * never vmras's: keeping every sum below 2^64 is then simple. */
	if (ram_size > UINT64_MAX - ram_gpa || ram_gpa + ram_size > UINT64_MAX - 64 * SZ_1G)
		return no_room(plan, why, "guest RAM ends beyond the physical address space");
	ram_end = ram_gpa + ram_size;
	base = ram_gpa + ARM64_DTB_MAX;
	if (ram_end < base || ram_end - base < img->text_offset ||
	    ram_end - base - img->text_offset < footprint)
		return no_room(plan, why, "the kernel needs more memory than the guest has; raise --memory");
	plan->dtb_gpa = ram_gpa;
	plan->dtb_max = ARM64_DTB_MAX;
	plan->kernel_gpa = base + img->text_offset;
	plan->kernel_end = plan->kernel_gpa + footprint;
	if (!initrd_size)
		return 0;
	if (plan->kernel_end > ram_end - SZ_2M || initrd_size > ram_end - align_up(plan->kernel_end, SZ_2M))
		return no_room(plan, why, "the initrd does not fit in guest memory after the kernel; raise --memory");
	plan->initrd_gpa = align_up(plan->kernel_end, SZ_2M);
	/* booting.rst: the initrd must lie in a 1 GiB-aligned window of at
	 * most 32 GiB that also holds the kernel. */
	window_end = (base & ~(SZ_1G - 1)) + 32 * SZ_1G;
	if (window_end < plan->initrd_gpa || window_end - plan->initrd_gpa < initrd_size)
		return no_room(plan, why, "the initrd is too large: it must end within 32 GiB of the kernel's 1 GiB block");
	plan->initrd_end = plan->initrd_gpa + initrd_size;
	return 0;
}
