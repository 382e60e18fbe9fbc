#include "acpi/builder.h"
#include "acpi/aml.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Header field offsets shared by every system description table. */
#define HDR_LENGTH 4
#define HDR_CHECKSUM 9

uint8_t acpi_checksum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint8_t sum = 0;
	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

void acpi_blob_free(struct acpi_blob *blob)
{
	if (!blob)
		return;
	free(blob->buf);
	memset(blob, 0, sizeof(*blob));
}

void acpi_builder_fail(struct acpi_builder *b, int err)
{
	if (!b->err)
		b->err = err;
}

void acpi_builder_init(struct acpi_builder *b, uint64_t base_gpa, size_t max)
{
	memset(b, 0, sizeof(*b));
	b->base_gpa = base_gpa;
	b->max = max;
}

int acpi_builder_finish(struct acpi_builder *b, struct acpi_blob *out)
{
	if (b->err) {
		free(b->buf);
		int err = b->err;
		acpi_builder_init(b, b->base_gpa, b->max);
		memset(out, 0, sizeof(*out));
		errno = err;
		return -1;
	}
	memset(out, 0, sizeof(*out));
	out->buf = b->buf;
	out->len = b->len;
	memcpy(out->tables, b->tables, sizeof(out->tables));
	out->ntables = b->ntables;
	size_t rsdp = acpi_table_find(b, "RSDP");
	if (rsdp != SIZE_MAX)
		out->rsdp_gpa = acpi_builder_gpa(b, rsdp);
	b->buf = NULL;
	acpi_builder_init(b, b->base_gpa, b->max);
	return 0;
}

void acpi_builder_init_relocatable(struct acpi_builder *b, size_t max)
{
	acpi_builder_init(b, 0, max);
	b->relocatable = 1;
}

void acpi_builder_pointer(struct acpi_builder *b, size_t off, unsigned size, const char *file)
{
	if (b->err)
		return;
	if ((size != 1 && size != 2 && size != 4 && size != 8) || off > b->len ||
	    size > b->len - off || (file && (!b->relocatable || !*file ||
					      strnlen(file, ACPI_LOADER_NAME_LEN) >= ACPI_LOADER_NAME_LEN))) {
		acpi_builder_fail(b, EINVAL);
		return;
	}
	if (!b->relocatable)
		return;
	if (b->nrelocs == ACPI_MAX_RELOCS) {
		acpi_builder_fail(b, E2BIG);
		return;
	}
	struct acpi_reloc *r = &b->relocs[b->nrelocs++];
	memset(r, 0, sizeof(*r));
	r->offset = off;
	r->size = (uint8_t)size;
	if (file)
		strcpy(r->file, file);
}

static void add_checksum(struct acpi_builder *b, size_t start, size_t len, size_t result)
{
	if (b->err)
		return;
	if (b->nchecksums == ACPI_MAX_CHECKSUMS) {
		acpi_builder_fail(b, E2BIG);
		return;
	}
	b->checksums[b->nchecksums++] = (struct acpi_checksum_ref){ start, len, result };
}

static uint64_t get_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

int acpi_builder_finish_loader(struct acpi_builder *b, struct acpi_loader *l, const char *file,
			       uint32_t align, enum acpi_loader_zone zone, struct acpi_blob *out)
{
	if (!b->relocatable)
		acpi_builder_fail(b, EINVAL);
	if (!b->err) {
		acpi_loader_allocate(l, file, b->len, align, zone);
		for (unsigned i = 0; i < b->nrelocs && !l->err; i++) {
			const struct acpi_reloc *r = &b->relocs[i];
			const char *pointee = r->file[0] ? r->file : file;
			int64_t size = acpi_loader_file_size(l, pointee, 1);
			/* The firmware refuses a pointer past its pointee. */
			if (size >= 0 && get_le(b->buf + r->offset, r->size) >= (uint64_t)size)
				acpi_loader_fail(l, EINVAL);
			acpi_loader_add_pointer(l, file, r->offset, r->size, pointee);
		}
		for (unsigned i = 0; i < b->nchecksums; i++) {
			const struct acpi_checksum_ref *c = &b->checksums[i];
			acpi_loader_add_checksum(l, file, c->start, c->length, c->result);
		}
		if (l->err)
			acpi_builder_fail(b, l->err);
	}
	return acpi_builder_finish(b, out);
}

uint64_t acpi_builder_gpa(const struct acpi_builder *b, size_t off)
{
	return b->base_gpa + off;
}

