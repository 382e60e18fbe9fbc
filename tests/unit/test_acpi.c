/* ACPI tables and the AML encoder.
 *
 * Offsets and values are restated from the ACPI 6.3 spec rather than taken
 * from the implementation's headers, so a wrong constant there shows up
 * here; acpi_iasl.sh cross-checks the same tables with ACPICA. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "acpi/aml.h"
#include "acpi/builder.h"
#include "devices/ged.h"
#include "x86/acpi.h"
#include "x86/layout.h"
#include "x86/platform.h"

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

static struct x86_acpi_config default_cfg(unsigned ncpus)
{
	return (struct x86_acpi_config){
		.ncpus = ncpus,
		.base_gpa = X86_ACPI_GPA,
		.lapic_addr = (uint32_t)X86_LAPIC_GPA,
		.ioapic_addr = (uint32_t)X86_IOAPIC_GPA,
		.uart_port = X86_COM1_PORT,
		.uart_irq = X86_COM1_IRQ,
		.sleep_ctl_port = X86_ACPI_SLEEP_CTL_PORT,
		.sleep_sts_port = X86_ACPI_SLEEP_STS_PORT,
		.reset_port = X86_ACPI_RESET_PORT,
		.reset_value = X86_ACPI_RESET_VALUE,
		.s5_slp_typ = X86_ACPI_S5_SLP_TYP,
	};
}

static void build(const struct x86_acpi_config *cfg, struct acpi_blob *blob)
{
	assert_int_equal(x86_acpi_build(cfg, blob), 0);
	assert_non_null(blob->buf);
	assert_true(blob->len <= X86_ACPI_MAX);
}

static const struct acpi_table_ref *find_ref(const struct acpi_blob *blob, const char *sig)
{
	const struct acpi_table_ref *found = NULL;
	for (unsigned i = 0; i < blob->ntables; i++) {
		if (strcmp(blob->tables[i].sig, sig))
			continue;
		assert_null(found);  /* each signature once */
		found = &blob->tables[i];
	}
	assert_non_null(found);
	return found;
}

static const uint8_t *table(const struct acpi_blob *blob, const char *sig, size_t *len)
{
	const struct acpi_table_ref *r = find_ref(blob, sig);
	assert_true(r->offset <= blob->len && r->length <= blob->len - r->offset);
	if (len)
		*len = r->length;
	return blob->buf + r->offset;
}

/* The blob offset a guest-physical address refers to. */
static size_t gpa_off(const struct acpi_blob *blob, uint64_t gpa)
{
	uint64_t base = blob->rsdp_gpa - find_ref(blob, "RSDP")->offset;
	assert_true(gpa >= base && gpa - base < blob->len);
	return (size_t)(gpa - base);
}

static const uint8_t *find_bytes(const uint8_t *hay, size_t n, const uint8_t *needle, size_t m)
{
	for (size_t i = 0; m <= n && i <= n - m; i++)
		if (!memcmp(hay + i, needle, m))
			return hay + i;
	return NULL;
}

#define assert_contains(hay, n, ...) do {                                    \
	static const uint8_t needle_[] = { __VA_ARGS__ };                   \
	assert_non_null(find_bytes(hay, n, needle_, sizeof(needle_)));      \
} while (0)

/* ---- acpi_checksum / acpi_blob_free ---- */

static void test_checksum(void **state)
{
	(void)state;
	static const uint8_t d[] = { 0x01, 0x02, 0xff, 0x80 };
	assert_int_equal(acpi_checksum(d, 0), 0);
	assert_int_equal(acpi_checksum(d, 2), 0xfd);
	uint8_t c = acpi_checksum(d, sizeof(d));
	assert_int_equal((uint8_t)(sum8(d, sizeof(d)) + c), 0);
}

static void test_blob_free_is_safe(void **state)
{
	(void)state;
	acpi_blob_free(NULL);
	struct x86_acpi_config cfg = default_cfg(1);
	struct acpi_blob blob;
	build(&cfg, &blob);
	acpi_blob_free(&blob);
	assert_null(blob.buf);
	assert_int_equal(blob.ntables, 0);
	acpi_blob_free(&blob);
}

/* ---- config validation ---- */

static void expect_einval(const struct x86_acpi_config *cfg)
{
	struct acpi_blob blob;
	memset(&blob, 0xa5, sizeof(blob));
	errno = 0;
	assert_int_equal(x86_acpi_build(cfg, &blob), -1);
	assert_int_equal(errno, EINVAL);
	assert_null(blob.buf);
	assert_int_equal(blob.ntables, 0);
}

static void test_rejects_bad_config(void **state)
{
	(void)state;
	struct x86_acpi_config cfg = default_cfg(1);
	expect_einval(NULL);
	errno = 0;
	assert_int_equal(x86_acpi_build(&cfg, NULL), -1);
	assert_int_equal(errno, EINVAL);

	static const unsigned bad_ncpus[] = { 0, 256, 1000, 4096 };
	for (size_t i = 0; i < sizeof(bad_ncpus) / sizeof(bad_ncpus[0]); i++) {
		cfg = default_cfg(bad_ncpus[i]);
		expect_einval(&cfg);
	}
	cfg = default_cfg(1);
	cfg.uart_irq = 16;
	expect_einval(&cfg);
	cfg = default_cfg(1);
	cfg.s5_slp_typ = 8;
	expect_einval(&cfg);
	cfg = default_cfg(1);
	cfg.base_gpa = X86_ACPI_GPA + 8;       /* RSDP off a 16-byte boundary */
	expect_einval(&cfg);
	cfg = default_cfg(1);
	cfg.base_gpa = 0x100000000ULL;         /* DSDT field is 32 bits */
	expect_einval(&cfg);
	cfg.base_gpa = 0x100000000ULL - 16;    /* tables would cross 4 GiB */
	expect_einval(&cfg);
}

/* ---- RSDP ---- */

static void test_rsdp(void **state)
{
	(void)state;
	struct x86_acpi_config cfg = default_cfg(2);
	struct acpi_blob blob;
	build(&cfg, &blob);

	const struct acpi_table_ref *r = find_ref(&blob, "RSDP");
	assert_int_equal(r->offset, 0);
	assert_int_equal(r->length, 36);
	assert_int_equal(blob.rsdp_gpa, X86_ACPI_GPA);
	assert_int_equal(blob.rsdp_gpa % 16, 0);

	const uint8_t *p = blob.buf;
	assert_memory_equal(p, "RSD PTR ", 8);
	assert_int_equal(sum8(p, 20), 0);          /* ACPI 1.0 checksum */
	assert_int_equal(sum8(p, 36), 0);          /* extended checksum */
	assert_memory_equal(p + 9, "VMRAS ", 6);
	assert_int_equal(p[15], 2);                /* revision */
	assert_int_equal(le32(p + 16), 0);         /* no RSDT */
	assert_int_equal(le32(p + 20), 36);
	uint64_t xsdt = le64(p + 24);
	assert_int_equal(gpa_off(&blob, xsdt), find_ref(&blob, "XSDT")->offset);
	assert_int_equal(p[33] | p[34] | p[35], 0);
	acpi_blob_free(&blob);
}

