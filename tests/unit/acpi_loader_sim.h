/* A table-loader interpreter for tests: what edk2's QemuFwCfgAcpi.c does
 * with etc/table-loader, restated from the protocol (acpi/loader.h) and
 * that file's checks, over simulated guest memory.
 *
 * The test lists the fw_cfg files (name, bytes; host files are writable
 * targets of WRITE_POINTER). Each ALLOCATE copies its file to a fake guest
 * address; ADD_POINTER, ADD_CHECKSUM and WRITE_POINTER are applied with
 * the firmware's own refusals; then the second pass finds, like edk2, the
 * ACPI tables the ADD_POINTERs point at (RSDT/XSDT skipped, as the
 * firmware builds its own) and what it would install. Header-only:
 * static functions for test_arm64_acpi.c and arm64_acpi_dump.c. */
#ifndef VMRAS_TESTS_ACPI_LOADER_SIM_H
#define VMRAS_TESTS_ACPI_LOADER_SIM_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SIM_NAME 56
#define SIM_FILES 8
#define SIM_INSTALLED 32

struct sim_file {
	const char *name;
	const uint8_t *data;       /* the fw_cfg file's bytes */
	size_t size;
	int host;                  /* a VMM file the firmware writes (WRITE_POINTER) */
	uint8_t *mem;              /* allocated copy, or the host file's written bytes */
	uint64_t gpa;              /* where the copy lies; 0 until ALLOCATEd */
};

struct sim_table {
	char sig[5];
	uint64_t gpa;
	uint32_t len;
};

struct sim {
	struct sim_file files[SIM_FILES];
	unsigned nfiles;
	uint64_t next_gpa;         /* the next allocation's address */
	struct sim_table installed[SIM_INSTALLED];
	unsigned ninstalled;
	unsigned opaque_pointees;  /* ADD_POINTER targets that are no table */
	char err[256];
};

