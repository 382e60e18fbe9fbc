#include "devices/dt.h"

#include <libfdt.h>
#include <string.h>

void dt_begin(struct dt_writer *w, const char *name)
{
	if (!w->err)
		w->err = fdt_begin_node(w->fdt, name);
}

void dt_end(struct dt_writer *w)
{
	if (!w->err)
		w->err = fdt_end_node(w->fdt);
}

void dt_prop(struct dt_writer *w, const char *name, const void *val, int len)
{
	if (!w->err)
		w->err = fdt_property(w->fdt, name, val, len);
}

void dt_prop_empty(struct dt_writer *w, const char *name)
{
	dt_prop(w, name, NULL, 0);
}

void dt_prop_u32(struct dt_writer *w, const char *name, uint32_t v)
{
	if (!w->err)
		w->err = fdt_property_u32(w->fdt, name, v);
}

void dt_prop_u64(struct dt_writer *w, const char *name, uint64_t v)
{
	if (!w->err)
		w->err = fdt_property_u64(w->fdt, name, v);
}

void dt_prop_str(struct dt_writer *w, const char *name, const char *s)
{
	if (!w->err)
		w->err = fdt_property_string(w->fdt, name, s);
}

/* A string list is the strings back to back, each with its NUL. */
void dt_prop_strs(struct dt_writer *w, const char *name, const char *a, const char *b)
{
	char buf[128];
	size_t la = strlen(a) + 1, lb = strlen(b) + 1;

	memcpy(buf, a, la);
	memcpy(buf + la, b, lb);
	dt_prop(w, name, buf, (int)(la + lb));
}

void dt_prop_cells(struct dt_writer *w, const char *name, const uint32_t *cells, unsigned n)
{
	fdt32_t be[16];

	for (unsigned i = 0; i < n; i++)
		be[i] = cpu_to_fdt32(cells[i]);
	dt_prop(w, name, be, (int)(n * sizeof(be[0])));
}

/* reg with #address-cells = #size-cells = 2, one or two regions. */
void dt_prop_reg2(struct dt_writer *w, uint64_t a0, uint64_t s0, uint64_t a1, uint64_t s1, unsigned n)
{
	uint32_t c[8] = {
		(uint32_t)(a0 >> 32), (uint32_t)a0, (uint32_t)(s0 >> 32), (uint32_t)s0,
		(uint32_t)(a1 >> 32), (uint32_t)a1, (uint32_t)(s1 >> 32), (uint32_t)s1,
	};
	dt_prop_cells(w, "reg", c, 4 * n);
}
