/* HEST with GHESv2 entries.
 *
 * Offsets and values are restated from ACPI 6.x §18.3.2 (Tables 18.14 and
 * the GHESv2 structure) rather than taken from hest.h. With a path to
 * ../shared/oracles as argument, the layout is also compared with QEMU's
 * HEST for its arm virt machine; acpi_iasl.sh checks the x86 tables' HEST
 * with ACPICA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "acpi/builder.h"
#include "acpi/hest.h"
#include "x86/acpi.h"

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p) { return le16(p) | (uint32_t)le16(p + 2) << 16; }
static uint64_t le64(const uint8_t *p) { return le32(p) | (uint64_t)le32(p + 4) << 32; }

static uint8_t sum8(const uint8_t *p, size_t n)
{
	uint8_t s = 0;
	while (n--)
		s = (uint8_t)(s + *p++);
	return s;
}

static const char *oracle_dir;

#define BASE 0x000e0000ull
#define STATUS_AR 0x7fff0000ull
#define STATUS_AO 0x7fff0008ull
#define ACK_AR 0x610
#define ACK_AO 0x614

static void build(const struct acpi_ghes_source *src, unsigned n, struct acpi_blob *blob)
{
	struct acpi_builder b;
	acpi_builder_init(&b, BASE, 1 << 16);
	size_t t = acpi_add_hest(&b, src, n);
	assert_int_equal(t, 0);
	assert_int_equal(acpi_builder_finish(&b, blob), 0);
}

static void two_sources(struct acpi_ghes_source src[2])
{
	x86_ghes_source(&src[0], ACPI_GHES_SOURCE_AR, STATUS_AR, ACK_AR, ACPI_HEST_NOTIFY_NMI, 20);
	x86_ghes_source(&src[1], ACPI_GHES_SOURCE_AO, STATUS_AO, ACK_AO, ACPI_HEST_NOTIFY_EXTERNAL, 21);
}

static void check_gas64(const uint8_t *g, uint64_t addr)
{
	assert_int_equal(g[0], 0);       /* system memory */
	assert_int_equal(g[1], 64);      /* bit width */
	assert_int_equal(g[2], 0);       /* bit offset */
	assert_int_equal(g[3], 4);       /* access size: qword */
	assert_int_equal(le64(g + 4), addr);
}

/* The read-ack register: 32 bits in I/O space, accessed as a dword. */
static void check_gas_io32(const uint8_t *g, uint16_t port)
{
	assert_int_equal(g[0], 1);       /* system I/O */
	assert_int_equal(g[1], 32);      /* bit width */
	assert_int_equal(g[2], 0);       /* bit offset */
	assert_int_equal(g[3], 3);       /* access size: dword */
	assert_int_equal(le64(g + 4), port);
}

/* notify: 1 external interrupt or 10 GSIV (vector = gsi), 4 NMI (vector 0). */
static void check_entry(const uint8_t *e, uint16_t id, uint64_t status, uint16_t ack,
			uint8_t notify, uint32_t gsi)
{
	assert_int_equal(le16(e + 0), 10);          /* GHESv2 */
	assert_int_equal(le16(e + 2), id);
	assert_int_equal(le16(e + 4), 0xffff);      /* related source: none */
	assert_int_equal(e[6], 0);                  /* flags */
	assert_int_equal(e[7], 1);                  /* enabled */
	assert_int_equal(le32(e + 8), 1);           /* records to preallocate */
	assert_int_equal(le32(e + 12), 1);          /* max sections per record */
	assert_int_equal(le32(e + 16), 4096);       /* max raw data length */
	check_gas64(e + 20, status);
	const uint8_t *n = e + 32;
	assert_int_equal(n[0], notify);
	assert_int_equal(n[1], 28);
	assert_int_equal(le16(n + 2), 0);           /* configuration write enable */
	assert_int_equal(le32(n + 4), 0);           /* poll interval */
	assert_int_equal(le32(n + 8), gsi);         /* vector: the GSI */
	for (int i = 12; i < 28; i += 4)
		assert_int_equal(le32(n + i), 0);   /* thresholds */
	assert_int_equal(le32(e + 60), 4096);       /* error status block length */
	check_gas_io32(e + 64, ack);
	assert_int_equal(le64(e + 76), 0xfffffffffffffffeull);  /* read ack preserve */
	assert_int_equal(le64(e + 84), 1);                      /* read ack write */
}

static void test_two_sources(void **state)
{
	(void)state;
	struct acpi_ghes_source src[2];
	two_sources(src);
	struct acpi_blob blob;
	build(src, 2, &blob);
	const uint8_t *h = blob.buf;
	assert_int_equal(blob.ntables, 1);
	assert_string_equal(blob.tables[0].sig, "HEST");
	assert_memory_equal(h, "HEST", 4);
	assert_int_equal(le32(h + 4), 36 + 4 + 2 * 92);
	assert_int_equal(blob.tables[0].length, 36 + 4 + 2 * 92);
	assert_int_equal(h[8], 1);                  /* revision */
	assert_int_equal(sum8(h, le32(h + 4)), 0);
	assert_memory_equal(h + 10, "VMRAS ", 6);
	assert_memory_equal(h + 16, "VMRSHEST", 8);
	assert_int_equal(le32(h + 36), 2);          /* error source count */
	check_entry(h + 40, 0, STATUS_AR, ACK_AR, 4, 0);
	check_entry(h + 40 + 92, 1, STATUS_AO, ACK_AO, 1, 21);
	acpi_blob_free(&blob);
}

