/* The CFI flash bank as edk2's VirtNorFlashDxe drives it: dual 16-bit
 * commands in 32-bit writes, status polled in both halves. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "devices/cfi_flash.h"
#include "devices/dt.h"

#define BANK (4 * CFI_FLASH_BLOCK_SIZE)
#define DUAL(c) ((uint32_t)(c) << 16 | (c))
#define SR_READY DUAL(CFI_SR_READY)

static uint8_t mem[BANK];

static uint32_t rd(struct cfi_flash *f, uint64_t off)
{
	uint8_t d[4];

	cfi_flash_access(f, off, false, d, 4);
	return (uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16 | (uint32_t)d[3] << 24;
}

static void wr(struct cfi_flash *f, uint64_t off, uint32_t v)
{
	uint8_t d[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	cfi_flash_access(f, off, true, d, 4);
}

static void cmd(struct cfi_flash *f, uint64_t off, uint8_t c)
{
	wr(f, off, DUAL(c));
}

static void setup(struct cfi_flash *f)
{
	memset(mem, 0xff, sizeof(mem));
	assert_int_equal(cfi_flash_init(f, mem, BANK), 0);
}

static void test_init_sizes(void **state)
{
	struct cfi_flash f;
	(void)state;

	assert_int_equal(cfi_flash_init(&f, mem, 0), -1);
	assert_int_equal(cfi_flash_init(&f, mem, CFI_FLASH_BLOCK_SIZE + 4), -1);
	assert_int_equal(cfi_flash_init(&f, NULL, BANK), -1);
	assert_int_equal(cfi_flash_init(&f, mem, (uint64_t)(CFI_FLASH_MAX_BLOCKS + 1) * CFI_FLASH_BLOCK_SIZE), -1);
	assert_int_equal(cfi_flash_init(&f, mem, BANK), 0);
	assert_true(cfi_flash_array_mode(&f));
}

static void test_read_array(void **state)
{
	struct cfi_flash f;
	uint8_t d[8];
	(void)state;

	setup(&f);
	for (unsigned i = 0; i < 16; i++)
		mem[0x100 + i] = (uint8_t)i;
	assert_int_equal(rd(&f, 0x100), 0x03020100);
	cfi_flash_access(&f, 0x105, false, d, 1);
	assert_int_equal(d[0], 5);
	cfi_flash_access(&f, 0x108, false, d, 8);
	assert_int_equal(d[7], 15);
	/* A write of plain data in read-array mode is not a program. */
	wr(&f, 0x104, 0);
	assert_true(cfi_flash_array_mode(&f));
	assert_int_equal(mem[0x104], 4);      /* 0x00 is no command: the array again */
}

/* edk2's NorFlashReadStatusRegister: 0x70 at the bank's base, then a
 * 32-bit read wanting bit 7 in both halves. */
static void test_status_and_array_modes(void **state)
{
	struct cfi_flash f;
	(void)state;

	setup(&f);
	cmd(&f, 0, CFI_CMD_READ_STATUS);
	assert_false(cfi_flash_array_mode(&f));
	assert_int_equal(rd(&f, 0), SR_READY);
	assert_int_equal(rd(&f, 0x12344), SR_READY);  /* any address */
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_true(cfi_flash_array_mode(&f));
	assert_int_equal(rd(&f, 0), 0xffffffff);
	cmd(&f, 0, CFI_CMD_READ_STATUS);
	cmd(&f, 0, CFI_CMD_READ_ARRAY_ALT);
	assert_true(cfi_flash_array_mode(&f));
}

static void test_word_program_clears_bits_only(void **state)
{
	struct cfi_flash f;
	(void)state;

	setup(&f);
	cmd(&f, 0x40000, CFI_CMD_PROGRAM);
	wr(&f, 0x40010, 0x12345678);
	assert_false(cfi_flash_array_mode(&f));
	assert_int_equal(rd(&f, 0x40000), SR_READY);
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0x40010), 0x12345678);
	/* Programming again can only clear more bits. */
	cmd(&f, 0x40010, CFI_CMD_PROGRAM_ALT);
	wr(&f, 0x40010, 0xffff00ff);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0x40010), 0x12340078);
	/* One byte. */
	cmd(&f, 0, CFI_CMD_PROGRAM);
	cfi_flash_access(&f, 0x20, true, (uint8_t[]){ 0x5a }, 1);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0x20), 0xffffff5a);
}

