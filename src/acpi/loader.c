#include "acpi/loader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* Field offsets within a command (after the 4-byte command number). */
#define CMD_ARGS 4
#define NAME2 (CMD_ARGS + ACPI_LOADER_NAME_LEN)          /* a second file name */
#define AFTER_NAME (CMD_ARGS + ACPI_LOADER_NAME_LEN)
#define AFTER_NAMES (CMD_ARGS + 2 * ACPI_LOADER_NAME_LEN)

void acpi_loader_init(struct acpi_loader *l)
{
	memset(l, 0, sizeof(*l));
}

void acpi_loader_free(struct acpi_loader *l)
{
	free(l->buf);
	acpi_loader_init(l);
}

void acpi_loader_fail(struct acpi_loader *l, int err)
{
	if (!l->err)
		l->err = err;
}

int acpi_loader_finish(struct acpi_loader *l, uint8_t **buf, size_t *len)
{
	int err = l->err;
	if (err) {
		acpi_loader_free(l);
		*buf = NULL;
		*len = 0;
		errno = err;
		return -1;
	}
	*buf = l->buf;
	*len = l->len;
	l->buf = NULL;
	acpi_loader_free(l);
	return 0;
}

static int name_ok(struct acpi_loader *l, const char *name)
{
	if (!name || !*name) {
		acpi_loader_fail(l, EINVAL);
		return 0;
	}
	if (strnlen(name, ACPI_LOADER_NAME_LEN) >= ACPI_LOADER_NAME_LEN) {
		acpi_loader_fail(l, ENAMETOOLONG);
		return 0;
	}
	return 1;
}

static const struct acpi_loader_file *find(const struct acpi_loader *l, const char *name)
{
	for (unsigned i = 0; i < l->nfiles; i++)
		if (!strcmp(l->files[i].name, name))
			return &l->files[i];
	return NULL;
}

int64_t acpi_loader_file_size(const struct acpi_loader *l, const char *file, int allocated_only)
{
	if (!file)
		return -1;
	const struct acpi_loader_file *f = find(l, file);
	if (!f || (allocated_only && !f->allocated))
		return -1;
	return (int64_t)f->size;
}

/* The declared file name, of the kind wanted, or NULL after failing. */
static const struct acpi_loader_file *lookup(struct acpi_loader *l, const char *name, int allocated)
{
	if (!name_ok(l, name))
		return NULL;
	const struct acpi_loader_file *f = find(l, name);
	if (!f || f->allocated != allocated) {
		acpi_loader_fail(l, ENOENT);
		return NULL;
	}
	return f;
}

static void declare(struct acpi_loader *l, const char *name, uint64_t size, int allocated)
{
	if (l->err || !name_ok(l, name))
		return;
	/* fw_cfg file sizes are 32-bit, as are the commands' offsets. */
	if (!size || size > UINT32_MAX) {
		acpi_loader_fail(l, size ? E2BIG : EINVAL);
		return;
	}
	if (find(l, name)) {
		acpi_loader_fail(l, EEXIST);
		return;
	}
	if (l->nfiles == ACPI_LOADER_MAX_FILES) {
		acpi_loader_fail(l, E2BIG);
		return;
	}
	struct acpi_loader_file *f = &l->files[l->nfiles++];
	memset(f, 0, sizeof(*f));
	strcpy(f->name, name);
	f->size = size;
	f->allocated = allocated;
}

/* Appends a zeroed command of type cmd; NULL after failing. */
static uint8_t *cmd_new(struct acpi_loader *l, enum acpi_loader_cmd cmd)
{
	if (l->err)
		return NULL;
	if (l->len / ACPI_LOADER_CMD_LEN == ACPI_LOADER_MAX_CMDS) {
		acpi_loader_fail(l, E2BIG);
		return NULL;
	}
	if (l->len + ACPI_LOADER_CMD_LEN > l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16 * ACPI_LOADER_CMD_LEN;
		uint8_t *p = realloc(l->buf, cap);
		if (!p) {
			acpi_loader_fail(l, ENOMEM);
			return NULL;
		}
		l->buf = p;
		l->cap = cap;
	}
	uint8_t *c = l->buf + l->len;
	memset(c, 0, ACPI_LOADER_CMD_LEN);
	l->len += ACPI_LOADER_CMD_LEN;
	for (unsigned i = 0; i < 4; i++)
		c[i] = (uint8_t)((uint32_t)cmd >> (8 * i));
	return c;
}