/* ---- every table ---- */

static void check_tables(unsigned ncpus)
{
	struct x86_acpi_config cfg = default_cfg(ncpus);
	struct acpi_blob blob;
	build(&cfg, &blob);

	static const char *const sigs[] = { "RSDP", "DSDT", "FACP", "APIC", "XSDT" };
	assert_int_equal(blob.ntables, 5);
	for (size_t i = 0; i < 5; i++)
		find_ref(&blob, sigs[i]);

	for (unsigned i = 0; i < blob.ntables; i++) {
		const struct acpi_table_ref *r = &blob.tables[i];
		assert_true(r->offset + r->length <= blob.len);
		for (unsigned j = 0; j < i; j++) {
			const struct acpi_table_ref *o = &blob.tables[j];
			assert_true(r->offset >= o->offset + o->length ||
				    o->offset >= r->offset + r->length);
		}
		if (!strcmp(r->sig, "RSDP"))
			continue;
		const uint8_t *t = blob.buf + r->offset;
		assert_memory_equal(t, r->sig, 4);
		assert_int_equal(le32(t + 4), r->length);
		assert_int_equal(sum8(t, r->length), 0);
		assert_memory_equal(t + 10, "VMRAS ", 6);
		assert_int_equal(r->offset % 8, 0);
	}
	acpi_blob_free(&blob);
}

static void test_tables_checksums(void **state)
{
	(void)state;
	static const unsigned n[] = { 1, 2, 3, 8, 64, 254, 255 };
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		check_tables(n[i]);
}

static void test_xsdt(void **state)
{
	(void)state;
	struct x86_acpi_config cfg = default_cfg(4);
	struct acpi_blob blob;
	build(&cfg, &blob);
	size_t len;
	const uint8_t *x = table(&blob, "XSDT", &len);
	assert_int_equal(x[8], 1);
	assert_int_equal(len, 36 + 2 * 8);
	/* The DSDT is reached through the FADT, never listed here. */
	assert_int_equal(gpa_off(&blob, le64(x + 36)), find_ref(&blob, "FACP")->offset);
	assert_int_equal(gpa_off(&blob, le64(x + 44)), find_ref(&blob, "APIC")->offset);
	acpi_blob_free(&blob);
}

/* ---- FADT ---- */

static void check_port_gas(const uint8_t *g, uint16_t port)
{
	assert_int_equal(g[0], 1);                 /* SystemIO */
	assert_int_equal(g[1], 8);                 /* bit width */
	assert_int_equal(g[2], 0);                 /* bit offset */
	assert_int_equal(g[3], 1);                 /* byte access */
	assert_int_equal(le64(g + 4), port);
}

static int all_zero(const uint8_t *p, size_t n)
{
	while (n--)
		if (*p++)
			return 0;
	return 1;
}

static void check_fadt(const struct x86_acpi_config *cfg)
{
	struct acpi_blob blob;
	build(cfg, &blob);
	size_t len;
	const uint8_t *f = table(&blob, "FACP", &len);

	assert_int_equal(len, 276);
	assert_int_equal(f[8], 6);                 /* revision */
	assert_int_equal(f[131], 3);               /* minor: ACPI 6.3 */

	uint32_t flags = le32(f + 112);
	assert_true(flags & (1u << 20));           /* HW_REDUCED_ACPI */
	assert_true(flags & (1u << 10));           /* RESET_REG_SUP */
	assert_true(flags & (1u << 4));            /* PWR_BUTTON: none fixed */
	assert_true(flags & (1u << 5));            /* SLP_BUTTON: none fixed */
	assert_true(flags & (1u << 0));            /* WBINVD works */
	assert_int_equal(flags, (1u << 0) | (1u << 4) | (1u << 5) | (1u << 10) | (1u << 20));

	uint16_t boot = le16(f + 109);
	assert_false(boot & (1u << 0));            /* no LEGACY_DEVICES */
	assert_false(boot & (1u << 1));            /* no 8042 */
	assert_true(boot & (1u << 2));             /* VGA not present */
	assert_true(boot & (1u << 3));             /* MSI not supported */
	assert_true(boot & (1u << 5));             /* CMOS RTC not present */
	assert_int_equal(boot, 0x2c);

	uint64_t dsdt = blob.rsdp_gpa + find_ref(&blob, "DSDT")->offset;
	assert_int_equal(le32(f + 40), dsdt);
	assert_int_equal(le64(f + 140), dsdt);

	check_port_gas(f + 116, cfg->reset_port);
	assert_int_equal(f[128], cfg->reset_value);
	check_port_gas(f + 244, cfg->sleep_ctl_port);
	check_port_gas(f + 256, cfg->sleep_sts_port);
	assert_memory_equal(f + 268, "VMRAS\0\0\0", 8);

	/* Hardware-reduced: no FACS, SCI, SMI, PM1/PM2/timer/GPE blocks. */
	assert_int_equal(le32(f + 36), 0);         /* FIRMWARE_CTRL */
	assert_true(all_zero(f + 44, 109 - 44));   /* SCI_INT .. CENTURY */
	assert_true(all_zero(f + 129, 2));         /* ARM_BOOT_ARCH */
	assert_int_equal(le64(f + 132), 0);        /* X_FIRMWARE_CTRL */
	assert_true(all_zero(f + 148, 244 - 148)); /* X_PM1a_EVT_BLK .. X_GPE1_BLK */
	acpi_blob_free(&blob);
}

static void test_fadt(void **state)
{
	(void)state;
	struct x86_acpi_config cfg = default_cfg(1);
	check_fadt(&cfg);
	/* Values come from the config, not from constants. */
	cfg.sleep_ctl_port = 0x1234;
	cfg.sleep_sts_port = 0xfffe;
	cfg.reset_port = 0xcf9;
	cfg.reset_value = 0x06;
	check_fadt(&cfg);
}

/* ---- MADT ---- */

