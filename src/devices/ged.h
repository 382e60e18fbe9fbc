/* vmras's ACPI Generic Event Device (GED, _HID ACPI0013): one byte-wide
 * event register (an I/O port on x86) whose bits say which events are
 * pending (GED_EVENT_*). An event sets its bit and pulses the GED's
 * interrupt; the guest's _EVT method reads the register, which returns the
 * pending bits and clears them, and notifies the device concerned.
 * Writes are ignored. Safe to use from any thread: the bits are atomic.
 * ged_aml describes the GED and the devices it notifies to the guest. */
#ifndef VMRAS_DEVICES_GED_H
#define VMRAS_DEVICES_GED_H

#include <stdint.h>

#include "devices/bus.h"

/* Bits of the event register. */
#define GED_EVENT_POWER_BUTTON 0x01   /* Notify(PWRB, 0x80): "power button pressed" */
#define GED_EVENT_HW_ERROR 0x02       /* a GHES block holds a new record: Notify(HED0, 0x80) */

struct ged {
	uint8_t pending;          /* GED_EVENT_* bits; atomic */
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

struct aml;
/* The GED (GED0) with its register at base in space and its interrupt on
 * gsi, and for each of events (GED_EVENT_*) the device _EVT notifies: the
 * power button PWRB (PNP0C0C), the Hardware Error Device HED0 (PNP0C33).
 * Goes in \_SB; errors stay in the encoder. */
void ged_aml(struct aml *a, enum bus_space space, uint64_t base, uint32_t gsi, uint8_t events);

#endif
