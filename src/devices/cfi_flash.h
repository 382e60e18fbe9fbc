/* A CFI NOR flash bank with the Intel/Sharp command set, in the shape of
 * QEMU virt's pflash_cfi01 banks: 32 bits wide, built of two 16-bit chips
 * side by side that take every command at once (a command is written as
 * (cmd << 16) | cmd, and every status, ID or query answer is repeated in
 * both halves), 256 KiB erase blocks across the bank. edk2's VirtNorFlashDxe
 * drives it with that convention (docs/uefi.md lists what it uses).
 *
 * Pure state machine over a caller's buffer: the caller serialises access
 * and maps the buffer into the guest while cfi_flash_array_mode() is true
 * (reads then never reach the model), trapping every access otherwise. */
#ifndef VMRAS_DEVICES_CFI_FLASH_H
#define VMRAS_DEVICES_CFI_FLASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CFI_FLASH_WIDTH       4                   /* bytes per bank word */
#define CFI_FLASH_BLOCK_SIZE  (256 * 1024)        /* erase block, whole bank */
#define CFI_FLASH_MAX_BLOCKS  1024
/* Words one buffered program takes (32 per chip, edk2's 128 bytes). */
#define CFI_FLASH_BUFFER_WORDS 32

/* Status register bits, per chip. */
#define CFI_SR_READY       0x80
#define CFI_SR_ERASE_ERR   0x20
#define CFI_SR_PROGRAM_ERR 0x10
#define CFI_SR_VPP_ERR     0x08
#define CFI_SR_LOCKED      0x02

/* Commands (the low byte of each chip's half). */
#define CFI_CMD_READ_ARRAY    0xff
#define CFI_CMD_READ_ARRAY_ALT 0xf0   /* the AMD reset some probes write first */
#define CFI_CMD_READ_STATUS   0x70
#define CFI_CMD_CLEAR_STATUS  0x50
#define CFI_CMD_READ_ID       0x90
#define CFI_CMD_QUERY         0x98
#define CFI_CMD_ERASE_SETUP   0x20
#define CFI_CMD_CONFIRM       0xd0
#define CFI_CMD_PROGRAM       0x40
#define CFI_CMD_PROGRAM_ALT   0x10
#define CFI_CMD_BUFFERED      0xe8
#define CFI_CMD_LOCK_SETUP    0x60
#define CFI_CMD_LOCK          0x01
#define CFI_CMD_LOCK_DOWN     0x2f

enum cfi_flash_read { CFI_READ_ARRAY, CFI_READ_STATUS, CFI_READ_ID, CFI_READ_QUERY };

/* What the next write means. */
enum cfi_flash_wait {
	CFI_WAIT_COMMAND,
	CFI_WAIT_ERASE_CONFIRM,
	CFI_WAIT_PROGRAM_DATA,
	CFI_WAIT_BUFFER_COUNT,
	CFI_WAIT_BUFFER_DATA,
	CFI_WAIT_BUFFER_CONFIRM,
	CFI_WAIT_LOCK,
};

struct cfi_flash {
	uint8_t *mem;                 /* the bank's contents, size bytes */
	uint64_t size;
	enum cfi_flash_read read;
	enum cfi_flash_wait wait;
	uint8_t status;               /* per chip */
	/* A buffered program being filled: the block it is for, the words
	 * still expected, and the words taken (offset, value). */
	uint64_t buf_block;
	unsigned buf_left, buf_count;
	uint64_t buf_off[CFI_FLASH_BUFFER_WORDS];
	uint32_t buf_val[CFI_FLASH_BUFFER_WORDS];
	uint8_t locked[CFI_FLASH_MAX_BLOCKS / 8];
};

/* size: a multiple of CFI_FLASH_BLOCK_SIZE, at most CFI_FLASH_MAX_BLOCKS
 * blocks. Returns 0, or -1 for another size. The contents are the
 * caller's; the bank starts in read-array mode, unlocked. */
int cfi_flash_init(struct cfi_flash *f, uint8_t *mem, uint64_t size);
/* Power-on: read-array mode, status clear, nothing pending, all unlocked.
 * The contents are kept (flash keeps them across a reset). */
void cfi_flash_reset(struct cfi_flash *f);
/* One guest access at offset in the bank, 1, 2, 4 or 8 bytes,
 * little-endian. Anything else, or past the bank, reads as all ones and
 * writes nothing. */
void cfi_flash_access(struct cfi_flash *f, uint64_t offset, bool is_write, uint8_t *data, unsigned size);
/* Whether reads see the array, so the caller may map it ("ROM device"). */
bool cfi_flash_array_mode(const struct cfi_flash *f);

struct dt_writer;
/* One "cfi-flash" node of bank-width 4 for n (1 or 2) banks of bank_size
 * from base. */
void cfi_flash_dt(struct dt_writer *w, const char *node, uint64_t base, uint64_t bank_size, unsigned n);

#endif
