/* fw_cfg as edk2's QemuFwCfgLibMmio drives it (data register, selector,
 * DMA), and as a hostile guest might. Guest memory is a small RAM window
 * whose bounds the fake callbacks check, as the machine's would. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include <libfdt.h>

#include "acpi/aml.h"
#include "devices/dt.h"
#include "devices/fw_cfg.h"

#define RAM_BASE 0x40000000ULL
#define RAM_SIZE 0x10000ULL
#define DESC (RAM_BASE + 0x100)
#define BUF  (RAM_BASE + 0x1000)

static uint8_t ram[RAM_SIZE];
static unsigned mem_writes;

static int in_ram(uint64_t gpa, uint64_t len)
{
	return gpa >= RAM_BASE && len <= RAM_SIZE && gpa - RAM_BASE <= RAM_SIZE - len;
}

static int ram_read(void *opaque, uint64_t gpa, void *buf, uint64_t len)
{
	(void)opaque;
	if (!in_ram(gpa, len))
		return -1;
	memcpy(buf, ram + (gpa - RAM_BASE), len);
	return 0;
}

static int ram_write(void *opaque, uint64_t gpa, const void *buf, uint64_t len)
{
	(void)opaque;
	mem_writes++;
	if (!in_ram(gpa, len))
		return -1;
	memcpy(ram + (gpa - RAM_BASE), buf, len);
	return 0;
}

static const struct fw_cfg_mem mem = { .read = ram_read, .write = ram_write };

static void setup(struct fw_cfg *f)
{
	memset(ram, 0xaa, sizeof(ram));
	mem_writes = 0;
	fw_cfg_init(f, &mem);
}

static void sel(struct fw_cfg *f, uint16_t key)
{
	uint8_t d[2] = { (uint8_t)(key >> 8), (uint8_t)key };

	fw_cfg_access(f, FW_CFG_MMIO_SELECTOR, true, d, 2);
}

/* n bytes through the data register, width bytes at a time. */
static void rd(struct fw_cfg *f, uint8_t *out, unsigned n, unsigned width)
{
	while (n) {
		unsigned w = n < width ? n : width;
		fw_cfg_access(f, FW_CFG_MMIO_DATA, false, out, w);
		out += w;
		n -= w;
	}
}

static uint32_t rd32le(struct fw_cfg *f)
{
	uint8_t b[4];

	rd(f, b, 4, 4);
	return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

static uint32_t get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint8_t *at(uint64_t gpa)
{
	return ram + (gpa - RAM_BASE);
}

/* Writes a descriptor at desc and starts it with one 8-byte write, as
 * edk2 on aarch64 does; returns the control word written back. */
static uint32_t dma_at(struct fw_cfg *f, uint64_t desc, uint32_t control, uint32_t length, uint64_t address)
{
	uint8_t trig[8];

	if (in_ram(desc, 16)) {
		be32(at(desc), control);
		be32(at(desc) + 4, length);
		be32(at(desc) + 8, (uint32_t)(address >> 32));
		be32(at(desc) + 12, (uint32_t)address);
	}
	be32(trig, (uint32_t)(desc >> 32));
	be32(trig + 4, (uint32_t)desc);
	fw_cfg_access(f, FW_CFG_MMIO_DMA, true, trig, 8);
	return in_ram(desc, 4) ? get_be32(at(desc)) : 0xdeadbeef;
}

static uint32_t dma(struct fw_cfg *f, uint32_t control, uint32_t length, uint64_t address)
{
	return dma_at(f, DESC, control, length, address);
}

static uint32_t select_ctl(uint16_t key)
{
	return (uint32_t)key << 16 | FW_CFG_DMA_SELECT;
}

static void test_signature_id(void **state)
{
	struct fw_cfg f;
	uint8_t b[8];
	(void)state;

	setup(&f);
	rd(&f, b, 4, 4);                               /* the signature is selected from the start */
	assert_memory_equal(b, "QEMU", 4);
	rd(&f, b, 8, 8);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);  /* past the end: zeros */
	sel(&f, FW_CFG_ID);
	assert_int_equal(rd32le(&f), FW_CFG_ID_TRADITIONAL | FW_CFG_ID_DMA);
	sel(&f, FW_CFG_SIGNATURE | FW_CFG_WRITE_CHANNEL);   /* the write bit selects the same item */
	rd(&f, b, 8, 8);
	assert_memory_equal(b, "QEMU\0\0\0\0", 8);   /* a wide read pads with zeros */
	sel(&f, FW_CFG_SIGNATURE);
	rd(&f, b, 2, 1);
	fw_cfg_reset(&f);
	rd(&f, b, 4, 2);
	assert_memory_equal(b, "QEMU", 4);

	/* The DMA register reads "QEMU CFG" in memory order, at any width. */
	memset(b, 0xff, sizeof(b));
	fw_cfg_access(&f, FW_CFG_MMIO_DMA, false, b, 8);
	assert_memory_equal(b, "QEMU CFG", 8);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA + 4, false, b, 4);
	assert_memory_equal(b, " CFG", 4);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA + 7, false, b, 1);
	assert_int_equal(b[0], 'G');
	fw_cfg_destroy(&f);
}

