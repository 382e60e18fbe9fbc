/* What the x86 platform looks like to the guest's firmware tables. One
 * place, so the ACPI a guest boots with and the ACPI --dump-acpi writes are
 * the same bytes. nvirtio: how many virtio-mmio devices the DSDT lists
 * (X86_VIRTIO_*). */
#ifndef VMRAS_X86_PLATFORM_H
#define VMRAS_X86_PLATFORM_H

#include <stdbool.h>

#include "x86/acpi.h"

/* ghes: the guest is told of memory errors through APEI too (--ras ghes or
 * both), so the tables include the HEST. */
void x86_platform_acpi_config(unsigned ncpus, bool ghes, unsigned nvirtio, struct x86_acpi_config *cfg);
/* The tables built from that configuration (see x86_acpi_build), with a
 * BERT for a Boot Error Region of bert_region_len bytes at
 * X86_BERT_REGION_GPA when that is not 0. */
int x86_platform_acpi_tables(unsigned ncpus, bool ghes, unsigned nvirtio, uint32_t bert_region_len,
			     struct acpi_blob *out);

#endif