size_t acpi_builder_reserve(struct acpi_builder *b, size_t n)
{
	if (b->err)
		return b->len;
	if (n > b->max - b->len) {
		acpi_builder_fail(b, E2BIG);
		return b->len;
	}
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n)
			cap *= 2;
		if (cap > b->max)
			cap = b->max;
		uint8_t *p = realloc(b->buf, cap);
		if (!p) {
			acpi_builder_fail(b, ENOMEM);
			return b->len;
		}
		b->buf = p;
		b->cap = cap;
	}
	size_t off = b->len;
	memset(b->buf + off, 0, n);
	b->len += n;
	return off;
}

void acpi_builder_align(struct acpi_builder *b, size_t align)
{
	/* base_gpa's own alignment counts: the guest sees addresses. */
	size_t mis = (size_t)(acpi_builder_gpa(b, b->len) % align);
	if (mis)
		acpi_builder_reserve(b, align - mis);
}

void acpi_put(struct acpi_builder *b, const void *data, size_t n)
{
	size_t off = acpi_builder_reserve(b, n);
	if (!b->err && n)
		memcpy(b->buf + off, data, n);
}

static void set_le(struct acpi_builder *b, size_t off, uint64_t v, unsigned n)
{
	if (b->err || off > b->len || n > b->len - off)
		return;
	for (unsigned i = 0; i < n; i++)
		b->buf[off + i] = (uint8_t)(v >> (8 * i));
}

static void put_le(struct acpi_builder *b, uint64_t v, unsigned n)
{
	set_le(b, acpi_builder_reserve(b, n), v, n);
}

void acpi_put8(struct acpi_builder *b, uint8_t v) { put_le(b, v, 1); }
void acpi_put16(struct acpi_builder *b, uint16_t v) { put_le(b, v, 2); }
void acpi_put32(struct acpi_builder *b, uint32_t v) { put_le(b, v, 4); }
void acpi_put64(struct acpi_builder *b, uint64_t v) { put_le(b, v, 8); }
void acpi_set8(struct acpi_builder *b, size_t off, uint8_t v) { set_le(b, off, v, 1); }
void acpi_set16(struct acpi_builder *b, size_t off, uint16_t v) { set_le(b, off, v, 2); }
void acpi_set32(struct acpi_builder *b, size_t off, uint32_t v) { set_le(b, off, v, 4); }
void acpi_set64(struct acpi_builder *b, size_t off, uint64_t v) { set_le(b, off, v, 8); }

void acpi_put_id(struct acpi_builder *b, const char *s, size_t width)
{
	size_t n = strnlen(s, width);
	acpi_put(b, s, n);
	for (; n < width; n++)
		acpi_put8(b, ' ');
}

void acpi_put_table_pointer(struct acpi_builder *b, unsigned size, size_t target)
{
	size_t off = acpi_builder_reserve(b, size);
	if (b->err)
		return;
	uint64_t v = acpi_builder_gpa(b, target);
	if (size < 8 && v >> (8 * size)) {
		acpi_builder_fail(b, E2BIG);
		return;
	}
	set_le(b, off, v, size);
	acpi_builder_pointer(b, off, size, NULL);
}

void acpi_put_gas(struct acpi_builder *b, uint8_t space_id, uint8_t bit_width,
		  uint8_t bit_offset, uint8_t access_size, uint64_t addr)
{
	acpi_put8(b, space_id);
	acpi_put8(b, bit_width);
	acpi_put8(b, bit_offset);
	acpi_put8(b, access_size);
	acpi_put64(b, addr);
}

size_t acpi_table_begin(struct acpi_builder *b, const char sig[4], uint8_t revision)
{
	acpi_builder_align(b, 8);
	size_t off = b->len;
	acpi_put(b, sig, 4);
	acpi_put32(b, 0);                  /* length, at end */
	acpi_put8(b, revision);
	acpi_put8(b, 0);                   /* checksum, at end */
	acpi_put_id(b, ACPI_OEM_ID, 6);
	/* The OEM table id names the table, as other VMMs do, so a guest
	 * quirk list could tell them apart. */
	char table_id[9] = "VMRS";
	memcpy(table_id + 4, sig, 4);
	acpi_put_id(b, table_id, 8);
	acpi_put32(b, 1);                  /* OEM revision */
	acpi_put_id(b, ACPI_CREATOR_ID, 4);
	acpi_put32(b, ACPI_CREATOR_REVISION);
	return off;
}

static void add_ref(struct acpi_builder *b, const char *sig, size_t off, size_t len)
{
	if (b->err)
		return;
	if (b->ntables == ACPI_MAX_TABLES) {
		acpi_builder_fail(b, E2BIG);
		return;
	}
	struct acpi_table_ref *t = &b->tables[b->ntables++];
	memcpy(t->sig, sig, 4);
	t->sig[4] = '\0';
	t->offset = off;
	t->length = len;
}

