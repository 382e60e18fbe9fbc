#ifndef VMRAS_VMM_ACPI_DUMP_H
#define VMRAS_VMM_ACPI_DUMP_H

#include <stdbool.h>

#include <stddef.h>

/* Writes every ACPI table a guest with ncpus would see to dir/SIG.dat
 * (creating dir if needed). Returns 0, or -1 with a reason in why. */
int acpi_dump(const char *dir, unsigned ncpus, bool ghes, unsigned nvirtio, char *why, size_t whylen);

#endif
