#include "devices/cfi_flash.h"

#include <string.h>

#include "devices/dt.h"

/* Operations finish at once: a status read always finds the chips ready. */
#define SEQUENCE_ERROR (CFI_SR_ERASE_ERR | CFI_SR_PROGRAM_ERR)

/* Read-ID answers, per chip, by word within a block: Intel's manufacturer
 * code, a device code, then the block's lock bit. */
#define ID_MANUFACTURER 0x0089
#define ID_DEVICE       0x0018

int cfi_flash_init(struct cfi_flash *f, uint8_t *mem, uint64_t size)
{
	memset(f, 0, sizeof(*f));
	if (!mem || !size || size % CFI_FLASH_BLOCK_SIZE || size / CFI_FLASH_BLOCK_SIZE > CFI_FLASH_MAX_BLOCKS)
		return -1;
	f->mem = mem;
	f->size = size;
	cfi_flash_reset(f);
	return 0;
}

void cfi_flash_reset(struct cfi_flash *f)
{
	f->read = CFI_READ_ARRAY;
	f->wait = CFI_WAIT_COMMAND;
	f->status = CFI_SR_READY;
	f->buf_left = f->buf_count = 0;
	memset(f->locked, 0, sizeof(f->locked));
}

bool cfi_flash_array_mode(const struct cfi_flash *f)
{
	return f->read == CFI_READ_ARRAY;
}

static bool block_locked(const struct cfi_flash *f, uint64_t block)
{
	return f->locked[block / 8] & (1u << (block % 8));
}

static void set_locked(struct cfi_flash *f, uint64_t block, bool on)
{
	if (on)
		f->locked[block / 8] |= (uint8_t)(1u << (block % 8));
	else
		f->locked[block / 8] &= (uint8_t)~(1u << (block % 8));
}

/* The CFI query table of one chip (x16, half the bank), by word address.
 * Lengths are powers of two, times in 2^n units (JESD68). */
static uint16_t query(const struct cfi_flash *f, uint64_t word)
{
	uint64_t blocks = f->size / CFI_FLASH_BLOCK_SIZE;
	unsigned size_log2 = 0;

	for (uint64_t s = f->size / 2; s > 1; s >>= 1)
		size_log2++;
	switch (word) {
	case 0x10: return 'Q';
	case 0x11: return 'R';
	case 0x12: return 'Y';
	case 0x13: return 0x01;          /* primary command set: Intel/Sharp extended */
	case 0x15: return 0x31;          /* its extended table, below */
	case 0x1b: return 0x45;          /* Vcc 4.5 to 5.5 V */
	case 0x1c: return 0x55;
	case 0x1f: return 4;             /* typical word program 16 us */
	case 0x20: return 8;             /* typical buffer program 256 us */
	case 0x21: return 10;            /* typical block erase 1 s */
	case 0x23: return 4;             /* maximum: 16 times typical */
	case 0x24: return 4;
	case 0x25: return 4;
	case 0x27: return (uint16_t)size_log2;
	case 0x28: return 0x01;          /* x16 interface */
	case 0x2a: return 6;             /* 64-byte write buffer per chip */
	case 0x2c: return 1;             /* one erase-block region ... */
	case 0x2d: return (uint16_t)((blocks - 1) & 0xff);
	case 0x2e: return (uint16_t)((blocks - 1) >> 8);
	case 0x2f: return (uint16_t)((CFI_FLASH_BLOCK_SIZE / 2 / 256) & 0xff);  /* ... of 128 KiB blocks per chip */
	case 0x30: return (uint16_t)((CFI_FLASH_BLOCK_SIZE / 2 / 256) >> 8);
	case 0x31: return 'P';
	case 0x32: return 'R';
	case 0x33: return 'I';
	case 0x34: return '1';
	case 0x35: return '0';
	}
	return 0;
}

/* What one bank word reads outside read-array mode: each chip's answer,
 * in both halves. */
