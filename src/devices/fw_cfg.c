#include "devices/fw_cfg.h"

#include <stdlib.h>
#include <string.h>

#include "acpi/aml.h"
#include "devices/dt.h"

static void put_be16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put_be32(uint8_t *p, uint32_t v)
{
	for (unsigned i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

static uint64_t get_be(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static void item_free(struct fw_cfg_item *it)
{
	free(it->copy);
	memset(it, 0, sizeof(*it));
}

/* The directory is an item like the others, rebuilt whenever a file is
 * added; each entry's key is its position. */
static void build_dir(struct fw_cfg *f)
{
	memset(f->dir, 0, sizeof(f->dir));
	put_be32(f->dir, f->nfiles);
	for (unsigned i = 0; i < f->nfiles; i++) {
		uint8_t *e = f->dir + 4 + FW_CFG_DIR_ENTRY_SIZE * i;

		put_be32(e, f->file[i].item.len);
		put_be16(e + 4, (uint16_t)(FW_CFG_FILE_FIRST + i));
		memcpy(e + 8, f->file[i].name, strlen(f->file[i].name));
	}
	f->generic[FW_CFG_FILE_DIR].len = 4 + FW_CFG_DIR_ENTRY_SIZE * f->nfiles;
}

void fw_cfg_init(struct fw_cfg *f, const struct fw_cfg_mem *mem)
{
	static const uint8_t signature[4] = { 'Q', 'E', 'M', 'U' };
	const uint32_t id = FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA;

	memset(f, 0, sizeof(*f));
	if (mem)
		f->mem = *mem;
	for (unsigned i = 0; i < 4; i++)
		f->id[i] = (uint8_t)(id >> (8 * i));
	f->generic[FW_CFG_SIGNATURE] = (struct fw_cfg_item){ .data = signature, .len = 4 };
	f->generic[FW_CFG_ID] = (struct fw_cfg_item){ .data = f->id, .len = 4 };
	f->generic[FW_CFG_FILE_DIR] = (struct fw_cfg_item){ .data = f->dir };
	build_dir(f);
}

void fw_cfg_reset(struct fw_cfg *f)
{
	f->key = FW_CFG_SIGNATURE;
	f->offset = 0;
	f->dma_addr = 0;
}

void fw_cfg_clear(struct fw_cfg *f)
{
	for (unsigned k = 0; k < FW_CFG_FILE_FIRST; k++)
		if (k != FW_CFG_SIGNATURE && k != FW_CFG_ID && k != FW_CFG_FILE_DIR)
			item_free(&f->generic[k]);
	for (unsigned k = 0; k < FW_CFG_ARCH_ITEMS; k++)
		item_free(&f->arch[k]);
	for (unsigned i = 0; i < f->nfiles; i++)
		item_free(&f->file[i].item);
	memset(f->file, 0, sizeof(f->file));
	f->nfiles = 0;
	build_dir(f);
	fw_cfg_reset(f);
}

void fw_cfg_destroy(struct fw_cfg *f)
{
	fw_cfg_clear(f);
}

/* The item a key selects, or NULL for a key nothing can ever hold. */
static struct fw_cfg_item *lookup(struct fw_cfg *f, uint16_t key)
{
	unsigned idx = key & FW_CFG_ENTRY_MASK;

	if (key & FW_CFG_ARCH_LOCAL)
		return idx < FW_CFG_ARCH_ITEMS ? &f->arch[idx] : NULL;
	if (idx < FW_CFG_FILE_FIRST)
		return &f->generic[idx];
	idx -= FW_CFG_FILE_FIRST;
	return idx < f->nfiles ? &f->file[idx].item : NULL;
}

/* The slot add_* may fill for key, or NULL. */
static struct fw_cfg_item *machine_slot(struct fw_cfg *f, uint16_t key)
{
	if (key & FW_CFG_WRITE_CHANNEL)
		return NULL;
	if (key & FW_CFG_ARCH_LOCAL)
		return lookup(f, key);
	if (key == FW_CFG_SIGNATURE || key == FW_CFG_ID || key == FW_CFG_FILE_DIR || key >= FW_CFG_FILE_FIRST)
		return NULL;
	return &f->generic[key];
}

/* Fills it with data (borrowed unless copy), replacing what it held. */
static int item_set(struct fw_cfg_item *it, const void *data, uint32_t len, bool copy)
{
	uint8_t *c = NULL;

	if (copy) {
		c = malloc(len ? len : 1);
		if (!c)
			return -1;
		if (len)
			memcpy(c, data, len);
	}
	item_free(it);
	it->copy = c;
	it->data = copy ? c : data;
	it->len = len;
	return 0;
}

static int add_item(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len, bool copy)
{
	struct fw_cfg_item *it = machine_slot(f, key);

	if (!it || (len && !data))
		return -1;
	return item_set(it, data, len, copy);
}

int fw_cfg_add_bytes(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len)
{
	return add_item(f, key, data, len, false);
}

int fw_cfg_add_copy(struct fw_cfg *f, uint16_t key, const void *data, uint32_t len)
{
	return add_item(f, key, data, len, true);
}

static int add_le(struct fw_cfg *f, uint16_t key, uint64_t v, unsigned n)
{
	uint8_t b[8];

	for (unsigned i = 0; i < n; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	return add_item(f, key, b, n, true);
}

int fw_cfg_add_i16(struct fw_cfg *f, uint16_t key, uint16_t v)
{
	return add_le(f, key, v, 2);
}

int fw_cfg_add_i32(struct fw_cfg *f, uint16_t key, uint32_t v)
{
	return add_le(f, key, v, 4);
}

int fw_cfg_add_i64(struct fw_cfg *f, uint16_t key, uint64_t v)
{
	return add_le(f, key, v, 8);
}

int fw_cfg_add_string(struct fw_cfg *f, uint16_t key, const char *s)
{
	size_t n = strlen(s) + 1;

	if (n > UINT32_MAX)
		return -1;
	return add_item(f, key, s, (uint32_t)n, true);
}

/* The file called name (inserted in name order if new), or NULL. */
static struct fw_cfg_file *file_slot(struct fw_cfg *f, const char *name)
{
	size_t n = strlen(name);
	unsigned i;
	int c = 1;

	if (n == 0 || n >= FW_CFG_NAME_SIZE)
		return NULL;
	for (i = 0; i < f->nfiles; i++) {
		c = strcmp(name, f->file[i].name);
		if (c <= 0)
			break;
	}
	if (i < f->nfiles && c == 0)
		return &f->file[i];
	if (f->nfiles == FW_CFG_MAX_FILES)
		return NULL;
	/* The files after it move up a key: adding files is for before the
	 * guest runs (or reads the directory again, after a reset). */
	memmove(&f->file[i + 1], &f->file[i], sizeof(f->file[0]) * (f->nfiles - i));
	memset(&f->file[i], 0, sizeof(f->file[i]));
	memcpy(f->file[i].name, name, n);
	f->nfiles++;
	return &f->file[i];
}

/* A new file left empty by a failed allocation goes again. */
static void file_drop_if_empty(struct fw_cfg *f, struct fw_cfg_file *fl)
{
	unsigned i = (unsigned)(fl - f->file);

	if (fl->item.data)
		return;
	memmove(&f->file[i], &f->file[i + 1], sizeof(f->file[0]) * (f->nfiles - i - 1));
	f->nfiles--;
	memset(&f->file[f->nfiles], 0, sizeof(f->file[0]));
}

static int add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len, bool copy,
		    fw_cfg_write_fn write, void *opaque, bool writable)
{
	struct fw_cfg_file *fl;
	int r;

	if (!name || (len && !data))
		return -1;
	fl = file_slot(f, name);
	if (!fl)
		return -1;
	/* An empty file still needs a non-NULL data to be present. */
	r = item_set(&fl->item, len ? data : "", len, copy);
	if (r)
		file_drop_if_empty(f, fl);
	else {
		fl->item.writable = writable;
		fl->item.write = write;
		fl->item.write_opaque = opaque;
	}
	build_dir(f);
	return r;
}

int fw_cfg_add_file(struct fw_cfg *f, const char *name, const void *data, uint32_t len)
{
	return add_file(f, name, data, len, false, NULL, NULL, false);
}

int fw_cfg_add_file_copy(struct fw_cfg *f, const char *name, const void *data, uint32_t len)
{
	return add_file(f, name, data, len, true, NULL, NULL, false);
}

int fw_cfg_add_file_writable(struct fw_cfg *f, const char *name, const void *init, uint32_t len,
			     fw_cfg_write_fn write, void *opaque)
{
	return add_file(f, name, init, len, true, write, opaque, true);
}

int fw_cfg_set_kernel(struct fw_cfg *f, const void *kernel, uint32_t kernel_len, const void *initrd,
		      uint32_t initrd_len, const char *cmdline)
{
	int r = fw_cfg_add_i32(f, FW_CFG_KERNEL_SIZE, kernel_len) ||
		fw_cfg_add_bytes(f, FW_CFG_KERNEL_DATA, kernel, kernel_len);

	if (!r && initrd)
		r = fw_cfg_add_i32(f, FW_CFG_INITRD_SIZE, initrd_len) ||
		    fw_cfg_add_bytes(f, FW_CFG_INITRD_DATA, initrd, initrd_len);
	if (!r && cmdline)
		r = fw_cfg_add_i32(f, FW_CFG_CMDLINE_SIZE, (uint32_t)strlen(cmdline) + 1) ||
		    fw_cfg_add_string(f, FW_CFG_CMDLINE_DATA, cmdline);
	return r ? -1 : 0;
}

const uint8_t *fw_cfg_file(const struct fw_cfg *f, const char *name, uint32_t *len, uint16_t *key)
{
	for (unsigned i = 0; i < f->nfiles; i++) {
		if (strcmp(name, f->file[i].name))
			continue;
		if (len)
			*len = f->file[i].item.len;
		if (key)
			*key = (uint16_t)(FW_CFG_FILE_FIRST + i);
		return f->file[i].item.data;
	}
	return NULL;
}

static void select_key(struct fw_cfg *f, uint16_t key)
{
	f->key = key & (uint16_t)~FW_CFG_WRITE_CHANNEL;
	f->offset = 0;
}

/* The selected item, or NULL when it holds nothing (reads are zeros). */
static struct fw_cfg_item *current(struct fw_cfg *f)
{
	struct fw_cfg_item *it = lookup(f, f->key);

	return it && it->data ? it : NULL;
}

static void data_read(struct fw_cfg *f, uint8_t *data, unsigned size)
{
	struct fw_cfg_item *it = current(f);
	uint32_t n = 0;

	if (it && f->offset < it->len) {
		n = it->len - f->offset;
		if (n > size)
			n = size;
		memcpy(data, it->data + f->offset, n);
		f->offset += n;
	}
	memset(data + n, 0, size - n);
}

static int mem_read(struct fw_cfg *f, uint64_t gpa, void *buf, uint64_t len)
{
	if (gpa + len < gpa || !f->mem.read)
		return -1;
	return f->mem.read(f->mem.opaque, gpa, buf, len) ? -1 : 0;
}

static int mem_write(struct fw_cfg *f, uint64_t gpa, const void *buf, uint64_t len)
{
	if (gpa + len < gpa || !f->mem.write)
		return -1;
	return f->mem.write(f->mem.opaque, gpa, buf, len) ? -1 : 0;
}

/* Zeros into guest memory, a page at a time: a read past an item's end,
 * or of an empty key, fills the rest of the buffer with them. */
static int mem_zero(struct fw_cfg *f, uint64_t gpa, uint64_t len)
{
	static const uint8_t zeros[4096];

	if (gpa + len < gpa)
		return -1;
	while (len) {
		uint64_t n = len < sizeof(zeros) ? len : sizeof(zeros);

		if (mem_write(f, gpa, zeros, n))
			return -1;
		gpa += n;
		len -= n;
	}
	return 0;
}

enum dma_op { DMA_NONE, DMA_READ, DMA_WRITE, DMA_SKIP };

/* One descriptor, carried out to its end (or its first error), as QEMU does:
 * select first if asked, then read wins over write over skip; reading past
 * the item gives zeros, writing past it or into a read-only item is an
 * error, and a write that would run past the end writes nothing. The
 * address register is clear again afterwards. */
static void dma_transfer(struct fw_cfg *f)
{
	uint64_t desc_gpa = f->dma_addr, address;
	uint8_t desc[FW_CFG_DMA_DESC_SIZE], status[4];
	uint32_t control, length;
	struct fw_cfg_item *it;
	enum dma_op op;
	bool error = false;

	f->dma_addr = 0;
	if (mem_read(f, desc_gpa, desc, sizeof(desc))) {
		put_be32(status, FW_CFG_DMA_ERROR);
		mem_write(f, desc_gpa, status, sizeof(status));
		return;
	}
	control = (uint32_t)get_be(desc, 4);
	length = (uint32_t)get_be(desc + 4, 4);
	address = get_be(desc + 8, 8);

	if (control & FW_CFG_DMA_SELECT)
		select_key(f, (uint16_t)(control >> 16));
	if (control & FW_CFG_DMA_READ)
		op = DMA_READ;
	else if (control & FW_CFG_DMA_WRITE)
		op = DMA_WRITE;
	else if (control & FW_CFG_DMA_SKIP)
		op = DMA_SKIP;
	else {
		op = DMA_NONE;
		length = 0;
	}

	it = current(f);
	while (length && !error) {
		uint32_t n;

		if (!it || f->offset >= it->len) {
			/* Nothing left of the item: zeros, an error, or a skip
			 * that moves nothing. */
			n = length;
			if (op == DMA_READ)
				error = mem_zero(f, address, n) != 0;
			else if (op == DMA_WRITE)
				error = true;
		} else {
			n = it->len - f->offset;
			if (n > length)
				n = length;
			if (op == DMA_READ) {
				error = mem_write(f, address, it->data + f->offset, n) != 0;
			} else if (op == DMA_WRITE) {
				if (!it->writable || n != length ||
				    mem_read(f, address, it->copy + f->offset, n))
					error = true;
				else if (it->write)
					it->write(it->write_opaque, it->data, it->len, f->offset, n);
			}
			f->offset += n;
		}
		address += n;
		length -= n;
	}
	put_be32(status, error ? FW_CFG_DMA_ERROR : 0);
	mem_write(f, desc_gpa, status, sizeof(status));
}

static void dma_access(struct fw_cfg *f, uint64_t off, bool is_write, uint8_t *data, unsigned size)
{
	if (!is_write) {
		for (unsigned i = 0; i < size; i++)
			data[i] = off + i < 8 ? (uint8_t)(FW_CFG_DMA_SIGNATURE >> (56 - 8 * (off + i))) : 0;
		return;
	}
	if (size == 8 && off == 0) {
		f->dma_addr = get_be(data, 8);
		dma_transfer(f);
	} else if (size == 4 && off == 0) {
		f->dma_addr = get_be(data, 4) << 32;
	} else if (size == 4 && off == 4) {
		f->dma_addr |= get_be(data, 4);
		dma_transfer(f);
	}
}

void fw_cfg_access(struct fw_cfg *f, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	if (size < 1 || size > 8)
		return;
	if (offset == FW_CFG_MMIO_DATA && !is_write) {
		data_read(f, data, size);
		return;
	}
	if (offset >= FW_CFG_MMIO_DMA && offset < FW_CFG_MMIO_SIZE && size <= FW_CFG_MMIO_SIZE - offset) {
		dma_access(f, offset - FW_CFG_MMIO_DMA, is_write, data, size);
		return;
	}
	if (offset == FW_CFG_MMIO_SELECTOR && is_write && size == 2) {
		select_key(f, (uint16_t)get_be(data, 2));
		return;
	}
	/* Data writes (dropped since QEMU 2.4), selector reads, misaligned
	 * or odd-width accesses. */
	if (!is_write)
		memset(data, 0, size);
}

void fw_cfg_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t size)
{
	dt_begin(w, node);
	dt_prop_str(w, "compatible", "qemu,fw-cfg-mmio");
	dt_prop_reg2(w, base, size, 0, 0, 1);
	dt_prop_empty(w, "dma-coherent");
	dt_end(w);
}

/* As QEMU's arm virt DSDT has it: present and working but hidden from the
 * UI (_STA 0x0b), DMA cache-coherent (_CCA 1), one MMIO window. */
void fw_cfg_aml(struct aml *a, uint32_t base, uint32_t size)
{
	aml_device_begin(a, "FWCF");
	aml_name(a, "_HID");
	aml_string(a, "QEMU0002");
	aml_name(a, "_STA");
	aml_integer(a, 0x0b);
	aml_name(a, "_CCA");
	aml_integer(a, 1);
	aml_name(a, "_CRS");
	aml_restemplate_begin(a);
	aml_res_memory32_fixed(a, 1, base, size);
	aml_end(a);
	aml_end(a);
}