static void put_le(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static void put_name(uint8_t *p, const char *name)
{
	/* Checked shorter than the field: the rest stays NUL. */
	memcpy(p, name, strlen(name));
}

static int ptr_size_ok(unsigned size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* [off, off+n) inside a file of size bytes. */
static int inside(uint64_t off, uint64_t n, uint64_t size)
{
	return n <= size && off <= size - n;
}

void acpi_loader_allocate(struct acpi_loader *l, const char *file, uint64_t size,
			  uint32_t align, enum acpi_loader_zone zone)
{
	if (l->err)
		return;
	if (!align || (align & (align - 1)) || align > ACPI_LOADER_ALIGN_MAX ||
	    (zone != ACPI_LOADER_ZONE_HIGH && zone != ACPI_LOADER_ZONE_FSEG)) {
		acpi_loader_fail(l, EINVAL);
		return;
	}
	declare(l, file, size, 1);
	uint8_t *c = cmd_new(l, ACPI_LOADER_ALLOCATE);
	if (!c)
		return;
	put_name(c + CMD_ARGS, file);
	put_le(c + AFTER_NAME, align, 4);
	c[AFTER_NAME + 4] = (uint8_t)zone;
}

void acpi_loader_host_file(struct acpi_loader *l, const char *file, uint64_t size)
{
	declare(l, file, size, 0);
}

void acpi_loader_add_pointer(struct acpi_loader *l, const char *dest_file, uint64_t offset,
			     unsigned size, const char *src_file)
{
	if (l->err)
		return;
	const struct acpi_loader_file *d = lookup(l, dest_file, 1);
	const struct acpi_loader_file *s = lookup(l, src_file, 1);
	if (!d || !s)
		return;
	if (!ptr_size_ok(size) || !inside(offset, size, d->size)) {
		acpi_loader_fail(l, EINVAL);
		return;
	}
	uint8_t *c = cmd_new(l, ACPI_LOADER_ADD_POINTER);
	if (!c)
		return;
	put_name(c + CMD_ARGS, dest_file);
	put_name(c + NAME2, src_file);
	put_le(c + AFTER_NAMES, offset, 4);
	c[AFTER_NAMES + 4] = (uint8_t)size;
}

void acpi_loader_add_checksum(struct acpi_loader *l, const char *file, uint64_t start,
			      uint64_t length, uint64_t result_offset)
{
	if (l->err)
		return;
	const struct acpi_loader_file *f = lookup(l, file, 1);
	if (!f)
		return;
	if (!length || !inside(start, length, f->size) || result_offset < start ||
	    result_offset - start >= length) {
		acpi_loader_fail(l, EINVAL);
		return;
	}
	uint8_t *c = cmd_new(l, ACPI_LOADER_ADD_CHECKSUM);
	if (!c)
		return;
	put_name(c + CMD_ARGS, file);
	put_le(c + AFTER_NAME, result_offset, 4);
	put_le(c + AFTER_NAME + 4, start, 4);
	put_le(c + AFTER_NAME + 8, length, 4);
}

void acpi_loader_write_pointer(struct acpi_loader *l, const char *dest_file, uint64_t dst_offset,
			       unsigned size, const char *src_file, uint64_t src_offset)
{
	if (l->err)
		return;
	const struct acpi_loader_file *d = lookup(l, dest_file, 0);
	const struct acpi_loader_file *s = lookup(l, src_file, 1);
	if (!d || !s)
		return;
	if (!ptr_size_ok(size) || !inside(dst_offset, size, d->size) || src_offset >= s->size) {
		acpi_loader_fail(l, EINVAL);
		return;
	}
	uint8_t *c = cmd_new(l, ACPI_LOADER_WRITE_POINTER);
	if (!c)
		return;
	put_name(c + CMD_ARGS, dest_file);
	put_name(c + NAME2, src_file);
	put_le(c + AFTER_NAMES, dst_offset, 4);
	put_le(c + AFTER_NAMES + 4, src_offset, 4);
	c[AFTER_NAMES + 8] = (uint8_t)size;
}
