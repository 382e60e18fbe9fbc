/* Prints, in base64, a UEFI CPER record as QMP inject-ghes-v2-error takes
 * it: one Generic Error Status Block holding one memory error, built by the
 * same encoder vmras uses for real failures.
 *   vmras-cper [--severity recoverable|fatal|corrected|informational] GPA [SIZE]
 * SIZE: the bytes lost around GPA, a power of two (default 4096). Exit 0, or 2
 * with one line for bad usage. */
#include <errno.h>
#include <getopt.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ras/cper.h"

static int usage(const char *why)
{
	if (why)
		fprintf(stderr, "vmras-cper: %s\n", why);
	fputs("Usage: vmras-cper [--severity recoverable|fatal|corrected|informational] GPA [SIZE]\n", stderr);
	return 2;
}

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 0);
	return errno || end == s || *end || *s == '-' ? -1 : 0;
}

int main(int argc, char **argv)
{
	static const char *const sev_names[] = { "recoverable", "fatal", "corrected", "informational" };
	static const struct option opts[] = { { "severity", required_argument, NULL, 's' }, { NULL, 0, NULL, 0 } };
	struct cper_mem_error e = { .size = 4096, .severity = CPER_SEV_RECOVERABLE,
				    .error_type = CPER_MEM_ERR_MULTI_BIT_ECC };
	uint8_t rec[CPER_MEM_RECORD_LEN];
	char out[2 * sizeof(rec) + 4];
	int c, found;
	ssize_t len;

	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 's')
			return usage(NULL);
		found = 0;
		for (unsigned i = 0; i < sizeof(sev_names) / sizeof(sev_names[0]); i++)
			if (!strcmp(optarg, sev_names[i])) {
				e.severity = i;   /* CPER_SEV_* follow this order */
				found = 1;
			}
		if (!found)
			return usage("--severity: expected recoverable, fatal, corrected or informational");
	}
	if (optind >= argc || argc - optind > 2)
		return usage(NULL);
	if (parse_u64(argv[optind], &e.phys_addr))
		return usage("GPA: expected a number such as 0x1ff72000");
	if (argc - optind == 2 && parse_u64(argv[optind + 1], &e.size))
		return usage("SIZE: expected a number such as 4096");
	len = cper_encode_mem_error(rec, sizeof(rec), &e);
	if (len < 0)
		return usage("SIZE must be a power of two");
	if (b64_ntop(rec, (size_t)len, out, sizeof(out)) < 0) {
		fprintf(stderr, "vmras-cper: cannot encode the record\n");
		return 1;
	}
	puts(out);
	return 0;
}
