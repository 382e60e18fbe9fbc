/* The arm64 ACPI tables as the firmware sees them: the loader script is
 * run over simulated guest memory (acpi_loader_sim.h, edk2's rules), then
 * the tables are walked from the RSDP and checked field by field, with
 * offsets restated from ACPI 6.0 rather than taken from acpi.c. With
 * ../shared/oracles as argument, the one-source HEST is compared with
 * QEMU's for virt,ras=on. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/loader.h"
#include "arm64/acpi.h"
#include "arm64/layout.h"
#include "arm64/mpidr.h"

#include "acpi_loader_sim.h"

static const char *oracle_dir;

/* Above 4 GiB, so a pointer narrower than 64 bits would fail. */
#define FIRST_GPA 0x123450000ull

static uint16_t le16(const uint8_t *p) { return (uint16_t)sim_le(p, 2); }
static uint32_t le32(const uint8_t *p) { return (uint32_t)sim_le(p, 4); }
static uint64_t le64(const uint8_t *p) { return sim_le(p, 8); }

struct booted {
	struct arm64_acpi_blobs blobs;
	struct sim sim;
	uint64_t hw_errors_gpa;    /* what the firmware wrote to etc/hardware_errors_addr */
};

static void boot(const struct arm64_acpi_config *cfg, struct booted *m)
{
	assert_int_equal(arm64_acpi_build(cfg, &m->blobs), 0);
	struct arm64_acpi_blobs *b = &m->blobs;
	assert_int_equal(b->loader_len % 128, 0);
	sim_init(&m->sim, FIRST_GPA);
	sim_file(&m->sim, ACPI_TABLES_FILE, b->tables.buf, b->tables.len, 0);
	sim_file(&m->sim, ACPI_RSDP_FILE, b->rsdp.buf, b->rsdp.len, 0);
	if (cfg->ghes_sources) {
		assert_non_null(b->hw_errors);
		assert_int_equal(b->hw_errors_len, ARM64_GHES_MEM_SIZE);
		sim_file(&m->sim, ACPI_HW_ERRORS_FILE, b->hw_errors, b->hw_errors_len, 0);
		sim_file(&m->sim, ACPI_HW_ERRORS_ADDR_FILE, NULL, ARM64_HW_ERRORS_ADDR_LEN, 1);
	} else {
		assert_null(b->hw_errors);
	}
	if (cfg->boot_errors_len) {
		assert_int_equal(b->boot_errors_len, cfg->boot_errors_len);
		sim_file(&m->sim, ARM64_BOOT_ERRORS_FILE, b->boot_errors, b->boot_errors_len, 0);
	} else {
		assert_null(b->boot_errors);
	}
	if (sim_run(&m->sim, b->loader, b->loader_len))
		fail_msg("loader: %s", m->sim.err);
	struct sim_file *addr = sim_find(&m->sim, ACPI_HW_ERRORS_ADDR_FILE);
	m->hw_errors_gpa = addr ? le64(addr->mem) : 0;
}

static void unboot(struct booted *m)
{
	sim_free(&m->sim);
	arm64_acpi_free(&m->blobs);
}

/* A table at gpa, its length and checksum checked. */
static const uint8_t *table_at(struct booted *m, uint64_t gpa, const char *sig)
{
	const uint8_t *h = sim_mem(&m->sim, gpa, 36);
	assert_non_null(h);
	if (memcmp(h, sig, 4))
		fail_msg("table at %#llx is %.4s, want %s", (unsigned long long)gpa, (const char *)h, sig);
	uint32_t len = le32(h + 4);
	assert_non_null(sim_mem(&m->sim, gpa, len));
	assert_int_equal(sim_sum(h, len), 0);
	assert_memory_equal(h + 10, "VMRAS ", 6);
	return h;
}

