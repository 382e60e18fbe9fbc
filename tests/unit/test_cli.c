/* Command-line parsing: every option, the size and CPU-count grammars and
 * every error path. Expected values are restated from the usage text and the
 * header (defaults 512M and 1 CPU, 16M..1T, 1..255 CPUs, 2047-byte append). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "vmm/cli.h"

#define MiB (1ULL << 20)
#define GiB (1ULL << 30)

static char errbuf[512];

/* argv must be mutable: getopt_long permutes it. */
static int parse_v(struct vmras_options *o, const char *first, va_list ap)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = (char *)"vmras";
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		assert_true(argc < 31);
		argv[argc++] = (char *)a;
	}
	argv[argc] = NULL;
	memset(errbuf, 0x55, sizeof(errbuf));
	errbuf[sizeof(errbuf) - 1] = 0;
	return cli_parse(argc, argv, o, errbuf, sizeof(errbuf));
}

/* parse(&o, "--kernel", "k", NULL) */
static int parse(struct vmras_options *o, const char *first, ...)
{
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_v(o, first, ap);
	va_end(ap);
	return rc;
}

static void assert_one_line_error(void)
{
	size_t n = strnlen(errbuf, sizeof(errbuf));
	assert_true(n > 0);
	assert_true(n < sizeof(errbuf));
	assert_null(strchr(errbuf, '\n'));
	assert_null(memchr(errbuf, 0x55, n));   /* really written, not left over */
}

/* Expects failure with a one-line message containing needle (if given). */
static void expect_error(const char *needle, const char *first, ...)
{
	struct vmras_options o;
	va_list ap;
	int rc;

	va_start(ap, first);
	rc = parse_v(&o, first, ap);
	va_end(ap);
	if (rc != -1)
		fail_msg("expected an error containing \"%s\" for %s ...", needle ? needle : "", first ? first : "(no arguments)");
	assert_one_line_error();
	if (needle && !strstr(errbuf, needle))
		fail_msg("error \"%s\" does not mention \"%s\"", errbuf, needle);
}

static uint64_t memory_of(const char *text)
{
	struct vmras_options o;
	if (parse(&o, "--kernel", "k", "--memory", text, NULL))
		fail_msg("--memory %s rejected: %s", text, errbuf);
	return o.memory;
}

static void test_defaults(void **state)
{
	struct vmras_options o;
	(void)state;

	memset(&o, 0xa5, sizeof(o));
	assert_int_equal(parse(&o, "--kernel", "bz", NULL), 0);
	assert_string_equal(o.kernel, "bz");
	assert_null(o.initrd);
	assert_null(o.append);
	assert_null(o.dump_acpi);
	assert_true(o.memory == 512 * MiB);
	assert_int_equal(o.cpus, 1);
	assert_int_equal(o.on_panic, GUEST_PANIC_POWEROFF);   /* QEMU's default action */
	assert_false(o.machine_none);
	assert_false(o.paused);
	assert_int_equal(o.nqmp, 0);
	assert_int_equal(o.memory_backend.kind, RAM_BACKEND_MEMFD);   /* today's backing */
	assert_int_equal(o.memory_backend.page_shift, 12);
	assert_null(o.memory_backend.path);
	assert_false(o.help);
	assert_false(o.version);
	assert_true(CLI_DEFAULT_MEMORY == 512 * MiB);
	assert_true(CLI_MIN_MEMORY == 16 * MiB);
	assert_true(CLI_MAX_MEMORY == 1024 * GiB);
	assert_int_equal(CLI_MAX_CPUS, 255);
}

static void test_long_options(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "--kernel", "/k", "--initrd", "/i", "--append", "console=ttyS0",
			       "--memory", "2G", "--cpus", "4", "--dump-acpi", "/d", NULL), 0);
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.initrd, "/i");
	assert_string_equal(o.append, "console=ttyS0");
	assert_true(o.memory == 2 * GiB);
	assert_int_equal(o.cpus, 4);
	assert_string_equal(o.dump_acpi, "/d");
	assert_false(o.help);
	assert_false(o.version);
}

static void test_long_options_with_equals(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "--kernel=/k", "--initrd=/i", "--append=a b=c", "--memory=1G",
			       "--cpus=8", "--dump-acpi=/d", NULL), 0);
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.initrd, "/i");
	assert_string_equal(o.append, "a b=c");
	assert_true(o.memory == GiB);
	assert_int_equal(o.cpus, 8);
	assert_string_equal(o.dump_acpi, "/d");
}

