/* Writes DIR/HEST.dat, a HEST with the two x86 GHESv2 sources, for iasl -d,
 * and DIR/config.sh with the values hest_iasl.sh expects to find in it.
 * Usage: hest_dump DIR */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "acpi/acpi.h"
#include "acpi/builder.h"
#include "acpi/hest.h"

/* Arbitrary but distinct, so a swapped field shows. */
#define STATUS_AR 0x000000007ffe1000ull
#define STATUS_AO 0x000000007ffe1008ull
#define ACK_AR 0x000000007ffe1010ull
#define ACK_AO 0x000000007ffe1018ull
#define GSI_AR 20
#define GSI_AO 21

static int write_file(const char *dir, const char *name, const void *data, size_t len)
{
	char path[4096];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "hest_dump: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: %s DIR\n", argv[0]);
		return 2;
	}
	struct acpi_ghes_source src[2];
	acpi_ghes_source_x86(&src[0], ACPI_GHES_SOURCE_AR, STATUS_AR, ACK_AR, GSI_AR);
	acpi_ghes_source_x86(&src[1], ACPI_GHES_SOURCE_AO, STATUS_AO, ACK_AO, GSI_AO);
	struct acpi_builder b;
	struct acpi_blob blob;
	acpi_builder_init(&b, 0xe0000, 1 << 16);
	acpi_add_hest(&b, src, 2);
	if (acpi_builder_finish(&b, &blob)) {
		fprintf(stderr, "hest_dump: %s\n", strerror(errno));
		return 1;
	}
	char sh[512];
	int n = snprintf(sh, sizeof(sh),
		"STATUS_AR=%016" PRIX64 "\nSTATUS_AO=%016" PRIX64 "\n"
		"ACK_AR=%016" PRIX64 "\nACK_AO=%016" PRIX64 "\n"
		"GSI_AR=%08X\nGSI_AO=%08X\nBLOCK_LEN=%08X\n",
		(uint64_t)STATUS_AR, (uint64_t)STATUS_AO, (uint64_t)ACK_AR, (uint64_t)ACK_AO,
		GSI_AR, GSI_AO, ACPI_GHES_BLOCK_LEN);
	int rc = write_file(argv[1], "HEST.dat", blob.buf, blob.len) ||
		 write_file(argv[1], "config.sh", sh, (size_t)n);
	acpi_blob_free(&blob);
	return rc ? 1 : 0;
}