/* The XSDT's table of a signature, found by walking from the RSDP. */
static const uint8_t *find_table(struct booted *m, const char *sig, uint64_t *gpa_out)
{
	struct sim_file *r = sim_find(&m->sim, ACPI_RSDP_FILE);
	const uint8_t *rsdp = r->mem;
	assert_memory_equal(rsdp, "RSD PTR ", 8);
	assert_int_equal(sim_sum(rsdp, 20), 0);
	assert_int_equal(sim_sum(rsdp, 36), 0);
	assert_int_equal(rsdp[15], 2);
	assert_int_equal(le32(rsdp + 16), 0);      /* no RSDT */
	assert_int_equal(le32(rsdp + 20), 36);
	const uint8_t *x = table_at(m, le64(rsdp + 24), "XSDT");
	unsigned n = (le32(x + 4) - 36) / 8;
	const uint8_t *found = NULL;
	for (unsigned i = 0; i < n; i++) {
		uint64_t gpa = le64(x + 36 + 8 * i);
		const uint8_t *t = sim_mem(&m->sim, gpa, 36);
		assert_non_null(t);
		if (!memcmp(t, sig, 4)) {
			assert_null(found);
			found = table_at(m, gpa, sig);
			if (gpa_out)
				*gpa_out = gpa;
		}
	}
	return found;
}

static struct arm64_acpi_config full_cfg(unsigned ncpus)
{
	return (struct arm64_acpi_config){ .ncpus = ncpus, .ged = 1, .pvpanic = 1, .ghes_sources = 2 };
}

static void check_installed(struct booted *m, const char *const *want, unsigned n)
{
	assert_int_equal(m->sim.ninstalled, n);
	for (unsigned i = 0; i < n; i++)
		assert_string_equal(m->sim.installed[i].sig, want[i]);
}

static void check_madt(struct booted *m, unsigned ncpus)
{
	const uint8_t *t = find_table(m, "APIC", NULL);
	assert_int_equal(t[8], 4);                 /* revision */
	assert_int_equal(le32(t + 36), 0);
	assert_int_equal(le32(t + 40), 0);
	uint32_t len = le32(t + 4);
	unsigned gicc = 0, gicd = 0, gicr = 0;
	for (uint32_t off = 44; off < len;) {
		const uint8_t *e = t + off;
		assert_true(e[1] >= 2 && e[1] <= len - off);
		switch (e[0]) {
		case 0x0c:                         /* GIC distributor */
			assert_int_equal(e[1], 24);
			assert_int_equal(le64(e + 8), ARM64_GICD_GPA);
			assert_int_equal(e[20], 3);
			gicd++;
			break;
		case 0x0b:                         /* GIC CPU interface */
			assert_int_equal(e[1], 80);
			assert_int_equal(le32(e + 4), gicc);
			assert_int_equal(le32(e + 8), gicc);           /* UID */
			assert_int_equal(le32(e + 12), 1);             /* enabled */
			assert_int_equal(le32(e + 16), 0);             /* parking */
			assert_int_equal(le32(e + 20), 0);             /* PMU */
			for (unsigned k = 24; k < 56; k++)             /* parked, GICC, GICV, GICH */
				assert_int_equal(e[k], 0);
			assert_int_equal(le32(e + 56), 25);            /* maintenance INTID */
			assert_int_equal(le64(e + 60), 0);             /* GICR base */
			assert_int_equal(le64(e + 68), arm64_mpidr(gicc));
			gicc++;
			break;
		case 0x0e:                         /* redistributor range */
			assert_int_equal(e[1], 16);
			assert_int_equal(le64(e + 4), ARM64_GICR_GPA);
			assert_int_equal(le32(e + 12), (uint64_t)ncpus * 0x20000);
			gicr++;
			break;
		default:
			fail_msg("MADT entry type %u", e[0]);
		}
		off += e[1];
	}
	assert_int_equal(gicc, ncpus);
	assert_int_equal(gicd, 1);
	assert_int_equal(gicr, 1);
	if (ncpus > 16) {
		/* 16 vCPUs per Aff1 cluster. */
		const uint8_t *e17 = t + 44 + 24 + 16 * 80;
		assert_int_equal(le64(e17 + 68), 0x100);
	}
}

