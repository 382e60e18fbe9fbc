/* The ways an x86 guest asks to be powered off or reset: the FADT's
 * hardware-reduced sleep-control and reset registers, the keyboard
 * controller's reset pulse and the PCI reset-control register. */
#ifndef VMRAS_X86_POWER_H
#define VMRAS_X86_POWER_H

#include <stdbool.h>
#include <stdint.h>

#include "devices/bus.h"

enum power_request { POWER_REQUEST_OFF, POWER_REQUEST_RESET };

struct power_ports {
	void (*request)(void *opaque, enum power_request req, const char *why);
	void *opaque;
};

#define ACPI_SLP_EN 0x20
#define ACPI_SLP_TYP_SHIFT 2
#define CF9_RST_CPU 0x04
#define I8042_CMD_RESET 0xfe

/* Registers every port (I/O space); returns 0 or -1. */
int power_ports_register(struct power_ports *p, struct bus *bus);

#endif
