/* CPER memory-error records for GHESv2 error status blocks.
 *
 * Offsets and values are restated from ACPI 6.x §18.3.2.7.1 and UEFI 2.x
 * Appendix N rather than taken from cper.h, so a wrong constant there shows
 * up here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "ras/cper.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

/* Block header 20 + data entry 72 + memory section 80. */
#define RECORD 172

static void encode(uint8_t *buf, uint64_t pa, uint64_t size, uint32_t sev, uint8_t type)
{
	struct cper_mem_error e = { .phys_addr = pa, .size = size, .severity = sev,
				    .error_type = type };
	memset(buf, 0xa5, 256);
	assert_int_equal(cper_encode_mem_error(buf, 256, &e), RECORD);
	/* Nothing past the record is touched. */
	for (size_t i = RECORD; i < 256; i++)
		assert_int_equal(buf[i], 0xa5);
}

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(CPER_ESTATUS_LEN, 20);
	assert_int_equal(CPER_GDATA_LEN, 72);
	assert_int_equal(CPER_MEM_SECTION_LEN, 80);
	assert_int_equal(CPER_MEM_RECORD_LEN, RECORD);
}

static void test_status_block(void **state)
{
	(void)state;
	uint8_t buf[256];
	encode(buf, 0x12345000, 4096, 0, 3);
	/* Uncorrectable error valid (bit 0), one entry in bits 4-13. */
	assert_int_equal(le32(buf + 0), 0x11);
	assert_int_equal(le32(buf + 4), 0);        /* raw data offset */
	assert_int_equal(le32(buf + 8), 0);        /* raw data length */
	assert_int_equal(le32(buf + 12), 72 + 80); /* data length */
	assert_int_equal(le32(buf + 16), 0);       /* severity: recoverable */
}

static void test_data_entry(void **state)
{
	(void)state;
	uint8_t buf[256];
	encode(buf, 0x12345000, 4096, 0, 3);
	const uint8_t *gd = buf + 20;
	/* A5BC1114-6F64-4EDE-B863-3E83ED7C83B1 in UEFI's byte order. */
	static const uint8_t guid[16] = { 0x14, 0x11, 0xbc, 0xa5, 0x64, 0x6f, 0xde, 0x4e,
					  0xb8, 0x63, 0x3e, 0x83, 0xed, 0x7c, 0x83, 0xb1 };
	assert_memory_equal(gd, guid, 16);
	assert_int_equal(le32(gd + 16), 0);        /* section severity */
	assert_int_equal(le16(gd + 20), 0x0300);   /* revision */
	assert_int_equal(gd[22], 0);               /* no FRU id, FRU text, timestamp */
	assert_int_equal(gd[23], 0);               /* flags */
	assert_int_equal(le32(gd + 24), 80);       /* error data length */
	assert_true(all_zero(gd + 28, 16));        /* FRU id */
	assert_true(all_zero(gd + 44, 20));        /* FRU text */
	assert_true(all_zero(gd + 64, 8));         /* timestamp */
}

static void test_memory_section(void **state)
{
	(void)state;
	uint8_t buf[256];
	encode(buf, 0x12345678, 4096, 0, 3);
	const uint8_t *m = buf + 20 + 72;
	/* Physical address (bit 1), mask (bit 2), memory error type (bit 14). */
	assert_int_equal(le64(m + 0), (1u << 1) | (1u << 2) | (1u << 14));
	assert_int_equal(le64(m + 8), 0);          /* error status */
	assert_int_equal(le64(m + 16), 0x12345678);
	assert_int_equal(le64(m + 24), 0xfffffffffffff000ull);
	assert_true(all_zero(m + 32, 40));         /* node .. target id */
	assert_int_equal(m[72], 3);                /* multi-bit ECC */
	assert_true(all_zero(m + 73, 7));          /* extended, rank, handles */
}

static void test_mask_from_size(void **state)
{
	(void)state;
	uint8_t buf[256];
	encode(buf, 0x40200000, 2u << 20, 0, 14);
	assert_int_equal(le64(buf + 92 + 24), 0xffffffffffe00000ull);
	assert_int_equal(buf[92 + 72], 14);        /* scrub uncorrected */
	encode(buf, 0x80000000, 1ull << 30, 0, 3);
	assert_int_equal(le64(buf + 92 + 24), 0xffffffffc0000000ull);
	encode(buf, 0x1234, 1, 0, 3);
	assert_int_equal(le64(buf + 92 + 24), ~0ull);
}

static void test_corrected(void **state)
{
	(void)state;
	uint8_t buf[256];
	encode(buf, 0x1000, 4096, 2, 2);
	/* Correctable error valid (bit 1), one entry. */
	assert_int_equal(le32(buf + 0), 0x12);
	assert_int_equal(le32(buf + 16), 2);
	assert_int_equal(le32(buf + 20 + 16), 2);
}