static void check_fadt(struct booted *m)
{
	const uint8_t *f = find_table(m, "FACP", NULL);
	assert_int_equal(le32(f + 4), 276);
	assert_int_equal(f[8], 6);
	assert_int_equal(f[131], 0);               /* minor revision, as virt */
	assert_int_equal(le32(f + 36), 0);         /* no FACS */
	assert_int_equal(le32(f + 40), 0);         /* 32-bit DSDT unused */
	assert_int_equal(le32(f + 112), 1u << 20); /* hardware-reduced */
	assert_int_equal(le16(f + 129), 3);        /* PSCI compliant, HVC */
	assert_int_equal(le64(f + 132), 0);
	const uint8_t *d = table_at(m, le64(f + 140), "DSDT");
	assert_int_equal(d[8], 2);
}

static void check_gtdt_spcr(struct booted *m)
{
	const uint8_t *g = find_table(m, "GTDT", NULL);
	assert_int_equal(le32(g + 4), 96);
	assert_int_equal(g[8], 2);
	assert_int_equal(le64(g + 36), UINT64_MAX);
	assert_int_equal(le32(g + 48), 29);        /* secure EL1 */
	assert_int_equal(le32(g + 52), 0);
	assert_int_equal(le32(g + 56), 30);        /* non-secure EL1 */
	assert_int_equal(le32(g + 60), 4);         /* level, active-high, always-on */
	assert_int_equal(le32(g + 64), 27);        /* virtual */
	assert_int_equal(le32(g + 68), 0);
	assert_int_equal(le32(g + 72), 26);        /* EL2 */
	assert_int_equal(le32(g + 76), 0);
	assert_int_equal(le64(g + 80), UINT64_MAX);
	assert_int_equal(le32(g + 88), 0);

	const uint8_t *s = find_table(m, "SPCR", NULL);
	assert_int_equal(le32(s + 4), 80);
	assert_int_equal(s[8], 2);
	assert_int_equal(s[36], 3);                /* ARM PL011 */
	assert_int_equal(s[40], 0);                /* GAS: memory, 32 bits, dword */
	assert_int_equal(s[41], 32);
	assert_int_equal(s[43], 3);
	assert_int_equal(le64(s + 44), ARM64_UART_GPA);
	assert_int_equal(s[52], 8);                /* ARM GIC interrupt */
	assert_int_equal(le32(s + 54), 33);
	assert_int_equal(s[58], 7);                /* 115200 */
	assert_int_equal(s[60], 1);                /* stop bit */
	assert_int_equal(s[61], 0);                /* no flow control */
	assert_int_equal(le16(s + 64), 0xffff);
}

/* HEST offsets (ACPI 6.x 18.3.2.8): entries of 92 bytes from 40. */
static void check_hest(struct booted *m, unsigned n)
{
	const uint8_t *h = find_table(m, "HEST", NULL);
	assert_int_equal(le32(h + 4), 40 + 92 * n);
	assert_int_equal(le32(h + 36), n);
	assert_true(m->hw_errors_gpa >= FIRST_GPA);
	assert_int_equal(m->hw_errors_gpa % 4096, 0);
	const uint8_t *hw = sim_mem(&m->sim, m->hw_errors_gpa, ARM64_GHES_MEM_SIZE);
	assert_non_null(hw);
	for (unsigned i = 0; i < n; i++) {
		const uint8_t *e = h + 40 + 92 * i;
		assert_int_equal(le16(e), 10);
		assert_int_equal(le16(e + 2), i);
		assert_int_equal(le32(e + 8), 1);
		assert_int_equal(le32(e + 12), 1);
		assert_int_equal(le32(e + 16), ARM64_GHES_BLOCK_SIZE);
		/* Error status address: the pointer in etc/hardware_errors... */
		assert_int_equal(e[20], 0);
		assert_int_equal(e[21], 64);
		assert_int_equal(e[23], 4);
		assert_int_equal(le64(e + 24), m->hw_errors_gpa + 8 * i);
		/* ...which the loader pointed at the source's block. */
		assert_int_equal(le64(hw + 8 * i), m->hw_errors_gpa + 0x1000 + i * ARM64_GHES_BLOCK_SIZE);
		assert_int_equal(e[32], i ? 10 : 8);   /* GSIV : SEA */
		assert_int_equal(e[33], 28);
		assert_int_equal(le32(e + 40), i ? 41 : 0);
		assert_int_equal(le32(e + 60), ARM64_GHES_BLOCK_SIZE);
		assert_int_equal(e[64], 0);            /* read ack: memory, 64 bits, qword */
		assert_int_equal(e[65], 64);
		assert_int_equal(e[67], 4);
		assert_int_equal(le64(e + 68), ARM64_GHES_ACK_GPA + 8 * i);
		assert_int_equal(le64(e + 76), ~1ull);
		assert_int_equal(le64(e + 84), 1);
	}
	/* The blocks start empty. */
	for (size_t k = 0x1000; k < ARM64_GHES_MEM_SIZE; k++)
		assert_int_equal(hw[k], 0);
}