static void test_block_erase(void **state)
{
	struct cfi_flash f;
	(void)state;

	setup(&f);
	memset(mem, 0, sizeof(mem));
	cmd(&f, CFI_FLASH_BLOCK_SIZE, CFI_CMD_ERASE_SETUP);
	cmd(&f, CFI_FLASH_BLOCK_SIZE, CFI_CMD_CONFIRM);
	assert_int_equal(rd(&f, CFI_FLASH_BLOCK_SIZE), SR_READY);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, CFI_FLASH_BLOCK_SIZE), 0xffffffff);
	assert_int_equal(rd(&f, 2 * CFI_FLASH_BLOCK_SIZE - 4), 0xffffffff);
	/* Only that block. */
	assert_int_equal(rd(&f, CFI_FLASH_BLOCK_SIZE - 4), 0);
	assert_int_equal(rd(&f, 2 * CFI_FLASH_BLOCK_SIZE), 0);
}

static void test_erase_bad_confirm(void **state)
{
	struct cfi_flash f;
	(void)state;

	setup(&f);
	memset(mem, 0, sizeof(mem));
	cmd(&f, 0, CFI_CMD_ERASE_SETUP);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_false(cfi_flash_array_mode(&f));
	assert_int_equal(rd(&f, 0), DUAL(CFI_SR_READY | CFI_SR_ERASE_ERR | CFI_SR_PROGRAM_ERR));
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0), 0);       /* nothing erased */
	/* The errors stay until cleared. */
	cmd(&f, 0, CFI_CMD_READ_STATUS);
	assert_int_equal(rd(&f, 0) & DUAL(CFI_SR_ERASE_ERR), DUAL(CFI_SR_ERASE_ERR));
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);
	assert_int_equal(rd(&f, 0), SR_READY);
}

/* edk2's NorFlashWriteBuffer: 0xE8 at the target, a status read there,
 * the count (words - 1, dual), the words, 0xD0 at the bank's base. */
static void test_buffered_program(void **state)
{
	struct cfi_flash f;
	const uint64_t target = CFI_FLASH_BLOCK_SIZE + 0x80;
	(void)state;

	setup(&f);
	cmd(&f, target, CFI_CMD_BUFFERED);
	assert_int_equal(rd(&f, target), SR_READY);
	wr(&f, target, DUAL(CFI_FLASH_BUFFER_WORDS - 1));
	for (unsigned i = 0; i < CFI_FLASH_BUFFER_WORDS; i++)
		wr(&f, target + 4 * i, 0xa0000000u | i);
	/* Nothing is written before the confirm. */
	assert_int_equal(mem[target], 0xff);
	cmd(&f, 0, CFI_CMD_CONFIRM);
	assert_int_equal(rd(&f, target), SR_READY);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	for (unsigned i = 0; i < CFI_FLASH_BUFFER_WORDS; i++)
		assert_int_equal(rd(&f, target + 4 * i), 0xa0000000u | i);
	assert_int_equal(rd(&f, target + 4 * CFI_FLASH_BUFFER_WORDS), 0xffffffff);
}

static void test_buffered_bad_sequences(void **state)
{
	struct cfi_flash f;
	const uint32_t seq_err = DUAL(CFI_SR_READY | CFI_SR_ERASE_ERR | CFI_SR_PROGRAM_ERR);
	(void)state;

	setup(&f);
	/* Too many words. */
	cmd(&f, 0, CFI_CMD_BUFFERED);
	wr(&f, 0, DUAL(CFI_FLASH_BUFFER_WORDS));
	assert_int_equal(rd(&f, 0), seq_err);
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);

	/* No confirm: nothing programmed. */
	cmd(&f, 0, CFI_CMD_BUFFERED);
	wr(&f, 0, DUAL(0));
	wr(&f, 0, 0);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0), seq_err);
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0), 0xffffffff);

	/* A word for another block aborts. */
	cmd(&f, 0, CFI_CMD_BUFFERED);
	wr(&f, 0, DUAL(1));
	wr(&f, 0, 0);
	wr(&f, CFI_FLASH_BLOCK_SIZE, 0);
	assert_int_equal(rd(&f, 0), seq_err);
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);

	/* A byte-wide data write aborts too. */
	cmd(&f, 0, CFI_CMD_BUFFERED);
	wr(&f, 0, DUAL(0));
	cfi_flash_access(&f, 0, true, (uint8_t[]){ 0 }, 1);
	assert_int_equal(rd(&f, 0), seq_err);
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0), 0xffffffff);
}

