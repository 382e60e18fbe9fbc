/* The Boot Error Region and the BERT that points at it.
 *
 * Offsets restated from ACPI 6.x §18.3.1 (BERT: header, Boot Error Region
 * Length at 36, Boot Error Region at 40) and §18.3.2.7.1 (status block,
 * data entries), and checked the way Linux's bert.c walks the region:
 * block after block, each a whole status block (cper_block_check), until
 * block status 0 or the region's end, a block printed only under 1024
 * bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/bert.h"
#include "acpi/builder.h"
#include "ras/bert.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static const uint8_t platform_mem[16] = { 0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
					  0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1 };

static void errors(struct cper_mem_error *e, size_t n)
{
	for (size_t i = 0; i < n; i++)
		e[i] = (struct cper_mem_error){ .phys_addr = 0x100000 + 0x3000 * i, .size = 4096,
						.severity = CPER_SEV_RECOVERABLE, .error_type = 0 };
}

/* Walks buf[0..len) as Linux does and checks every section against e[]:
 * returns the number of blocks; each block's section count goes to per[]. */
static unsigned walk(const uint8_t *buf, size_t len, const struct cper_mem_error *e, size_t n, unsigned *per)
{
	size_t off = 0, sec = 0;
	unsigned blocks = 0;
	char why[160];

	while (len - off >= 20) {
		const uint8_t *es = buf + off;
		uint32_t status = le32(es), dlen = le32(es + 12);
		size_t blen = 20 + dlen;

		if (!status)
			break;
		assert_true(blen <= len - off);
		if (!cper_block_check(es, blen, why, sizeof(why)))
			fail_msg("block %u: %s", blocks, why);
		assert_true(blen <= BERT_PRINTABLE_BLOCK_MAX);
		unsigned k = (status >> 4) & 0x3ff;
		assert_int_equal(dlen, k * 152u);
		/* Uncorrected valid, and "multiple uncorrected" with more than one. */
		assert_int_equal(status & 0xf, k > 1 ? 0x5 : 0x1);
		assert_int_equal(le32(es + 4), 0);
		assert_int_equal(le32(es + 8), 0);
		assert_int_equal(le32(es + 16), CPER_SEV_RECOVERABLE);
		for (unsigned i = 0; i < k; i++, sec++) {
			const uint8_t *gd = es + 20 + 152 * i, *m = gd + 72;
			assert_true(sec < n);
			assert_memory_equal(gd, platform_mem, 16);
			assert_int_equal(le32(gd + 16), e[sec].severity);
			assert_int_equal(le16(gd + 20), 0x300);
			assert_int_equal(le32(gd + 24), 80);
			assert_int_equal(le64(m + 0), (1u << 1) | (1u << 2) | (1u << 14));
			assert_int_equal(le64(m + 16), e[sec].phys_addr);
			assert_int_equal(le64(m + 24), ~(e[sec].size - 1));
			assert_int_equal(m[72], e[sec].error_type);
		}
		per[blocks++] = k;
		off += blen;
	}
	assert_int_equal(off, len);
	assert_int_equal(sec, n);
	return blocks;
}

static void test_region_lengths(void **state)
{
	(void)state;
	assert_int_equal(bert_region_len(0), 0);
	assert_int_equal(bert_region_len(1), 20 + 152);
	assert_int_equal(bert_region_len(6), 20 + 6 * 152);
	assert_int_equal(bert_region_len(7), 2 * 20 + 7 * 152);
	assert_int_equal(bert_region_len(12), 2 * 20 + 12 * 152);
	/* The fullest block is still one Linux prints. */
	assert_true(bert_region_len(BERT_SECTIONS_PER_BLOCK) <= BERT_PRINTABLE_BLOCK_MAX);
	assert_true(bert_region_len(BERT_SECTIONS_PER_BLOCK + 1) - 20 - 152 <= BERT_PRINTABLE_BLOCK_MAX);
}

static void test_region_blocks(void **state)
{
	struct cper_mem_error e[14];
	uint8_t buf[4096];
	unsigned per[8];
	size_t taken;
	(void)state;

	errors(e, 14);
	for (size_t n = 1; n <= 14; n++) {
		memset(buf, 0xa5, sizeof(buf));
		ssize_t len = bert_region_encode(buf, sizeof(buf), e, n, &taken);
		assert_int_equal(len, bert_region_len(n));
		assert_int_equal(taken, n);
		unsigned blocks = walk(buf, (size_t)len, e, n, per);
		assert_int_equal(blocks, (n + 5) / 6);
		for (unsigned b = 0; b + 1 < blocks; b++)
			assert_int_equal(per[b], 6);
		assert_int_equal(buf[len], 0xa5);     /* nothing past it */
	}
}

static void test_region_short_buffer(void **state)
{
	struct cper_mem_error e[9];
	uint8_t buf[2048];
	unsigned per[4];
	size_t taken = 99;
	ssize_t len;
	(void)state;

	errors(e, 9);
	/* Room for one full block and two sections of the next, not three:
	 * the second block gets two, the last error is left to the caller. */
	memset(buf, 0xa5, sizeof(buf));
	len = bert_region_encode(buf, bert_region_len(6) + 20 + 2 * 152 + 151, e, 9, &taken);
	assert_int_equal(taken, 8);
	assert_int_equal(len, bert_region_len(6) + 20 + 2 * 152);
	assert_int_equal(walk(buf, (size_t)len, e, 8, per), 2);
	assert_int_equal(per[1], 2);
	assert_int_equal(buf[len], 0xa5);

	/* Not even one section: nothing. */
	assert_int_equal(bert_region_encode(buf, 20 + 151, e, 9, &taken), 0);
	assert_int_equal(taken, 0);
	assert_int_equal(bert_region_encode(buf, sizeof(buf), e, 0, &taken), 0);
	assert_int_equal(taken, 0);
}