static void test_loader_boot(void **state)
{
	(void)state;
	static const unsigned counts[] = { 1, 2, 17, 256 };
	static const char *const want[] = { "DSDT", "FACP", "APIC", "GTDT", "SPCR", "HEST" };
	for (unsigned k = 0; k < 4; k++) {
		struct arm64_acpi_config cfg = full_cfg(counts[k]);
		struct booted m;
		boot(&cfg, &m);
		check_installed(&m, want, 6);
		/* HEST -> pointers and pointers -> blocks hold no table. */
		assert_int_equal(m.sim.opaque_pointees, 4);
		check_fadt(&m);
		check_madt(&m, counts[k]);
		check_gtdt_spcr(&m);
		check_hest(&m, 2);
		/* XSDT: FACP APIC GTDT SPCR HEST, nothing else. */
		uint64_t gpa;
		const uint8_t *x = table_at(&m, le64(sim_find(&m.sim, ACPI_RSDP_FILE)->mem + 24), "XSDT");
		assert_int_equal(le32(x + 4), 36 + 5 * 8);
		assert_non_null(find_table(&m, "HEST", &gpa));
		unboot(&m);
	}
}

static void test_script_shape(void **state)
{
	(void)state;
	struct arm64_acpi_config cfg = full_cfg(2);
	struct arm64_acpi_blobs b;
	assert_int_equal(arm64_acpi_build(&cfg, &b), 0);
	/* hardware_errors: ALLOCATE, 2 ADD_POINTER, WRITE_POINTER; tables:
	 * ALLOCATE, FADT's + 2 HEST + 5 XSDT pointers, 7 checksums; RSDP:
	 * ALLOCATE, 1 pointer, 2 checksums. */
	unsigned count[5] = { 0 };
	for (size_t off = 0; off < b.loader_len; off += 128)
		count[b.loader[off]]++;
	assert_int_equal(b.loader_len / 128, 4 + 16 + 4);
	assert_int_equal(count[1], 3);
	assert_int_equal(count[2], 2 + 8 + 1);
	assert_int_equal(count[3], 7 + 2);
	assert_int_equal(count[4], 1);
	/* The first command allocates etc/hardware_errors page-aligned. */
	assert_string_equal((const char *)b.loader + 4, ACPI_HW_ERRORS_FILE);
	assert_int_equal(le32(b.loader + 60), 4096);
	/* Every table's checksum is the firmware's: 0 until linked. */
	for (unsigned i = 0; i < b.tables.ntables; i++)
		assert_int_equal(b.tables.buf[b.tables.tables[i].offset + 9], 0);
	assert_int_equal(b.rsdp.len, 36);
	assert_int_equal(b.rsdp.buf[8], 0);
	assert_int_equal(b.rsdp.buf[32], 0);
	arm64_acpi_free(&b);
}

