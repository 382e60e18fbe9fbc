/* Fills guest memory the way firmware plus a boot loader would before
 * jumping to a Linux kernel's 64-bit entry: kernel, command line, initrd,
 * ACPI tables, e820 map, boot_params, GDT and page tables. Pure: it only
 * writes through the guest RAM table, so it runs in unit tests too. */
#ifndef VMRAS_X86_BOOT_H
#define VMRAS_X86_BOOT_H

#include <stddef.h>
#include <stdint.h>

#include "vmm/guest_ram.h"
#include <stdbool.h>

#include "x86/bzimage.h"

struct x86_boot_in {
	const struct bzimage *kernel;
	const uint8_t *initrd;
	size_t initrd_size;
	const char *cmdline;
	unsigned ncpus;
	bool ghes;                /* the ACPI tables describe the GHES sources (HEST) */
	unsigned nvirtio;         /* ... and this many virtio-mmio devices */
	/* Errors of a previous boot: a Boot Error Region (ras/bert.h) placed
	 * at X86_BERT_REGION_GPA, with a BERT and an ACPI NVS e820 range for
	 * it; none when boot_errors_len is 0. */
	const uint8_t *boot_errors;
	size_t boot_errors_len;
	/* Guest memory the guest must keep off (poisoned, not replaceable):
	 * reserved in the e820 map, widened to whole 4 KiB pages. */
	const struct gpa_range *avoid;
	size_t navoid;
};

struct x86_boot_out {
	uint64_t entry;           /* where the BSP starts */
	uint64_t boot_params;     /* %rsi */
	uint64_t initrd_gpa;
	uint64_t rsdp_gpa;
};

/* Returns 0, or -1 with a one-line reason in why. */
int x86_boot_load(const struct guest_ram *ram, const struct x86_boot_in *in,
		  struct x86_boot_out *out, char *why, size_t whylen);

#endif