static void test_short_options(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "/k", "-i", "/i", "-a", "quiet", "-m", "64M", "-c", "2", NULL), 0);
	assert_string_equal(o.kernel, "/k");
	assert_string_equal(o.initrd, "/i");
	assert_string_equal(o.append, "quiet");
	assert_true(o.memory == 64 * MiB);
	assert_int_equal(o.cpus, 2);

	/* Attached arguments. */
	assert_int_equal(parse(&o, "-k/k2", "-m128M", "-c3", NULL), 0);
	assert_string_equal(o.kernel, "/k2");
	assert_true(o.memory == 128 * MiB);
	assert_int_equal(o.cpus, 3);
}

static void test_help_and_version(void **state)
{
	struct vmras_options o;
	(void)state;

	/* --help and --version need no --kernel. */
	assert_int_equal(parse(&o, "--help", NULL), 0);
	assert_true(o.help);
	assert_false(o.version);
	assert_int_equal(parse(&o, "-h", NULL), 0);
	assert_true(o.help);
	assert_int_equal(parse(&o, "--version", NULL), 0);
	assert_true(o.version);
	assert_false(o.help);
	assert_int_equal(parse(&o, "-V", NULL), 0);
	assert_true(o.version);
	assert_int_equal(parse(&o, "-hV", NULL), 0);
	assert_true(o.help);
	assert_true(o.version);
	/* A bad value is still an error with --help. */
	expect_error("memory", "--help", "--memory", "1X", NULL);
}

static void test_dump_acpi_needs_no_kernel(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "--dump-acpi", "out", NULL), 0);
	assert_string_equal(o.dump_acpi, "out");
	assert_null(o.kernel);
	assert_int_equal(parse(&o, "--dump-acpi", "out", "--cpus", "16", NULL), 0);
	assert_int_equal(o.cpus, 16);
}

static void test_missing_kernel(void **state)
{
	(void)state;
	expect_error("--kernel", NULL);
	expect_error("--kernel", "--memory", "1G", NULL);
	expect_error("--kernel", "--initrd", "i", "--append", "x", NULL);
}

/* --firmware FILE boots without --kernel (edk2 stops in its boot manager);
 * none is the default, a direct kernel boot. */
static void test_firmware(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", NULL), 0);
	assert_null(o.firmware);
	assert_int_equal(parse(&o, "--firmware", "/fw.fd", NULL), 0);
	assert_string_equal(o.firmware, "/fw.fd");
	assert_null(o.kernel);
	assert_int_equal(parse(&o, "--firmware=/fw.fd", "-k", "k", "-i", "i", "-a", "x", NULL), 0);
	assert_string_equal(o.firmware, "/fw.fd");
	assert_int_equal(parse(&o, "--firmware", "/fw.fd", "--firmware", "none", "-k", "k", NULL), 0);
	assert_null(o.firmware);
	expect_error("--kernel is required", "--firmware", "none", NULL);
	expect_error("expected a file or none", "--firmware", "", NULL);
	expect_error("need --kernel", "--firmware", "/fw.fd", "--initrd", "i", NULL);
	expect_error("need --kernel", "--firmware", "/fw.fd", "--append", "x", NULL);
	expect_error("do not apply", "--machine", "none", "--firmware", "/fw.fd", NULL);
	expect_error("needs an argument", "--firmware", NULL);
}

static void test_last_option_wins(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "a", "-k", "b", "-m", "1G", "-m", "32M", "-c", "2", "-c", "7", NULL), 0);
	assert_string_equal(o.kernel, "b");
	assert_true(o.memory == 32 * MiB);
	assert_int_equal(o.cpus, 7);
}

static void test_sizes_accepted(void **state)
{
	(void)state;
	/* A bare number is MiB. */
	assert_true(memory_of("512") == 512 * MiB);
	assert_true(memory_of("16") == 16 * MiB);
	assert_true(memory_of("16M") == 16 * MiB);
	assert_true(memory_of("16m") == 16 * MiB);
	assert_true(memory_of("16MB") == 16 * MiB);
	assert_true(memory_of("16MiB") == 16 * MiB);
	assert_true(memory_of("2G") == 2 * GiB);
	assert_true(memory_of("2g") == 2 * GiB);
	assert_true(memory_of("2GB") == 2 * GiB);
	assert_true(memory_of("2GiB") == 2 * GiB);
	assert_true(memory_of("3G") == 3 * GiB);
	assert_true(memory_of("16384K") == 16 * MiB);
	assert_true(memory_of("16384k") == 16 * MiB);
	assert_true(memory_of("16384KiB") == 16 * MiB);
	assert_true(memory_of("16777216B") == 16 * MiB);
	assert_true(memory_of("1T") == 1ULL << 40);
	assert_true(memory_of("1t") == 1ULL << 40);
	assert_true(memory_of("1TiB") == 1ULL << 40);
	assert_true(memory_of("1024G") == 1ULL << 40);
	assert_true(memory_of("1048576") == 1ULL << 40);
	assert_true(memory_of("1099511627776B") == 1ULL << 40);
	assert_true(memory_of("0016M") == 16 * MiB);
	assert_true(memory_of("4100M") == 4100 * MiB);
	/* Byte counts that are a multiple of 4K. */
	assert_true(memory_of("16781312B") == 16 * MiB + 4096);
	assert_true(memory_of("16388K") == 16 * MiB + 4096);
}