static void check_madt(unsigned ncpus)
{
	struct x86_acpi_config cfg = default_cfg(ncpus);
	struct acpi_blob blob;
	build(&cfg, &blob);
	size_t len;
	const uint8_t *m = table(&blob, "APIC", &len);

	assert_int_equal(m[8], 5);                 /* revision, ACPI 6.3 */
	assert_int_equal(len, 44 + 8 * ncpus + 12 + 6);
	assert_int_equal(le32(m + 36), X86_LAPIC_GPA);
	assert_int_equal(le32(m + 40), 1);         /* PCAT_COMPAT */

	unsigned lapics = 0, ioapics = 0, nmis = 0;
	size_t off = 44;
	while (off < len) {
		const uint8_t *e = m + off;
		assert_true(e[1] >= 2 && e[1] <= len - off);
		switch (e[0]) {
		case 0:
			assert_int_equal(e[1], 8);
			assert_int_equal(e[2], lapics);        /* processor uid */
			assert_int_equal(e[3], lapics);        /* APIC id */
			assert_int_equal(le32(e + 4), 1);      /* enabled */
			lapics++;
			break;
		case 1:
			assert_int_equal(e[1], 12);
			assert_int_equal(e[2], ncpus);         /* no LAPIC id clash */
			assert_int_equal(le32(e + 4), X86_IOAPIC_GPA);
			assert_int_equal(le32(e + 8), 0);      /* GSI base */
			ioapics++;
			break;
		case 4:
			assert_int_equal(e[1], 6);
			assert_int_equal(e[2], 0xff);          /* all processors */
			assert_int_equal(le16(e + 3), 0);
			assert_int_equal(e[5], 1);             /* LINT1 */
			nmis++;
			break;
		default:
			/* Notably no type 2: ISA IRQs map identity onto KVM's pins. */
			fail_msg("unexpected MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	assert_int_equal(off, len);
	assert_int_equal(lapics, ncpus);
	assert_int_equal(ioapics, 1);
	assert_int_equal(nmis, 1);
	acpi_blob_free(&blob);
}

static void test_madt(void **state)
{
	(void)state;
	static const unsigned n[] = { 1, 2, 8, 16, 255 };
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++)
		check_madt(n[i]);
}

/* ---- DSDT ---- */

static void test_dsdt_exact(void **state)
{
	(void)state;
	/* Hand-assembled from the AML grammar:
	 * Scope(\_SB) { Device(COM1) { Name(_HID, EISAID("PNP0501"))
	 *   Name(_UID, 0) Name(_CRS, ResourceTemplate() {
	 *   IO(Decode16, 0x3f8, 0x3f8, 0, 8) IRQNoFlags() {4} }) } }
	 * Name(\_S5, Package() { 5, 0, 0, 0 }) */
	static const uint8_t body[] = {
		0x10, 0x33, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0x0f,
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00,
	};
	struct x86_acpi_config cfg = default_cfg(1);
	struct acpi_blob blob;
	build(&cfg, &blob);
	size_t len;
	const uint8_t *d = table(&blob, "DSDT", &len);
	assert_int_equal(d[8], 2);                 /* 64-bit integers */
	assert_int_equal(len, 36 + sizeof(body));
	assert_memory_equal(d + 36, body, sizeof(body));
	acpi_blob_free(&blob);
}

static void test_dsdt_pvpanic_exact(void **state)
{
	(void)state;
	/* Hand-assembled: COM1 as in test_dsdt_exact, then
	 * Device(PEVT) { Name(_HID, "QEMU0001") Name(_STA, 0x0F)
	 *   Name(_CRS, ResourceTemplate() { IO(Decode16, 0x505, 0x505, 1, 1) }) }
	 * inside the same \_SB scope, whose length grows by the device's 48
	 * bytes, past what a one-byte PkgLength holds (63): 0x44 0x06 is 100. */
	static const uint8_t body[] = {
		0x10, 0x44, 0x06, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0x0f,
		0x5b, 0x82, 0x2e, 'P', 'E', 'V', 'T',
		0x08, '_', 'H', 'I', 'D', 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00,
		0x08, '_', 'S', 'T', 'A', 0x0a, 0x0f,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x0d, 0x0a, 0x0a,
		0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01,
		0x79, 0x29,   /* 0x29: the template's bytes sum to zero */
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00,
	};
	struct x86_acpi_config cfg = default_cfg(1);
	struct acpi_blob blob;
	size_t len;
	const uint8_t *d;

	cfg.pvpanic_port = X86_PVPANIC_PORT;
	assert_int_equal(X86_PVPANIC_PORT, 0x505);
	build(&cfg, &blob);
	d = table(&blob, "DSDT", &len);
	assert_int_equal(len, 36 + sizeof(body));
	assert_memory_equal(d + 36, body, sizeof(body));
	assert_int_equal(sum8(d, len), 0);
	acpi_blob_free(&blob);

	/* The port follows the config. */
	cfg.pvpanic_port = 0x1234;
	build(&cfg, &blob);
	d = table(&blob, "DSDT", &len);
	assert_contains(d, len, 0x47, 0x01, 0x34, 0x12, 0x34, 0x12, 0x01, 0x01, 0x79);
	acpi_blob_free(&blob);
}

static void test_dsdt_follows_config(void **state)
{
	(void)state;
	struct x86_acpi_config cfg = default_cfg(1);
	cfg.uart_port = 0x2f8;
	cfg.uart_irq = 3;
	cfg.s5_slp_typ = 7;
	struct acpi_blob blob;
	build(&cfg, &blob);
	size_t len;
	const uint8_t *d = table(&blob, "DSDT", &len);
	assert_contains(d, len, 0x47, 0x01, 0xf8, 0x02, 0xf8, 0x02, 0x00, 0x08);
	assert_contains(d, len, 0x22, 0x08, 0x00);
	assert_contains(d, len, 0x0c, 0x41, 0xd0, 0x05, 0x01);
	assert_contains(d, len, '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x07);
	/* The resource template still sums to zero with its EndTag. */
	const uint8_t *res = find_bytes(d, len, (const uint8_t *)"\x47\x01", 2);
	assert_non_null(res);
	assert_int_equal(sum8(res, 13), 0);
	assert_int_equal(sum8(d, len), 0);
	acpi_blob_free(&blob);

	cfg.s5_slp_typ = 1;                        /* One, not a BytePrefix */
	build(&cfg, &blob);
	d = table(&blob, "DSDT", &len);
	assert_contains(d, len, '_', 'S', '5', '_', 0x12, 0x06, 0x04, 0x01, 0x00, 0x00, 0x00);
	acpi_blob_free(&blob);
}

static void test_dsdt_power_button_exact(void **state)
{
	(void)state;
	/* Hand-assembled: COM1 as in test_dsdt_exact, then in the same scope
	 * Device(PWRB) { Name(_HID, EISAID("PNP0C0C")) Name(_UID, 0) }
	 * Device(GED0) { Name(_HID, "ACPI0013") Name(_UID, 0)
	 *   Name(_CRS, ResourceTemplate() {
	 *     Interrupt(ResourceConsumer, Edge, ActiveHigh, Exclusive) {9} })
	 *   OperationRegion(EREG, SystemIO, 0x603, 1)
	 *   Field(EREG, ByteAcc, NoLock, Preserve) { EVTS, 8 }
	 *   Method(_EVT, 1) { Store(EVTS, Local0)
	 *                     If (And(Local0, 1, )) { Notify(PWRB, 0x80) } } }
	 * The scope holds 172 bytes (0x4e 0x0a = 174 with its PkgLength), GED0
	 * 95 (0x41 0x06 = 97). */
	static const uint8_t body[] = {
		0x10, 0x4e, 0x0a, '\\', '_', 'S', 'B', '_',
		0x5b, 0x82, 0x2b, 'C', 'O', 'M', '1',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x05, 0x01,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x10, 0x0a, 0x0d,
		0x47, 0x01, 0xf8, 0x03, 0xf8, 0x03, 0x00, 0x08,
		0x22, 0x10, 0x00,
		0x79, 0x0f,
		0x5b, 0x82, 0x15, 'P', 'W', 'R', 'B',
		0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x0c,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x5b, 0x82, 0x41, 0x06, 'G', 'E', 'D', '0',
		0x08, '_', 'H', 'I', 'D', 0x0d, 'A', 'C', 'P', 'I', '0', '0', '1', '3', 0x00,
		0x08, '_', 'U', 'I', 'D', 0x00,
		0x08, '_', 'C', 'R', 'S', 0x11, 0x0e, 0x0a, 0x0b,
		0x89, 0x06, 0x00, 0x03, 0x01, 0x09, 0x00, 0x00, 0x00,
		0x79, 0xeb,
		0x5b, 0x80, 'E', 'R', 'E', 'G', 0x01, 0x0b, 0x03, 0x06, 0x01,
		0x5b, 0x81, 0x0b, 'E', 'R', 'E', 'G', 0x01, 'E', 'V', 'T', 'S', 0x08,
		0x14, 0x19, '_', 'E', 'V', 'T', 0x01,
		0x70, 'E', 'V', 'T', 'S', 0x60,
		0xa0, 0x0c, 0x7b, 0x60, 0x01, 0x00, 0x86, 'P', 'W', 'R', 'B', 0x0a, 0x80,
		0x08, '\\', '_', 'S', '5', '_', 0x12, 0x07, 0x04, 0x0a, 0x05, 0x00, 0x00, 0x00,
	};
	struct x86_acpi_config cfg = default_cfg(1);
	struct acpi_blob blob;
	size_t len;
	const uint8_t *d;

	cfg.ged_port = X86_ACPI_GED_PORT;
	cfg.ged_gsi = X86_ACPI_GED_GSI;
	assert_int_equal(X86_ACPI_GED_PORT, 0x603);
	assert_int_equal(X86_ACPI_GED_GSI, 9);
	assert_int_equal(GED_EVENT_POWER_BUTTON, 1);
	build(&cfg, &blob);
	d = table(&blob, "DSDT", &len);
	assert_int_equal(len, 36 + sizeof(body));
	assert_memory_equal(d + 36, body, sizeof(body));
	assert_int_equal(sum8(d, len), 0);
	acpi_blob_free(&blob);

	/* Port and GSI follow the config; a GSI past the IOAPIC's 24 pins is refused. */
	cfg.ged_port = 0x1234;
	cfg.ged_gsi = 23;
	build(&cfg, &blob);
	d = table(&blob, "DSDT", &len);
	assert_contains(d, len, 0x5b, 0x80, 'E', 'R', 'E', 'G', 0x01, 0x0b, 0x34, 0x12, 0x01);
	assert_contains(d, len, 0x89, 0x06, 0x00, 0x03, 0x01, 0x17, 0x00, 0x00, 0x00);
	acpi_blob_free(&blob);
	cfg.ged_gsi = 24;
	assert_int_equal(x86_acpi_build(&cfg, &blob), -1);
	assert_int_equal(errno, EINVAL);
}

/* ---- HEST: only with APEI ---- */

/* Whether blob lists a table sig, without find_ref's insistence on one. */
static unsigned count_sig(const struct acpi_blob *blob, const char *sig)
{
	unsigned n = 0;
	for (unsigned i = 0; i < blob->ntables; i++)
		n += !strcmp(blob->tables[i].sig, sig);
	return n;
}

static struct x86_acpi_config ghes_cfg(unsigned ncpus)
{
	struct x86_acpi_config cfg = default_cfg(ncpus);
	cfg.ged_port = X86_ACPI_GED_PORT;
	cfg.ged_gsi = X86_ACPI_GED_GSI;
	cfg.ghes_pointers_gpa = X86_GHES_POINTERS_GPA;
	cfg.ghes_ack_port[0] = X86_GHES_ACK_AR_PORT;
	cfg.ghes_ack_port[1] = X86_GHES_ACK_AO_PORT;
	return cfg;
}

/* A guest without --ras ghes must not find a HEST: its GHES driver would
 * bind to sources nobody fills and whose ack ports nobody decodes. */
static void check_no_hest(const struct x86_acpi_config *cfg)
{
	struct acpi_blob blob;
	build(cfg, &blob);
	assert_int_equal(count_sig(&blob, "HEST"), 0);
	size_t len;
	const uint8_t *x = table(&blob, "XSDT", &len);
	assert_int_equal(len, 36 + 2 * 8);
	for (size_t i = 36; i < len; i += 8)
		assert_memory_not_equal(blob.buf + gpa_off(&blob, le64(x + i)), "HEST", 4);
	acpi_blob_free(&blob);
}

/* The HEST's contents are test_hest's and acpi_iasl's business; here only
 * that the x86 tables carry it where a guest looks: listed in the XSDT,
 * whole, with a checksum that holds, and its sources at the layout's
 * addresses. */
static void check_hest(const struct x86_acpi_config *cfg)
{
	struct acpi_blob blob;
	build(cfg, &blob);
	assert_int_equal(blob.ntables, 6);
	size_t hlen;
	const uint8_t *h = table(&blob, "HEST", &hlen);
	assert_int_equal(hlen, 36 + 4 + 2 * 92);
	assert_int_equal(le32(h + 4), hlen);
	assert_int_equal(sum8(h, hlen), 0);
	assert_int_equal(le32(h + 36), 2);                   /* error sources */
	assert_true((size_t)(h - blob.buf) % 8 == 0);

	size_t len;
	const uint8_t *x = table(&blob, "XSDT", &len);
	assert_int_equal(len, 36 + 3 * 8);
	assert_int_equal(sum8(x, len), 0);
	assert_int_equal(gpa_off(&blob, le64(x + 36)), find_ref(&blob, "FACP")->offset);
	assert_int_equal(gpa_off(&blob, le64(x + 44)), find_ref(&blob, "APIC")->offset);
	assert_int_equal(gpa_off(&blob, le64(x + 52)), find_ref(&blob, "HEST")->offset);

	for (unsigned i = 0; i < 2; i++) {
		const uint8_t *e = h + 40 + i * 92;
		assert_int_equal(le16(e + 2), i);                               /* source id */
		assert_int_equal(le64(e + 24), cfg->ghes_pointers_gpa + 8 * i); /* status pointer */
		assert_int_equal(le64(e + 68), cfg->ghes_ack_port[i]);          /* read ack port */
	}
	assert_int_equal(h[40 + 32], 4);                        /* AR: NMI */
	assert_int_equal(h[40 + 92 + 32], 10);                  /* AO: GSIV, through the GED */
	assert_int_equal(le32(h + 40 + 92 + 32 + 8), cfg->ged_gsi);
	acpi_blob_free(&blob);
}

static void test_hest_only_with_ghes(void **state)
{
	(void)state;
	static const unsigned n[] = { 1, 2, 255 };
	for (size_t i = 0; i < sizeof(n) / sizeof(n[0]); i++) {
		struct x86_acpi_config cfg = default_cfg(n[i]);
		check_no_hest(&cfg);
		cfg = ghes_cfg(n[i]);
		check_hest(&cfg);
		/* The machine's own configurations, as x86_boot_load builds them. */
		x86_platform_acpi_config(n[i], false, 0, &cfg);
		assert_int_equal(cfg.ghes_pointers_gpa, 0);
		check_no_hest(&cfg);
		x86_platform_acpi_config(n[i], true, 0, &cfg);
		assert_int_equal(cfg.ghes_pointers_gpa, X86_GHES_POINTERS_GPA);
		check_hest(&cfg);
	}
}

static void test_hest_rejects_bad_config(void **state)
{
	(void)state;
	struct x86_acpi_config cfg = ghes_cfg(1);
	cfg.ged_port = 0;                           /* no GED to notify the AO source */
	expect_einval(&cfg);
	cfg = ghes_cfg(1);
	cfg.ghes_pointers_gpa += 4;                 /* a 64-bit register off 8 */
	expect_einval(&cfg);
	cfg.ghes_pointers_gpa = 0x100000000ULL - 8; /* AO's pointer past 4 GiB */
	expect_einval(&cfg);
	cfg.ghes_pointers_gpa = 0x100000000ULL - 16;
	struct acpi_blob blob;
	build(&cfg, &blob);
	acpi_blob_free(&blob);
}

/* ---- builder ---- */

static void test_builder_e2big(void **state)
{
	(void)state;
	struct acpi_builder b;
	struct acpi_blob blob;
	acpi_builder_init(&b, X86_ACPI_GPA, 128);
	acpi_rsdp_reserve(&b);
	size_t t = acpi_table_begin(&b, "TEST", 1);
	acpi_builder_reserve(&b, 100);
	acpi_table_end(&b, t);
	memset(&blob, 0xa5, sizeof(blob));
	errno = 0;
	assert_int_equal(acpi_builder_finish(&b, &blob), -1);
	assert_int_equal(errno, E2BIG);
	assert_null(blob.buf);

	/* Exactly max fits: RSDP, padding to 8, a header and 4 bytes. */
	acpi_builder_init(&b, X86_ACPI_GPA, 40 + 36 + 4);
	acpi_rsdp_reserve(&b);
	t = acpi_table_begin(&b, "TEST", 1);
	acpi_put32(&b, 0x12345678);
	acpi_table_end(&b, t);
	assert_int_equal(acpi_builder_finish(&b, &blob), 0);
	assert_int_equal(blob.len, 40 + 36 + 4);
	assert_int_equal(le32(blob.buf + 40 + 36), 0x12345678);
	acpi_blob_free(&blob);

	/* Too many tables for the list. */
	acpi_builder_init(&b, 0, 1 << 16);
	for (int i = 0; i <= ACPI_MAX_TABLES; i++)
		acpi_table_end(&b, acpi_table_begin(&b, "TEST", 1));
	errno = 0;
	assert_int_equal(acpi_builder_finish(&b, &blob), -1);
	assert_int_equal(errno, E2BIG);
}

static void test_builder_extra_table_in_xsdt(void **state)
{
	(void)state;
	/* What a later table (HEST) does: one more begin/end before the XSDT. */
	struct acpi_builder b;
	struct acpi_blob blob;
	acpi_builder_init(&b, 0x1000, 4096);
	size_t rsdp = acpi_rsdp_reserve(&b);
	size_t dsdt = acpi_table_begin(&b, "DSDT", 2);
	acpi_table_end(&b, dsdt);
	size_t hest = acpi_table_begin(&b, "HEST", 1);
	acpi_put32(&b, 0);
	acpi_put_id(&b, "AB", 4);
	acpi_put_gas(&b, 0, 64, 0, 4, 0x1122334455667788ULL);
	acpi_table_end(&b, hest);
	size_t xsdt = acpi_add_xsdt(&b);
	acpi_rsdp_fill(&b, rsdp, xsdt);
	assert_int_equal(acpi_table_find(&b, "HEST"), hest);
	assert_int_equal(acpi_table_find(&b, "NONE"), SIZE_MAX);
	assert_int_equal(acpi_builder_finish(&b, &blob), 0);

	assert_int_equal(blob.rsdp_gpa, 0x1000);
	const uint8_t *h = table(&blob, "HEST", NULL);
	assert_memory_equal(h + 40, "AB  ", 4);
	static const uint8_t gas[] = { 0, 64, 0, 4, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11 };
	assert_memory_equal(h + 44, gas, sizeof(gas));
	size_t len;
	const uint8_t *x = table(&blob, "XSDT", &len);
	assert_int_equal(len, 36 + 8);
	assert_int_equal(le64(x + 36), 0x1000 + hest);
	assert_int_equal(le64(blob.buf + 24), 0x1000 + xsdt);
	acpi_blob_free(&blob);
}

static void test_builder_align_uses_gpa(void **state)
{
	(void)state;
	struct acpi_builder b;
	struct acpi_blob blob;
	acpi_builder_init(&b, 0x1004, 4096);
	acpi_builder_align(&b, 16);
	assert_int_equal(b.len, 12);
	size_t t = acpi_table_begin(&b, "TEST", 1);
	assert_int_equal(t, 12);                   /* 0x1010 is 8-aligned */
	acpi_put8(&b, 1);
	acpi_table_end(&b, t);
	t = acpi_table_begin(&b, "TST2", 1);
	assert_int_equal((0x1004 + t) % 8, 0);
	acpi_table_end(&b, t);
	assert_int_equal(acpi_builder_finish(&b, &blob), 0);
	assert_int_equal(blob.rsdp_gpa, 0);        /* no RSDP built */
	acpi_blob_free(&blob);
}

/* ---- AML: PkgLength ---- */

static size_t decode_pkglength(const uint8_t *p, size_t *value)
{
	size_t n = (size_t)(p[0] >> 6) + 1;
	if (n == 1) {
		*value = p[0] & 0x3f;
		return 1;
	}
	assert_int_equal(p[0] & 0x30, 0);          /* reserved bits */
	*value = p[0] & 0x0f;
	for (size_t i = 1; i < n; i++)
		*value |= (size_t)p[i] << (4 + 8 * (i - 1));
	return n;
}

static void expect_pkglength(size_t payload, const uint8_t *want, size_t n)
{
	uint8_t out[4];
	assert_int_equal(aml_pkglength_encode(out, payload), n);
	assert_memory_equal(out, want, n);
}

static void test_pkglength_boundaries(void **state)
{
	(void)state;
	/* The encoded value counts the PkgLength bytes themselves, so the
	 * 1-byte limit of 63 is reached at 62 bytes of payload and the 2-byte
	 * limit of 4095 at 4093. */
	expect_pkglength(0, (const uint8_t[]){ 0x01 }, 1);
	expect_pkglength(62, (const uint8_t[]){ 0x3f }, 1);                    /* 63 */
	expect_pkglength(63, (const uint8_t[]){ 0x41, 0x04 }, 2);              /* 65 */
	expect_pkglength(4093, (const uint8_t[]){ 0x4f, 0xff }, 2);            /* 4095 */
	expect_pkglength(4094, (const uint8_t[]){ 0x81, 0x00, 0x01 }, 3);      /* 4097 */
	expect_pkglength(0xffffc, (const uint8_t[]){ 0x8f, 0xff, 0xff }, 3);   /* 2^20-1 */
	expect_pkglength(0xffffd, (const uint8_t[]){ 0xc1, 0x00, 0x00, 0x01 }, 4);
	expect_pkglength(0xffffffb, (const uint8_t[]){ 0xcf, 0xff, 0xff, 0xff }, 4);
	uint8_t out[4];
	assert_int_equal(aml_pkglength_encode(out, 0xffffffc), 0);
	assert_int_equal(aml_pkglength_encode(out, SIZE_MAX), 0);
}

static void test_pkglength_roundtrip(void **state)
{
	(void)state;
	static const size_t limits[] = { 0x3f, 0xfff, 0xfffff, 0xfffffff };
	for (size_t payload = 0; payload < 0x20000; payload++) {
		uint8_t out[4];
		size_t n = aml_pkglength_encode(out, payload), v;
		assert_int_equal(decode_pkglength(out, &v), n);
		assert_int_equal(v, payload + n);
		assert_true(v <= limits[n - 1]);
		if (n > 1)                         /* shortest form */
			assert_true(payload + n - 1 > limits[n - 2]);
	}
}

/* ---- AML: objects ---- */

static void expect_aml(struct aml *a, const uint8_t *want, size_t n)
{
	assert_int_equal(aml_finish(a), 0);
	assert_int_equal(a->len, n);
	assert_memory_equal(a->buf, want, n);
	aml_free(a);
}

#define EXPECT_AML(a, ...) do {                                              \
	static const uint8_t want_[] = { __VA_ARGS__ };                     \
	expect_aml(a, want_, sizeof(want_));                                \
} while (0)

static void expect_aml_error(struct aml *a, int err)
{
	errno = 0;
	assert_int_equal(aml_finish(a), -1);
	assert_int_equal(errno, err);
	aml_free(a);
}

static void test_aml_integers(void **state)
{
	(void)state;
	static const struct { uint64_t v; uint8_t bytes[9]; size_t n; } cases[] = {
		{ 0, { 0x00 }, 1 },
		{ 1, { 0x01 }, 1 },
		{ 2, { 0x0a, 0x02 }, 2 },
		{ 0xff, { 0x0a, 0xff }, 2 },
		{ 0x100, { 0x0b, 0x00, 0x01 }, 3 },
		{ 0xffff, { 0x0b, 0xff, 0xff }, 3 },
		{ 0x10000, { 0x0c, 0x00, 0x00, 0x01, 0x00 }, 5 },
		{ 0xfee00000, { 0x0c, 0x00, 0x00, 0xe0, 0xfe }, 5 },
		{ 0xffffffff, { 0x0c, 0xff, 0xff, 0xff, 0xff }, 5 },
		{ 0x100000000ULL, { 0x0e, 0, 0, 0, 0, 1, 0, 0, 0 }, 9 },
		{ UINT64_MAX, { 0x0e, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, 9 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct aml a;
		aml_init(&a);
		aml_integer(&a, cases[i].v);
		expect_aml(&a, cases[i].bytes, cases[i].n);
	}
}

static void test_aml_eisaid(void **state)
{
	(void)state;
	static const struct { const char *id; uint32_t v; } good[] = {
		{ "PNP0501", 0x0105d041 },
		{ "PNP0C0C", 0x0c0cd041 },
		{ "PNP0A03", 0x030ad041 },
		{ "PNP0C33", 0x330cd041 },
		{ "AAA0000", 0x00002104 },
		{ "ZZZFFFF", 0xffff5a6b },
	};
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		uint32_t v = 0;
		assert_int_equal(aml_eisaid_value(good[i].id, &v), 0);
		assert_int_equal(v, good[i].v);
	}
	static const char *const bad[] = {
		"pnp0501", "PNP050", "PNP05011", "PNP050G", "PN10501", "PNP050a",
		"@NP0501", "[NP0501", "", "QEMU0001",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint32_t v;
		errno = 0;
		assert_int_equal(aml_eisaid_value(bad[i], &v), -1);
		assert_int_equal(errno, EINVAL);
	}
	uint32_t v;
	assert_int_equal(aml_eisaid_value(NULL, &v), -1);

	struct aml a;
	aml_init(&a);
	aml_eisaid(&a, "PNP0501");
	/* Small values still use a DWord, like ASL's EISAID(). */
	aml_eisaid(&a, "AAA0000");
	EXPECT_AML(&a, 0x0c, 0x41, 0xd0, 0x05, 0x01, 0x0c, 0x04, 0x21, 0x00, 0x00);

	aml_init(&a);
	aml_eisaid(&a, "pnp0501");
	expect_aml_error(&a, EINVAL);
}

static void test_aml_names(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_name_ref(&a, "\\_SB");
	aml_name_ref(&a, "_S5");
	aml_name_ref(&a, "A");
	aml_name_ref(&a, "\\_SB.COM1");
	aml_name_ref(&a, "^^PCI0.ISA");
	aml_name_ref(&a, "\\_SB.PCI0.S08");
	aml_name_ref(&a, "\\");
	EXPECT_AML(&a,
		'\\', '_', 'S', 'B', '_',
		'_', 'S', '5', '_',
		'A', '_', '_', '_',
		'\\', 0x2e, '_', 'S', 'B', '_', 'C', 'O', 'M', '1',
		'^', '^', 0x2e, 'P', 'C', 'I', '0', 'I', 'S', 'A', '_',
		'\\', 0x2f, 0x03, '_', 'S', 'B', '_', 'P', 'C', 'I', '0', 'S', '0', '8', '_',
		'\\', 0x00);

	static const char *const bad[] = {
		"", "^", "1ABC", "ABCDE", "abc", "A..B", "A.", ".A", "\\^A",
		"A-B", "\\_SB.", "A B",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		aml_init(&a);
		aml_name_ref(&a, bad[i]);
		expect_aml_error(&a, EINVAL);
	}
	aml_init(&a);
	aml_name(&a, NULL);
	expect_aml_error(&a, EINVAL);
}

static void test_aml_name_and_string(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_name(&a, "_HID");
	aml_string(&a, "QEMU0001");
	aml_name(&a, "_STR");
	aml_string(&a, "");
	EXPECT_AML(&a, 0x08, '_', 'H', 'I', 'D', 0x0d, 'Q', 'E', 'M', 'U', '0', '0', '0', '1', 0x00,
		   0x08, '_', 'S', 'T', 'R', 0x0d, 0x00);

	aml_init(&a);
	aml_string(&a, "caf\xc3\xa9");
	expect_aml_error(&a, EINVAL);
}

static void test_aml_packages(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_package_begin(&a);
	aml_integer(&a, 1);
	aml_package_begin(&a);
	aml_integer(&a, 2);
	aml_integer(&a, 3);
	aml_end(&a);
	aml_string(&a, "ab");
	aml_end(&a);
	EXPECT_AML(&a, 0x12, 0x0e, 0x03, 0x01,
		   0x12, 0x06, 0x02, 0x0a, 0x02, 0x0a, 0x03,
		   0x0d, 'a', 'b', 0x00);

	aml_init(&a);
	aml_package_begin(&a);
	aml_end(&a);
	EXPECT_AML(&a, 0x12, 0x02, 0x00);

	/* Names, EISA ids and buffers count as elements too. */
	aml_init(&a);
	aml_package_begin(&a);
	aml_name_ref(&a, "\\_SB");
	aml_eisaid(&a, "PNP0501");
	aml_buffer(&a, "x", 1);
	aml_end(&a);
	assert_int_equal(aml_finish(&a), 0);
	assert_int_equal(a.buf[2], 3);
	aml_free(&a);

	aml_init(&a);
	aml_package_begin(&a);
	for (int i = 0; i < 255; i++)
		aml_integer(&a, 0);
	aml_end(&a);
	assert_int_equal(aml_finish(&a), 0);
	assert_int_equal(a.buf[0], 0x12);
	assert_int_equal(a.buf[3], 255);
	aml_free(&a);

	aml_init(&a);
	aml_package_begin(&a);
	for (int i = 0; i < 256; i++)
		aml_integer(&a, 0);
	aml_end(&a);
	expect_aml_error(&a, E2BIG);
}

static void test_aml_buffers(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_buffer(&a, "\x01\x02\x03", 3);
	aml_buffer(&a, NULL, 0);
	aml_buffer(&a, "\x09", 1);
	EXPECT_AML(&a, 0x11, 0x06, 0x0a, 0x03, 0x01, 0x02, 0x03,
		   0x11, 0x02, 0x00,
		   0x11, 0x03, 0x01, 0x09);

	uint8_t big[300];
	memset(big, 0x5a, sizeof(big));
	aml_init(&a);
	aml_buffer(&a, big, sizeof(big));
	assert_int_equal(aml_finish(&a), 0);
	/* Payload 3 + 300 needs a 2-byte PkgLength: value 305 = 0x131. */
	static const uint8_t head[] = { 0x11, 0x41, 0x13, 0x0b, 0x2c, 0x01 };
	assert_int_equal(a.len, sizeof(head) + sizeof(big));
	assert_memory_equal(a.buf, head, sizeof(head));
	assert_memory_equal(a.buf + sizeof(head), big, sizeof(big));
	aml_free(&a);
}

static void test_aml_scope_device_method(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_scope_begin(&a, "\\");
	aml_device_begin(&a, "PWRB");
	aml_name(&a, "_HID");
	aml_eisaid(&a, "PNP0C0C");
	aml_method_begin(&a, "_EVT", 1, 1);
	aml_end(&a);
	aml_end(&a);
	aml_end(&a);
	EXPECT_AML(&a, 0x10, 0x1b, '\\', 0x00,
		   0x5b, 0x82, 0x16, 'P', 'W', 'R', 'B',
		   0x08, '_', 'H', 'I', 'D', 0x0c, 0x41, 0xd0, 0x0c, 0x0c,
		   0x14, 0x06, '_', 'E', 'V', 'T', 0x09);

	aml_init(&a);
	aml_method_begin(&a, "M", 8, 0);
	expect_aml_error(&a, EINVAL);
}

/* Walks Device(){ Buffer } with a big body to check that nested PkgLengths
 * account for the bytes inserted inside them. */
static void check_nested(size_t nbytes)
{
	struct aml a;
	aml_init(&a);
	uint8_t *data = malloc(nbytes ? nbytes : 1);
	assert_non_null(data);
	for (size_t i = 0; i < nbytes; i++)
		data[i] = (uint8_t)i;
	aml_scope_begin(&a, "\\_SB");
	aml_device_begin(&a, "DEV0");
	aml_name(&a, "BUF0");
	aml_buffer(&a, data, nbytes);
	aml_end(&a);
	aml_end(&a);
	assert_int_equal(aml_finish(&a), 0);

	const uint8_t *p = a.buf;
	size_t v, n;
	assert_int_equal(p[0], 0x10);
	n = decode_pkglength(p + 1, &v);
	assert_int_equal(1 + v, a.len);            /* scope spans everything */
	p += 1 + n + 5;
	assert_int_equal(p[0], 0x5b);
	assert_int_equal(p[1], 0x82);
	n = decode_pkglength(p + 2, &v);
	assert_int_equal(2 + v, a.len - (size_t)(p - a.buf));
	p += 2 + n;
	assert_memory_equal(p, "DEV0\x08" "BUF0\x11", 10);
	p += 10;
	const uint8_t *pkg = p;
	n = decode_pkglength(p, &v);
	assert_int_equal(pkg + v, a.buf + a.len);
	p += n;
	uint64_t size;
	switch (p[0]) {
	case 0x00: size = 0; p += 1; break;
	case 0x01: size = 1; p += 1; break;
	case 0x0a: size = p[1]; p += 2; break;
	case 0x0b: size = le16(p + 1); p += 3; break;
	case 0x0c: size = le32(p + 1); p += 5; break;
	default: fail_msg("bad BufferSize opcode %#x", p[0]); return;
	}
	assert_int_equal(size, nbytes);
	assert_int_equal(p + nbytes, a.buf + a.len);
	assert_memory_equal(p, data, nbytes);
	free(data);
	aml_free(&a);
}

static void test_aml_nested_lengths(void **state)
{
	(void)state;
	static const size_t sizes[] = {
		0, 1, 2, 40, 41, 42, 50, 60, 255, 256, 4060, 4070, 4080, 4090,
		4096, 65535, 65536, 0x100000, 0x200000,
	};
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		check_nested(sizes[i]);
}

static void test_aml_resources(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_restemplate_begin(&a);
	aml_res_io(&a, 1, 0x505, 0x505, 1, 1);
	aml_res_io(&a, 0, 0x10, 0x20, 0x10, 0x10);
	aml_res_irq_noflags(&a, 1u << 15);
	aml_res_interrupt(&a, 1, 0, 0, 9);
	aml_res_interrupt(&a, 0, 1, 1, 0x12345678);
	aml_res_memory32_fixed(&a, 1, 0xfed00000, 0x400);
	aml_end(&a);
	assert_int_equal(aml_finish(&a), 0);
	static const uint8_t desc[] = {
		0x47, 0x01, 0x05, 0x05, 0x05, 0x05, 0x01, 0x01,
		0x47, 0x00, 0x10, 0x00, 0x20, 0x00, 0x10, 0x10,
		0x22, 0x00, 0x80,
		0x89, 0x06, 0x00, 0x03, 0x01, 0x09, 0x00, 0x00, 0x00,
		0x89, 0x06, 0x00, 0x0d, 0x01, 0x78, 0x56, 0x34, 0x12,
		0x86, 0x09, 0x00, 0x01, 0x00, 0x00, 0xd0, 0xfe, 0x00, 0x04, 0x00, 0x00,
		0x79,
	};
	/* Buffer, PkgLength, BytePrefix and size, descriptors, checksum. */
	size_t total = sizeof(desc) + 1;
	assert_int_equal(a.len, 4 + total);
	assert_int_equal(a.buf[0], 0x11);
	assert_int_equal(a.buf[1], 2 + total + 1);
	assert_int_equal(a.buf[2], 0x0a);
	assert_int_equal(a.buf[3], total);
	assert_memory_equal(a.buf + 4, desc, sizeof(desc));
	assert_int_equal(sum8(a.buf + 4, total), 0);
	aml_free(&a);

	/* An empty template is just the EndTag, which sums to zero itself. */
	aml_init(&a);
	aml_restemplate_begin(&a);
	aml_end(&a);
	EXPECT_AML(&a, 0x11, 0x05, 0x0a, 0x02, 0x79, 0x87);

	aml_init(&a);
	aml_res_io(&a, 1, 1, 1, 1, 1);
	expect_aml_error(&a, EINVAL);
	aml_init(&a);
	aml_buffer_begin(&a);
	aml_res_irq_noflags(&a, 1);
	expect_aml_error(&a, EINVAL);
}

static void test_aml_region_field(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_operation_region(&a, "EREG", AML_REGION_SYSTEM_IO, 0x603, 1);
	EXPECT_AML(&a, 0x5b, 0x80, 'E', 'R', 'E', 'G', 0x01, 0x0b, 0x03, 0x06, 0x01);

	/* Field widths are PkgLengths holding the bit count itself: 8 in one
	 * byte, 64 = 0x40 in two (lead 0x40 | nibble 0, then 0x04), 0x1000 in
	 * three (0x80 | 0, 0x00, 0x01). */
	aml_init(&a);
	aml_field_begin(&a, "EREG", AML_FIELD_BYTE_ACC | AML_FIELD_NO_LOCK | AML_FIELD_PRESERVE);
	aml_field_named(&a, "EVTS", 8);
	aml_field_named(&a, "BIG", 64);
	aml_field_named(&a, "HUGE", 0x1000);
	aml_end(&a);
	EXPECT_AML(&a, 0x5b, 0x81, 0x18, 'E', 'R', 'E', 'G', 0x01,
		   'E', 'V', 'T', 'S', 0x08,
		   'B', 'I', 'G', '_', 0x40, 0x04,
		   'H', 'U', 'G', 'E', 0x80, 0x00, 0x01);

	aml_init(&a);
	aml_field_named(&a, "EVTS", 8);           /* outside a Field */
	expect_aml_error(&a, EINVAL);
	aml_init(&a);
	aml_field_begin(&a, "EREG", 0x80);         /* reserved flag bit */
	expect_aml_error(&a, EINVAL);
	static const char *const bad_names[] = { "\\EVTS", "^EVTS", "A.B", "evts", "" };
	for (size_t i = 0; i < sizeof(bad_names) / sizeof(bad_names[0]); i++) {
		aml_init(&a);
		aml_field_begin(&a, "EREG", 0);
		aml_field_named(&a, bad_names[i], 8);
		expect_aml_error(&a, EINVAL);
	}
	aml_init(&a);
	aml_field_begin(&a, "EREG", 0);
	aml_field_named(&a, "EVTS", 0);
	expect_aml_error(&a, EINVAL);
	aml_init(&a);
	aml_field_begin(&a, "EREG", 0);
	aml_field_named(&a, "EVTS", AML_PKGLENGTH_MAX + 1u);
	expect_aml_error(&a, EINVAL);
}

static void test_aml_if_and_notify(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	/* Method(_EVT, 1) { If (And(EVTS, 1, )) { Notify(PWRB, 0x80) } } */
	aml_method_begin(&a, "_EVT", 1, 0);
	aml_if_begin(&a);
	aml_and(&a);
	aml_name_ref(&a, "EVTS");
	aml_integer(&a, 1);
	aml_null_target(&a);
	aml_notify(&a);
	aml_name_ref(&a, "PWRB");
	aml_integer(&a, 0x80);
	aml_end(&a);
	aml_end(&a);
	EXPECT_AML(&a, 0x14, 0x16, '_', 'E', 'V', 'T', 0x01,
		   0xa0, 0x0f,
		   0x7b, 'E', 'V', 'T', 'S', 0x01, 0x00,
		   0x86, 'P', 'W', 'R', 'B', 0x0a, 0x80);

	/* An If left open is a nesting error at the end. */
	aml_init(&a);
	aml_if_begin(&a);
	aml_integer(&a, 1);
	expect_aml_error(&a, EINVAL);
}

static void test_aml_nesting_errors(void **state)
{
	(void)state;
	struct aml a;
	aml_init(&a);
	aml_end(&a);
	expect_aml_error(&a, EINVAL);

	aml_init(&a);
	aml_scope_begin(&a, "\\_SB");
	expect_aml_error(&a, EINVAL);

	aml_init(&a);
	for (int i = 0; i <= AML_MAX_DEPTH; i++)
		aml_package_begin(&a);
	expect_aml_error(&a, EINVAL);

	/* Errors are sticky: nothing is appended after the first. */
	aml_init(&a);
	aml_integer(&a, 5);
	aml_name_ref(&a, "bad");
	size_t len = a.len;
	aml_integer(&a, 7);
	aml_scope_begin(&a, "\\_SB");
	aml_end(&a);
	assert_int_equal(a.len, len);
	expect_aml_error(&a, EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checksum),
		cmocka_unit_test(test_blob_free_is_safe),
		cmocka_unit_test(test_rejects_bad_config),
		cmocka_unit_test(test_rsdp),
		cmocka_unit_test(test_tables_checksums),
		cmocka_unit_test(test_xsdt),
		cmocka_unit_test(test_fadt),
		cmocka_unit_test(test_madt),
		cmocka_unit_test(test_dsdt_exact),
		cmocka_unit_test(test_dsdt_pvpanic_exact),
		cmocka_unit_test(test_dsdt_follows_config),
		cmocka_unit_test(test_dsdt_power_button_exact),
		cmocka_unit_test(test_hest_only_with_ghes),
		cmocka_unit_test(test_hest_rejects_bad_config),
		cmocka_unit_test(test_builder_e2big),
		cmocka_unit_test(test_builder_extra_table_in_xsdt),
		cmocka_unit_test(test_builder_align_uses_gpa),
		cmocka_unit_test(test_pkglength_boundaries),
		cmocka_unit_test(test_pkglength_roundtrip),
		cmocka_unit_test(test_aml_integers),
		cmocka_unit_test(test_aml_eisaid),
		cmocka_unit_test(test_aml_names),
		cmocka_unit_test(test_aml_name_and_string),
		cmocka_unit_test(test_aml_packages),
		cmocka_unit_test(test_aml_buffers),
		cmocka_unit_test(test_aml_scope_device_method),
		cmocka_unit_test(test_aml_nested_lengths),
		cmocka_unit_test(test_aml_resources),
		cmocka_unit_test(test_aml_region_field),
		cmocka_unit_test(test_aml_if_and_notify),
		cmocka_unit_test(test_aml_nesting_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
