/* The ISA pvpanic device (QEMU's docs/specs/pvpanic.rst): one byte-wide I/O
 * port through which a guest tells its host it panicked. Reads return the
 * event bits the device recognises; a write reports one event, and bits the
 * device does not recognise are ignored. The guest finds the port in the
 * DSDT (_HID QEMU0001). */
#ifndef VMRAS_DEVICES_PVPANIC_H
#define VMRAS_DEVICES_PVPANIC_H

#include <stdint.h>

#include "devices/bus.h"

#define PVPANIC_PANICKED     (1u << 0)  /* the host should act on the panic */
#define PVPANIC_CRASH_LOADED (1u << 1)  /* a crash kernel handles it; only report it */
#define PVPANIC_SHUTDOWN     (1u << 2)  /* a regular shutdown */
#define PVPANIC_FEATURES     (PVPANIC_PANICKED | PVPANIC_CRASH_LOADED | PVPANIC_SHUTDOWN)
/* The MMIO window its descriptions give, QEMU's pvpanic-mmio's: two bytes. */
#define PVPANIC_MMIO_SIZE    2

enum pvpanic_event {
	PVPANIC_EVENT_NONE = 0,
	PVPANIC_EVENT_PANICKED,
	PVPANIC_EVENT_CRASH_LOADED,
	PVPANIC_EVENT_SHUTDOWN,
};

struct pvpanic {
	/* Called on the vCPU thread that wrote the port, once per write that
	 * carries a recognised bit. */
	void (*event)(void *opaque, enum pvpanic_event ev);
	void *opaque;
};

/* The one event a written value reports. A guest sets one bit at a time, but
 * should several arrive together, the one asking most of the host wins, as
 * in QEMU: panicked, then crash loaded, then shutdown. */
enum pvpanic_event pvpanic_decode(uint8_t value);

/* Registers the register at base in space; returns 0 or -1. */
int pvpanic_register(struct pvpanic *p, struct bus *bus, enum bus_space space, uint64_t base);

struct aml;
struct dt_writer;
/* How the guest finds the device: an ACPI device (QEMU0001) whose register
 * is at base in space (Linux's pvpanic driver takes an I/O port or a
 * memory resource alike), or a DT node over MMIO. */
void pvpanic_aml(struct aml *a, enum bus_space space, uint64_t base);
void pvpanic_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size);

#endif