static void test_errors(void **state)
{
	(void)state;
	uint8_t buf[RECORD];
	struct cper_mem_error e = { .phys_addr = 0x1000, .size = 4096 };
	memset(buf, 0x5a, sizeof(buf));
	errno = 0;
	assert_int_equal(cper_encode_mem_error(buf, RECORD - 1, &e), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(buf[0], 0x5a);            /* nothing written */
	assert_int_equal(cper_encode_mem_error(NULL, 0, &e), -1);
	assert_int_equal(cper_encode_mem_error(buf, RECORD, &e), RECORD);

	e.size = 0;
	errno = 0;
	assert_int_equal(cper_encode_mem_error(buf, RECORD, &e), -1);
	assert_int_equal(errno, EINVAL);
	e.size = 3 << 12;
	assert_int_equal(cper_encode_mem_error(buf, RECORD, &e), -1);
	e.size = 4096;
	e.severity = 4;
	assert_int_equal(cper_encode_mem_error(buf, RECORD, &e), -1);
	assert_int_equal(errno, EINVAL);
}

static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* buf[0..len) is refused, and the reason says so. */
static void expect_bad(const uint8_t *buf, size_t len, const char *reason)
{
	char why[160] = "";

	if (cper_block_check(buf, len, why, sizeof(why)))
		fail_msg("accepted; expected \"%s\"", reason);
	if (!strstr(why, reason))
		fail_msg("reason \"%s\", expected it to contain \"%s\"", why, reason);
	assert_null(strchr(why, '\n'));
}

static void test_block_check(void **state)
{
	uint8_t buf[4200];
	char why[160];
	(void)state;

	/* What vmras itself writes passes. */
	encode(buf, 0x12345000, 4096, CPER_SEV_RECOVERABLE, CPER_MEM_ERR_SCRUB_UE);
	assert_true(cper_block_check(buf, RECORD, why, sizeof(why)));
	encode(buf, 0x1000, 2 << 20, CPER_SEV_CORRECTED, CPER_MEM_ERR_MULTI_BIT_ECC);
	assert_true(cper_block_check(buf, RECORD, NULL, 0));
	/* Slack after the entries is allowed: a status block is usually bigger than its record. */
	memset(buf + RECORD, 0, 100);
	assert_true(cper_block_check(buf, RECORD + 100, NULL, 0));

	/* Lengths. */
	expect_bad(buf, 0, "0 bytes is shorter than the 20-byte block header");
	expect_bad(buf, 19, "shorter than the 20-byte block header");
	memset(buf + RECORD, 0, sizeof(buf) - RECORD);
	assert_true(cper_block_check(buf, 4096, NULL, 0));
	expect_bad(buf, 4097, "4097 bytes is longer than an error status block (4096 bytes)");

	/* Block status. */
	put32(buf, 0);
	expect_bad(buf, RECORD, "block status is 0");
	put32(buf, 0x11);

	/* Data length past the record. */
	put32(buf + 12, RECORD - 20 + 1);
	expect_bad(buf, RECORD, "data length 153 does not fit");
	put32(buf + 12, UINT32_MAX);
	expect_bad(buf, RECORD, "data length 4294967295 does not fit");
	/* No entries at all is a block the guest accepts. */
	put32(buf + 12, 0);
	assert_true(cper_block_check(buf, 20, NULL, 0));
	/* Entries that do not tile the data length. */
	put32(buf + 12, RECORD - 20 - 1);
	expect_bad(buf, RECORD, "data entry 0 at offset 20: error data length 80 overruns the data length 151");
	put32(buf + 12, RECORD - 20 + 10);
	memset(buf + RECORD, 0, 10);
	expect_bad(buf, RECORD + 10, "data entry 1 at offset 172: only 10 bytes");
	put32(buf + 12, 70);
	expect_bad(buf, RECORD, "data entry 0 at offset 20: its 72-byte header (revision 0x300) overruns");
	put32(buf + 12, 40);
	expect_bad(buf, RECORD, "less than an entry header (64)");
	/* A revision 0x201 entry has the 64-byte header: the same bytes now tile 8 more. */
	put32(buf + 12, RECORD - 20);
	buf[20 + 20] = 0x01;
	buf[20 + 21] = 0x02;
	expect_bad(buf, RECORD, "data entry 1 at offset 164: only 8 bytes");
	put32(buf + 20 + 24, 88);
	assert_true(cper_block_check(buf, RECORD, NULL, 0));
	buf[20 + 20] = 0x00;
	buf[20 + 21] = 0x03;
	put32(buf + 20 + 24, 80);
	assert_true(cper_block_check(buf, RECORD, NULL, 0));

	/* Raw data: after the entries, inside the record. */
	put32(buf + 4, RECORD);
	put32(buf + 8, 16);
	assert_true(cper_block_check(buf, RECORD + 16, NULL, 0));
	expect_bad(buf, RECORD + 15, "raw data (offset 172, length 16) ends past the record's 187 bytes");
	put32(buf + 4, RECORD - 1);
	expect_bad(buf, RECORD + 16, "raw data offset 171 is inside the header or data entries (they end at 172)");
	put32(buf + 4, UINT32_MAX);
	put32(buf + 8, UINT32_MAX);
	expect_bad(buf, RECORD + 16, "ends past the record");
	/* A zero raw data length makes the offset meaningless. */
	put32(buf + 4, 3);
	put32(buf + 8, 0);
	assert_true(cper_block_check(buf, RECORD, NULL, 0));

	/* A short buffer for the reason is truncated, not overrun. */
	put32(buf, 0);
	memset(why, 'x', sizeof(why));
	assert_false(cper_block_check(buf, RECORD, why, 8));
	assert_int_equal(strlen(why), 7);
	assert_int_equal(why[8], 'x');
}

/* Many memory errors in one block: each section is what the one-error
 * record would hold, the header counts and sizes them, and the block's
 * severity and valid bits cover them all. */
static void test_many(void **state)
{
	(void)state;
	static uint8_t buf[8192], one[256];
	struct cper_mem_error e[30];
	char why[128];

	for (unsigned i = 0; i < 30; i++)
		e[i] = (struct cper_mem_error){ .phys_addr = 0x7000000 + i * 4096, .size = 4096,
						.severity = CPER_SEV_RECOVERABLE, .error_type = 14 };
	/* One is the one-error record, byte for byte. */
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 1), RECORD);
	assert_int_equal(cper_encode_mem_error(one, sizeof(one), e), RECORD);
	assert_memory_equal(buf, one, RECORD);
	for (unsigned n = 2; n <= 26; n++) {
		size_t len = CPER_ESTATUS_LEN + n * CPER_MEM_ENTRY_LEN;
		memset(buf, 0xa5, sizeof(buf));
		assert_int_equal(cper_encode_mem_errors(buf, 4096, e, n), (ssize_t)len);
		assert_true(len <= 4096);
		assert_int_equal(buf[len], 0xa5);
		/* UE valid, multiple UE, n entries. */
		assert_int_equal(le32(buf), 0x1 | 0x4 | n << 4);
		assert_int_equal(le32(buf + 12), n * CPER_MEM_ENTRY_LEN);
		assert_int_equal(le32(buf + 16), CPER_SEV_RECOVERABLE);
		assert_true(cper_block_check(buf, len, why, sizeof(why)));
		for (unsigned i = 0; i < n; i++) {
			assert_int_equal(cper_encode_mem_error(one, sizeof(one), &e[i]), RECORD);
			assert_memory_equal(buf + CPER_ESTATUS_LEN + i * CPER_MEM_ENTRY_LEN,
					    one + CPER_ESTATUS_LEN, CPER_MEM_ENTRY_LEN);
		}
	}
	/* 27 do not fit in 4 KiB. */
	errno = 0;
	assert_int_equal(cper_encode_mem_errors(buf, 4096, e, 27), -1);
	assert_int_equal(errno, ENOSPC);
	assert_int_equal(cper_mem_errors_fit(4096), 26);
	assert_int_equal(cper_mem_errors_fit(65536), 431);
	assert_int_equal(cper_mem_errors_fit(CPER_MEM_RECORD_LEN - 1), 0);
	assert_int_equal(cper_mem_errors_fit(CPER_MEM_RECORD_LEN), 1);
	assert_int_equal(cper_mem_errors_fit(1 << 20), CPER_BLOCK_ENTRY_COUNT_MAX);
	assert_int_equal(cper_mem_errors_fit(0), 0);
	/* None, or more than the 10-bit count says. */
	errno = 0;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 0), -1);
	assert_int_equal(errno, EINVAL);
	errno = 0;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, CPER_BLOCK_ENTRY_COUNT_MAX + 1), -1);
	assert_int_equal(errno, EINVAL);
	/* One bad error spoils the block; nothing written. */
	e[5].size = 12288;
	memset(buf, 0xa5, sizeof(buf));
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 10), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(buf[0], 0xa5);
	e[5].size = 4096;
	/* Mixed: corrected and uncorrected both valid, "multiple" only for
	 * the kind with two (UE); the worst severity. */
	e[1].severity = CPER_SEV_CORRECTED;
	e[2].severity = CPER_SEV_FATAL;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 3), CPER_ESTATUS_LEN + 3 * CPER_MEM_ENTRY_LEN);
	assert_int_equal(le32(buf) & 0xf, 0x7);
	assert_int_equal(le32(buf + 16), CPER_SEV_FATAL);
	e[2].severity = CPER_SEV_INFORMATIONAL;
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e, 3), CPER_ESTATUS_LEN + 3 * CPER_MEM_ENTRY_LEN);
	assert_int_equal(le32(buf + 16), CPER_SEV_RECOVERABLE);
	assert_int_equal(cper_encode_mem_errors(buf, sizeof(buf), e + 1, 2), CPER_ESTATUS_LEN + 2 * CPER_MEM_ENTRY_LEN);
	assert_int_equal(le32(buf + 16), CPER_SEV_CORRECTED);
	/* One of each kind: both valid, neither "multiple". */
	assert_int_equal(le32(buf) & 0xf, 0x3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_status_block),
		cmocka_unit_test(test_data_entry),
		cmocka_unit_test(test_memory_section),
		cmocka_unit_test(test_mask_from_size),
		cmocka_unit_test(test_corrected),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_block_check),
		cmocka_unit_test(test_many),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