static inline uint64_t sim_le(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

static inline void sim_put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static inline void sim_init(struct sim *s, uint64_t first_gpa)
{
	memset(s, 0, sizeof(*s));
	s->next_gpa = first_gpa;
}

static inline void sim_file(struct sim *s, const char *name, const void *data, size_t size, int host)
{
	if (s->nfiles == SIM_FILES || !size)
		return;
	struct sim_file *f = &s->files[s->nfiles++];
	f->name = name;
	f->data = data;
	f->size = size;
	f->host = host;
	if (host)
		f->mem = calloc(1, size);
}

static inline void sim_free(struct sim *s)
{
	for (unsigned i = 0; i < s->nfiles; i++)
		free(s->files[i].mem);
	memset(s->files, 0, sizeof(s->files));
	s->nfiles = 0;
}

static inline int sim_fail(struct sim *s, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(s->err, sizeof(s->err), fmt, ap);
	va_end(ap);
	return -1;
}

/* A name field the firmware accepts: NUL within its 56 bytes. */
static inline const char *sim_name(const uint8_t *field)
{
	return memchr(field, 0, SIM_NAME) ? (const char *)field : NULL;
}

static inline struct sim_file *sim_find(struct sim *s, const char *name)
{
	for (unsigned i = 0; name && i < s->nfiles; i++)
		if (!strcmp(s->files[i].name, name))
			return &s->files[i];
	return NULL;
}

/* The allocated blob named, or NULL. */
static inline struct sim_file *sim_blob(struct sim *s, const uint8_t *field)
{
	struct sim_file *f = sim_find(s, sim_name(field));
	return f && !f->host && f->mem ? f : NULL;
}

/* Host memory behind [gpa, gpa+len) of an allocated blob, or NULL. */
static inline uint8_t *sim_mem(struct sim *s, uint64_t gpa, uint64_t len)
{
	for (unsigned i = 0; i < s->nfiles; i++) {
		struct sim_file *f = &s->files[i];
		if (f->host || !f->mem || gpa < f->gpa || gpa - f->gpa > f->size ||
		    len > f->size - (gpa - f->gpa))
			continue;
		return f->mem + (gpa - f->gpa);
	}
	return NULL;
}

static inline int sim_ptr_size_ok(unsigned n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

static inline uint8_t sim_sum(const uint8_t *p, size_t n)
{
	uint8_t sum = 0;
	while (n--)
		sum = (uint8_t)(sum + *p++);
	return sum;
}

/* The second pass over one ADD_POINTER: is its pointee a table? */
static inline void sim_pointee(struct sim *s, uint64_t gpa)
{
	for (unsigned i = 0; i < s->ninstalled; i++)
		if (s->installed[i].gpa == gpa)
			return;
	const uint8_t *p = NULL;
	uint64_t remaining = 0;
	for (unsigned i = 0; i < s->nfiles; i++) {
		struct sim_file *f = &s->files[i];
		if (!f->host && f->mem && gpa >= f->gpa && gpa - f->gpa < f->size) {
			p = f->mem + (gpa - f->gpa);
			remaining = f->size - (gpa - f->gpa);
		}
	}
	if (!p)
		return;
	uint32_t len = 0;
	if (remaining >= 64 && !memcmp(p, "FACS", 4) && sim_le(p + 4, 4) >= 64 &&
	    sim_le(p + 4, 4) <= remaining)
		len = (uint32_t)sim_le(p + 4, 4);
	if (!len && remaining >= 36 && sim_le(p + 4, 4) >= 36 && sim_le(p + 4, 4) <= remaining &&
	    sim_sum(p, sim_le(p + 4, 4)) == 0) {
		if (!memcmp(p, "RSDT", 4) || !memcmp(p, "XSDT", 4))
			return;
		len = (uint32_t)sim_le(p + 4, 4);
	}
	if (!len) {
		s->opaque_pointees++;
		return;
	}
	if (s->ninstalled == SIM_INSTALLED)
		return;
	struct sim_table *t = &s->installed[s->ninstalled++];
	memcpy(t->sig, p, 4);
	t->sig[4] = '\0';
	t->gpa = gpa;
	t->len = len;
}

/* Runs the script; 0, or -1 with s->err saying which command failed. */
static inline int sim_run(struct sim *s, const uint8_t *script, size_t len)
{
	if (len % 128)
		return sim_fail(s, "script length %zu not a multiple of 128", len);
	for (size_t off = 0; off < len; off += 128) {
		const uint8_t *c = script + off;
		unsigned n = (unsigned)(off / 128);
		switch (sim_le(c, 4)) {
		case 1: {                                  /* ALLOCATE */
			struct sim_file *f = sim_find(s, sim_name(c + 4));
			uint32_t align = (uint32_t)sim_le(c + 60, 4);
			if (!f || f->host)
				return sim_fail(s, "cmd %u: ALLOCATE of unknown file", n);
			if (f->mem)
				return sim_fail(s, "cmd %u: %s allocated twice", n, f->name);
			if (align > 4096)
				return sim_fail(s, "cmd %u: alignment %u", n, align);
			if (c[64] != 1 && c[64] != 2)
				return sim_fail(s, "cmd %u: zone %u", n, c[64]);
			/* Whole pages, as the firmware allocates them. */
			f->gpa = s->next_gpa;
			s->next_gpa += (f->size + 0xfff) & ~(uint64_t)0xfff;
			f->mem = malloc(f->size);
			if (!f->mem)
				return sim_fail(s, "out of memory");
			memcpy(f->mem, f->data, f->size);
			break;
		}
		case 2: {                                  /* ADD_POINTER */
			struct sim_file *d = sim_blob(s, c + 4), *p = sim_blob(s, c + 60);
			uint32_t at = (uint32_t)sim_le(c + 116, 4);
			unsigned size = c[120];
			if (!d || !p)
				return sim_fail(s, "cmd %u: ADD_POINTER names an unallocated file", n);
			if (!sim_ptr_size_ok(size) || d->size < size || d->size - size < at)
				return sim_fail(s, "cmd %u: pointer %u+%u outside %s", n, at, size, d->name);
			uint64_t v = sim_le(d->mem + at, size);
			if (v >= p->size)
				return sim_fail(s, "cmd %u: pointer value %#llx past %s", n,
						(unsigned long long)v, p->name);
			v += p->gpa;
			if (size < 8 && v >> (8 * size))
				return sim_fail(s, "cmd %u: address does not fit %u bytes", n, size);
			sim_put_le(d->mem + at, v, size);
			break;
		}
		case 3: {                                  /* ADD_CHECKSUM */
			struct sim_file *f = sim_blob(s, c + 4);
			uint32_t result = (uint32_t)sim_le(c + 60, 4);
			uint32_t start = (uint32_t)sim_le(c + 64, 4), length = (uint32_t)sim_le(c + 68, 4);
			if (!f)
				return sim_fail(s, "cmd %u: ADD_CHECKSUM of an unallocated file", n);
			if (f->size <= result || f->size < length || f->size - length < start)
				return sim_fail(s, "cmd %u: checksum range outside %s", n, f->name);
			f->mem[result] = (uint8_t)-sim_sum(f->mem + start, length);
			break;
		}
		case 4: {                                  /* WRITE_POINTER */
			struct sim_file *d = sim_find(s, sim_name(c + 4)), *p = sim_blob(s, c + 60);
			uint32_t at = (uint32_t)sim_le(c + 116, 4), src = (uint32_t)sim_le(c + 120, 4);
			unsigned size = c[124];
			if (!d || !d->host || !p)
				return sim_fail(s, "cmd %u: WRITE_POINTER names a wrong file", n);
			if (!sim_ptr_size_ok(size) || d->size < size || d->size - size < at)
				return sim_fail(s, "cmd %u: pointer outside %s", n, d->name);
			if (src >= p->size)
				return sim_fail(s, "cmd %u: pointee offset past %s", n, p->name);
			uint64_t v = p->gpa + src;
			if (size < 8 && v >> (8 * size))
				return sim_fail(s, "cmd %u: address does not fit %u bytes", n, size);
			sim_put_le(d->mem + at, v, size);
			break;
		}
		default:
			/* The firmware skips unknown commands; vmras never emits one. */
			return sim_fail(s, "cmd %u: unknown command %u", n, (unsigned)sim_le(c, 4));
		}
	}
	for (size_t off = 0; off < len; off += 128) {
		const uint8_t *c = script + off;
		if (sim_le(c, 4) != 2)
			continue;
		struct sim_file *d = sim_blob(s, c + 4);
		sim_pointee(s, sim_le(d->mem + sim_le(c + 116, 4), c[120]));
	}
	return 0;
}

#endif