static void test_sizes_rejected(void **state)
{
	(void)state;
	/* Syntax. */
	expect_error("--memory", "-k", "k", "-m", "", NULL);
	expect_error("--memory", "-k", "k", "-m", "G", NULL);
	expect_error("--memory", "-k", "k", "-m", "2X", NULL);
	expect_error("--memory", "-k", "k", "-m", "-1", NULL);
	expect_error("--memory", "-k", "k", "-m", "+512", NULL);
	expect_error("--memory", "-k", "k", "-m", " 512", NULL);
	expect_error("--memory", "-k", "k", "-m", "512 ", NULL);
	expect_error("--memory", "-k", "k", "-m", "1.5G", NULL);
	expect_error("--memory", "-k", "k", "-m", "0x100M", NULL);
	expect_error("--memory", "-k", "k", "-m", "2GG", NULL);
	expect_error("--memory", "-k", "k", "-m", "2GiBx", NULL);
	expect_error("--memory", "-k", "k", "-m", "2BiB", NULL);
	expect_error("--memory", "-k", "k", "-m", "2BB", NULL);
	expect_error("--memory", "-k", "k", "-m", "99999999999999999999", NULL);
	expect_error("--memory", "-k", "k", "-m", "99999999999999999999B", NULL);
	/* 2^44 MiB = 2^64 bytes: the shift would overflow. */
	expect_error("--memory", "-k", "k", "-m", "17592186044416", NULL);
	expect_error("--memory", "-k", "k", "-m", "17179869184G", NULL);
	expect_error("--memory", "-k", "k", "-m", "16777216T", NULL);
	/* Range: 16M..1T. */
	expect_error("16M", "-k", "k", "-m", "0", NULL);
	expect_error("16M", "-k", "k", "-m", "15M", NULL);
	expect_error("16M", "-k", "k", "-m", "15", NULL);
	expect_error("16M", "-k", "k", "-m", "1024K", NULL);
	expect_error("16M", "-k", "k", "-m", "16777215B", NULL);
	expect_error("16M", "-k", "k", "-m", "16773120B", NULL);   /* 16M - 4K */
	expect_error("1T", "-k", "k", "-m", "1025G", NULL);
	expect_error("1T", "-k", "k", "-m", "2T", NULL);
	expect_error("1T", "-k", "k", "-m", "1048577", NULL);
	expect_error("1T", "-k", "k", "-m", "1099511631872B", NULL); /* 1T + 4K */
	/* 4K granularity. */
	expect_error("4K", "-k", "k", "-m", "16777217B", NULL);
	expect_error("4K", "-k", "k", "-m", "16777728B", NULL);   /* + 512 */
	expect_error("4K", "-k", "k", "-m", "16385K", NULL);
	expect_error("4K", "-k", "k", "-m", "16386K", NULL);
}

