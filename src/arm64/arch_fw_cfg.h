/* The arm64 machine's fw_cfg (a boot through firmware): what edk2 reads
 * from it (the kernel, initrd and command line; the ACPI tables and the
 * loader script that places them) and what it writes back (where it put
 * the GHES error blocks). */
#ifndef VMRAS_ARM64_ARCH_FW_CFG_H
#define VMRAS_ARM64_ARCH_FW_CFG_H

#include <stddef.h>

struct machine;

/* Once: builds the ACPI tables and puts the device on the MMIO bus. */
int arm64_fw_cfg_init(struct machine *m, char *why, size_t whylen);
/* Every boot: the items again, as a new machine's firmware finds them,
 * and no error-block address until the firmware writes one. */
int arm64_fw_cfg_boot(struct machine *m, char *why, size_t whylen);
void arm64_fw_cfg_destroy(struct machine *m);

#endif
