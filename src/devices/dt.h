/* Writing a device tree node by node (libfdt's sequential write), for the
 * devices that describe themselves in a DT (devices/pl011.c, pl061.c,
 * pvpanic.c) and the machine that assembles the tree (arm64/fdt.c). The
 * calls stop at the first error, so one check at the end covers them all.
 * Pure. */
#ifndef VMRAS_DEVICES_DT_H
#define VMRAS_DEVICES_DT_H

#include <stdint.h>

/* Interrupt specifier of the GICv3 binding: type, number, flags. */
#define DT_GIC_SPI 0
#define DT_GIC_PPI 1
#define DT_IRQ_LEVEL_HIGH 4
#define DT_GPIO_ACTIVE_HIGH 0

struct dt_writer {
	void *fdt;
	int err;      /* the first libfdt error, or 0 */
};

void dt_begin(struct dt_writer *w, const char *name);
void dt_end(struct dt_writer *w);
void dt_prop(struct dt_writer *w, const char *name, const void *val, int len);
void dt_prop_empty(struct dt_writer *w, const char *name);
void dt_prop_u32(struct dt_writer *w, const char *name, uint32_t v);
void dt_prop_u64(struct dt_writer *w, const char *name, uint64_t v);
void dt_prop_str(struct dt_writer *w, const char *name, const char *s);
/* A list of two strings (compatible "x", "y"). */
void dt_prop_strs(struct dt_writer *w, const char *name, const char *a, const char *b);
void dt_prop_cells(struct dt_writer *w, const char *name, const uint32_t *cells, unsigned n);
/* reg with #address-cells = #size-cells = 2: n (1 or 2) regions. */
void dt_prop_reg2(struct dt_writer *w, uint64_t a0, uint64_t s0, uint64_t a1, uint64_t s1, unsigned n);

#endif