static void test_parse_size_direct(void **state)
{
	uint64_t v;
	(void)state;

	/* cli_parse_size only converts; the range is cli_parse's business. */
	v = 1;
	assert_int_equal(cli_parse_size("0", &v), 0);
	assert_true(v == 0);
	assert_int_equal(cli_parse_size("1024K", &v), 0);
	assert_true(v == MiB);
	assert_int_equal(cli_parse_size("1", &v), 0);
	assert_true(v == MiB);
	assert_int_equal(cli_parse_size("1B", &v), 0);
	assert_true(v == 1);
	assert_int_equal(cli_parse_size("3KB", &v), 0);
	assert_true(v == 3072);
	assert_int_equal(cli_parse_size("18446744073709551615B", &v), 0);
	assert_true(v == UINT64_MAX);
	/* Largest value of each unit that fits 64 bits, and one more. */
	assert_int_equal(cli_parse_size("17592186044415", &v), 0);
	assert_true(v == (((1ULL << 44) - 1) << 20));
	assert_int_equal(cli_parse_size("17592186044416", &v), -1);
	assert_int_equal(cli_parse_size("16777215T", &v), 0);
	assert_true(v == ((1ULL << 24) - 1) << 40);
	assert_int_equal(cli_parse_size("16777216T", &v), -1);
	assert_int_equal(cli_parse_size("18014398509481983K", &v), 0);
	assert_int_equal(cli_parse_size("18014398509481984K", &v), -1);
	assert_int_equal(cli_parse_size("18446744073709551616B", &v), -1);

	/* Failures leave the output alone. */
	v = 42;
	assert_int_equal(cli_parse_size(NULL, &v), -1);
	assert_int_equal(cli_parse_size("", &v), -1);
	assert_int_equal(cli_parse_size("M", &v), -1);
	assert_int_equal(cli_parse_size("-1", &v), -1);
	assert_int_equal(cli_parse_size("-0", &v), -1);
	assert_int_equal(cli_parse_size("+1", &v), -1);
	assert_int_equal(cli_parse_size(" 1", &v), -1);
	assert_int_equal(cli_parse_size("1 ", &v), -1);
	assert_int_equal(cli_parse_size("1M ", &v), -1);
	assert_int_equal(cli_parse_size("1P", &v), -1);
	assert_int_equal(cli_parse_size("1E", &v), -1);
	assert_int_equal(cli_parse_size("2BB", &v), -1);
	assert_int_equal(cli_parse_size("2BiB", &v), -1);
	assert_int_equal(cli_parse_size("2Bx", &v), -1);
	assert_int_equal(cli_parse_size("2Mx", &v), -1);
	assert_int_equal(cli_parse_size("2MiBB", &v), -1);
	assert_true(v == 42);
}

/* strtoull skips any leading isspace() character and then accepts a sign, so
 * rejecting only ' ', '-' and '+' as the first character lets "\t-1B"
 * through as 2^64-1 and "\t-18446744056529682432B" as exactly 16 GiB. */
static void test_parse_size_rejects_leading_whitespace(void **state)
{
	uint64_t v = 42;
	(void)state;

	assert_int_equal(cli_parse_size("\t512", &v), -1);
	assert_int_equal(cli_parse_size("\n1G", &v), -1);
	assert_int_equal(cli_parse_size("\t-1B", &v), -1);
	assert_int_equal(cli_parse_size("\v+2G", &v), -1);
	assert_true(v == 42);
	expect_error("--memory", "-k", "k", "-m", "\t-18446744056529682432B", NULL);
}

static void test_cpus(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", "-c", "1", NULL), 0);
	assert_int_equal(o.cpus, 1);
	assert_int_equal(parse(&o, "-k", "k", "--cpus", "255", NULL), 0);
	assert_int_equal(o.cpus, 255);
	assert_int_equal(parse(&o, "-k", "k", "--cpus", "254", NULL), 0);
	assert_int_equal(o.cpus, 254);
	assert_int_equal(parse(&o, "-k", "k", "--cpus", "007", NULL), 0);
	assert_int_equal(o.cpus, 7);

	expect_error("--cpus", "-k", "k", "-c", "0", NULL);
	expect_error("--cpus", "-k", "k", "-c", "256", NULL);
	expect_error("--cpus", "-k", "k", "-c", "1000", NULL);
	expect_error("--cpus", "-k", "k", "-c", "abc", NULL);
	expect_error("--cpus", "-k", "k", "-c", "2x", NULL);
	expect_error("--cpus", "-k", "k", "-c", "-1", NULL);
	expect_error("--cpus", "-k", "k", "-c", "+1", NULL);
	expect_error("--cpus", "-k", "k", "-c", " 1", NULL);
	expect_error("--cpus", "-k", "k", "-c", "1 ", NULL);
	expect_error("--cpus", "-k", "k", "-c", "", NULL);
	expect_error("--cpus", "-k", "k", "-c", "0x2", NULL);
	expect_error("--cpus", "-k", "k", "-c", "1.0", NULL);
	expect_error("--cpus", "-k", "k", "-c", "4294967297", NULL);        /* 2^32 + 1 */
	expect_error("--cpus", "-k", "k", "-c", "18446744073709551617", NULL);
	expect_error("255", "-k", "k", "-c", "256", NULL);
}