static void test_region_invalid(void **state)
{
	struct cper_mem_error e[3];
	uint8_t buf[1024];
	size_t taken = 99;
	(void)state;

	errors(e, 3);
	e[2].size = 3 << 12;
	memset(buf, 0xa5, sizeof(buf));
	errno = 0;
	assert_int_equal(bert_region_encode(buf, sizeof(buf), e, 3, &taken), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(taken, 0);
	assert_int_equal(buf[0], 0xa5);           /* nothing written */
}

/* A block's severity is its worst entry's, and corrected ones say so. */
static void test_block_mixed(void **state)
{
	struct cper_mem_error e[4];
	uint8_t buf[1024];
	(void)state;

	errors(e, 4);
	e[1].severity = CPER_SEV_CORRECTED;
	e[3].severity = CPER_SEV_CORRECTED;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 4), 20 + 4 * 152);
	/* UE valid, CE valid, multiple UE, multiple CE; 4 entries. */
	assert_int_equal(le32(buf), 0xf | 4 << 4);
	assert_int_equal(le32(buf + 16), CPER_SEV_RECOVERABLE);
	e[2].severity = CPER_SEV_FATAL;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 4), 20 + 4 * 152);
	assert_int_equal(le32(buf + 16), CPER_SEV_FATAL);
	assert_int_equal(le32(buf + 20 + 2 * 152 + 16), CPER_SEV_FATAL);
	/* One corrected, one informational: informational counts as uncorrected, corrected wins the block. */
	e[0].severity = CPER_SEV_INFORMATIONAL;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 2), 20 + 2 * 152);
	assert_int_equal(le32(buf), 0x3 | 2 << 4);
	assert_int_equal(le32(buf + 16), CPER_SEV_CORRECTED);
	/* A single error is exactly what cper_encode_mem_error writes. */
	uint8_t one[CPER_MEM_RECORD_LEN];
	assert_int_equal(cper_encode_mem_error(one, sizeof(one), &e[3]), CPER_MEM_RECORD_LEN);
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), &e[3], 1), CPER_MEM_RECORD_LEN);
	assert_memory_equal(buf, one, CPER_MEM_RECORD_LEN);
	/* Counts and room. */
	errno = 0;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 0), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cper_encode_mem_errors(buf, 20 + 2 * 152 - 1, e, 2), -1);
	assert_int_equal(errno, ENOSPC);
}

static void test_table_fixed(void **state)
{
	struct acpi_builder b;
	struct acpi_blob blob;
	(void)state;

	acpi_builder_init(&b, 0xe0000, 4096);
	size_t t = acpi_add_bert(&b, 932, 0xf4000, NULL);
	assert_int_equal(acpi_builder_finish(&b, &blob), 0);
	const uint8_t *p = blob.buf + t;
	assert_memory_equal(p, "BERT", 4);
	assert_int_equal(le32(p + 4), 48);
	assert_int_equal(p[8], 1);                 /* revision */
	uint8_t sum = 0;
	for (unsigned i = 0; i < 48; i++)
		sum = (uint8_t)(sum + p[i]);
	assert_int_equal(sum, 0);
	assert_int_equal(le32(p + 36), 932);       /* Boot Error Region Length */
	assert_int_equal(le64(p + 40), 0xf4000);   /* Boot Error Region */
	assert_int_equal(blob.ntables, 1);
	assert_string_equal(blob.tables[0].sig, "BERT");
	acpi_blob_free(&blob);

	/* An empty region is no BERT. */
	acpi_builder_init(&b, 0xe0000, 4096);
	acpi_add_bert(&b, 0, 0xf4000, NULL);
	errno = 0;
	assert_int_equal(acpi_builder_finish(&b, &blob), -1);
	assert_int_equal(errno, EINVAL);
}

static void test_table_relocatable(void **state)
{
	struct acpi_builder b;
	(void)state;

	acpi_builder_init_relocatable(&b, 4096);
	size_t t = acpi_add_bert(&b, 172, 16, "etc/boot-errors");
	assert_int_equal(b.nrelocs, 1);
	assert_int_equal(b.relocs[0].offset, t + 40);
	assert_int_equal(b.relocs[0].size, 8);
	assert_string_equal(b.relocs[0].file, "etc/boot-errors");
	assert_int_equal(le64(b.buf + t + 40), 16);   /* the offset the loader adds the file's address to */
	assert_int_equal(b.nchecksums, 1);
	free(b.buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_region_lengths),
		cmocka_unit_test(test_region_blocks),
		cmocka_unit_test(test_region_short_buffer),
		cmocka_unit_test(test_region_invalid),
		cmocka_unit_test(test_block_mixed),
		cmocka_unit_test(test_table_fixed),
		cmocka_unit_test(test_table_relocatable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