static void test_directory(void **state)
{
	static const char *sorted[] = { "bootorder", "etc/acpi/rsdp", "etc/acpi/tables", "etc/table-loader" };
	static const uint8_t rsdp[36] = { 'R', 'S', 'D', ' ' };
	char name55[56], name56[57];
	struct fw_cfg f;
	uint8_t dir[4 + 64 * 4], b[36];
	uint16_t key;
	uint32_t len;
	(void)state;

	setup(&f);
	sel(&f, FW_CFG_FILE_DIR);
	assert_int_equal(rd32le(&f), 0);               /* no files */
	assert_int_equal(fw_cfg_add_file_copy(&f, "etc/table-loader", "LOADER", 6), 0);
	assert_int_equal(fw_cfg_add_file(&f, "etc/acpi/tables", "TABLES!!", 8), 0);
	assert_int_equal(fw_cfg_add_file(&f, "bootorder", "", 0), 0);
	assert_int_equal(fw_cfg_add_file(&f, "etc/acpi/rsdp", rsdp, sizeof(rsdp)), 0);

	sel(&f, FW_CFG_FILE_DIR);
	rd(&f, dir, sizeof(dir), 8);
	assert_int_equal(get_be32(dir), 4);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *e = dir + 4 + 64 * i;
		char want[56] = { 0 };

		strcpy(want, sorted[i]);
		assert_int_equal(e[4] << 8 | e[5], FW_CFG_FILE_FIRST + i);
		assert_int_equal(e[6] | e[7], 0);
		assert_memory_equal(e + 8, want, 56);   /* NUL-padded */
		assert_non_null(fw_cfg_file(&f, sorted[i], &len, &key));
		assert_int_equal(key, FW_CFG_FILE_FIRST + i);
		assert_int_equal(get_be32(e), len);
	}
	assert_int_equal(get_be32(dir + 4 + 64 * 1), 36);
	assert_int_equal(get_be32(dir + 4), 0);        /* bootorder: present, empty */

	/* Each key reads its file. */
	sel(&f, FW_CFG_FILE_FIRST + 3);
	rd(&f, b, 8, 8);
	assert_memory_equal(b, "LOADER\0\0", 8);
	sel(&f, FW_CFG_FILE_FIRST + 1);
	rd(&f, b, 36, 8);
	assert_memory_equal(b, rsdp, 36);
	sel(&f, FW_CFG_FILE_FIRST + 4);                /* one past the last file */
	rd(&f, b, 8, 8);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);

	/* Replacing keeps the key; the directory follows the size. */
	assert_int_equal(fw_cfg_add_file_copy(&f, "etc/acpi/tables", "T2", 2), 0);
	assert_non_null(fw_cfg_file(&f, "etc/acpi/tables", &len, &key));
	assert_int_equal(key, FW_CFG_FILE_FIRST + 2);
	assert_int_equal(len, 2);
	sel(&f, FW_CFG_FILE_DIR);
	rd(&f, dir, sizeof(dir), 8);
	assert_int_equal(get_be32(dir), 4);
	assert_int_equal(get_be32(dir + 4 + 64 * 2), 2);
	assert_null(fw_cfg_file(&f, "etc/nope", NULL, NULL));

	/* Names: 55 characters fit with their NUL, 56 do not; none empty. */
	memset(name55, 'a', 55), name55[55] = 0;
	memset(name56, 'b', 56), name56[56] = 0;
	assert_int_equal(fw_cfg_add_file(&f, name55, "x", 1), 0);
	assert_int_equal(fw_cfg_add_file(&f, name56, "x", 1), -1);
	assert_int_equal(fw_cfg_add_file(&f, "", "x", 1), -1);
	assert_int_equal(fw_cfg_add_file(&f, NULL, "x", 1), -1);
	assert_int_equal(fw_cfg_add_file(&f, "opt/x", NULL, 1), -1);
	assert_int_equal(f.nfiles, 5);
	assert_string_equal(f.file[0].name, name55);   /* 'a' sorts first */
	fw_cfg_destroy(&f);
}