void acpi_table_end(struct acpi_builder *b, size_t off)
{
	if (b->err)
		return;
	if (off > b->len || b->len - off < ACPI_HEADER_LEN || b->len - off > UINT32_MAX) {
		acpi_builder_fail(b, EINVAL);
		return;
	}
	size_t len = b->len - off;
	acpi_set32(b, off + HDR_LENGTH, (uint32_t)len);
	acpi_set8(b, off + HDR_CHECKSUM, 0);
	/* Relocatable: pointers change when the firmware links them, so the
	 * checksum is its to compute, over a byte that must be 0 until then. */
	if (b->relocatable)
		add_checksum(b, off, len, off + HDR_CHECKSUM);
	else
		acpi_set8(b, off + HDR_CHECKSUM, acpi_checksum(b->buf + off, len));
	add_ref(b, (const char *)b->buf + off, off, len);
}

size_t acpi_table_find(const struct acpi_builder *b, const char *sig)
{
	for (unsigned i = 0; i < b->ntables; i++)
		if (!strncmp(b->tables[i].sig, sig, 4))
			return b->tables[i].offset;
	return SIZE_MAX;
}

size_t acpi_rsdp_reserve(struct acpi_builder *b)
{
	acpi_builder_align(b, 16);
	size_t off = acpi_builder_reserve(b, ACPI_RSDP_LEN);
	add_ref(b, "RSDP", off, ACPI_RSDP_LEN);
	return off;
}

void acpi_rsdp_fill(struct acpi_builder *b, size_t rsdp, size_t xsdt)
{
	/* ACPI 2.0+ RSDP: the first 20 bytes are the 1.0 structure with its
	 * own checksum; the extended checksum covers all 36. No RSDT: every
	 * guest vmras boots reads the XSDT. */
	if (b->err || rsdp > b->len || b->len - rsdp < ACPI_RSDP_LEN) {
		acpi_builder_fail(b, EINVAL);
		return;
	}
	uint8_t *p = b->buf + rsdp;
	memset(p, 0, ACPI_RSDP_LEN);
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_OEM_ID, 6);
	p[15] = 2;                                    /* revision */
	acpi_set32(b, rsdp + 20, ACPI_RSDP_LEN);
	acpi_set64(b, rsdp + 24, acpi_builder_gpa(b, xsdt));
	p[8] = acpi_checksum(p, 20);
	p[32] = acpi_checksum(p, ACPI_RSDP_LEN);
}

size_t acpi_add_xsdt(struct acpi_builder *b)
{
	/* Snapshot the list first: ending the XSDT appends to it. */
	struct acpi_table_ref refs[ACPI_MAX_TABLES];
	unsigned n = b->ntables;
	memcpy(refs, b->tables, sizeof(refs));

	size_t off = acpi_table_begin(b, "XSDT", 1);
	for (unsigned i = 0; i < n; i++) {
		const char *s = refs[i].sig;
		if (!strcmp(s, "RSDP") || !strcmp(s, "DSDT") || !strcmp(s, "FACS"))
			continue;
		acpi_put_table_pointer(b, 8, refs[i].offset);
	}
	acpi_table_end(b, off);
	return off;
}

void acpi_rsdp_put_linked(struct acpi_builder *b, size_t xsdt, const char *tables_file)
{
	if (!b->relocatable) {
		acpi_builder_fail(b, EINVAL);
		return;
	}
	size_t rsdp = acpi_rsdp_reserve(b);
	if (b->err)
		return;
	uint8_t *p = b->buf + rsdp;
	memcpy(p, "RSD PTR ", 8);
	memcpy(p + 9, ACPI_OEM_ID, 6);
	p[15] = 2;                                    /* revision */
	acpi_set32(b, rsdp + 20, ACPI_RSDP_LEN);
	acpi_set64(b, rsdp + 24, xsdt);
	acpi_builder_pointer(b, rsdp + 24, 8, tables_file);
	/* The 1.0 checksum first: the extended one covers its result. */
	add_checksum(b, rsdp, 20, rsdp + 8);
	add_checksum(b, rsdp, ACPI_RSDP_LEN, rsdp + 32);
}

size_t acpi_add_aml_table(struct acpi_builder *b, const char sig[4], uint8_t revision, struct aml *a)
{
	size_t t = acpi_table_begin(b, sig, revision);

	if (aml_finish(a))
		acpi_builder_fail(b, errno);
	else
		acpi_put(b, a->buf, a->len);
	acpi_table_end(b, t);
	aml_free(a);
	return t;
}
