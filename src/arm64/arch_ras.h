/* arm64's memory-failure entry points for the machine (arm64 hosts only):
 * the GHES device's notify callback and the placement of the blocks the
 * firmware allocated. */
#ifndef VMRAS_ARM64_ARCH_RAS_H
#define VMRAS_ARM64_ARCH_RAS_H

#include <stdint.h>

struct machine;

/* The GHES device's notify (struct ghes_dev: .notify = arm64_ghes_notify,
 * .opaque = the machine), with the layout of arm64/ghes_layout.h:
 *  - source ACPI_GHES_SOURCE_AO: the GED's GED_EVENT_HW_ERROR (Notify(HED0));
 *  - source ACPI_GHES_SOURCE_AR: a Synchronous External Abort on vCPU cpu,
 *    once per record accepted (GHES_NOTIFY_PER_RECORD), from the RAS
 *    thread while that vCPU is parked after its fault. Never at an
 *    acknowledge: the acknowledging vCPU is inside its SEA handler, under
 *    the lock Linux's ghes_notify_sea holds, and an SEA there would nest
 *    and deadlock; the record the acknowledge writes already had its SEA,
 *    on its own vCPU, when it was queued, and that vCPU's SEA handler
 *    spools it (one record per source per SEA) once the acknowledge
 *    freed the block. cpu -1 (no vCPU): no SEA, logged; the record waits
 *    for the next one. */
void arm64_ghes_notify(void *opaque, unsigned source, int cpu);

/* The firmware wrote etc/hardware_errors_addr: etc/hardware_errors is at
 * hw_errors. Places the GHES blocks there (ghes_dev_place); returns 0, or
 * -1 (logged) when that is not guest RAM. */
int arm64_ghes_placed_at(struct machine *m, uint64_t hw_errors);

#endif