static void test_directory_full(void **state)
{
	struct fw_cfg f;
	char name[16];
	uint8_t dir[4 + 64 * FW_CFG_MAX_FILES + 8];
	(void)state;

	setup(&f);
	/* Added in reverse order, listed in name order. */
	for (int i = FW_CFG_MAX_FILES - 1; i >= 0; i--) {
		snprintf(name, sizeof(name), "opt/f%02d", i);
		assert_int_equal(fw_cfg_add_file_copy(&f, name, &i, sizeof(i)), 0);
	}
	assert_int_equal(fw_cfg_add_file(&f, "opt/one-too-many", "x", 1), -1);
	assert_int_equal(fw_cfg_add_file(&f, "opt/f07", "y", 1), 0);   /* replacing still works */
	sel(&f, FW_CFG_FILE_DIR);
	rd(&f, dir, sizeof(dir), 8);
	assert_int_equal(get_be32(dir), FW_CFG_MAX_FILES);
	for (unsigned i = 0; i < FW_CFG_MAX_FILES; i++) {
		snprintf(name, sizeof(name), "opt/f%02u", i);
		assert_string_equal((char *)dir + 4 + 64 * i + 8, name);
	}
	assert_memory_equal(dir + 4 + 64 * FW_CFG_MAX_FILES, "\0\0\0\0\0\0\0\0", 8);
	sel(&f, FW_CFG_FILE_FIRST + FW_CFG_MAX_FILES - 1);
	assert_int_equal(rd32le(&f), FW_CFG_MAX_FILES - 1);
	fw_cfg_destroy(&f);
}

/* What edk2 reads and this machine may not provide reads as zeros: a
 * missing size is "no kernel", a missing count "no files". */
static void test_absent_and_reserved(void **state)
{
	static const uint16_t absent[] = { FW_CFG_NB_CPUS, FW_CFG_BOOT_MENU, FW_CFG_KERNEL_SIZE,
		FW_CFG_SETUP_SIZE, FW_CFG_CMDLINE_SIZE, FW_CFG_FILE_FIRST, 0x3fff, 0x8000, 0x801f, 0x8020, 0xffff };
	struct fw_cfg f;
	uint8_t b[8];
	(void)state;

	setup(&f);
	for (unsigned i = 0; i < sizeof(absent) / sizeof(absent[0]); i++) {
		sel(&f, absent[i]);
		memset(b, 0x55, sizeof(b));
		rd(&f, b, 8, 8);
		assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
		memset(at(BUF), 0x55, 8);
		assert_int_equal(dma(&f, select_ctl(absent[i]) | FW_CFG_DMA_READ, 8, BUF), 0);
		assert_memory_equal(at(BUF), "\0\0\0\0\0\0\0\0", 8);
	}
	/* The device's own keys, file keys, and keys past the arch table are
	 * not the machine's to fill. */
	assert_int_equal(fw_cfg_add_i32(&f, FW_CFG_SIGNATURE, 1), -1);
	assert_int_equal(fw_cfg_add_i32(&f, FW_CFG_ID, 1), -1);
	assert_int_equal(fw_cfg_add_i32(&f, FW_CFG_FILE_DIR, 1), -1);
	assert_int_equal(fw_cfg_add_i32(&f, FW_CFG_FILE_FIRST, 1), -1);
	assert_int_equal(fw_cfg_add_i32(&f, FW_CFG_NB_CPUS | FW_CFG_WRITE_CHANNEL, 1), -1);
	assert_int_equal(fw_cfg_add_i32(&f, FW_CFG_ARCH_LOCAL + FW_CFG_ARCH_ITEMS, 1), -1);
	assert_int_equal(fw_cfg_add_bytes(&f, FW_CFG_UUID, NULL, 16), -1);
	/* These are. */
	assert_int_equal(fw_cfg_add_i16(&f, FW_CFG_NB_CPUS, 4), 0);
	assert_int_equal(fw_cfg_add_i64(&f, FW_CFG_ARCH_LOCAL + 3, 0x0102030405060708ULL), 0);
	sel(&f, FW_CFG_NB_CPUS);
	rd(&f, b, 4, 4);
	assert_memory_equal(b, "\4\0\0\0", 4);
	sel(&f, FW_CFG_ARCH_LOCAL + 3);
	rd(&f, b, 8, 8);
	assert_memory_equal(b, "\x08\x07\x06\x05\x04\x03\x02\x01", 8);
	assert_int_equal(fw_cfg_add_i16(&f, FW_CFG_NB_CPUS, 2), 0);   /* replaced */
	sel(&f, FW_CFG_NB_CPUS);
	assert_int_equal(rd32le(&f), 2);
	fw_cfg_destroy(&f);
}