/* edk2's NorFlashBlockIsLocked: 0x90 at block + 8, read there, bit 0. */
static void test_lock_and_id(void **state)
{
	struct cfi_flash f;
	const uint64_t blk = 2 * CFI_FLASH_BLOCK_SIZE;
	(void)state;

	setup(&f);
	cmd(&f, blk + 8, CFI_CMD_READ_ID);
	assert_int_equal(rd(&f, blk), DUAL(0x89));
	assert_int_equal(rd(&f, blk + 8), 0);
	cmd(&f, blk, CFI_CMD_LOCK_SETUP);
	cmd(&f, blk, CFI_CMD_LOCK);
	assert_int_equal(rd(&f, blk), SR_READY);
	cmd(&f, blk + 8, CFI_CMD_READ_ID);
	assert_int_equal(rd(&f, blk + 8), DUAL(1));
	assert_int_equal(rd(&f, 8), 0);          /* other blocks unlocked */

	/* A locked block refuses erase and program. */
	cmd(&f, blk, CFI_CMD_ERASE_SETUP);
	mem[blk] = 0;
	cmd(&f, blk, CFI_CMD_CONFIRM);
	assert_int_equal(rd(&f, blk), DUAL(CFI_SR_READY | CFI_SR_ERASE_ERR | CFI_SR_LOCKED));
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);
	cmd(&f, blk, CFI_CMD_PROGRAM);
	wr(&f, blk + 4, 0);
	assert_int_equal(rd(&f, blk), DUAL(CFI_SR_READY | CFI_SR_PROGRAM_ERR | CFI_SR_LOCKED));
	cmd(&f, 0, CFI_CMD_CLEAR_STATUS);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(mem[blk], 0);
	assert_int_equal(rd(&f, blk + 4), 0xffffffff);

	/* Unlock (0x60, 0xD0), as edk2's NorFlashUnlockSingleBlock. */
	cmd(&f, blk, CFI_CMD_LOCK_SETUP);
	cmd(&f, blk, CFI_CMD_CONFIRM);
	cmd(&f, blk + 8, CFI_CMD_READ_ID);
	assert_int_equal(rd(&f, blk + 8), 0);

	/* A bad second cycle is a sequence error; a reset unlocks all. */
	cmd(&f, blk, CFI_CMD_LOCK_SETUP);
	cmd(&f, blk, 0x77);
	assert_int_equal(rd(&f, 0), DUAL(CFI_SR_READY | CFI_SR_ERASE_ERR | CFI_SR_PROGRAM_ERR));
	cmd(&f, blk, CFI_CMD_LOCK_SETUP);
	cmd(&f, blk, CFI_CMD_LOCK_DOWN);
	cfi_flash_reset(&f);
	assert_true(cfi_flash_array_mode(&f));
	cmd(&f, blk + 8, CFI_CMD_READ_ID);
	assert_int_equal(rd(&f, blk + 8), 0);
	assert_int_equal(rd(&f, 0), DUAL(0x89));
}

static void test_cfi_query(void **state)
{
	struct cfi_flash f;
	(void)state;

	setup(&f);
	cmd(&f, 0x55 * 4, CFI_CMD_QUERY);
	assert_int_equal(rd(&f, 0x10 * 4), DUAL('Q'));
	assert_int_equal(rd(&f, 0x11 * 4), DUAL('R'));
	assert_int_equal(rd(&f, 0x12 * 4), DUAL('Y'));
	assert_int_equal(rd(&f, 0x13 * 4), DUAL(1));
	/* Each chip holds half the bank (512 KiB of 1 MiB here), 128 KiB blocks. */
	assert_int_equal(rd(&f, 0x27 * 4), DUAL(19));
	assert_int_equal(rd(&f, 0x2c * 4), DUAL(1));
	assert_int_equal(rd(&f, 0x2d * 4), DUAL(3));
	assert_int_equal(rd(&f, 0x2e * 4), 0);
	assert_int_equal(rd(&f, 0x2f * 4), 0);
	assert_int_equal(rd(&f, 0x30 * 4), DUAL(2));
	assert_int_equal(rd(&f, 0x31 * 4), DUAL('P'));
	assert_int_equal(rd(&f, 0x1000), 0);
	/* A byte read takes its lane of the word. */
	{
		uint8_t d;
		cfi_flash_access(&f, 0x10 * 4 + 2, false, &d, 1);
		assert_int_equal(d, 'Q');
	}
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0x40), 0xffffffff);
}