static void test_polled(void **state)
{
	(void)state;
	struct acpi_ghes_source src;
	x86_ghes_source(&src, 7, STATUS_AR, ACK_AR, ACPI_HEST_NOTIFY_POLLED, 20);
	src.poll_interval_ms = 100;
	struct acpi_blob blob;
	build(&src, 1, &blob);
	assert_int_equal(le32(blob.buf + 4), 36 + 4 + 92);
	assert_int_equal(sum8(blob.buf, blob.len), 0);
	const uint8_t *n = blob.buf + 40 + 32;
	assert_int_equal(n[0], 0);
	assert_int_equal(n[1], 28);
	assert_int_equal(le32(n + 4), 100);
	assert_int_equal(le32(n + 8), 0);           /* no vector when polled */
	assert_int_equal(le16(blob.buf + 40 + 2), 7);
	acpi_blob_free(&blob);
}

static void test_invalid(void **state)
{
	(void)state;
	struct acpi_ghes_source src[2];
	two_sources(src);
	struct acpi_builder b;
	struct acpi_blob blob;

	acpi_builder_init(&b, BASE, 1 << 16);
	acpi_add_hest(&b, src, 0);
	errno = 0;
	assert_int_equal(acpi_builder_finish(&b, &blob), -1);
	assert_int_equal(errno, EINVAL);

	src[1].error_status_block_length = 19;      /* shorter than a block header */
	acpi_builder_init(&b, BASE, 1 << 16);
	acpi_add_hest(&b, src, 2);
	assert_int_equal(acpi_builder_finish(&b, &blob), -1);
	assert_int_equal(errno, EINVAL);

	/* Too small a builder: E2BIG, not a truncated table. */
	two_sources(src);
	acpi_builder_init(&b, BASE, 36 + 4 + 92);
	acpi_add_hest(&b, src, 2);
	assert_int_equal(acpi_builder_finish(&b, &blob), -1);
	assert_int_equal(errno, E2BIG);
}

static uint8_t *read_oracle(const char *name, size_t *len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", oracle_dir, name);
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	uint8_t *buf = malloc(4096);
	assert_non_null(buf);
	*len = fread(buf, 1, 4096, f);
	fclose(f);
	return buf;
}

/* QEMU's arm virt HEST: same header, entry size and sub-structure offsets;
 * the notification type (SEA/GPIO there), the addresses and the read-ack
 * register's form differ. */
static void test_oracle_layout(void **state)
{
	(void)state;
	if (!oracle_dir)
		skip();
	static const char *names[] = { "HEST.aarch64-virt.132", "HEST.aarch64-virt.224" };
	for (unsigned k = 0; k < 2; k++) {
		size_t len;
		uint8_t *q = read_oracle(names[k], &len);
		if (!q) {
			print_message("no %s/%s\n", oracle_dir, names[k]);
			skip();
		}
		assert_int_equal(le32(q + 4), len);
		assert_int_equal(sum8(q, len), 0);
		assert_int_equal(q[8], 1);
		uint32_t n = le32(q + 36);
		assert_int_equal(len, 36 + 4 + n * 92);

		struct acpi_ghes_source src[2];
		two_sources(src);
		struct acpi_blob blob;
		build(src, 2, &blob);
		const uint8_t *e = blob.buf + 40;
		for (uint32_t i = 0; i < n; i++) {
			const uint8_t *qe = q + 40 + i * 92;
			assert_int_equal(le16(qe), le16(e));            /* type 10 */
			assert_int_equal(le16(qe + 4), le16(e + 4));    /* related source */
			assert_int_equal(qe[7], e[7]);                  /* enabled */
			assert_memory_equal(qe + 20, e + 20, 4);        /* status GAS form */
			assert_int_equal(qe[33], e[33]);                /* notify length */
			/* The read-ack register is where vmras departs on
			 * purpose, so only its use is compared. QEMU's is a
			 * 64-bit word of memory (arm has no port I/O; QEMU
			 * looks at it only when the next error comes, and
			 * refuses that error if the guest has not acked);
			 * vmras's a 32-bit x86 I/O port, so the acknowledge
			 * traps at once and the next queued record goes out on
			 * it. The guest does the same with either: sets bit 0,
			 * keeping the preserve mask, with the write value. */
			assert_memory_equal(qe + 64, "\x00\x40\x00\x04", 4); /* QEMU: memory, qword */
			assert_memory_equal(e + 64, "\x01\x20\x00\x03", 4);  /* vmras: I/O, dword */
			assert_int_equal(qe[66], e[66]);                /* bit offset */
			assert_int_equal(le64(qe + 76), le64(e + 76));  /* preserve */
			assert_int_equal(le64(qe + 84), le64(e + 84));  /* write */
		}
		acpi_blob_free(&blob);
		free(q);
	}
}

int main(int argc, char **argv)
{
	if (argc > 1)
		oracle_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_sources),
		cmocka_unit_test(test_polled),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_oracle_layout),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