static uint8_t kernel[1003], initrd[77];

static void fill(uint8_t *p, size_t n, uint8_t seed)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 7 + seed);
}

/* The kernel is referenced, not copied, and streams out in 8-byte reads as
 * edk2's MmioReadBytes takes it: the last read short, then zeros. */
static void test_kernel_stream(void **state)
{
	struct fw_cfg f;
	uint8_t out[1016], b[64];
	(void)state;

	setup(&f);
	fill(kernel, sizeof(kernel), 1);
	fill(initrd, sizeof(initrd), 2);
	assert_int_equal(fw_cfg_set_kernel(&f, kernel, sizeof(kernel), initrd, sizeof(initrd),
					   "console=ttyAMA0 root=/dev/vda1"), 0);
	assert_ptr_equal(f.generic[FW_CFG_KERNEL_DATA].data, kernel);
	assert_ptr_equal(f.generic[FW_CFG_INITRD_DATA].data, initrd);
	sel(&f, FW_CFG_KERNEL_SIZE);
	assert_int_equal(rd32le(&f), sizeof(kernel));
	sel(&f, FW_CFG_KERNEL_DATA);
	memset(out, 0x55, sizeof(out));
	rd(&f, out, sizeof(out), 8);
	assert_memory_equal(out, kernel, sizeof(kernel));
	for (size_t i = sizeof(kernel); i < sizeof(out); i++)
		assert_int_equal(out[i], 0);
	/* Mixed widths, as the tail of an odd-sized read. */
	sel(&f, FW_CFG_KERNEL_DATA);
	rd(&f, out, 4, 4);
	rd(&f, out + 4, 2, 2);
	rd(&f, out + 6, 1, 1);
	rd(&f, out + 7, 9, 8);
	assert_memory_equal(out, kernel, 16);

	sel(&f, FW_CFG_INITRD_SIZE);
	assert_int_equal(rd32le(&f), sizeof(initrd));
	sel(&f, FW_CFG_INITRD_DATA);
	rd(&f, out, sizeof(initrd), 8);
	assert_memory_equal(out, initrd, sizeof(initrd));
	sel(&f, FW_CFG_CMDLINE_SIZE);
	assert_int_equal(rd32le(&f), 31);
	sel(&f, FW_CFG_CMDLINE_DATA);
	rd(&f, b, 32, 8);
	assert_string_equal((char *)b, "console=ttyAMA0 root=/dev/vda1");
	assert_int_equal(b[31], 0);
	sel(&f, FW_CFG_SETUP_SIZE);                    /* x86 only: edk2 on arm reads 0 */
	assert_int_equal(rd32le(&f), 0);

	/* No initrd, no command line: their sizes read 0. */
	fw_cfg_clear(&f);
	assert_int_equal(fw_cfg_set_kernel(&f, kernel, sizeof(kernel), NULL, 0, NULL), 0);
	sel(&f, FW_CFG_INITRD_SIZE);
	assert_int_equal(rd32le(&f), 0);
	sel(&f, FW_CFG_CMDLINE_SIZE);
	assert_int_equal(rd32le(&f), 0);
	fw_cfg_destroy(&f);
}

