#include "x86/boot.h"

#include <stdio.h>
#include <string.h>

#include "acpi/acpi.h"
#include "x86/e820.h"
#include "x86/layout.h"
#include "x86/longmode.h"
#include "x86/platform.h"

static int fail(char *why, size_t whylen, const char *what)
{
	snprintf(why, whylen, "%s", what);
	return -1;
}

static uint64_t low_ram_end(const struct guest_ram *ram)
{
	const struct ram_region *r = guest_ram_find_gpa(ram, 0, 1);
	return r ? r->gpa + r->size : 0;
}

static int load_acpi(const struct guest_ram *ram, const struct x86_boot_in *in, uint64_t *rsdp,
		     char *why, size_t whylen)
{
	struct acpi_blob blob;
	int ok;

	if (in->boot_errors_len) {
		if (in->boot_errors_len > X86_BERT_REGION_MAX)
			return fail(why, whylen, "the boot error region is larger than its place below 1 MiB");
		if (!guest_ram_write(ram, X86_BERT_REGION_GPA, in->boot_errors, in->boot_errors_len))
			return fail(why, whylen, "cannot place the boot error region");
	}
	if (x86_platform_acpi_tables(in->ncpus, in->ghes, in->nvirtio, (uint32_t)in->boot_errors_len, &blob))
		return fail(why, whylen, "cannot build the ACPI tables");
	ok = blob.len <= X86_ACPI_MAX && guest_ram_write(ram, X86_ACPI_GPA, blob.buf, blob.len);
	*rsdp = blob.rsdp_gpa;
	acpi_blob_free(&blob);
	return ok ? 0 : fail(why, whylen, "the ACPI tables do not fit below 1 MiB");
}

/* vmras has no BIOS, but guests still jump to the reset vector to reboot:
 * Linux on a hardware-reduced ACPI machine without EFI falls back to its
 * "BIOS" method, a far jump to F000:FFF0. Real firmware would start over
 * from there; this stub asks vmras for the reset instead. Real mode:
 *   mov dx, RESET_PORT; mov al, RESET_VALUE; out dx, al; 1: hlt; jmp 1b */
static const uint8_t reset_vector_stub[] = {
	0xba, X86_ACPI_RESET_PORT & 0xff, X86_ACPI_RESET_PORT >> 8,
	0xb0, X86_ACPI_RESET_VALUE,
	0xee,
	0xf4,
	0xeb, 0xfd,
};

int x86_boot_load(const struct guest_ram *ram, const struct x86_boot_in *in,
		  struct x86_boot_out *out, char *why, size_t whylen)
{
	const struct bzimage *bz = in->kernel;
	uint64_t low_end = low_ram_end(ram);
	size_t cmdline_len = strlen(in->cmdline);
	struct boot_params_in bp = { 0 };
	struct e820_map e820;
	uint8_t zero_page[BOOT_PARAMS_SIZE];
	const char *reason;

	memset(out, 0, sizeof(*out));
	if (X86_KERNEL_GPA + bz->init_size > low_end)
		return fail(why, whylen, "the kernel needs more memory than the guest has; raise --memory");
	if (!guest_ram_write(ram, X86_KERNEL_GPA, bz->kernel, bz->kernel_size))
		return fail(why, whylen, "the kernel does not fit in guest memory");
	if (cmdline_len >= X86_CMDLINE_MAX)
		return fail(why, whylen, "the kernel command line is too long");
	if (!guest_ram_write(ram, X86_CMDLINE_GPA, in->cmdline, cmdline_len + 1))
		return fail(why, whylen, "cannot place the command line");
	if (in->initrd_size) {
		if (bzimage_place_initrd(bz, X86_KERNEL_GPA, low_end, in->initrd_size, &out->initrd_gpa, &reason))
			return fail(why, whylen, reason);
		if (!guest_ram_write(ram, out->initrd_gpa, in->initrd, in->initrd_size))
			return fail(why, whylen, "cannot place the initrd");
	}
	if (load_acpi(ram, in, &out->rsdp_gpa, why, whylen))
		return -1;
	if (e820_build_x86(&e820, ram))
		return fail(why, whylen, "cannot build the e820 map");
	if (in->boot_errors_len &&
	    e820_set(&e820, X86_BERT_REGION_GPA, (in->boot_errors_len + 0xfff) & ~(uint64_t)0xfff, E820_NVS))
		return fail(why, whylen, "cannot add the boot error region to the e820 map");
	for (size_t i = 0; i < in->navoid; i++) {
		uint64_t start = in->avoid[i].gpa & ~(uint64_t)0xfff;
		uint64_t end = (in->avoid[i].gpa + in->avoid[i].size + 0xfff) & ~(uint64_t)0xfff;

		if (end > start && e820_set(&e820, start, end - start, E820_RESERVED))
			return fail(why, whylen, "too many poisoned pages to keep out of the e820 map");
	}
	bp.cmdline_gpa = X86_CMDLINE_GPA;
	bp.cmdline_len = (uint32_t)cmdline_len;
	bp.initrd_gpa = out->initrd_gpa;
	bp.initrd_size = in->initrd_size;
	bp.rsdp_gpa = out->rsdp_gpa;
	bp.e820 = &e820;
	if (bzimage_boot_params(bz, &bp, zero_page, &reason))
		return fail(why, whylen, reason);
	if (!guest_ram_write(ram, X86_BOOT_PARAMS_GPA, zero_page, sizeof(zero_page)))
		return fail(why, whylen, "cannot place boot_params");
	if (!guest_ram_write(ram, X86_RESET_VECTOR_GPA, reset_vector_stub, sizeof(reset_vector_stub)))
		return fail(why, whylen, "cannot place the reset vector");
	if (x86_write_boot_tables(ram))
		return fail(why, whylen, "cannot place the GDT and page tables");
	/* The 64-bit entry sits 0x200 bytes into the protected-mode kernel. */
	out->entry = X86_KERNEL_GPA + 0x200;
	out->boot_params = X86_BOOT_PARAMS_GPA;
	return 0;
}