static uint32_t mode_word(const struct cfi_flash *f, uint64_t off)
{
	uint16_t v = 0;

	switch (f->read) {
	case CFI_READ_ARRAY:
		break;
	case CFI_READ_STATUS:
		v = f->status;
		break;
	case CFI_READ_ID:
		switch ((off % CFI_FLASH_BLOCK_SIZE) / CFI_FLASH_WIDTH) {
		case 0: v = ID_MANUFACTURER; break;
		case 1: v = ID_DEVICE; break;
		case 2: v = block_locked(f, off / CFI_FLASH_BLOCK_SIZE); break;
		}
		break;
	case CFI_READ_QUERY:
		v = query(f, off / CFI_FLASH_WIDTH);
		break;
	}
	return (uint32_t)v << 16 | v;
}

static void do_read(const struct cfi_flash *f, uint64_t off, uint8_t *data, unsigned size)
{
	if (f->read == CFI_READ_ARRAY) {
		memcpy(data, f->mem + off, size);
		return;
	}
	for (unsigned i = 0; i < size; i++) {
		uint64_t a = off + i;
		data[i] = (uint8_t)(mode_word(f, a & ~(uint64_t)3) >> (8 * (a & 3)));
	}
}

/* Programming only clears bits; an erase is what sets them. */
static void program(struct cfi_flash *f, uint64_t off, const uint8_t *data, unsigned size)
{
	if (block_locked(f, off / CFI_FLASH_BLOCK_SIZE)) {
		f->status |= CFI_SR_PROGRAM_ERR | CFI_SR_LOCKED;
		return;
	}
	for (unsigned i = 0; i < size; i++)
		f->mem[off + i] &= data[i];
}

static void erase(struct cfi_flash *f, uint64_t off)
{
	uint64_t block = off / CFI_FLASH_BLOCK_SIZE;

	if (block_locked(f, block)) {
		f->status |= CFI_SR_ERASE_ERR | CFI_SR_LOCKED;
		return;
	}
	memset(f->mem + block * CFI_FLASH_BLOCK_SIZE, 0xff, CFI_FLASH_BLOCK_SIZE);
}

static void buffer_program(struct cfi_flash *f)
{
	uint8_t bytes[CFI_FLASH_WIDTH];

	if (block_locked(f, f->buf_block)) {
		f->status |= CFI_SR_PROGRAM_ERR | CFI_SR_LOCKED;
		return;
	}
	for (unsigned i = 0; i < f->buf_count; i++) {
		for (unsigned b = 0; b < CFI_FLASH_WIDTH; b++)
			bytes[b] = (uint8_t)(f->buf_val[i] >> (8 * b));
		program(f, f->buf_off[i], bytes, CFI_FLASH_WIDTH);
	}
}

/* A write that breaks a sequence ends it, as the chips do: both error
 * bits, status mode. */
static void sequence_error(struct cfi_flash *f)
{
	f->status |= SEQUENCE_ERROR;
	f->wait = CFI_WAIT_COMMAND;
	f->read = CFI_READ_STATUS;
}

static void command(struct cfi_flash *f, uint64_t off, uint8_t cmd)
{
	switch (cmd) {
	case CFI_CMD_READ_ARRAY:
	case CFI_CMD_READ_ARRAY_ALT:
		f->read = CFI_READ_ARRAY;
		break;
	case CFI_CMD_READ_STATUS:
		f->read = CFI_READ_STATUS;
		break;
	case CFI_CMD_CLEAR_STATUS:
		f->status = CFI_SR_READY;
		break;
	case CFI_CMD_READ_ID:
		f->read = CFI_READ_ID;
		break;
	case CFI_CMD_QUERY:
		f->read = CFI_READ_QUERY;
		break;
	case CFI_CMD_ERASE_SETUP:
		f->wait = CFI_WAIT_ERASE_CONFIRM;
		f->read = CFI_READ_STATUS;
		break;
	case CFI_CMD_PROGRAM:
	case CFI_CMD_PROGRAM_ALT:
		f->wait = CFI_WAIT_PROGRAM_DATA;
		f->read = CFI_READ_STATUS;
		break;
	case CFI_CMD_BUFFERED:
		/* Status reads now say whether the buffer is free: it always is. */
		f->buf_block = off / CFI_FLASH_BLOCK_SIZE;
		f->wait = CFI_WAIT_BUFFER_COUNT;
		f->read = CFI_READ_STATUS;
		break;
	case CFI_CMD_LOCK_SETUP:
		f->wait = CFI_WAIT_LOCK;
		f->read = CFI_READ_STATUS;
		break;
	case CFI_CMD_CONFIRM:
		/* Resume: nothing is ever suspended. */
		break;
	default:
		/* QEMU's model also falls back to read array here: whatever a
		 * guest probes with, the array stays readable. */
		f->read = CFI_READ_ARRAY;
		break;
	}
}