static void test_dma_read(void **state)
{
	struct fw_cfg f;
	uint8_t trig[4];
	(void)state;

	setup(&f);
	fill(kernel, sizeof(kernel), 3);
	assert_int_equal(fw_cfg_set_kernel(&f, kernel, sizeof(kernel), NULL, 0, NULL), 0);
	/* Select and read in one, 16 bytes past the end: zeros there. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ, sizeof(kernel) + 16, BUF), 0);
	assert_memory_equal(at(BUF), kernel, sizeof(kernel));
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(at(BUF)[sizeof(kernel) + i], 0);
	assert_int_equal(at(BUF)[sizeof(kernel) + 16], 0xaa);
	assert_int_equal(f.dma_addr, 0);               /* clear after the transfer */

	/* Two 4-byte writes, high half first; the low one starts it. */
	memset(at(BUF), 0xaa, 64);
	be32(at(DESC), select_ctl(FW_CFG_SIGNATURE) | FW_CFG_DMA_READ);
	be32(at(DESC) + 4, 4);
	be32(at(DESC) + 8, (uint32_t)(BUF >> 32));
	be32(at(DESC) + 12, (uint32_t)BUF);
	be32(trig, 0);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA, true, trig, 4);
	assert_int_equal(at(BUF)[0], 0xaa);            /* not yet */
	be32(trig, (uint32_t)DESC);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA + 4, true, trig, 4);
	assert_int_equal(get_be32(at(DESC)), 0);
	assert_memory_equal(at(BUF), "QEMU\xaa", 5);

	/* Without select, a read goes on from the current offset, which the
	 * data register shares. */
	sel(&f, FW_CFG_KERNEL_DATA);
	rd(&f, at(BUF), 5, 1);
	assert_int_equal(dma(&f, FW_CFG_DMA_READ, 10, BUF + 5), 0);
	assert_memory_equal(at(BUF), kernel, 15);
	rd(&f, at(BUF), 8, 8);
	assert_memory_equal(at(BUF), kernel + 15, 8);

	/* Read wins over write and skip; no operation bit moves nothing. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ | FW_CFG_DMA_WRITE |
			     FW_CFG_DMA_SKIP, 8, BUF), 0);
	assert_memory_equal(at(BUF), kernel, 8);
	memset(at(BUF), 0xaa, 8);
	assert_int_equal(dma(&f, 0, 8, BUF), 0);
	assert_int_equal(at(BUF)[0], 0xaa);
	assert_int_equal(f.offset, 8);
	assert_int_equal(dma(&f, FW_CFG_DMA_READ, 0, BUF), 0);   /* zero length */
	assert_int_equal(at(BUF)[0], 0xaa);
	fw_cfg_destroy(&f);
}

static void test_dma_skip(void **state)
{
	struct fw_cfg f;
	uint8_t b[8];
	(void)state;

	setup(&f);
	fill(kernel, sizeof(kernel), 4);
	assert_int_equal(fw_cfg_add_bytes(&f, FW_CFG_KERNEL_DATA, kernel, sizeof(kernel)), 0);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_SKIP, 10, 0), 0);
	assert_int_equal(dma(&f, FW_CFG_DMA_READ, 5, BUF), 0);
	assert_memory_equal(at(BUF), kernel + 10, 5);
	rd(&f, b, 1, 1);
	assert_int_equal(b[0], kernel[15]);
	/* Skipping past the end stops the offset there; reads give zeros. */
	assert_int_equal(dma(&f, FW_CFG_DMA_SKIP, 0xffffffffu, 0), 0);
	assert_int_equal(f.offset, sizeof(kernel));
	rd(&f, b, 8, 8);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0", 8);
	/* A skip on an empty key is no error either. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_NUMA) | FW_CFG_DMA_SKIP, 100, 0), 0);
	fw_cfg_destroy(&f);
}

static uint8_t cb_data[16];
static uint32_t cb_len, cb_off, cb_count;
static unsigned cb_calls;

static void on_write(void *opaque, const uint8_t *data, uint32_t len, uint32_t offset, uint32_t count)
{
	assert_ptr_equal(opaque, &cb_calls);
	assert_true(len <= sizeof(cb_data));
	memcpy(cb_data, data, len);
	cb_len = len;
	cb_off = offset;
	cb_count = count;
	cb_calls++;
}

/* The table loader's WRITE_POINTER: select the file, skip to the offset,
 * write the address (edk2's QemuFwCfgAcpi.c); the machine hears of it. */