static void test_on_panic(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", NULL), 0);
	assert_int_equal(o.ras, RAS_MODE_BOTH);
	assert_int_equal(parse(&o, "-k", "k", "--ras", "mce", NULL), 0);
	assert_int_equal(o.ras, RAS_MODE_MCE);
	assert_int_equal(parse(&o, "-k", "k", "--ras=ghes", NULL), 0);
	assert_int_equal(o.ras, RAS_MODE_GHES);
	assert_int_equal(parse(&o, "-k", "k", "--ras", "ghes", "--ras", "both", NULL), 0);
	assert_int_equal(o.ras, RAS_MODE_BOTH);
	assert_string_equal(cli_ras_name(RAS_MODE_MCE), "mce");
	assert_string_equal(cli_ras_name(RAS_MODE_BOTH), "both");
	assert_null(cli_ras_name(0));
	expect_error("invalid --ras 'apei': expected mce, ghes or both", "-k", "k", "--ras", "apei", NULL);
	expect_error("--ras ''", "-k", "k", "--ras=", NULL);
	expect_error("--ras", "-k", "k", "--ras", NULL);
	assert_int_equal(parse(&o, "-k", "k", "--on-panic", "pause", NULL), 0);
	assert_int_equal(o.on_panic, GUEST_PANIC_PAUSE);
	assert_int_equal(parse(&o, "-k", "k", "--on-panic=run", NULL), 0);
	assert_int_equal(o.on_panic, GUEST_PANIC_RUN);
	assert_int_equal(parse(&o, "-k", "k", "--on-panic", "run", "--on-panic", "poweroff", NULL), 0);
	assert_int_equal(o.on_panic, GUEST_PANIC_POWEROFF);
	expect_error("--on-panic 'shutdown'", "-k", "k", "--on-panic", "shutdown", NULL);
	expect_error("pause, poweroff or run", "-k", "k", "--on-panic", "Pause", NULL);
	expect_error("--on-panic ''", "-k", "k", "--on-panic=", NULL);
	expect_error("--on-panic", "-k", "k", "--on-panic", NULL);
}

static void test_paused(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", "--paused", NULL), 0);
	assert_true(o.paused);
	/* The monitor alone can start in prelaunch too, as qemu -machine none -S. */
	assert_int_equal(parse(&o, "--machine", "none", "--paused", NULL), 0);
	assert_true(o.paused);
	expect_error("--paused", "-k", "k", "--paused=yes", NULL);
}

static void test_machine(void **state)
{
	struct vmras_options o;
	(void)state;

	/* none needs no kernel; pc (the default) does. */
	assert_int_equal(parse(&o, "--machine", "none", NULL), 0);
	assert_true(o.machine_none);
	assert_int_equal(parse(&o, "--machine=pc", "-k", "k", NULL), 0);
	assert_false(o.machine_none);
	assert_int_equal(parse(&o, "--machine", "none", "--machine", "pc", "-k", "k", NULL), 0);
	assert_false(o.machine_none);
	expect_error("--kernel is required", "--machine", "pc", NULL);
	expect_error("invalid --machine 'q35': expected pc or none", "--machine", "q35", NULL);
	expect_error("--machine ''", "--machine=", NULL);
	expect_error("do not apply", "--machine", "none", "-k", "k", NULL);
	expect_error("do not apply", "--machine", "none", "--append", "x", NULL);
	expect_error("--machine", "--machine", NULL);
}

static void test_qmp(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "--machine", "none", "--qmp", "unix:/tmp/a.sock", "--qmp=tcp::4444",
			       "--qmp", "tcp:0.0.0.0:1", "--qmp", "tcp:[::1]:65535", "--qmp", "tcp:localhost:80",
			       "--qmp", "unix:rel,server=on", NULL), 0);
	assert_int_equal(o.nqmp, 6);
	assert_int_equal(o.qmp[0].kind, CLI_QMP_UNIX);
	assert_string_equal(o.qmp[0].path, "/tmp/a.sock");
	/* Loopback unless asked otherwise. */
	assert_int_equal(o.qmp[1].kind, CLI_QMP_TCP);
	assert_string_equal(o.qmp[1].host, "127.0.0.1");
	assert_int_equal(o.qmp[1].port, 4444);
	assert_string_equal(o.qmp[2].host, "0.0.0.0");
	assert_int_equal(o.qmp[2].port, 1);
	assert_string_equal(o.qmp[3].host, "::1");
	assert_int_equal(o.qmp[3].port, 65535);
	assert_string_equal(o.qmp[4].host, "localhost");
	/* A path is a path, commas included. */
	assert_string_equal(o.qmp[5].path, "rel,server=on");
	/* With a guest too. */
	assert_int_equal(parse(&o, "-k", "k", "--qmp", "unix:q", NULL), 0);
	assert_int_equal(o.nqmp, 1);

	expect_error("invalid --qmp 'stdio': expected unix:PATH or tcp:[HOST]:PORT", "-k", "k", "--qmp", "stdio", NULL);
	expect_error("invalid --qmp 'unix:'", "-k", "k", "--qmp", "unix:", NULL);
	expect_error("at most 107", "-k", "k", "--qmp",
		     "unix:/0123456789012345678901234567890123456789012345678901234567890123456789"
		     "0123456789012345678901234567890123456789", NULL);
	expect_error("expected tcp:[HOST]:PORT", "-k", "k", "--qmp", "tcp:4444", NULL);
	expect_error("from 1 to 65535", "-k", "k", "--qmp", "tcp::0", NULL);
	expect_error("from 1 to 65535", "-k", "k", "--qmp", "tcp::65536", NULL);
	expect_error("from 1 to 65535", "-k", "k", "--qmp", "tcp::", NULL);
	expect_error("from 1 to 65535", "-k", "k", "--qmp", "tcp::+1", NULL);
	expect_error("from 1 to 65535", "-k", "k", "--qmp", "tcp::12x", NULL);
	expect_error("IPv6 address in brackets", "-k", "k", "--qmp", "tcp:::1:4444", NULL);
	expect_error("--qmp", "-k", "k", "--qmp", NULL);

	/* Eight listeners at most. */
	assert_int_equal(parse(&o, "-k", "k", "--qmp", "unix:1", "--qmp", "unix:2", "--qmp", "unix:3", "--qmp", "unix:4",
			       "--qmp", "unix:5", "--qmp", "unix:6", "--qmp", "unix:7", "--qmp", "unix:8", NULL), 0);
	assert_int_equal(o.nqmp, CLI_MAX_QMP);
	expect_error("more than 8 times", "-k", "k", "--qmp", "unix:1", "--qmp", "unix:2", "--qmp", "unix:3",
		     "--qmp", "unix:4", "--qmp", "unix:5", "--qmp", "unix:6", "--qmp", "unix:7", "--qmp", "unix:8",
		     "--qmp", "unix:9", NULL);
}

