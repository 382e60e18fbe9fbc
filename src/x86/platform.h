/* What the x86 platform looks like to the guest's firmware tables. One
 * place, so the ACPI a guest boots with and the ACPI --dump-acpi writes are
 * the same bytes. */
#ifndef VMRAS_X86_PLATFORM_H
#define VMRAS_X86_PLATFORM_H

#include <stdbool.h>

#include "acpi/acpi.h"

/* ghes: the guest is told of memory errors through APEI too (--ras ghes or
 * both), so the tables include the HEST. */
void x86_platform_acpi_config(unsigned ncpus, bool ghes, struct acpi_x86_config *cfg);
/* The tables built from that configuration (see acpi_build_x86). */
int x86_platform_acpi_tables(unsigned ncpus, bool ghes, struct acpi_blob *out);

#endif