static void test_dma_write(void **state)
{
	static const uint8_t zero8[8], addr[8] = { 0x00, 0x10, 0x3f, 0x7f, 0, 0, 0, 0 };
	struct fw_cfg f;
	const uint8_t *now;
	uint16_t key;
	uint32_t len;
	(void)state;

	setup(&f);
	cb_calls = 0;
	assert_int_equal(fw_cfg_add_file_writable(&f, "etc/hardware_errors_addr", zero8, 8, on_write, &cb_calls), 0);
	assert_int_equal(fw_cfg_add_file(&f, "etc/hardware_errors", "ro", 2), 0);
	assert_non_null(fw_cfg_file(&f, "etc/hardware_errors_addr", &len, &key));

	memcpy(at(BUF), addr, 8);
	assert_int_equal(dma(&f, select_ctl(key) | FW_CFG_DMA_WRITE, 8, BUF), 0);
	assert_int_equal(cb_calls, 1);
	assert_int_equal(cb_len, 8);
	assert_int_equal(cb_off, 0);
	assert_int_equal(cb_count, 8);
	assert_memory_equal(cb_data, addr, 8);
	now = fw_cfg_file(&f, "etc/hardware_errors_addr", &len, NULL);
	assert_memory_equal(now, addr, 8);
	/* The guest reads back what it wrote. */
	assert_int_equal(dma(&f, select_ctl(key) | FW_CFG_DMA_READ, 8, BUF + 64), 0);
	assert_memory_equal(at(BUF + 64), addr, 8);

	/* Skip, then write part of it. */
	sel(&f, key);
	assert_int_equal(dma(&f, FW_CFG_DMA_SKIP, 4, 0), 0);
	memcpy(at(BUF), "\x11\x22\x33\x44", 4);
	assert_int_equal(dma(&f, FW_CFG_DMA_WRITE, 4, BUF), 0);
	assert_int_equal(cb_calls, 2);
	assert_int_equal(cb_off, 4);
	assert_int_equal(cb_count, 4);
	assert_memory_equal(now, "\x00\x10\x3f\x7f\x11\x22\x33\x44", 8);

	/* Running past the end writes nothing and is an error. */
	assert_int_equal(dma(&f, select_ctl(key) | FW_CFG_DMA_SKIP, 4, 0), 0);
	memcpy(at(BUF), "ABCDEFGH", 8);
	assert_int_equal(dma(&f, FW_CFG_DMA_WRITE, 8, BUF), FW_CFG_DMA_ERROR);
	assert_memory_equal(now, "\x00\x10\x3f\x7f\x11\x22\x33\x44", 8);
	/* So is writing at the end, into a read-only file, an absent key,
	 * the device's own items, or from outside RAM. */
	assert_int_equal(dma(&f, FW_CFG_DMA_WRITE, 1, BUF), FW_CFG_DMA_ERROR);
	assert_non_null(fw_cfg_file(&f, "etc/hardware_errors", NULL, &key));
	assert_int_equal(dma(&f, select_ctl(key) | FW_CFG_DMA_WRITE, 2, BUF), FW_CFG_DMA_ERROR);
	assert_memory_equal(fw_cfg_file(&f, "etc/hardware_errors", NULL, NULL), "ro", 2);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_BOOT_DEVICE) | FW_CFG_DMA_WRITE, 2, BUF), FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_SIGNATURE) | FW_CFG_DMA_WRITE, 4, BUF), FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_FILE_DIR) | FW_CFG_DMA_WRITE, 4, BUF), FW_CFG_DMA_ERROR);
	sel(&f, FW_CFG_SIGNATURE);
	rd(&f, at(BUF), 4, 4);
	assert_memory_equal(at(BUF), "QEMU", 4);
	assert_non_null(fw_cfg_file(&f, "etc/hardware_errors_addr", NULL, &key));
	assert_int_equal(dma(&f, select_ctl(key) | FW_CFG_DMA_WRITE, 8, 0x1000), FW_CFG_DMA_ERROR);
	assert_int_equal(cb_calls, 2);
	/* Zero bytes: nothing to do, no error. */
	assert_int_equal(dma(&f, select_ctl(key) | FW_CFG_DMA_WRITE, 0, BUF), 0);
	/* The data register never writes. */
	sel(&f, key);
	fw_cfg_access(&f, FW_CFG_MMIO_DATA, true, (uint8_t[8]){ 9, 9, 9, 9, 9, 9, 9, 9 }, 8);
	assert_memory_equal(now, "\x00\x10\x3f\x7f\x11\x22\x33\x44", 8);
	assert_int_equal(f.offset, 0);

	/* A guest reset keeps what was written; a clear drops the file. */
	fw_cfg_reset(&f);
	assert_memory_equal(fw_cfg_file(&f, "etc/hardware_errors_addr", NULL, NULL), "\x00\x10\x3f\x7f", 4);
	fw_cfg_clear(&f);
	assert_null(fw_cfg_file(&f, "etc/hardware_errors_addr", NULL, NULL));
	fw_cfg_destroy(&f);
}

/* Whatever the guest puts in the descriptor or the register, the device
 * answers with the error bit (where it can write it) and carries on. */
