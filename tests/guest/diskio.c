/* diskio: a static helper that runs inside a Linux test guest and measures a
 * block device with O_DIRECT (bench/disk-io, issue 13).
 *
 *   diskio [-t MS] [-s MIB] [-b KIB] [-n MAX] DEVICE PHASE...
 *
 * PHASE is one of
 *   seq-write   write -b KiB blocks (default 1024) one after the other from
 *               offset 0, wrapping at -s MiB (default 64)
 *   seq-read    read them back the same way
 *   rand-write  write 4 KiB at random 4 KiB-aligned offsets below -s MiB,
 *               one at a time (queue depth 1)
 *   rand-read   read 4 KiB the same way
 * each for -t milliseconds (default 3000) or -n I/Os (default no limit),
 * whichever ends first. One line per phase, on stdout:
 *
 *   diskio: PHASE ios=N bytes=B ms=T mbps=X iops=Y lat_med_us=M lat_p99_us=P bad=K
 *
 * mbps is 10^6 bytes per second; the latencies are of single pread/pwrite
 * calls (CLOCK_MONOTONIC). Every 4 KiB sector written starts with its own
 * offset (mixed with a constant), and reads check it: bad counts sectors read
 * back that hold neither that stamp nor zeros (never written), so a device
 * that returns the wrong data does not go unnoticed. The device is opened
 * O_DIRECT: the guest's page cache is out of the way, and every I/O reaches
 * the device.
 *
 * Exit status: 0 every phase ran and no sector was bad; 1 an I/O failed or a
 * sector was bad; 2 bad usage. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>
#include <linux/fs.h>

#define SECTOR 4096u
#define STAMP_MIX UINT64_C(0x5644495349534b21) /* mixed in so that a zero offset is no zero stamp */
#define MAX_SAMPLES (1u << 20)

static long time_ms = 3000;
static uint64_t span = 64ull << 20;
static uint64_t block = 1ull << 20;
static uint64_t max_ios;
static int fd;
static uint8_t *buf;
static uint64_t *lat_ns;
static uint64_t rng = UINT64_C(0x9e3779b97f4a7c15);

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* xorshift64*: a fixed sequence, the same under every VMM. */
static uint64_t next_random(void)
{
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * UINT64_C(0x2545f4914f6cdd1d);
}

static void stamp(uint8_t *p, uint64_t len, uint64_t off)
{
	for (uint64_t s = 0; s < len; s += SECTOR) {
		uint64_t v = (off + s) ^ STAMP_MIX;

		memcpy(p + s, &v, sizeof(v));
	}
}