static void test_out_of_range_and_odd_sizes(void **state)
{
	struct cfi_flash f;
	uint8_t d[8] = { 0 };
	(void)state;

	setup(&f);
	cfi_flash_access(&f, BANK, false, d, 4);
	assert_int_equal(d[0], 0xff);
	cfi_flash_access(&f, BANK - 2, false, d, 4);
	assert_int_equal(d[3], 0xff);
	cfi_flash_access(&f, UINT64_MAX - 1, false, d, 8);
	cfi_flash_access(&f, 0, false, d, 3);
	assert_int_equal(d[2], 0xff);
	/* Writes there change nothing, not even the mode. */
	cmd(&f, BANK, CFI_CMD_READ_STATUS);
	cfi_flash_access(&f, 0, true, (uint8_t[]){ CFI_CMD_READ_STATUS, 0, 0 }, 3);
	assert_true(cfi_flash_array_mode(&f));
	cmd(&f, 0, CFI_CMD_PROGRAM);
	cfi_flash_access(&f, UINT64_MAX - 3, true, d, 4);
	wr(&f, BANK - 4, 0);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, BANK - 4), 0);
}

/* A 64-bit store is two 32-bit cycles: a command, then its data. */
static void test_wide_write(void **state)
{
	struct cfi_flash f;
	uint8_t d[8] = { CFI_CMD_PROGRAM, 0, CFI_CMD_PROGRAM, 0, 0x11, 0x22, 0x33, 0x44 };
	(void)state;

	setup(&f);
	cfi_flash_access(&f, 0x100, true, d, 8);
	cmd(&f, 0, CFI_CMD_READ_ARRAY);
	assert_int_equal(rd(&f, 0x104), 0x44332211);
}

static void test_unknown_command(void **state)
{
	struct cfi_flash f;
	(void)state;

	setup(&f);
	cmd(&f, 0, CFI_CMD_READ_STATUS);
	cmd(&f, 0, 0xb0);      /* suspend: nothing to suspend, back to the array */
	assert_true(cfi_flash_array_mode(&f));
	cmd(&f, 0, CFI_CMD_READ_STATUS);
	cmd(&f, 0, CFI_CMD_CONFIRM);
	assert_false(cfi_flash_array_mode(&f));
}

static void test_dt(void **state)
{
	static uint8_t buf[1024];
	struct dt_writer w = { .fdt = buf };
	const fdt32_t *reg;
	int node, len;
	(void)state;

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	dt_begin(&w, "");
	cfi_flash_dt(&w, "flash@0", 0, 0x4000000, 2);
	dt_end(&w);
	assert_int_equal(w.err, 0);
	assert_int_equal(fdt_finish(buf), 0);
	node = fdt_path_offset(buf, "/flash@0");
	assert_true(node >= 0);
	assert_string_equal(fdt_getprop(buf, node, "compatible", NULL), "cfi-flash");
	assert_int_equal(fdt32_to_cpu(*(const fdt32_t *)fdt_getprop(buf, node, "bank-width", NULL)), 4);
	reg = fdt_getprop(buf, node, "reg", &len);
	assert_int_equal(len, 32);
	assert_int_equal(fdt32_to_cpu(reg[3]), 0x4000000);
	assert_int_equal(fdt32_to_cpu(reg[5]), 0x4000000);
	assert_int_equal(fdt32_to_cpu(reg[7]), 0x4000000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_sizes),
		cmocka_unit_test(test_read_array),
		cmocka_unit_test(test_status_and_array_modes),
		cmocka_unit_test(test_word_program_clears_bits_only),
		cmocka_unit_test(test_block_erase),
		cmocka_unit_test(test_erase_bad_confirm),
		cmocka_unit_test(test_buffered_program),
		cmocka_unit_test(test_buffered_bad_sequences),
		cmocka_unit_test(test_lock_and_id),
		cmocka_unit_test(test_cfi_query),
		cmocka_unit_test(test_out_of_range_and_odd_sizes),
		cmocka_unit_test(test_wide_write),
		cmocka_unit_test(test_unknown_command),
		cmocka_unit_test(test_dt),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