static void test_unknown_options(void **state)
{
	(void)state;
	expect_error("-x", "-k", "k", "-x", NULL);
	expect_error("-x", "-hx", NULL);
	expect_error("--bogus", "-k", "k", "--bogus", NULL);
	expect_error("--bogus", "--bogus=1", "-k", "k", NULL);
	expect_error("--kernelx", "--kernelx", "k", NULL);
	expect_error("-q", "-q", NULL);
	/* An argument to an option that takes none. */
	expect_error(NULL, "--help=yes", NULL);
	expect_error(NULL, "--version=1", NULL);
}

static void test_missing_argument(void **state)
{
	(void)state;
	expect_error("--kernel", "--kernel", NULL);
	expect_error("-k", "-k", NULL);
	expect_error("--initrd", "-k", "k", "--initrd", NULL);
	expect_error("-i", "-k", "k", "-i", NULL);
	expect_error("--append", "-k", "k", "--append", NULL);
	expect_error("-a", "-k", "k", "-a", NULL);
	expect_error("--memory", "-k", "k", "--memory", NULL);
	expect_error("-m", "-k", "k", "-m", NULL);
	expect_error("--cpus", "-k", "k", "--cpus", NULL);
	expect_error("-c", "-k", "k", "-c", NULL);
	expect_error("--dump-acpi", "--dump-acpi", NULL);
}

static void test_stray_arguments(void **state)
{
	(void)state;
	expect_error("stray", "-k", "k", "stray", NULL);
	expect_error("stray", "stray", "-k", "k", NULL);
	expect_error("stray", "-k", "k", "--", "stray", NULL);
	expect_error("'-'", "-k", "k", "-", NULL);
	/* Even with --help, a positional argument is a mistake. */
	expect_error("stray", "--help", "stray", NULL);
}

static void test_double_dash_ends_options(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", "--", NULL), 0);
	expect_error("--help", "-k", "k", "--", "--help", NULL);
}

static void test_append_length(void **state)
{
	struct vmras_options o;
	char *big = malloc(4096);
	(void)state;

	assert_non_null(big);
	memset(big, 'a', 4095);
	big[4095] = 0;

	big[2047] = 0;      /* 2047 bytes: the most the x86 command line holds */
	assert_int_equal(parse(&o, "-k", "k", "--append", big, NULL), 0);
	assert_int_equal(strlen(o.append), 2047);
	big[2047] = 'a';

	big[2048] = 0;      /* 2048 bytes */
	expect_error("2047", "-k", "k", "--append", big, NULL);
	assert_non_null(strstr(errbuf, "2048"));
	big[2048] = 'a';

	expect_error("2047", "-k", "k", "-a", big, NULL);
	assert_non_null(strstr(errbuf, "4095"));

	assert_int_equal(parse(&o, "-k", "k", "--append", "", NULL), 0);
	assert_string_equal(o.append, "");
	free(big);
}