static void buffer_data(struct cfi_flash *f, uint64_t off, const uint8_t *data, unsigned size)
{
	uint32_t v = 0;

	if (size != CFI_FLASH_WIDTH || off % CFI_FLASH_WIDTH || off / CFI_FLASH_BLOCK_SIZE != f->buf_block) {
		sequence_error(f);
		return;
	}
	for (unsigned b = 0; b < CFI_FLASH_WIDTH; b++)
		v |= (uint32_t)data[b] << (8 * b);
	f->buf_off[f->buf_count] = off;
	f->buf_val[f->buf_count] = v;
	f->buf_count++;
	if (--f->buf_left == 0)
		f->wait = CFI_WAIT_BUFFER_CONFIRM;
}

static void do_write(struct cfi_flash *f, uint64_t off, const uint8_t *data, unsigned size)
{
	/* Both chips take the same command; the low one's byte stands for it. */
	uint8_t cmd = data[0];
	enum cfi_flash_wait wait = f->wait;

	f->wait = CFI_WAIT_COMMAND;
	switch (wait) {
	case CFI_WAIT_COMMAND:
		command(f, off, cmd);
		break;
	case CFI_WAIT_PROGRAM_DATA:
		program(f, off, data, size);
		break;
	case CFI_WAIT_ERASE_CONFIRM:
		if (cmd == CFI_CMD_CONFIRM)
			erase(f, off);
		else
			sequence_error(f);
		break;
	case CFI_WAIT_BUFFER_COUNT: {
		/* Words minus one, per chip: the low chip's 16 bits. */
		unsigned n = (unsigned)(data[0] | (size > 1 ? data[1] << 8 : 0)) + 1;

		if (n > CFI_FLASH_BUFFER_WORDS) {
			sequence_error(f);
			break;
		}
		f->buf_left = n;
		f->buf_count = 0;
		f->wait = CFI_WAIT_BUFFER_DATA;
		break;
	}
	case CFI_WAIT_BUFFER_DATA:
		f->wait = CFI_WAIT_BUFFER_DATA;
		buffer_data(f, off, data, size);
		break;
	case CFI_WAIT_BUFFER_CONFIRM:
		if (cmd == CFI_CMD_CONFIRM)
			buffer_program(f);
		else
			sequence_error(f);
		break;
	case CFI_WAIT_LOCK:
		if (cmd == CFI_CMD_LOCK || cmd == CFI_CMD_LOCK_DOWN)
			set_locked(f, off / CFI_FLASH_BLOCK_SIZE, true);
		else if (cmd == CFI_CMD_CONFIRM)
			set_locked(f, off / CFI_FLASH_BLOCK_SIZE, false);
		else if (cmd != 0x03)            /* configuration register: nothing to set */
			sequence_error(f);
		break;
	}
}

void cfi_flash_access(struct cfi_flash *f, uint64_t offset, bool is_write, uint8_t *data, unsigned size)
{
	if ((size != 1 && size != 2 && size != 4 && size != 8) || offset >= f->size || size > f->size - offset) {
		if (!is_write)
			memset(data, 0xff, size);
		return;
	}
	if (!is_write) {
		do_read(f, offset, data, size);
		return;
	}
	/* A 64-bit store reaches the bank as two 32-bit bus cycles. */
	if (size == 8) {
		do_write(f, offset, data, 4);
		do_write(f, offset + 4, data + 4, 4);
		return;
	}
	do_write(f, offset, data, size);
}

void cfi_flash_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t bank_size, unsigned n)
{
	dt_begin(w, node);
	dt_prop_str(w, "compatible", "cfi-flash");
	dt_prop_reg2(w, base, bank_size, base + bank_size, bank_size, n);
	dt_prop_u32(w, "bank-width", CFI_FLASH_WIDTH);
	dt_end(w);
}
