/* The arm64 machine's GHES device layout (devices/ghes.h), pure: read-ack
 * registers on MMIO at ARM64_GHES_ACK_GPA, 64 bits each, 8 bytes apart;
 * pointers and blocks where the firmware allocates etc/hardware_errors
 * (arm64/acpi.h), known only once it writes etc/hardware_errors_addr; the
 * AR source notified once per record (its SEA), the AO source whenever its
 * block is written (the GED's interrupt). */
#ifndef VMRAS_ARM64_GHES_LAYOUT_H
#define VMRAS_ARM64_GHES_LAYOUT_H

#include "acpi/hest.h"
#include "arm64/acpi.h"
#include "arm64/layout.h"
#include "devices/ghes.h"

_Static_assert(ARM64_GHES_BLOCK_SIZE == GHES_RECORD_MAX, "one GHES record fills an arm64 block");
_Static_assert(ARM64_GHES_ACK_STRIDE == GHES_ACK_STRIDE_MMIO64, "64-bit read-ack registers");
_Static_assert(ARM64_GHES_BLOCK_OFF(1) - ARM64_GHES_BLOCK_OFF(0) == GHES_RECORD_MAX &&
	       ARM64_GHES_POINTER_OFF(1) - ARM64_GHES_POINTER_OFF(0) == 8,
	       "etc/hardware_errors lays pointers and blocks out as the GHES device does");
_Static_assert(ACPI_GHES_SOURCE_AR == 0 && ACPI_GHES_SOURCE_AO == 1 && GHES_SOURCES <= ARM64_GHES_SOURCES_MAX,
	       "sources in HEST order");

static inline struct ghes_dev_layout arm64_ghes_layout(void)
{
	return (struct ghes_dev_layout){
		.firmware = true,
		.ack_space = BUS_MMIO,
		.ack_stride = GHES_ACK_STRIDE_MMIO64,
		.ack_addr = { ARM64_GHES_ACK_GPA + ARM64_GHES_ACK_STRIDE * ACPI_GHES_SOURCE_AR,
			      ARM64_GHES_ACK_GPA + ARM64_GHES_ACK_STRIDE * ACPI_GHES_SOURCE_AO },
		.notify_mode = { [ACPI_GHES_SOURCE_AR] = GHES_NOTIFY_PER_RECORD,
				 [ACPI_GHES_SOURCE_AO] = GHES_NOTIFY_ON_WRITE },
	};
}

/* ghes_dev_place's arguments for etc/hardware_errors at hw_errors. */
static inline uint64_t arm64_ghes_pointers_gpa(uint64_t hw_errors)
{
	return hw_errors + ARM64_GHES_POINTER_OFF(0);
}

static inline uint64_t arm64_ghes_blocks_gpa(uint64_t hw_errors)
{
	return hw_errors + ARM64_GHES_BLOCK_OFF(0);
}

#endif
