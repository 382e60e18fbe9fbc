#include "x86/bzimage.h"

#include <string.h>

static uint16_t get16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t get32(const uint8_t *p) { return get16(p) | (uint32_t)get16(p + 2) << 16; }
static void put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, (uint16_t)v); put16(p + 2, (uint16_t)(v >> 16)); }
static void put64(uint8_t *p, uint64_t v) { put32(p, (uint32_t)v); put32(p + 4, (uint32_t)(v >> 32)); }

int bzimage_parse(const uint8_t *img, size_t size, struct bzimage *bz, const char **why)
{
	unsigned setup_sects;

	memset(bz, 0, sizeof(*bz));
	if (size < BP_HEADER + 0x70 || get32(img + BP_HEADER) != BOOT_HDR_MAGIC) {
		*why = "not a Linux bzImage (no \"HdrS\" boot header)";
		return -1;
	}
	bz->version = get16(img + BP_VERSION);
	if (bz->version < BOOT_MIN_VERSION) {
		*why = "boot protocol older than 2.12: no 64-bit entry point";
		return -1;
	}
	if (!(get16(img + BP_XLOADFLAGS) & XLF_KERNEL_64)) {
		*why = "kernel has no 64-bit entry point (xloadflags.XLF_KERNEL_64 clear)";
		return -1;
	}
	if (!(img[BP_LOADFLAGS] & LOADFLAG_LOADED_HIGH)) {
		*why = "zImage kernels (loaded below 1 MiB) are not supported";
		return -1;
	}
	setup_sects = img[BP_SETUP_SECTS] ? img[BP_SETUP_SECTS] : 4;
	bz->setup_size = (size_t)(setup_sects + 1) * 512;
	/* The jump at 0x200 skips exactly the header: its end is where it lands. */
	bz->header_end = BP_JUMP + 2 + img[BP_JUMP + 1];
	if (bz->setup_size >= size || bz->header_end > bz->setup_size || bz->header_end > BOOT_PARAMS_SIZE) {
		*why = "bzImage is truncated or its setup header is malformed";
		return -1;
	}
	bz->image = img;
	bz->image_size = size;
	bz->kernel = img + bz->setup_size;
	bz->kernel_size = size - bz->setup_size;
	bz->initrd_addr_max = get32(img + BP_INITRD_ADDR_MAX);
	bz->cmdline_size = get32(img + BP_CMDLINE_SIZE);
	bz->init_size = bz->version >= 0x020a ? get32(img + BP_INIT_SIZE) : 0;
	if (bz->init_size < bz->kernel_size)
		bz->init_size = (uint32_t)bz->kernel_size;
	return 0;
}

int bzimage_place_initrd(const struct bzimage *bz, uint64_t kernel_gpa, uint64_t low_ram_end,
			 uint64_t initrd_size, uint64_t *initrd_gpa, const char **why)
{
	uint64_t top = (uint64_t)bz->initrd_addr_max + 1;
	uint64_t floor = kernel_gpa + bz->init_size;

	if (low_ram_end < top)
		top = low_ram_end;
	top &= ~0xfffULL;
	if (initrd_size > top || ((top - initrd_size) & ~0xfffULL) < floor) {
		*why = "initrd does not fit in guest memory below the kernel's initrd limit; give the guest more --memory";
		return -1;
	}
	*initrd_gpa = (top - initrd_size) & ~0xfffULL;
	return 0;
}

int bzimage_boot_params(const struct bzimage *bz, const struct boot_params_in *in,
			uint8_t *zp, const char **why)
{
	const struct e820_map *e820 = in->e820;

	/* cmdline_size counts characters, not the terminating NUL. */
	if (bz->cmdline_size && in->cmdline_len > bz->cmdline_size) {
		*why = "kernel command line is longer than this kernel accepts";
		return -1;
	}
	if (in->cmdline_gpa > UINT32_MAX || in->initrd_gpa + in->initrd_size > UINT32_MAX + 1ULL) {
		*why = "command line or initrd placed above 4 GiB";
		return -1;
	}
	if (e820->count > E820_MAX_ENTRIES) {
		*why = "too many e820 entries";
		return -1;
	}
	memset(zp, 0, BOOT_PARAMS_SIZE);
	/* Start from the kernel's own header, then fill in what the loader owns. */
	memcpy(zp + BP_SETUP_SECTS, bz->image + BP_SETUP_SECTS, bz->header_end - BP_SETUP_SECTS);
	put16(zp + BP_VID_MODE, 0xffff);           /* "normal" text mode */
	zp[BP_TYPE_OF_LOADER] = 0xff;              /* undefined boot loader */
	zp[BP_LOADFLAGS] |= LOADFLAG_CAN_USE_HEAP;
	put16(zp + BP_HEAP_END_PTR, 0xfe00);
	put32(zp + BP_CMD_LINE_PTR, (uint32_t)in->cmdline_gpa);
	if (in->initrd_size) {
		put32(zp + BP_RAMDISK_IMAGE, (uint32_t)in->initrd_gpa);
		put32(zp + BP_RAMDISK_SIZE, (uint32_t)in->initrd_size);
	}
	if (bz->version >= 0x020e)
		put64(zp + BP_ACPI_RSDP_ADDR, in->rsdp_gpa);
	zp[BP_E820_ENTRIES] = (uint8_t)e820->count;
	for (unsigned i = 0; i < e820->count; i++) {
		uint8_t *e = zp + BP_E820_TABLE + 20 * i;
		put64(e, e820->entry[i].addr);
		put64(e + 8, e820->entry[i].size);
		put32(e + 16, e820->entry[i].type);
	}
	return 0;
}