static void test_no_ghes_no_ged(void **state)
{
	(void)state;
	struct arm64_acpi_config cfg = { .ncpus = 4 };
	struct booted m;
	boot(&cfg, &m);
	static const char *const want[] = { "DSDT", "FACP", "APIC", "GTDT", "SPCR" };
	check_installed(&m, want, 5);
	assert_null(find_table(&m, "HEST", NULL));
	for (size_t off = 0; off < m.blobs.loader_len; off += 128)
		assert_int_not_equal(m.blobs.loader[off], 4);
	check_madt(&m, 4);
	/* No GED, HED or pvpanic in the DSDT. */
	const uint8_t *f = find_table(&m, "FACP", NULL);
	const uint8_t *d = table_at(&m, le64(f + 140), "DSDT");
	uint32_t len = le32(d + 4);
	assert_null(memmem(d, len, "ACPI0013", 8));
	assert_null(memmem(d, len, "QEMU0001", 8));
	assert_non_null(memmem(d, len, "ARMH0011", 8));
	unboot(&m);

	/* One source: SEA only, no HED. */
	cfg = (struct arm64_acpi_config){ .ncpus = 1, .ged = 1, .ghes_sources = 1 };
	boot(&cfg, &m);
	check_hest(&m, 1);
	f = find_table(&m, "FACP", NULL);
	d = table_at(&m, le64(f + 140), "DSDT");
	assert_non_null(memmem(d, le32(d + 4), "ACPI0013", 8));
	assert_null(memmem(d, le32(d + 4), "HED0", 4));
	unboot(&m);
}

/* Errors of a previous boot: the firmware allocates the region, the BERT
 * (in the XSDT) holds its length and its address once linked, and the
 * region's bytes are what vmras gave. */
static void test_bert(void **state)
{
	struct arm64_acpi_config cfg = full_cfg(2);
	uint8_t region[500];
	struct booted m;
	(void)state;

	for (size_t i = 0; i < sizeof(region); i++)
		region[i] = (uint8_t)(i * 13 + 5);
	cfg.boot_errors = region;
	cfg.boot_errors_len = sizeof(region);
	boot(&cfg, &m);
	const uint8_t *bert = find_table(&m, "BERT", NULL);
	assert_non_null(bert);
	assert_int_equal(le32(bert + 4), 48);
	assert_int_equal(bert[8], 1);
	assert_int_equal(le32(bert + 36), sizeof(region));
	struct sim_file *f = sim_find(&m.sim, ARM64_BOOT_ERRORS_FILE);
	assert_non_null(f);
	assert_true(f->gpa != 0);
	assert_int_equal(le64(bert + 40), f->gpa);
	assert_int_equal(f->gpa % 4096, 0);
	const uint8_t *r = sim_mem(&m.sim, le64(bert + 40), sizeof(region));
	assert_non_null(r);
	assert_memory_equal(r, region, sizeof(region));
	/* The HEST and everything else as without it. */
	assert_non_null(find_table(&m, "HEST", NULL));
	unboot(&m);

	/* Without errors: no BERT, no file. */
	cfg.boot_errors_len = 0;
	boot(&cfg, &m);
	assert_null(find_table(&m, "BERT", NULL));
	assert_null(sim_find(&m.sim, ARM64_BOOT_ERRORS_FILE));
	unboot(&m);

	/* Too big for its place, or no bytes: refused. */
	struct arm64_acpi_blobs out;
	cfg.boot_errors_len = ARM64_BERT_REGION_MAX + 1;
	errno = 0;
	assert_int_equal(arm64_acpi_build(&cfg, &out), -1);
	assert_int_equal(errno, EINVAL);
	cfg.boot_errors = NULL;
	cfg.boot_errors_len = 10;
	assert_int_equal(arm64_acpi_build(&cfg, &out), -1);
}