static void test_dma_errors(void **state)
{
	struct fw_cfg f;
	uint8_t trig[8];
	(void)state;

	setup(&f);
	fill(kernel, sizeof(kernel), 5);
	assert_int_equal(fw_cfg_add_bytes(&f, FW_CFG_KERNEL_DATA, kernel, sizeof(kernel)), 0);

	/* Descriptor outside RAM: nothing to read, the status write fails too. */
	assert_int_equal(dma_at(&f, 0x1000, 0, 0, 0), 0xdeadbeef);
	assert_int_equal(dma_at(&f, UINT64_MAX - 3, 0, 0, 0), 0xdeadbeef);
	assert_int_equal(dma_at(&f, 0, 0, 0, 0), 0xdeadbeef);
	/* Half inside: the error bit lands in the half that is. */
	mem_writes = 0;
	be32(at(RAM_BASE + RAM_SIZE - 8), FW_CFG_DMA_READ);
	assert_int_equal(dma_at(&f, RAM_BASE + RAM_SIZE - 8, 0, 0, 0), FW_CFG_DMA_ERROR);
	assert_int_equal(mem_writes, 1);

	/* Target outside RAM, straddling its end, or wrapping past 2^64. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ, 16, 0x1000), FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ, 16, RAM_BASE + RAM_SIZE - 8),
			 FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ, 16, UINT64_MAX - 7),
			 FW_CFG_DMA_ERROR);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_NUMA) | FW_CFG_DMA_READ, 16, UINT64_MAX - 7), FW_CFG_DMA_ERROR);
	/* After an error the offset is where the failed chunk would have ended
	 * (QEMU's too); a new select starts again. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ, 8, BUF), 0);
	assert_memory_equal(at(BUF), kernel, 8);

	/* A huge read of an empty key zero-fills up to the end of RAM, then
	 * fails there. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_NUMA) | FW_CFG_DMA_READ, 0xffffffffu, BUF), FW_CFG_DMA_ERROR);
	assert_int_equal(at(BUF)[0], 0);
	assert_int_equal(ram[RAM_SIZE - 1], 0);
	/* ... and of the kernel: the kernel, then zeros until the page
	 * that would cross the end of RAM. */
	memset(at(BUF), 0xaa, RAM_SIZE - 0x1000);
	assert_int_equal(dma(&f, select_ctl(FW_CFG_KERNEL_DATA) | FW_CFG_DMA_READ, 0xffffffffu, BUF),
			 FW_CFG_DMA_ERROR);
	assert_memory_equal(at(BUF), kernel, sizeof(kernel));
	assert_int_equal(at(BUF)[sizeof(kernel)], 0);

	/* A descriptor may point at itself: it is read first, then its
	 * control overwritten with the status. */
	assert_int_equal(dma(&f, select_ctl(FW_CFG_SIGNATURE) | FW_CFG_DMA_READ, 4, DESC), 0);

	/* A device with no memory behind it fails every transfer. */
	fw_cfg_destroy(&f);
	fw_cfg_init(&f, NULL);
	be32(trig, 0);
	be32(trig + 4, (uint32_t)DESC);
	be32(at(DESC), FW_CFG_DMA_READ);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA, true, trig, 8);
	assert_int_equal(get_be32(at(DESC)), FW_CFG_DMA_READ);
	fw_cfg_destroy(&f);
}

/* Accesses no driver makes: zeros for reads, nothing for writes. */
static void test_odd_accesses(void **state)
{
	static const uint64_t offsets[] = { 1, 2, 4, 7, 8, 9, 10, 12, 15, 0x18, 0x20, 0x1000, UINT64_MAX };
	struct fw_cfg f;
	uint8_t b[16];
	(void)state;

	setup(&f);
	sel(&f, FW_CFG_SIGNATURE);
	for (unsigned i = 0; i < sizeof(offsets) / sizeof(offsets[0]); i++) {
		for (unsigned size = 1; size <= 8; size++) {
			memset(b, 0x55, sizeof(b));
			fw_cfg_access(&f, offsets[i], false, b, size);
			for (unsigned j = 0; j < size; j++)
				assert_int_equal(b[j], 0);
			assert_int_equal(b[size], 0x55);
			if (offsets[i] != FW_CFG_MMIO_SELECTOR || size != 2) {
				memset(b, 0x12, sizeof(b));
				fw_cfg_access(&f, offsets[i], true, b, size);
			}
		}
	}
	/* None of it moved the stream or changed the selection. */
	assert_int_equal(f.key, FW_CFG_SIGNATURE);
	assert_int_equal(f.offset, 0);
	assert_int_equal(f.dma_addr, 0);
	/* Widths 0 and over 8 are ignored outright. */
	memset(b, 0x55, sizeof(b));
	fw_cfg_access(&f, 0, false, b, 0);
	fw_cfg_access(&f, 0, false, b, 16);
	assert_int_equal(b[0], 0x55);
	/* DMA register: wrong widths and offsets start nothing; a read past
	 * its end is zeros. */
	fw_cfg_access(&f, FW_CFG_MMIO_DMA, true, (uint8_t[2]){ 0, 0 }, 2);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA + 2, true, (uint8_t[4]){ 0, 0, 0, 1 }, 4);
	fw_cfg_access(&f, FW_CFG_MMIO_DMA + 4, true, (uint8_t[8]){ 0 }, 8);
	assert_int_equal(mem_writes, 0);
	memset(b, 0x55, sizeof(b));
	fw_cfg_access(&f, FW_CFG_MMIO_DMA + 4, false, b, 8);
	assert_memory_equal(b, "\0\0\0\0\0\0\0\0\x55", 9);
	rd(&f, b, 4, 4);
	assert_memory_equal(b, "QEMU", 4);
	fw_cfg_destroy(&f);
}