static void test_repeated_parsing(void **state)
{
	struct vmras_options o;
	(void)state;

	/* getopt state must be reset on every call, errors included. */
	for (int i = 0; i < 50; i++) {
		expect_error("-k", "-c", "2", "-k", NULL);
		expect_error("-z", "-hz", NULL);
		expect_error("-z", "-zh", NULL);    /* stops in the middle of a group */
		assert_int_equal(parse(&o, "-k", "bz", NULL), 0);
		assert_false(o.help);               /* the "h" left over is not parsed */
		expect_error("--cpus", "-k", "k", "-c", "0", NULL);
		assert_int_equal(parse(&o, "-c", "3", "-k", "bz", NULL), 0);
		assert_string_equal(o.kernel, "bz");
		assert_int_equal(o.cpus, 3);
		assert_true(o.memory == 512 * MiB);
		assert_int_equal(parse(&o, "--kernel", "x", "-m", "1G", NULL), 0);
		assert_int_equal(o.cpus, 1);    /* nothing carried over */
		assert_true(o.memory == GiB);
		assert_string_equal(o.kernel, "x");
	}
}

static void test_error_truncated_to_buffer(void **state)
{
	struct vmras_options o;
	char *argv[] = { (char *)"vmras", (char *)"-c", (char *)"zzzzzzzzzzzzzzzzzzzzzzzzzzzzzz", NULL };
	char small[8];
	(void)state;

	memset(small, 'Q', sizeof(small));
	assert_int_equal(cli_parse(3, argv, &o, small, sizeof(small)), -1);
	assert_int_equal(strlen(small), sizeof(small) - 1);
}

static void test_memory_backend(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", "--memory-backend", "hugetlb", NULL), 0);
	assert_int_equal(o.memory_backend.kind, RAM_BACKEND_HUGETLB);
	assert_int_equal(o.memory_backend.page_shift, 21);
	assert_int_equal(parse(&o, "-k", "k", "--memory-backend=hugetlb:1G", "-m", "2G", NULL), 0);
	assert_int_equal(o.memory_backend.page_shift, 30);
	assert_int_equal(parse(&o, "-k", "k", "--memory-backend", "file:/dev/shm/vm", "-m", "1001M", NULL), 0);
	assert_int_equal(o.memory_backend.kind, RAM_BACKEND_FILE);
	assert_string_equal(o.memory_backend.path, "/dev/shm/vm");
	/* The last one given counts, as for every other option. */
	assert_int_equal(parse(&o, "-k", "k", "--memory-backend", "hugetlb", "--memory-backend", "memfd", NULL), 0);
	assert_int_equal(o.memory_backend.kind, RAM_BACKEND_MEMFD);

	expect_error("invalid --memory-backend 'huge'", "-k", "k", "--memory-backend", "huge", NULL);
	expect_error("2M or 1G", "-k", "k", "--memory-backend", "hugetlb:4M", NULL);
	expect_error("path is empty", "-k", "k", "--memory-backend", "file:", NULL);
	expect_error("needs an argument", "-k", "k", "--memory-backend", NULL);
	/* --memory must be whole hugepages, whichever option comes first. */
	expect_error("--memory 1001M is not a multiple of 2 MiB, the page size of --memory-backend hugetlb:2M",
		     "-k", "k", "--memory-backend", "hugetlb", "-m", "1001M", NULL);
	expect_error("--memory 1001M is not a multiple of 2 MiB", "-k", "k", "-m", "1001M",
		     "--memory-backend", "hugetlb:2M", NULL);
	expect_error("--memory 512M is not a multiple of 1 GiB, the page size of --memory-backend hugetlb:1G",
		     "-k", "k", "--memory-backend", "hugetlb:1G", NULL);
	assert_int_equal(parse(&o, "-k", "k", "--memory-backend", "hugetlb", "-m", "1002M", NULL), 0);
}

static void test_disk(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", NULL), 0);
	assert_int_equal(o.ndisks, 0);
	assert_int_equal(parse(&o, "-k", "k", "--disk", "a.img", "--disk=b.img,readonly", NULL), 0);
	assert_int_equal(o.ndisks, 2);
	assert_string_equal(o.disk[0].path, "a.img");
	assert_false(o.disk[0].readonly);
	assert_string_equal(o.disk[1].path, "b.img");
	assert_true(o.disk[1].readonly);
	/* A doubled comma is one comma of the path. */
	assert_int_equal(parse(&o, "-k", "k", "--disk", "x,,y.img,readonly", NULL), 0);
	assert_string_equal(o.disk[0].path, "x,y.img");
	assert_true(o.disk[0].readonly);
	assert_int_equal(parse(&o, "-k", "k", "--disk", "/d/,,", NULL), 0);
	assert_string_equal(o.disk[0].path, "/d/,");
	assert_false(o.disk[0].readonly);

	expect_error("invalid --disk 'a.img,ro': unknown option 'ro' (expected readonly)", "-k", "k", "--disk",
		     "a.img,ro", NULL);
	expect_error("invalid --disk ',readonly': expected PATH[,readonly]", "-k", "k", "--disk", ",readonly", NULL);
	expect_error("invalid --disk '': expected PATH[,readonly]", "-k", "k", "--disk", "", NULL);
	expect_error("unknown option ''", "-k", "k", "--disk", "a.img,", NULL);
	expect_error("needs an argument", "-k", "k", "--disk", NULL);
	expect_error("--disk is given more than 8 times", "-k", "k", "--disk", "1", "--disk", "2", "--disk", "3",
		     "--disk", "4", "--disk", "5", "--disk", "6", "--disk", "7", "--disk", "8", "--disk", "9", NULL);
}

