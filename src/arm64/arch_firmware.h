/* Booting through firmware (--firmware): the two CFI flash banks at 0, the
 * image in bank 0, UEFI variables in bank 1 (docs/arm64.md, "UEFI boot"). */
#ifndef VMRAS_ARM64_ARCH_FIRMWARE_H
#define VMRAS_ARM64_ARCH_FIRMWARE_H

#include <stdbool.h>
#include <stddef.h>

struct machine;

/* Once, before KVM: maps the image and the banks' memory (variables blank). */
int arm64_firmware_init(struct machine *m, char *why, size_t whylen);
/* Puts both banks on the MMIO bus. */
int arm64_firmware_devices(struct machine *m);
/* Every boot, new VM: the image into bank 0 again, both banks in
 * read-array mode and mapped. Variables are kept, as flash keeps them
 * across a reset. */
int arm64_firmware_boot(struct machine *m, char *why, size_t whylen);
void arm64_firmware_destroy(struct machine *m);

#endif