static void test_invalid(void **state)
{
	(void)state;
	struct arm64_acpi_blobs b;
	struct arm64_acpi_config bad[] = {
		{ .ncpus = 0 },
		{ .ncpus = ARM64_MAX_VCPUS + 1 },
		{ .ncpus = 1, .ghes_sources = 3, .ged = 1 },
		{ .ncpus = 1, .ghes_sources = 2 },          /* AO needs the GED */
	};
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&b, 0xa5, sizeof(b));
		errno = 0;
		assert_int_equal(arm64_acpi_build(&bad[i], &b), -1);
		assert_int_equal(errno, EINVAL);
		assert_null(b.tables.buf);
		assert_null(b.loader);
		assert_null(b.hw_errors);
	}
	assert_int_equal(arm64_acpi_build(NULL, &b), -1);
	assert_int_equal(arm64_acpi_build(&bad[0], NULL), -1);
	arm64_acpi_free(NULL);
}

/* QEMU's HEST for virt,ras=on with one source, against vmras's, byte by
 * byte over the same layout. Deliberate differences, overwritten with
 * QEMU's values before the comparison:
 *  - OEM id and table id (BOCHS/BXPC vs VMRAS/VMRSHEST), creator, and
 *    so the checksum;
 *  - Max Raw Data Length and Error Status Block Length: 0x400 in QEMU,
 *    ARM64_GHES_BLOCK_SIZE (a page) in vmras, room for raw CPERs;
 *  - the Error Status Address: where each firmware put the blob;
 *  - the Read Ack Register: QEMU's lies in its RAM blob (polled by QEMU
 *    at the next error), vmras's is an MMIO register at
 *    ARM64_GHES_ACK_GPA, so the acknowledge traps at once.
 * Everything else (type, ids, flags, counts, both GAS encodings, the SEA
 * notification, preserve and write masks) must be equal. */
static void test_hest_oracle(void **state)
{
	(void)state;
	if (!oracle_dir) {
		print_message("no oracle directory given; skipped\n");
		return;
	}
	char path[4096];
	snprintf(path, sizeof(path), "%s/HEST.aarch64-virt.132", oracle_dir);
	FILE *fp = fopen(path, "rb");
	if (!fp) {
		print_message("no %s; skipped\n", path);
		return;
	}
	uint8_t q[132];
	assert_int_equal(fread(q, 1, sizeof(q), fp), sizeof(q));
	assert_int_equal(fgetc(fp), EOF);
	fclose(fp);
	assert_int_equal(sim_sum(q, sizeof(q)), 0);

	struct arm64_acpi_config cfg = { .ncpus = 1, .ged = 1, .ghes_sources = 1 };
	struct booted m;
	boot(&cfg, &m);
	const uint8_t *h = find_table(&m, "HEST", NULL);
	assert_int_equal(le32(h + 4), sizeof(q));
	uint8_t v[132];
	memcpy(v, h, sizeof(v));
	memcpy(v + 9, q + 9, 1);                   /* checksum */
	memcpy(v + 10, q + 10, 6 + 8);             /* OEM id, OEM table id */
	memcpy(v + 28, q + 28, 8);                 /* creator id, revision */
	assert_int_equal(le32(q + 40 + 16), 0x400);
	assert_int_equal(le32(v + 40 + 16), ARM64_GHES_BLOCK_SIZE);
	memcpy(v + 40 + 16, q + 40 + 16, 4);       /* max raw data length */
	memcpy(v + 40 + 60, q + 40 + 60, 4);       /* block length */
	memcpy(v + 40 + 24, q + 40 + 24, 8);       /* error status address */
	assert_int_equal(le64(v + 40 + 68), ARM64_GHES_ACK_GPA);
	memcpy(v + 40 + 68, q + 40 + 68, 8);       /* read ack address */
	assert_memory_equal(v, q, sizeof(q));
	unboot(&m);
}

int main(int argc, char **argv)
{
	if (argc > 1)
		oracle_dir = argv[1];
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loader_boot),
		cmocka_unit_test(test_script_shape),
		cmocka_unit_test(test_no_ghes_no_ged),
		cmocka_unit_test(test_bert),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_hest_oracle),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