static void test_net(void **state)
{
	struct vmras_options o;
	(void)state;

	assert_int_equal(parse(&o, "-k", "k", NULL), 0);
	assert_int_equal(o.nnets, 0);
	assert_int_equal(parse(&o, "-k", "k", "--net", "tap:tap0", "--net=tap:vmras-tap-15ch", NULL), 0);
	assert_int_equal(o.nnets, 2);
	assert_string_equal(o.net[0].ifname, "tap0");
	assert_string_equal(o.net[1].ifname, "vmras-tap-15ch");
	expect_error("invalid --net 'tap0': expected tap:IFNAME", "-k", "k", "--net", "tap0", NULL);
	expect_error("invalid --net 'tap:': expected tap:IFNAME", "-k", "k", "--net", "tap:", NULL);
	expect_error("invalid --net 'user': expected tap:IFNAME", "-k", "k", "--net", "user", NULL);
	expect_error("at most 15 characters", "-k", "k", "--net", "tap:sixteen-chars-xy", NULL);
	expect_error("not a valid interface name", "-k", "k", "--net", "tap:a/b", NULL);
	expect_error("not a valid interface name", "-k", "k", "--net", "tap:..", NULL);
	expect_error("--net tap:t0 is given twice", "-k", "k", "--net", "tap:t0", "--net", "tap:t0", NULL);
	expect_error("--net is given more than 4 times", "-k", "k", "--net", "tap:a", "--net", "tap:b", "--net",
		     "tap:c", "--net", "tap:d", "--net", "tap:e", NULL);
}

static void test_usage(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	(void)state;

	assert_non_null(f);
	cli_usage(f);
	fclose(f);
	assert_non_null(text);
	/* Every option the parser knows is documented. */
	const char *opts[] = { "--kernel", "-k,", "--initrd", "-i,", "--append", "-a,", "--memory",
			       "-m,", "--cpus", "-c,", "--dump-acpi", "--on-panic", "pause|poweroff|run", "--ras", "mce|ghes|both",
			       "--machine", "pc|none", "--qmp", "unix:PATH|tcp:[HOST]:PORT", "--help", "-h,", "--version", "-V,",
			       "--firmware", "PATH|none", "--memory-backend",
			       "memfd|hugetlb|hugetlb:2M|hugetlb:1G|file:PATH" };
	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++)
		if (!strstr(text, opts[i]))
			fail_msg("usage does not mention %s", opts[i]);
	assert_true(len > 0 && text[len - 1] == '\n');
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_long_options),
		cmocka_unit_test(test_long_options_with_equals),
		cmocka_unit_test(test_short_options),
		cmocka_unit_test(test_help_and_version),
		cmocka_unit_test(test_firmware),
		cmocka_unit_test(test_dump_acpi_needs_no_kernel),
		cmocka_unit_test(test_missing_kernel),
		cmocka_unit_test(test_last_option_wins),
		cmocka_unit_test(test_sizes_accepted),
		cmocka_unit_test(test_sizes_rejected),
		cmocka_unit_test(test_parse_size_direct),
		cmocka_unit_test(test_parse_size_rejects_leading_whitespace),
		cmocka_unit_test(test_cpus),
		cmocka_unit_test(test_on_panic),
		cmocka_unit_test(test_paused),
		cmocka_unit_test(test_machine),
		cmocka_unit_test(test_qmp),
		cmocka_unit_test(test_unknown_options),
		cmocka_unit_test(test_missing_argument),
		cmocka_unit_test(test_stray_arguments),
		cmocka_unit_test(test_double_dash_ends_options),
		cmocka_unit_test(test_append_length),
		cmocka_unit_test(test_repeated_parsing),
		cmocka_unit_test(test_error_truncated_to_buffer),
		cmocka_unit_test(test_memory_backend),
		cmocka_unit_test(test_disk),
		cmocka_unit_test(test_net),
		cmocka_unit_test(test_usage),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
