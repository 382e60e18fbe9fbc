/* Writes the x86 ACPI tables, one DIR/<SIG>.dat per table, for iasl -d, and
 * DIR/config.sh with the values acpi_iasl.sh expects to find in them. The
 * tables are the machine's own (x86_platform_acpi_config) with APEI on, so
 * the HEST is among them; a machine without it only loses that table,
 * which test_acpi checks.
 * Usage: acpi_dump DIR [NCPUS] */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "acpi/acpi.h"
#include "acpi/hest.h"
#include "x86/acpi.h"
#include "x86/platform.h"

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "acpi_dump: %s: %s\n", path, strerror(errno));
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
	struct x86_acpi_config cfg;
	x86_platform_acpi_config(argc > 2 ? (unsigned)strtoul(argv[2], NULL, 0) : 2, true,
				 argc > 3 ? (unsigned)strtoul(argv[3], NULL, 0) : 0, &cfg);
	struct acpi_blob blob;
	if (x86_acpi_build(&cfg, &blob)) {
		fprintf(stderr, "acpi_dump: x86_acpi_build: %s\n", strerror(errno));
		return 1;
	}
	int rc = 0;
	char sh[2048];
	size_t n = (size_t)snprintf(sh, sizeof(sh),
		"NCPUS=%u\nLAPIC=%08" PRIX32 "\nIOAPIC=%08" PRIX32 "\n"
		"UART_PORT=%04X\nUART_IRQ=%u\nSLEEP_CTL=%016X\nSLEEP_STS=%016X\n"
		"RESET_REG=%016X\nRESET_VALUE=%02X\nS5_SLP_TYP=%02X\nPVPANIC_PORT=%04X\n"
		"GED_PORT=%04X\nGED_GSI=%08X\n"
		"GHES_STATUS_AR=%016" PRIX64 "\nGHES_STATUS_AO=%016" PRIX64 "\n"
		"GHES_ACK_AR=%016X\nGHES_ACK_AO=%016X\nGHES_BLOCK_LEN=%08X\n",
		cfg.ncpus, cfg.lapic_addr, cfg.ioapic_addr, cfg.uart_port, cfg.uart_irq,
		cfg.sleep_ctl_port, cfg.sleep_sts_port, cfg.reset_port, cfg.reset_value,
		cfg.s5_slp_typ, cfg.pvpanic_port, cfg.ged_port, cfg.ged_gsi,
		cfg.ghes_pointers_gpa, cfg.ghes_pointers_gpa + 8,
		cfg.ghes_ack_port[0], cfg.ghes_ack_port[1],
		ACPI_GHES_BLOCK_LEN);
	for (unsigned i = 0; i < blob.ntables && !rc; i++) {
		const struct acpi_table_ref *t = &blob.tables[i];
		char name[16];
		snprintf(name, sizeof(name), "%s.dat", t->sig);
		rc = write_file(argv[1], name, blob.buf + t->offset, t->length);
		if (n < sizeof(sh))
			n += (size_t)snprintf(sh + n, sizeof(sh) - n, "GPA_%s=%016" PRIX64 "\n",
					      t->sig, cfg.base_gpa + t->offset);
	}
	if (!rc && n >= sizeof(sh)) {
		fprintf(stderr, "acpi_dump: config.sh too long\n");
		rc = -1;
	}
	if (!rc)
		rc = write_file(argv[1], "config.sh", sh, n);
	acpi_blob_free(&blob);
	return rc ? 1 : 0;
}
