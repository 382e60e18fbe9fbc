/* What arch_devices.c offers the rest of the arm64 adapter. */
#ifndef VMRAS_ARM64_ARCH_DEVICES_H
#define VMRAS_ARM64_ARCH_DEVICES_H

struct machine;

/* A new VM (arch_vm_init): the power key up, the GPIO at power-on. */
void arm64_devices_reset(struct machine *m);

#endif
