/* Writes the arm64 guest's DTB for a few machines into DIR, for
 * arm64_dtc.sh to decompile with dtc: DIR/cpus-N.dtb with every optional
 * device, DIR/bare.dtb without them, command line or initrd.
 * Usage: arm64_dtb_dump DIR */
#include <stdio.h>
#include <stdlib.h>

#include <libfdt.h>

#include "arm64/fdt.h"

static char buf[2 << 20];

static int dump(const char *dir, const char *name, const struct arm64_fdt_config *cfg)
{
	char path[4096];
	const char *why;
	FILE *f;
	size_t len;

	if (arm64_fdt_build(cfg, buf, sizeof(buf), &why)) {
		fprintf(stderr, "arm64_dtb_dump: %s: %s\n", name, why);
		return -1;
	}
	len = fdt_totalsize(buf);
	snprintf(path, sizeof(path), "%s/%s.dtb", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(buf, 1, len, f) != len || fclose(f)) {
		perror(path);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static const uint8_t seed[32] = { 0x5e, 0xed };
	static const unsigned counts[] = { 1, 2, 8, 256 };
	struct arm64_fdt_config cfg = {
		.ram_size = 1ULL << 30,
		.cmdline = "console=ttyAMA0 earlycon panic=-1",
		.initrd_start = 0x42800000,
		.initrd_end = 0x43000000,
		.pvpanic = 1,
		.power_button = 1,
		.kaslr_seed_set = 1,
		.kaslr_seed = 0xfeedfacecafebeefULL,
		.rng_seed = seed,
		.rng_seed_len = sizeof(seed),
	};
	char name[32];
	int rc = 0;

	if (argc != 2) {
		fprintf(stderr, "usage: arm64_dtb_dump DIR\n");
		return 2;
	}
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		cfg.ncpus = counts[i];
		snprintf(name, sizeof(name), "cpus-%u", counts[i]);
		rc |= dump(argv[1], name, &cfg);
	}
	cfg = (struct arm64_fdt_config){ .ram_size = 64 << 20, .ncpus = 1 };
	rc |= dump(argv[1], "bare", &cfg);
	/* What a boot through firmware gets: no command line or initrd. */
	cfg = (struct arm64_fdt_config){ .ram_size = 1ULL << 30, .ncpus = 2, .pvpanic = 1, .power_button = 1,
					 .rtc = 1, .flash = 1, .fw_cfg = 1 };
	rc |= dump(argv[1], "firmware", &cfg);
	/* Two disks (--disk): virtio-mmio nodes. */
	cfg.nvirtio = 2;
	rc |= dump(argv[1], "virtio", &cfg);
	return rc ? 1 : 0;
}
