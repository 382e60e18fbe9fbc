/* The event register of vmras's ACPI Generic Event Device (GED, _HID
 * ACPI0013): one byte-wide register (an I/O port on x86) whose bits say which events are pending
 * (ACPI_GED_EVENT_*: the power button). An event sets its bit and pulses the
 * GED's interrupt; the guest's _EVT method reads the register, which returns
 * the pending bits and clears them, and notifies the device concerned.
 * Writes are ignored. Safe to use from any thread: the bits are atomic. */
#ifndef VMRAS_DEVICES_GED_H
#define VMRAS_DEVICES_GED_H

#include <stdint.h>

#include "acpi/acpi.h"
#include "devices/bus.h"

struct ged {
	uint8_t pending;          /* ACPI_GED_EVENT_* bits; atomic */
	/* Drives the GED's interrupt line (level 1, then 0: an edge). */
	void (*set_irq)(void *opaque, int level);
	void *opaque;
};

/* Registers the register at base in space; returns 0 or -1. */
int ged_register(struct ged *g, struct bus *bus, enum bus_space space, uint64_t base);
/* Sets the event bits, then pulses the interrupt once. */
void ged_event(struct ged *g, uint8_t events);
/* A machine reset: nothing pending. */
void ged_reset(struct ged *g);

#endif
