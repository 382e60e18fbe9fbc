/* Writes the arm64 ACPI tables as the guest sees them, one DIR/<SIG>.dat
 * per table for iasl -d, after running the loader script through the
 * simulated firmware (acpi_loader_sim.h): pointers linked, checksums
 * filled. Also DIR/RSDP.dat and DIR/config.sh with the addresses
 * arm64_acpi_iasl.sh expects. Full machine: GED, pvpanic, two GHES sources.
 * Usage: arm64_acpi_dump DIR [NCPUS] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/loader.h"
#include "arm64/acpi.h"

#include "acpi_loader_sim.h"

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "arm64_acpi_dump: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2 || argc > 4) {
		fprintf(stderr, "usage: %s DIR [NCPUS [NVIRTIO]]\n", argv[0]);
		return 2;
	}
	struct arm64_acpi_config cfg = {
		.ncpus = argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 2,
		.ged = 1, .pvpanic = 1, .ghes_sources = 2,
		.nvirtio = argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 0,
	};
	struct arm64_acpi_blobs b;
	if (arm64_acpi_build(&cfg, &b)) {
		fprintf(stderr, "arm64_acpi_dump: arm64_acpi_build: %s\n", strerror(errno));
		return 1;
	}
	struct sim s;
	sim_init(&s, 0x13fff0000ull);
	sim_file(&s, ACPI_TABLES_FILE, b.tables.buf, b.tables.len, 0);
	sim_file(&s, ACPI_RSDP_FILE, b.rsdp.buf, b.rsdp.len, 0);
	sim_file(&s, ACPI_HW_ERRORS_FILE, b.hw_errors, b.hw_errors_len, 0);
	sim_file(&s, ACPI_HW_ERRORS_ADDR_FILE, NULL, ARM64_HW_ERRORS_ADDR_LEN, 1);
	int rc = sim_run(&s, b.loader, b.loader_len);
	if (rc)
		fprintf(stderr, "arm64_acpi_dump: loader: %s\n", s.err);
	struct sim_file *rsdp = sim_find(&s, ACPI_RSDP_FILE);
	struct sim_file *hwa = sim_find(&s, ACPI_HW_ERRORS_ADDR_FILE);
	uint64_t hw = rc ? 0 : sim_le(hwa->mem, 8);
	char sh[4096];
	size_t n = (size_t)snprintf(sh, sizeof(sh),
		"NCPUS=%u\nHW_ERRORS=%016" PRIX64 "\nGHES_STATUS_AR=%016" PRIX64 "\n"
		"GHES_STATUS_AO=%016" PRIX64 "\nGHES_ACK_AR=%016llX\nGHES_ACK_AO=%016llX\n"
		"GHES_BLOCK_LEN=%08llX\nGPA_XSDT=%016" PRIX64 "\n",
		cfg.ncpus, hw, hw + ARM64_GHES_POINTER_OFF(0), hw + ARM64_GHES_POINTER_OFF(1),
		ARM64_GHES_ACK_GPA, ARM64_GHES_ACK_GPA + ARM64_GHES_ACK_STRIDE, ARM64_GHES_BLOCK_SIZE,
		rc ? 0 : sim_le(rsdp->mem + 24, 8));
	if (!rc)
		rc = write_file(argv[1], "RSDP.dat", rsdp->mem, rsdp->size);
	/* The XSDT is not installed (the firmware builds its own) but is
	 * worth a look: found through the RSDP. */
	const uint8_t *x = rc ? NULL : sim_mem(&s, sim_le(rsdp->mem + 24, 8), 36);
	if (x && !rc)
		rc = write_file(argv[1], "XSDT.dat", x, sim_le(x + 4, 4));
	for (unsigned i = 0; i < s.ninstalled && !rc; i++) {
		const struct sim_table *t = &s.installed[i];
		char name[16];
		snprintf(name, sizeof(name), "%s.dat", t->sig);
		rc = write_file(argv[1], name, sim_mem(&s, t->gpa, t->len), t->len);
		if (n < sizeof(sh))
			n += (size_t)snprintf(sh + n, sizeof(sh) - n, "GPA_%s=%016" PRIX64 "\n",
					      t->sig, t->gpa);
	}
	if (!rc && n >= sizeof(sh)) {
		fprintf(stderr, "arm64_acpi_dump: config.sh too long\n");
		rc = -1;
	}
	if (!rc)
		rc = write_file(argv[1], "config.sh", sh, n);
	sim_free(&s);
	arm64_acpi_free(&b);
	return rc ? 1 : 0;
}