static uint64_t count_bad(const uint8_t *p, uint64_t len, uint64_t off)
{
	uint64_t bad = 0;

	for (uint64_t s = 0; s < len; s += SECTOR) {
		uint64_t v, want = (off + s) ^ STAMP_MIX;

		memcpy(&v, p + s, sizeof(v));
		if (v != want && v != 0)
			bad++;
	}
	return bad;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The value below which a fraction q of the sorted samples lies (nearest rank). */
static double quantile_us(const uint64_t *s, uint64_t n, double q)
{
	uint64_t k = (uint64_t)(q * (double)n + 0.999999);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return (double)s[k - 1] / 1000.0;
}

static int run_phase(const char *name)
{
	bool write_io, random_io;
	uint64_t len, ios = 0, bad = 0, seq = 0, t0, deadline;

	if (!strcmp(name, "seq-write"))
		write_io = true, random_io = false;
	else if (!strcmp(name, "seq-read"))
		write_io = false, random_io = false;
	else if (!strcmp(name, "rand-write"))
		write_io = true, random_io = true;
	else if (!strcmp(name, "rand-read"))
		write_io = false, random_io = true;
	else {
		fprintf(stderr, "diskio: unknown phase '%s' (seq-write, seq-read, rand-write, rand-read)\n", name);
		return 2;
	}
	len = random_io ? SECTOR : block;
	t0 = now_ns();
	deadline = t0 + (uint64_t)time_ms * 1000000u;
	for (;;) {
		uint64_t off, a, b;
		ssize_t n;

		if (random_io) {
			off = (next_random() % (span / SECTOR)) * SECTOR;
		} else {
			if (seq + len > span)
				seq = 0;
			off = seq;
			seq += len;
		}
		if (write_io)
			stamp(buf, len, off);
		a = now_ns();
		n = write_io ? pwrite(fd, buf, len, (off_t)off) : pread(fd, buf, len, (off_t)off);
		b = now_ns();
		if (n != (ssize_t)len) {
			fprintf(stderr, "diskio: %s at %" PRIu64 " of %" PRIu64 " bytes: %s\n", name, off, len,
				n < 0 ? strerror(errno) : "short");
			return 1;
		}
		if (!write_io)
			bad += count_bad(buf, len, off);
		if (ios < MAX_SAMPLES)
			lat_ns[ios] = b - a;
		ios++;
		if (b >= deadline || (max_ios && ios >= max_ios))
			break;
	}
	{
		uint64_t t = now_ns() - t0, kept = ios < MAX_SAMPLES ? ios : MAX_SAMPLES;
		double secs = (double)t / 1e9;

		qsort(lat_ns, kept, sizeof(*lat_ns), cmp_u64);
		printf("diskio: %s ios=%" PRIu64 " bytes=%" PRIu64 " ms=%.1f mbps=%.2f iops=%.1f lat_med_us=%.1f"
		       " lat_p99_us=%.1f bad=%" PRIu64 "\n",
		       name, ios, ios * len, secs * 1000.0, (double)(ios * len) / secs / 1e6, (double)ios / secs,
		       quantile_us(lat_ns, kept, 0.5), quantile_us(lat_ns, kept, 0.99), bad);
		fflush(stdout);
	}
	return bad ? 1 : 0;
}

static bool parse_u64(const char *s, uint64_t *v)
{
	char *end;

	errno = 0;
	*v = strtoull(s, &end, 10);
	return !errno && end != s && !*end && s[0] != '-';
}

static int usage(void)
{
	fprintf(stderr, "usage: diskio [-t MS] [-s MIB] [-b KIB] [-n MAX] DEVICE PHASE...\n"
			"phases: seq-write seq-read rand-write rand-read\n");
	return 2;
}

int main(int argc, char **argv)
{
	uint64_t v, dev_size = 0;
	int opt, rc = 0;

	while ((opt = getopt(argc, argv, "t:s:b:n:")) != -1) {
		bool ok = optarg && parse_u64(optarg, &v);

		switch (opt) {
		case 't':
			if (!ok || v < 1 || v > 3600000)
				return usage();
			time_ms = (long)v;
			break;
		case 's':
			if (!ok || v < 1 || v > (1u << 20))
				return usage();
			span = v << 20;
			break;
		case 'b':
			if (!ok || v < 4 || v > 65536 || v % 4)
				return usage();
			block = v << 10;
			break;
		case 'n':
			if (!ok)
				return usage();
			max_ios = v;
			break;
		default:
			return usage();
		}
	}
	if (argc - optind < 2)
		return usage();
	if (block > span) {
		fprintf(stderr, "diskio: a -b block of %" PRIu64 " KiB is larger than the -s span\n", block >> 10);
		return 2;
	}
	fd = open(argv[optind], O_RDWR | O_DIRECT);
	if (fd < 0) {
		fprintf(stderr, "diskio: cannot open %s with O_DIRECT: %s\n", argv[optind], strerror(errno));
		return 1;
	}
	if (ioctl(fd, BLKGETSIZE64, &dev_size) == 0 && dev_size < span) {
		fprintf(stderr, "diskio: %s holds %" PRIu64 " bytes, less than the -s span of %" PRIu64 " MiB\n",
			argv[optind], dev_size, span >> 20);
		return 2;
	}
	if (posix_memalign((void **)&buf, SECTOR, block) || !(lat_ns = malloc(MAX_SAMPLES * sizeof(*lat_ns)))) {
		fprintf(stderr, "diskio: out of memory\n");
		return 1;
	}
	memset(buf, 0, block);
	for (int i = optind + 1; i < argc; i++) {
		int r = run_phase(argv[i]);

		if (r == 2)
			return 2;
		if (r)
			rc = 1;
	}
	close(fd);
	return rc;
}