static void test_clear(void **state)
{
	struct fw_cfg f;
	uint8_t b[8];
	(void)state;

	setup(&f);
	assert_int_equal(fw_cfg_set_kernel(&f, kernel, sizeof(kernel), initrd, sizeof(initrd), "x"), 0);
	assert_int_equal(fw_cfg_add_file_copy(&f, "etc/acpi/tables", "T", 1), 0);
	assert_int_equal(fw_cfg_add_i16(&f, FW_CFG_ARCH_LOCAL, 1), 0);
	sel(&f, FW_CFG_KERNEL_DATA);
	rd(&f, b, 3, 1);
	fw_cfg_clear(&f);
	assert_int_equal(f.key, FW_CFG_SIGNATURE);
	sel(&f, FW_CFG_KERNEL_SIZE);
	assert_int_equal(rd32le(&f), 0);
	sel(&f, FW_CFG_ARCH_LOCAL);
	assert_int_equal(rd32le(&f), 0);
	sel(&f, FW_CFG_FILE_DIR);
	assert_int_equal(rd32le(&f), 0);
	sel(&f, FW_CFG_ID);
	assert_int_equal(rd32le(&f), 3);
	/* The machine adds them again at reset. */
	assert_int_equal(fw_cfg_add_file_copy(&f, "etc/acpi/tables", "T", 1), 0);
	assert_non_null(fw_cfg_file(&f, "etc/acpi/tables", NULL, NULL));
	fw_cfg_destroy(&f);
	fw_cfg_destroy(&f);                            /* twice is harmless */
}

static void test_dt(void **state)
{
	static uint8_t buf[1024];
	struct dt_writer w = { .fdt = buf };
	const fdt64_t *reg;
	const char *compat;
	int node, len;
	(void)state;

	assert_int_equal(fdt_create(buf, sizeof(buf)), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	dt_begin(&w, "");
	dt_prop_u32(&w, "#address-cells", 2);
	dt_prop_u32(&w, "#size-cells", 2);
	fw_cfg_dt(&w, "fw-cfg@9020000", 0x9020000, FW_CFG_MMIO_SIZE);
	dt_end(&w);
	assert_int_equal(w.err, 0);
	assert_int_equal(fdt_finish(buf), 0);
	node = fdt_path_offset(buf, "/fw-cfg@9020000");
	assert_true(node >= 0);
	compat = fdt_getprop(buf, node, "compatible", &len);
	assert_non_null(compat);
	assert_int_equal(len, sizeof("qemu,fw-cfg-mmio"));
	assert_string_equal(compat, "qemu,fw-cfg-mmio");
	reg = fdt_getprop(buf, node, "reg", &len);
	assert_int_equal(len, 16);
	assert_int_equal(fdt64_to_cpu(reg[0]), 0x9020000);
	assert_int_equal(fdt64_to_cpu(reg[1]), 0x18);
	assert_non_null(fdt_getprop(buf, node, "dma-coherent", &len));
	assert_int_equal(len, 0);
}

static void test_aml(void **state)
{
	static const uint8_t mem32[] = { 0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0x02, 0x09, 0x18, 0, 0, 0 };
	struct aml a;
	(void)state;

	aml_init(&a);
	fw_cfg_aml(&a, 0x09020000, FW_CFG_MMIO_SIZE);
	assert_int_equal(aml_finish(&a), 0);
	assert_non_null(memmem(a.buf, a.len, "FWCF", 4));
	assert_non_null(memmem(a.buf, a.len, "QEMU0002", 9));
	assert_non_null(memmem(a.buf, a.len, "_CCA", 4));
	/* Memory32Fixed(ReadWrite, base, length), little-endian. */
	assert_non_null(memmem(a.buf, a.len, mem32, sizeof(mem32)));
	aml_free(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_id),
		cmocka_unit_test(test_directory),
		cmocka_unit_test(test_directory_full),
		cmocka_unit_test(test_absent_and_reserved),
		cmocka_unit_test(test_kernel_stream),
		cmocka_unit_test(test_dma_read),
		cmocka_unit_test(test_dma_skip),
		cmocka_unit_test(test_dma_write),
		cmocka_unit_test(test_dma_errors),
		cmocka_unit_test(test_odd_accesses),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_dt),
		cmocka_unit_test(test_aml),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
